// The rows of `pnc bench csms-load` and their ratios against the issue's targets (2-core machine): 10 000 connected
// stations, ≥ 3000 PnC Authorize/s with OCSP cached, p99 ≤ 100 ms, CSMS RSS ≤ 1 GB. Pure: numbers in, lines out.
import type { LoadReport, RequestStats } from './loadReport.js';
import type { ProcessUsage } from './procStats.js';

export const CSMS_LOAD_TARGETS = { stations: 10_000, authorizePerSecond: 3000, p99Ms: 100, rssMb: 1024 } as const;
export type CsmsLoadTargets = { readonly [K in keyof typeof CSMS_LOAD_TARGETS]: number };

export type DbMode = 'sqlite' | 'postgres';
export type OcspMode = 'cached' | 'uncached';

export interface CsmsLoadRow {
  /** `sqlite cached`, `postgres uncached`, or `ceiling` (the canned CSMS: transport only). */
  readonly mode: string;
  readonly db: DbMode | 'none';
  readonly ocsp: OcspMode | 'none';
  readonly stations: number;
  readonly held: number;
  readonly authorizePerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly transactionEventPerSecond: number;
  readonly transactionEventP99Ms: number;
  readonly csmsRssPeakMb: number;
  /** CSMS RSS with every station connected, before the load. */
  readonly csmsRssConnectedMb?: number;
  readonly csmsCpuPercent: number;
  /** Failed or unbooted connections + every request that did not end accepted (time-outs, CALLERRORs, refusals, closes). */
  readonly errors: number;
  readonly generatorCpuPercent: number;
  readonly generatorRssPeakMb: number;
  /** Why the run did not complete. */
  readonly failure?: string;
}

function requestErrors(s: RequestStats): number {
  const e = s.errors;
  return e.timeouts + e.rejected + e.closed + e.unanswered + Object.values(e.callErrors).reduce((a, b) => a + b, 0);
}

export function rowFromRun(mode: { readonly mode: string; readonly db: CsmsLoadRow['db']; readonly ocsp: CsmsLoadRow['ocsp'] }, report: LoadReport, csms: ProcessUsage): CsmsLoadRow {
  const failedConnections = Object.values(report.connections.failed).reduce((a, b) => a + b, 0);
  const connected = csms.rssAtMarkMb.connected;
  return {
    ...mode,
    stations: report.connections.attempted,
    held: report.connections.heldAtEnd,
    authorizePerSecond: report.authorize.perSecond,
    p50Ms: report.authorize.latency.p50Ms,
    p99Ms: report.authorize.latency.p99Ms,
    maxMs: report.authorize.latency.maxMs,
    transactionEventPerSecond: report.transactionEvent.perSecond,
    transactionEventP99Ms: report.transactionEvent.latency.p99Ms,
    csmsRssPeakMb: csms.rssPeakMb,
    ...(connected !== undefined ? { csmsRssConnectedMb: connected } : {}),
    csmsCpuPercent: csms.cpuPercent,
    errors: failedConnections + (report.connections.opened - report.connections.booted) + requestErrors(report.authorize) + requestErrors(report.transactionEvent),
    generatorCpuPercent: report.generator.cpuPercent,
    generatorRssPeakMb: report.generator.rssPeakMb,
  };
}

export function failedRow(mode: { readonly mode: string; readonly db: CsmsLoadRow['db']; readonly ocsp: CsmsLoadRow['ocsp'] }, stations: number, failure: string): CsmsLoadRow {
  return { ...mode, stations, held: 0, authorizePerSecond: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, transactionEventPerSecond: 0, transactionEventP99Ms: 0, csmsRssPeakMb: 0, csmsCpuPercent: 0, errors: 0, generatorCpuPercent: 0, generatorRssPeakMb: 0, failure };
}

/** value ÷ target, two decimals. */
export function ratio(value: number, target: number): number {
  return target > 0 ? Math.round((value / target) * 100) / 100 : 0;
}

export interface RowVerdict {
  readonly stations: number;
  readonly authorizePerSecond: number;
  readonly p99: number;
  readonly rss: number;
  /** Every target met; only asked of OCSP-cached rows (the target rate is for cached OCSP). */
  readonly meetsTargets: boolean | undefined;
}

export function rowVerdict(row: CsmsLoadRow, targets: CsmsLoadTargets = CSMS_LOAD_TARGETS): RowVerdict {
  const v = {
    stations: ratio(row.held, targets.stations),
    authorizePerSecond: ratio(row.authorizePerSecond, targets.authorizePerSecond),
    p99: ratio(row.p99Ms, targets.p99Ms),
    rss: ratio(row.csmsRssPeakMb, targets.rssMb),
  };
  const meets = row.failure === undefined && row.held >= targets.stations && row.authorizePerSecond >= targets.authorizePerSecond && row.p99Ms <= targets.p99Ms && row.csmsRssPeakMb <= targets.rssMb && row.errors === 0;
  return { ...v, meetsTargets: row.ocsp === 'cached' ? meets : undefined };
}

const num = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace(/,/g, ' ');
const ms = (n: number): string => (n >= 100 ? num(n) : num(n, 1));

const COLUMNS: readonly { readonly head: string; readonly width: number; readonly cell: (r: CsmsLoadRow) => string }[] = [
  { head: 'mode', width: 18, cell: (r) => r.mode },
  { head: 'stations', width: 13, cell: (r) => `${r.held}/${r.stations}` },
  { head: 'Authorize/s', width: 11, cell: (r) => num(r.authorizePerSecond) },
  { head: 'p50 ms', width: 7, cell: (r) => ms(r.p50Ms) },
  { head: 'p99 ms', width: 7, cell: (r) => ms(r.p99Ms) },
  { head: 'max ms', width: 7, cell: (r) => ms(r.maxMs) },
  { head: 'TxEvent/s', width: 9, cell: (r) => num(r.transactionEventPerSecond) },
  { head: 'CSMS RSS', width: 9, cell: (r) => `${num(r.csmsRssPeakMb)} MB` },
  { head: 'CSMS CPU', width: 8, cell: (r) => `${num(r.csmsCpuPercent)}%` },
  { head: 'errors', width: 6, cell: (r) => num(r.errors) },
  { head: 'gen CPU', width: 7, cell: (r) => `${num(r.generatorCpuPercent)}%` },
];

/** The table: a header and one line per row (numbers right-aligned); a failed run prints its reason. */
export function formatTable(rows: readonly CsmsLoadRow[]): string[] {
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(COLUMNS[i]!.width) : c.padStart(COLUMNS[i]!.width))).join('  ').trimEnd();
  return [
    line(COLUMNS.map((c) => c.head)),
    ...rows.map((r) => (r.failure !== undefined ? `${r.mode.padEnd(COLUMNS[0]!.width)}  did not run: ${r.failure.split('\n')[0]!}` : line(COLUMNS.map((c) => c.cell(r))))),
  ];
}

/** Per row: each measure beside its target, e.g. "3 412/s = 1.14× target", "p99 38.0 ms = 0.38× limit". */
export function formatVerdicts(rows: readonly CsmsLoadRow[], targets: CsmsLoadTargets = CSMS_LOAD_TARGETS): string[] {
  return rows
    .filter((r) => r.failure === undefined)
    .map((r) => {
      const v = rowVerdict(r, targets);
      const rateNote = r.ocsp === 'cached' ? 'target' : r.ocsp === 'uncached' ? 'target (set for cached OCSP)' : 'target (no CSMS work)';
      const parts = [
        `stations ${num(r.held)} = ${v.stations.toFixed(2)}× target`,
        `${num(r.authorizePerSecond)} Authorize/s = ${v.authorizePerSecond.toFixed(2)}× ${rateNote}`,
        `p99 ${ms(r.p99Ms)} ms = ${v.p99.toFixed(2)}× limit`,
        `RSS ${num(r.csmsRssPeakMb)} MB = ${v.rss.toFixed(2)}× limit`,
      ];
      const verdict = v.meetsTargets === undefined ? '' : v.meetsTargets ? ' → meets every target' : ' → misses a target';
      return `${r.mode}: ${parts.join(' · ')}${r.errors > 0 ? ` · ${num(r.errors)} errors` : ''}${verdict}`;
    });
}
