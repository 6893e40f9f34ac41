// Every scenario `pnc demo` runs, in order. The automated tests run this same list (test/demo/scenarioCatalogue.test.ts).
import type { Scenario } from './scenario.js';
import { BILLING } from './scenarios/billing.js';
import { EV_MISBEHAVIOUR } from './scenarios/evMisbehaviour.js';
import { IDENTIFICATION } from './scenarios/identification.js';
import { OFFLINE } from './scenarios/offline.js';
import { PNC_ACCEPTED } from './scenarios/pncAccepted.js';
import { REVOCATION } from './scenarios/revocation.js';
import { SECC_RENEWAL } from './scenarios/seccRenewal.js';

const byName = (list: readonly Scenario[], name: string): Scenario => {
  const s = list.find((x) => x.name === name);
  if (!s) throw new Error(`scenario catalogue: no ${name}`);
  return s;
};
const all = [...PNC_ACCEPTED, ...IDENTIFICATION, ...REVOCATION, ...BILLING, ...EV_MISBEHAVIOUR, ...OFFLINE, ...SECC_RENEWAL];

/** The order of DESIGN.md's CLI contract. */
export const SCENARIO_CATALOGUE: readonly Scenario[] = [
  'iso2-pnc-ac',
  'iso2-pnc-dc',
  'iso20-pnc-p521',
  'iso20-pnc-ed448',
  'eim-first',
  'rfid-during-pnc',
  'expired-contract-fallback',
  'revoked-contract',
  'revoked-cpo-subca',
  'suspended-account',
  'unknown-msp',
  'replayed-challenge',
  'tampered-signature',
  'offline-good',
  'offline-blocklisted',
  'pnc-direct',
  'pnc-direct-declined',
  'secc-renewal',
].map((n) => byName(all, n));

export function findScenario(name: string): Scenario | undefined {
  return SCENARIO_CATALOGUE.find((s) => s.name === name);
}
