// Sizes of the private keys an EV and a charger keep, per protocol. Constants rather than run-time measurements so the
// estimate is pure; test/sizing checks them against keys Node actually generates.
import type { Protocol } from '../pki/profile/protocolProfile.js';
import type { Iso20Suite, KeyFormat } from './storageAssumptions.js';

export type SizedKeyType = 'P-256' | 'P-521' | 'Ed448';

/**
 * pkcs8: unencrypted PKCS#8 DER including the public key, as `openssl genpkey` and Node's `export({ type: 'pkcs8' })`
 * write it. raw: the private scalar alone (32, 66 and 57 bytes).
 */
export const PRIVATE_KEY_BYTES: Readonly<Record<SizedKeyType, Readonly<Record<KeyFormat, number>>>> = {
  'P-256': { pkcs8: 138, raw: 32 },
  'P-521': { pkcs8: 241, raw: 66 },
  Ed448: { pkcs8: 73, raw: 57 },
};

/** ISO 15118-2 uses P-256 keys; -20 uses P-521 or Ed448 depending on the suite. */
export function keyTypeOf(protocol: Protocol, iso20Suite: Iso20Suite): SizedKeyType {
  if (protocol === 'iso2') return 'P-256';
  return iso20Suite === 'p521' ? 'P-521' : 'Ed448';
}

export function privateKeyBytes(protocol: Protocol, iso20Suite: Iso20Suite, format: KeyFormat): number {
  return PRIVATE_KEY_BYTES[keyTypeOf(protocol, iso20Suite)][format];
}
