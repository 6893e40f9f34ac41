// Shared test fixtures: one in-memory test PKI per test process (keys are generated once), and lookups into it.
import { buildTestPki, DEFAULT_TEST_PKI, type IssuedCertificate, type Suite } from '../../src/pki/generator/testPki.js';
import { createTrustStore, type TrustStore } from '../../src/pki/verdict/trustStore.js';

export const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
export const DAY = 86_400_000;

let cached: Map<string, IssuedCertificate> | undefined;

/** Every certificate of the three suites, by id (`iso2/mo-sub2`, `iso20-ed448/contract/DEPNCC00000001A`, …). */
export function testPki(): Map<string, IssuedCertificate> {
  cached ??= new Map(
    buildTestPki({ suites: ['iso2', 'iso20-p521', 'iso20-ed448'], now: NOW, ...DEFAULT_TEST_PKI }).map((c) => [c.id, c]),
  );
  return cached;
}

export function cert(id: string): IssuedCertificate {
  const c = testPki().get(id);
  if (!c) throw new Error(`fixture has no ${id}`);
  return c;
}

export function contractOf(suite: Suite): IssuedCertificate {
  const c = [...testPki().values()].find((x) => x.suite === suite && x.role === 'contract');
  if (!c) throw new Error(`fixture has no contract in ${suite}`);
  return c;
}

/** Anchors as a charger holds them: V2G and MO roots (and OEM for -20 vehicle chains). */
export function chargerTrust(suite: Suite): TrustStore {
  const ids = ['v2g-root', 'mo-root', 'oem-root'].map((r) => `${suite}/${r}`);
  return createTrustStore(ids.map((id) => ({ der: cert(id).der, source: id })));
}
