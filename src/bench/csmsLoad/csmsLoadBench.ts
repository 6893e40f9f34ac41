// `pnc bench csms-load`: the whole backend as separate processes on loopback — OCSP responder, MSP, CSMS — and the
// load generator in its own process, for each database (SQLite, PostgreSQL) × OCSP mode (cached, uncached). Per run:
// a fresh CSMS database with N stations registered, the CSMS connected to the MSP over OCPI, N station connections
// ramped up, then PnC Authorize + TransactionEvent cycles; the CSMS's RSS (VmRSS/VmHWM) and CPU come from /proc.
// Optionally a ceiling row: the same load against a canned CSMS that does no work (the transport limit here).
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../cli/io.js';
import { initPki, issueContractInPki } from '../../pki/generator/pkiDirectory.js';
import { SUITES, type Suite } from '../../pki/generator/testPki.js';
import { startBenchPostgres, type BenchPostgres } from './benchPostgres.js';
import { contractTokensFromPki } from './contractTokens.js';
import { CSMS_LOAD_TARGETS, failedRow, formatTable, formatVerdicts, rowFromRun, rowVerdict, type CsmsLoadRow, type DbMode, type OcspMode } from './csmsLoadTable.js';
import { freePort } from './freePort.js';
import { LOAD_DEFAULTS, type LoadGeneratorConfig, type LoadToken } from './loadConfig.js';
import type { LoadReport } from './loadReport.js';
import { ProcessSampler, type ProcessUsage } from './procStats.js';
import { BenchProcessError, parsePeerToken, pncCommands, runToEnd, startProcess, type BenchProcess } from './processes.js';

export interface CsmsLoadBenchOptions {
  readonly stations: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly inflight: number;
  readonly ratePerSecond?: number;
  readonly dbs: readonly DbMode[];
  readonly ocspModes: readonly OcspMode[];
  /** Contract certificates (eMAIDs) the cycles rotate over, each with an MSP account. */
  readonly contracts: number;
  readonly suite: Suite;
  readonly transactionEvery: number;
  readonly connectConcurrency: number;
  readonly requestTimeoutMs: number;
  /** --log-level of the CSMS, MSP and OCSP processes. */
  readonly logLevel: string;
  /** Also run the load against the canned CSMS. */
  readonly ceiling: boolean;
  /** Keep the temp dir (PKI, databases, configs) for a look afterwards. */
  readonly keep: boolean;
  readonly json: boolean;
  /** Entry points of the generator and the canned CSMS when not the compiled siblings (tests run from src/). */
  readonly entries?: { readonly node?: readonly string[]; readonly loadGenerator?: string; readonly cannedCsms?: string };
}

export const CSMS_LOAD_BENCH_DEFAULTS = {
  stations: 10_000,
  durationS: 30,
  warmupS: 5,
  inflight: 256,
  dbs: ['sqlite', 'postgres'],
  ocspModes: ['cached', 'uncached'],
  contracts: 20,
  suite: 'iso2',
  transactionEvery: 1,
  connectConcurrency: LOAD_DEFAULTS.connectConcurrency,
  requestTimeoutMs: LOAD_DEFAULTS.requestTimeoutMs,
  logLevel: 'warn',
  ceiling: false,
  keep: false,
  json: false,
} as const satisfies Omit<CsmsLoadBenchOptions, 'ratePerSecond' | 'entries'>;

export interface CsmsLoadRun {
  readonly row: CsmsLoadRow;
  readonly report?: LoadReport;
  readonly csms?: ProcessUsage;
  readonly ocsp?: ProcessUsage;
  readonly msp?: ProcessUsage;
}

export interface CsmsLoadBenchResult {
  readonly targets: typeof CSMS_LOAD_TARGETS;
  readonly machine: { readonly cpus: number; readonly loadAverageAtStart: readonly number[]; readonly node: string };
  readonly options: Omit<CsmsLoadBenchOptions, 'entries' | 'json' | 'keep'>;
  readonly rows: readonly CsmsLoadRow[];
  readonly runs: readonly CsmsLoadRun[];
  /** Every OCSP-cached row met every target. */
  readonly meetsTargets: boolean;
}

const COUNTRY = 'DE';
const PARTY = 'PNC';
const STATION_PREFIX = 'LOAD-';

/** Runs the generator process; marks the samplers at its phases; resolves with its report. */
function runGenerator(command: string, args: readonly string[], samplers: readonly ProcessSampler[], log: (line: string) => void): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    let pendingErr = '';
    const marked = new Set<string>();
    const mark = (name: string): void => {
      if (marked.has(name)) return;
      marked.add(name);
      for (const s of samplers) s.mark(name);
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.length > 16 * 1024 * 1024) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => {
      pendingErr += d.toString();
      stderrTail = (stderrTail + d.toString()).slice(-4096);
      let nl: number;
      while ((nl = pendingErr.indexOf('\n')) >= 0) {
        const line = pendingErr.slice(0, nl);
        pendingErr = pendingErr.slice(nl + 1);
        let event: Record<string, unknown> | undefined;
        try {
          event = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        const phase = event.phase;
        if (phase === 'connected') mark('connected');
        if (phase === 'measure') mark('measure');
        if (phase === 'drain') mark('drain');
        if (typeof phase === 'string') log(`  generator ${Object.entries(event).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}`);
      }
    });
    child.once('error', (e) => reject(new BenchProcessError(`load generator: ${e.message}`)));
    child.once('exit', (code, signal) => {
      if (code !== 0) {
        reject(new BenchProcessError(`load generator exited (${signal ?? code}): ${stderrTail.trim()}`));
        return;
      }
      let report: LoadReport;
      try {
        report = JSON.parse(stdout) as LoadReport;
      } catch {
        reject(new BenchProcessError(`load generator printed no JSON report: ${stdout.slice(0, 300)}`));
        return;
      }
      if (report.format !== 'pnc-csms-load/1') {
        reject(new BenchProcessError(`load generator report has format ${String(report.format)}`));
        return;
      }
      resolve(report);
    });
  });
}

interface Backend {
  readonly ocsp: BenchProcess;
  readonly msp: BenchProcess;
  readonly versionsUrl: string;
  /** One credentials token A per CSMS run. */
  readonly peerTokens: readonly string[];
}

type Mode = { readonly mode: string; readonly db: CsmsLoadRow['db']; readonly ocsp: CsmsLoadRow['ocsp'] };

/** What every run of one benchmark shares. */
interface Bench {
  readonly o: CsmsLoadBenchOptions;
  readonly log: (line: string) => void;
  readonly dir: string;
  readonly pkiDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly node: readonly string[];
  readonly ocspOrigin: string;
  readonly ocspPort: number;
  readonly emaids: readonly string[];
  readonly tokens: readonly LoadToken[];
  readonly password: string;
  readonly adminToken: string;
  /** Long-running processes to stop at the end, in start order. */
  readonly started: BenchProcess[];
}

/** PKI with the OCSP responder's URL in every AIA, and the contracts the cycles rotate over. */
async function prepare(o: CsmsLoadBenchOptions, log: (line: string) => void, dir: string): Promise<Bench> {
  const passphrase = randomBytes(12).toString('base64url');
  const ocspPort = await freePort();
  const ocspOrigin = `http://127.0.0.1:${ocspPort}`;
  const protocol = SUITES[o.suite].protocol;
  const pkiDir = join(dir, 'pki');
  initPki(pkiDir, { protocol, ocspUrl: `${ocspOrigin}/ocsp`, passphrase });
  const emaids: string[] = [];
  for (let i = 0; i < o.contracts; i++) {
    const [entry] = issueContractInPki(pkiDir, { emaid: `${COUNTRY}-${PARTY}-C${String(1000 + i).padStart(8, '0')}`, protocol, passphrase });
    if (entry) emaids.push(entry.name.slice('contract/'.length));
  }
  const tokens = contractTokensFromPki(pkiDir, o.suite, emaids);
  log(`PKI ${o.suite} with ${tokens.length} contracts in ${dir}`);
  return {
    o,
    log,
    dir,
    pkiDir,
    env: { PNC_PKI_PASSPHRASE: passphrase },
    node: [process.execPath, ...(o.entries?.node ?? [])],
    ocspOrigin,
    ocspPort,
    emaids,
    tokens,
    password: randomBytes(12).toString('base64url'),
    adminToken: randomBytes(18).toString('base64url'),
    started: [],
  };
}

/** OCSP responder and MSP, shared by the CSMS runs: an MSP account per eMAID and a token A per run, made before it serves. */
async function startBackend(b: Bench, runCount: number): Promise<Backend> {
  const { o, env } = b;
  const ocsp = await startProcess({ what: 'pnc ocsp serve', ...pncCommands.ocspServe({ dir: b.pkiDir, port: b.ocspPort, logLevel: o.logLevel }), env });
  b.started.push(ocsp);
  const mspDb = `sqlite:${join(b.dir, 'msp.db')}`;
  for (const emaid of b.emaids) await runToEnd({ what: 'pnc msp account add', ...pncCommands.mspAccountAdd({ db: mspDb, emaid }), env });
  const peerTokens: string[] = [];
  for (let i = 0; i < runCount; i++) peerTokens.push(parsePeerToken(await runToEnd({ what: 'pnc msp peer token', ...pncCommands.mspPeerToken({ db: mspDb, name: `bench-cpo-${i + 1}` }), env })));
  const mspPort = await freePort();
  const msp = await startProcess({ what: 'pnc msp serve', ...pncCommands.mspServe({ db: mspDb, port: mspPort, country: COUNTRY, party: PARTY, logLevel: o.logLevel }), env });
  b.started.push(msp);
  const r = msp.ready;
  const versionsUrl = typeof r.ocpiUrl === 'string' ? r.ocpiUrl : typeof r.versionsUrl === 'string' ? r.versionsUrl : `http://127.0.0.1:${mspPort}/ocpi/versions`;
  b.log(`OCSP responder ${b.ocspOrigin} (pid ${ocsp.pid}), MSP ${versionsUrl} (pid ${msp.pid}) with ${b.emaids.length} accounts`);
  return { ocsp, msp, versionsUrl, peerTokens };
}

/** One CSMS run: fresh database with the stations, `pnc csms serve`, OCPI registration at the MSP, then the load. */
async function runCsms(b: Bench, backend: Backend, mode: Mode & { readonly ocsp: OcspMode }, index: number, database: () => Promise<string>): Promise<CsmsLoadRun> {
  const { o, env } = b;
  let csms: BenchProcess | undefined;
  try {
    const db = await database();
    await runToEnd({ what: 'pnc csms station add-many', ...pncCommands.csmsStationAddMany({ db, prefix: STATION_PREFIX, count: o.stations, password: b.password }), env, timeoutMs: 600_000 });
    const [port, adminPort, ocpiPort] = [await freePort(), await freePort(), await freePort()];
    csms = await startProcess({
      what: 'pnc csms serve',
      ...pncCommands.csmsServe({ db, pki: b.pkiDir, port, adminPort, ocpiPort, adminToken: b.adminToken, ocspOrigin: b.ocspOrigin, ocspCache: mode.ocsp === 'cached' ? 'on' : 'off', logLevel: o.logLevel }),
      env,
    });
    const adminUrl = typeof csms.ready.adminUrl === 'string' ? csms.ready.adminUrl : `http://127.0.0.1:${adminPort}`;
    const ocppUrl = typeof csms.ready.ocppUrl === 'string' ? csms.ready.ocppUrl : `ws://127.0.0.1:${port}`;
    const token = backend.peerTokens[index];
    if (token === undefined) throw new BenchProcessError(`no credentials token for run ${index + 1}`);
    await runToEnd({ what: 'pnc csms roaming register', ...pncCommands.csmsRoamingRegister({ adminUrl, adminToken: b.adminToken, versionsUrl: backend.versionsUrl, token }), env });
    b.log(`  CSMS ${ocppUrl} (pid ${csms.pid}) registered with the MSP; ${o.stations} stations`);
    return await measure(b, mode, ocppUrl, { csms: csms.pid, ocsp: backend.ocsp.pid, msp: backend.msp.pid });
  } finally {
    await csms?.stop();
  }
}

/** The same load against the canned CSMS. */
async function runCeiling(b: Bench): Promise<CsmsLoadRun> {
  let canned: BenchProcess | undefined;
  try {
    const c = pncCommands.cannedCsms(0, b.o.entries?.cannedCsms);
    canned = await startProcess({ what: 'canned CSMS', command: c.command, args: [...b.node.slice(1), ...c.args] });
    if (typeof canned.ready.ocppUrl !== 'string') throw new BenchProcessError('the canned CSMS announced no ocppUrl');
    return await measure(b, { mode: 'ceiling', db: 'none', ocsp: 'none' }, canned.ready.ocppUrl, { csms: canned.pid });
  } finally {
    await canned?.stop();
  }
}

/** Runs the generator against `url` while sampling the CSMS (and OCSP responder and MSP) from /proc. */
async function measure(b: Bench, mode: Mode, url: string, pids: { readonly csms: number; readonly ocsp?: number; readonly msp?: number }): Promise<CsmsLoadRun> {
  const { o } = b;
  const config: LoadGeneratorConfig = {
    ...LOAD_DEFAULTS,
    url,
    stations: { prefix: STATION_PREFIX, first: 1, count: o.stations, password: b.password },
    tokens: b.tokens,
    inflight: o.inflight,
    ...(o.ratePerSecond !== undefined ? { ratePerSecond: o.ratePerSecond } : {}),
    durationS: o.durationS,
    warmupS: o.warmupS,
    connectConcurrency: o.connectConcurrency,
    requestTimeoutMs: o.requestTimeoutMs,
    transactionEvery: o.transactionEvery,
    progressIntervalMs: 5000,
  };
  const file = join(b.dir, `load-${mode.mode.replace(/\W+/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(config));
  const csms = new ProcessSampler(pids.csms).start();
  const ocsp = pids.ocsp !== undefined ? new ProcessSampler(pids.ocsp).start() : undefined;
  const msp = pids.msp !== undefined ? new ProcessSampler(pids.msp).start() : undefined;
  const samplers = [csms, ...(ocsp ? [ocsp] : []), ...(msp ? [msp] : [])];
  const g = pncCommands.loadGenerator(file, o.entries?.loadGenerator);
  // CPU between the generator's `measure` and `drain` phases: the measured window.
  const stop = (): { csms: ProcessUsage; ocsp?: ProcessUsage; msp?: ProcessUsage } => ({
    csms: csms.stop('measure', 'drain'),
    ...(ocsp ? { ocsp: ocsp.stop('measure', 'drain') } : {}),
    ...(msp ? { msp: msp.stop('measure', 'drain') } : {}),
  });
  const report = await runGenerator(g.command, [...b.node.slice(1), ...g.args], samplers, b.log).catch((e: unknown) => {
    stop();
    throw e;
  });
  const usage = stop();
  return { row: rowFromRun(mode, report, usage.csms), report, ...usage };
}

/** Open-file limit of this process (children inherit it): each station is one descriptor in the generator and the CSMS. */
function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m && m[1] !== 'unlimited' ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function runCsmsLoadBench(options: CsmsLoadBenchOptions, io: CliIo): Promise<CsmsLoadBenchResult> {
  const o = options;
  const log = (line: string): void => (o.json ? io.err : io.out)(`${line}\n`);
  const machine = { cpus: cpus().length, loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version };
  log(
    `CSMS load: ${o.stations} stations, ${o.ratePerSecond !== undefined ? `open loop ${o.ratePerSecond} Authorize/s (≤ ${o.inflight} in flight)` : `closed loop, ${o.inflight} cycles in flight`}, ` +
      `${o.warmupS} s warm-up + ${o.durationS} s measured; ${machine.cpus} CPUs, load average ${machine.loadAverageAtStart.join(' ')}`,
  );
  log(`targets: ${CSMS_LOAD_TARGETS.stations} stations held, ≥ ${CSMS_LOAD_TARGETS.authorizePerSecond} PnC Authorize/s with OCSP cached, p99 ≤ ${CSMS_LOAD_TARGETS.p99Ms} ms, CSMS RSS ≤ ${CSMS_LOAD_TARGETS.rssMb} MB`);
  const limit = openFileLimit();
  if (limit !== undefined && limit < o.stations + 512) log(`warning: the open-file limit is ${limit}; ${o.stations} stations need about ${o.stations + 512} descriptors per process (ulimit -n)`);

  const dir = mkdtempSync(join(tmpdir(), 'pnc-bench-csms-'));
  const runs: CsmsLoadRun[] = [];
  let bench: Bench | undefined;
  let postgres: Promise<BenchPostgres> | undefined;
  try {
    const b = (bench = await prepare(o, log, dir));
    const modes = o.dbs.flatMap((db) => o.ocspModes.map((ocsp) => ({ db, ocsp, mode: `${db} ${ocsp}` })));
    let backend: Backend | undefined;
    if (modes.length > 0) {
      try {
        backend = await startBackend(b, modes.length);
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        // Without OCSP responder and MSP no CSMS run can start; each says why, and the ceiling still runs.
        log(`backend did not start: ${e.message}`);
        for (const mode of modes) runs.push({ row: failedRow(mode, o.stations, `backend did not start: ${e.message}`) });
      }
    }
    for (const [i, mode] of modes.entries()) {
      if (!backend) break;
      log(`\n${mode.mode}:`);
      // PostgreSQL starts when its first run needs it; if it cannot, those runs fail and the others go on.
      const database = async (): Promise<string> => {
        if (mode.db === 'sqlite') return `sqlite:${join(dir, `csms-${i + 1}.db`)}`;
        postgres ??= startBenchPostgres(io.env).then((p) => (log(`  PostgreSQL: ${p.source}`), p));
        return (await postgres).createDatabase();
      };
      try {
        runs.push(await runCsms(b, backend, mode, i, database));
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        // A command missing or a process dying fails this run only; its row says why.
        log(`  did not run: ${e.message}`);
        runs.push({ row: failedRow(mode, o.stations, e.message) });
      }
    }
    if (o.ceiling) {
      log('\nceiling (canned CSMS: no auth, no validation, no OCSP, no database):');
      try {
        runs.push(await runCeiling(b));
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        log(`  did not run: ${e.message}`);
        runs.push({ row: failedRow({ mode: 'ceiling', db: 'none', ocsp: 'none' }, o.stations, e.message) });
      }
    }
  } finally {
    for (const p of [...(bench?.started ?? [])].reverse()) await p.stop();
    // A PostgreSQL that failed to start was reported in its runs' rows; there is nothing to stop then.
    if (postgres) await (await postgres.catch(() => undefined))?.stop();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }

  const rows = runs.map((r) => r.row);
  log('');
  for (const line of formatTable(rows)) log(line);
  log('');
  for (const line of formatVerdicts(rows)) log(line);
  const generatorBusy = rows.filter((r) => r.failure === undefined && r.generatorCpuPercent >= 90);
  if (generatorBusy.length) log(`note: the load generator used ≥ 90 % of a core in ${generatorBusy.map((r) => r.mode).join(', ')}: it may be what limits those rows`);
  const cached = rows.filter((r) => r.ocsp === 'cached');
  const { entries: _entries, json: _json, keep: _keep, ...shown } = o;
  const result: CsmsLoadBenchResult = {
    targets: CSMS_LOAD_TARGETS,
    machine,
    options: shown,
    rows,
    runs,
    meetsTargets: cached.length > 0 && cached.every((r) => rowVerdict(r).meetsTargets === true),
  };
  if (o.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  return result;
}
