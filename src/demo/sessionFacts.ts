// What the parties did in a scenario, read from the system's trace and stores, as short phrases for its outcome.
import { randomInt } from 'node:crypto';
import { computeCheckDigit } from '../pki/emaid/emaid.js';
import type { LedgerTransaction } from '../csms/transactions/transactionLedger.js';
import type { LoopbackSystem, SessionRun, TimedEvent } from './loopbackSystem.js';

/** What the EV ended with: "charged (TLSv1.3)" or its response code / failure. */
export function evOutcome(run: SessionRun): string {
  const r = run.result;
  if (r.authorized && r.charged && r.outcome === 'OK') return `charged (${r.tls?.version ?? 'plain TCP'})`;
  return r.outcome.startsWith('tls ') ? r.outcome.split(':')[0]! : r.outcome;
}

/** The CSMS's Authorize answers from event `from` on: "Authorize Accepted/Accepted", "no Authorize", or several. */
export function authorizeSummary(system: LoopbackSystem, from: number, to?: number): string {
  const answers = system.authorizeAnswers(from, to);
  if (answers.length === 0) return 'no Authorize';
  return `Authorize ${answers.map((a) => `${a.certificateStatus}/${a.status}`).join(', ')}`;
}

/** Authorize requests the CSMS received, by idToken type (eMAID, ISO14443 …). */
export function authorizeRequests(events: readonly TimedEvent[]): string[] {
  // The CSMS traces an eMAID masked ("DEPNC*********A, …") and any other token by its type.
  const typeOf = (detail: string): string => {
    const token = detail.split(',')[0] ?? '';
    return token.includes('*') ? 'eMAID' : token;
  };
  return events.flatMap((e) => (e.party === 'csms' && e.kind === 'message' && e.message === 'AuthorizeRequest' ? [typeOf(e.detail ?? '')] : []));
}

export const mspAsked = (events: readonly TimedEvent[]): number => events.filter((e) => e.party === 'msp' && e.kind === 'message' && e.message === 'OCPI authorize').length;

/** Waits for the CSMS to report this session's CDR delivered to the MSP; "CDR at MSP" or what happened instead. */
export async function cdrDelivered(system: LoopbackSystem, from: number, timeoutMs = 10_000): Promise<string> {
  const e = await system
    .waitFor((x) => x.party === 'csms' && ((x.kind === 'verdict' && x.verdict === 'CDR sent') || (x.kind === 'error' && x.error === 'CDR delivery failed')), { from, timeoutMs, what: 'the CDR delivered' })
    .catch(() => undefined);
  if (!e) return 'no CDR';
  return e.kind === 'verdict' ? 'CDR at MSP' : 'CDR delivery failed';
}

/** Ledger transactions the session left: "1 transaction (eMAID)" etc. */
export function transactionSummary(txs: readonly LedgerTransaction[]): string {
  if (txs.length === 0) return 'no transaction';
  const kinds = txs.map((t) => `${t.tokenType ?? '?'}${t.startedOffline ? ', offline' : ''}`);
  return `${txs.length} transaction${txs.length > 1 ? 's' : ''} (${kinds.join('; ')})`;
}

/** A fresh eMAID with a valid check digit for `provider` (a contract no party has seen yet, also in a kept PKI). */
export function freshEmaid(provider = 'PNC'): string {
  const instance = `DE${provider}D${randomInt(100_000_000).toString().padStart(8, '0')}`;
  return `${instance}${computeCheckDigit(instance)}`;
}
