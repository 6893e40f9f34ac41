// Station identities and Basic-auth passwords (OCPP security profiles 1 and 2): validation, generation, hashing.
//
// Hashing is salted SHA-256, deliberately not a slow KDF (scrypt, argon2). BasicAuthPassword values are machine
// secrets — ours are 32 random characters (~190 bits) — so guessing from a leaked hash is hopeless even at GPU hash
// rates, while a KDF tuned to ~50 ms would turn a fleet of 10 000 stations reconnecting after a CSMS restart into
// minutes of CPU spent before the first station is admitted. A per-station salt keeps equal passwords (add-many)
// from having equal hashes. Comparison is constant-time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { StationRegistryError } from './stationRegistryError.js';

/** OCPP identifierString characters, minus ':' which a Basic-auth user-id cannot carry (RFC 7617 §2). No '/', '%', spaces. */
const STATION_ID = /^[A-Za-z0-9*\-_=+|@.]{1,48}$/;
/** BasicAuthPassword: 16–40 characters; printable ASCII without spaces, which Basic auth carries unambiguously. */
const PASSWORD = /^[\x21-\x7e]{16,40}$/;
const GENERATED_LENGTH = 32;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SCHEME = 'sha256';

export function isStationId(id: string): boolean {
  return typeof id === 'string' && STATION_ID.test(id);
}

export function validateStationId(id: string): string {
  if (!isStationId(id)) throw new StationRegistryError('invalid-id', `station id must be 1–48 characters of [A-Za-z0-9*-_=+|@.], got ${JSON.stringify(String(id).slice(0, 60))}`);
  return id;
}

export function validatePassword(password: string): string {
  if (typeof password !== 'string' || !PASSWORD.test(password)) {
    throw new StationRegistryError('invalid-password', `password must be 16–40 printable ASCII characters without spaces (got ${typeof password === 'string' ? password.length : 0} characters)`);
  }
  return password;
}

/** 32 characters from a 64-symbol alphabet (192 random bits); 256 is a multiple of 64, so no modulo bias. */
export function generatePassword(): string {
  const bytes = randomBytes(GENERATED_LENGTH);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 63];
  return out;
}

function digest(salt: Buffer, password: Buffer): Buffer {
  return createHash('sha256').update(salt).update(password).digest();
}

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `${SCHEME}$${salt.toString('hex')}$${digest(salt, Buffer.from(password, 'utf8')).toString('hex')}`;
}

/** Constant-time check of a presented password (raw bytes from the Authorization header) against a stored hash. */
export function passwordMatches(stored: string, presented: Buffer | string): boolean {
  const [scheme, saltHex, digestHex] = stored.split('$');
  if (scheme !== SCHEME || saltHex === undefined || digestHex === undefined) return false;
  const expected = Buffer.from(digestHex, 'hex');
  const given = digest(Buffer.from(saltHex, 'hex'), typeof presented === 'string' ? Buffer.from(presented, 'utf8') : presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
