// PKCS#10 CertificationRequest builder (RFC 2986 §4): a subject from its parts, a P-256 / P-521 / Ed448 key, optional
// requested extensions, signed either by a private KeyObject or by a pluggable signer (a PKCS#11 token, where the key
// never leaves the token).
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { EXTENSION_REQUEST_OID } from '../certificate/certificationRequest.js';
import type { SignatureAlgorithm } from '../certificate/certificate.js';
import { encodePem } from '../certificate/pem.js';
import { algorithmIdentifier, signatureSpec } from '../certificate/signatureAlgorithms.js';
import * as der from '../der/derWriter.js';
import { encodeName, type ExtensionSpec, type NameSpec } from './certificateBuilder.js';
import type { KeyType } from './keys.js';

export type CsrSignatureAlgorithm = Extract<SignatureAlgorithm, 'ecdsa-with-SHA256' | 'ecdsa-with-SHA512' | 'Ed448'>;

/** The ISO 15118 pairing: -2 P-256 with SHA-256, -20 P-521 with SHA-512, or Ed448 (hashes internally). */
export const CSR_SIGNATURE_ALGORITHMS: Readonly<Record<KeyType, CsrSignatureAlgorithm>> = {
  'P-256': 'ecdsa-with-SHA256',
  'P-521': 'ecdsa-with-SHA512',
  Ed448: 'Ed448',
};

/**
 * Signs the DER CertificationRequestInfo (`tbs`) and returns the signature as it goes into the BIT STRING: for ECDSA the
 * DER Ecdsa-Sig-Value (SEQUENCE { r, s }; see ecdsaSignatureToDer for tokens that return r‖s), for Ed448 the 114 raw
 * bytes. The digest is part of the algorithm: a signer that takes a pre-hashed input hashes `tbs` itself.
 */
export type CsrSigner = (tbs: Buffer, algorithm: CsrSignatureAlgorithm) => Promise<Buffer> | Buffer;

export interface CertificationRequestSpec {
  readonly subject: NameSpec;
  /** The key to certify (public half). */
  readonly publicKey: KeyObject;
  /** The matching private KeyObject, or a signer holding it. */
  readonly signer: KeyObject | CsrSigner;
  /** Asked for in a PKCS#9 extensionRequest attribute. */
  readonly extensions?: readonly ExtensionSpec[];
}

export interface BuiltCertificationRequest {
  readonly der: Buffer;
  /** `-----BEGIN CERTIFICATE REQUEST-----` (RFC 7468 §7). */
  readonly pem: string;
  readonly keyType: KeyType;
  readonly signatureAlgorithm: CsrSignatureAlgorithm;
}

export type CertificationRequestBuildProblem = 'subject' | 'key' | 'signer';

export class CertificationRequestBuildError extends Error {
  override readonly name = 'CertificationRequestBuildError';
  constructor(
    readonly problem: CertificationRequestBuildProblem,
    message: string,
  ) {
    super(message);
  }
}

/** RFC 5280 Appendix A upper bounds: ub-common-name and ub-organization-name are 64. */
const MAX_NAME_LENGTH = 64;

function checkSubject(subject: NameSpec): void {
  const problems: string[] = [];
  const text = (field: string, value: string | undefined): void => {
    if (value === undefined) return;
    if (value.length === 0 || value.length > MAX_NAME_LENGTH) problems.push(`${field} must be 1 to ${MAX_NAME_LENGTH} characters`);
    // Control characters make names print ambiguously and are refused by most CAs.
    if (/\p{Cc}/u.test(value)) problems.push(`${field} contains control characters`);
  };
  if (subject.commonName === undefined) problems.push('CN is required');
  text('CN', subject.commonName);
  text('O', subject.organization);
  if (subject.country !== undefined && !/^[A-Z]{2}$/.test(subject.country)) problems.push(`C must be two capital letters (ISO 3166-1 alpha-2), not "${subject.country}"`);
  if (subject.domainComponent !== undefined && !/^[\x21-\x7e]{1,63}$/.test(subject.domainComponent)) problems.push('DC must be 1 to 63 printable ASCII characters');
  if (problems.length) throw new CertificationRequestBuildError('subject', `CSR subject: ${problems.join('; ')}`);
}

/** P-256, P-521 or Ed448, from a public KeyObject. */
export function csrKeyType(publicKey: KeyObject): KeyType {
  if (publicKey.type !== 'public') throw new CertificationRequestBuildError('key', `expected a public key, got a ${publicKey.type} key`);
  if (publicKey.asymmetricKeyType === 'ed448') return 'Ed448';
  if (publicKey.asymmetricKeyType === 'ec') {
    const curve = publicKey.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'P-256';
    if (curve === 'secp521r1') return 'P-521';
    throw new CertificationRequestBuildError('key', `EC curve ${curve ?? '?'} is not used by ISO 15118 (P-256 or P-521)`);
  }
  throw new CertificationRequestBuildError('key', `${publicKey.asymmetricKeyType ?? '?'} keys are not used by ISO 15118 (P-256, P-521 or Ed448)`);
}

/** DER CertificationRequestInfo: version 0, subject, SPKI, attributes [0] (an empty SET when nothing is requested). */
function encodeInfo(subject: NameSpec, publicKey: KeyObject, extensions: readonly ExtensionSpec[]): Buffer {
  const attributes: Buffer[] = [];
  if (extensions.length > 0) {
    const list = der.sequence(...extensions.map((e) => der.sequence(der.oid(e.oid), ...(e.critical ? [der.boolean(true)] : []), der.octetString(e.value))));
    attributes.push(der.sequence(der.oid(EXTENSION_REQUEST_OID), der.setOf(list)));
  }
  return der.sequence(
    der.integer(0),
    encodeName(subject),
    publicKey.export({ type: 'spki', format: 'der' }),
    der.tlv(0xa0, ...[...attributes].sort((a, b) => Buffer.compare(a, b))),
  );
}

/** Builds and signs a CSR. The signature is verified against `publicKey` before the CSR is returned. */
export async function buildCertificationRequest(spec: CertificationRequestSpec): Promise<BuiltCertificationRequest> {
  checkSubject(spec.subject);
  const keyType = csrKeyType(spec.publicKey);
  const algorithm = CSR_SIGNATURE_ALGORITHMS[keyType];
  const digest = signatureSpec(algorithm)!.digest;
  const info = encodeInfo(spec.subject, spec.publicKey, spec.extensions ?? []);

  let signature: Buffer;
  if (typeof spec.signer === 'function') {
    signature = Buffer.from(await spec.signer(info, algorithm));
  } else {
    if (spec.signer.type !== 'private') throw new CertificationRequestBuildError('key', 'the signing key must be a private key');
    const derived = createPublicKey(spec.signer).export({ type: 'spki', format: 'der' });
    if (!derived.equals(spec.publicKey.export({ type: 'spki', format: 'der' }))) {
      throw new CertificationRequestBuildError('key', 'the private key does not belong to the public key of the request');
    }
    signature = sign(digest, info, spec.signer);
  }
  // A signer holding another key, or returning r‖s instead of DER, would yield a CSR every CA rejects: catch it here.
  if (!verify(digest, info, spec.publicKey, signature)) {
    throw new CertificationRequestBuildError('signer', `the signer's ${algorithm} signature does not verify with the request's public key`);
  }
  const csr = der.sequence(info, algorithmIdentifier(algorithm), der.bitString(signature));
  return { der: csr, pem: encodePem('CERTIFICATE REQUEST', csr), keyType, signatureAlgorithm: algorithm };
}

/**
 * ECDSA signature r‖s (PKCS#11 CKM_ECDSA, WebCrypto, IEEE P1363) as DER Ecdsa-Sig-Value (RFC 3279 §2.2.3), the form
 * X.509 and PKCS#10 carry.
 */
export function ecdsaSignatureToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new CertificationRequestBuildError('signer', `r‖s signature of odd or zero length ${raw.length}`);
  const half = raw.length / 2;
  return der.sequence(der.integer(raw.subarray(0, half)), der.integer(raw.subarray(half)));
}
