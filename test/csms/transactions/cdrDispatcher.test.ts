// The CDR hand-off on both dialects: what the sink receives, two dispatchers racing (one delivery per CDR), a failing
// sink retried with back-off until it takes the CDR, giving up loudly and re-queueing, a hung node whose claim expires
// so the other node delivers, a sink that never answers, and a database gone mid-round.
import { afterEach, describe, expect, it } from 'vitest';
import { CdrDispatcherError, createCdrDispatcher, type CdrDispatcherOptions } from '../../../src/csms/transactions/cdrDispatcher.js';
import { cdrIdOf } from '../../../src/csms/transactions/cdrId.js';
import { CdrDeliveryError, type CdrDeliveryResult, type CdrSink, type CompletedTransaction } from '../../../src/csms/transactions/completedTransaction.js';
import { createTransactionLedger, type TransactionLedger } from '../../../src/csms/transactions/transactionLedger.js';
import type { IdTokenType } from '../../../src/ocpp/generated/ocpp201.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';
import { EMAID, EMAID_TOKEN, T0, te } from './eventSequences.js';

const targets = useDatabaseTargets();
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const NOW = T0 + 3_600_000;

function fakeClock() {
  let now = NOW;
  return { clock: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

async function open(url: string): Promise<StoreDatabase<unknown>> {
  const s = await openDatabase<unknown>(url);
  cleanups.push(() => s.close());
  return s;
}

/** See transactionLedger.test.ts: a second connection per node on PostgreSQL; SQLite nodes share the connection. */
async function twoNodes(dialect: string, url: string): Promise<[StoreDatabase<unknown>, StoreDatabase<unknown>]> {
  const first = await open(url);
  return [first, dialect === 'postgres' ? await open(url) : first];
}

/** Ends `count` transactions at CS-1 (TX-0 …), each Started with `token` at 1000 Wh and Ended at 1000 + 100·i Wh. */
async function endTransactions(ledger: TransactionLedger, count: number, token: IdTokenType | undefined = EMAID_TOKEN, offline = false): Promise<void> {
  for (let i = 0; i < count; i++) {
    const tx = `TX-${i}`;
    const decision = token ? { response: {}, token: { status: 'Accepted', authorizationReference: `REF-${i}` } } : { response: {} };
    await ledger.apply('CS-1', te({ type: 'Started', seq: 0, min: i, tx, offline, ...(token ? { idToken: token } : {}), meter: { value: 1000 } }), decision);
    await ledger.apply('CS-1', te({ type: 'Ended', seq: 1, min: i + 30, tx, stoppedReason: 'EVDisconnected', meter: { value: 1000 + 100 * (i + 1) } }), { response: {} });
  }
}

/** A sink that records every call; `behave` decides each answer. */
function recordingSink(behave: (tx: CompletedTransaction, call: number) => Promise<CdrDeliveryResult> = () => Promise.resolve({ kind: 'sent', emsp: 'DE-PNC' })) {
  const calls: CompletedTransaction[] = [];
  const sink: CdrSink = {
    deliver(tx) {
      calls.push(tx);
      return behave(tx, calls.length);
    },
  };
  return { sink, calls };
}

function dispatcherOptions(store: StoreDatabase<unknown>, sink: CdrSink, over: Partial<CdrDispatcherOptions> = {}) {
  const traces: TraceEvent[] = [];
  const options: CdrDispatcherOptions = { store, sink, nodeId: 'node-a', tracer: silentTracer('csms', [(e) => traces.push(e)]), ...over };
  return { options, traces };
}

describe.each(targets)('CDR dispatcher on $dialect', (target) => {
  it('hands each ended transaction to the sink once, with a stable CDR id, and records the outcome', async (ctx) => {
    const store = await open(await target.newUrl(ctx));
    const time = fakeClock();
    const ledger = await createTransactionLedger(store, { clock: time.clock });
    await endTransactions(ledger, 3, EMAID_TOKEN, true);
    // Transactions without anyone to bill (no idToken; NoAuthorization), and an RFID card of the CPO's own (the sink
    // says not roaming).
    await ledger.apply('CS-1', te({ type: 'Started', seq: 0, min: 0, tx: 'NONE' }), { response: {} });
    await ledger.apply('CS-1', te({ type: 'Ended', seq: 1, min: 5, tx: 'NONE' }), { response: {} });
    await ledger.apply('CS-1', te({ type: 'Started', seq: 0, min: 0, tx: 'FREE', idToken: { idToken: '', type: 'NoAuthorization' } }), { response: {}, token: { status: 'Accepted' } });
    await ledger.apply('CS-1', te({ type: 'Ended', seq: 1, min: 5, tx: 'FREE' }), { response: {} });
    await ledger.apply('CS-1', te({ type: 'Started', seq: 0, min: 0, tx: 'RFID', idToken: { idToken: '04A2B3C4', type: 'ISO14443' } }), { response: {}, token: { status: 'Accepted' } });
    await ledger.apply('CS-1', te({ type: 'Ended', seq: 1, min: 5, tx: 'RFID' }), { response: {} });
    // Still open: no CDR.
    await ledger.apply('CS-1', te({ type: 'Started', seq: 0, min: 0, tx: 'OPEN', idToken: EMAID_TOKEN }), { response: {} });

    const { sink, calls } = recordingSink((tx) => Promise.resolve(tx.idToken.type === 'eMAID' ? { kind: 'sent', emsp: 'DE-PNC' } : { kind: 'not-roaming', detail: 'own RFID card' }));
    const { options, traces } = dispatcherOptions(store, sink, { clock: time.clock });
    const dispatcher = await createCdrDispatcher(options);
    expect(await dispatcher.runOnce()).toEqual({ claimed: 6, sent: 3, notRoaming: 3, retrying: 0, failed: 0 });
    expect(await dispatcher.runOnce()).toEqual({ claimed: 0, sent: 0, notRoaming: 0, retrying: 0, failed: 0 });

    expect(calls.map((c) => c.transactionId).sort()).toEqual(['RFID', 'TX-0', 'TX-1', 'TX-2']);
    expect(calls.find((c) => c.transactionId === 'TX-1')).toEqual({
      cdrId: cdrIdOf('CS-1', 'TX-1'),
      transactionId: 'TX-1',
      stationId: 'CS-1',
      evseId: 1,
      connectorId: 1,
      idToken: { idToken: EMAID, type: 'eMAID' },
      authorizationReference: 'REF-1',
      startedAt: new Date(T0 + 60_000).toISOString(),
      endedAt: new Date(T0 + 31 * 60_000).toISOString(),
      energyWh: 200,
      stoppedReason: 'EVDisconnected',
      startedOffline: true,
    });
    const byId = new Map((await ledger.list()).map((t) => [t.transactionId, t]));
    expect(byId.get('TX-0')).toMatchObject({ cdrState: 'sent', cdrEmsp: 'DE-PNC', cdrAttempts: 1, cdrSentAt: new Date(NOW).toISOString() });
    expect(byId.get('RFID')).toMatchObject({ cdrState: 'not-roaming', cdrLastError: 'own RFID card' });
    expect(byId.get('NONE')).toMatchObject({ cdrState: 'not-roaming', cdrAttempts: 1, cdrLastError: 'the transaction carried no idToken' });
    expect(byId.get('FREE')).toMatchObject({ cdrState: 'not-roaming', cdrAttempts: 1, idToken: '', tokenType: 'NoAuthorization' });
    expect(byId.get('OPEN')?.cdrState).toBeUndefined();
    expect(traces.filter((t) => t.kind === 'verdict' && t.verdict === 'CDR sent')).toHaveLength(3);
    expect(JSON.stringify(traces)).not.toContain(EMAID);
  });

  it('two dispatchers racing deliver every CDR exactly once', async (ctx) => {
    const [a, b] = await twoNodes(target.dialect, await target.newUrl(ctx));
    const ledger = await createTransactionLedger(a);
    const COUNT = 40;
    await endTransactions(ledger, COUNT);
    const { sink, calls } = recordingSink(async () => {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5)));
      return { kind: 'sent', emsp: 'DE-PNC' };
    });
    const da = await createCdrDispatcher(dispatcherOptions(a, sink, { nodeId: 'node-a', concurrency: 3 }).options);
    const db = await createCdrDispatcher(dispatcherOptions(b, sink, { nodeId: 'node-b', concurrency: 3 }).options);
    const rounds = await Promise.all([da.runOnce(), db.runOnce(), da.runOnce(), db.runOnce()]);
    expect(rounds.reduce((n, r) => n + r.claimed, 0)).toBe(COUNT);
    const perCdr = new Map<string, number>();
    for (const c of calls) perCdr.set(c.cdrId, (perCdr.get(c.cdrId) ?? 0) + 1);
    expect(perCdr.size).toBe(COUNT);
    expect([...perCdr.values()].every((n) => n === 1)).toBe(true);
    expect(await ledger.list({ cdrState: 'sent' })).toHaveLength(COUNT);
    expect(rounds.every((r) => r.failed === 0 && r.retrying === 0)).toBe(true);
  });

  it('a failing sink: retried with capped back-off, then sent — never lost', async (ctx) => {
    const store = await open(await target.newUrl(ctx));
    const time = fakeClock();
    const ledger = await createTransactionLedger(store, { clock: time.clock });
    await endTransactions(ledger, 1);
    const { sink, calls } = recordingSink((_tx, call) => (call <= 4 ? Promise.reject(new CdrDeliveryError(`eMSP answered 503 (${call})`)) : Promise.resolve({ kind: 'sent', emsp: 'DE-PNC' })));
    const { options, traces } = dispatcherOptions(store, sink, { clock: time.clock, retry: { initialDelayMs: 1000, factor: 2, maxDelayMs: 3000, maxAttempts: 10 } });
    const dispatcher = await createCdrDispatcher(options);
    const delays = [1000, 2000, 3000, 3000];
    for (const [i, delay] of delays.entries()) {
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, retrying: 1 });
      const tx = await ledger.transaction('CS-1', 'TX-0');
      expect(tx).toMatchObject({ cdrState: 'pending', cdrAttempts: i + 1, cdrLastError: `CdrDeliveryError: eMSP answered 503 (${i + 1})` });
      time.advance(delay - 1);
      expect((await dispatcher.runOnce()).claimed).toBe(0);
      time.advance(1);
    }
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(calls).toHaveLength(5);
    expect(new Set(calls.map((c) => c.cdrId)).size).toBe(1);
    expect(await ledger.transaction('CS-1', 'TX-0')).toMatchObject({ cdrState: 'sent', cdrAttempts: 5, cdrLastError: undefined });
    expect(traces.filter((t) => t.kind === 'error' && t.error === 'CDR delivery failed')).toHaveLength(4);
  });

  it('after the last attempt the CDR is kept as failed, traced loudly, and can be re-queued', async (ctx) => {
    const store = await open(await target.newUrl(ctx));
    const time = fakeClock();
    const ledger = await createTransactionLedger(store, { clock: time.clock });
    await endTransactions(ledger, 1);
    let down = true;
    // A sink fault other than CdrDeliveryError counts as a failed attempt too.
    const { sink } = recordingSink(() => (down ? Promise.reject(new TypeError('cannot read properties of undefined')) : Promise.resolve({ kind: 'sent', emsp: 'DE-PNC' })));
    const { options, traces } = dispatcherOptions(store, sink, { clock: time.clock, retry: { initialDelayMs: 10, maxDelayMs: 10, maxAttempts: 2 } });
    const dispatcher = await createCdrDispatcher(options);
    expect(await dispatcher.runOnce()).toMatchObject({ retrying: 1 });
    time.advance(10);
    expect(await dispatcher.runOnce()).toMatchObject({ failed: 1 });
    time.advance(3_600_000);
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    expect(await ledger.transaction('CS-1', 'TX-0')).toMatchObject({ cdrState: 'failed', cdrAttempts: 2, cdrLastError: 'TypeError: cannot read properties of undefined' });
    const givenUp = traces.find((t) => t.kind === 'error' && t.error === 'CDR given up');
    expect(givenUp).toBeDefined();
    down = false;
    expect(await dispatcher.requeueFailed()).toBe(1);
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 1 });
  });

  it('a node that hangs mid-delivery: its claim expires and the other node delivers', async (ctx) => {
    const [a, b] = await twoNodes(target.dialect, await target.newUrl(ctx));
    const time = fakeClock();
    const ledger = await createTransactionLedger(a, { clock: time.clock });
    await endTransactions(ledger, 1);
    const hung = recordingSink(() => new Promise<never>(() => undefined));
    const healthy = recordingSink();
    const nodeA = await createCdrDispatcher(dispatcherOptions(a, hung.sink, { nodeId: 'node-a', clock: time.clock, claimTtlMs: 60_000, deliveryTimeoutMs: 30_000 }).options);
    const nodeB = await createCdrDispatcher(dispatcherOptions(b, healthy.sink, { nodeId: 'node-b', clock: time.clock, claimTtlMs: 60_000 }).options);
    const stuck = nodeA.runOnce();
    for (let i = 0; hung.calls.length === 0 && i < 400; i++) await new Promise((r) => setTimeout(r, 5));
    expect(hung.calls).toHaveLength(1);
    expect(await ledger.transaction('CS-1', 'TX-0')).toMatchObject({ cdrState: 'sending', cdrClaimedBy: 'node-a' });
    expect((await nodeB.runOnce()).claimed).toBe(0);
    time.advance(60_001);
    expect(await nodeB.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(healthy.calls).toHaveLength(1);
    expect(healthy.calls[0]?.cdrId).toBe(hung.calls[0]?.cdrId);
    // Node A is stopped (shut down): its abandoned claim is no longer its own; the CDR stays sent.
    await nodeA.stop();
    await stuck;
    expect(await ledger.transaction('CS-1', 'TX-0')).toMatchObject({ cdrState: 'sent', cdrAttempts: 2 });
  });

  it('a sink that never answers times out into a retry; stop() releases a claim in flight', async (ctx) => {
    const store = await open(await target.newUrl(ctx));
    const time = fakeClock();
    const ledger = await createTransactionLedger(store, { clock: time.clock });
    await endTransactions(ledger, 2);
    const { sink } = recordingSink(() => new Promise<never>(() => undefined));
    const dispatcher = await createCdrDispatcher(dispatcherOptions(store, sink, { clock: time.clock, deliveryTimeoutMs: 100, concurrency: 1, retry: { initialDelayMs: 5000 } }).options);
    const started = performance.now();
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 2, retrying: 2 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect((await ledger.transaction('CS-1', 'TX-0'))?.cdrLastError).toMatch(/no answer from the CDR sink within 100 ms/);

    const slow = await createCdrDispatcher(dispatcherOptions(store, sink, { clock: time.clock, deliveryTimeoutMs: 60_000 }).options);
    time.advance(5000);
    const round = slow.runOnce();
    await new Promise((r) => setTimeout(r, 100));
    await slow.stop();
    await round;
    const txs = await ledger.list();
    expect(txs.map((t) => t.cdrState)).toEqual(['pending', 'pending']);
    expect(txs.every((t) => t.cdrNextAttemptAt === time.clock().toISOString())).toBe(true);
  });

  it('refuses settings under which a claim could run out before its delivery does', async (ctx) => {
    const store = await open(await target.newUrl(ctx));
    const { sink } = recordingSink();
    for (const over of [{ claimTtlMs: 1000, deliveryTimeoutMs: 1000 }, { deliveryTimeoutMs: 0 }, { concurrency: 0 }, { concurrency: 1.5 }, { nodeId: '' }]) {
      await expect(createCdrDispatcher(dispatcherOptions(store, sink, over).options)).rejects.toBeInstanceOf(CdrDispatcherError);
    }
  });

  it('kick() after an Ended delivers in the background; a database gone mid-round is traced, not thrown', async (ctx) => {
    const store = await open(await target.newUrl(ctx));
    const ledger = await createTransactionLedger(store);
    const { sink, calls } = recordingSink();
    const { options, traces } = dispatcherOptions(store, sink);
    const dispatcher = await createCdrDispatcher(options);
    dispatcher.start(60_000);
    await dispatcher.settled();
    await endTransactions(ledger, 2);
    dispatcher.kick();
    dispatcher.kick();
    await dispatcher.settled();
    expect(calls).toHaveLength(2);
    await store.close();
    dispatcher.kick();
    await dispatcher.settled();
    expect(traces.some((t) => t.kind === 'error' && t.error === 'CDR dispatch round failed')).toBe(true);
    await dispatcher.stop();
    dispatcher.kick();
    await dispatcher.settled();
    expect(() => dispatcher.start(1000)).toThrow(/stopped/);
  });
});
