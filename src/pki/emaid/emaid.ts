// e-Mobility Account Identifier (ISO 15118-2 Annex H, eMI³ "Check Digit Calculation for Contract-IDs").
// Shape: country (2 letters) + provider (3 alphanumerics) + instance (9 alphanumerics) + optional check digit,
// hyphens allowed between the parts for display (DE-8AA-001234567-0).

export class EmaidError extends Error {
  override readonly name = 'EmaidError';
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message);
  }
}

/** strict: a present check digit must be right; lenient: a wrong one is reported, not refused (real test PKIs carry wrong ones). */
export type CheckDigitPolicy = 'strict' | 'lenient';

export interface Emaid {
  readonly country: string;
  readonly provider: string;
  readonly instance: string;
  /** The check digit as written, if any. */
  readonly checkDigit?: string;
  /** The check digit computed from the first 14 characters. */
  readonly expectedCheckDigit: string;
  readonly checkDigitValid: boolean | undefined;
  /** Uppercase, no hyphens, with the check digit when one was written. */
  readonly normalized: string;
}

const shape = /^([A-Z]{2})-?([A-Z0-9]{3})-?([A-Z0-9]{9})(?:-?([A-Z0-9]))?$/;

/** Uppercase, hyphens removed: the form two eMAIDs are compared in ([V2G2] eMAID == contract CN, ignoring hyphens and case). */
export function normalizeEmaid(text: string): string {
  // ASCII-only case folding: String.toUpperCase maps e.g. 'ſ' to 'S', which would let a different eMAID compare equal.
  return text.replace(/-/g, '').replace(/[a-z]/g, (c) => c.toUpperCase());
}

export function emaidsEqual(a: string, b: string): boolean {
  return normalizeEmaid(a) === normalizeEmaid(b);
}

export function parseEmaid(text: string, policy: CheckDigitPolicy = 'lenient'): Emaid {
  if (text.length > 18) throw new EmaidError(`eMAID "${text.slice(0, 40)}" is longer than 18 characters`, text);
  const m = shape.exec(text.replace(/[a-z]/g, (c) => c.toUpperCase()));
  if (!m) throw new EmaidError(`"${text}" is not an eMAID (CC-PPP-IIIIIIIII[-D])`, text);
  const [, country, provider, instance, checkDigit] = m;
  const expectedCheckDigit = computeCheckDigit(`${country}${provider}${instance}`);
  const checkDigitValid = checkDigit === undefined ? undefined : checkDigit === expectedCheckDigit;
  if (policy === 'strict' && checkDigitValid === false) {
    throw new EmaidError(`eMAID ${text} has check digit ${checkDigit}, expected ${expectedCheckDigit}`, text);
  }
  return {
    country: country!,
    provider: provider!,
    instance: instance!,
    ...(checkDigit !== undefined ? { checkDigit } : {}),
    expectedCheckDigit,
    checkDigitValid,
    normalized: `${country}${provider}${instance}${checkDigit ?? ''}`,
  };
}

/** Normalised form that always ends in the check digit (computed when the input had none): the contract CN. */
export function emaidWithCheckDigit(emaid: Emaid): string {
  return emaid.checkDigit === undefined ? `${emaid.normalized}${emaid.expectedCheckDigit}` : emaid.normalized;
}

/** Display form with hyphens: DE-8AA-001234567-0. */
export function formatEmaid(emaid: Emaid, withCheckDigit = true): string {
  const base = `${emaid.country}-${emaid.provider}-${emaid.instance}`;
  const digit = withCheckDigit ? (emaid.checkDigit ?? emaid.expectedCheckDigit) : undefined;
  return digit === undefined ? base : `${base}-${digit}`;
}

/** Roaming key of the issuing eMSP: OCPI country_code + party_id. */
export function emaidProvider(emaid: Emaid): { countryCode: string; partyId: string } {
  return { countryCode: emaid.country, partyId: emaid.provider };
}

type Matrix = readonly [number, number, number, number]; // row-major 2×2

function multiply(a: Matrix, b: Matrix, mod: number): Matrix {
  return [
    (a[0] * b[0] + a[1] * b[2]) % mod,
    (a[0] * b[1] + a[1] * b[3]) % mod,
    (a[2] * b[0] + a[3] * b[2]) % mod,
    (a[2] * b[1] + a[3] * b[3]) % mod,
  ];
}

function powers(p: Matrix, mod: number, count: number): Matrix[] {
  const out: Matrix[] = [];
  let m: Matrix = [1, 0, 0, 1];
  for (let i = 0; i < count; i++) {
    m = multiply(m, p, mod);
    out.push(m);
  }
  return out;
}

// Position i (1-based) is weighted by P1^i over Z2 (P1 = [[0,1],[1,1]]) and P2^i over Z3 (P2 = [[0,1],[1,2]]).
const P1 = powers([0, 1, 1, 1], 2, 15);
const P2 = powers([0, 1, 1, 2], 3, 15);

function inverse(m: Matrix, mod: number): Matrix {
  let det = (m[0] * m[3] - m[1] * m[2]) % mod;
  if (det < 0) det += mod;
  let detInv = 1;
  while ((det * detInv) % mod !== 1) detInv++;
  const n = (v: number): number => (((v * detInv) % mod) + mod) % mod;
  return [n(m[3]), n(-m[1]), n(-m[2]), n(m[0])];
}

const P1_15_INV = inverse(P1[14]!, 2);
const P2_15_INV = inverse(P2[14]!, 3);

function charValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  throw new EmaidError(`"${c}" is not an eMAID character`, c);
}

/** Each character value v (0–35) splits into q = v div 9 (two bits, high first) and r = v mod 9 (two base-3 digits). */
export function computeCheckDigit(first14: string): string {
  const s = normalizeEmaid(first14);
  if (s.length !== 14) throw new EmaidError('the check digit is computed over exactly 14 characters', first14);
  let q0 = 0;
  let q1 = 0;
  let r0 = 0;
  let r1 = 0;
  for (let i = 0; i < 14; i++) {
    const v = charValue(s[i]!);
    const q = Math.floor(v / 9);
    const r = v % 9;
    const a = [q >> 1, q & 1] as const;
    const b = [Math.floor(r / 3), r % 3] as const;
    const m1 = P1[i]!;
    const m2 = P2[i]!;
    q0 += a[0] * m1[0] + a[1] * m1[2];
    q1 += a[0] * m1[1] + a[1] * m1[3];
    r0 += b[0] * m2[0] + b[1] * m2[2];
    r1 += b[0] * m2[1] + b[1] * m2[3];
  }
  // The 15th character makes both weighted sums zero: x15 = -(sum) · P^-15.
  const t1 = [q0 % 2, q1 % 2] as const; // -x == x over Z2
  const t2 = [(3 - (r0 % 3)) % 3, (3 - (r1 % 3)) % 3] as const;
  const qa = (t1[0] * P1_15_INV[0] + t1[1] * P1_15_INV[2]) % 2;
  const qb = (t1[0] * P1_15_INV[1] + t1[1] * P1_15_INV[3]) % 2;
  const ra = (t2[0] * P2_15_INV[0] + t2[1] * P2_15_INV[2]) % 3;
  const rb = (t2[0] * P2_15_INV[1] + t2[1] * P2_15_INV[3]) % 3;
  const value = 9 * (qa * 2 + qb) + (ra * 3 + rb);
  return value < 10 ? String(value) : String.fromCharCode(55 + value);
}
