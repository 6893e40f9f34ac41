// The OCPI Authorization header (transport_and_format, 2.2.1+): "Token " + base64(UTF-8 credentials token).
import { randomBytes } from 'node:crypto';

export function authorizationHeader(credentialsToken: string): string {
  return `Token ${Buffer.from(credentialsToken, 'utf8').toString('base64')}`;
}

/** Longest Authorization header value read at all (a 64-character token is 88 characters of base64). */
const MAX_HEADER = 512;

/**
 * The credentials tokens an Authorization header may carry: the base64-decoded one first, then the raw parameter —
 * many 2.1.1/2.2 implementations send the token unencoded, and the 2.3.0 text tells servers to cope. The caller
 * accepts the request if either names a known token. Undefined when the header is absent or not "Token …".
 */
export function credentialsTokenCandidates(header: string | undefined): readonly string[] | undefined {
  if (header === undefined || header.length > MAX_HEADER) return undefined;
  const m = /^Token ([\x21-\x7e]+)$/i.exec(header.trim());
  if (!m) return undefined;
  const raw = m[1]!;
  const out: string[] = [];
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(raw) && raw.length % 4 === 0) {
    const decoded = Buffer.from(raw, 'base64').toString('utf8');
    // Only a clean round trip counts as base64: otherwise "abcd" would also be read as three binary bytes.
    if (/^[\x21-\x7e]+$/.test(decoded) && Buffer.from(decoded, 'utf8').toString('base64') === raw) out.push(decoded);
  }
  out.push(raw);
  return out;
}

/** A fresh credentials token: 32 random bytes, base64url (43 printable characters, within string(64)). */
export function newCredentialsToken(): string {
  return randomBytes(32).toString('base64url');
}
