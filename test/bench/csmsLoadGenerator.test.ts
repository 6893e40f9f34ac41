// The CSMS load generator against the strict test CSMS (ocpp-rpc strict mode, security profile 1): every frame it
// sends must be schema-valid, its counts must add up (answered = latency samples), and what goes wrong — non-Accepted
// answers, CALLERRORs, time-outs, dropped connections, refused handshakes — lands in the right error class. No timing
// is asserted; the numbers themselves come from `pnc bench csms-load`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contractTokensFromPki } from '../../src/bench/csmsLoad/contractTokens.js';
import { LOAD_DEFAULTS, stationIdentity, type LoadGeneratorConfig, type LoadToken } from '../../src/bench/csmsLoad/loadConfig.js';
import { runLoadGenerator } from '../../src/bench/csmsLoad/loadGenerator.js';
import type { LoadReport, RequestStats } from '../../src/bench/csmsLoad/loadReport.js';
import { parseCertificate } from '../../src/pki/certificate/certificate.js';
import { initPki, issueContractInPki, PkiDirectory } from '../../src/pki/generator/pkiDirectory.js';
import { certIdFor } from '../../src/pki/ocsp/certId.js';
import { createRPCError } from '../../src/ocpp/ocppRpc.js';
import { startTestCsms, type TestCsms } from '../helpers/testCsms.js';

const ROOT = join(import.meta.dirname, '../..');
const PREFIX = 'LT-';
const PASSWORD = 'load-test-password-1';
const OCSP_URL = 'http://127.0.0.1:1/ocsp';
let dir: string;
let tokens: LoadToken[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pnc-load-pki-'));
  initPki(dir, { protocol: 'iso2', passphrase: 'bench', ocspUrl: OCSP_URL });
  issueContractInPki(dir, { emaid: 'DE-PNC-C00000002', passphrase: 'bench' });
  tokens = contractTokensFromPki(dir, 'iso2');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const passwords = (count: number): Record<string, string> => Object.fromEntries(Array.from({ length: count }, (_, i) => [stationIdentity(PREFIX, i + 1), PASSWORD]));

function config(csms: TestCsms, over: Partial<LoadGeneratorConfig> & { count: number }): LoadGeneratorConfig {
  const { count, ...rest } = over;
  return {
    ...LOAD_DEFAULTS,
    url: csms.url,
    stations: { prefix: PREFIX, first: 1, count, password: PASSWORD },
    tokens,
    inflight: 8,
    durationS: 0.8,
    warmupS: 0.2,
    connectConcurrency: 16,
    requestTimeoutMs: 5000,
    progressIntervalMs: 0,
    ...rest,
  };
}

/** The invariant every RequestStats keeps: each CALL sent in the window ends in exactly one class. */
function expectConsistent(s: RequestStats): void {
  const e = s.errors;
  expect(s.answered).toBe(s.latency.count);
  expect(s.sent).toBe(s.answered + e.timeouts + e.closed + e.unanswered);
  const callErrors = Object.values(e.callErrors).reduce((a, b) => a + b, 0);
  expect(s.answered).toBe(s.accepted + e.rejected + callErrors);
  expect(Object.values(s.statuses).reduce((a, b) => a + b, 0)).toBe(s.accepted + e.rejected);
  if (s.answered > 0) {
    expect(s.latency.p50Ms).toBeLessThanOrEqual(s.latency.p99Ms);
    expect(s.latency.p99Ms).toBeLessThanOrEqual(s.latency.maxMs);
  }
}

function expectAllConsistent(r: LoadReport): void {
  for (const s of [r.authorize, r.transactionStarted, r.transactionEnded, r.transactionEvent]) expectConsistent(s);
  expect(r.transactionEvent.answered).toBe(r.transactionStarted.answered + r.transactionEnded.answered);
}

describe('contract tokens from a PKI directory', () => {
  it('hold the OCSP request data of leaf, MO Sub-CA 2 and MO Sub-CA 1', () => {
    const pki = PkiDirectory.open(dir);
    expect(tokens.map((t) => t.emaid).sort()).toEqual(pki.entries((e) => e.role === 'contract').map((e) => e.name.replace('contract/', '')).sort());
    for (const t of tokens) {
      expect(t.hashData).toHaveLength(3);
      const leaf = pki.entries((e) => e.name === `contract/${t.emaid}`)[0]!;
      expect(t.hashData[0]!.serialNumber).toBe(leaf.serialHex.replace(/^0+/, ''));
      expect(t.hashData[1]!.serialNumber).toBe(pki.entry('iso2/mo-sub2').serialHex.replace(/^0+/, ''));
      // The last entry's issuer is the MO root: its key hash is over the root's public key.
      const sub1 = pki.certificate('iso2/mo-sub1');
      expect(t.hashData[2]!.issuerKeyHash).toBe(certIdFor(sub1, pki.certificate('iso2/mo-root')).issuerKeyHash.toString('hex'));
      expect(t.hashData.every((d) => d.responderURL === OCSP_URL && d.hashAlgorithm === 'SHA256')).toBe(true);
    }
    expect(parseCertificate(pki.der('iso2/mo-root')).subject.commonName).toBeDefined();
  });

  it('refuses eMAIDs the PKI has no chain for', () => {
    expect(() => contractTokensFromPki(dir, 'iso2', ['DEPNCC99999999'])).toThrow(/no iso2 contract chain/);
  });
});

describe('load generator against the strict test CSMS', () => {
  let csms: TestCsms | undefined;
  afterEach(async () => {
    await csms?.close();
    csms = undefined;
  });

  it('connects every station, sends only schema-valid frames, and its counts add up', async () => {
    csms = await startTestCsms({ security: { profile: 1, passwords: passwords(50) } });
    const r = await runLoadGenerator(config(csms, { count: 50 }));

    expect(r.connections).toMatchObject({ attempted: 50, opened: 50, booted: 50, heldAtEnd: 50, failed: {}, closedDuringRun: {}, boot: { Accepted: 50 } });
    expect(csms.handshakes.filter((h) => h.outcome === 'accepted')).toHaveLength(50);
    const frames = csms.frames();
    expect(frames.filter((f) => f.violation !== undefined || f.type === 'malformed')).toEqual([]);
    expectAllConsistent(r);
    expect(r.authorize.answered).toBeGreaterThan(0);
    expect(r.authorize.accepted).toBe(r.authorize.answered);
    expect(r.authorize.statuses).toEqual({ 'Accepted/Accepted': r.authorize.answered });
    // A transaction after every accepted Authorize: Started and Ended in the window track Authorize within the
    // cycles that straddle the window's edges.
    expect(Math.abs(r.transactionStarted.sent - r.authorize.sent)).toBeLessThanOrEqual(8);
    expect(r.transactionStarted.statuses).toEqual({ Accepted: r.transactionStarted.answered });
    expect(r.protocolErrors).toEqual({ malformed: 0, unexpected: 0 });

    // What the CSMS saw: at least the measured CALLs (plus warm-up), every Authorize a PnC one, every transaction whole.
    const authorizes = frames.filter((f) => f.type === 'CALL' && f.action === 'Authorize');
    expect(authorizes.length).toBeGreaterThanOrEqual(r.authorize.sent);
    for (const f of authorizes) {
      const p = f.payload as { idToken: { idToken: string; type: string }; iso15118CertificateHashData: unknown[] };
      expect(p.idToken.type).toBe('eMAID');
      expect(tokens.map((t) => t.emaid)).toContain(p.idToken.idToken);
      expect(p.iso15118CertificateHashData).toHaveLength(3);
    }
    const events = frames.filter((f) => f.type === 'CALL' && f.action === 'TransactionEvent').map((f) => f.payload as { eventType: string; seqNo: number; transactionInfo: { transactionId: string } });
    const byTx = new Map<string, string[]>();
    for (const e of events) byTx.set(e.transactionInfo.transactionId, [...(byTx.get(e.transactionInfo.transactionId) ?? []), `${e.eventType}:${e.seqNo}`]);
    expect(byTx.size).toBeGreaterThan(0);
    for (const seq of byTx.values()) expect(seq).toEqual(['Started:0', 'Ended:1']);
    // Every station took part (cycles rotate over idle stations).
    expect(new Set(authorizes.map((f) => f.identity)).size).toBe(50);
  });

  it('answers CSMS→station calls: GetVariables and TriggerMessage validly, anything else NotImplemented', async () => {
    csms = await startTestCsms({ security: { profile: 1, passwords: passwords(4) } });
    const c = csms;
    const run = runLoadGenerator(config(c, { count: 4, durationS: 1.5, inflight: 2 }));
    const id = stationIdentity(PREFIX, 2);
    await c.waitForConnection(id);
    await c.waitFor(id, 'BootNotification');
    // Strict mode on the CSMS side validates these answers against the response schemas.
    const vars = await c.call(id, 'GetVariables', { getVariableData: [{ component: { name: 'ISO15118Ctrlr' }, variable: { name: 'ContractValidationOffline' } }] });
    expect(vars.getVariableResult).toEqual([{ attributeStatus: 'UnknownVariable', component: { name: 'ISO15118Ctrlr' }, variable: { name: 'ContractValidationOffline' } }]);
    expect(await c.call(id, 'TriggerMessage', { requestedMessage: 'Heartbeat' })).toEqual({ status: 'Rejected' });
    await expect(c.call(id, 'Reset', { type: 'Immediate' })).rejects.toMatchObject({ rpcErrorCode: 'NotImplemented' });
    const r = await run;
    expect(r.csmsCalls).toEqual({ GetVariables: 1, TriggerMessage: 1, Reset: 1 });
    expectAllConsistent(r);
  });

  it('classifies non-Accepted answers, CALLERRORs, time-outs, refused handshakes and dropped connections', async () => {
    csms = await startTestCsms({ security: { profile: 1, passwords: passwords(20) } });
    const c = csms;
    c.setPassword(stationIdentity(PREFIX, 19), 'another-password');
    c.refuseUpgrades(stationIdentity(PREFIX, 20), 503);
    let n = 0;
    c.answer('Authorize', (_req, ctx) => {
      // One station never gets an answer: its Authorize times out.
      if (ctx.identity === stationIdentity(PREFIX, 1)) return new Promise(() => undefined);
      return ++n % 3 === 0 ? { idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' } : { idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' };
    });
    let m = 0;
    c.answer('TransactionEvent', (req) => {
      if (req.eventType === 'Started' && ++m % 4 === 0) throw createRPCError('InternalError', 'database busy') as unknown as Error;
      return req.eventType === 'Started' ? { idTokenInfo: { status: 'Accepted' } } : {};
    });
    const run = runLoadGenerator(config(c, { count: 20, requestTimeoutMs: 300, durationS: 1.5 }));
    const dropped = [2, 3, 4].map((i) => stationIdentity(PREFIX, i));
    await Promise.all(dropped.map((id) => c.waitFor(id, 'Authorize', undefined, { timeoutMs: 10_000 })));
    for (const id of dropped) await c.drop(id);
    const r = await run;

    expect(r.connections.failed).toEqual({ 'http-401': 1, 'http-503': 1 });
    expect(r.connections).toMatchObject({ opened: 18, booted: 18, heldAtEnd: 15 });
    expect(Object.values(r.connections.closedDuringRun).reduce((a, b) => a + b, 0)).toBe(3);
    expectAllConsistent(r);
    expect(r.authorize.statuses['Invalid/CertificateRevoked']).toBeGreaterThan(0);
    expect(r.authorize.errors.rejected).toBe(r.authorize.statuses['Invalid/CertificateRevoked']);
    expect(r.authorize.errors.timeouts).toBeGreaterThan(0);
    expect(r.transactionStarted.errors.callErrors).toMatchObject({ InternalError: expect.any(Number) as number });
    // Only accepted Authorizes lead to transactions.
    expect(r.transactionStarted.sent).toBeLessThanOrEqual(r.authorize.accepted + 8);
    const frames = c.frames();
    expect(frames.filter((f) => f.violation !== undefined)).toEqual([]);
    // A timed-out station goes on with its next cycle; the late answer (none here) would count as unexpected.
    expect(r.protocolErrors.malformed).toBe(0);
  });

  it('drives an open-loop rate: starts due in the window are sent or counted as missed', async () => {
    csms = await startTestCsms({ security: { profile: 1, passwords: passwords(10) } });
    const r = await runLoadGenerator(config(csms, { count: 10, ratePerSecond: 200, inflight: 64, durationS: 1, warmupS: 0.2, transactionEvery: 0 }));
    expectAllConsistent(r);
    expect(r.transactionStarted.sent).toBe(0);
    // 200/s over 1 s: the scheduler works from elapsed time, so a slow tick sends a burst rather than losing starts.
    expect(r.authorize.sent + r.missedStarts).toBeGreaterThanOrEqual(180);
    expect(r.authorize.sent + r.missedStarts).toBeLessThanOrEqual(220);
  });

  it('reports an unreachable CSMS as failed connections, without load', async () => {
    csms = await startTestCsms({ security: { profile: 1, passwords: passwords(3) } });
    const url = csms.url;
    await csms.close();
    csms = undefined;
    const r = await runLoadGenerator({ ...LOAD_DEFAULTS, url, stations: { prefix: PREFIX, first: 1, count: 3, password: PASSWORD }, tokens, durationS: 0.1, warmupS: 0, progressIntervalMs: 0 });
    expect(r.connections).toMatchObject({ opened: 0, booted: 0, heldAtEnd: 0, failed: { ECONNREFUSED: 3 } });
    expect(r.authorize.sent).toBe(0);
  });
});

describe('load generator process', () => {
  let csms: TestCsms | undefined;
  afterEach(async () => {
    await csms?.close();
    csms = undefined;
  });

  const runMain = (configFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/bench/csmsLoad/loadGeneratorMain.ts'), '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('prints one JSON report on stdout and JSON progress on stderr, tokens taken from a PKI directory', async () => {
    csms = await startTestCsms({ security: { profile: 1, passwords: passwords(5) } });
    const file = join(dir, 'load-config.json');
    writeFileSync(file, JSON.stringify({ url: csms.url, stations: { prefix: PREFIX, count: 5, password: PASSWORD }, pki: { dir, suite: 'iso2' }, inflight: 4, durationS: 0.5, warmupS: 0.1, progressIntervalMs: 200 }));
    const out = await runMain(file);
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as LoadReport;
    expect(out.stdout.trim().split('\n')).toHaveLength(1);
    expect(report.format).toBe('pnc-csms-load/1');
    expect(report.config).toMatchObject({ stations: 5, tokens: 2, inflight: 4 });
    expect(report.connections.heldAtEnd).toBe(5);
    expectAllConsistent(report);
    const phases = out.stderr.trim().split('\n').map((l) => (JSON.parse(l) as { phase?: string }).phase);
    expect(phases).toEqual(expect.arrayContaining(['connect', 'connected', 'warmup', 'measure', 'drain', 'done']));
    expect(report.generator.rssPeakMb).toBeGreaterThan(0);
  });

  it('exits 2 with a JSON error for a bad config', async () => {
    const file = join(dir, 'bad-config.json');
    writeFileSync(file, JSON.stringify({ url: 'http://127.0.0.1:1', stations: { count: 1, password: 'x' }, tokens: [] }));
    const out = await runMain(file);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(JSON.parse(out.stderr.trim())).toMatchObject({ name: 'LoadConfigError', error: expect.stringMatching(/ws:\/\//) as string });
  });
});
