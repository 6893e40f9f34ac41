// The ChargerStateStore contract on SQLite and PostgreSQL (same table of tests), then what only the embedded file can
// show: durability across kill -9 and no eMAID or certificate in clear in the database files.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { ChargerStoreError } from '../../src/charger/store/chargerStoreError.js';
import type { LocalListEntry, OpenTransactionRecord } from '../../src/charger/store/chargerStateStore.js';
import type { ChargerTables } from '../../src/charger/store/chargerTables.js';
import { payloadSealer, SealError } from '../../src/charger/store/payloadSeal.js';
import { deriveSealKey, newSealSalt } from '../../src/charger/store/sealKey.js';
import { openChargerStateStore, type SqlChargerStateStore } from '../../src/charger/store/sqlChargerStateStore.js';
import type { IdTokenType } from '../../src/ocpp/generated/ocpp201.js';
import { openDatabase, type StoreDialect } from '../../src/store/index.js';
import { useDatabaseTargets, type DatabaseTarget } from '../helpers/databaseTargets.js';

const KEY = randomBytes(32);
const NOW = new Date('2026-03-01T12:00:00.000Z');
const clock = () => NOW;
const FP = 'a3'.repeat(32);

const entry = (idToken: string, type: IdTokenType['type'], status: LocalListEntry['idTokenInfo']['status'] = 'Accepted'): LocalListEntry => ({
  idToken: { idToken, type },
  idTokenInfo: { status },
});

const tx = (transactionId: string, over: Partial<OpenTransactionRecord> = {}): OpenTransactionRecord => ({
  transactionId,
  evseId: 1,
  connectorId: 1,
  nextSeqNo: 0,
  startedAt: '2026-03-01T11:00:00.000Z',
  offline: false,
  ended: false,
  ...over,
});

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** A second, raw connection to the same database, to tamper with rows or inject failures the way a fault would. */
async function raw<T>(url: string, f: (db: Kysely<ChargerTables>, dialect: StoreDialect) => Promise<T>): Promise<T> {
  const store = await openDatabase<ChargerTables>(url);
  try {
    return await f(store.db, store.dialect);
  } finally {
    await store.close();
  }
}

/** Makes inserts into `table` fail inside the database once it holds `atLeast` rows (0: always). */
async function injectInsertFailure(url: string, table: keyof ChargerTables, atLeast: number): Promise<void> {
  await raw(url, async (db, dialect) => {
    if (dialect === 'sqlite') {
      await sql`${sql.raw(`create trigger injected_failure before insert on ${table}
        when (select count(*) from ${table}) >= ${atLeast} begin select raise(abort, 'injected failure'); end`)}`.execute(db);
    } else {
      await sql`${sql.raw(`create function injected_failure() returns trigger language plpgsql as $$
        begin if (select count(*) from ${table}) >= ${atLeast} then raise exception 'injected failure'; end if; return new; end $$`)}`.execute(db);
      await sql`${sql.raw(`create trigger injected_failure before insert on ${table} for each row execute function injected_failure()`)}`.execute(db);
    }
  });
}

describe.each(useDatabaseTargets())('ChargerStateStore on $dialect', (target: DatabaseTarget) => {
  const opened: SqlChargerStateStore[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });

  async function fresh(ctx: TestContext): Promise<{ store: SqlChargerStateStore; url: string }> {
    const url = await target.newUrl(ctx);
    const store = await openChargerStateStore(url, { sealKey: KEY, now: clock });
    opened.push(store);
    return { store, url };
  }

  it('opens on the chosen dialect', async (ctx) => {
    const { store } = await fresh(ctx);
    expect(store.dialect).toBe(target.dialect);
  });

  it('keeps device-model variables by component/instance/variable', async (ctx) => {
    const { store } = await fresh(ctx);
    expect(await store.readVariables()).toEqual(new Map());
    await store.writeVariable({ component: 'ISO15118Ctrlr', variable: 'PnCEnabled' }, 'true');
    await store.writeVariable({ component: 'ISO15118Ctrlr', variable: 'PnCEnabled' }, 'false');
    await store.writeVariable({ component: 'EVSE', instance: '1', variable: 'Power' }, '22000');
    expect(await store.readVariables()).toEqual(
      new Map([
        ['ISO15118Ctrlr//PnCEnabled', 'false'],
        ['EVSE/1/Power', '22000'],
      ]),
    );
  });

  it('installs certificates: the same DER for the same use keeps its id', async (ctx) => {
    const { store } = await fresh(ctx);
    const der1 = randomBytes(300);
    const der2 = randomBytes(300);
    const a = await store.addCertificate('V2GRootCertificate', der1);
    expect(await store.addCertificate('V2GRootCertificate', Buffer.from(der1))).toBe(a);
    const b = await store.addCertificate('MORootCertificate', der1);
    const c = await store.addCertificate('V2GRootCertificate', der2);
    expect(new Set([a, b, c]).size).toBe(3);
    const list = await store.listCertificates();
    expect(list.map((x) => [x.id, x.use, x.der.toString('hex'), x.installedAt])).toEqual([
      [a, 'V2GRootCertificate', der1.toString('hex'), NOW.toISOString()],
      [b, 'MORootCertificate', der1.toString('hex'), NOW.toISOString()],
      [c, 'V2GRootCertificate', der2.toString('hex'), NOW.toISOString()],
    ]);
    expect(await store.removeCertificate(b)).toBe(true);
    expect(await store.removeCertificate(b)).toBe(false);
    expect((await store.listCertificates()).map((x) => x.id)).toEqual([a, c]);
    await expect(store.addCertificate('V2GRootCertificate', Buffer.alloc(0))).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('keeps one SECC credential, pending key and OCSP response per suite', async (ctx) => {
    const { store } = await fresh(ctx);
    expect(await store.seccCredential('iso2')).toBeUndefined();
    const chain = [randomBytes(500), randomBytes(400), randomBytes(300)];
    await store.setSeccCredential({ suite: 'iso2', chain, key: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE KEY-----\n' });
    await store.setSeccCredential({ suite: 'iso20-ed448', chain: [chain[0] as Buffer], key: 'pkcs11:token=pnc;object=secc' });
    const got = await store.seccCredential('iso2');
    expect(got?.chain.map((d) => d.toString('hex'))).toEqual(chain.map((d) => d.toString('hex')));
    expect(got?.key).toContain('ENCRYPTED PRIVATE KEY');
    expect(got?.installedAt).toBe(NOW.toISOString());
    expect((await store.seccCredential('iso20-ed448'))?.key).toBe('pkcs11:token=pnc;object=secc');
    expect(await store.seccCredential('iso20-p521')).toBeUndefined();
    // Renewal replaces.
    await store.setSeccCredential({ suite: 'iso2', chain: [chain[2] as Buffer], key: 'renewed' });
    expect((await store.seccCredential('iso2'))?.chain).toHaveLength(1);
    await expect(store.setSeccCredential({ suite: 'iso2', chain: [], key: 'x' })).rejects.toMatchObject({ code: 'invalid-argument' });

    expect(await store.pendingSeccKey('iso2')).toBeUndefined();
    await store.setPendingSeccKey('iso2', 'pending-1');
    await store.setPendingSeccKey('iso2', 'pending-2');
    expect(await store.pendingSeccKey('iso2')).toBe('pending-2');
    expect(await store.pendingSeccKey('iso20-p521')).toBeUndefined();
    await store.setPendingSeccKey('iso2', undefined);
    expect(await store.pendingSeccKey('iso2')).toBeUndefined();

    const ocsp1 = randomBytes(200);
    const ocsp2 = randomBytes(210);
    expect(await store.seccOcspResponse('iso2')).toBeUndefined();
    await store.setSeccOcspResponse('iso2', ocsp1);
    await store.setSeccOcspResponse('iso2', ocsp2);
    await store.setSeccOcspResponse('iso20-p521', ocsp1);
    expect((await store.seccOcspResponse('iso2'))?.equals(ocsp2)).toBe(true);
    expect((await store.seccOcspResponse('iso20-p521'))?.equals(ocsp1)).toBe(true);
  });

  it('looks local-list entries up by type and case-insensitive idToken', async (ctx) => {
    const { store } = await fresh(ctx);
    expect(await store.localListVersion()).toBe(0);
    expect(await store.localListSize()).toBe(0);
    await store.replaceLocalList(3, [entry('04a1b2c3', 'ISO14443'), entry('DEPNCC00000001A', 'eMAID', 'Blocked')]);
    expect(await store.localListVersion()).toBe(3);
    expect(await store.localListSize()).toBe(2);
    expect(await store.localListEntry({ idToken: '04A1B2C3', type: 'ISO14443' })).toEqual(entry('04a1b2c3', 'ISO14443'));
    expect((await store.localListEntry({ idToken: 'depncc00000001a', type: 'eMAID' }))?.idTokenInfo.status).toBe('Blocked');
    // The type is part of the identity.
    expect(await store.localListEntry({ idToken: '04a1b2c3', type: 'KeyCode' })).toBeUndefined();
  });

  it('updates the local list differentially and replaces it whole', async (ctx) => {
    const { store } = await fresh(ctx);
    await store.replaceLocalList(1, [entry('A', 'ISO14443'), entry('B', 'ISO14443'), entry('C', 'ISO14443')]);
    await store.updateLocalList(2, [entry('b', 'ISO14443', 'Invalid'), entry('D', 'ISO14443')], [{ idToken: 'c', type: 'ISO14443' }]);
    expect(await store.localListVersion()).toBe(2);
    expect(await store.localListSize()).toBe(3);
    expect((await store.localListEntry({ idToken: 'B', type: 'ISO14443' }))?.idTokenInfo.status).toBe('Invalid');
    expect(await store.localListEntry({ idToken: 'C', type: 'ISO14443' })).toBeUndefined();
    await store.replaceLocalList(5, [entry('Z', 'Central')]);
    expect(await store.localListSize()).toBe(1);
    expect(await store.localListEntry({ idToken: 'A', type: 'ISO14443' })).toBeUndefined();
    await store.replaceLocalList(6, []);
    expect([await store.localListVersion(), await store.localListSize()]).toEqual([6, 0]);
    await expect(store.replaceLocalList(1.5, [])).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('replaces and updates the local list atomically: a failure half-way changes nothing', async (ctx) => {
    const { store, url } = await fresh(ctx);
    await store.replaceLocalList(1, [entry('A', 'ISO14443')]);
    await injectInsertFailure(url, 'charger_local_list', 2);
    await expect(store.replaceLocalList(2, [entry('X', 'ISO14443'), entry('Y', 'ISO14443'), entry('Z', 'ISO14443')])).rejects.toThrow(/injected failure/);
    await expect(store.updateLocalList(2, [entry('X', 'ISO14443'), entry('Y', 'ISO14443')], [])).rejects.toThrow(/injected failure/);
    expect(await store.localListVersion()).toBe(1);
    expect(await store.localListSize()).toBe(1);
    expect(await store.localListEntry({ idToken: 'a', type: 'ISO14443' })).toEqual(entry('A', 'ISO14443'));
  });

  it('keeps the contract block-list by lower-case SHA-256 fingerprint, idempotently', async (ctx) => {
    const { store } = await fresh(ctx);
    expect(await store.isBlocked(FP)).toBe(false);
    await store.block(FP.toUpperCase(), 'ContractCancelled');
    await store.block(FP, 'Blocked');
    expect(await store.isBlocked(FP)).toBe(true);
    expect(await store.isBlocked(FP.toUpperCase())).toBe(true);
    expect(await store.isBlocked('b4'.repeat(32))).toBe(false);
    for (const bad of ['', 'a3'.repeat(31), 'g'.repeat(64), `${FP}00`, 'DEPNCC00000001A']) {
      await expect(store.block(bad, 'x')).rejects.toMatchObject({ code: 'invalid-argument' });
      await expect(store.isBlocked(bad)).rejects.toMatchObject({ code: 'invalid-argument' });
    }
  });

  it('saves, updates and forgets open transactions', async (ctx) => {
    const { store } = await fresh(ctx);
    expect(await store.openTransactions()).toEqual([]);
    await store.saveTransaction(tx('t1'));
    await store.saveTransaction(tx('t2', { offline: true, contractFingerprint: FP.toUpperCase(), evseId: 2, connectorId: 3 }));
    await store.saveTransaction(tx('t1', { nextSeqNo: 7, ended: true }));
    expect(await store.openTransactions()).toEqual([
      tx('t1', { nextSeqNo: 7, ended: true }),
      tx('t2', { offline: true, contractFingerprint: FP, evseId: 2, connectorId: 3 }),
    ]);
    await store.forgetTransaction('t1');
    await store.forgetTransaction('unknown');
    expect((await store.openTransactions()).map((t) => t.transactionId)).toEqual(['t2']);
    await expect(store.saveTransaction(tx('t3', { nextSeqNo: -1 }))).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(store.saveTransaction(tx(''))).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('queues messages first in, first out, with their attempts', async (ctx) => {
    const { store } = await fresh(ctx);
    const ids: number[] = [];
    for (let seqNo = 0; seqNo < 5; seqNo++) ids.push(await store.enqueue('TransactionEvent', { seqNo, idToken: { idToken: 'DEPNCC00000001A', type: 'eMAID' } }));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(await store.queueLength()).toBe(5);
    const head = await store.peekQueue(2);
    expect(head.map((m) => [m.id, m.action, m.request.seqNo, m.attempts, m.enqueuedAt])).toEqual([
      [ids[0], 'TransactionEvent', 0, 0, NOW.toISOString()],
      [ids[1], 'TransactionEvent', 1, 0, NOW.toISOString()],
    ]);
    expect(head[0]?.request.idToken).toEqual({ idToken: 'DEPNCC00000001A', type: 'eMAID' });
    await store.recordAttempt(ids[0] as number);
    await store.recordAttempt(ids[0] as number);
    expect((await store.peekQueue(1))[0]?.attempts).toBe(2);
    await store.ackQueued(ids[0] as number);
    await store.ackQueued(ids[0] as number); // already gone: no error
    await store.ackQueued(ids[2] as number);
    expect((await store.peekQueue(10)).map((m) => m.request.seqNo)).toEqual([1, 3, 4]);
    expect(await store.queueLength()).toBe(3);
    // A new message goes after the rest, even after the newest was acknowledged.
    await store.ackQueued(ids[4] as number);
    const next = await store.enqueue('TransactionEvent', { seqNo: 5 });
    expect(next).toBeGreaterThan(ids[4] as number);
    expect((await store.peekQueue(10)).map((m) => m.request.seqNo)).toEqual([1, 3, 5]);
    for (const bad of [0, -1, 1.5, Number.NaN]) await expect(store.peekQueue(bad)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(store.enqueue('TransactionEvent', null as unknown as Record<string, unknown>)).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('enqueues a message and its transaction row in one SQL transaction', async (ctx) => {
    const { store, url } = await fresh(ctx);
    await store.enqueue('TransactionEvent', { seqNo: 0 }, tx('t1', { nextSeqNo: 1, offline: true }));
    expect(await store.openTransactions()).toEqual([tx('t1', { nextSeqNo: 1, offline: true })]);
    await store.enqueue('TransactionEvent', { seqNo: 1 }, tx('t1', { nextSeqNo: 2, offline: true }));
    expect((await store.openTransactions())[0]?.nextSeqNo).toBe(2);
    // The transaction row cannot be written: the message is not queued either.
    await injectInsertFailure(url, 'charger_transactions', 0);
    await expect(store.enqueue('TransactionEvent', { seqNo: 0 }, tx('t2', { nextSeqNo: 1 }))).rejects.toThrow(/injected failure/);
    expect(await store.queueLength()).toBe(2);
    expect((await store.openTransactions()).map((t) => t.transactionId)).toEqual(['t1']);
  });

  it('keeps everything across close and reopen', async (ctx) => {
    const { store, url } = await fresh(ctx);
    await store.writeVariable({ component: 'AuthCtrlr', variable: 'LocalAuthorizeOffline' }, 'true');
    const certId = await store.addCertificate('MORootCertificate', Buffer.from('30820101', 'hex'));
    await store.setSeccCredential({ suite: 'iso20-p521', chain: [Buffer.from('3003020101', 'hex')], key: 'k' });
    await store.replaceLocalList(9, [entry('A', 'ISO14443')]);
    await store.block(FP, 'Expired');
    const id = await store.enqueue('TransactionEvent', { seqNo: 4 }, tx('t1', { nextSeqNo: 5 }));
    await store.close();

    const again = await openChargerStateStore(url, { sealKey: KEY, now: clock });
    opened.push(again);
    expect((await again.readVariables()).get('AuthCtrlr//LocalAuthorizeOffline')).toBe('true');
    expect((await again.listCertificates()).map((c) => c.id)).toEqual([certId]);
    expect((await again.seccCredential('iso20-p521'))?.key).toBe('k');
    expect(await again.localListVersion()).toBe(9);
    expect(await again.localListEntry({ idToken: 'a', type: 'ISO14443' })).toEqual(entry('A', 'ISO14443'));
    expect(await again.isBlocked(FP)).toBe(true);
    expect((await again.peekQueue(5)).map((m) => [m.id, m.request])).toEqual([[id, { seqNo: 4 }]]);
    expect((await again.openTransactions())[0]?.nextSeqNo).toBe(5);
  });

  it('derives its key from the passphrase with the database salt and refuses another passphrase or key', async (ctx) => {
    const url = await target.newUrl(ctx);
    const first = await openChargerStateStore(url, { passphrase: 'charger passphrase' });
    await first.enqueue('TransactionEvent', { seqNo: 1 });
    await first.close();
    const again = await openChargerStateStore(url, { passphrase: 'charger passphrase' });
    expect((await again.peekQueue(1))[0]?.request).toEqual({ seqNo: 1 });
    await again.close();
    const wrong = await caught(openChargerStateStore(url, { passphrase: 'another passphrase' }));
    expect(wrong).toBeInstanceOf(ChargerStoreError);
    expect((wrong as ChargerStoreError).code).toBe('wrong-key');
    expect(await caught(openChargerStateStore(url, { sealKey: KEY }))).toMatchObject({ code: 'wrong-key' });
    expect(await caught(openChargerStateStore(url, { passphrase: '' }))).toBeInstanceOf(SealError);
    expect(await caught(openChargerStateStore(url, { sealKey: Buffer.alloc(16) }))).toMatchObject({ name: 'SealError', code: 'key' });
  });

  it('reports a tampered queued message as a typed error naming the row, and can drop it', async (ctx) => {
    const { store, url } = await fresh(ctx);
    const bad = await store.enqueue('TransactionEvent', { seqNo: 0 });
    const good = await store.enqueue('TransactionEvent', { seqNo: 1 });
    await raw(url, async (db) => {
      const row = await db.selectFrom('charger_queue').select('payload').where('id', '=', bad).executeTakeFirstOrThrow();
      const payload = Buffer.from(row.payload);
      payload[payload.length - 1] = (payload[payload.length - 1] ?? 0) ^ 0x01;
      await db.updateTable('charger_queue').set({ payload }).where('id', '=', bad).execute();
    });
    const error = await caught(store.peekQueue(10));
    expect(error).toBeInstanceOf(ChargerStoreError);
    expect(error).toMatchObject({ code: 'unreadable-row', table: 'charger_queue', rowId: bad });
    expect((error as Error).cause).toBeInstanceOf(SealError);
    expect(await store.queueLength()).toBe(2); // not silently dropped
    await store.ackQueued(bad);
    expect((await store.peekQueue(10)).map((m) => m.id)).toEqual([good]);
  });

  it('refuses queued rows that were truncated, swapped to another action or replaced', async (ctx) => {
    const { store, url } = await fresh(ctx);
    const a = await store.enqueue('TransactionEvent', { seqNo: 0 });
    for (const mutate of [
      (p: Buffer) => p.subarray(0, 10),
      (p: Buffer) => Buffer.concat([Buffer.of(0x02), p.subarray(1)]),
      () => Buffer.from('{"seqNo":0}'),
    ]) {
      await raw(url, async (db) => {
        const row = await db.selectFrom('charger_queue').select('payload').where('id', '=', a).executeTakeFirstOrThrow();
        await db.updateTable('charger_queue').set({ payload: mutate(Buffer.from(row.payload)) }).where('id', '=', a).execute();
      });
      await expect(store.peekQueue(1)).rejects.toMatchObject({ code: 'unreadable-row', rowId: a });
    }
    await raw(url, (db) => db.updateTable('charger_queue').set({ action: 'Authorize' }).where('id', '=', a).execute());
    await expect(store.peekQueue(1)).rejects.toMatchObject({ code: 'unreadable-row', rowId: a });
  });

  it('reports a tampered or moved local-list entry', async (ctx) => {
    const { store, url } = await fresh(ctx);
    await store.replaceLocalList(1, [entry('A', 'ISO14443', 'Blocked'), entry('B', 'ISO14443', 'Accepted')]);
    // Copy B's sealed entry over A's: each entry is sealed for its own token, so A cannot become "Accepted".
    await raw(url, async (db) => {
      const rows = await db.selectFrom('charger_local_list').selectAll().execute();
      const [first, second] = rows;
      if (first === undefined || second === undefined) throw new Error('two rows expected');
      await db.updateTable('charger_local_list').set({ entry: second.entry }).where('token_index', '=', first.token_index).execute();
    });
    const results = await Promise.allSettled([store.localListEntry({ idToken: 'a', type: 'ISO14443' }), store.localListEntry({ idToken: 'b', type: 'ISO14443' })]);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'unreadable-row', table: 'charger_local_list' });
  });

  it('is unusable after close, with a typed error', async (ctx) => {
    const { store } = await fresh(ctx);
    await store.close();
    await store.close();
    await expect(store.queueLength()).rejects.toMatchObject({ name: 'ChargerStoreError', code: 'closed' });
  });
});

describe('ChargerStateStore on SQLite files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pnc-charger-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses no acknowledged message and duplicates none when the process is killed with SIGKILL', async () => {
    const file = join(dir, 'durable.sqlite');
    const url = `sqlite:${file}`;
    const script = join(import.meta.dirname, 'fixtures', 'enqueueLoop.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, url, KEY.toString('hex')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Kill mid-loop, once enough has been acknowledged to make the check meaningful.
        if ((out.match(/^E /gm)?.length ?? 0) >= 300) resolve();
      });
      child.on('exit', () => reject(new Error(`child ended before it was killed: ${err}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Only complete lines: each was printed after its store call resolved.
    const lines = out.split('\n').slice(0, -1);
    const enqueued = new Map<number, number>(); // id → seqNo
    const acked = new Set<number>();
    for (const line of lines) {
      const [op, id, seqNo] = line.split(' ');
      if (op === 'E') enqueued.set(Number(id), Number(seqNo));
      if (op === 'A') acked.add(Number(id));
    }
    expect(enqueued.size).toBeGreaterThanOrEqual(300);
    expect(acked.size).toBeGreaterThan(50);

    const store = await openChargerStateStore(url, { sealKey: KEY });
    try {
      const queue = await store.peekQueue(100_000);
      const ids = queue.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length); // none duplicated
      expect([...ids].sort((a, b) => a - b)).toEqual(ids); // in order
      const seqNos = queue.map((m) => m.request.seqNo as number);
      expect([...seqNos].sort((a, b) => a - b)).toEqual(seqNos);
      // The child acknowledges the oldest message after every third enqueue; if it was killed between that ack and
      // its "A" line, the oldest unacknowledged id may be gone without a trace — the only row allowed to be missing.
      const lastLine = lines[lines.length - 1] ?? '';
      const ackInFlight = lastLine.startsWith('E ') && Number(lastLine.split(' ')[2]) % 3 === 2;
      const unacked = [...enqueued.keys()].filter((id) => !acked.has(id));
      const mayBeGone = ackInFlight ? Math.min(...unacked) : undefined;
      for (const [id, seqNo] of enqueued) {
        const m = queue.find((q) => q.id === id);
        if (acked.has(id)) expect(m, `acknowledged ack of ${id}`).toBeUndefined();
        else if (id !== mayBeGone) expect(m?.request.seqNo, `acknowledged enqueue of ${id}`).toBe(seqNo); // there, with its content
      }
      // At most the one message in flight at the kill was committed without being printed.
      const maxPrinted = Math.max(...enqueued.keys());
      expect(ids.filter((id) => !enqueued.has(id)).every((id) => id === maxPrinted + 1)).toBe(true);
      // The transaction's seqNo bump went in with each message: it is exactly one past the newest queued seqNo.
      const [transaction] = await store.openTransactions();
      expect(transaction?.nextSeqNo).toBe(Math.max(...seqNos) + 1);
    } finally {
      await store.close();
    }
  });

  it('never writes an eMAID or a certificate in clear to the database, its WAL or its shared-memory file', async () => {
    const file = join(dir, 'private.sqlite');
    const emaid = 'DEPNCC1A2B3C4D5E';
    const fakeDer = Buffer.concat([Buffer.from('308203a1308202', 'hex'), randomBytes(900)]);
    const canary = `CANARY-${randomBytes(8).toString('hex')}`;
    const secrets: [string, Buffer][] = [
      ['eMAID', Buffer.from(emaid)],
      ['eMAID lower-case', Buffer.from(emaid.toLowerCase())],
      ['certificate DER', fakeDer.subarray(0, 64)],
      ['certificate base64', Buffer.from(fakeDer.toString('base64').slice(0, 64))],
      ['certificate hex', Buffer.from(fakeDer.toString('hex').slice(0, 64))],
    ];
    const files = [file, `${file}-wal`, `${file}-shm`];
    const leaks = () =>
      files.flatMap((f) => {
        if (!existsSync(f)) return [];
        const bytes = readFileSync(f);
        return secrets.filter(([, s]) => bytes.includes(s)).map(([name]) => `${name} in ${f}`);
      });
    const canaryFound = () => files.some((f) => existsSync(f) && readFileSync(f).includes(Buffer.from(canary)));

    const store = await openChargerStateStore(`sqlite:${file}`, { sealKey: KEY });
    // A value stored in clear on purpose: proves the scan sees what is written.
    await store.writeVariable({ component: 'ISO15118Ctrlr', variable: 'SeccId' }, canary);
    const id = await store.enqueue('TransactionEvent', {
      eventType: 'Started',
      seqNo: 0,
      idToken: { idToken: emaid, type: 'eMAID' },
      customData: { vendorId: 'pnc', contractCertificate: fakeDer.toString('base64'), contractHex: fakeDer.toString('hex') },
    });
    await store.replaceLocalList(1, [entry(emaid, 'eMAID')]);
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(canaryFound()).toBe(true);
    expect(leaks()).toEqual([]);

    await store.ackQueued(id);
    await store.replaceLocalList(2, []);
    expect(leaks()).toEqual([]);
    await store.close();
    expect(leaks()).toEqual([]);
    expect(canaryFound()).toBe(true);
  });

  it('refuses a database file that is not a database, with the store layer error', async () => {
    const file = join(dir, 'garbage.sqlite');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, randomBytes(8192));
    await expect(openChargerStateStore(`sqlite:${file}`, { sealKey: KEY })).rejects.toMatchObject({ name: 'StoreError', code: 'corrupt' });
  });

  it.each(['', 'charger.db', 'mysql://x/y', 'sqlite:'])('refuses the URL %j', async (url) => {
    await expect(openChargerStateStore(url, { sealKey: KEY })).rejects.toMatchObject({ name: 'StoreError', code: 'bad-url' });
  });
});

function sealErrorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SealError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('payloadSealer', () => {
  const sealer = payloadSealer(KEY);
  const plain = Buffer.from('{"idToken":{"idToken":"DEPNCC00000001A","type":"eMAID"}}');
  const sealed = sealer.seal(plain, 'queue:TransactionEvent');

  it('opens what it sealed, with a fresh nonce each time', () => {
    expect(sealer.open(sealed, 'queue:TransactionEvent').equals(plain)).toBe(true);
    expect(sealer.seal(plain, 'queue:TransactionEvent').equals(sealed)).toBe(false);
    expect(sealed.length).toBe(1 + 12 + 16 + plain.length);
  });

  const flip = (at: number) => {
    const copy = Buffer.from(sealed);
    copy[at] = (copy[at] ?? 0) ^ 0x80;
    return copy;
  };
  it.each([
    ['the version byte', () => flip(0), 'queue:TransactionEvent', 'format'],
    ['a nonce byte', () => flip(5), 'queue:TransactionEvent', 'authentication'],
    ['a tag byte', () => flip(20), 'queue:TransactionEvent', 'authentication'],
    ['a ciphertext byte', () => flip(40), 'queue:TransactionEvent', 'authentication'],
    ['a truncated body', () => sealed.subarray(0, sealed.length - 1), 'queue:TransactionEvent', 'authentication'],
    ['a header alone', () => sealed.subarray(0, 29), 'queue:TransactionEvent', 'authentication'],
    ['less than a header', () => sealed.subarray(0, 28), 'queue:TransactionEvent', 'format'],
    ['nothing', () => Buffer.alloc(0), 'queue:TransactionEvent', 'format'],
    ['another context', () => sealed, 'local-list:x', 'authentication'],
  ] as const)('refuses %s', (_name, value, context, code) => {
    expect(sealErrorCode(() => sealer.open(value(), context))).toBe(code);
  });

  it('refuses another key and keys that are not 32 bytes', () => {
    expect(sealErrorCode(() => payloadSealer(randomBytes(32)).open(sealed, 'queue:TransactionEvent'))).toBe('authentication');
    for (const length of [0, 16, 31, 33, 64]) expect(sealErrorCode(() => payloadSealer(Buffer.alloc(length)))).toBe('key');
  });

  it('indexes values deterministically per key and context, without revealing them', () => {
    const i = sealer.index('eMAID:DEPNCC00000001A', 'local-list');
    expect(i).toMatch(/^[0-9a-f]{64}$/);
    expect(sealer.index('eMAID:DEPNCC00000001A', 'local-list')).toBe(i);
    expect(sealer.index('eMAID:DEPNCC00000001B', 'local-list')).not.toBe(i);
    expect(sealer.index('eMAID:DEPNCC00000001A', 'other')).not.toBe(i);
    expect(payloadSealer(randomBytes(32)).index('eMAID:DEPNCC00000001A', 'local-list')).not.toBe(i);
  });
});

describe('deriveSealKey', () => {
  it('gives the same 32-byte key for the same passphrase and salt, another for another salt or passphrase', async () => {
    const salt = newSealSalt();
    const a = await deriveSealKey('passphrase', salt);
    expect(a).toHaveLength(32);
    expect((await deriveSealKey('passphrase', Buffer.from(salt))).equals(a)).toBe(true);
    expect((await deriveSealKey('passphrase', newSealSalt())).equals(a)).toBe(false);
    expect((await deriveSealKey('passphrase!', salt)).equals(a)).toBe(false);
  });

  it('refuses an empty passphrase and a short salt', async () => {
    await expect(deriveSealKey('', newSealSalt())).rejects.toMatchObject({ name: 'SealError', code: 'key' });
    await expect(deriveSealKey('x', Buffer.alloc(8))).rejects.toMatchObject({ name: 'SealError', code: 'key' });
  });
});
