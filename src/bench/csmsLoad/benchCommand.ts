// `pnc bench csms-load`: the CLI glue (main.ts registers it on the `bench` command).
import { Option, type Command } from 'commander';
import { Exit, UsageError, type CliIo } from '../../cli/io.js';
import { SUITES, type Suite } from '../../pki/generator/testPki.js';
import { CSMS_LOAD_BENCH_DEFAULTS, runCsmsLoadBench, type CsmsLoadBenchOptions } from './csmsLoadBench.js';
import type { DbMode, OcspMode } from './csmsLoadTable.js';

export interface CsmsLoadArgs {
  stations?: string;
  duration?: string;
  warmup?: string;
  inflight?: string;
  rate?: string;
  db?: string;
  ocsp?: string;
  contracts?: string;
  suite?: string;
  txEvery?: string;
  connectConcurrency?: string;
  timeout?: string;
  logLevel?: string;
  ceiling?: boolean;
  keep?: boolean;
  json?: boolean;
}

function number(value: string | undefined, fallback: number, option: string, o: { min: number; max: number; integer?: boolean }): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < o.min || n > o.max || (o.integer && !Number.isInteger(n))) {
    throw new UsageError(`${option} expects ${o.integer ? 'a whole number' : 'a number'} from ${o.min} to ${o.max}`);
  }
  return n;
}

/** The options of one benchmark run from the command line (defaults: CSMS_LOAD_BENCH_DEFAULTS). */
export function csmsLoadOptions(a: CsmsLoadArgs): CsmsLoadBenchOptions {
  const d = CSMS_LOAD_BENCH_DEFAULTS;
  const both = <T extends string>(value: string | undefined, values: readonly T[], fallback: readonly T[], option: string): readonly T[] => {
    if (value === undefined) return fallback;
    if (value === 'both') return values;
    if ((values as readonly string[]).includes(value)) return [value as T];
    throw new UsageError(`${option} must be ${values.join(', ')} or both`);
  };
  const suite = a.suite ?? d.suite;
  if (!Object.hasOwn(SUITES, suite)) throw new UsageError(`--suite must be one of ${Object.keys(SUITES).join(', ')}`);
  return {
    stations: number(a.stations, d.stations, '--stations', { min: 1, max: 1_000_000, integer: true }),
    durationS: number(a.duration, d.durationS, '--duration', { min: 0.1, max: 86_400 }),
    warmupS: number(a.warmup, d.warmupS, '--warmup', { min: 0, max: 3600 }),
    inflight: number(a.inflight, d.inflight, '--inflight', { min: 1, max: 1_000_000, integer: true }),
    ...(a.rate !== undefined ? { ratePerSecond: number(a.rate, 0, '--rate', { min: 0.1, max: 1_000_000 }) } : {}),
    dbs: both<DbMode>(a.db, ['sqlite', 'postgres'], d.dbs, '--db'),
    ocspModes: both<OcspMode>(a.ocsp, ['cached', 'uncached'], d.ocspModes, '--ocsp'),
    contracts: number(a.contracts, d.contracts, '--contracts', { min: 1, max: 1000, integer: true }),
    suite: suite as Suite,
    transactionEvery: number(a.txEvery, d.transactionEvery, '--tx-every', { min: 0, max: 1_000_000, integer: true }),
    connectConcurrency: number(a.connectConcurrency, d.connectConcurrency, '--connect-concurrency', { min: 1, max: 10_000, integer: true }),
    requestTimeoutMs: number(a.timeout, d.requestTimeoutMs, '--timeout', { min: 10, max: 600_000, integer: true }),
    logLevel: a.logLevel ?? d.logLevel,
    ceiling: a.ceiling ?? d.ceiling,
    keep: a.keep ?? d.keep,
    json: a.json ?? d.json,
  };
}

/** Exit 0 when every run completed (its numbers, met or not, are the output); 1 when a run could not run. */
export async function benchCsmsLoad(a: CsmsLoadArgs, io: CliIo): Promise<number> {
  const result = await runCsmsLoadBench(csmsLoadOptions(a), io);
  return result.rows.some((r) => r.failure !== undefined) ? Exit.failed : Exit.ok;
}

export function registerCsmsLoadBench(bench: Command, io: CliIo, setResult: (p: Promise<number> | number) => void): Command {
  const d = CSMS_LOAD_BENCH_DEFAULTS;
  return bench
    .command('csms-load')
    .description('OCSP responder, MSP and CSMS as processes, N stations from a separate load generator: connections held, PnC Authorize/s, p50/p99, CSMS RSS and CPU — SQLite/PostgreSQL × OCSP cached/uncached')
    .option('--stations <N>', 'station connections', String(d.stations))
    .option('--duration <S>', 'measured seconds per run', String(d.durationS))
    .option('--warmup <S>', 'seconds of load before the measured window', String(d.warmupS))
    .option('--inflight <N>', 'PnC cycles in flight (closed loop), or the cap with --rate', String(d.inflight))
    .option('--rate <R>', 'open loop: Authorize cycles started per second')
    .addOption(new Option('--db <DB>', 'CSMS database').choices(['sqlite', 'postgres', 'both']).default('both'))
    .addOption(new Option('--ocsp <MODE>', 'CSMS OCSP cache').choices(['cached', 'uncached', 'both']).default('both'))
    .option('--contracts <N>', 'contract certificates (eMAIDs) the cycles rotate over', String(d.contracts))
    .addOption(new Option('--suite <S>', 'certificate suite of the contracts').choices(Object.keys(SUITES)).default(d.suite))
    .option('--tx-every <N>', 'TransactionEvent Started + Ended after every N-th accepted Authorize (0: none)', String(d.transactionEvery))
    .option('--connect-concurrency <N>', 'WebSocket handshakes under way at once during ramp-up', String(d.connectConcurrency))
    .option('--timeout <MS>', 'per-request time-out', String(d.requestTimeoutMs))
    .addOption(new Option('--log-level <LEVEL>', 'log level of the CSMS, MSP and OCSP processes').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default(d.logLevel))
    .option('--ceiling', 'also run the load against a canned CSMS that does no work (the transport limit)')
    .option('--keep', 'keep the temp dir (PKI, databases, generator configs)')
    .option('--json', 'print the result as JSON (progress goes to stderr)')
    .action((o: CsmsLoadArgs) => setResult(benchCsmsLoad(o, io)));
}
