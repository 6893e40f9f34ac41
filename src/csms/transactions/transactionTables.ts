// Row shapes of the CSMS's transaction tables (scope "csms-transactions"), as Kysely sees them on both dialects:
// text, integer (booleans as 0/1), double precision for energy; times are ISO 8601 strings written by toISOString(),
// so comparing them as text orders them in time.
import type { Generated } from 'kysely';

export type TransactionRowState = 'open' | 'ended';

/** pending: due at cdr_next_attempt_at; sending: claimed by a node until cdr_claimed_until; the rest are final. */
export type CdrState = 'pending' | 'sending' | 'sent' | 'not-roaming' | 'failed';

export interface TransactionRow {
  id: Generated<number>;
  station_id: string;
  transaction_id: string;
  evse_id: number | null;
  connector_id: number | null;
  id_token: string | null;
  token_type: string | null;
  /** seqNo of the event the idToken came from: the lowest wins (out-of-order arrival). */
  id_token_seq_no: number | null;
  /** What the CSMS answered for that idToken. */
  id_token_status: string | null;
  authorization_reference: string | null;
  /** The Started event's timestamp; until it arrives, the timestamp of the lowest seqNo seen. */
  started_at: string;
  /** 1 once the Started event was received. */
  has_started: number;
  started_offline: number;
  first_seq_no: number;
  last_seq_no: number;
  /** Distinct seqNos applied: with first/last it tells whether events are missing. */
  events_count: number;
  last_event_at: string;
  ended_at: string | null;
  ended_seq_no: number | null;
  stopped_reason: string | null;
  meter_start_wh: number | null;
  /** Which reading is the start: Transaction.Begin context first, then the lowest seqNo (see meterReadings.ts). */
  meter_start_rank: number | null;
  meter_end_wh: number | null;
  meter_end_rank: number | null;
  state: TransactionRowState;
  /** null while the transaction is open. */
  cdr_state: CdrState | null;
  cdr_claimed_by: string | null;
  /** Identifies one claim, so a node whose claim expired cannot record a failure over the next node's claim. */
  cdr_claim_token: string | null;
  cdr_claimed_until: string | null;
  cdr_attempts: number;
  cdr_next_attempt_at: string | null;
  cdr_last_error: string | null;
  cdr_emsp: string | null;
  cdr_sent_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface TransactionEventRow {
  id: Generated<number>;
  station_id: string;
  transaction_id: string;
  seq_no: number;
  event_type: string;
  trigger_reason: string;
  /** As the station sent it. */
  timestamp: string;
  offline: number;
  received_at: string;
  /** The request JSON, kept for audit. */
  request: string;
  /** SHA-256 (hex) of the request JSON: a re-send with other content under the same seqNo is reported. */
  request_sha256: string;
  /** The TransactionEventResponse JSON we gave; null while a node is still deciding it (claimed). */
  response: string | null;
  claim_token: string | null;
  claimed_until: string | null;
  applied_at: string | null;
}

/** The AuthorizationLog: the newest Authorize answer per station and token (one row per pair, so it stays bounded). */
export interface AuthorizationRow {
  station_id: string;
  /** The idToken upper-cased, '-' removed. */
  token_key: string;
  id_token: string;
  token_type: string;
  status: string;
  authorization_reference: string | null;
  at: string;
}

export interface TransactionTables {
  csms_transactions: TransactionRow;
  csms_transaction_events: TransactionEventRow;
  csms_authorizations: AuthorizationRow;
}
