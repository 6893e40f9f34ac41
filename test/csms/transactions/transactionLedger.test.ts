// The ledger on real SQLite and PostgreSQL: the event sequences, copies answered as the first without a second
// decision, claims that wait, expire and are taken over, and two ledgers with their own connections applying the
// same events at once (two CSMS nodes after a station reconnected) — one row per event, one transaction, one CDR.
import { afterEach, describe, expect, it } from 'vitest';
import { createTransactionLedger, type AppliedEvent, type EventDecision } from '../../../src/csms/transactions/transactionLedger.js';
import { TransactionLedgerError } from '../../../src/csms/transactions/transactionLedgerError.js';
import { deliveredWh } from '../../../src/csms/transactions/meterReadings.js';
import type { TransactionTables } from '../../../src/csms/transactions/transactionTables.js';
import type { TransactionEventRequest } from '../../../src/ocpp/generated/ocpp201.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';
import { EMAID_TOKEN, RFID_TOKEN, SEQUENCES, T0, te } from './eventSequences.js';

const targets = useDatabaseTargets();
const NOW = Date.parse('2026-03-01T12:00:00.000Z');

let stores: StoreDatabase<unknown>[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

async function open(url: string): Promise<StoreDatabase<unknown>> {
  const s = await openDatabase<unknown>(url);
  stores.push(s);
  return s;
}

/**
 * Two nodes' stores on one database. Several nodes share PostgreSQL; SQLite is the single-process store, and
 * better-sqlite3 is synchronous: a second connection in the same process would wait for the write lock on the very
 * thread that must finish the first one's transaction. On SQLite the two "nodes" share one connection (their calls
 * still interleave at every await).
 */
async function twoNodes(dialect: string, url: string): Promise<[StoreDatabase<unknown>, StoreDatabase<unknown>]> {
  const first = await open(url);
  return [first, dialect === 'postgres' ? await open(url) : first];
}

function fakeClock(start = NOW) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/** A decision per call, numbered, so a copy answered from a second decision would show. */
function decider() {
  const calls: string[] = [];
  const decide = (request: TransactionEventRequest) => (): Promise<EventDecision> => {
    calls.push(`${request.transactionInfo.transactionId}/${request.seqNo}`);
    return Promise.resolve({ response: { idTokenInfo: { status: 'Accepted', chargingPriority: calls.length % 10 } }, token: { status: 'Accepted', authorizationReference: `REF-${request.seqNo}` } });
  };
  return { calls, decide };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.each(targets)('transaction ledger on $dialect', (target) => {
  for (const seq of SEQUENCES) it(`sequence: ${seq.name}`, async (ctx) => {
    const store = await open(await target.newUrl(ctx));
    const { clock } = fakeClock();
    const ledger = await createTransactionLedger(store, { clock, gapGraceMs: 60_000 });
    const { calls, decide } = decider();
    const firstResponse = new Map<number, AppliedEvent['response']>();
    let applied = 0;
    let duplicates = 0;
    let cdrDueAt: number | undefined;
    for (const [index, request] of seq.events.entries()) {
      const outcome = await ledger.apply('CS-1', request, request.idToken ? decide(request) : { response: {} });
      if (outcome.kind === 'applied') {
        applied++;
        firstResponse.set(request.seqNo, outcome.response);
        if (outcome.cdrDue) cdrDueAt = index;
        expect(outcome.anomalies).toEqual([]);
      } else {
        duplicates++;
        expect(outcome.sameContent).toBe(true);
        expect(outcome.response).toEqual(firstResponse.get(request.seqNo));
      }
    }
    const e = seq.expect;
    expect({ applied, duplicates, cdrDueAt }).toEqual({ applied: e.applied, duplicates: e.duplicates, cdrDueAt: e.cdrDueAt });
    // One decision per distinct event with an idToken: copies were never decided again.
    expect(calls).toEqual([...new Set(seq.events.filter((r) => r.idToken).map((r) => `TX-1/${r.seqNo}`))]);

    const tx = await ledger.transaction('CS-1', 'TX-1');
    expect(tx).toBeDefined();
    expect(tx).toMatchObject({
      stationId: 'CS-1',
      transactionId: 'TX-1',
      state: e.state,
      idToken: e.idToken,
      idTokenSeqNo: e.idTokenSeq,
      authorizationReference: e.idTokenSeq === undefined ? undefined : `REF-${e.idTokenSeq}`,
      startedAt: new Date(T0 + e.startedAtMin * 60_000).toISOString(),
      startedOffline: e.startedOffline,
      stoppedReason: e.stoppedReason,
      cdrState: e.cdrState,
      evseId: e.evseId,
      eventsCount: e.applied,
      cdrAttempts: 0,
    });
    expect(deliveredWh(tx!.meterStart?.wh, tx!.meterEnd?.wh)).toBe(e.energyWh);
    if (e.cdrState) expect(tx!.cdrNextAttemptAt).toBe(new Date(NOW + (e.cdrDue ? 0 : 60_000)).toISOString());
    const events = await ledger.events('CS-1', 'TX-1');
    expect(events.map((ev) => ev.seqNo)).toEqual([...new Set(seq.events.map((r) => r.seqNo))].sort((a, b) => a - b));
    for (const ev of events) expect(ev.response).toEqual(firstResponse.get(ev.seqNo));
    expect(await ledger.list({ cdrState: 'pending' })).toHaveLength(e.cdrState ? 1 : 0);
  });

  it('refuses a bad event with a typed error and records nothing', async (ctx) => {
    const ledger = await createTransactionLedger(await open(await target.newUrl(ctx)));
    const good = te({ type: 'Started', seq: 0, min: 0 });
    const bad: [string, TransactionEventRequest][] = [
      ['', good],
      ['x'.repeat(256), good],
      ['CS-1', { ...good, seqNo: -1 }],
      ['CS-1', { ...good, seqNo: 2 ** 40 }],
      ['CS-1', { ...good, timestamp: 'never' }],
    ];
    for (const [station, request] of bad) {
      const error = await ledger.apply(station, request, { response: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransactionLedgerError);
      expect((error as TransactionLedgerError).code).toBe('bad-event');
    }
    expect(await ledger.list()).toEqual([]);
  });

  it('a seqNo re-used for a different request is answered as the first and not applied', async (ctx) => {
    const ledger = await createTransactionLedger(await open(await target.newUrl(ctx)));
    const first = te({ type: 'Started', seq: 0, min: 0, meter: { value: 10 } });
    await ledger.apply('CS-1', first, { response: {} });
    const other = await ledger.apply('CS-1', { ...first, meterValue: [{ timestamp: first.timestamp, sampledValue: [{ value: 999 }] }] }, { response: { totalCost: 1 } });
    expect(other).toEqual({ kind: 'duplicate', response: {}, sameContent: false });
    expect((await ledger.transaction('CS-1', 'TX-1'))?.meterStart?.wh).toBe(10);
  });

  it('the same transaction id at two stations is two transactions', async (ctx) => {
    const ledger = await createTransactionLedger(await open(await target.newUrl(ctx)));
    const started = te({ type: 'Started', seq: 0, min: 0 });
    expect((await ledger.apply('CS-1', started, { response: {} })).kind).toBe('applied');
    expect((await ledger.apply('CS-2', started, { response: {} })).kind).toBe('applied');
    expect(await ledger.list()).toHaveLength(2);
  });

  it('a decision that fails releases the claim: the retry decides afresh', async (ctx) => {
    const ledger = await createTransactionLedger(await open(await target.newUrl(ctx)));
    const started = te({ type: 'Started', seq: 0, min: 0, idToken: EMAID_TOKEN });
    const boom = new Error('eMSP client bug');
    await expect(ledger.apply('CS-1', started, () => Promise.reject(boom))).rejects.toBe(boom);
    expect(await ledger.events('CS-1', 'TX-1')).toEqual([]);
    const { calls, decide } = decider();
    expect((await ledger.apply('CS-1', started, decide(started))).kind).toBe('applied');
    expect(calls).toHaveLength(1);
  });

  it('a copy arriving while the first is being decided waits for its answer', async (ctx) => {
    const [sa, sb] = await twoNodes(target.dialect, await target.newUrl(ctx));
    const a = await createTransactionLedger(sa);
    const b = await createTransactionLedger(sb);
    const started = te({ type: 'Started', seq: 0, min: 0, idToken: EMAID_TOKEN });
    const gate = deferred();
    let deciding = false;
    const first = a.apply('CS-1', started, async () => {
      deciding = true;
      await gate.promise;
      return { response: { idTokenInfo: { status: 'Blocked' } }, token: { status: 'Blocked' } };
    });
    await until(() => deciding);
    let bDecided = false;
    const copy = b.apply('CS-1', started, () => {
      bDecided = true;
      return Promise.resolve({ response: { idTokenInfo: { status: 'Accepted' } } });
    });
    setTimeout(gate.resolve, 150);
    const [r1, r2] = await Promise.all([first, copy]);
    expect(r1.kind).toBe('applied');
    expect(r2).toEqual({ kind: 'duplicate', response: { idTokenInfo: { status: 'Blocked' } }, sameContent: true });
    expect(bDecided).toBe(false);
  });

  it('a claim whose node stalls expires: another node takes over, the stalled one then answers as the other', async (ctx) => {
    const [sa, sb] = await twoNodes(target.dialect, await target.newUrl(ctx));
    const time = fakeClock();
    const a = await createTransactionLedger(sa, { clock: time.clock, eventClaimTtlMs: 10_000 });
    const b = await createTransactionLedger(sb, { clock: time.clock, eventClaimTtlMs: 10_000, inProgressWaitMs: 100 });
    const started = te({ type: 'Started', seq: 0, min: 0, idToken: EMAID_TOKEN });
    const gate = deferred();
    let deciding = false;
    const stalled = a.apply('CS-1', started, async () => {
      deciding = true;
      await gate.promise;
      return { response: { idTokenInfo: { status: 'Invalid' } } };
    });
    await until(() => deciding);
    const waited = await b.apply('CS-1', started, () => Promise.resolve({ response: {} })).catch((e: unknown) => e);
    expect(waited).toBeInstanceOf(TransactionLedgerError);
    expect((waited as TransactionLedgerError).code).toBe('in-progress');

    time.advance(10_001);
    const taken = await b.apply('CS-1', started, () => Promise.resolve({ response: { idTokenInfo: { status: 'Accepted' } }, token: { status: 'Accepted', authorizationReference: 'REF-B' } }));
    expect(taken.kind).toBe('applied');
    gate.resolve();
    expect(await stalled).toEqual({ kind: 'duplicate', response: { idTokenInfo: { status: 'Accepted' } }, sameContent: true });
    const tx = await a.transaction('CS-1', 'TX-1');
    expect(tx).toMatchObject({ eventsCount: 1, authorizationReference: 'REF-B', idTokenStatus: 'Accepted' });
  });

  it('two nodes (own connection pools on PostgreSQL) apply the same events at once: one row each, one CDR per transaction', async (ctx) => {
    const [first, second] = await twoNodes(target.dialect, await target.newUrl(ctx));
    const nodes = [await createTransactionLedger(first), await createTransactionLedger(second)];
    const TXS = 10;
    const UPDATES = 4;
    const decisions: string[] = [];
    const requests: TransactionEventRequest[] = [];
    for (let t = 0; t < TXS; t++) {
      const tx = `TX-${t}`;
      requests.push(te({ type: 'Started', seq: 0, min: t, tx, idToken: t % 2 ? EMAID_TOKEN : RFID_TOKEN, meter: { value: 100 } }));
      for (let u = 1; u <= UPDATES; u++) requests.push(te({ type: 'Updated', seq: u, min: t + u, tx, meter: { value: 100 + 50 * u } }));
      requests.push(te({ type: 'Ended', seq: UPDATES + 1, min: t + 9, tx, meter: { value: 900 } }));
    }
    const decide = (node: number, r: TransactionEventRequest) => async (): Promise<EventDecision> => {
      decisions.push(`${r.transactionInfo.transactionId}/${r.seqNo}`);
      await new Promise((res) => setTimeout(res, Math.floor(Math.random() * 15)));
      return { response: { idTokenInfo: { status: 'Accepted', chargingPriority: node } }, token: { status: 'Accepted', authorizationReference: `REF-${node}` } };
    };
    // Every event reaches both nodes, in a different order on each (a reconnect mid-burst).
    const shuffled = (rs: TransactionEventRequest[]) => rs.map((r) => [Math.random(), r] as const).sort((x, y) => x[0] - y[0]).map(([, r]) => r);
    const outcomes = await Promise.all(
      nodes.flatMap((ledger, node) => shuffled(requests).map(async (r) => ({ r, o: await ledger.apply('CS-1', r, r.idToken ? decide(node, r) : { response: {} }) }))),
    );
    for (const r of requests) {
      const mine = outcomes.filter((x) => x.r === r);
      expect(mine.filter((x) => x.o.kind === 'applied')).toHaveLength(1);
      const [one, two] = mine;
      expect(one?.o.response).toEqual(two?.o.response);
    }
    expect(decisions.sort()).toEqual(requests.filter((r) => r.idToken).map((r) => `${r.transactionInfo.transactionId}/0`).sort());
    expect(outcomes.filter((x) => x.o.kind === 'applied' && x.o.cdrDue)).toHaveLength(TXS);

    const all = await nodes[0]!.list();
    expect(all).toHaveLength(TXS);
    for (const tx of all) {
      expect(tx).toMatchObject({ state: 'ended', eventsCount: UPDATES + 2, cdrState: 'pending', startedOffline: false });
      expect(deliveredWh(tx.meterStart?.wh, tx.meterEnd?.wh)).toBe(800);
    }
    const db = (first as StoreDatabase<TransactionTables>).db;
    const events = await db.selectFrom('csms_transaction_events').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(events.n)).toBe(TXS * (UPDATES + 2));
  });
});
