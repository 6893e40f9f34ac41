import { createHash } from 'node:crypto';

/** SHA-256 of a certificate's DER, lowercase hex: how certificates are named across the project. */
export function fingerprint256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}
