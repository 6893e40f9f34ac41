// TLS credentials and trust stores from the fixture PKI, as the charger and the EV hold them.
import { encryptPrivateKey } from '../../src/pki/generator/keys.js';
import type { Suite } from '../../src/pki/generator/testPki.js';
import { createTrustStore, type TrustStore } from '../../src/pki/verdict/trustStore.js';
import type { SeccCredential } from '../../src/iso15118/tls/seccListener.js';
import type { VehicleCredential } from '../../src/iso15118/tls/evccConnect.js';
import { cert } from './fixtures.js';

export const PASSPHRASE = 'tls-test-passphrase';

function chainOf(suite: Suite, names: readonly string[]): Buffer[] {
  return names.map((n) => cert(`${suite}/${n}`).der);
}

export function seccCredential(suite: Suite, leaf = 'secc', subs: readonly string[] = ['cpo-sub2', 'cpo-sub1']): SeccCredential & { readonly keyPem: string; readonly passphrase: string } {
  return { suite, keyPem: encryptPrivateKey(cert(`${suite}/${leaf}`).key.privateKey, PASSPHRASE), passphrase: PASSPHRASE, chain: chainOf(suite, [leaf, ...subs]) };
}

export function vehicleCredential(suite: Suite): VehicleCredential {
  return { keyPem: encryptPrivateKey(cert(`${suite}/vehicle`).key.privateKey, PASSPHRASE), passphrase: PASSPHRASE, chain: chainOf(suite, ['vehicle', 'vehicle-sub2', 'vehicle-sub1']) };
}

export function trustOf(ids: readonly string[]): TrustStore {
  return createTrustStore(ids.map((id) => ({ der: cert(id).der, source: id })));
}

/** The EV's V2G roots for a suite. */
export const evTrust = (suite: Suite): TrustStore => trustOf([`${suite}/v2g-root`]);
/** The charger's roots for -20 vehicle certificates (OEM roots of both -20 suites). */
export const vehicleTrust = (): TrustStore => trustOf(['iso20-p521/oem-root', 'iso20-ed448/oem-root']);
