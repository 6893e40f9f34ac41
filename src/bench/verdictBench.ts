// `pnc bench verdict`: contract chain verdicts per second on one core, cold (every certificate parsed, every key
// imported, every signature verified) and with cached intermediates (only the leaf is new), beside the native limit
// measured in the same run: `openssl speed` verify/s ÷ 3 for cold (three signatures per chain), ÷ 1 for cached.
import { spawn } from 'node:child_process';
import { buildTestPki, DEFAULT_TEST_PKI, SUITES, type Suite } from '../pki/generator/testPki.js';
import { chainVerdict, type ChainVerdictInput } from '../pki/verdict/chainVerdict.js';
import { createTrustStore } from '../pki/verdict/trustStore.js';
import { VerdictCache } from '../pki/verdict/verdictCache.js';

export interface VerdictBenchRow {
  readonly suite: Suite;
  readonly mode: 'cold' | 'cached';
  readonly perSecond: number;
  readonly nativeVerifyPerSecond?: number;
  /** Native verify/s ÷ signatures verified per chain in this mode. */
  readonly anchor?: number;
  readonly ratio?: number;
}

const speedAlgorithm: Record<Suite, { arg: string; line: RegExp }> = {
  iso2: { arg: 'ecdsap256', line: /ecdsa \(nistp256\)\s+\S+\s+\S+\s+\S+\s+([\d.]+)/ },
  'iso20-p521': { arg: 'ecdsap521', line: /ecdsa \(nistp521\)\s+\S+\s+\S+\s+\S+\s+([\d.]+)/ },
  'iso20-ed448': { arg: 'ed448', line: /EdDSA \(Ed448\)\s+\S+\s+\S+\s+\S+\s+([\d.]+)/ },
};

/** verify/s from `openssl speed -seconds N <alg>`, or undefined when openssl is not there. */
export function nativeVerifyRate(suite: Suite, seconds: number): Promise<number | undefined> {
  const alg = speedAlgorithm[suite];
  return new Promise((resolve) => {
    const child = spawn('openssl', ['speed', '-seconds', String(seconds), alg.arg], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', () => resolve(undefined));
    child.on('exit', () => {
      const m = alg.line.exec(out);
      resolve(m ? Number(m[1]) : undefined);
    });
  });
}

/** Runs `f` for `ms` and returns calls per second. */
function rate(f: () => void, ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  let now = performance.now();
  const start = now;
  while (now < end) {
    for (let i = 0; i < 20; i++) f();
    n += 20;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function verdictBench(o: { suites: readonly Suite[]; seconds: number; log: (l: string) => void }): Promise<VerdictBenchRow[]> {
  const now = Date.now();
  const pki = new Map(buildTestPki({ suites: o.suites, now, ...DEFAULT_TEST_PKI }).map((c) => [c.id, c]));
  const rows: VerdictBenchRow[] = [];
  for (const suite of o.suites) {
    const get = (name: string): Buffer => pki.get(`${suite}/${name}`)!.der;
    const input: ChainVerdictInput = {
      leaf: [...pki.values()].find((c) => c.suite === suite && c.role === 'contract')!.der,
      subCAs: [get('mo-sub2'), get('mo-sub1')],
      trustStore: createTrustStore([{ der: get('v2g-root') }, { der: get('mo-root') }]),
      protocol: SUITES[suite].protocol,
      role: 'contract',
      at: now,
    };
    const cache = new VerdictCache();
    const cached = { ...input, cache };
    if (!chainVerdict(input).valid || !chainVerdict(cached).valid) throw new Error(`benchmark chain of ${suite} is not valid`);
    // The native anchor runs first, alone, so both measurements see the same idle core.
    const native = await nativeVerifyRate(suite, Math.max(1, Math.round(o.seconds)));
    for (const [mode, run, signatures] of [
      ['cold', () => chainVerdict(input), 3],
      ['cached', () => chainVerdict(cached), 1],
    ] as const) {
      rate(run, 300); // warm-up
      const rounds = Array.from({ length: 5 }, () => rate(run, (o.seconds * 1000) / 5));
      const perSecond = Math.round(median(rounds));
      const anchor = native !== undefined ? Math.round(native / signatures) : undefined;
      const row: VerdictBenchRow = {
        suite,
        mode,
        perSecond,
        ...(native !== undefined ? { nativeVerifyPerSecond: Math.round(native) } : {}),
        ...(anchor !== undefined ? { anchor, ratio: Math.round((perSecond / anchor) * 100) / 100 } : {}),
      };
      rows.push(row);
      o.log(
        `${suite.padEnd(12)} ${mode.padEnd(7)} ${String(perSecond).padStart(7)} verdicts/s` +
          (anchor !== undefined ? `   native ${Math.round(native!)} verify/s ÷ ${signatures} = ${anchor}   ratio ${row.ratio}` : '   (openssl not found)'),
      );
    }
  }
  return rows;
}
