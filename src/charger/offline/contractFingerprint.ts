// The block-list names a contract certificate by the SHA-256 of its leaf's DER, in lower-case hex (the project's
// certificate fingerprint): enough to recognise it again, nothing of the eMAID or the chain.
import { fingerprint256 } from '../../pki/certificate/fingerprint.js';

export class InvalidFingerprintError extends Error {
  override readonly name = 'InvalidFingerprintError';
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

export function contractFingerprint(leafDer: Uint8Array): string {
  if (leafDer.length === 0) throw new InvalidFingerprintError('no contract leaf certificate to fingerprint');
  return fingerprint256(leafDer);
}

/** A fingerprint in its stored form (lower-case hex); throws InvalidFingerprintError for anything else. */
export function normaliseFingerprint(fingerprint: string): string {
  const f = fingerprint.toLowerCase();
  if (!FINGERPRINT.test(f)) throw new InvalidFingerprintError('a contract fingerprint is 64 hexadecimal digits (SHA-256)');
  return f;
}
