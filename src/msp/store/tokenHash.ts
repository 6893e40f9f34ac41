// Credentials tokens that authenticate others to us are kept only as SHA-256: a copy of the database does not let
// anyone call our OCPI endpoints. (Tokens we send to others must be kept as they are.)
import { createHash } from 'node:crypto';

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
