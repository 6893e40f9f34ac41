import { describe, expect, it } from 'vitest';
import { computeCheckDigit, EmaidError, emaidProvider, emaidsEqual, emaidWithCheckDigit, formatEmaid, normalizeEmaid, parseEmaid } from '../../src/pki/emaid/emaid.js';

describe('eMAID check digit (eMI³), vectors of reference notes §4.4', () => {
  it.each([
    ['NN123ABCDEFGHI', 'T'],
    ['FRXYZ123456789', '2'],
    ['ITA1B2C3E4F5G6', '4'],
    ['ESZU8WOX834H1D', 'R'],
    ['PT73902837ABCZ', 'Z'],
    ['DE83DUIEN83QGZ', 'D'],
    ['DE83DUIEN83ZGQ', 'M'],
    ['DE8AA001234567', '0'],
  ])('%s → %s', (first14, digit) => {
    expect(computeCheckDigit(first14)).toBe(digit);
    expect(parseEmaid(`${first14}${digit}`, 'strict').checkDigitValid).toBe(true);
  });

  it('finds the wrong digit of the Josev/EVerest test eMAID UKSWI123456791A (expected 5)', () => {
    expect(computeCheckDigit('UKSWI123456791')).toBe('5');
    expect(parseEmaid('UKSWI123456791A', 'lenient')).toMatchObject({ checkDigit: 'A', expectedCheckDigit: '5', checkDigitValid: false });
    expect(() => parseEmaid('UKSWI123456791A', 'strict')).toThrow(EmaidError);
  });

  it('computes over lowercase and hyphenated input the same way', () => {
    expect(computeCheckDigit('de-8aa-001234567')).toBe('0');
  });
});

describe('eMAID parsing', () => {
  it.each([
    ['DE8AA001234567', 'DE8AA001234567', undefined],
    ['DE8AA0012345670', 'DE8AA0012345670', true],
    ['DE-8AA-001234567-0', 'DE8AA0012345670', true],
    ['de-8aa-001234567', 'DE8AA001234567', undefined],
    ['DE8AA0012345671', 'DE8AA0012345671', false],
  ])('%s normalises to %s (check digit valid: %s)', (text, normalized, valid) => {
    const e = parseEmaid(text);
    expect(e.normalized).toBe(normalized);
    expect(e.checkDigitValid).toBe(valid);
  });

  it.each([
    ['', 'empty'],
    ['DE8AA00123456', '13 characters'],
    ['DE8AA00123456701', '16 characters'],
    ['D18AA001234567', 'digit in the country'],
    ['DE8A-A001234567', 'hyphen inside the provider'],
    ['DE8AA00123456!', 'punctuation'],
    ['DE--8AA001234567', 'double hyphen'],
    ['DE8AA0012345670-----', 'too long with hyphens'],
    ['DE 8AA 001234567', 'spaces'],
    ['ÄE8AA001234567', 'non-ASCII letter'],
  ])('refuses %j (%s)', (text) => {
    expect(() => parseEmaid(text)).toThrow(EmaidError);
  });

  it('formats with hyphens, with or without the check digit', () => {
    const e = parseEmaid('DE8AA001234567');
    expect(formatEmaid(e)).toBe('DE-8AA-001234567-0');
    expect(formatEmaid(e, false)).toBe('DE-8AA-001234567');
  });

  it('completes the check digit for a contract CN, keeping a written one', () => {
    expect(emaidWithCheckDigit(parseEmaid('DE-8AA-001234567'))).toBe('DE8AA0012345670');
    expect(emaidWithCheckDigit(parseEmaid('DE8AA0012345670'))).toBe('DE8AA0012345670');
  });

  it('splits the provider for roaming (OCPI country_code + party_id)', () => {
    expect(emaidProvider(parseEmaid('NL-TNM-000012204'))).toEqual({ countryCode: 'NL', partyId: 'TNM' });
  });

  it('compares ignoring hyphens and case, but not the check digit', () => {
    expect(emaidsEqual('de-8aa-001234567-0', 'DE8AA0012345670')).toBe(true);
    expect(emaidsEqual('DE8AA001234567', 'DE8AA0012345670')).toBe(false);
    expect(normalizeEmaid('de-8aa-001234567')).toBe('DE8AA001234567');
  });
});
