// TransactionEventRequest on the CSMS. Every event goes through the ledger (exactly once per station, transaction and
// seqNo, on any node). An event carrying an idToken is answered with idTokenInfo from the token authorizer: for an
// offline-started transaction this is the re-check after the fact (E04 / C07: a station with StopTxOnInvalidId stops
// on a non-Accepted answer). The transaction is linked to the OCPI authorization that allowed it — the authorizer's
// reference, else the one of the Authorize this station made for the token just before (the AuthorizationLog), so
// PnC Direct can capture by it from the CDR. A re-sent copy gets the stored answer, without asking anyone again.
import type { TransactionEventRequest, TransactionEventResponse } from '../../ocpp/generated/ocpp201.js';
import type { Tracer } from '../../trace/tracer.js';
import type { AuthorizationLog, TokenAuthorizer } from '../authorize/authorizeTypes.js';
import type { CsmsHandler } from '../csmsTypes.js';
import { maskEmaid } from '../../pki/emaid/maskEmaid.js';
import type { EventDecision, TransactionLedger } from './transactionLedger.js';

export interface TransactionEventHandlerDeps {
  readonly ledger: TransactionLedger;
  readonly authorizer: TokenAuthorizer;
  readonly authorizationLog: AuthorizationLog;
  readonly tracer: Tracer;
  readonly clock?: () => Date;
  /** A CDR became due (a transaction ended with all its events): kick the CDR dispatcher. */
  readonly onEnded?: () => void;
  /**
   * How long before the event an Authorize may lie to lend its authorization_reference (default 15 min). Older
   * entries belong to an earlier session of the same token at the same station.
   */
  readonly authorizationLinkWindowMs?: number;
}

/** An offline station's clock may run a little behind ours. */
const LINK_CLOCK_SKEW_MS = 60_000;

function describeToken(request: TransactionEventRequest): string {
  if (!request.idToken) return '';
  return `, idToken ${request.idToken.type === 'eMAID' ? maskEmaid(request.idToken.idToken) : request.idToken.type}`;
}

export function transactionEventHandler(deps: TransactionEventHandlerDeps): CsmsHandler<'TransactionEvent'> {
  const { ledger, authorizer, authorizationLog, tracer } = deps;
  const clock = deps.clock ?? (() => new Date());
  const linkWindowMs = deps.authorizationLinkWindowMs ?? 15 * 60_000;

  async function linkedReference(stationId: string, request: TransactionEventRequest, idToken: string): Promise<string | undefined> {
    const entry = await authorizationLog.latest(stationId, idToken);
    if (entry?.status !== 'Accepted' || entry.authorizationReference === undefined) return undefined;
    // An online event happens now (our clock; a station's clock may be off); an offline one when the station says.
    const eventMs = request.offline === true ? Date.parse(request.timestamp) : clock().getTime();
    const atMs = Date.parse(entry.at);
    return atMs >= eventMs - linkWindowMs && atMs <= eventMs + LINK_CLOCK_SKEW_MS ? entry.authorizationReference : undefined;
  }

  async function decide(request: TransactionEventRequest, stationId: string, session: string): Promise<EventDecision> {
    const idToken = request.idToken;
    if (!idToken) return { response: {} };
    const offline = request.offline === true;
    const result = await authorizer.authorizeToken(idToken, { stationId, ...(request.evse ? { evseId: request.evse.id } : {}) }, { session, stationId, offline });
    let reference = result.authorizationReference;
    if (reference === undefined && result.idTokenInfo.status === 'Accepted') reference = await linkedReference(stationId, request, idToken.idToken);
    return {
      response: { idTokenInfo: result.idTokenInfo },
      token: { status: result.idTokenInfo.status, ...(reference !== undefined ? { authorizationReference: reference } : {}) },
    };
  }

  return async (request, station) => {
    const started = performance.now();
    const { stationId } = station;
    const session = stationId;
    const label = `TransactionEvent ${request.eventType}`;
    const txDetail = `tx ${request.transactionInfo.transactionId} seqNo ${request.seqNo}${request.offline ? ' (offline)' : ''}`;
    tracer.emit({ kind: 'message', party: 'csms', session, from: 'charger', to: 'csms', message: label, detail: `${txDetail}${describeToken(request)}` });

    const decision: EventDecision | (() => Promise<EventDecision>) = request.idToken ? () => decide(request, stationId, session) : { response: {} };
    let outcome;
    try {
      outcome = await ledger.apply(stationId, request, decision);
    } catch (e) {
      // Answered with a CALLERROR by the server; the station keeps the event and sends it again.
      tracer.emit({ kind: 'error', party: 'csms', session, error: 'TransactionEvent not recorded', detail: `${txDetail}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` });
      throw e;
    }
    const response: TransactionEventResponse = outcome.response;
    const status = response.idTokenInfo ? `, idToken ${response.idTokenInfo.status}` : '';

    if (outcome.kind === 'duplicate') {
      tracer.emit({ kind: 'verdict', party: 'csms', session, verdict: 'duplicate: answered as before', detail: `${txDetail}${status}`, ms: performance.now() - started });
      if (!outcome.sameContent) {
        tracer.emit({ kind: 'error', party: 'csms', session, error: 'TransactionEvent seqNo reused', detail: `${txDetail}: a different request under a seqNo already recorded; not applied` });
      }
    } else {
      const tx = outcome.transaction;
      tracer.emit({
        kind: 'verdict',
        party: 'csms',
        session,
        verdict: `${request.eventType} recorded${status}`,
        detail: `${txDetail}: transaction ${tx.state}${tx.startedOffline ? ', started offline' : ''}${tx.authorizationReference ? ', authorization linked' : ''}${tx.cdrState ? `, CDR ${tx.cdrState}` : ''}`,
        ms: performance.now() - started,
      });
      for (const anomaly of outcome.anomalies) tracer.emit({ kind: 'error', party: 'csms', session, error: 'TransactionEvent anomaly', detail: `${txDetail}: ${anomaly}` });
      if (outcome.lateAfterCdr) {
        tracer.emit({ kind: 'error', party: 'csms', session, error: 'TransactionEvent after its CDR', detail: `${txDetail}: recorded, but the CDR was already ${String(tx.cdrState)}` });
      }
      if (outcome.cdrDue) deps.onEnded?.();
    }
    tracer.emit({ kind: 'message', party: 'csms', session, from: 'csms', to: 'charger', message: 'TransactionEventResponse', detail: `${txDetail}${status}`, ms: performance.now() - started });
    return response;
  };
}
