// What each party reads from a PKI directory (layout in pkiDirectory.ts and the README): the charger's SECC chain and
// roots, the EV's V2G roots, contracts and vehicle certificate. Keys stay encrypted PEM; callers decrypt when needed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePemCertificates } from '../certificate/pem.js';
import type { Suite } from './testPki.js';
import { decryptPrivateKey } from './keys.js';
import { PkiDirectoryError } from './pkiDirectory.js';
import type { KeyObject } from 'node:crypto';

export interface KeyedChain {
  /** Leaf then sub-CAs, DER. */
  readonly chain: Buffer[];
  /** Encrypted PKCS#8 PEM. */
  readonly keyPem: string;
}

function readChain(dir: string, rel: string): Buffer[] {
  const path = join(dir, rel);
  if (!existsSync(path)) throw new PkiDirectoryError(`${path} is missing`);
  const ders = decodePemCertificates(readFileSync(path, 'utf8'));
  if (ders.length === 0) throw new PkiDirectoryError(`${path} holds no certificate`);
  return ders;
}

function keyed(dir: string, base: string): KeyedChain {
  return { chain: readChain(dir, `${base}.chain.pem`), keyPem: readFileSync(join(dir, `${base}.key.pem`), 'utf8') };
}

function roots(dir: string, base: string, names: readonly string[]): { der: Buffer; source: string }[] {
  return names.filter((n) => existsSync(join(dir, base, `${n}.pem`))).flatMap((n) => readChain(dir, `${base}/${n}.pem`).map((der) => ({ der, source: `${base}/${n}.pem` })));
}

export interface ChargerStore {
  readonly suite: Suite;
  readonly secc: KeyedChain;
  /** V2G and MO roots (contract chains), OEM roots (-20 vehicle certificates). */
  readonly contractRoots: { der: Buffer; source: string }[];
  readonly vehicleRoots: { der: Buffer; source: string }[];
}

export function chargerStore(dir: string, suite: Suite): ChargerStore {
  return {
    suite,
    secc: keyed(dir, `charger/${suite}/keystore/secc`),
    contractRoots: roots(dir, `charger/${suite}/truststore`, ['v2g-root', 'mo-root']),
    vehicleRoots: roots(dir, `charger/${suite}/truststore`, ['oem-root']),
  };
}

export interface EvContract {
  readonly emaid: string;
  readonly chain: Buffer[];
  readonly key: KeyObject;
}

export interface EvStore {
  readonly suite: Suite;
  readonly v2gRoots: { der: Buffer; source: string }[];
  readonly contracts: readonly string[];
  contract(emaid: string | undefined, passphrase: string): EvContract;
  /** -20 vehicle certificate for mutual TLS. */
  vehicle(): KeyedChain | undefined;
}

export function evStore(dir: string, suite: Suite): EvStore {
  const base = `ev/${suite}/keystore`;
  const contractsDir = join(dir, base, 'contracts');
  const contracts = existsSync(contractsDir)
    ? readdirSync(contractsDir)
        .filter((f) => f.endsWith('.chain.pem'))
        .map((f) => f.slice(0, -'.chain.pem'.length))
        .sort()
    : [];
  return {
    suite,
    v2gRoots: roots(dir, `ev/${suite}/truststore`, ['v2g-root']),
    contracts,
    contract(emaid, passphrase) {
      const wanted = emaid ? emaid.replace(/-/g, '').toUpperCase() : contracts[0];
      const name = contracts.find((c) => c.replace(/-/g, '').toUpperCase() === wanted);
      if (!name) throw new PkiDirectoryError(`no contract ${emaid ?? ''} in ${contractsDir} (have: ${contracts.join(', ') || 'none'})`);
      const k = keyed(dir, `${base}/contracts/${name}`);
      return { emaid: name, chain: k.chain, key: decryptPrivateKey(k.keyPem, passphrase) };
    },
    vehicle() {
      return existsSync(join(dir, `${base}/vehicle.chain.pem`)) ? keyed(dir, `${base}/vehicle`) : undefined;
    },
  };
}
