// Issue §3, end to end with real processes: two `pnc csms serve` nodes sharing one PostgreSQL serve one fleet. The
// charger reaches them through a TCP switch (the load balancer); mid-transaction the switch moves it from node A to
// node B — once by cutting the connections, once because node A is killed with SIGKILL — and the answer to the event
// in flight at that moment is lost, so the charger sends it again to node B. The transaction completes once: every
// seqNo is recorded once (by one node or the other), the re-sent event is answered as a duplicate, and exactly one
// CDR with the eMAID and the energy reaches the MSP (`pnc msp serve`, SQLite). The eMSP is registered through node A's
// admin API; node B learns of it from the shared database within its directory TTL.
//
// What would break these tests (checked by mutating the built CSMS): a ledger that does not de-duplicate (the re-sent
// seqNo is recorded again on node B), a roaming directory that does not reload from the database (node B never finds
// the eMSP); also a second CDR delivery (two 'CDR sent' verdicts, two CDR messages at the MSP) or a transaction row
// only one node can update. A race between the two nodes' CDR dispatchers is not forced here (`pnc csms serve` polls
// every 15 s and has no flag to shorten it); test/csms/transactions/twoNodes.test.ts runs both dispatchers at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { ChargingStation } from '../../src/charger/chargingStation.js';
import { connectToCsms } from '../../src/charger/station/csmsConnection.js';
import { openChargerStateStore, type SqlChargerStateStore } from '../../src/charger/store/sqlChargerStateStore.js';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { parsePeerToken } from '../../src/bench/csmsLoad/processes.js';
import { cdrIdOf } from '../../src/csms/transactions/cdrId.js';
import type { StationTables } from '../../src/csms/stations/stationTables.js';
import type { TransactionTables } from '../../src/csms/transactions/transactionTables.js';
import { runEvSession, type EvSessionResult } from '../../src/ev/evSession.js';
import { testEvse } from '../../src/iso15118/session/evseModel.js';
import { openMspStore } from '../../src/msp/store/mspStore.js';
import { parseCertificate } from '../../src/pki/certificate/certificate.js';
import { encodePem } from '../../src/pki/certificate/pem.js';
import { chargerStore, evStore } from '../../src/pki/generator/partyStores.js';
import { createTrustStore } from '../../src/pki/verdict/trustStore.js';
import { openDatabase, type StoreDatabase } from '../../src/store/index.js';
import type { TraceEvent } from '../../src/trace/traceEvent.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { freePort } from '../helpers/ocspTestbed.js';
import { scratch } from '../helpers/openssl.js';
import { startTestPostgres, type TestPostgresStatus } from '../helpers/postgres.js';
import { startTcpSwitch, type TcpSwitch } from '../helpers/tcpSwitch.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PNC = join(ROOT, 'bin/pnc.js');
const PASSPHRASE = 'two-csms-nodes-test';
const ADMIN_TOKEN = 'admin-token-two-nodes-0123456789';
const STATION = 'CS-TWO-NODES-1';
const PROBE = 'CS-TWO-NODES-PROBE';
const PASSWORD = 'station-password-two-nodes-1';
/** The CSMS nodes' default directory TTL (csmsRoaming.ts): how stale node B's view of the registry may be. */
const DIRECTORY_TTL_MS = 5000;
/** Charge loops of the EV (100 ms apart): long enough for the move from A to B and meter updates on both. */
const CHARGE_LOOPS = 90;

const dir = scratch('pnc-two-csms-');
const PKI = join(dir.dir, 'pki');
const ENV = { PNC_PKI_PASSPHRASE: PASSPHRASE };

// ---------- processes ----------

/** A pino trace line as the processes write them on stderr. */
interface TraceLine {
  readonly kind?: string;
  readonly party?: string;
  readonly session?: string;
  readonly message?: string;
  readonly check?: string;
  readonly verdict?: string;
  readonly error?: string;
  readonly detail?: string;
}

interface PncProcess {
  readonly what: string;
  readonly child: ChildProcess;
  readonly ready: Readonly<Record<string, unknown>>;
  traces(): TraceLine[];
  output(): string;
  waitForTrace(predicate: (t: TraceLine) => boolean, timeoutMs: number, what: string): Promise<TraceLine>;
  /** SIGTERM (SIGKILL after 10 s); resolves when gone. */
  stop(): Promise<void>;
  /** SIGKILL; resolves when gone. */
  kill(): Promise<void>;
}

const MAX_OUTPUT = 16 * 1024 * 1024;
const running = new Set<PncProcess>();

function gone(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts a long-running `pnc` command and resolves with its ready line (JSON, or `legacy` for a text line). */
function startPnc(what: string, args: readonly string[], legacy?: RegExp): Promise<PncProcess> {
  const child = spawn(process.execPath, [PNC, ...args], { cwd: ROOT, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-MAX_OUTPUT)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-MAX_OUTPUT)));
  const traces = (): TraceLine[] =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as TraceLine];
        } catch {
          return []; // a line still being written
        }
      });
  const output = (): string => `--- ${what} stdout\n${stdout.slice(-4000)}\n--- ${what} stderr\n${stderr.slice(-8000)}`;
  const p = new Promise<PncProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: not ready within 30 s\n${output()}`));
    }, 30_000);
    const onExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${signal ?? code}) before it was ready\n${output()}`));
    };
    child.once('exit', onExit);
    const onData = (): void => {
      for (const line of stdout.split('\n')) {
        let ready: Record<string, unknown> | undefined;
        if (line.startsWith('{')) {
          try {
            const v = JSON.parse(line) as Record<string, unknown>;
            if (v.ready === true) ready = v;
          } catch {
            // incomplete line
          }
        } else if (legacy?.test(line)) {
          ready = { ready: true, line };
        }
        if (ready) {
          clearTimeout(timer);
          child.off('exit', onExit);
          child.stdout.off('data', onData);
          const proc: PncProcess = {
            what,
            child,
            ready,
            traces,
            output,
            async waitForTrace(predicate, timeoutMs, description) {
              return until(() => traces().find(predicate), timeoutMs, `${what}: ${description}`, () => output());
            },
            async stop() {
              if (child.exitCode !== null || child.signalCode !== null) return;
              child.kill('SIGTERM');
              const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
              await gone(child);
              clearTimeout(t);
              running.delete(proc);
            },
            async kill() {
              child.kill('SIGKILL');
              await gone(child);
              running.delete(proc);
            },
          };
          running.add(proc);
          resolve(proc);
          return;
        }
      }
    };
    child.stdout.on('data', onData);
  });
  return p;
}

/** A one-shot `pnc` command, in this process (the same code the binary runs). */
async function pnc(...argv: string[]): Promise<string> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), env: ENV };
  const code = await run(argv, io);
  if (code !== 0) throw new Error(`pnc ${argv.slice(0, 3).join(' ')} … exited ${code}: ${err}${out}`);
  return out;
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string, context?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context ? `\n${context()}` : ''}`);
    await sleep(50);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const portOf = (url: unknown): number => Number(new URL(String(url)).port);

/** `tx <id> seqNo <n>` at the start of the CSMS's TransactionEvent trace details. */
function seqNoOf(t: TraceLine, transactionId: string): number | undefined {
  const m = /^tx (\S+) seqNo (\d+)/.exec(t.detail ?? '');
  return m && m[1] === transactionId ? Number(m[2]) : undefined;
}

/** seqNos a node recorded (applied for the first time), by event type. */
function recorded(node: PncProcess, transactionId: string): { seqNo: number; eventType: string }[] {
  return node
    .traces()
    .filter((t) => t.kind === 'verdict' && t.session === STATION && / recorded/.test(t.verdict ?? '') && seqNoOf(t, transactionId) !== undefined)
    .map((t) => ({ seqNo: seqNoOf(t, transactionId)!, eventType: (t.verdict ?? '').split(' ')[0]! }));
}

function duplicates(node: PncProcess, transactionId: string): number[] {
  return node
    .traces()
    .filter((t) => t.kind === 'verdict' && t.verdict === 'duplicate: answered as before' && t.session === STATION)
    .flatMap((t) => (seqNoOf(t, transactionId) !== undefined ? [seqNoOf(t, transactionId)!] : []));
}

// ---------- shared set-up: PostgreSQL, PKI, OCSP responder ----------

let postgres: TestPostgresStatus = { available: false, reason: 'not started' };
let ocsp: PncProcess | undefined;
let ocspOrigin = '';
let emaid = '';

beforeAll(async () => {
  postgres = await startTestPostgres();
  if (!postgres.available) return;
  const ocspPort = await freePort();
  ocspOrigin = `http://127.0.0.1:${ocspPort}`;
  await pnc('pki', 'init', '--dir', PKI, '--protocol', 'iso2', '--ocsp-url', `${ocspOrigin}/ocsp`);
  ocsp = await startPnc('pnc ocsp serve', ['ocsp', 'serve', '--dir', PKI, '--port', String(ocspPort), '--log-level', 'warn'], /listening on/);
  const contracts = evStore(PKI, 'iso2').contracts;
  expect(contracts.length).toBeGreaterThan(0);
  emaid = contracts[0]!;
}, 60_000);

afterAll(async () => {
  await ocsp?.stop();
  for (const p of [...running]) await p.kill();
  if (postgres.available) await postgres.server.stop();
  dir.cleanup();
});

// ---------- one fleet per test: a database, the MSP, nodes A and B, the switch, the charger ----------

interface Fleet {
  readonly dbUrl: string;
  readonly db: StoreDatabase<TransactionTables & StationTables>;
  readonly mspDbUrl: string;
  readonly msp: PncProcess;
  readonly a: PncProcess;
  readonly b: PncProcess;
  readonly sw: TcpSwitch;
  readonly station: ChargingStation;
  readonly stationStore: SqlChargerStateStore;
  readonly chargerEvents: TraceEvent[];
  /** Called synchronously with every charger trace event (the charger's own tracer listener). */
  onChargerEvent: (e: TraceEvent) => void;
  /** ms from the registration through node A until node B's billing found the eMSP. */
  readonly bSawEmspAfterMs: number;
}

let fleetNo = 0;
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  cleanups = [];
});

/** Authorize for the PKI's contract, sent by a second station straight to `node` (not through the switch). */
async function probeAuthorize(node: PncProcess, chainPem: string): Promise<string> {
  const connection = connectToCsms({
    url: String(node.ready.ocppUrl),
    identity: PROBE,
    security: { profile: 1, basicAuthPassword: PASSWORD },
    backOff: { waitMinimumMs: 100, randomRangeMs: 0, repeatTimes: 0 },
    pingIntervalMs: 0,
  });
  try {
    const peer = await connection.waitForConnection({ timeoutMs: 5000 });
    const answer = await peer.call('Authorize', { idToken: { idToken: emaid, type: 'eMAID' }, certificate: chainPem }, { timeoutMs: 5000 });
    return answer.idTokenInfo.status;
  } finally {
    await connection.close({ force: true });
  }
}

async function startFleet(ctx: TestContext): Promise<Fleet> {
  if (!postgres.available) return ctx.skip(`PostgreSQL unavailable: ${postgres.reason}`);
  const n = fleetNo++;
  const dbUrl = await postgres.server.createDatabase();
  const mspDbUrl = `sqlite:${join(dir.dir, `msp-${n}.db`)}`;

  // The MSP with the customer's account, and the token A a CPO registers with.
  await pnc('msp', 'account', 'add', '--db', mspDbUrl, '--emaid', emaid);
  const tokenA = parsePeerToken(await pnc('msp', 'peer', 'token', '--db', mspDbUrl));
  const msp = await startPnc('pnc msp serve', ['msp', 'serve', '--db', mspDbUrl, '--port', '0', '--log-level', 'info']);
  cleanups.push(() => msp.stop());

  // The fleet in the shared database; both nodes start at once (their migrations serialise in PostgreSQL).
  await pnc('csms', 'station', 'add', STATION, '--db', dbUrl, '--password', PASSWORD);
  await pnc('csms', 'station', 'add', PROBE, '--db', dbUrl, '--password', PASSWORD);
  const csms = (nodeId: string): Promise<PncProcess> =>
    startPnc(`pnc csms serve (node ${nodeId})`, [
      'csms', 'serve',
      '--db', dbUrl,
      '--pki', PKI,
      '--port', '0',
      '--admin-port', '0',
      '--admin-token', ADMIN_TOKEN,
      '--ocsp-allow', ocspOrigin,
      '--allow-private-responders',
      '--node-id', nodeId,
      '--log-level', 'info',
    ]);
  const [a, b] = await Promise.all([csms('A'), csms('B')]);
  cleanups.push(() => a.stop(), () => b.stop());
  expect(a.ready).toMatchObject({ nodeId: 'A' });
  expect(b.ready).toMatchObject({ nodeId: 'B' });

  // Node B looks the eMSP up before it is registered: its directory now holds the empty registry for a TTL.
  const chainPem = evStore(PKI, 'iso2')
    .contract(emaid, PASSPHRASE)
    .chain.map((der) => encodePem('CERTIFICATE', der))
    .join('');
  expect(await probeAuthorize(b, chainPem)).not.toBe('Accepted');
  // Registered through node A's admin API; node B reads the registry from the database…
  const registeredAt = Date.now();
  const registration = JSON.parse(await pnc('csms', 'roaming', 'register', '--admin', String(a.ready.adminUrl), '--admin-token', ADMIN_TOKEN, '--versions-url', String(msp.ready.ocpiUrl), '--token', tokenA)) as {
    registered: { parties: string[] };
  };
  expect(registration.registered.parties).toContain('DE*PNC');
  const listedByB = JSON.parse(await pnc('csms', 'roaming', 'list', '--admin', String(b.ready.adminUrl), '--admin-token', ADMIN_TOKEN)) as unknown;
  expect(JSON.stringify(listedByB)).toContain('DE*PNC');
  // …and its billing path finds the eMSP once its cached view is older than the TTL.
  await until(async () => ((await probeAuthorize(b, chainPem)) === 'Accepted' ? true : undefined), DIRECTORY_TTL_MS + 3000, 'node B to authorise at the eMSP registered through node A', () => b.output());
  const bSawEmspAfterMs = Date.now() - registeredAt;

  const sw = await startTcpSwitch({ target: portOf(a.ready.ocppUrl) });
  cleanups.push(() => sw.close());

  // The charger (in this process, so its reconnect back-off can be short): OCPP through the switch, SECC on TLS.
  const stationStore = await openChargerStateStore(`sqlite:${join(dir.dir, `charger-${n}.db`)}`, { passphrase: PASSPHRASE });
  const keys = chargerStore(PKI, 'iso2');
  const seccLeaf = parseCertificate(keys.secc.chain[0]!);
  const chargerEvents: TraceEvent[] = [];
  const hook: { onChargerEvent: (e: TraceEvent) => void } = { onChargerEvent: () => undefined };
  const station = await ChargingStation.start({
    store: stationStore,
    passphrase: PASSPHRASE,
    station: { model: 'pnc-charger', vendorName: 'pnc-stack' },
    csms: {
      url: `ws://127.0.0.1:${sw.port}`,
      identity: STATION,
      security: { profile: 1, basicAuthPassword: PASSWORD },
      backOff: { waitMinimumMs: 200, randomRangeMs: 200, repeatTimes: 2 },
    },
    firstStart: {
      seccChains: [{ suite: 'iso2', chain: keys.secc.chain, keyPem: keys.secc.keyPem }],
      roots: keys.contractRoots.map((r) => ({ use: r.source.includes('mo-root') ? ('MORootCertificate' as const) : ('V2GRootCertificate' as const), der: r.der })),
      // A meter update every second: events keep coming while the charger moves from node to node.
      variables: { seccId: seccLeaf.subject.commonName ?? 'DE*PNC*E00001', txUpdatedIntervalS: '1' },
    },
    secc: { host: '127.0.0.1', port: 0, protocols: ['iso2'], evse: testEvse(seccLeaf.subject.commonName ?? undefined) },
    tracer: silentTracer('charger', [
      (e) => {
        chargerEvents.push(e);
        hook.onChargerEvent(e);
      },
    ]),
  });
  cleanups.push(async () => {
    await station.stop();
    await stationStore.close();
  });
  const db = await openDatabase<TransactionTables & StationTables>(dbUrl);
  cleanups.push(() => db.close());
  await a.waitForTrace((t) => t.check === 'station connected' && t.session === STATION, 10_000, 'the charger connected to node A');
  await until(() => (station.registered ? true : undefined), 10_000, 'BootNotification accepted');
  return {
    dbUrl,
    db,
    mspDbUrl,
    msp,
    a,
    b,
    sw,
    station,
    stationStore,
    chargerEvents,
    bSawEmspAfterMs,
    get onChargerEvent() {
      return hook.onChargerEvent;
    },
    set onChargerEvent(listener) {
      hook.onChargerEvent = listener;
    },
  };
}

function startEv(f: Fleet): Promise<EvSessionResult> {
  const ev = evStore(PKI, 'iso2');
  return runEvSession({
    secc: { host: '127.0.0.1', port: f.station.seccPort },
    protocol: 'iso2',
    security: 'tls',
    auth: 'pnc',
    energy: 'ac',
    contract: ev.contract(emaid, PASSPHRASE),
    seccTrust: createTrustStore(ev.v2gRoots),
    tracer: silentTracer('ev'),
    chargeLoops: CHARGE_LOOPS,
    chargeLoopPauseMs: 100,
    ongoingPollMs: 20,
  });
}

async function eventRows(f: Fleet, transactionId: string) {
  return f.db.db.selectFrom('csms_transaction_events').selectAll().where('station_id', '=', STATION).where('transaction_id', '=', transactionId).orderBy('seq_no').orderBy('id').execute();
}

/**
 * The PnC session starts on node A; once A recorded Started and a meter update, the answer to the next event is lost
 * on its way back; `move` then takes node A out of the charger's path (the charger reconnects to B through the
 * switch). Returns the transaction id and the seqNo whose answer was lost.
 */
async function sessionMovedMidTransaction(f: Fleet, move: () => Promise<void>): Promise<{ transactionId: string; lostSeqNo: number; ev: EvSessionResult }> {
  // The moment the charger has the answer to seqNo 1 (its tracer calls us synchronously, before it sends seqNo 2), the
  // switch starts losing what node A sends: seqNo 2 reaches node A and is recorded there, its answer never arrives.
  let losing = -1;
  f.onChargerEvent = (e) => {
    if (losing < 0 && e.kind === 'message' && e.message === 'TransactionEventResponse' && /^Updated seqNo 1\b/.test(e.detail ?? '')) losing = f.sw.loseReplies();
  };
  const ev = startEv(f);
  const started = await f.a.waitForTrace((t) => t.kind === 'verdict' && /^Started recorded/.test(t.verdict ?? '') && t.session === STATION, 20_000, 'Started recorded on node A');
  const transactionId = /^tx (\S+)/.exec(started.detail ?? '')![1]!;
  const lostSeqNo = 2;
  await f.a.waitForTrace((t) => t.kind === 'verdict' && /^Updated recorded/.test(t.verdict ?? '') && seqNoOf(t, transactionId) === lostSeqNo, 15_000, 'the event whose answer is lost, recorded on node A');
  // Only the charger's connection was affected (the probe station spoke to node B directly).
  expect(losing).toBe(1);
  const lostRow = (await eventRows(f, transactionId)).find((r) => r.seq_no === lostSeqNo);
  expect(lostRow?.response).not.toBeNull();
  expect(f.chargerEvents.some((e) => e.kind === 'message' && e.message === 'TransactionEventResponse' && /^Updated seqNo 2\b/.test(e.detail ?? ''))).toBe(false);

  await move();
  // The charger is back, on node B: the lost event comes again and is answered as the first copy.
  await f.b.waitForTrace((t) => t.check === 'station connected' && t.session === STATION, 15_000, 'the charger connected to node B');
  const again = await f.b.waitForTrace((t) => t.kind === 'verdict' && seqNoOf(t, transactionId) === lostSeqNo, 15_000, 'the re-sent event on node B');
  expect(again.verdict, 'the re-sent event is answered as the first copy, not recorded again').toBe('duplicate: answered as before');
  const result = await ev;
  return { transactionId, lostSeqNo, ev: result };
}

/** Everything §3 promises once the EV has left: one ended transaction, each seqNo once, one CDR at the MSP. */
async function expectCompletedOnce(f: Fleet, transactionId: string, lostSeqNo: number, opts: { readonly aAlive: boolean }): Promise<void> {
  const { a, b, db } = f;
  await b.waitForTrace((t) => t.kind === 'verdict' && /^Ended recorded/.test(t.verdict ?? '') && seqNoOf(t, transactionId) !== undefined, 15_000, 'Ended recorded on node B');
  const cdrId = cdrIdOf(STATION, transactionId);
  await f.msp.waitForTrace((t) => t.kind === 'message' && t.message === 'OCPI CDR' && (t.detail ?? '').includes(cdrId), 15_000, 'the CDR at the MSP');
  // Late copies would come now (a second node's dispatcher, a retry): give them time to show.
  await sleep(1500);
  await until(async () => ((await f.stationStore.queueLength()) === 0 ? true : undefined), 5000, 'the charger queue to drain');

  // The database: one transaction, ended, every seqNo once and answered.
  const transactions = await db.db.selectFrom('csms_transactions').selectAll().where('station_id', '=', STATION).execute();
  expect(transactions).toHaveLength(1);
  const tx = transactions[0]!;
  expect(tx).toMatchObject({ transaction_id: transactionId, state: 'ended', has_started: 1, first_seq_no: 0, cdr_state: 'sent', cdr_attempts: 1, cdr_emsp: 'DE*PNC', id_token_status: 'Accepted' });
  expect(tx.id_token?.replace(/-/g, '').toUpperCase()).toBe(emaid);
  const rows = await eventRows(f, transactionId);
  const seqNos = rows.map((r) => r.seq_no);
  expect(seqNos).toEqual(seqNos.map((_, i) => i));
  expect(tx.events_count).toBe(rows.length);
  expect(tx.last_seq_no).toBe(rows.length - 1);
  expect(tx.ended_seq_no).toBe(rows.length - 1);
  expect(rows.every((r) => r.response !== null && r.applied_at !== null)).toBe(true);
  expect(rows[0]!.event_type).toBe('Started');
  expect(rows.at(-1)!.event_type).toBe('Ended');
  expect(rows.slice(1, -1).every((r) => r.event_type === 'Updated')).toBe(true);
  expect(tx.meter_end_wh! - tx.meter_start_wh!).toBeGreaterThan(0);

  // The nodes' traces: each seqNo recorded by exactly one node, both nodes took part, the re-send was a duplicate.
  const onA = recorded(a, transactionId);
  const onB = recorded(b, transactionId);
  expect([...onA, ...onB].map((r) => r.seqNo).sort((x, y) => x - y)).toEqual(seqNos);
  expect(onA.map((r) => r.seqNo)).toContain(0);
  expect(onA.find((r) => r.seqNo === 0)?.eventType).toBe('Started');
  expect(onA.map((r) => r.seqNo)).toContain(lostSeqNo);
  expect(onB.map((r) => r.eventType)).toContain('Updated');
  expect(onB.at(-1)?.eventType).toBe('Ended');
  expect(duplicates(b, transactionId)).toEqual([lostSeqNo]);
  expect(duplicates(a, transactionId)).toEqual([]);
  expect(a.traces().filter((t) => t.message === 'AuthorizeRequest' && t.session === STATION)).toHaveLength(1);
  expect(b.traces().filter((t) => t.message === 'AuthorizeRequest' && t.session === STATION)).toHaveLength(0);
  for (const node of [a, b]) expect(node.traces().filter((t) => t.error === 'TransactionEvent not recorded' || t.error === 'TransactionEvent seqNo reused')).toEqual([]);

  // One CDR delivery in the whole fleet, by node B (it recorded Ended and its dispatcher was kicked), and one at the MSP.
  const sent = [...a.traces(), ...b.traces()].filter((t) => t.kind === 'verdict' && t.verdict === 'CDR sent');
  expect(sent).toHaveLength(1);
  expect(sent[0]!.detail).toContain(cdrId);
  if (!opts.aAlive) expect(b.traces().filter((t) => t.verdict === 'CDR sent')).toHaveLength(1);
  const atMsp = f.msp.traces().filter((t) => t.kind === 'message' && t.message === 'OCPI CDR');
  expect(atMsp).toHaveLength(1);
  expect(atMsp[0]!.detail).not.toContain('repeat');

  // The MSP's own record (read once it has stopped): one CDR, for this transaction, with the eMAID and the energy.
  await f.msp.stop();
  const mspStore = await openMspStore(f.mspDbUrl);
  try {
    const cdrs = await mspStore.cdrs.list();
    expect(cdrs).toHaveLength(1);
    const cdr = cdrs[0]!;
    expect(cdr).toMatchObject({ countryCode: 'DE', partyId: 'CPO', cdrId });
    const body = JSON.parse(cdr.body) as { cdr_token: { uid: string; contract_id: string }; total_energy: number };
    expect(body.cdr_token.uid).toBe(emaid);
    expect(body.cdr_token.contract_id.replace(/-/g, '').toUpperCase()).toBe(emaid);
    expect(body.total_energy).toBeCloseTo((tx.meter_end_wh! - tx.meter_start_wh!) / 1000, 4);
    expect(body.total_energy).toBeGreaterThan(0);
  } finally {
    await mspStore.close();
  }

  // The station registry (shared): node B holds the station's connection now.
  await until(
    async () => ((await db.db.selectFrom('csms_stations').select('connected_node').where('id', '=', STATION).executeTakeFirst())?.connected_node === 'B' ? true : undefined),
    5000,
    'the registry to show the station on node B',
  );

  // The charger saw one connection drop and came back; it holds nothing back.
  const connects = f.chargerEvents.filter((e) => e.kind === 'check' && e.check === 'CSMS connected');
  expect(connects.length).toBeGreaterThanOrEqual(2);
  expect(await f.stationStore.openTransactions()).toEqual([]);
  expect(f.sw.forwarded.get(portOf(a.ready.ocppUrl))).toBeGreaterThanOrEqual(1);
  expect(f.sw.forwarded.get(portOf(b.ready.ocppUrl))).toBeGreaterThanOrEqual(1);
}

describe('two CSMS processes sharing one PostgreSQL serve one fleet', () => {
  it('the balancer moves the station from node A to node B mid-transaction: completed once, one CDR', async (ctx) => {
    const f = await startFleet(ctx);
    expect(f.bSawEmspAfterMs).toBeLessThanOrEqual(DIRECTORY_TTL_MS + 3000);
    const { transactionId, lostSeqNo, ev } = await sessionMovedMidTransaction(f, () => {
      f.sw.switchTo(portOf(f.b.ready.ocppUrl));
      expect(f.sw.dropAll()).toBe(1);
      return Promise.resolve();
    });
    expect(ev.outcome).toBe('OK');
    await expectCompletedOnce(f, transactionId, lostSeqNo, { aAlive: true });
    // Node A stayed up and took no part after the move.
    expect(f.a.child.exitCode).toBeNull();
  }, 60_000);

  it('node A is killed (SIGKILL) mid-transaction: the station reconnects to node B, completed once, one CDR', async (ctx) => {
    const f = await startFleet(ctx);
    const { transactionId, lostSeqNo, ev } = await sessionMovedMidTransaction(f, async () => {
      await f.a.kill();
      expect(f.a.child.signalCode).toBe('SIGKILL');
      // The balancer notices a moment later; meanwhile the charger's reconnects to the dead node fail.
      await sleep(300);
      f.sw.switchTo(portOf(f.b.ready.ocppUrl));
    });
    expect(ev.outcome).toBe('OK');
    await expectCompletedOnce(f, transactionId, lostSeqNo, { aAlive: false });
  }, 60_000);
});

describe('tcp switch (test helper)', () => {
  it('forwards to the current target, moves new connections, cuts live ones and can lose replies', async () => {
    const { createServer, connect } = await import('node:net');
    const echo = async (tag: string) => {
      const s = createServer((c) => c.on('data', (d: Buffer) => c.write(`${tag}:${d.toString()}`)));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
      return { server: s, port: (s.address() as { port: number }).port };
    };
    const [one, two] = [await echo('one'), await echo('two')];
    const sw = await startTcpSwitch({ target: one.port });
    cleanups.push(() => sw.close());
    const client = async () => {
      const c = connect({ host: '127.0.0.1', port: sw.port });
      await new Promise<void>((r) => c.once('connect', () => r()));
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      c.on('error', () => undefined);
      const ask = (text: string, ms = 1000): Promise<string | undefined> =>
        new Promise((resolve) => {
          const t = setTimeout(() => resolve(undefined), ms);
          c.once('data', (d: Buffer) => {
            clearTimeout(t);
            resolve(d.toString());
          });
          c.write(text);
        });
      return { c, ask, closed };
    };
    const first = await client();
    expect(await first.ask('a')).toBe('one:a');
    sw.switchTo(two.port);
    expect(await first.ask('b')).toBe('one:b');
    const second = await client();
    expect(await second.ask('c')).toBe('two:c');
    expect(sw.loseReplies()).toBe(2);
    expect(await second.ask('d', 300)).toBeUndefined();
    const third = await client();
    expect(await third.ask('e')).toBe('two:e');
    expect(sw.dropAll()).toBe(3);
    await Promise.all([first.closed, second.closed, third.closed]);
    expect(sw.liveConnections).toBe(0);
    // A dead target: the client's connection is closed instead of hanging.
    await new Promise<void>((r) => two.server.close(() => r()));
    const port = two.port;
    two.server.unref();
    sw.switchTo(port);
    const fourth = await client();
    await fourth.closed;
    expect(Object.fromEntries(sw.forwarded)).toEqual({ [one.port]: 1, [two.port]: 2 });
    expect(() => sw.switchTo(0)).toThrow(RangeError);
  });
});
