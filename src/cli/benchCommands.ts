// `pnc bench verdict|ocsp|exi`: measured throughput beside its anchor, as text or JSON.
import { exiBench } from '../bench/exiBench.js';
import { ocspBench } from '../bench/ocspBench.js';
import { sessionBench } from '../bench/sessionBench.js';
import { verdictBench } from '../bench/verdictBench.js';
import type { Suite } from '../pki/generator/testPki.js';
import { Exit, UsageError, type CliIo } from './io.js';

function positive(value: string | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${option} expects a positive number`);
  return n;
}

export async function benchVerdict(a: { seconds?: string; suite?: string; json?: boolean }, io: CliIo): Promise<number> {
  const suites: Suite[] = a.suite === 'all' ? ['iso2', 'iso20-p521', 'iso20-ed448'] : [(a.suite ?? 'iso2') as Suite];
  const log = a.json ? io.err : io.out;
  log('contract chain verdicts on one core (leaf + 2 sub-CAs + root); target ratio ≥ 0.8\n');
  const rows = await verdictBench({ suites, seconds: positive(a.seconds, 5, '--seconds'), log: (l) => log(`${l}\n`) });
  if (a.json) io.out(`${JSON.stringify({ rows }, null, 2)}\n`);
  return Exit.ok;
}

export async function benchOcsp(a: { seconds?: string; connections?: string; json?: boolean }, io: CliIo): Promise<number> {
  const log = a.json ? io.err : io.out;
  const connections = positive(a.connections, 32, '--connections');
  log(`OCSP responses/s under load (${connections} connections, loopback); target ≥ 10× openssl ocsp\n`);
  const result = await ocspBench({ seconds: positive(a.seconds, 5, '--seconds'), connections: Math.round(connections), log: (l) => log(`${l}\n`) });
  const r = result.ratios;
  log(`ratio pnc/openssl: no nonce ${r.noNonce ?? 'n/a'}×, with nonce ${r.nonce ?? 'n/a'}× (${result.opensslVersion ?? 'openssl not found'})\n`);
  if (a.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  return Exit.ok;
}

export function benchExi(a: { seconds?: string; json?: boolean }, io: CliIo): number {
  const log = a.json ? io.err : io.out;
  log('EXI µs per message on one core (median of 5 rounds), beside libcbv2g (C); ratio = ours ÷ C, target ≤ 2\n');
  const rows = exiBench({ seconds: positive(a.seconds, 8, '--seconds'), log: (l) => log(`${l}\n`) });
  if (a.json) io.out(`${JSON.stringify({ rows }, null, 2)}\n`);
  return Exit.ok;
}

export async function benchSession(a: { suite?: string; sessions?: string; concurrency?: string; seconds?: string; json?: boolean }, io: CliIo): Promise<number> {
  const suites: Suite[] = a.suite === 'all' || a.suite === undefined ? ['iso2', 'iso20-p521', 'iso20-ed448'] : [a.suite as Suite];
  const log = a.json ? io.err : io.out;
  log('plug-in (SDP request) → AuthorizationRes Finished on loopback, standalone decision port; targets: -2 p50 ≤ 15 ms, -20 Ed448 p50 ≤ 25 ms\n');
  const rows = await sessionBench({
    suites,
    sessions: Math.round(positive(a.sessions, 200, '--sessions')),
    concurrency: Math.round(positive(a.concurrency, 50, '--concurrency')),
    seconds: positive(a.seconds, 5, '--seconds'),
    log: (l) => log(`${l}\n`),
  });
  if (a.json) io.out(`${JSON.stringify({ rows }, null, 2)}\n`);
  return rows.some((r) => r.failures > 0) ? Exit.failed : Exit.ok;
}
