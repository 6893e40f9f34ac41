// Sealing for what the charger store must not keep in clear (queued requests may carry an eMAID idToken, local-list
// entries an idToken): AES-256-GCM with a fresh 96-bit nonce per seal, and a context string as associated data so a
// sealed value cannot be moved to another purpose. Lookups by token use an HMAC-SHA256 index, never the token itself.
// Both subkeys come from the caller's 32-byte key through HKDF-SHA256 (RFC 5869), so one key never serves two uses.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export const SEAL_KEY_BYTES = 32;

const FORMAT_VERSION = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

export type SealErrorCode =
  | 'key' // the key is not 32 bytes
  | 'format' // too short, or an unknown format version
  | 'authentication'; // the tag does not verify: tampered, truncated, another context, or another key

export class SealError extends Error {
  override readonly name = 'SealError';
  constructor(
    readonly code: SealErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface PayloadSealer {
  /** version(1) ‖ nonce(12) ‖ tag(16) ‖ ciphertext. */
  seal(plaintext: Buffer, context: string): Buffer;
  /** Throws SealError unless `sealed` was made by seal() with the same key and context, unmodified. */
  open(sealed: Buffer, context: string): Buffer;
  /** Deterministic keyed digest (hex) of `value`, for looking a sealed row up without storing the value. */
  index(value: string, context: string): string;
}

export function payloadSealer(key: Buffer): PayloadSealer {
  if (!Buffer.isBuffer(key) || key.length !== SEAL_KEY_BYTES) {
    throw new SealError('key', `seal key must be ${SEAL_KEY_BYTES} bytes, got ${Buffer.isBuffer(key) ? key.length : typeof key}`);
  }
  const aesKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'pnc-charger-store/aes-256-gcm', 32));
  const indexKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'pnc-charger-store/hmac-index', 32));

  return {
    seal(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', aesKey, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([Buffer.of(FORMAT_VERSION), nonce, cipher.getAuthTag(), body]);
    },
    open(sealed, context) {
      if (!Buffer.isBuffer(sealed) || sealed.length < HEADER_BYTES) {
        throw new SealError('format', `sealed value is ${Buffer.isBuffer(sealed) ? `${sealed.length} bytes` : 'not bytes'}, shorter than its ${HEADER_BYTES}-byte header`);
      }
      if (sealed[0] !== FORMAT_VERSION) throw new SealError('format', `sealed value has unknown format version ${sealed[0]}`);
      const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
      const tag = sealed.subarray(1 + NONCE_BYTES, HEADER_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', aesKey, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      const body = decipher.update(sealed.subarray(HEADER_BYTES));
      try {
        return Buffer.concat([body, decipher.final()]);
      } catch (e) {
        // final() throws exactly when the GCM tag does not verify.
        throw new SealError('authentication', 'sealed value does not authenticate (tampered, or sealed with another key)', { cause: e });
      }
    },
    index(value, context) {
      return createHmac('sha256', indexKey).update(context, 'utf8').update('\u0000').update(value, 'utf8').digest('hex');
    },
  };
}
