// CKM_ECDSA returns r‖s, two halves of equal length, at most the curve order's byte length each (PKCS#11 "EC
// signatures"); X.509, PKCS#10 and TLS carry ECDSA-Sig-Value, SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 §2.2.3).
import * as der from '../../pki/der/derWriter.js';
import { Pkcs11Error } from './pkcs11Error.js';

export function ecdsaRawToDer(raw: Uint8Array, coordinateLength: number): Buffer {
  if (!Number.isInteger(coordinateLength) || coordinateLength <= 0) throw new RangeError(`bad coordinate length ${coordinateLength}`);
  if (raw.length === 0 || raw.length % 2 !== 0 || raw.length > 2 * coordinateLength) {
    throw new Pkcs11Error('operation', `CKM_ECDSA returned ${raw.length} bytes, expected r‖s of two equal halves of at most ${coordinateLength}`);
  }
  const half = raw.length / 2;
  const r = raw.subarray(0, half);
  const s = raw.subarray(half);
  // r and s lie in [1, n-1]; a zero half is a token fault, and a signature with it never verifies.
  if (r.every((b) => b === 0) || s.every((b) => b === 0)) throw new Pkcs11Error('operation', 'CKM_ECDSA returned a zero r or s');
  return der.sequence(der.integer(r), der.integer(s));
}
