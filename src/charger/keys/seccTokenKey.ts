// The SECC key in a PKCS#11 token, as the charger uses it: the store keeps only the key's RFC 7512 URI (never key
// material), TLS reaches the key through OpenSSL's pkcs11 engine, and a renewal generates the new key on the token and
// has the token sign the CSR.
import type { KeyObject } from 'node:crypto';
import type { SeccKey } from '../../iso15118/tls/seccListener.js';
import { encodePem } from '../../pki/certificate/pem.js';
import type { KeyType } from '../../pki/generator/keys.js';
import type { CsrSigner } from '../../pki/generator/certificationRequest.js';
import { createPkcs11Signer } from './pkcs11Signer.js';
import type { Pkcs11Token } from './pkcs11Token.js';
import { openPkcs11TokenFromUri } from './pkcs11Token.js';
import { preparePkcs11TlsKey } from './pkcs11TlsKey.js';
import { formatPkcs11Uri, parsePkcs11Uri } from './pkcs11Uri.js';

/** Module and PIN for URIs that carry neither (the PIN then never sits in the database). */
export interface TokenDefaults {
  readonly modulePath?: string;
  readonly pin?: string;
}

export function isTokenKey(key: string): boolean {
  return key.startsWith('pkcs11:');
}

/** Opens the key a URI names and makes it usable by the TLS server for `chain` (checked against it now). */
export async function tokenTlsKey(uri: string, chain: readonly Buffer[], defaults: TokenDefaults): Promise<{ key: SeccKey; token: Pkcs11Token }> {
  const { token, key } = await openPkcs11TokenFromUri(uri, defaults);
  const pair = token.findKeyPair(key);
  const engineKey = preparePkcs11TlsKey(token, pair, { cert: chain.map((der) => encodePem('CERTIFICATE', der)).join('') });
  return { key: { engineKey }, token };
}

export async function tokenPublicKey(uri: string, defaults: TokenDefaults): Promise<KeyObject> {
  const { token, key } = await openPkcs11TokenFromUri(uri, defaults);
  try {
    return token.findKeyPair(key).publicKey;
  } finally {
    token.close();
  }
}

/** A fresh non-extractable key pair on the token `tokenUri` names; its URI (without PIN) and a CSR signer. */
export async function generateTokenKey(tokenUri: string, keyType: KeyType, label: string, defaults: TokenDefaults): Promise<{ uri: string; publicKey: KeyObject; signer: CsrSigner; close(): void }> {
  const base = parsePkcs11Uri(tokenUri);
  const { token } = await openPkcs11TokenFromUri(base, defaults);
  const pair = token.generateKeyPair({ keyType, label });
  const signer = createPkcs11Signer(token, pair);
  const { pinValue: _pin, ...withoutPin } = base;
  return { uri: formatPkcs11Uri({ ...withoutPin, object: pair.label, id: pair.id, type: 'private' }), publicKey: pair.publicKey, signer: (tbs) => signer.sign(tbs), close: () => token.close() };
}
