// `pnc charger --standalone` as a real child process and `pnc ev` against it: by address and by SDP (unicast), PnC and
// EIM, TLS and plain TCP, JSON output, exit codes and usage errors.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { freePort } from '../helpers/ocspTestbed.js';
import { scratch } from '../helpers/openssl.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENV = { PNC_PKI_PASSPHRASE: 'cli-charger-test' };
const dir = scratch('pnc-cli-charger-');
const PKI = join(dir.dir, 'pki');

async function pnc(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { out: (t) => (stdout += t), err: (t) => (stderr += t), env: ENV };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

let charger: ChildProcess;
let seccPort = 0;
let sdpPort = 0;

beforeAll(async () => {
  expect((await pnc('pki', 'init', '--dir', PKI, '--protocol', 'both')).code).toBe(0);
  sdpPort = await freePort();
  charger = spawn(
    process.execPath,
    [join(ROOT, 'bin/pnc.js'), 'charger', '--pki', PKI, '--standalone', '--host', '127.0.0.1', '--sdp-bind', '127.0.0.1', '--sdp-port', String(sdpPort), '--allow-plain', '--eim-after', '100', '--log-level', 'silent'],
    { cwd: ROOT, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    charger.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+):/.exec(out);
      if (m) {
        seccPort = Number(m[1]);
        resolve();
      }
    });
    charger.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    charger.on('exit', (code) => reject(new Error(`pnc charger exited (${code}):\n${out}`)));
  });
}, 60_000);

afterAll(async () => {
  if (charger.exitCode === null) {
    const exited = new Promise((r) => charger.on('exit', r));
    charger.kill('SIGTERM');
    await exited;
  }
  dir.cleanup();
});

describe('pnc ev against pnc charger --standalone', () => {
  it('PnC over TLS 1.2 by address: charged, exit 0', async () => {
    const r = await pnc('ev', '--pki', PKI, '--secc', `127.0.0.1:${seccPort}`, '--log-level', 'silent');
    expect(r.stdout).toMatch(/^charged: OK \(TLSv1\.2 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256\)/);
    expect(r.stdout).toMatch(/MeteringReceiptRes\s+OK/);
    expect(r.code).toBe(0);
  });

  it('found by SDP, DC, --json', async () => {
    const r = await pnc('ev', '--pki', PKI, '--sdp', `127.0.0.1:${sdpPort}`, '--energy', 'dc', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { ok: boolean; outcome: string; responseCodes: Record<string, string>; tls: { version: string } };
    expect(j).toMatchObject({ ok: true, outcome: 'OK', tls: { version: 'TLSv1.2' } });
    expect(j.responseCodes.CurrentDemandRes).toBe('OK');
  });

  it.each(['iso20-p521', 'iso20-ed448'])('-20 PnC with the %s contract and vehicle certificate over TLS 1.3 (mutual)', async (suite) => {
    const r = await pnc('ev', '--pki', PKI, '--secc', `127.0.0.1:${seccPort}`, '--protocol', 'iso20', '--suite', suite, '--energy', 'dc', '--log-level', 'silent');
    expect(r.stdout).toMatch(/^charged: OK \(TLSv1\.3 TLS_AES_256_GCM_SHA384\)/);
    expect(r.stdout).toMatch(/DC_ChargeLoopRes\s+OK/);
    expect(r.code).toBe(0);
  });

  it('EIM over plain TCP: charged after the simulated RFID tap', async () => {
    const r = await pnc('ev', '--pki', PKI, '--secc', `127.0.0.1:${seccPort}`, '--no-tls', '--auth', 'eim', '--log-level', 'silent');
    expect(r.stdout).toMatch(/^charged: OK \(plain TCP\)/);
    expect(r.code).toBe(0);
  });

  it('PnC over plain TCP is not offered: exit 1', async () => {
    const r = await pnc('ev', '--pki', PKI, '--secc', `127.0.0.1:${seccPort}`, '--no-tls', '--log-level', 'silent');
    expect(r.stdout).toMatch(/^not charged: not offered: Contract/);
    expect(r.code).toBe(1);
  });

  it('no charger answering SDP: a clear outcome, exit 1', async () => {
    const silent = await freePort();
    const r = await pnc('ev', '--pki', PKI, '--sdp', `127.0.0.1:${silent}`, '--log-level', 'silent');
    expect(r.stdout).toMatch(/^not charged: sdp timeout: no SDP response after 50 requests/);
    expect(r.code).toBe(1);
  }, 30_000);

  it.each([
    ['replay-challenge', /^not charged: FAILED_ChallengeInvalid/],
    ['corrupt-signature', /^not charged: FAILED_SignatureError/],
    ['out-of-order', /^not charged: FAILED_SequenceError/],
    ['garbage-exi', /^not charged: closed: /],
    ['oversize-payload', /^not charged: closed: /],
  ])('--misbehave %s: refused by the charger, exit 1', async (name, outcome) => {
    const r = await pnc('ev', '--pki', PKI, '--secc', `127.0.0.1:${seccPort}`, '--misbehave', name, '--log-level', 'silent');
    expect(r.stdout).toMatch(outcome);
    expect(r.code).toBe(1);
  });

  it.each([
    [['ev', '--pki', PKI, '--secc', '127.0.0.1:1', '--misbehave', 'nope'], /--misbehave is one of/],
    [['ev', '--pki', PKI], /exactly one of --secc/],
    [['ev', '--pki', PKI, '--secc', 'nohostport'], /HOST:PORT/],
    [['ev', '--pki', PKI, '--secc', '127.0.0.1:1', '--protocol', 'iso2', '--suite', 'iso20-p521'], /does not fit/],
    [['charger', '--pki', PKI], /--standalone or --csms/],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const r = await pnc(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
