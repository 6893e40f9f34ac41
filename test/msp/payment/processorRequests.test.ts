import { describe, expect, it } from 'vitest';
import { ProcessorApiError } from '../../../src/msp/payment/processorApiError.js';
import {
  parseAuthorizationId,
  parseCaptureRequest,
  parseCardToken,
  parseNewCardRequest,
  parsePreauthorizationRequest,
  parseReleaseRequest,
} from '../../../src/msp/payment/processorRequests.js';

const good = { paymentToken: 'tok_visa_1', amountMinor: 5000, currency: 'EUR', reference: 'AUTH-REF-1' };

function refusal(f: () => unknown): ProcessorApiError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProcessorApiError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('parsePreauthorizationRequest', () => {
  it('accepts a well-formed body', () => {
    expect(parsePreauthorizationRequest(good)).toEqual(good);
  });
  const bad: [string, unknown, RegExp][] = [
    ['null', null, /JSON object/],
    ['an array', [good], /JSON object/],
    ['a string', JSON.stringify(good), /JSON object/],
    ['a number', 5000, /JSON object/],
    ['missing amount', { ...good, amountMinor: undefined }, /amountMinor/],
    ['unknown field', { ...good, admin: true }, /unknown field "admin"/],
    ['amount as string', { ...good, amountMinor: '5000' }, /amountMinor must be an integer/],
    ['fractional amount', { ...good, amountMinor: 50.5 }, /amountMinor/],
    ['zero amount', { ...good, amountMinor: 0 }, /amountMinor/],
    ['negative amount', { ...good, amountMinor: -1 }, /amountMinor/],
    ['huge amount', { ...good, amountMinor: 1e12 }, /amountMinor/],
    ['NaN-ish amount', { ...good, amountMinor: null }, /amountMinor/],
    ['lower-case currency', { ...good, currency: 'eur' }, /currency/],
    ['long currency', { ...good, currency: 'EURO' }, /currency/],
    ['empty token', { ...good, paymentToken: '' }, /paymentToken/],
    ['token with spaces', { ...good, paymentToken: '4242 4242' }, /paymentToken/],
    ['token too long', { ...good, paymentToken: 'x'.repeat(65) }, /paymentToken/],
    ['token as object', { ...good, paymentToken: { $ne: '' } }, /paymentToken/],
    ['empty reference', { ...good, reference: '' }, /reference/],
    ['reference with a space', { ...good, reference: 'a b' }, /reference/],
    ['reference with a control character', { ...good, reference: 'a\u0000b' }, /reference/],
    ['reference too long', { ...good, reference: 'r'.repeat(65) }, /reference/],
    ['non-ASCII reference', { ...good, reference: 'réf' }, /reference/],
  ];
  it.each(bad)('refuses %s', (_name, body, message) => {
    const cleaned = body !== null && typeof body === 'object' && !Array.isArray(body) ? JSON.parse(JSON.stringify(body)) as unknown : body;
    const e = refusal(() => parsePreauthorizationRequest(cleaned));
    expect(e.code).toBe('invalid-request');
    expect(e.statusCode).toBe(400);
    expect(e.message).toMatch(message);
  });
});

describe('parseCaptureRequest / parseReleaseRequest', () => {
  it.each([0, 1, 1_000_000_000])('capture %d', (amountMinor) => {
    expect(parseCaptureRequest({ amountMinor })).toEqual({ amountMinor });
  });
  it.each<[string, unknown]>([
    ['negative', { amountMinor: -1 }],
    ['too large', { amountMinor: 1_000_000_001 }],
    ['string', { amountMinor: '1' }],
    ['extra field', { amountMinor: 1, currency: 'EUR' }],
    ['empty', {}],
  ])('refuses a capture: %s', (_name, body) => {
    expect(refusal(() => parseCaptureRequest(body)).code).toBe('invalid-request');
  });
  it('release takes {} or nothing, never fields', () => {
    expect(() => parseReleaseRequest({})).not.toThrow();
    expect(() => parseReleaseRequest(undefined)).not.toThrow();
    expect(refusal(() => parseReleaseRequest({ amountMinor: 1 })).code).toBe('invalid-request');
    expect(refusal(() => parseReleaseRequest('x')).code).toBe('invalid-request');
  });
});

describe('parseNewCardRequest', () => {
  const card = { token: 'tok_1', balanceMinor: 10_000, currency: 'EUR', expires: '2027-01' };
  it('defaults blocked to false', () => {
    expect(parseNewCardRequest(card)).toEqual({ ...card, blocked: false });
    expect(parseNewCardRequest({ ...card, blocked: true }).blocked).toBe(true);
  });
  it.each<[string, unknown]>([
    ['expiry month 13', { ...card, expires: '2027-13' }],
    ['expiry as date', { ...card, expires: '2027-01-31' }],
    ['blocked as string', { ...card, blocked: 'yes' }],
    ['negative balance', { ...card, balanceMinor: -1 }],
    ['missing currency', { token: 'tok_1', balanceMinor: 1, expires: '2027-01' }],
  ])('refuses %s', (_name, body) => {
    expect(refusal(() => parseNewCardRequest(body)).code).toBe('invalid-request');
  });
});

describe('path parameters', () => {
  it('authorization ids are pa_ and 24 hex digits', () => {
    expect(parseAuthorizationId('pa_0123456789abcdef01234567')).toBe('pa_0123456789abcdef01234567');
    for (const bad of ['pa_0123', 'PA_0123456789abcdef01234567', 'pa_0123456789abcdef0123456g', '../admin', undefined, 7]) {
      expect(refusal(() => parseAuthorizationId(bad)).code).toBe('invalid-request');
    }
  });
  it('card tokens', () => {
    expect(parseCardToken('tok-1.a:b_c')).toBe('tok-1.a:b_c');
    for (const bad of ['', 'a/b', 'x'.repeat(65), undefined]) expect(refusal(() => parseCardToken(bad)).code).toBe('invalid-request');
  });
});
