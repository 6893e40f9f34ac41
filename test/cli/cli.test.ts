// The `pnc` command line against the DESIGN.md CLI contract: in-process through run(argv, io), and as the real binary
// (`node bin/pnc.js`), including `pnc ocsp serve` as a child process answering `pnc pki verify --ocsp`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { encodePem } from '../../src/pki/certificate/pem.js';
import { computeCheckDigit } from '../../src/pki/emaid/emaid.js';
import { readCaDatabase } from '../../src/pki/generator/caDatabase.js';
import { PkiDirectory } from '../../src/pki/generator/pkiDirectory.js';
import { scratch } from '../helpers/openssl.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PASS = 'cli-test-passphrase';
const ENV = { PNC_PKI_PASSPHRASE: PASS };
const EMAID = `DEPNCC00000001${computeCheckDigit('DEPNCC00000001')}`;
const EMAID2 = `DEPNCC00000002${computeCheckDigit('DEPNCC00000002')}`;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Exit code reported when run() rejects instead of returning one (never expected: every error has an exit code). */
const THREW = -1;

/** `pnc …` in this process, with collecting streams. A rejection of run() is reported as code THREW. */
async function pnc(...argv: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    env: ENV,
  };
  try {
    const code = await run(argv, io);
    return { code, stdout, stderr };
  } catch (e) {
    return { code: THREW, stdout, stderr: `${stderr}run() threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}

/** `node bin/pnc.js …` as a child process; killed if it outlives `guardMs` (then the promise rejects). */
function bin(argv: readonly string[], guardMs = 45_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/pnc.js'), ...argv], { cwd: ROOT, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (signal) reject(new Error(`pnc ${argv.join(' ')} ended by ${signal}\n${stderr}`));
      else resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** bin/pnc.js runs dist/: build it when it is missing or older than the sources. */
function ensureBuilt(): void {
  const main = join(ROOT, 'dist/cli/main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    // tsc still emits when it reports type errors; only a missing entry point is fatal here
    if (!existsSync(main)) throw e;
  }
}

/** A port that was free a moment ago (the OS picks it; nothing is hard-coded). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface VerdictJson {
  valid: boolean;
  responseCode: string;
  ocppCertificateStatus: string;
  checks: { name: string; ok: boolean; detail: string }[];
  ocsp?: { serial: string; status?: string; error?: string }[];
}

function verdictOf(r: Result): VerdictJson {
  const v = JSON.parse(r.stdout) as VerdictJson;
  // the contract shape
  expect(typeof v.valid).toBe('boolean');
  expect(typeof v.responseCode).toBe('string');
  expect(typeof v.ocppCertificateStatus).toBe('string');
  expect(Array.isArray(v.checks)).toBe(true);
  for (const c of v.checks) {
    expect(Object.keys(c).sort()).toEqual(['detail', 'name', 'ok']);
    expect(typeof c.name).toBe('string');
    expect(typeof c.ok).toBe('boolean');
    expect(typeof c.detail).toBe('string');
  }
  return v;
}

const failed = (v: VerdictJson): string[] => v.checks.filter((c) => !c.ok).map((c) => c.name);

const s = scratch('pnc-cli-');
const DIR = join(s.dir, 'pki');
let ocspPort = 0;
const p = (rel: string): string => join(DIR, rel);
const contractChain = (suite: string, emaid = EMAID): string => p(`ev/${suite}/keystore/contracts/${emaid}.chain.pem`);
const trust = (suite: string, root: string): string => p(`charger/${suite}/truststore/${root}.pem`);

beforeAll(async () => {
  ensureBuilt();
  ocspPort = await freePort();
  const r = await pnc('pki', 'init', '--dir', DIR, '--protocol', 'both', '--ocsp-url', `http://127.0.0.1:${ocspPort}/ocsp`);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 120_000);

afterAll(() => s.cleanup());

describe('pnc pki init', () => {
  it('wrote the whole PKI and says so', async () => {
    const pki = PkiDirectory.open(DIR);
    expect(pki.manifest.suites).toEqual(['iso2', 'iso20-p521', 'iso20-ed448']);
    expect(pki.manifest.ocspUrl).toBe(`http://127.0.0.1:${ocspPort}/ocsp`);
    expect(pki.manifest.certificates).toHaveLength(88);
    // the passphrase came from PNC_PKI_PASSPHRASE
    expect(() => pki.privateKey('iso2/secc', PASS)).not.toThrow();
    const other = join(s.dir, 'iso2-only');
    const r = await pnc('pki', 'init', '--dir', other, '--protocol', 'iso2');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/26 certificates \(iso2\), largest \d+ bytes, OCSP http:\/\/127\.0\.0\.1:2560\/ocsp/);
  });

  it('refuses to overwrite without --force (exit 1) and replaces with it', async () => {
    const dir = join(s.dir, 'iso2-only');
    const again = await pnc('pki', 'init', '--dir', dir, '--protocol', 'iso2');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a PKI/);
    const forced = await pnc('pki', 'init', '--dir', dir, '--protocol', 'iso20', '--force', '--passphrase', 'other-pass');
    expect(forced.code).toBe(0);
    expect(PkiDirectory.open(dir).manifest.suites).toEqual(['iso20-p521', 'iso20-ed448']);
  });

  it('without a passphrase it warns and uses the documented test default', async () => {
    let stderr = '';
    const code = await run(['pki', 'init', '--dir', join(s.dir, 'default-pass'), '--protocol', 'iso2'], { out: () => undefined, err: (t) => (stderr += t), env: {} });
    expect(code).toBe(0);
    expect(stderr).toMatch(/PNC_PKI_PASSPHRASE/);
  });

  it.each<[string, string[]]>([
    ['unknown --protocol', ['--protocol', 'iso3']],
    ['non-http --ocsp-url', ['--ocsp-url', 'ftp://127.0.0.1/ocsp']],
    ['--ocsp-url with a space', ['--ocsp-url', 'http://a b/ocsp']],
  ])('%s is a usage error (exit 2)', async (_name, extra) => {
    const dir = join(s.dir, 'never');
    const r = await pnc('pki', 'init', '--dir', dir, ...extra);
    expect(r.code).toBe(2);
    expect(existsSync(dir)).toBe(false);
  });

  it('missing --dir is a usage error', async () => {
    expect((await pnc('pki', 'init')).code).toBe(2);
  });

  it('a wrong eMAID check digit is a usage error (exit 2)', async () => {
    const r = await pnc('pki', 'init', '--dir', join(s.dir, 'bad-emaid'), '--protocol', 'iso2', '--emaid', 'DE8AA0012345671');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/check digit/);
  });

  // buildTestPki throws a RangeError for a country that is not ISO 3166-1; the CLI must turn it into an exit code and
  // a message, not let it escape run() (the binary would die with a stack trace).
  it('--country UK ends in a clear error and an exit code, not an exception', async () => {
    const r = await pnc('pki', 'init', '--dir', join(s.dir, 'uk'), '--protocol', 'iso2', '--country', 'UK');
    expect(r.stderr).toMatch(/^pnc: .*UK/);
    expect([1, 2]).toContain(r.code);
  });
});

describe('pnc pki issue-contract / revoke', () => {
  it('issues a contract in every suite', async () => {
    const r = await pnc('pki', 'issue-contract', '--dir', DIR, '--emaid', `DE-PNC-C00000002-${EMAID2.slice(-1)}`);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['iso2', 'iso20-p521', 'iso20-ed448'].map((suite) => `${suite}/contract/${EMAID2}`));
    for (const suite of ['iso2', 'iso20-p521', 'iso20-ed448']) expect(existsSync(contractChain(suite, EMAID2))).toBe(true);
  });

  it('refuses a duplicate (exit 1)', async () => {
    const r = await pnc('pki', 'issue-contract', '--dir', DIR, '--emaid', EMAID2);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exists already/);
  });

  it.each<[string, string[]]>([
    ['--days 0', ['--days', '0']],
    ['--days abc', ['--days', 'abc']],
    ['--not-before garbage', ['--not-before', 'yesterday-ish']],
    ['--not-after garbage', ['--not-after', '2027-13-45T99:00:00Z']],
    ['--protocol iso3', ['--protocol', 'iso3']],
  ])('%s is a usage error (exit 2)', async (_name, extra) => {
    const r = await pnc('pki', 'issue-contract', '--dir', DIR, '--emaid', `DEPNCC00000009${computeCheckDigit('DEPNCC00000009')}`, ...extra);
    expect(r.code).toBe(2);
  });

  it('missing or malformed --emaid is a usage error', async () => {
    expect((await pnc('pki', 'issue-contract', '--dir', DIR)).code).toBe(2);
    expect((await pnc('pki', 'issue-contract', '--dir', DIR, '--emaid', 'not-an-emaid')).code).toBe(2);
  });

  it('issues with an explicit validity window', async () => {
    const emaid = `DEPNCC00000004${computeCheckDigit('DEPNCC00000004')}`;
    const r = await pnc('pki', 'issue-contract', '--dir', DIR, '--emaid', emaid, '--protocol', 'iso2', '--not-before', '2026-01-01T00:00:00Z', '--days', '30');
    expect(r.code).toBe(0);
    const e = PkiDirectory.open(DIR).entry(`iso2/contract/${emaid}`);
    expect(e.notBefore).toBe('2026-01-01T00:00:00.000Z');
    expect(e.notAfter).toBe('2026-01-31T00:00:00.000Z');
  });

  it('revokes by manifest id with a reason and time', async () => {
    const r = await pnc('pki', 'revoke', '--dir', DIR, 'iso2/oem-sub2', '--reason', 'keyCompromise', '--at', '2026-11-20T00:00:00Z');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^revoked iso2\/oem-sub2 \(serial [0-9a-f]+, C=DE, O=pnc-stack OEM, CN=pnc-stack OEM Sub-CA 2, DC=OEM\)\n$/);
    const e = readCaDatabase(p('ca-database.json')).entries.find((x) => x.id === 'iso2/oem-sub2');
    expect(e).toMatchObject({ status: 'revoked', reason: 'keyCompromise', revokedAt: '2026-11-20T00:00:00.000Z' });
  });

  it('revokes by certificate file', async () => {
    const r = await pnc('pki', 'revoke', '--dir', DIR, p('ca/iso20-ed448/cps.pem'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/revoked iso20-ed448\/cps /);
  });

  it.each<[string, number, string[]]>([
    ['an unknown reason', 2, ['iso2/secc', '--reason', 'becauseISaySo']],
    ['a bad --at', 2, ['iso2/secc', '--at', 'soon']],
    ['no CERT argument', 2, []],
    ['something the PKI does not hold', 1, ['iso2/nothing']],
  ])('revoke with %s → exit %d', async (_name, code, args) => {
    const r = await pnc('pki', 'revoke', '--dir', DIR, ...args);
    expect(r.code).toBe(code);
  });

  it('revoke in a directory without a PKI fails (exit 1)', async () => {
    const r = await pnc('pki', 'revoke', '--dir', join(s.dir, 'empty'), 'iso2/secc');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds no PKI/);
  });
});

describe('pnc pki show', () => {
  it('prints the fields of a certificate', async () => {
    const r = await pnc('pki', 'show', p('ca/iso2/cpo-sub1.pem'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/certificate 1 of 1/);
    expect(r.stdout).toMatch(/basicConstraints\s+critical, CA:TRUE, pathLen:1/);
    expect(r.stdout).toMatch(/keyUsage\s+critical, keyCertSign, cRLSign/);
    expect(r.stdout).toMatch(new RegExp(`OCSP\\s+http://127\\.0\\.0\\.1:${ocspPort}/ocsp`));
  });

  it('--json: one object for one certificate, an array for a chain', async () => {
    const one = await pnc('pki', 'show', '--json', p('charger/iso20-ed448/truststore/v2g-root.pem'));
    expect(one.code).toBe(0);
    const root = JSON.parse(one.stdout) as Record<string, unknown>;
    expect(root).toMatchObject({ publicKey: 'Ed448', signatureAlgorithm: 'Ed448', basicConstraints: 'critical, CA:TRUE', domainComponents: ['V2G'], ocspUrls: [] });
    const chain = await pnc('pki', 'show', contractChain('iso2'), '--json');
    const list = JSON.parse(chain.stdout) as { subject: string; keyUsage: string; bytes: number }[];
    expect(list.map((c) => c.subject.match(/CN=([^,]+)/)?.[1])).toEqual([EMAID, 'pnc-stack MO Sub-CA 2', 'pnc-stack MO Sub-CA 1']);
    expect(list[0]!.keyUsage).toBe('critical, digitalSignature, nonRepudiation, keyAgreement');
    expect(list.every((c) => c.bytes <= 800)).toBe(true);
  });

  it('reads a DER file too', async () => {
    const der = join(s.dir, 'secc.der');
    writeFileSync(der, PkiDirectory.open(DIR).der('iso2/secc'));
    const r = await pnc('pki', 'show', '--json', der);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { domainComponents: string[] }).domainComponents).toEqual(['CPO']);
  });

  it.each<[string, number, () => string]>([
    ['a missing file', 2, () => join(s.dir, 'missing.pem')],
    ['a file with no certificate', 2, () => writeTmp('empty.pem', 'nothing here\n')],
    ['a malformed certificate', 1, () => writeTmp('bad.pem', encodePem('CERTIFICATE', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])))],
  ])('%s → exit %d', async (_name, code, file) => {
    const r = await pnc('pki', 'show', file());
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
    expect(r.stderr).toMatch(/^pnc: /);
  });

  // decodePem throws PemError for a corrupt PEM block; the CLI must report it (exit 1 or 2), not let it escape run().
  it('a PEM file with broken base64 → a message and exit 1 or 2, not an exception', async () => {
    const r = await pnc('pki', 'show', writeTmp('b64.pem', BROKEN_PEM));
    expect(r.stderr).toMatch(/^pnc: .*base64/);
    expect([1, 2]).toContain(r.code);
  });
});

const BROKEN_PEM = '-----BEGIN CERTIFICATE-----\nMIIB@@@@\n-----END CERTIFICATE-----\n';

function writeTmp(name: string, content: string | Buffer): string {
  const f = join(s.dir, name);
  writeFileSync(f, content);
  return f;
}

describe('pnc pki verify', () => {
  it('valid contract chain, `--roots a.pem b.pem chain.pem` form (the last path is the chain): exit 0', async () => {
    const r = await pnc('pki', 'verify', '--protocol', 'iso2', '--roots', trust('iso2', 'v2g-root'), trust('iso2', 'mo-root'), contractChain('iso2'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^contract chain, iso2: VALID {3}ISO 15118 OK {3}OCPP Accepted {3}eMAID /);
  });

  it('roots given as a directory, the chain before the options: exit 0', async () => {
    const r = await pnc('pki', 'verify', contractChain('iso20-p521'), '--protocol', 'iso20', '--roots', p('charger/iso20-p521/truststore'));
    expect(r.code).toBe(0);
  });

  it('one PEM file holding several roots: exit 0', async () => {
    const bundle = writeTmp('roots-bundle.pem', encodePem('CERTIFICATE', PkiDirectory.open(DIR).der('iso2/v2g-root')) + encodePem('CERTIFICATE', PkiDirectory.open(DIR).der('iso2/mo-root')));
    const r = await pnc('pki', 'verify', '--protocol', 'iso2', '--roots', bundle, '--', contractChain('iso2'));
    expect(r.code).toBe(0);
  });

  it('sub-CAs in any order after the leaf: exit 0', async () => {
    const [leaf, sub2, sub1] = ['contract/' + EMAID, 'mo-sub2', 'mo-sub1'].map((id) => PkiDirectory.open(DIR).der(`iso20-p521/${id}`));
    const swapped = writeTmp('swapped-chain.pem', [leaf!, sub1!, sub2!].map((d) => encodePem('CERTIFICATE', d)).join(''));
    const r = await pnc('pki', 'verify', '--json', '--protocol', 'iso20', '--roots', p('charger/iso20-p521/truststore'), swapped);
    expect(r.code).toBe(0);
    expect(verdictOf(r).valid).toBe(true);
  });

  it('--json for a valid chain', async () => {
    const r = await pnc('pki', 'verify', '--json', '--protocol', 'iso20', '--roots', p('charger/iso20-ed448/truststore'), contractChain('iso20-ed448'));
    expect(r.code).toBe(0);
    const v = verdictOf(r);
    expect(v).toMatchObject({ valid: true, responseCode: 'OK', ocppCertificateStatus: 'Accepted' });
    expect(failed(v)).toEqual([]);
    expect(v.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['size', 'path', 'trustAnchor', 'signature', 'validity', 'basicConstraints', 'keyUsage', 'domainComponent', 'emaid']));
  });

  it.each<[string, string, string, string]>([
    ['iso2', 'iso2', 'FAILED_CertificateExpired', 'CertificateExpired'],
    ['iso20', 'iso20-p521', 'WARNING_CertificateExpired', 'CertificateExpired'],
  ])('--at in the future: %s chain expired, exit 1', async (protocol, suite, code, ocpp) => {
    const r = await pnc('pki', 'verify', '--json', '--protocol', protocol, '--at', '2040-01-01T00:00:00Z', '--roots', p(`charger/${suite}/truststore`), contractChain(suite));
    expect(r.code).toBe(1);
    const v = verdictOf(r);
    expect(v).toMatchObject({ valid: false, responseCode: code, ocppCertificateStatus: ocpp });
    expect(failed(v)).toEqual(['validity']);
  });

  it('--at before the chain existed: not yet valid, exit 1', async () => {
    const r = await pnc('pki', 'verify', '--json', '--protocol', 'iso20', '--at', '2020-01-01T00:00:00Z', '--roots', p('charger/iso20-ed448/truststore'), contractChain('iso20-ed448'));
    expect(r.code).toBe(1);
    expect(verdictOf(r)).toMatchObject({ valid: false, responseCode: 'WARNING_CertificateNotYetValid', ocppCertificateStatus: 'CertChainError' });
  });

  it('--role secc for the SECC chain: exit 0; the contract chain as secc: exit 1 (DC)', async () => {
    const secc = await pnc('pki', 'verify', '--protocol', 'iso2', '--role', 'secc', '--roots', trust('iso2', 'v2g-root'), '--', p('charger/iso2/keystore/secc.chain.pem'));
    expect(secc.code).toBe(0);
    const wrong = await pnc('pki', 'verify', '--json', '--protocol', 'iso2', '--role', 'secc', '--roots', p('charger/iso2/truststore'), contractChain('iso2'));
    expect(wrong.code).toBe(1);
    const v = verdictOf(wrong);
    expect(v.responseCode).toBe('FAILED_CertChainError');
    expect(failed(v)).toContain('domainComponent');
  });

  it('--role vehicle for an iso20 vehicle chain against the OEM root: exit 0', async () => {
    const r = await pnc('pki', 'verify', '--protocol', 'iso20', '--role', 'vehicle', '--roots', trust('iso20-p521', 'oem-root'), '--', p('ev/iso20-p521/keystore/vehicle.chain.pem'));
    expect(r.code).toBe(0);
  });

  it('--emaid: matching (hyphens, case) exit 0, different exit 1 with FAILED_CertChainError', async () => {
    const hyphenated = `de-pnc-c00000001-${EMAID.slice(-1).toLowerCase()}`;
    const ok = await pnc('pki', 'verify', '--protocol', 'iso2', '--emaid', hyphenated, '--roots', p('charger/iso2/truststore'), contractChain('iso2'));
    expect(ok.code).toBe(0);
    const bad = await pnc('pki', 'verify', '--json', '--protocol', 'iso2', '--emaid', EMAID2, '--roots', p('charger/iso2/truststore'), contractChain('iso2'));
    expect(bad.code).toBe(1);
    expect(verdictOf(bad)).toMatchObject({ valid: false, responseCode: 'FAILED_CertChainError', ocppCertificateStatus: 'CertChainError' });
  });

  it('the wrong protocol (an iso2 chain judged as iso20): exit 1', async () => {
    const r = await pnc('pki', 'verify', '--json', '--protocol', 'iso20', '--roots', p('charger/iso2/truststore'), contractChain('iso2'));
    expect(r.code).toBe(1);
    expect(failed(verdictOf(r))).toContain('algorithm');
  });

  it('a chain whose root is not installed: exit 1, not allowed at this EVSE', async () => {
    const r = await pnc('pki', 'verify', '--json', '--protocol', 'iso2', '--roots', trust('iso2', 'v2g-root'), '--', contractChain('iso2'));
    expect(r.code).toBe(1);
    expect(verdictOf(r)).toMatchObject({ valid: false, responseCode: 'FAILED_CertificateNotAllowedAtThisEVSE', ocppCertificateStatus: 'CertChainError' });
  });

  it('a malformed certificate in the chain is an invalid verdict (exit 1), not a crash', async () => {
    const chain = writeTmp('malformed-chain.pem', encodePem('CERTIFICATE', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])));
    const r = await pnc('pki', 'verify', '--json', '--protocol', 'iso2', '--roots', p('charger/iso2/truststore'), chain);
    expect(r.code).toBe(1);
    const v = verdictOf(r);
    expect(v.responseCode).toBe('FAILED_CertChainError');
    expect(failed(v)).toContain('parse');
  });

  // Same PemError path as `pki show`: a corrupt chain or root file must give a verdict or a usage error, not an exception.
  it.each<[string, () => string[]]>([
    ['a chain file with broken base64', () => ['--protocol', 'iso2', '--roots', p('charger/iso2/truststore'), writeTmp('broken-chain.pem', BROKEN_PEM)]],
    ['a roots file with broken base64', () => ['--protocol', 'iso2', '--roots', writeTmp('broken-root.pem', BROKEN_PEM), contractChain('iso2')]],
  ])('%s → a message and exit 1 or 2, not an exception', async (_name, args) => {
    const r = await pnc('pki', 'verify', ...args());
    expect(r.stderr).toMatch(/^pnc: .*base64/);
    expect([1, 2]).toContain(r.code);
  });

  it.each<[string, () => string[]]>([
    ['missing --protocol', () => ['--roots', p('charger/iso2/truststore'), contractChain('iso2')]],
    ['--protocol iso3', () => ['--protocol', 'iso3', '--roots', p('charger/iso2/truststore'), contractChain('iso2')]],
    ['--protocol both', () => ['--protocol', 'both', '--roots', p('charger/iso2/truststore'), contractChain('iso2')]],
    ['unknown --role', () => ['--protocol', 'iso2', '--role', 'emsp', '--roots', p('charger/iso2/truststore'), contractChain('iso2')]],
    ['bad --at', () => ['--protocol', 'iso2', '--at', 'next tuesday', '--roots', p('charger/iso2/truststore'), contractChain('iso2')]],
    ['unreadable chain file', () => ['--protocol', 'iso2', '--roots', p('charger/iso2/truststore'), join(s.dir, 'no-such-chain.pem')]],
    ['a directory as the chain', () => ['--protocol', 'iso2', '--roots', p('charger/iso2/truststore'), p('charger/iso2/truststore')]],
    ['a chain file holding no certificate', () => ['--protocol', 'iso2', '--roots', p('charger/iso2/truststore'), writeTmp('text.pem', 'hello\n')]],
    ['missing --roots', () => ['--protocol', 'iso2', contractChain('iso2')]],
    ['a --roots path that does not exist', () => ['--protocol', 'iso2', '--roots', join(s.dir, 'no-roots'), contractChain('iso2')]],
    ['no chain at all (one --roots path)', () => ['--protocol', 'iso2', '--roots', p('charger/iso2/truststore')]],
    ['a bad --ocsp-timeout with --ocsp', () => ['--protocol', 'iso2', '--ocsp', '--ocsp-timeout', '-5', '--roots', p('charger/iso2/truststore'), contractChain('iso2')]],
  ])('%s → exit 2', async (_name, args) => {
    const r = await pnc('pki', 'verify', ...args());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toBe('');
  });
});

describe('pnc pki verify --ocsp against `pnc ocsp serve` (real child process)', () => {
  let server: ChildProcess | undefined;
  let serverOut = '';
  let serverExit: Promise<number | null> | undefined;

  beforeAll(async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/pnc.js'), 'ocsp', 'serve', '--dir', DIR, '--port', String(ocspPort)], {
      cwd: ROOT,
      env: { ...process.env, ...ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    serverExit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        serverOut += d.toString('utf8');
        if (/listening on/.test(serverOut)) resolve();
      });
      child.stderr.on('data', (d: Buffer) => (serverOut += d.toString('utf8')));
      child.on('exit', (code) => reject(new Error(`pnc ocsp serve exited (${code}) before listening:\n${serverOut}`)));
    });
  }, 60_000);

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      const guard = setTimeout(() => server?.kill('SIGKILL'), 10_000);
      await serverExit;
      clearTimeout(guard);
    }
  });

  it('listens where the certificates point', () => {
    expect(serverOut).toMatch(new RegExp(`listening on http://127\\.0\\.0\\.1:${ocspPort} \\(certificates point at http://127\\.0\\.0\\.1:${ocspPort}/ocsp\\)`));
  });

  it('good, then revoked after `pnc pki revoke` (contract, iso2)', async () => {
    const args = ['pki', 'verify', '--json', '--ocsp', '--protocol', 'iso2', '--roots', p('charger/iso2/truststore'), contractChain('iso2', EMAID2)];
    const before = await pnc(...args);
    expect(before.code).toBe(0);
    const good = verdictOf(before);
    expect(good).toMatchObject({ valid: true, responseCode: 'OK', ocppCertificateStatus: 'Accepted' });
    expect(good.ocsp?.map((o) => o.status)).toEqual(['good', 'good', 'good']);
    expect(good.checks.find((c) => c.name === 'revocation')).toMatchObject({ ok: true });

    const revoke = await pnc('pki', 'revoke', '--dir', DIR, EMAID2, '--reason', 'keyCompromise');
    expect(revoke.code).toBe(0);
    expect(revoke.stdout.trim().split('\n')).toHaveLength(3);

    const after = await pnc(...args);
    expect(after.code).toBe(1);
    const revoked = verdictOf(after);
    expect(revoked).toMatchObject({ valid: false, responseCode: 'FAILED_CertificateRevoked', ocppCertificateStatus: 'CertificateRevoked' });
    expect(revoked.ocsp?.map((o) => o.status)).toEqual(['revoked', 'good', 'good']);
    expect(failed(revoked)).toEqual(['revocation']);
  });

  it('a revoked CPO Sub-CA 2 makes the iso20 SECC chain revoked (the real binary as the client)', async () => {
    const args = ['pki', 'verify', '--json', '--ocsp', '--protocol', 'iso20', '--role', 'secc', '--roots', trust('iso20-p521', 'v2g-root'), '--', p('charger/iso20-p521/keystore/secc.chain.pem')];
    const before = await bin(args);
    expect(before.code).toBe(0);
    expect(verdictOf(before).ocsp?.map((o) => o.status)).toEqual(['good', 'good', 'good']);
    expect((await pnc('pki', 'revoke', '--dir', DIR, 'iso20-p521/cpo-sub2')).code).toBe(0);
    const after = await bin(args);
    expect(after.code).toBe(1);
    const v = verdictOf(after);
    expect(v).toMatchObject({ valid: false, responseCode: 'WARNING_CertificateRevoked', ocppCertificateStatus: 'CertificateRevoked' });
    // Revoked without a reason, the Sub-CA's key is in doubt: the leaf it issued is answered revoked too (RFC 6960 §2.7).
    expect(v.ocsp?.map((o) => o.status)).toEqual(['revoked', 'revoked', 'good']);
  });

  it('text output lists each OCSP answer', async () => {
    const r = await pnc('pki', 'verify', '--ocsp', '--protocol', 'iso20', '--roots', p('charger/iso20-ed448/truststore'), contractChain('iso20-ed448'));
    expect(r.code).toBe(0);
    expect(r.stdout.match(/ocsp serial [0-9a-f]+: good from http:\/\/127\.0\.0\.1:\d+\/ocsp/g)).toHaveLength(3);
  });
});

describe('pnc ocsp serve usage (real binary)', () => {
  it('a port out of range → exit 2', async () => {
    const r = await bin(['ocsp', 'serve', '--dir', DIR, '--port', '70000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port/);
  });

  it('a directory without a PKI → exit 1', async () => {
    const empty = join(s.dir, 'empty-dir');
    mkdirSync(empty, { recursive: true });
    const r = await bin(['ocsp', 'serve', '--dir', empty, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds no PKI/);
  });
});

describe('help, unknown commands and the demo', () => {
  it('--help exits 0 (in-process and binary)', async () => {
    const r = await pnc('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: pnc/);
    const b = await bin(['--help']);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/Usage: pnc/);
    expect(b.stdout).toMatch(/pki/);
    expect(b.stdout).toMatch(/demo/);
  });

  it('sub-command help exits 0 and names the contract options', async () => {
    const r = await pnc('pki', 'verify', '--help');
    expect(r.code).toBe(0);
    for (const opt of ['--protocol', '--roots', '--role', '--at', '--emaid', '--json']) expect(r.stdout).toContain(opt);
    const init = await pnc('pki', 'init', '--help');
    for (const opt of ['--dir', '--protocol', '--ocsp-url']) expect(init.stdout).toContain(opt);
  });

  it('an unknown command exits 2 (in-process and binary)', async () => {
    const r = await pnc('nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'nope'/);
    const b = await bin(['nope']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown command/);
  });

  it('an unknown option exits 2', async () => {
    expect((await pnc('pki', 'show', '--frobnicate', 'x.pem')).code).toBe(2);
  });

  it('binary: verify without arguments exits 2; a valid chain 0; an expired one 1', async () => {
    expect((await bin(['pki', 'verify', '--protocol', 'iso2'])).code).toBe(2);
    const ok = await bin(['pki', 'verify', '--protocol', 'iso2', '--roots', p('charger/iso2/truststore'), contractChain('iso2')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/VALID/);
    const expired = await bin(['pki', 'verify', '--protocol', 'iso2', '--at', '2040-01-01T00:00:00Z', '--roots', p('charger/iso2/truststore'), contractChain('iso2')]);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/INVALID {3}ISO 15118 FAILED_CertificateExpired {3}OCPP CertificateExpired/);
  });

  it('demo --scenario nope exits 2', async () => {
    const r = await pnc('demo', '--scenario', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown scenario "nope"/);
  });

  it('demo --json --scenario revoked-contract (binary) prints { scenarios: [...] } and exits 0', async () => {
    const r = await bin(['demo', '--json', '--scenario', 'revoked-contract']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { scenarios: { name: string; expected: string; outcome: string; ok: boolean; ms: number; steps: { party: string }[] }[] };
    expect(Object.keys(doc)).toEqual(['scenarios']);
    expect(doc.scenarios).toHaveLength(1);
    const [sc] = doc.scenarios;
    expect(Object.keys(sc!).sort()).toEqual(['expected', 'ms', 'name', 'ok', 'outcome', 'steps']);
    expect(sc).toMatchObject({ name: 'revoked-contract', ok: true, outcome: sc!.expected });
    expect(sc!.expected).toMatch(/^FAILED_CertificateRevoked · Authorize CertificateRevoked\/Invalid/);
    expect(typeof sc!.ms).toBe('number');
    // Every party took part: the EV and charger, the CSMS, the OCSP responder (and the PKI revoked the contract).
    expect(new Set(sc!.steps.map((s) => s.party))).toEqual(new Set(['pki', 'ev', 'charger', 'csms', 'ocsp']));
    // progress goes to stderr in --json mode, so stdout is exactly one JSON document
    expect(r.stderr).toMatch(/\[1\/1\] revoked-contract/);
  });

  it('demo prints the sequence and the summary; --pki keeps the PKI and a second run reuses it', async () => {
    const dir = join(scratch('demo-pki').dir, 'pki');
    const first = await pnc('demo', '--scenario', 'unknown-msp', '--pki', dir, '--passphrase', 'demo-kept-pki');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/▶ \[1\/1\] unknown-msp/);
    expect(first.stdout).toMatch(/csms +verdict ContractCancelled \/ Unknown/);
    expect(first.stdout).toMatch(/unknown-msp +yes +\d+ +FAILED · Authorize ContractCancelled\/Unknown/);
    expect(first.stdout).toMatch(/1 of 1 scenarios ended as expected/);
    const manifest = PkiDirectory.open(dir).manifest;
    const again = await pnc('demo', '--scenario', 'unknown-msp', '--pki', dir, '--passphrase', 'demo-kept-pki');
    expect(again.code, again.stderr).toBe(0);
    expect(PkiDirectory.open(dir).manifest.ocspUrl).toBe(manifest.ocspUrl);
  });

  it('demo exits 1 when a scenario does not end as expected (a kept PKI whose responder is not on this machine)', async () => {
    const dir = join(scratch('demo-remote-pki').dir, 'pki');
    expect((await pnc('pki', 'init', '--dir', dir, '--protocol', 'both', '--ocsp-url', 'http://ocsp.example.com/ocsp', '--passphrase', 'remote-pki')).code).toBe(0);
    const r = await pnc('demo', '--scenario', 'iso2-pnc-ac', '--pki', dir, '--passphrase', 'remote-pki');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error: the PKI in .* names its OCSP responder at http:\/\/ocsp\.example\.com\/ocsp/);
    expect(r.stdout).toMatch(/0 of 1 scenarios ended as expected/);
  });

  it('demo --pki without a passphrase is a usage error', async () => {
    let stderr = '';
    const code = await run(['demo', '--pki', '/tmp/nowhere'], { out: () => undefined, err: (t) => (stderr += t), env: {} });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--pki needs the passphrase/);
  });
});
