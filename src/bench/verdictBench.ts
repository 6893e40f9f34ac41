// `pnc bench verdict`: contract chain verdicts per second on one core, cold (every certificate parsed, every key
// imported, every signature verified) and with cached intermediates (only the leaf is new), beside the native limit
// measured in the same run: `openssl speed` verify/s ÷ 3 for cold (three signatures per chain), ÷ 1 for cached.
import { spawn } from 'node:child_process';
import { buildTestPki, DEFAULT_TEST_PKI, SUITES, type Suite } from '../pki/generator/testPki.js';
import { parseCertificate } from '../pki/certificate/certificate.js';
import { publicKeyOf, verifyCertificateSignature } from '../pki/certificate/signature.js';
import { chainVerdict, type ChainVerdictInput } from '../pki/verdict/chainVerdict.js';
import { createTrustStore } from '../pki/verdict/trustStore.js';
import { VerdictCache } from '../pki/verdict/verdictCache.js';
import { median, rate } from './rate.js';

export interface VerdictBenchRow {
  readonly suite: Suite;
  readonly mode: 'cold' | 'cached';
  readonly perSecond: number;
  readonly nativeVerifyPerSecond?: number;
  /** Native verify/s ÷ signatures verified per chain in this mode. */
  readonly anchor?: number;
  readonly ratio?: number;
  /** node:crypto verifying the leaf signature alone (no parsing, cached key): the floor our verdicts stand on. */
  readonly nodeVerifyPerSecond: number;
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
    const leaf = parseCertificate(input.leaf);
    const sub2 = parseCertificate(get('mo-sub2'));
    const sub2Key = publicKeyOf(sub2);
    const nodeVerify = { run: () => verifyCertificateSignature(leaf, sub2Key, sub2.publicKeyType), rounds: [] as number[] };
    const modes = [
      { mode: 'cold', run: () => chainVerdict(input), signatures: 3, rounds: [] as number[] },
      { mode: 'cached', run: () => chainVerdict(cached), signatures: 1, rounds: [] as number[] },
    ] as const;
    for (const m of modes) rate(m.run, 300); // warm-up
    // Rounds interleave the native anchor with our measurements, one at a time on an otherwise idle core, so that
    // a slower or faster phase of a shared machine affects both sides; medians are compared.
    const natives: number[] = [];
    const roundMs = Math.max(500, (o.seconds * 1000) / 5);
    for (let round = 0; round < 5; round++) {
      const n = await nativeVerifyRate(suite, 1);
      if (n !== undefined) natives.push(n);
      for (const m of modes) m.rounds.push(rate(m.run, roundMs));
      nodeVerify.rounds.push(rate(nodeVerify.run, roundMs / 2));
    }
    const nodeVerifyPerSecond = Math.round(median(nodeVerify.rounds));
    const native = natives.length ? median(natives) : undefined;
    for (const { mode, rounds, signatures } of modes) {
      const perSecond = Math.round(median(rounds));
      const anchor = native !== undefined ? Math.round(native / signatures) : undefined;
      const row: VerdictBenchRow = {
        suite,
        mode,
        perSecond,
        nodeVerifyPerSecond,
        ...(native !== undefined ? { nativeVerifyPerSecond: Math.round(native) } : {}),
        ...(anchor !== undefined ? { anchor, ratio: Math.round((perSecond / anchor) * 100) / 100 } : {}),
      };
      rows.push(row);
      o.log(
        `${suite.padEnd(12)} ${mode.padEnd(7)} ${String(perSecond).padStart(7)} verdicts/s` +
          (anchor !== undefined ? `   native ${Math.round(native!)} verify/s ÷ ${signatures} = ${anchor}   ratio ${row.ratio}` : '   (openssl not found)') +
          `   (node:crypto verify alone ${nodeVerifyPerSecond}/s)`,
      );
    }
  }
  return rows;
}
