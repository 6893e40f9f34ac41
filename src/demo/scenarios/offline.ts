// The CSMS unreachable: PnC on the local verdict for a contract that never failed a billing check, refused for one on
// the block-list (the driver's RFID card on the local list still charges), and both reconciled after reconnect.
import type { LoopbackSystem } from '../loopbackSystem.js';
import type { Scenario } from '../scenario.js';
import { ScenarioFailure } from '../scenario.js';
import { authorizeSummary, cdrDelivered, evOutcome, freshEmaid, transactionSummary } from '../sessionFacts.js';
import { DEMO_RFID, tapCard, transactionEnded } from './demoTokens.js';

/** ISO15118Ctrlr.ContractValidationOffline = true, as an operator sets it: SetVariables through the CSMS admin API. */
async function allowOfflineContracts(system: LoopbackSystem): Promise<void> {
  const r = await system.admin(`/stations/${system.stationId}/iso15118`, { ContractValidationOffline: true });
  if (r.status !== 200) throw new ScenarioFailure(`SetVariables ContractValidationOffline: HTTP ${r.status} ${JSON.stringify(r.body)}`);
}

/** The driver's card on the charger's local list (SendLocalList Full, the next version). */
async function putCardOnLocalList(system: LoopbackSystem): Promise<void> {
  const version = await system.admin(`/stations/${system.stationId}/get-local-list-version`, {});
  const current = (version.body as { versionNumber?: number }).versionNumber ?? 0;
  const r = await system.admin(`/stations/${system.stationId}/send-local-list`, {
    versionNumber: current + 1,
    updateType: 'Full',
    localAuthorizationList: [{ idToken: DEMO_RFID, idTokenInfo: { status: 'Accepted' } }],
  });
  if (r.status !== 200 || (r.body as { status?: string }).status !== 'Accepted') throw new ScenarioFailure(`SendLocalList: HTTP ${r.status} ${JSON.stringify(r.body)}`);
}

/** Stops the CSMS and waits until the charger has noticed. */
async function csmsGoesAway(system: LoopbackSystem): Promise<void> {
  const from = system.events.length;
  system.emit({ kind: 'message', party: 'demo', from: 'demo', to: 'csms', message: 'CSMS stopped', detail: 'the charger loses its OCPP connection' });
  await system.csms.stop();
  await system.waitFor((e) => e.party === 'charger' && e.kind === 'check' && e.check === 'CSMS disconnected', { from, timeoutMs: 5000, what: 'the charger noticed the CSMS is gone' });
}

async function csmsComesBack(system: LoopbackSystem): Promise<void> {
  system.emit({ kind: 'message', party: 'demo', from: 'demo', to: 'csms', message: 'CSMS started', detail: 'same database, same ports' });
  await system.csms.start();
}

export const OFFLINE: readonly Scenario[] = [
  {
    name: 'offline-good',
    description: 'the CSMS is down; the contract validates locally and never failed a billing check: offline PnC allowed, the queued transaction reconciled after reconnect',
    expected: 'charged (TLSv1.2) while the CSMS was down · reconciled: 1 transaction (eMAID, offline) · CDR at MSP',
    async run(system) {
      const emaid = system.issueContract(freshEmaid());
      await system.addAccount(emaid);
      await allowOfflineContracts(system);
      const before = await system.csms.ledger.list({ limit: 1000 });
      await csmsGoesAway(system);
      let run;
      try {
        run = await system.session({ emaid });
        await system.station.evses[0]!.settled();
      } finally {
        await csmsComesBack(system);
      }
      const from = run.from;
      const ended = await transactionEnded(system, from, 15_000);
      const cdr = ended ? await cdrDelivered(system, from) : 'no CDR';
      return [`${evOutcome(run)} while the CSMS was down`, `reconciled: ${transactionSummary(await system.newTransactions(before))}`, cdr].join(' · ');
    },
  },
  {
    name: 'offline-blocklisted',
    description:
      'a contract failed a billing check online (account suspended → ContractCancelled, fingerprint block-listed); with the CSMS down it is refused, and the RFID card on the local list charges instead',
    expected:
      'online: Authorize ContractCancelled/Blocked, fingerprint block-listed · offline: PnC FAILED · local-list card: charged (TLSv1.2) · reconciled: 1 transaction (ISO14443, offline)',
    async run(system) {
      const emaid = system.issueContract(freshEmaid());
      await system.addAccount(emaid);
      await system.msp.store.accounts.setStatus(emaid, 'suspended');
      await allowOfflineContracts(system);
      await putCardOnLocalList(system);
      const online = await system.session({ emaid });
      const blocked = (await system.stationStore.isBlocked(system.contractFingerprint(emaid))) ? 'fingerprint block-listed' : 'not block-listed';
      const before = await system.csms.ledger.list({ limit: 1000 });
      await csmsGoesAway(system);
      let pnc;
      let eim;
      try {
        pnc = await system.session({ emaid });
        await tapCard(system);
        eim = await system.session({ auth: 'eim' });
        await system.station.evses[0]!.settled();
      } finally {
        await csmsComesBack(system);
      }
      await transactionEnded(system, eim.from, 15_000);
      return [
        `online: ${authorizeSummary(system, online.from, pnc.from)}, ${blocked}`,
        `offline: PnC ${evOutcome(pnc)}`,
        `local-list card: ${evOutcome(eim)}`,
        `reconciled: ${transactionSummary(await system.newTransactions(before))}`,
      ].join(' · ');
    },
  },
];
