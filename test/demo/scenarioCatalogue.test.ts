// The demo's scenarios are the tests: the catalogue `pnc demo` runs, each on the loopback system with all five parties
// as real servers, must end in its expected outcome — composed from what the parties did — and show the sequence
// across the parties that proves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoRunner } from '../../src/demo/demoRunner.js';
import { SCENARIO_CATALOGUE } from '../../src/demo/scenarioCatalogue.js';
import type { DemoStep } from '../../src/demo/scenarioResult.js';
import { sequenceText } from '../../src/demo/sequenceText.js';

const CONTRACT_NAMES = [
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
];

type Probe = (s: DemoStep) => boolean;
const message = (party: DemoStep['party'], name: string): Probe => (s) => s.kind === 'message' && s.party === party && s.message === name;
const check = (party: DemoStep['party'], name: string, ok: boolean): Probe => (s) => s.kind === 'check' && s.party === party && s.check === name && s.ok === ok;
const verdict = (party: DemoStep['party'], pattern: RegExp): Probe => (s) => s.kind === 'verdict' && s.party === party && pattern.test(s.verdict);

/** Steps each scenario's sequence must show, in this order (across the parties). */
const SEQUENCES: Record<string, readonly (readonly [string, Probe])[]> = {
  'iso2-pnc-ac': [
    ['EV sends its contract chain', message('ev', 'PaymentDetailsReq')],
    ['EV signs the challenge', message('ev', 'AuthorizationReq')],
    ['CSMS gets Authorize with hash data', message('csms', 'AuthorizeRequest')],
    ['the responder answers good', verdict('ocsp', /^good$/)],
    ['MSP asked over OCPI', message('msp', 'OCPI authorize')],
    ['C07 verdict', verdict('csms', /^Accepted \/ Accepted$/)],
    ['transaction started', message('csms', 'TransactionEvent Started')],
    ['EV stops', message('ev', 'SessionStopReq')],
    ['transaction ended', message('csms', 'TransactionEvent Ended')],
    ['CDR sent', verdict('csms', /^CDR sent$/)],
  ],
  'iso20-pnc-ed448': [
    ['mutual TLS 1.3', check('ev', 'TLS', true)],
    ['CSMS gets Authorize', message('csms', 'AuthorizeRequest')],
    ['C07 verdict', verdict('csms', /^Accepted \/ Accepted$/)],
    ['CDR sent', verdict('csms', /^CDR sent$/)],
  ],
  'revoked-contract': [
    ['revoked in the PKI', message('pki', 'revoke')],
    ['CSMS gets Authorize', message('csms', 'AuthorizeRequest')],
    ['the responder answers revoked', verdict('ocsp', /^revoked$/)],
    ['C07.FR.16', verdict('csms', /^CertificateRevoked \/ Invalid$/)],
  ],
  'revoked-cpo-subca': [
    ['Sub-CA revoked', message('pki', 'revoke')],
    ['charger staples the revoked status', check('charger', 'SECC OCSP status', true)],
    ['EV refuses the charger', check('ev', 'TLS', false)],
  ],
  'suspended-account': [
    ['MSP answers BLOCKED', verdict('msp', /^BLOCKED$/)],
    ['C07.FR.13', verdict('csms', /^ContractCancelled \/ Blocked$/)],
  ],
  'replayed-challenge': [['the charger finds the challenge stale', check('charger', 'challenge', false)]],
  'offline-good': [
    ['CSMS stopped', message('demo', 'CSMS stopped')],
    ['offline PnC on the local verdict', check('charger', 'offline contract authorization', true)],
    ['CSMS started', message('demo', 'CSMS started')],
    ['queued Started delivered', message('csms', 'TransactionEvent Started')],
    ['CDR sent', verdict('csms', /^CDR sent$/)],
  ],
  'offline-blocklisted': [
    ['fingerprint blocked online', check('charger', 'block-list', false)],
    ['CSMS stopped', message('demo', 'CSMS stopped')],
    ['offline PnC refused', check('charger', 'offline contract authorization', false)],
    ['the card on the local list', check('charger', 'offline EIM authorization', true)],
  ],
  'pnc-direct': [
    ['hold at the processor', check('msp', 'payment preauthorisation', true)],
    ['capture from the CDR', check('msp', 'payment capture', true)],
  ],
  'pnc-direct-declined': [['hold declined', check('msp', 'payment preauthorisation', false)]],
  'secc-renewal': [
    ['the charger sends its CSR', message('csms', 'SignCertificate')],
    ['the charger checks the signed chain', check('charger', 'CertificateSigned chain', true)],
  ],
};

describe('the demo scenario catalogue, every party a real server on 127.0.0.1', () => {
  let runner: DemoRunner;
  beforeAll(() => {
    runner = new DemoRunner({ passphrase: 'scenario-catalogue-test' });
  });
  afterAll(async () => {
    await runner?.close();
  });

  it('holds the scenarios of the CLI contract (DESIGN.md), in its order', () => {
    expect(SCENARIO_CATALOGUE.map((s) => s.name)).toEqual(CONTRACT_NAMES);
  });

  it.each(SCENARIO_CATALOGUE.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const r = await runner.run(scenario);
    const shown = sequenceText(r.steps);
    expect(r.outcome, shown).toBe(scenario.expected);
    expect(r.ok).toBe(true);
    // Every scenario involves the EV and the charger; the steps are in time order.
    expect(r.steps.some((s) => s.party === 'ev')).toBe(true);
    expect(r.steps.map((s) => s.t)).toEqual([...r.steps.map((s) => s.t)].sort((a, b) => a - b));
    let at = 0;
    for (const [what, probe] of SEQUENCES[scenario.name] ?? []) {
      const i = r.steps.slice(at).findIndex(probe);
      expect(i, `${scenario.name}: no "${what}" after step ${at}:\n${shown}`).toBeGreaterThanOrEqual(0);
      at += i + 1;
    }
  }, 90_000);
});
