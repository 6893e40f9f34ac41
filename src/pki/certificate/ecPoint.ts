// Validity of an EC public key point (SEC 1 §3.2.2.1: on the curve, coordinates in range). node:crypto refuses an
// off-curve key only when it is imported, and a leaf key is not imported by the chain verdict, so this is checked
// directly: y² = x³ − 3x + b (mod p) over BigInt, a few microseconds.
import type { Certificate, PublicKeyType } from './certificate.js';

const curves: Partial<Record<PublicKeyType, { p: bigint; b: bigint; bytes: number }>> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    bytes: 32,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    bytes: 48,
  },
  'P-521': {
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    bytes: 66,
  },
};

/** Why the certificate's EC key is unusable, or undefined when it is a valid uncompressed point (or not EC). */
export function ecPointProblem(cert: Pick<Certificate, 'publicKeyType' | 'publicKeyBits'>): string | undefined {
  const curve = curves[cert.publicKeyType];
  if (!curve) return undefined;
  const bits = cert.publicKeyBits;
  // ISO 15118 keys are uncompressed; RFC 5480 §2.2 makes compressed points optional and we do not take them.
  if (bits[0] !== 0x04 || bits.length !== 1 + 2 * curve.bytes) return `${cert.publicKeyType} key is not an uncompressed point`;
  const x = BigInt(`0x${bits.subarray(1, 1 + curve.bytes).toString('hex')}`);
  const y = BigInt(`0x${bits.subarray(1 + curve.bytes).toString('hex')}`);
  const { p, b } = curve;
  if (x >= p || y >= p) return `${cert.publicKeyType} key coordinate out of range`;
  const lhs = (y * y) % p;
  const rhs = (((x * x) % p) * x - 3n * x + b) % p;
  return lhs === (rhs + p) % p ? undefined : `${cert.publicKeyType} key is not a point on the curve`;
}
