// Between the csms_transactions row and the pure TransactionSnapshot / the ledger's public view.
import type { TransactionSnapshot } from './transactionMerge.js';
import type { CdrState, TransactionRow } from './transactionTables.js';

type Row = Omit<TransactionRow, 'id'> & { id: number };

/** A transaction as the ledger reports it. */
export interface LedgerTransaction extends TransactionSnapshot {
  readonly stationId: string;
  readonly transactionId: string;
  readonly cdrAttempts: number;
  readonly cdrClaimedBy?: string;
  readonly cdrLastError?: string;
  readonly cdrEmsp?: string;
  readonly cdrSentAt?: string;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function snapshotOfRow(r: Row): TransactionSnapshot {
  return {
    evseId: opt(r.evse_id),
    connectorId: opt(r.connector_id),
    idToken: opt(r.id_token),
    tokenType: opt(r.token_type),
    idTokenSeqNo: opt(r.id_token_seq_no),
    idTokenStatus: opt(r.id_token_status),
    authorizationReference: opt(r.authorization_reference),
    startedAt: r.started_at,
    hasStarted: r.has_started === 1,
    startedOffline: r.started_offline === 1,
    firstSeqNo: r.first_seq_no,
    lastSeqNo: r.last_seq_no,
    eventsCount: r.events_count,
    lastEventAt: r.last_event_at,
    endedAt: opt(r.ended_at),
    endedSeqNo: opt(r.ended_seq_no),
    stoppedReason: opt(r.stopped_reason),
    meterStart: r.meter_start_wh !== null && r.meter_start_rank !== null ? { wh: r.meter_start_wh, rank: r.meter_start_rank } : undefined,
    meterEnd: r.meter_end_wh !== null && r.meter_end_rank !== null ? { wh: r.meter_end_wh, rank: r.meter_end_rank } : undefined,
    state: r.state,
    cdrState: opt(r.cdr_state),
    cdrNextAttemptAt: opt(r.cdr_next_attempt_at),
  };
}

/** The columns the ledger owns (the dispatcher owns the other cdr_* columns). */
export function columnsOfSnapshot(s: TransactionSnapshot) {
  return {
    evse_id: s.evseId ?? null,
    connector_id: s.connectorId ?? null,
    id_token: s.idToken ?? null,
    token_type: s.tokenType ?? null,
    id_token_seq_no: s.idTokenSeqNo ?? null,
    id_token_status: s.idTokenStatus ?? null,
    authorization_reference: s.authorizationReference ?? null,
    started_at: s.startedAt,
    has_started: s.hasStarted ? 1 : 0,
    started_offline: s.startedOffline ? 1 : 0,
    first_seq_no: s.firstSeqNo,
    last_seq_no: s.lastSeqNo,
    events_count: s.eventsCount,
    last_event_at: s.lastEventAt,
    ended_at: s.endedAt ?? null,
    ended_seq_no: s.endedSeqNo ?? null,
    stopped_reason: s.stoppedReason ?? null,
    meter_start_wh: s.meterStart?.wh ?? null,
    meter_start_rank: s.meterStart?.rank ?? null,
    meter_end_wh: s.meterEnd?.wh ?? null,
    meter_end_rank: s.meterEnd?.rank ?? null,
    state: s.state,
    cdr_state: (s.cdrState ?? null) satisfies CdrState | null,
    cdr_next_attempt_at: s.cdrNextAttemptAt ?? null,
  };
}

export function ledgerTransactionOfRow(r: Row): LedgerTransaction {
  return {
    ...snapshotOfRow(r),
    stationId: r.station_id,
    transactionId: r.transaction_id,
    cdrAttempts: r.cdr_attempts,
    cdrClaimedBy: opt(r.cdr_claimed_by),
    cdrLastError: opt(r.cdr_last_error),
    cdrEmsp: opt(r.cdr_emsp),
    cdrSentAt: opt(r.cdr_sent_at),
  };
}
