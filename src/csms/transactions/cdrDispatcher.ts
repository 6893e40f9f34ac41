// Hands ended transactions to the CDR sink (OCPI cdrs towards the eMSP), from any number of CSMS nodes sharing one
// database. A node claims due CDRs with one conditional UPDATE … WHERE <still due> … RETURNING: on PostgreSQL the
// candidate rows are picked FOR UPDATE SKIP LOCKED, and a claimer that still meets a row claimed meanwhile re-checks
// the WHERE against it and leaves it; on SQLite the write lock serialises the claims. Each CDR is therefore delivered
// once — as long as no node dies or hangs mid-delivery. If one does, its claim expires (claimTtlMs) and another node delivers again: delivery is
// at-least-once, and the eMSP de-duplicates by the CDR id, which is the same on every node and every retry. Claim
// times come from each node's clock: the TTL must be far above the clock skew between nodes.
//
// A failed delivery is recorded with its error and retried with capped exponential back-off; after the last attempt
// the CDR is marked failed and traced as an error — kept, never dropped (requeueFailed() puts it back).
import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { StoreDatabase } from '../../store/index.js';
import type { Tracer } from '../../trace/tracer.js';
import { maskEmaid } from '../../pki/emaid/maskEmaid.js';
import { checkCdrRetryPolicy, cdrRetryDecision, DEFAULT_CDR_RETRY_POLICY, type CdrRetryPolicy } from './cdrRetryPolicy.js';
import { CdrDeliveryError, type CdrDeliveryResult, type CdrSink, type CompletedTransaction } from './completedTransaction.js';
import { completedTransactionOf } from './completedTransactionOf.js';
import { migrateTransactionStore } from './transactionMigrations.js';
import type { TransactionRow, TransactionTables } from './transactionTables.js';

export interface CdrDispatcherOptions {
  readonly store: StoreDatabase<unknown>;
  readonly sink: CdrSink;
  /** This CSMS node, recorded with its claims (for operators). */
  readonly nodeId: string;
  readonly tracer: Tracer;
  readonly clock?: () => Date;
  /** How long a claimed CDR belongs to this node before another may deliver it (default 120 s). */
  readonly claimTtlMs?: number;
  /** How long one delivery may take before it counts as failed; below claimTtlMs (default: claimTtlMs / 2). */
  readonly deliveryTimeoutMs?: number;
  readonly retry?: Partial<CdrRetryPolicy>;
  /**
   * Deliveries in flight at once, and CDRs claimed per statement (default 4). Every claimed CDR is handed to the sink
   * at once, so none waits in this node while its claim runs out.
   */
  readonly concurrency?: number;
}

export interface CdrRoundResult {
  readonly claimed: number;
  readonly sent: number;
  readonly notRoaming: number;
  readonly retrying: number;
  readonly failed: number;
}

export interface CdrDispatcher {
  /** Something may be due (a transaction ended): deliver now. Rounds do not overlap; errors are traced. */
  kick(): void;
  /** One round: claims and delivers everything due now. Rejects on a database error. */
  runOnce(): Promise<CdrRoundResult>;
  /** Also look every intervalMs (retries that came due, CDRs whose gap grace ran out, claims of dead nodes). */
  start(intervalMs: number): void;
  /** Stops the timer, abandons deliveries in flight (their claims are released for the next attempt) and waits. */
  stop(): Promise<void>;
  /** Resolves when the current kicked round has ended. */
  settled(): Promise<void>;
  /** Puts CDRs marked failed back to pending with fresh attempts; returns how many. */
  requeueFailed(): Promise<number>;
}

export class CdrDispatcherError extends Error {
  override readonly name = 'CdrDispatcherError';
}

class DispatcherStoppedError extends Error {
  override readonly name = 'DispatcherStoppedError';
}

type Db = Kysely<TransactionTables>;
type Row = Omit<TransactionRow, 'id'> & { id: number };
type Counts = { claimed: number; sent: number; notRoaming: number; retrying: number; failed: number };

const MAX_ERROR_LENGTH = 1000;
/** A round stops after this many full claims even if more are due (the next kick or tick continues). */
const MAX_BATCHES_PER_ROUND = 50;

function due(eb: ExpressionBuilder<TransactionTables, 'csms_transactions'>, nowIso: string) {
  return eb.or([
    eb.and([eb('cdr_state', '=', 'pending'), eb('cdr_next_attempt_at', '<=', nowIso)]),
    // Claimed by a node that did not finish in time (died, hung, partitioned).
    eb.and([eb('cdr_state', '=', 'sending'), eb('cdr_claimed_until', '<', nowIso)]),
  ]);
}

function tokenLabel(tx: CompletedTransaction): string {
  return tx.idToken.type === 'eMAID' ? maskEmaid(tx.idToken.idToken) : tx.idToken.type;
}

export async function createCdrDispatcher(options: CdrDispatcherOptions): Promise<CdrDispatcher> {
  const { sink, nodeId, tracer } = options;
  if (nodeId.length === 0 || nodeId.length > 100) throw new CdrDispatcherError('nodeId must have 1–100 characters');
  const claimTtlMs = options.claimTtlMs ?? 120_000;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? Math.floor(claimTtlMs / 2);
  const concurrency = options.concurrency ?? 4;
  if (!(deliveryTimeoutMs > 0) || !(claimTtlMs > deliveryTimeoutMs)) throw new CdrDispatcherError('need 0 < deliveryTimeoutMs < claimTtlMs');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new CdrDispatcherError('concurrency must be an integer ≥ 1');
  const policy = checkCdrRetryPolicy({ ...DEFAULT_CDR_RETRY_POLICY, ...options.retry });
  const clock = options.clock ?? (() => new Date());
  await migrateTransactionStore(options.store, clock);
  const db = options.store.db as Db;
  const dialect = options.store.dialect;

  let stopped = false;
  const stopping = new AbortController();
  let running: Promise<unknown> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function claim(): Promise<{ rows: Row[]; token: string }> {
    const now = clock();
    const nowIso = now.toISOString();
    const token = randomUUID();
    const rows = await db
      .updateTable('csms_transactions')
      .set((eb) => ({
        cdr_state: 'sending',
        cdr_claimed_by: nodeId,
        cdr_claim_token: token,
        cdr_claimed_until: new Date(now.getTime() + claimTtlMs).toISOString(),
        cdr_attempts: eb('cdr_attempts', '+', 1),
        updated_at: nowIso,
      }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('csms_transactions')
          .select('id')
          .where((inner) => due(inner, nowIso))
          .orderBy('cdr_next_attempt_at')
          .orderBy('id')
          .limit(concurrency)
          // PostgreSQL: rows another claimer (or a ledger merge) holds are skipped rather than waited for — no lock
          // queue between nodes, no deadlock between two multi-row claims.
          .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked()),
      )
      // Repeated on the row itself: a claimer that waited for another's claim re-checks it and finds it taken.
      .where((eb) => due(eb, nowIso))
      .returningAll()
      .execute();
    return { rows, token };
  }

  function deliverWithin(tx: CompletedTransaction): Promise<CdrDeliveryResult> {
    return new Promise((resolve, reject) => {
      const signal = stopping.signal;
      const onAbort = () => {
        cleanup();
        reject(new DispatcherStoppedError('dispatcher stopped'));
      };
      const t = setTimeout(() => {
        cleanup();
        // A late answer is ignored: the retry sends the CDR again and the eMSP de-duplicates it by id.
        reject(new CdrDeliveryError(`no answer from the CDR sink within ${deliveryTimeoutMs} ms`));
      }, deliveryTimeoutMs);
      function cleanup(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', onAbort);
      }
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      sink.deliver(tx).then(
        (r) => {
          cleanup();
          resolve(r);
        },
        (e: unknown) => {
          cleanup();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  /** Records a final outcome. A successful delivery counts whoever holds the claim: the eMSP has the CDR. */
  async function markFinal(row: Row, state: 'sent' | 'not-roaming', emsp: string | null, detail: string | null): Promise<boolean> {
    const at = clock().toISOString();
    const updated = await db
      .updateTable('csms_transactions')
      .set({
        cdr_state: state,
        cdr_emsp: emsp,
        cdr_sent_at: at,
        cdr_last_error: detail,
        cdr_claimed_by: null,
        cdr_claim_token: null,
        cdr_claimed_until: null,
        cdr_next_attempt_at: null,
        updated_at: at,
      })
      .where('id', '=', row.id)
      .where('cdr_state', 'in', ['pending', 'sending', 'failed'])
      .returning('id')
      .executeTakeFirst();
    return updated !== undefined;
  }

  /** Records a failed attempt, only while the claim is still ours (else the next claimer owns the CDR). */
  async function markFailed(row: Row, token: string, error: Error, counts: Counts): Promise<void> {
    const now = clock();
    const decision = cdrRetryDecision(row.cdr_attempts, policy);
    const message = `${error.name}: ${error.message}`.slice(0, MAX_ERROR_LENGTH);
    const next = decision.kind === 'retry' ? new Date(now.getTime() + decision.delayMs).toISOString() : null;
    const updated = await db
      .updateTable('csms_transactions')
      .set({
        cdr_state: decision.kind === 'retry' ? 'pending' : 'failed',
        cdr_next_attempt_at: next,
        cdr_last_error: message,
        cdr_claimed_by: null,
        cdr_claim_token: null,
        cdr_claimed_until: null,
        updated_at: now.toISOString(),
      })
      .where('id', '=', row.id)
      .where('cdr_claim_token', '=', token)
      .where('cdr_state', '=', 'sending')
      .returning('id')
      .executeTakeFirst();
    const session = row.station_id;
    const what = `CDR of tx ${row.transaction_id}`;
    if (!updated) {
      tracer.emit({ kind: 'error', party: 'csms', session, error: 'CDR claim lost', detail: `${what}: attempt ${row.cdr_attempts} failed after the claim expired; another node owns it now (${message})` });
      return;
    }
    if (decision.kind === 'retry') {
      counts.retrying++;
      tracer.emit({ kind: 'error', party: 'csms', session, error: 'CDR delivery failed', detail: `${what}: attempt ${row.cdr_attempts} of ${policy.maxAttempts}, next at ${next}: ${message}` });
    } else {
      counts.failed++;
      tracer.emit({
        kind: 'error',
        party: 'csms',
        session,
        error: 'CDR given up',
        detail: `${what}: ${row.cdr_attempts} attempts failed, kept as failed for an operator (requeue to retry): ${message}`,
      });
    }
  }

  async function releaseClaim(row: Row, token: string): Promise<void> {
    await db
      .updateTable('csms_transactions')
      .set({ cdr_state: 'pending', cdr_next_attempt_at: clock().toISOString(), cdr_claimed_by: null, cdr_claim_token: null, cdr_claimed_until: null })
      .where('id', '=', row.id)
      .where('cdr_claim_token', '=', token)
      .where('cdr_state', '=', 'sending')
      .execute();
  }

  async function deliverOne(row: Row, token: string, counts: Counts): Promise<void> {
    const session = row.station_id;
    const tx = completedTransactionOf(row);
    if (tx === undefined) {
      const why = row.token_type === 'NoAuthorization' ? 'free charging (NoAuthorization)' : 'the transaction carried no idToken';
      if (await markFinal(row, 'not-roaming', null, why)) counts.notRoaming++;
      tracer.emit({ kind: 'verdict', party: 'csms', session, verdict: 'no CDR: not roaming', detail: `tx ${row.transaction_id}: ${why}` });
      return;
    }
    tracer.emit({
      kind: 'message',
      party: 'csms',
      session,
      from: 'csms',
      to: 'msp',
      message: 'CDR',
      detail: `${tx.cdrId} tx ${tx.transactionId}: ${tx.energyWh} Wh, ${tokenLabel(tx)}${tx.startedOffline ? ', started offline' : ''}, attempt ${row.cdr_attempts}`,
    });
    const started = performance.now();
    let result: CdrDeliveryResult;
    try {
      result = await deliverWithin(tx);
    } catch (e) {
      if (e instanceof DispatcherStoppedError) return releaseClaim(row, token);
      // CdrDeliveryError is the sink's "not now"; anything else is a fault in the sink — also retried, traced by name.
      return markFailed(row, token, e instanceof Error ? e : new Error(String(e)), counts);
    }
    const ms = performance.now() - started;
    const recorded =
      result.kind === 'sent' ? await markFinal(row, 'sent', result.emsp, null) : await markFinal(row, 'not-roaming', null, result.detail.slice(0, MAX_ERROR_LENGTH));
    if (!recorded) {
      tracer.emit({ kind: 'check', party: 'csms', session, check: 'CDR delivered twice', ok: true, detail: `${tx.cdrId}: another node had recorded it already (the eMSP de-duplicates by CDR id)` });
      return;
    }
    if (result.kind === 'sent') {
      counts.sent++;
      tracer.emit({ kind: 'verdict', party: 'csms', session, verdict: 'CDR sent', detail: `${tx.cdrId} to ${result.emsp}`, ms });
    } else {
      counts.notRoaming++;
      tracer.emit({ kind: 'verdict', party: 'csms', session, verdict: 'no CDR: not roaming', detail: `${tx.cdrId}: ${result.detail}`, ms });
    }
  }

  async function runOnce(): Promise<CdrRoundResult> {
    const counts: Counts = { claimed: 0, sent: 0, notRoaming: 0, retrying: 0, failed: 0 };
    for (let batch = 0; batch < MAX_BATCHES_PER_ROUND && !stopped; batch++) {
      const { rows, token } = await claim();
      counts.claimed += rows.length;
      await Promise.all(rows.map((row) => deliverOne(row, token, counts)));
      if (rows.length < concurrency) break;
    }
    return counts;
  }

  const dispatcher: CdrDispatcher = {
    kick() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = runOnce()
        .catch((e: unknown) => {
          tracer.emit({ kind: 'error', party: 'csms', error: 'CDR dispatch round failed', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
        })
        .finally(() => {
          running = undefined;
          if (again && !stopped) {
            again = false;
            dispatcher.kick();
          }
        });
    },
    runOnce,
    start(intervalMs) {
      if (!(intervalMs > 0)) throw new CdrDispatcherError('intervalMs must be > 0');
      if (stopped) throw new CdrDispatcherError('dispatcher was stopped');
      clearInterval(timer);
      timer = setInterval(() => dispatcher.kick(), intervalMs);
      timer.unref();
      dispatcher.kick();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      stopping.abort();
      await dispatcher.settled();
    },
    async settled() {
      while (running) await running;
    },
    async requeueFailed() {
      const at = clock().toISOString();
      const rows = await db
        .updateTable('csms_transactions')
        .set({ cdr_state: 'pending', cdr_attempts: 0, cdr_next_attempt_at: at, updated_at: at })
        .where('cdr_state', '=', 'failed')
        .returning('id')
        .execute();
      return rows.length;
    },
  };
  return dispatcher;
}
