// CLI findings of the first review: every failure ends in "pnc: …" and an exit code, never a stack trace, and
// concurrent commands on one PKI directory lose nothing.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { readCaDatabase } from '../../src/pki/generator/caDatabase.js';
import { scratch } from '../helpers/openssl.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENV = { PNC_PKI_PASSPHRASE: 'cli-errors' };

async function pnc(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), env: ENV };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

function binary(...argv: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/pnc.js'), ...argv], { env: { ...process.env, ...ENV }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

const s = scratch('pnc-cli-errors-');
const DIR = join(s.dir, 'pki');

beforeAll(async () => {
  const main = join(ROOT, 'dist/cli/main.js');
  if (!existsSync(main) || statSync(main).mtimeMs < statSync(join(ROOT, 'src/cli/main.ts')).mtimeMs) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')]);
  }
  expect((await pnc('pki', 'init', '--dir', DIR, '--protocol', 'iso2')).code).toBe(0);
});
afterAll(() => s.cleanup());

describe('failures are messages with exit codes', () => {
  it('a PKI directory under a file (ENOTDIR) → exit 1', async () => {
    const file = s.file('plain-file', 'x');
    const r = await pnc('pki', 'init', '--dir', join(file, 'pki'), '--protocol', 'iso2');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pnc: .*ENOTDIR/);
  });

  it('revoking by a truncated PEM file → a message, not an exception', async () => {
    const bad = s.file('truncated.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n');
    const r = await pnc('pki', 'revoke', '--dir', DIR, bad);
    expect([1, 2]).toContain(r.code);
    expect(r.stderr).toMatch(/^pnc: .*END line/);
  });

  it.each([
    ['both --standalone and --csms', ['--standalone', '--csms', 'ws://127.0.0.1:1/ocpp'], /either --standalone or --csms/],
    ['profile 1 without a password', ['--csms', 'ws://127.0.0.1:1/ocpp'], /--basic-auth-password or PNC_CSMS_PASSWORD/],
    ['profile 2 without the CSMS root', ['--csms', 'wss://127.0.0.1:1/ocpp', '--basic-auth-password', 'sixteen-chars-pw!'], /--csms-ca/],
    ['wss:// with security profile 1', ['--csms', 'wss://127.0.0.1:1/ocpp', '--security-profile', '1', '--basic-auth-password', 'sixteen-chars-pw!'], /ws:\/\//],
    ['too many EVSEs', ['--csms', 'ws://127.0.0.1:1/ocpp', '--basic-auth-password', 'sixteen-chars-pw!', '--evses', '100'], /--evses/],
  ])('pnc charger: %s → a message, exit 1 or 2', async (_name, args, message) => {
    const r = await pnc('charger', '--pki', DIR, '--db', `sqlite:${join(s.dir, 'cli-charger.db')}`, '--log-level', 'silent', ...args);
    expect([1, 2]).toContain(r.code);
    expect(r.stderr).toMatch(message);
  });

  it.each(['2027-06-01T00:00:00', '2027-06-01', 'June 1, 2027'])('--at %j without a zone is a usage error', async (at) => {
    const r = await pnc('pki', 'verify', '--protocol', 'iso2', '--roots', join(DIR, 'charger/iso2/truststore'), '--at', at, join(DIR, 'charger/iso2/keystore/secc.chain.pem'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/with a zone/);
  });

  it('ocsp serve on a port in use → exit 1 with the reason', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const r = await binary('ocsp', 'serve', '--dir', DIR, '--port', String(port));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^pnc: .*EADDRINUSE/m);
    } finally {
      blocker.close();
    }
  });
});

describe('concurrent commands on one PKI', () => {
  it('revokes issued by parallel processes all land', async () => {
    const ids = ['iso2/cpo-sub1', 'iso2/cpo-sub2', 'iso2/secc', 'iso2/mo-sub1', 'iso2/mo-sub2', 'iso2/oem-sub1', 'iso2/oem-sub2', 'iso2/cps'];
    const results = await Promise.all(ids.map((id) => binary('pki', 'revoke', '--dir', DIR, id)));
    expect(results.map((r) => r.code)).toEqual(ids.map(() => 0));
    const revoked = readCaDatabase(join(DIR, 'ca-database.json')).entries.filter((e) => e.status === 'revoked').map((e) => e.id);
    expect(revoked.sort()).toEqual([...ids].sort());
    expect(existsSync(join(DIR, '.pki.lock'))).toBe(false);
  });

  it('a stale lock from a killed process does not block for ever', async () => {
    writeFileSync(join(DIR, '.pki.lock'), '');
    const old = new Date(Date.now() - 120_000);
    (await import('node:fs')).utimesSync(join(DIR, '.pki.lock'), old, old);
    expect((await pnc('pki', 'revoke', '--dir', DIR, 'iso2/cps-sub1')).code).toBe(0);
  });
});

describe('pnc csms serve refuses what it cannot use, with a message', () => {
  it('a wrong PKI passphrase → exit 1 naming the key, no stack trace', async () => {
    const r = await pnc('csms', 'serve', '--db', `sqlite:${join(s.dir, 'csms-a.db')}`, '--pki', DIR, '--port', '0', '--passphrase', 'not-the-passphrase');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pnc: .*cpo-sub2\.key\.pem: cannot decrypt private key/m);
  });

  it('no PKI directory, or no roots at all → a message and an exit code', async () => {
    const missing = await pnc('csms', 'serve', '--db', `sqlite:${join(s.dir, 'csms-b.db')}`, '--pki', join(s.dir, 'nowhere'), '--port', '0');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^pnc: .*holds no PKI/m);
    const noRoots = await pnc('csms', 'serve', '--db', `sqlite:${join(s.dir, 'csms-c.db')}`, '--port', '0');
    expect(noRoots).toMatchObject({ code: 2 });
    expect(noRoots.stderr).toMatch(/--pki DIR or --roots/);
  });
});
