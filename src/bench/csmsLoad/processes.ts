// Every process the CSMS load benchmark starts, and the exact `pnc` flags it starts them with — in one place, so the
// command lines can follow the CLI as it settles. Long-running commands announce readiness with one JSON line on
// stdout ({"ready":true,…}); their output is drained continuously (a full pipe would stall them) and only a tail is
// kept for error messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export class BenchProcessError extends Error {
  override readonly name = 'BenchProcessError';
}

/** The ready line of a long-running command (CLI contract), e.g. { ready, party, ocppUrl, adminUrl, ocpiUrl, pid }. */
export type ReadyLine = { readonly ready: true } & Readonly<Record<string, unknown>>;

export interface BenchProcess {
  readonly what: string;
  readonly pid: number;
  readonly ready: ReadyLine;
  readonly child: ChildProcess;
  /** The last few kB of stdout and stderr. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_BYTES = 4096;

/** bin/pnc.js of this checkout (the same relative path from src/ and from dist/). */
export function pncBin(): string {
  return fileURLToPath(new URL('../../../bin/pnc.js', import.meta.url));
}

/** A sibling entry point of this folder: `name`.js next to this module (dist/ when built). */
export function siblingEntry(name: string): string {
  return fileURLToPath(new URL(`./${name}.js`, import.meta.url));
}

function tailOf(child: ChildProcess): () => string {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-TAIL_BYTES)));
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-TAIL_BYTES)));
  return () => [out.trim() && `stdout: ${out.trim()}`, err.trim() && `stderr: ${err.trim()}`].filter(Boolean).join('\n');
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Parses a ready line; `legacy` also accepts a text line (e.g. `pnc ocsp serve`'s "listening on …"). */
export function parseReadyLine(line: string, legacy?: RegExp): ReadyLine | undefined {
  const t = line.trim();
  if (t.startsWith('{')) {
    try {
      const v = JSON.parse(t) as unknown;
      if (typeof v === 'object' && v !== null && (v as { ready?: unknown }).ready === true) return v as ReadyLine;
    } catch {
      return undefined;
    }
  }
  if (legacy) {
    const m = legacy.exec(t);
    if (m) return { ready: true, line: t, ...(m.groups?.url ? { url: m.groups.url } : {}) };
  }
  return undefined;
}

export interface StartOptions {
  readonly what: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
  readonly legacyReady?: RegExp;
}

/** Starts a long-running process and resolves with its ready line; rejects when it exits or stays silent. */
export function startProcess(o: StartOptions): Promise<BenchProcess> {
  const child = spawn(o.command, [...o.args], { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = tailOf(child);
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited(child);
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      void stop(1000).then(() => reject(new BenchProcessError(`${o.what}: ${message}\n${tail()}`)));
    };
    const timer = setTimeout(() => fail(`no ready line within ${o.readyTimeoutMs ?? 60_000} ms`), o.readyTimeoutMs ?? 60_000);
    const onData = (d: Buffer): void => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const ready = parseReadyLine(buffered.slice(0, nl), o.legacyReady);
        buffered = buffered.slice(nl + 1);
        if (ready) {
          settled = true;
          clearTimeout(timer);
          child.stdout.off('data', onData);
          child.off('exit', onExit);
          resolve({ what: o.what, pid: child.pid!, ready, child, tail, stop });
          return;
        }
      }
      if (buffered.length > 65_536) buffered = buffered.slice(-65_536);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`exited (${signal ?? code}) before it was ready`);
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (e) => fail(e.message));
  });
}

/** Runs a command to completion; resolves with its stdout, rejects with the output tail when it fails. */
export function runToEnd(o: { readonly what: string; readonly command: string; readonly args: readonly string[]; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.command, [...o.args], { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-1_048_576)));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-TAIL_BYTES)));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new BenchProcessError(`${o.what}: ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new BenchProcessError(`${o.what} failed (${signal ?? code}): ${stderr.trim() || stdout.trim().slice(-TAIL_BYTES)}`));
    });
  });
}

// ---- the pnc command lines (adjust here when the CLI changes) ----

const pnc = (args: readonly string[]): { command: string; args: string[] } => ({ command: process.execPath, args: [pncBin(), ...args] });

/** Node flags for the CSMS process only, e.g. PNC_BENCH_CSMS_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it. */
function csmsNodeFlags(): string[] {
  const flags = process.env.PNC_BENCH_CSMS_NODE_FLAGS;
  return flags ? flags.split(/\s+/).filter((f) => f.length > 0) : [];
}

export const pncCommands = {
  /** `pnc ocsp serve` prints a text line today; the JSON ready line is accepted as well. */
  ocspServe: (o: { dir: string; port: number; logLevel: string }) => ({ ...pnc(['ocsp', 'serve', '--dir', o.dir, '--host', '127.0.0.1', '--port', String(o.port), '--log-level', o.logLevel]), legacyReady: /listening on (?<url>\S+)/ }),
  mspAccountAdd: (o: { db: string; emaid: string }) => pnc(['msp', 'account', 'add', '--db', o.db, '--emaid', o.emaid]),
  mspPeerToken: (o: { db: string; name: string }) => pnc(['msp', 'peer', 'token', '--db', o.db, '--name', o.name]),
  mspServe: (o: { db: string; port: number; country: string; party: string; logLevel: string }) =>
    pnc(['msp', 'serve', '--db', o.db, '--host', '127.0.0.1', '--port', String(o.port), '--country', o.country, '--party', o.party, '--public-url', `http://127.0.0.1:${o.port}`, '--log-level', o.logLevel]),
  csmsStationAddMany: (o: { db: string; prefix: string; count: number; password: string }) => pnc(['csms', 'station', 'add-many', '--db', o.db, '--prefix', o.prefix, '--count', String(o.count), '--password', o.password]),
  csmsServe: (o: { db: string; pki: string; port: number; adminPort: number; ocpiPort: number; adminToken: string; ocspOrigin: string; ocspCache: 'on' | 'off'; logLevel: string }) => {
    const command = pnc([
      'csms', 'serve',
      '--db', o.db,
      '--pki', o.pki,
      '--host', '127.0.0.1',
      '--port', String(o.port),
      '--security-profile', '1',
      '--admin-port', String(o.adminPort),
      '--admin-token', o.adminToken,
      '--ocpi-port', String(o.ocpiPort),
      '--ocsp-allow', o.ocspOrigin,
      '--allow-private-responders',
      '--node-id', 'bench-1',
      '--log-level', o.logLevel,
      ...(o.ocspCache === 'off' ? ['--ocsp-cache', 'off'] : []),
    ]);
    return { command: command.command, args: [...csmsNodeFlags(), ...command.args] };
  },
  csmsRoamingRegister: (o: { adminUrl: string; adminToken: string; versionsUrl: string; token: string }) =>
    pnc(['csms', 'roaming', 'register', '--admin', o.adminUrl, '--admin-token', o.adminToken, '--versions-url', o.versionsUrl, '--token', o.token]),
  /** The load generator and the canned CSMS: compiled siblings of this module. */
  loadGenerator: (configFile: string, entry = siblingEntry('loadGeneratorMain')) => ({ command: process.execPath, args: [entry, '--config', configFile] }),
  cannedCsms: (port: number, entry = siblingEntry('cannedCsmsMain')) => ({ command: process.execPath, args: [entry, '--port', String(port)] }),
};

/** The token `pnc msp peer token` prints: a JSON object's `token` field, or the last non-empty line. */
export function parsePeerToken(stdout: string): string {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1];
  if (last === undefined) throw new BenchProcessError('pnc msp peer token printed nothing');
  if (last.startsWith('{')) {
    try {
      const v = JSON.parse(last) as { token?: unknown };
      if (typeof v.token === 'string' && v.token !== '') return v.token;
    } catch {
      // not JSON after all: the line itself is the token
    }
    throw new BenchProcessError(`pnc msp peer token printed no token: ${last.slice(0, 200)}`);
  }
  if (/\s/.test(last)) throw new BenchProcessError(`pnc msp peer token printed no token: ${last.slice(0, 200)}`);
  return last;
}
