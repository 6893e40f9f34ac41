// The orchestration of `pnc bench csms-load` with real processes: ready lines, failures with their output, /proc
// sampling of a child, and a whole (small) benchmark run — PKI, contracts, canned CSMS and load generator as separate
// processes, table and JSON out. The CSMS runs themselves need `pnc csms`/`pnc msp`; their flags are in processes.ts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCsmsLoadBench, type CsmsLoadBenchResult } from '../../src/bench/csmsLoad/csmsLoadBench.js';
import { ProcessSampler } from '../../src/bench/csmsLoad/procStats.js';
import { BenchProcessError, runToEnd, startProcess } from '../../src/bench/csmsLoad/processes.js';
import type { CliIo } from '../../src/cli/io.js';

const ROOT = join(import.meta.dirname, '../..');
const node = (script: string): { command: string; args: string[] } => ({ command: process.execPath, args: ['-e', script] });

describe('bench processes', () => {
  it('waits for the JSON ready line past other output, and stops the process', async () => {
    const p = await startProcess({
      what: 'echo server',
      ...node(`console.log('starting'); console.error('{"level":30}'); setTimeout(() => console.log(JSON.stringify({ ready: true, ocppUrl: 'ws://127.0.0.1:1', pid: process.pid })), 50); setInterval(() => {}, 1000);`),
    });
    expect(p.ready).toEqual({ ready: true, ocppUrl: 'ws://127.0.0.1:1', pid: p.pid });
    await p.stop();
    expect(p.child.signalCode ?? p.child.exitCode).not.toBeNull();
  });

  it('reports a process that exits before it is ready, with its output', async () => {
    const failing = startProcess({ what: 'pnc csms serve', ...node(`console.error('unknown option --ocsp-cache'); process.exit(2);`) });
    await expect(failing).rejects.toThrow(BenchProcessError);
    await expect(failing).rejects.toThrow(/pnc csms serve: exited \(2\) before it was ready\nstderr: unknown option --ocsp-cache/);
  });

  it('gives up on a silent process and kills it', async () => {
    const silent = startProcess({ what: 'silent', ...node('setInterval(() => {}, 1000)'), readyTimeoutMs: 300 });
    await expect(silent).rejects.toThrow(/silent: no ready line within 300 ms/);
  });

  it('runs a command to its end: stdout on success, stderr in the error', async () => {
    await expect(runToEnd({ what: 'ok', ...node(`console.log('token-A')`) })).resolves.toBe('token-A\n');
    await expect(runToEnd({ what: 'pnc msp peer token', ...node(`console.error('no such command'); process.exit(1)`) })).rejects.toThrow(/pnc msp peer token failed \(1\): no such command/);
  });

  it('samples RSS and CPU of another process from /proc', async () => {
    const p = await startProcess({
      what: 'busy',
      ...node(`const keep = Buffer.alloc(64 * 1024 * 1024, 1); console.log(JSON.stringify({ ready: true })); const end = Date.now() + 1500; while (Date.now() < end) {} setInterval(() => keep.length, 1000);`),
    });
    const sampler = new ProcessSampler(p.pid, 50).start();
    sampler.mark('measure');
    await new Promise((r) => setTimeout(r, 600));
    sampler.mark('drain');
    const usage = sampler.stop('measure', 'drain');
    await p.stop();
    expect(usage.rssPeakMb).toBeGreaterThanOrEqual(64);
    expect(usage.cpuPercent).toBeGreaterThan(0);
    expect(usage.samples).toBeGreaterThan(2);
    expect(usage.rssAtMarkMb).toMatchObject({ measure: expect.any(Number) as number, drain: expect.any(Number) as number });
    // A process that is gone reads as no sample, not as an error.
    const gone = new ProcessSampler(p.pid).start();
    expect(gone.stop('measure', 'drain')).toMatchObject({ samples: 0, rssPeakMb: 0, cpuPercent: 0 });
  });
});

describe('pnc bench csms-load (ceiling only: canned CSMS and load generator as processes)', () => {
  const collect = (): { io: CliIo; out: string[]; err: string[] } => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t) => out.push(t), err: (t) => err.push(t), env: process.env }, out, err };
  };
  const options = {
    stations: 40,
    durationS: 0.6,
    warmupS: 0.2,
    inflight: 8,
    dbs: [],
    ocspModes: ['cached'],
    contracts: 3,
    suite: 'iso2',
    transactionEvery: 1,
    connectConcurrency: 16,
    requestTimeoutMs: 5000,
    logLevel: 'warn',
    ceiling: true,
    keep: false,
    entries: { node: ['--import', 'tsx'], loadGenerator: join(ROOT, 'src/bench/csmsLoad/loadGeneratorMain.ts'), cannedCsms: join(ROOT, 'src/bench/csmsLoad/cannedCsmsMain.ts') },
  } as const;

  it('runs the load and prints the table with ratios', async () => {
    const { io, out } = collect();
    const result = await runCsmsLoadBench({ ...options, json: false }, io);
    expect(result.rows).toHaveLength(1);
    const [row] = result.rows;
    expect(row).toMatchObject({ mode: 'ceiling', stations: 40, held: 40, errors: 0 });
    expect(row!.failure).toBeUndefined();
    expect(row!.authorizePerSecond).toBeGreaterThan(0);
    expect(row!.csmsRssPeakMb).toBeGreaterThan(0);
    const run = result.runs[0]!;
    expect(run.report!.authorize.answered).toBe(run.report!.authorize.latency.count);
    expect(run.report!.config).toMatchObject({ stations: 40, tokens: 3 });
    // Connected-but-idle RSS was sampled at the generator's `connected` phase.
    expect(row!.csmsRssConnectedMb).toBeGreaterThan(0);
    const text = out.join('');
    expect(text).toMatch(/targets: 10000 stations held, ≥ 3000 PnC Authorize\/s with OCSP cached, p99 ≤ 100 ms, CSMS RSS ≤ 1024 MB/);
    expect(text).toMatch(/\nmode +stations +Authorize\/s/);
    expect(text).toMatch(/\nceiling +40\/40 /);
    expect(text).toMatch(/ceiling: stations 40 = 0\.00× target · [\d ]+ Authorize\/s = [\d.]+× target \(no CSMS work\) · p99 [\d.]+ ms = [\d.]+× limit/);
    expect(result.meetsTargets).toBe(false);
  });

  it('prints one JSON document on stdout with --json, progress on stderr', async () => {
    const { io, out, err } = collect();
    await runCsmsLoadBench({ ...options, stations: 10, json: true }, io);
    const parsed = JSON.parse(out.join('')) as CsmsLoadBenchResult;
    expect(parsed.rows[0]).toMatchObject({ mode: 'ceiling', held: 10 });
    expect(parsed.targets.authorizePerSecond).toBe(3000);
    expect(parsed.machine.cpus).toBeGreaterThan(0);
    expect(err.join('')).toMatch(/generator phase=measure/);
  });
});
