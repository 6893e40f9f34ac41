// How one TransactionEvent changes what the CSMS knows about its transaction. Pure, so the event sequences (normal,
// out of order, offline burst, PowerLoss) are table-tested without a database. Events may arrive in any order after
// an offline period or a reconnect to another node: the first event of any type creates the transaction; each field
// has a rule that gives the same result whatever the order (lowest seqNo for the idToken, the Started event for the
// start, ranks for the meter readings). The CDR becomes due when the transaction has ended and no seqNo is missing —
// or, if one stays missing, after a grace period (the station may have given it up; the CDR is not held forever).
import type { RankedReading } from './meterReadings.js';
import { authorizationTokenKey } from './tokenKey.js';
import type { TransactionEventFacts } from './transactionEventFacts.js';
import type { CdrState, TransactionRowState } from './transactionTables.js';

export interface TransactionSnapshot {
  readonly evseId?: number;
  readonly connectorId?: number;
  readonly idToken?: string;
  readonly tokenType?: string;
  readonly idTokenSeqNo?: number;
  readonly idTokenStatus?: string;
  readonly authorizationReference?: string;
  readonly startedAt: string;
  readonly hasStarted: boolean;
  readonly startedOffline: boolean;
  readonly firstSeqNo: number;
  readonly lastSeqNo: number;
  readonly eventsCount: number;
  readonly lastEventAt: string;
  readonly endedAt?: string;
  readonly endedSeqNo?: number;
  readonly stoppedReason?: string;
  readonly meterStart?: RankedReading;
  readonly meterEnd?: RankedReading;
  readonly state: TransactionRowState;
  readonly cdrState?: CdrState;
  readonly cdrNextAttemptAt?: string;
}

/** What the CSMS answered for the event's idToken, and the OCPI authorization it links. */
export interface TokenDecision {
  readonly status: string;
  readonly authorizationReference?: string;
}

export interface MergeContext {
  readonly now: Date;
  /** How long an ended transaction with missing seqNos waits for them before its CDR is sent anyway. */
  readonly gapGraceMs: number;
}

export interface MergeResult {
  readonly next: TransactionSnapshot;
  /** The CDR became due with this event: kick the dispatcher. */
  readonly cdrDue: boolean;
  /** The event arrived after the CDR had been claimed or sent: it is recorded but no longer in the CDR. */
  readonly lateAfterCdr: boolean;
  /** Oddities worth a trace (a second Ended, …). */
  readonly anomalies: readonly string[];
}

const CDR_UNDERWAY: ReadonlySet<CdrState> = new Set(['sending', 'sent', 'not-roaming', 'failed']);

/** No seqNo between the first and the last is missing, and the Started event is among them. */
export function eventsComplete(s: Pick<TransactionSnapshot, 'hasStarted' | 'firstSeqNo' | 'lastSeqNo' | 'eventsCount'>): boolean {
  return s.hasStarted && s.eventsCount === s.lastSeqNo - s.firstSeqNo + 1;
}

export function mergeTransactionEvent(prev: TransactionSnapshot | undefined, e: TransactionEventFacts, token: TokenDecision | undefined, ctx: MergeContext): MergeResult {
  const anomalies: string[] = [];
  const isStarted = e.eventType === 'Started';

  // Where and when it started: the Started event decides; before it arrives, the lowest seqNo seen stands in.
  const takesStart = prev === undefined || isStarted || (!prev.hasStarted && e.seqNo < prev.firstSeqNo);
  const startedAt = takesStart ? e.timestamp : prev.startedAt;
  const startedOffline = takesStart ? e.offline : prev.startedOffline;
  if (isStarted && prev?.hasStarted) anomalies.push(`a second Started event (seqNo ${e.seqNo})`);

  const takesEvse = e.evseId !== undefined && (prev?.evseId === undefined || isStarted);
  const evseId = takesEvse ? e.evseId : prev?.evseId;
  const connectorId = takesEvse && e.connectorId !== undefined ? e.connectorId : (prev?.connectorId ?? e.connectorId);

  // The transaction's idToken is the one of its lowest seqNo (the event where it became authorised); a different
  // token later (StopAuthorized) is answered but does not replace it.
  let { idToken, tokenType, idTokenSeqNo, idTokenStatus, authorizationReference } = prev ?? {};
  if (e.idToken) {
    const same = idToken !== undefined && authorizationTokenKey(idToken) === authorizationTokenKey(e.idToken.idToken) && tokenType === e.idToken.type;
    if (idTokenSeqNo === undefined || e.seqNo < idTokenSeqNo) {
      idToken = e.idToken.idToken;
      tokenType = e.idToken.type;
      idTokenSeqNo = e.seqNo;
      idTokenStatus = token?.status;
      authorizationReference = token?.authorizationReference ?? (same ? authorizationReference : undefined);
    } else if (same && authorizationReference === undefined && token?.authorizationReference !== undefined) {
      authorizationReference = token.authorizationReference;
    }
  }

  const meterStart = e.meterStart && (prev?.meterStart === undefined || e.meterStart.rank < prev.meterStart.rank) ? e.meterStart : prev?.meterStart;
  const meterEnd = e.meterEnd && (prev?.meterEnd === undefined || e.meterEnd.rank > prev.meterEnd.rank) ? e.meterEnd : prev?.meterEnd;

  let state = prev?.state ?? 'open';
  let { endedAt, endedSeqNo, stoppedReason } = prev ?? {};
  if (e.eventType === 'Ended') {
    if (state === 'ended') {
      anomalies.push(`a second Ended event (seqNo ${e.seqNo}; the transaction ended with seqNo ${String(endedSeqNo)})`);
    } else {
      state = 'ended';
      endedAt = e.timestamp;
      endedSeqNo = e.seqNo;
      stoppedReason = e.stoppedReason;
    }
  }

  const counts = {
    hasStarted: (prev?.hasStarted ?? false) || isStarted,
    firstSeqNo: Math.min(prev?.firstSeqNo ?? e.seqNo, e.seqNo),
    lastSeqNo: Math.max(prev?.lastSeqNo ?? e.seqNo, e.seqNo),
    eventsCount: (prev?.eventsCount ?? 0) + 1,
  };
  const lastEventAt = prev !== undefined && prev.lastEventAt > e.timestamp ? prev.lastEventAt : e.timestamp;

  // The CDR: pending from the moment the transaction ended; due now when no event is missing, else after the grace.
  let { cdrState, cdrNextAttemptAt } = prev ?? {};
  let cdrDue = false;
  const lateAfterCdr = cdrState !== undefined && CDR_UNDERWAY.has(cdrState);
  const now = ctx.now.toISOString();
  const complete = eventsComplete(counts);
  if (state === 'ended' && cdrState === undefined) {
    cdrState = 'pending';
    cdrNextAttemptAt = complete ? now : new Date(ctx.now.getTime() + ctx.gapGraceMs).toISOString();
    cdrDue = complete;
  } else if (cdrState === 'pending' && complete && prev !== undefined && !eventsComplete(prev)) {
    // The missing event arrived: no reason to wait out the grace period.
    if (cdrNextAttemptAt === undefined || cdrNextAttemptAt > now) cdrNextAttemptAt = now;
    cdrDue = true;
  }

  return {
    next: {
      evseId,
      connectorId,
      idToken,
      tokenType,
      idTokenSeqNo,
      idTokenStatus,
      authorizationReference,
      startedAt,
      startedOffline,
      ...counts,
      lastEventAt,
      endedAt,
      endedSeqNo,
      stoppedReason,
      meterStart,
      meterEnd,
      state,
      cdrState,
      cdrNextAttemptAt,
    },
    cdrDue,
    lateAfterCdr,
    anomalies,
  };
}
