// Identification: EIM and PnC identify a plug-in once (no double billing), and PnC that fails falls back to EIM.
import type { Scenario } from '../scenario.js';
import type { LoopbackSystem, TimedEvent } from '../loopbackSystem.js';
import { authorizeRequests, evOutcome, freshEmaid, transactionSummary } from '../sessionFacts.js';
import { ensureDefaultAccount, ensureRfidCard, tapCard, transactionEnded } from './demoTokens.js';

/** What the SECC offered the EV: "PnC not offered" when only EIM was, else "PnC offered". */
function offer(events: readonly TimedEvent[]): string {
  const last = events.filter((e) => e.party === 'charger' && e.kind === 'check' && e.check === 'identification offer').at(-1);
  if (!last || last.kind !== 'check') return 'no offer seen';
  return /\bpnc\b/.test(last.detail ?? '') ? 'PnC offered' : 'PnC not offered';
}

/** What the charger's identification policy did with the tap: "tap held while PnC pending", "tap ignored (…)", … */
function tapHandling(events: readonly TimedEvent[]): string {
  const e = events.find((x) => x.party === 'charger' && x.kind === 'check' && x.check === 'identification' && (x.detail ?? '').startsWith('rfid:'));
  if (!e || e.kind !== 'check') return 'tap not seen by the charger';
  return /PnC pending: tap held/.test(e.detail ?? '') ? 'tap held while PnC pending' : `tap: ${(e.detail ?? '').slice('rfid: '.length)}`;
}

const requestsPhrase = (events: readonly TimedEvent[]): string => {
  const r = authorizeRequests(events);
  return r.length === 0 ? 'no Authorize' : `Authorize ×${r.length} (${r.join(', ')})`;
};

/**
 * Runs `act` (the driver's taps and the EV's sessions), waits for the transaction it started to end, and composes the
 * outcome: `act`'s own phrases (given the events since it began), then the Authorize requests and the transactions.
 */
async function identifiedOnce(system: LoopbackSystem, act: () => Promise<(events: readonly TimedEvent[]) => readonly string[]>): Promise<string> {
  const before = await system.csms.ledger.list({ limit: 1000 });
  const from = system.events.length;
  const phrases = await act();
  await transactionEnded(system, from);
  const events = system.events.slice(from);
  return [...phrases(events), requestsPhrase(events), transactionSummary(await system.newTransactions(before))].join(' · ');
}

export const IDENTIFICATION: readonly Scenario[] = [
  {
    name: 'eim-first',
    description: 'the driver taps an RFID card, then plugs in: the charger offers only EIM, one Authorize for the card, one transaction',
    expected: 'charged (TLSv1.2) · PnC not offered · Authorize ×1 (ISO14443) · 1 transaction (ISO14443)',
    async run(system) {
      await ensureRfidCard(system);
      return identifiedOnce(system, async () => {
        await tapCard(system);
        const run = await system.session({ auth: 'eim' });
        return (events) => [evOutcome(run), offer(events)];
      });
    },
  },
  {
    name: 'rfid-during-pnc',
    description: 'plug in, PnC starts, the driver taps a card while the CSMS checks the contract: identified once, by PnC',
    expected: 'charged (TLSv1.2) · tap held while PnC pending · Authorize ×1 (eMAID) · 1 transaction (eMAID)',
    async run(system) {
      await ensureRfidCard(system);
      await ensureDefaultAccount(system);
      return identifiedOnce(system, async () => {
        // The tap lands the moment the CSMS has the contract's Authorize: PnC is pending at the charger.
        let tapped: Promise<void> | undefined;
        const stop = system.onEvent((e) => {
          if (!tapped && e.party === 'csms' && e.kind === 'message' && e.message === 'AuthorizeRequest') tapped = tapCard(system);
        });
        const run = await system.session({}).finally(stop);
        await tapped;
        return (events) => [evOutcome(run), tapHandling(events)];
      });
    },
  },
  {
    name: 'expired-contract-fallback',
    description: 'the contract certificate has expired: the charger refuses PnC; the driver taps a card and the EV charges by EIM',
    expected: 'PnC FAILED_CertificateExpired · then EIM charged (TLSv1.2) · Authorize ×1 (ISO14443) · 1 transaction (ISO14443)',
    async run(system) {
      await ensureRfidCard(system);
      const day = 86_400_000;
      const emaid = system.issueContract(freshEmaid(), { notBefore: Date.now() - 400 * day, notAfter: Date.now() - day });
      await system.addAccount(emaid);
      return identifiedOnce(system, async () => {
        const pnc = await system.session({ emaid });
        await tapCard(system);
        const eim = await system.session({ auth: 'eim' });
        return () => [`PnC ${evOutcome(pnc)}`, `then EIM ${evOutcome(eim)}`];
      });
    },
  },
];
