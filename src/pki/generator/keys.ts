// Key pairs for the test PKI and their storage as encrypted PKCS#8 (PBES2, AES-256-CBC): never plaintext on disk.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export type KeyType = 'P-256' | 'P-521' | 'Ed448';

export interface KeyPair {
  readonly type: KeyType;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export class PrivateKeyError extends Error {
  override readonly name = 'PrivateKeyError';
}

export function generateKeyPair(type: KeyType): KeyPair {
  const pair = type === 'Ed448' ? generateKeyPairSync('ed448') : generateKeyPairSync('ec', { namedCurve: type });
  return { type, ...pair };
}

export function encryptPrivateKey(key: KeyObject, passphrase: string): string {
  if (passphrase.length === 0) throw new PrivateKeyError('refusing to write a private key without a passphrase');
  return key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
}

/** Reads an encrypted PKCS#8 PEM; a plaintext key is refused so that none slips into a key store unnoticed. */
export function decryptPrivateKey(pem: string, passphrase: string): KeyObject {
  if (!pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) throw new PrivateKeyError('private key file is not encrypted PKCS#8');
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (e) {
    throw new PrivateKeyError(`cannot decrypt private key (wrong passphrase?): ${(e as Error).message}`);
  }
}
