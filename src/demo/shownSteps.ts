// Which trace events a scenario's sequence shows. Each party traces what it sends and receives, so most messages are
// traced twice; the sequence shows each once, from the view with the most to say:
//   EV ↔ charger (ISO 15118): the EV's (requests it sent, responses with their code);
//   charger ↔ CSMS (OCPP): the CSMS's (its server sees every message; Authorize and TransactionEvent handlers add detail);
//   CSMS → MSP (OCPI): the MSP's (what arrived).
//   CSMS → charger calls made by the admin API: the admin API's (it says why and the status), not the server's bare one.
// Link housekeeping (heartbeats, connector status) and per-message timing checks that passed are left out.
import type { TimedEvent } from './loopbackSystem.js';

const HOUSEKEEPING = /^(Heartbeat|StatusNotification|MeterValues)(Request|Response)?$/;
/** Messages whose CSMS handlers trace them with detail; the server's own bare event for them is redundant. */
const DETAILED_BY_CSMS_HANDLER = new Set(['Authorize', 'AuthorizeResponse', 'TransactionEvent', 'TransactionEventResponse']);

/** A filter over the event stream (it remembers admin API calls in flight). */
export function createStepFilter(): (e: TimedEvent) => boolean {
  // Per action: bare server events still to drop for an admin call (its request, then the first response).
  const adminCalls = new Map<string, number>();
  return (e) => {
    if (e.kind === 'check') return !(e.ok && e.check.endsWith(' in time'));
    if (e.kind !== 'message') return true;
    if (HOUSEKEEPING.test(e.message)) return false;
    const between = (a: string, b: string): boolean => (e.from === a && e.to === b) || (e.from === b && e.to === a);
    if (e.party === 'charger' && (between('ev', 'charger') || between('charger', 'csms'))) return false;
    if (e.party === 'csms' && between('csms', 'msp')) return false;
    if (e.party !== 'csms' || !between('charger', 'csms')) return true;
    if (e.from === 'csms' && e.detail === 'from the admin API' && e.message.endsWith('Request')) {
      adminCalls.set(e.message.slice(0, -'Request'.length), 2);
      return true;
    }
    if (e.detail !== undefined) return true;
    const action = e.message.endsWith('Response') ? e.message.slice(0, -'Response'.length) : e.message;
    const left = adminCalls.get(action);
    if (left !== undefined) {
      if (left > 1) adminCalls.set(action, left - 1);
      else adminCalls.delete(action);
      return false;
    }
    return !DETAILED_BY_CSMS_HANDLER.has(e.message);
  };
}
