// SECC certificate renewal while the charger works: TriggerMessage SignV2GCertificate → SignCertificate (CSR) → the
// CSMS signs with its CPO Sub-CA 2 → CertificateSigned → the charger checks and installs the chain; the session that
// was charging meanwhile completes, and the next EV is served the new leaf.
import type { Scenario } from '../scenario.js';
import { ScenarioFailure } from '../scenario.js';
import type { TimedEvent } from '../loopbackSystem.js';
import { evOutcome } from '../sessionFacts.js';
import { ensureDefaultAccount } from './demoTokens.js';

/** Serial of the SECC leaf the EV was served (its TLS check carries the chain). */
function seccLeafSerial(events: readonly TimedEvent[]): string | undefined {
  const tls = events.find((e) => e.party === 'ev' && e.kind === 'check' && e.check === 'TLS');
  return tls?.kind === 'check' ? tls.certificates?.[0]?.serialHex : undefined;
}

export const SECC_RENEWAL: readonly Scenario[] = [
  {
    name: 'secc-renewal',
    description: 'the CSMS triggers SECC certificate renewal (SignCertificate, CertificateSigned) while an EV charges; that session completes and the next EV gets the new certificate',
    expected: 'TriggerMessage Accepted · CertificateSigned chain ok (iso2, iso20-p521, iso20-ed448) · running session charged (TLSv1.2) · next EV served the new SECC leaf',
    async run(system) {
      await ensureDefaultAccount(system);
      const from = system.events.length;
      const charging = system.session({ chargeLoops: 20, chargeLoopPauseMs: 150 });
      await system.waitFor((e) => e.party === 'csms' && e.kind === 'message' && e.message === 'TransactionEvent Started', { from, what: 'the transaction started' });
      const trigger = await system.admin(`/stations/${system.stationId}/trigger-message`, { requestedMessage: 'SignV2GCertificate' });
      const status = (trigger.body as { status?: string }).status ?? `HTTP ${trigger.status}`;
      const suites = system.pki.manifest.suites;
      const signed: string[] = [];
      for (let i = 0; i < suites.length; i++) {
        const e = await system.waitFor((x) => x.party === 'charger' && x.kind === 'check' && x.check === 'CertificateSigned chain' && !signed.includes((x.detail ?? '').split(':')[0]!), { from, timeoutMs: 20_000, what: 'CertificateSigned' });
        if (e.kind !== 'check') throw new ScenarioFailure('unexpected event');
        signed.push(`${(e.detail ?? '').split(':')[0]!}${e.ok ? '' : ' FAILED'}`);
      }
      signed.sort((a, b) => suites.indexOf(a.split(' ')[0] as (typeof suites)[number]) - suites.indexOf(b.split(' ')[0] as (typeof suites)[number]));
      const run = await charging;
      const next = await system.session({});
      const before = seccLeafSerial(run.events());
      const after = seccLeafSerial(next.events());
      const served = before === undefined || after === undefined ? 'SECC leaf not traced' : before !== after ? 'next EV served the new SECC leaf' : 'next EV served the OLD SECC leaf';
      const ok = signed.every((s) => !s.endsWith('FAILED'));
      return [`TriggerMessage ${status}`, `CertificateSigned chain ${ok ? 'ok' : 'refused'} (${signed.map((s) => s.replace(' FAILED', '')).join(', ')})`, `running session ${evOutcome(run)}`, served].join(' · ');
    },
  },
];
