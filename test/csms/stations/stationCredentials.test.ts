// Station ids and Basic-auth passwords: the alphabet, generation, salted hashes and their comparison.
import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, isStationId, passwordMatches, validatePassword } from '../../../src/csms/stations/stationCredentials.js';

describe('station credentials', () => {
  it('generates 32-character passwords from the URL-safe alphabet, all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword();
      expect(p).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(validatePassword(p)).toBe(p);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });

  it('hashes with a fresh salt each time and verifies only the exact bytes', () => {
    const a = hashPassword('exactly-sixteen!');
    const b = hashPassword('exactly-sixteen!');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^sha256\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(passwordMatches(a, 'exactly-sixteen!')).toBe(true);
    expect(passwordMatches(b, Buffer.from('exactly-sixteen!'))).toBe(true);
    expect(passwordMatches(a, 'exactly-sixteen?')).toBe(false);
    expect(passwordMatches(a, 'exactly-sixteen!!')).toBe(false);
    expect(passwordMatches(a, '')).toBe(false);
    expect(passwordMatches(a, Buffer.from([0xff, 0x00]))).toBe(false);
  });

  it.for(['', 'plain', 'md5$aa$bb', 'sha256$zz$', 'sha256$00$00'])('a stored hash %j that is not ours never matches', (stored) => {
    expect(passwordMatches(stored, 'exactly-sixteen!')).toBe(false);
  });

  it.for([
    ['CS-1', true],
    ['a*b-c_d=e+f|g@h.i', true],
    ['X'.repeat(48), true],
    ['', false],
    ['X'.repeat(49), false],
    ['CS/1', false],
    ['CS:1', false],
    ['CS 1', false],
    ['CS%1', false],
    ['CS\n1', false],
    ['Ünïcode', false],
  ] as const)('station id %j valid: %s', ([id, ok]) => {
    expect(isStationId(id)).toBe(ok);
  });

  it.for([
    ['x'.repeat(16), true],
    ['x'.repeat(40), true],
    ['!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', true],
    ['x'.repeat(15), false],
    ['x'.repeat(41), false],
    ['with a space ....', false],
    ['tab\tinside.......', false],
    ['ümlaut-password-xx', false],
  ] as const)('password %j valid: %s', ([password, ok]) => {
    if (ok) expect(validatePassword(password)).toBe(password);
    else expect(() => validatePassword(password)).toThrow(/16–40/);
  });
});
