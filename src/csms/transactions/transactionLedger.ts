// The CSMS's record of transactions: every TransactionEvent applied exactly once per (station, transaction, seqNo),
// whichever CSMS node receives it. Stations deliver at least once (an event whose answer was lost comes again,
// byte-identical, possibly to another node after a reconnect), so the database decides: the unique constraint on the
// event row admits one copy, and every later copy is answered with the response stored for the first — with no
// second side effect.
//
// An event whose answer needs an outside call (the idToken's authorization) is applied in two steps: the event row is
// inserted as a claim (response still empty), the answer is decided outside any database transaction, then one
// transaction stores the answer — conditionally, only while our claim holds — and merges the event into its
// transaction. A copy arriving meanwhile waits for the stored answer; a claim whose node died expires and is taken
// over. The transaction row is read with SELECT … FOR UPDATE (PostgreSQL) or under SQLite's write lock, so concurrent
// events of one transaction on two nodes merge one after the other. When the transaction ends, its CDR becomes
// pending in the same database transaction.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { TransactionEventRequest, TransactionEventResponse } from '../../ocpp/generated/ocpp201.js';
import type { StoreDatabase } from '../../store/index.js';
import { transactionEventFacts, type TransactionEventFacts } from './transactionEventFacts.js';
import { TransactionLedgerError } from './transactionLedgerError.js';
import { mergeTransactionEvent, type MergeResult, type TokenDecision } from './transactionMerge.js';
import { migrateTransactionStore } from './transactionMigrations.js';
import { columnsOfSnapshot, ledgerTransactionOfRow, snapshotOfRow, type LedgerTransaction } from './transactionRows.js';
import type { CdrState, TransactionEventRow, TransactionTables } from './transactionTables.js';
import { writeTransaction } from './writeTransaction.js';

export type { LedgerTransaction } from './transactionRows.js';

/** The answer to an event and what it decided about the event's idToken. */
export interface EventDecision {
  readonly response: TransactionEventResponse;
  /** For an event with an idToken: the status answered and the OCPI authorization reference linked to it. */
  readonly token?: TokenDecision;
}

export type AppliedEvent =
  | {
      readonly kind: 'applied';
      readonly response: TransactionEventResponse;
      readonly transaction: LedgerTransaction;
      readonly cdrDue: boolean;
      readonly lateAfterCdr: boolean;
      readonly anomalies: readonly string[];
    }
  | {
      readonly kind: 'duplicate';
      /** The response stored for the first copy. */
      readonly response: TransactionEventResponse;
      /** False when the station re-used the seqNo for a different request (reported, still not applied). */
      readonly sameContent: boolean;
    };

export interface LedgerEvent {
  readonly seqNo: number;
  readonly eventType: string;
  readonly triggerReason: string;
  readonly timestamp: string;
  readonly offline: boolean;
  readonly receivedAt: string;
  readonly request: TransactionEventRequest;
  /** Absent while a node is still deciding it. */
  readonly response?: TransactionEventResponse;
}

export interface TransactionLedger {
  /**
   * Applies one event. `decide` is the answer, or a function computing it (called only by the call that owns the
   * event: never for a duplicate). Throws TransactionLedgerError ('bad-event', 'in-progress'); errors of `decide`
   * propagate after the claim was released, so the station's retry starts afresh.
   */
  apply(stationId: string, request: TransactionEventRequest, decide: EventDecision | (() => Promise<EventDecision>)): Promise<AppliedEvent>;
  transaction(stationId: string, transactionId: string): Promise<LedgerTransaction | undefined>;
  events(stationId: string, transactionId: string): Promise<LedgerEvent[]>;
  list(filter?: { readonly cdrState?: CdrState; readonly state?: 'open' | 'ended'; readonly limit?: number }): Promise<LedgerTransaction[]>;
}

export interface TransactionLedgerOptions {
  readonly clock?: () => Date;
  /** How long a node may take to decide an event's answer before another node may take it over (default 30 s). */
  readonly eventClaimTtlMs?: number;
  /** How long a copy waits for the answer another call is deciding before a CALLERROR (default 5 s). */
  readonly inProgressWaitMs?: number;
  readonly inProgressPollMs?: number;
  /** How long an ended transaction with missing seqNos waits for them before its CDR goes anyway (default 60 s). */
  readonly gapGraceMs?: number;
}

const MAX_STATION_ID_LENGTH = 255;
/** Claim, lose it, wait, take over… at most this often per call before giving up with 'in-progress'. */
const MAX_CLAIM_ROUNDS = 4;

type Db = Kysely<TransactionTables>;
type Claim = { readonly id: number; readonly token: string };
type Existing = { readonly kind: 'duplicate'; readonly event: AppliedEvent } | { readonly kind: 'claim'; readonly claim: Claim } | { readonly kind: 'vanished' };

/** Opens the ledger on a store (migrating the csms-transactions scope). */
export async function createTransactionLedger(store: StoreDatabase<unknown>, options: TransactionLedgerOptions = {}): Promise<TransactionLedger> {
  await migrateTransactionStore(store, options.clock);
  const typed = store as StoreDatabase<TransactionTables>;
  const db: Db = typed.db;
  const clock = options.clock ?? (() => new Date());
  const claimTtlMs = options.eventClaimTtlMs ?? 30_000;
  const waitMs = options.inProgressWaitMs ?? 5_000;
  const pollMs = options.inProgressPollMs ?? 25;
  const gapGraceMs = options.gapGraceMs ?? 60_000;

  function eventKey(trx: Db, stationId: string, f: TransactionEventFacts) {
    return trx
      .selectFrom('csms_transaction_events')
      .where('station_id', '=', stationId)
      .where('transaction_id', '=', f.transactionId)
      .where('seq_no', '=', f.seqNo);
  }

  function duplicateOf(row: Pick<TransactionEventRow, 'response' | 'request_sha256'>, sha: string): AppliedEvent {
    return { kind: 'duplicate', response: JSON.parse(row.response ?? '{}') as TransactionEventResponse, sameContent: row.request_sha256 === sha };
  }

  /** Merges the event into its transaction (creating it on the first event of any type); inside a write transaction. */
  async function merge(trx: Db, stationId: string, f: TransactionEventFacts, decision: EventDecision): Promise<AppliedEvent> {
    const now = clock();
    const at = now.toISOString();
    const ctx = { now, gapGraceMs };
    const fresh = mergeTransactionEvent(undefined, f, decision.token, ctx);
    const created = await trx
      .insertInto('csms_transactions')
      .values({ station_id: stationId, transaction_id: f.transactionId, ...columnsOfSnapshot(fresh.next), cdr_attempts: 0, created_at: at, updated_at: at })
      .onConflict((oc) => oc.columns(['station_id', 'transaction_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    let result: MergeResult = fresh;
    let row = created;
    if (row === undefined) {
      const current = await trx
        .selectFrom('csms_transactions')
        .selectAll()
        .where('station_id', '=', stationId)
        .where('transaction_id', '=', f.transactionId)
        .$if(typed.dialect === 'postgres', (q) => q.forUpdate())
        .executeTakeFirstOrThrow();
      result = mergeTransactionEvent(snapshotOfRow(current), f, decision.token, ctx);
      row = await trx
        .updateTable('csms_transactions')
        .set({ ...columnsOfSnapshot(result.next), updated_at: at })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    return { kind: 'applied', response: decision.response, transaction: ledgerTransactionOfRow(row), cdrDue: result.cdrDue, lateAfterCdr: result.lateAfterCdr, anomalies: result.anomalies };
  }

  /** Inserts the event row as our claim; undefined when a copy is already there. */
  async function claimNew(values: NewEvent): Promise<Claim | undefined> {
    const token = randomUUID();
    const inserted = await db
      .insertInto('csms_transaction_events')
      .values({ ...values, response: null, claim_token: token, claimed_until: new Date(clock().getTime() + claimTtlMs).toISOString(), applied_at: null })
      .onConflict((oc) => oc.columns(['station_id', 'transaction_id', 'seq_no']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted && { id: inserted.id, token };
  }

  /** A copy is there: its stored answer, or (its claim expired) the claim for us, or it vanished (released). */
  async function awaitExisting(stationId: string, f: TransactionEventFacts, sha: string): Promise<Existing> {
    const deadline = performance.now() + waitMs;
    for (;;) {
      const row = await eventKey(db, stationId, f).select(['id', 'response', 'request_sha256', 'claimed_until']).executeTakeFirst();
      if (row === undefined) return { kind: 'vanished' };
      if (row.response !== null) return { kind: 'duplicate', event: duplicateOf(row, sha) };
      const now = clock();
      if (row.claimed_until === null || row.claimed_until < now.toISOString()) {
        const token = randomUUID();
        const taken = await db
          .updateTable('csms_transaction_events')
          .set({ claim_token: token, claimed_until: new Date(now.getTime() + claimTtlMs).toISOString() })
          .where('id', '=', row.id)
          .where('response', 'is', null)
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now.toISOString())]))
          .returning('id')
          .executeTakeFirst();
        if (taken) return { kind: 'claim', claim: { id: taken.id, token } };
        continue;
      }
      if (performance.now() >= deadline) {
        throw new TransactionLedgerError('in-progress', `TransactionEvent ${f.transactionId} seqNo ${f.seqNo} of ${stationId} is still being decided elsewhere; retry later`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async function release(claim: Claim): Promise<void> {
    await db.deleteFrom('csms_transaction_events').where('id', '=', claim.id).where('claim_token', '=', claim.token).where('response', 'is', null).execute();
  }

  async function applyDecided(stationId: string, f: TransactionEventFacts, values: NewEvent, decide: () => Promise<EventDecision>): Promise<AppliedEvent> {
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      let claim = await claimNew(values);
      if (claim === undefined) {
        const existing = await awaitExisting(stationId, f, values.request_sha256);
        if (existing.kind === 'duplicate') return existing.event;
        if (existing.kind === 'vanished') continue;
        claim = existing.claim;
      }
      let decision: EventDecision;
      try {
        decision = await decide();
      } catch (e) {
        await release(claim);
        throw e;
      }
      const owned = claim;
      const applied = await writeTransaction(typed, async (trx) => {
        // The gate: our claim still holds and nobody stored an answer. Only then do the side effects happen.
        const gate = await trx
          .updateTable('csms_transaction_events')
          .set({ response: JSON.stringify(decision.response), applied_at: clock().toISOString(), claim_token: null, claimed_until: null })
          .where('id', '=', owned.id)
          .where('claim_token', '=', owned.token)
          .where('response', 'is', null)
          .returning('id')
          .executeTakeFirst();
        return gate ? merge(trx, stationId, f, decision) : undefined;
      });
      if (applied) return applied;
      // Our claim expired and another call took it over: answer what it decides.
    }
    throw new TransactionLedgerError('in-progress', `TransactionEvent ${f.transactionId} seqNo ${f.seqNo} of ${stationId}: claim kept changing hands; retry later`);
  }

  return {
    async apply(stationId, request, decide) {
      if (stationId.length === 0 || stationId.length > MAX_STATION_ID_LENGTH) throw new TransactionLedgerError('bad-event', `station id must have 1–${MAX_STATION_ID_LENGTH} characters`);
      const f = transactionEventFacts(request);
      const json = JSON.stringify(request);
      const values: NewEvent = {
        station_id: stationId,
        transaction_id: f.transactionId,
        seq_no: f.seqNo,
        event_type: f.eventType,
        trigger_reason: f.triggerReason,
        timestamp: request.timestamp,
        offline: f.offline ? 1 : 0,
        received_at: clock().toISOString(),
        request: json,
        request_sha256: createHash('sha256').update(json).digest('hex'),
      };
      if (typeof decide === 'function') return applyDecided(stationId, f, values, decide);
      const applied = await writeTransaction(typed, async (trx) => {
        const inserted = await trx
          .insertInto('csms_transaction_events')
          .values({ ...values, response: JSON.stringify(decide.response), claim_token: null, claimed_until: null, applied_at: values.received_at })
          .onConflict((oc) => oc.columns(['station_id', 'transaction_id', 'seq_no']).doNothing())
          .returning('id')
          .executeTakeFirst();
        return inserted ? merge(trx, stationId, f, decide) : undefined;
      });
      if (applied) return applied;
      // A copy is there: answered (a duplicate), or still being decided by another call — wait for it like any copy.
      return applyDecided(stationId, f, values, () => Promise.resolve(decide));
    },

    async transaction(stationId, transactionId) {
      const row = await db.selectFrom('csms_transactions').selectAll().where('station_id', '=', stationId).where('transaction_id', '=', transactionId).executeTakeFirst();
      return row && ledgerTransactionOfRow(row);
    },

    async events(stationId, transactionId) {
      const rows = await db.selectFrom('csms_transaction_events').selectAll().where('station_id', '=', stationId).where('transaction_id', '=', transactionId).orderBy('seq_no').execute();
      return rows.map((r) => ({
        seqNo: r.seq_no,
        eventType: r.event_type,
        triggerReason: r.trigger_reason,
        timestamp: r.timestamp,
        offline: r.offline === 1,
        receivedAt: r.received_at,
        request: JSON.parse(r.request) as TransactionEventRequest,
        ...(r.response !== null ? { response: JSON.parse(r.response) as TransactionEventResponse } : {}),
      }));
    },

    async list(filter = {}) {
      const { cdrState, state } = filter;
      let query = db.selectFrom('csms_transactions').selectAll();
      if (cdrState !== undefined) query = query.where('cdr_state', '=', cdrState);
      if (state !== undefined) query = query.where('state', '=', state);
      const rows = await query
        .orderBy('id')
        .limit(Math.min(Math.max(filter.limit ?? 1000, 1), 10_000))
        .execute();
      return rows.map(ledgerTransactionOfRow);
    },
  };
}

type NewEvent = Pick<
  TransactionEventRow,
  'station_id' | 'transaction_id' | 'seq_no' | 'event_type' | 'trigger_reason' | 'timestamp' | 'offline' | 'received_at' | 'request' | 'request_sha256'
>;
