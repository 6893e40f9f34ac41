// The signature algorithms the project reads and writes: OID, digest for node:crypto, and the key types each takes.
// One table for certificates, OCSP responses and the test-PKI generator.
import * as der from '../der/derWriter.js';
import { Oid } from '../oids.js';
import type { PublicKeyType, SignatureAlgorithm } from './certificate.js';

interface Spec {
  readonly oid: string;
  /** Hash given to node:crypto sign/verify; null for EdDSA, which hashes internally. */
  readonly digest: string | null;
  readonly keys: readonly PublicKeyType[];
}

const ECDSA_KEYS: readonly PublicKeyType[] = ['P-256', 'P-384', 'P-521'];

const SPECS: Readonly<Record<Exclude<SignatureAlgorithm, 'unsupported'>, Spec>> = {
  'ecdsa-with-SHA256': { oid: Oid.ecdsaWithSha256, digest: 'sha256', keys: ECDSA_KEYS },
  'ecdsa-with-SHA384': { oid: Oid.ecdsaWithSha384, digest: 'sha384', keys: ECDSA_KEYS },
  'ecdsa-with-SHA512': { oid: Oid.ecdsaWithSha512, digest: 'sha512', keys: ECDSA_KEYS },
  Ed448: { oid: Oid.ed448, digest: null, keys: ['Ed448'] },
  Ed25519: { oid: Oid.ed25519, digest: null, keys: ['Ed25519'] },
  sha256WithRSAEncryption: { oid: Oid.sha256WithRsa, digest: 'sha256', keys: ['RSA'] },
};

const byOid = new Map(Object.entries(SPECS).map(([name, s]) => [s.oid, name as SignatureAlgorithm]));

export function signatureAlgorithmFromOid(oid: string): SignatureAlgorithm {
  return byOid.get(oid) ?? 'unsupported';
}

export function signatureSpec(alg: SignatureAlgorithm): Spec | undefined {
  return alg === 'unsupported' ? undefined : SPECS[alg];
}

/** The algorithm a key of this type signs with in ISO 15118 (P-256 → SHA-256, P-521 → SHA-512, EdDSA). */
export function signatureAlgorithmForKey(type: PublicKeyType): SignatureAlgorithm | undefined {
  const byKey: Partial<Record<PublicKeyType, SignatureAlgorithm>> = {
    'P-256': 'ecdsa-with-SHA256',
    'P-384': 'ecdsa-with-SHA384',
    'P-521': 'ecdsa-with-SHA512',
    Ed448: 'Ed448',
    Ed25519: 'Ed25519',
  };
  return byKey[type];
}

/** AlgorithmIdentifier DER; parameters absent for ECDSA (RFC 5758 §3.2) and EdDSA (RFC 8410 §3), NULL for RSA. */
export function algorithmIdentifier(alg: SignatureAlgorithm): Buffer {
  const spec = signatureSpec(alg);
  if (!spec) throw new RangeError(`no AlgorithmIdentifier for ${alg}`);
  return alg === 'sha256WithRSAEncryption' ? der.sequence(der.oid(spec.oid), der.nullValue()) : der.sequence(der.oid(spec.oid));
}
