// Interop with the real `openssl ocsp` in both directions, on a PKI issued at the real clock (openssl checks validity
// against the system time). (a) openssl's client asks our fastify responder; (b) our OcspClient asks openssl's
// responder, which serves an index.txt written from our CA database.
import { generateKeyPairSync } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaDatabaseStatus } from '../../src/ocsp/caDatabaseStatus.js';
import { authoritiesFromPki } from '../../src/ocsp/pkiAuthorities.js';
import { computeCheckDigit } from '../../src/pki/emaid/emaid.js';
import { readCaDatabase, type CaDatabaseEntry } from '../../src/pki/generator/caDatabase.js';
import { buildCertificate, ext, keyIdentifier } from '../../src/pki/generator/certificateBuilder.js';
import { issueContractInPki, PkiDirectory, revokeInPki } from '../../src/pki/generator/pkiDirectory.js';
import { SUITES, type Suite } from '../../src/pki/generator/testPki.js';
import { certIdFor } from '../../src/pki/ocsp/certId.js';
import { OcspClient } from '../../src/pki/ocsp/ocspClient.js';
import { OcspResponderCore } from '../../src/pki/ocsp/ocspResponderCore.js';
import { freePort, startOcspServer, stopChild, tempPki, waitForOutput, type RunningOcspServer } from '../helpers/ocspTestbed.js';
import { openssl, pemOf, scratch, spawnOpenssl } from '../helpers/openssl.js';

const SUITE_LIST: readonly Suite[] = ['iso2', 'iso20-p521', 'iso20-ed448'];
const REVOKED_EMAID = `DEPNCC00000002${computeCheckDigit('DEPNCC00000002')}`;

let bench: ReturnType<typeof tempPki>;
let pki: PkiDirectory;
let server: RunningOcspServer;
let files: ReturnType<typeof scratch>;
let revokedAt: number;

const goodContract = (suite: Suite): string => pki.entries((e) => e.suite === suite && e.role === 'contract' && !e.name.endsWith(REVOKED_EMAID))[0]!.id;
const revokedContract = (suite: Suite): string => `${suite}/contract/${REVOKED_EMAID}`;
const pemFile = (id: string): string => files.file(`${id.replaceAll('/', '_')}.pem`, pemOf([pki.der(id)]));

beforeAll(async () => {
  bench = tempPki({ protocol: 'both' });
  pki = bench.pki;
  issueContractInPki(bench.dir, { emaid: REVOKED_EMAID, passphrase: bench.passphrase });
  revokedAt = Date.now() - 60_000;
  revokeInPki(bench.dir, REVOKED_EMAID, { reason: 'keyCompromise', at: revokedAt });
  pki = PkiDirectory.open(bench.dir);
  files = scratch('pnc-ocsp-interop-');
  const core = new OcspResponderCore({ authorities: authoritiesFromPki(pki, bench.passphrase), statuses: new CaDatabaseStatus(pki.databasePath) });
  server = await startOcspServer(core);
});

afterAll(async () => {
  await server?.close();
  files?.cleanup();
  bench?.cleanup();
});

describe('(a) openssl ocsp client → our responder', () => {
  interface Run {
    readonly stdout: string;
    readonly stderr: string;
    readonly code: number;
  }
  async function ask(suite: Suite, certIds: readonly string[], options: { nonce: boolean; digest?: string }): Promise<Run> {
    const issuerId = pki.entry(certIds[0]!).issuerId;
    const args = ['ocsp', ...(options.digest ? [`-${options.digest}`] : []), '-issuer', pemFile(issuerId)];
    for (const id of certIds) args.push('-cert', pemFile(id));
    args.push(
      '-url', `${server.origin}/ocsp`,
      '-CAfile', pemFile(`${suite}/mo-root`),
      '-verify_other', files.file(`${suite}-mo-chain.pem`, pemOf([pki.der(`${suite}/mo-sub2`), pki.der(`${suite}/mo-sub1`)])),
      '-timeout', '10',
    );
    if (!options.nonce) args.push('-no_nonce');
    const r = await openssl(args);
    return { stdout: r.stdout, stderr: r.stderr, code: r.code };
  }

  const matrix = SUITE_LIST.flatMap((suite) =>
    [true, false].flatMap((nonce) => [undefined, 'sha256'].map((digest) => [suite, nonce ? 'nonce' : 'no nonce', digest ?? 'sha1 (default)', nonce, digest] as const)),
  );

  it.each(matrix)('%s, %s, CertID %s: Response verify OK, good and revoked (keyCompromise)', async (suite, _n, _d, nonce, digest) => {
    const r = await ask(suite, [goodContract(suite), revokedContract(suite)], { nonce, ...(digest ? { digest } : {}) });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out, out).toContain('Response verify OK');
    expect(out).not.toMatch(/WARNING|Verify Failure|Responder Error/);
    const lines = r.stdout.split('\n');
    const goodLine = lines.findIndex((l) => l.includes(goodContract(suite).replaceAll('/', '_')));
    const revokedLine = lines.findIndex((l) => l.includes(revokedContract(suite).replaceAll('/', '_')));
    expect(lines[goodLine], r.stdout).toMatch(/: good$/);
    expect(lines[revokedLine], r.stdout).toMatch(/: revoked$/);
    expect(r.stdout.slice(r.stdout.indexOf(lines[revokedLine]!))).toMatch(/Reason: keyCompromise/);
    expect(r.code).toBe(0);
  });

  it('iso2: a certificate the CA database does not hold is unknown (never good)', async () => {
    const sub2 = pki.certificate('iso2/mo-sub2');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = buildCertificate({
      serial: Buffer.from('0123456789abcdef', 'hex'),
      subject: { country: 'DE', organization: 'pnc-stack MO', commonName: 'not in the database' },
      issuer: sub2.subjectRaw,
      notBefore: Date.now() - 3_600_000,
      notAfter: Date.now() + 86_400_000,
      publicKey,
      extensions: [ext.basicConstraints(false), ext.keyUsage(['digitalSignature']), ext.subjectKeyIdentifier(keyIdentifier(publicKey))],
      signatureAlgorithm: SUITES.iso2.signatureAlgorithm,
      signingKey: pki.privateKey('iso2/mo-sub2', bench.passphrase),
    });
    const stranger = files.file('stranger.pem', pemOf([der]));
    const r = await openssl([
      'ocsp', '-sha256', '-issuer', pemFile('iso2/mo-sub2'), '-cert', stranger, '-url', `${server.origin}/ocsp`,
      '-CAfile', pemFile('iso2/mo-root'), '-verify_other', files.file('iso2-chain-u.pem', pemOf([pki.der('iso2/mo-sub2'), pki.der('iso2/mo-sub1')])),
    ]);
    expect(`${r.stdout}${r.stderr}`).toContain('Response verify OK');
    expect(r.stdout).toMatch(/stranger\.pem: unknown/);
  });

  it('iso2: CertIDs of two CAs in one request → openssl reports the unauthorized status', async () => {
    const r = await openssl([
      'ocsp', '-sha256',
      '-issuer', pemFile('iso2/mo-sub2'), '-cert', pemFile(goodContract('iso2')),
      '-issuer', pemFile('iso2/cpo-sub2'), '-cert', pemFile('iso2/secc'),
      '-url', `${server.origin}/ocsp`, '-CAfile', pemFile('iso2/mo-root'),
    ]);
    expect(`${r.stdout}${r.stderr}`).toMatch(/Responder Error: unauthorized \(6\)/);
  });
});

/** OpenSSL's index.txt line for a CA database entry. */
function indexLine(e: CaDatabaseEntry): string {
  const t = (iso: string): string => {
    const d = new Date(iso);
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  };
  // openssl looks serials up as BN_bn2hex prints them: uppercase, whole bytes.
  const serial = (e.serialHex.length % 2 ? `0${e.serialHex}` : e.serialHex).toUpperCase();
  const revocation = e.status === 'revoked' ? `${t(e.revokedAt!)}${e.reason ? `,${e.reason}` : ''}` : '';
  return [e.status === 'revoked' ? 'R' : 'V', t(e.notAfter), revocation, serial, 'unknown', `/CN=${e.id}`].join('\t');
}

describe('(b) our OcspClient → openssl ocsp responder', () => {
  const responders = new Map<Suite, { child: ChildProcess; url: string; log: () => string }>();

  async function startResponder(suite: Suite): Promise<{ child: ChildProcess; url: string; log: () => string }> {
    const caId = `${suite}/mo-sub2`;
    const entries = readCaDatabase(pki.databasePath).entries.filter((e) => e.issuerId === caId);
    const index = files.file(`${suite}-index.txt`, `${entries.map(indexLine).join('\n')}\n`);
    files.file(`${suite}-index.txt.attr`, 'unique_subject = no\n');
    // The responder needs the signer key in the clear: exported here, inside the test's scratch directory only.
    const keyPem = pki.privateKey(`${caId}-ocsp`, bench.passphrase).export({ type: 'pkcs8', format: 'pem' }) as string;
    const rkey = files.file(`${suite}-signer.key.pem`, keyPem);
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const child = spawnOpenssl([
        'ocsp', '-index', index, '-port', String(port), '-rsigner', pemFile(`${caId}-ocsp`), '-rkey', rkey, '-CA', pemFile(caId), '-nmin', '5', '-ignore_err',
      ]);
      let log = '';
      child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      try {
        await waitForOutput(child, new RegExp(`ACCEPT .*:${port}\\b`), 10_000);
        return { child, url: `http://127.0.0.1:${port}/`, log: () => log };
      } catch (e) {
        await stopChild(child);
        if (attempt >= 2) throw new Error(`openssl ocsp responder did not start: ${(e as Error).message}\n${log}`);
      }
    }
  }

  beforeAll(async () => {
    for (const suite of SUITE_LIST) responders.set(suite, await startResponder(suite));
  });
  afterAll(async () => {
    for (const r of responders.values()) await stopChild(r.child);
  });

  const cases = SUITE_LIST.flatMap((suite) => (['POST', 'GET'] as const).map((method) => [suite, method] as const));

  it.each(cases)('%s, %s with nonce: good, revoked (keyCompromise) and unknown', async (suite, method) => {
    const r = responders.get(suite)!;
    const client = new OcspClient({ method, timeoutMs: 10_000 });
    const issuer = pki.certificate(`${suite}/mo-sub2`);
    const good = await client.check(pki.certificate(goodContract(suite)), issuer, r.url).catch((e: Error) => {
      throw new Error(`${e.message}\nopenssl said:\n${r.log()}`);
    });
    expect(good.status).toEqual({ status: 'good' });
    expect(good.signedBy).toBe(pki.certificate(`${suite}/mo-sub2-ocsp`).subject.commonName);
    expect(good.nextUpdate! - good.thisUpdate).toBe(5 * 60_000);

    const revoked = await client.check(pki.certificate(revokedContract(suite)), issuer, r.url);
    expect(revoked.status).toEqual({ status: 'revoked', revokedAt: Math.floor(revokedAt / 1000) * 1000, reason: 'keyCompromise' });

    // The signer itself is in the index (valid); a serial nobody issued is unknown.
    expect((await client.check(pki.certificate(`${suite}/mo-sub2-ocsp`), issuer, r.url)).status).toEqual({ status: 'good' });
    const unknown = await client.checkCertId({ ...certIdFor(pki.certificate(goodContract(suite)), issuer), serialHex: '42' }, issuer, r.url);
    expect(unknown.status).toEqual({ status: 'unknown' });
  });

  it('SHA-512 CertIDs are answered by openssl too', async () => {
    const r = responders.get('iso20-p521')!;
    const client = new OcspClient({ hashAlgorithm: 'SHA512', timeoutMs: 10_000 });
    const res = await client.check(pki.certificate(goodContract('iso20-p521')), pki.certificate('iso20-p521/mo-sub2'), r.url);
    expect(res.status).toEqual({ status: 'good' });
  });
});
