// The algorithms of an ISO 15118 XML signature over EXI: which digest each Reference uses, which signature the
// SignedInfo bytes get, and the URIs that name them in SignedInfo.
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/** Canonicalization and Reference transform of every ISO 15118 signature: Canonical EXI. */
export const CANONICAL_EXI = 'http://www.w3.org/TR/canonical-exi/';

export type SuiteName = 'iso2-p256' | 'iso20-p521' | 'iso20-ed448';

export interface SignatureSuite {
  readonly name: SuiteName;
  readonly signatureMethod: string;
  readonly digestMethod: string;
  readonly digestAlgorithm: 'sha256' | 'sha512';
  /** The key the suite signs with: an EC curve (Node's name) or Ed448. */
  readonly key: { readonly type: 'ec'; readonly curve: 'prime256v1' | 'secp521r1' } | { readonly type: 'ed448' };
  /** Hash ECDSA applies to the SignedInfo bytes (EdDSA hashes internally). */
  readonly signatureHash: 'sha256' | 'sha512' | null;
  /** Length of the raw SignatureValue: r‖s for ECDSA, R‖S for Ed448. */
  readonly signatureBytes: number;
}

/** ISO 15118-2: ECDSA P-256 with SHA-256, Reference digests SHA-256 (Annex J; [V2G2-771]). */
export const ISO2_P256: SignatureSuite = {
  name: 'iso2-p256',
  signatureMethod: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  digestMethod: 'http://www.w3.org/2001/04/xmlenc#sha256',
  digestAlgorithm: 'sha256',
  key: { type: 'ec', curve: 'prime256v1' },
  signatureHash: 'sha256',
  signatureBytes: 64,
};

/**
 * ISO 15118-20 with a secp521r1 key: ECDSA with SHA-512, Reference digests SHA-512 ([V2G20-1000] as implementations
 * quote it). The URIs are those of RFC 6931; no public signed -20 stream exists to confirm them against.
 */
export const ISO20_P521: SignatureSuite = {
  name: 'iso20-p521',
  signatureMethod: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
  digestMethod: 'http://www.w3.org/2001/04/xmlenc#sha512',
  digestAlgorithm: 'sha512',
  key: { type: 'ec', curve: 'secp521r1' },
  signatureHash: 'sha512',
  signatureBytes: 132,
};

/** ISO 15118-20 with an Ed448 key: EdDSA (SHAKE256 inside Ed448), Reference digests SHA-512; URI of RFC 9231. */
export const ISO20_ED448: SignatureSuite = {
  name: 'iso20-ed448',
  signatureMethod: 'http://www.w3.org/2021/04/xmldsig-more#eddsa-ed448',
  digestMethod: 'http://www.w3.org/2001/04/xmlenc#sha512',
  digestAlgorithm: 'sha512',
  key: { type: 'ed448' },
  signatureHash: null,
  signatureBytes: 114,
};

export const SIGNATURE_SUITES: readonly SignatureSuite[] = [ISO2_P256, ISO20_P521, ISO20_ED448];

export function digestOf(suite: SignatureSuite, bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(suite.digestAlgorithm).update(bytes).digest());
}

/** Why a key does not fit a suite, or undefined if it does. */
export function keyMismatch(suite: SignatureSuite, key: KeyObject): string | undefined {
  if (suite.key.type === 'ed448') return key.asymmetricKeyType === 'ed448' ? undefined : `${suite.name} needs an Ed448 key, got ${key.asymmetricKeyType ?? key.type}`;
  if (key.asymmetricKeyType !== 'ec') return `${suite.name} needs an EC key, got ${key.asymmetricKeyType ?? key.type}`;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === suite.key.curve ? undefined : `${suite.name} needs a ${suite.key.curve} key, got ${curve ?? 'an unknown curve'}`;
}

/** The suite a key signs with under a protocol: -2 always P-256; -20 by the key. */
export function suiteForKey(protocol: 'iso2' | 'iso20', key: KeyObject): SignatureSuite {
  const candidates = protocol === 'iso2' ? [ISO2_P256] : [ISO20_P521, ISO20_ED448];
  const suite = candidates.find((s) => keyMismatch(s, key) === undefined);
  if (!suite) throw new Error(keyMismatch(candidates[0]!, key));
  return suite;
}

/** The raw SignatureValue (r‖s, not DER: EXI carries the bytes as they are) over the EXI bytes of SignedInfo. */
export function signBytes(suite: SignatureSuite, privateKey: KeyObject, bytes: Uint8Array): Uint8Array {
  const mismatch = keyMismatch(suite, privateKey);
  if (mismatch) throw new Error(mismatch);
  return new Uint8Array(sign(suite.signatureHash, bytes, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
}

export function verifyBytes(suite: SignatureSuite, publicKey: KeyObject, bytes: Uint8Array, signature: Uint8Array): boolean {
  if (keyMismatch(suite, publicKey) !== undefined || signature.length !== suite.signatureBytes) return false;
  return verify(suite.signatureHash, bytes, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
}
