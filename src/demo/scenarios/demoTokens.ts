// What the scenarios share on the loopback system: the driver's RFID card and the default contract's account.
import type { IdTokenType } from '../../ocpp/generated/ocpp201.js';
import { LOOPBACK_EVSE, type LoopbackSystem } from '../loopbackSystem.js';

/** The driver's RFID card: known to the CSMS (its token list) and, for the offline scenario, on the charger's local list. */
export const DEMO_RFID: IdTokenType = { idToken: '04A1B2C3D4E5F6', type: 'ISO14443' };

export async function ensureRfidCard(system: LoopbackSystem): Promise<void> {
  if (!(await system.csms.node.tokens.get(DEMO_RFID.idToken, DEMO_RFID.type))) await system.csms.node.tokens.put(DEMO_RFID.idToken, 'ISO14443', 'Accepted');
}

/** The PKI's first contract gets an active account at the MSP (once per system). */
export async function ensureDefaultAccount(system: LoopbackSystem): Promise<string> {
  if (!(await system.msp.store.accounts.findByEmaid(system.defaultEmaid))) await system.addAccount(system.defaultEmaid);
  return system.defaultEmaid;
}

/** The driver taps the card at the EVSE the EV plugs into. */
export function tapCard(system: LoopbackSystem): Promise<void> {
  return system.station.presentIdToken(LOOPBACK_EVSE, DEMO_RFID);
}

/** Resolves once the CSMS has the session's TransactionEvent Ended (or after `timeoutMs`, false). */
export async function transactionEnded(system: LoopbackSystem, from: number, timeoutMs = 10_000): Promise<boolean> {
  const e = await system
    .waitFor((x) => x.party === 'csms' && x.kind === 'message' && x.message === 'TransactionEvent Ended', { from, timeoutMs, what: 'TransactionEvent Ended' })
    .catch(() => undefined);
  return e !== undefined;
}
