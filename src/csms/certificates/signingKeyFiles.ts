// A CA certificate chain and its encrypted private key from two PEM files, for the CSMS's signers. Unreadable files,
// broken PEM and a wrong passphrase come back through `fail` as the caller's own configuration error.
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PemError, decodePemCertificates } from '../../pki/certificate/pem.js';
import { PrivateKeyError, decryptPrivateKey } from '../../pki/generator/keys.js';

export function readSigningKeyFiles(chainPath: string, keyPath: string, passphrase: string, fail: (message: string) => Error): { chain: Buffer[]; key: KeyObject } {
  let chain: Buffer[];
  let keyPem: string;
  try {
    chain = decodePemCertificates(readFileSync(chainPath, 'utf8'));
    keyPem = readFileSync(keyPath, 'utf8');
  } catch (e) {
    if (e instanceof PemError || (e as NodeJS.ErrnoException).code !== undefined) throw fail(`cannot read ${chainPath} / ${keyPath}: ${(e as Error).message}`);
    throw e;
  }
  try {
    return { chain, key: decryptPrivateKey(keyPem, passphrase) };
  } catch (e) {
    if (e instanceof PrivateKeyError) throw fail(`${keyPath}: ${e.message}`);
    throw e;
  }
}
