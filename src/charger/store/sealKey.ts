// The seal key from the charger passphrase: scrypt (RFC 7914) with a random per-database salt kept in the database's
// meta table, so the same passphrase gives different keys for different databases and no key is stored anywhere.
import { randomBytes, scrypt } from 'node:crypto';
import { SEAL_KEY_BYTES, SealError } from './payloadSeal.js';

export const SEAL_SALT_BYTES = 16;

/** N=2^15, r=8, p=1: 32 MiB and about 0.1 s per derivation, done once at open. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

export function newSealSalt(): Buffer {
  return randomBytes(SEAL_SALT_BYTES);
}

export function deriveSealKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) return Promise.reject(new SealError('key', 'the passphrase is empty'));
  if (!Buffer.isBuffer(salt) || salt.length < SEAL_SALT_BYTES) {
    return Promise.reject(new SealError('key', `seal salt must be at least ${SEAL_SALT_BYTES} bytes`));
  }
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, SEAL_KEY_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
