// The C07 revocation checker against our RFC 6960 responder on loopback, over real sockets, with a PKI on disk whose
// CA database the tests revoke in.
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from '../../../src/csms/authorize/authorizeTypes.js';
import { createContractRevocationChecker, type ContractRevocationCheckerHandle, type ContractRevocationCheckerOptions } from '../../../src/csms/revocation/contractRevocationChecker.js';
import { KnownIssuers, knownIssuersFromPkiDir } from '../../../src/csms/revocation/knownIssuers.js';
import { revokeInPki } from '../../../src/pki/generator/pkiDirectory.js';
import { certIdFor, certIdFromRequestData } from '../../../src/pki/ocsp/certId.js';
import { encodeOcspError, encodeOcspRequest } from '../../../src/pki/ocsp/ocspMessages.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import type { OCSPRequestDataType } from '../../../src/ocpp/generated/ocpp201.js';
import { drain, freePort } from '../../helpers/ocspTestbed.js';
import { startRecordingServer, type RecordingServer } from './recordingServer.js';
import { EXPIRED_EMAID, OTHER_EMAID, REVOKED_EMAID, SUITE_LIST, hashDataFor, rogueResponse, startRevocationBench, type RevocationBench } from './revocationBench.js';

const HOUR = 3_600_000;
const ctx: CheckContext = { session: 'CS-1/msg-1', stationId: 'CS-1' };

let bench: RevocationBench;
let events: TraceEvent[] = [];
const handles: ContractRevocationCheckerHandle[] = [];

function checker(extra: Partial<ContractRevocationCheckerOptions> = {}): ContractRevocationCheckerHandle {
  const h = createContractRevocationChecker({
    issuers: knownIssuersFromPkiDir(bench.dir),
    roots: bench.roots(),
    policy: { allowedOrigins: [bench.server.origin], allowPrivateAddresses: true },
    timeoutMs: 2000,
    clock: bench.clock,
    tracer: silentTracer('csms', [(e) => events.push(e)]),
    ...extra,
  });
  handles.push(h);
  return h;
}

const contractChain = (suite: (typeof SUITE_LIST)[number]): readonly OCSPRequestDataType[] => {
  const leaf = bench.contract(suite);
  return [bench.hashData(leaf), bench.hashData(`${suite}/mo-sub2`), bench.hashData(`${suite}/mo-sub1`)];
};
const revokedLeaf = (suite: string): string => `${suite}/contract/${REVOKED_EMAID}`;

beforeAll(async () => {
  bench = await startRevocationBench();
});
afterAll(async () => {
  await bench?.close();
});
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
  events = [];
  bench.setSkew(0);
});

describe('hash data against our responder', () => {
  it.each(SUITE_LIST)('%s: contract, MO Sub-CA 2 and Sub-CA 1 good → valid, every lookup traced', async (suite) => {
    const calls = bench.server.calls();
    const outcome = await checker().checkHashData(contractChain(suite), ctx);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: 'valid' });
    expect(outcome.checks.map((c) => c.status)).toEqual(['good', 'good', 'good']);
    expect(outcome.checks.every((c) => c.responder === bench.server.origin && !c.fromCache)).toBe(true);
    expect(outcome.checks[0]!.certificate).toBe(bench.cert(bench.contract(suite)).serialHex);
    expect(bench.server.calls() - calls).toBe(3);
    const ocsp = events.filter((e) => e.kind === 'check' && e.check === 'ocsp');
    expect(ocsp).toHaveLength(3);
    for (const e of ocsp) {
      expect(e).toMatchObject({ kind: 'check', party: 'csms', session: 'CS-1/msg-1', ok: true });
      expect(e.kind === 'check' && e.detail).toContain(bench.server.origin);
      expect(e.kind === 'check' && typeof e.ms === 'number').toBe(true);
    }
    expect(ocsp.some((e) => e.kind === 'check' && e.detail?.includes(`serial ${bench.cert(bench.contract(suite)).serialHex}`))).toBe(true);
  });

  it('a contract revoked in the CA database → revoked with the reason', async () => {
    const outcome = await checker().checkHashData([bench.hashData(revokedLeaf('iso2')), bench.hashData('iso2/mo-sub2')], ctx);
    expect(outcome.kind).toBe('revoked');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/revoked \(keyCompromise\) since/);
    expect(outcome.checks.map((c) => c.status)).toEqual(['revoked', 'good']);
  });

  it('revoked outranks unverifiable when both occur', async () => {
    const unknownSerial = { ...bench.hashData('iso2/mo-sub2'), serialNumber: 'abcdef0123' };
    const outcome = await checker().checkHashData([unknownSerial, bench.hashData(revokedLeaf('iso2'))], ctx);
    expect(outcome.kind).toBe('revoked');
    expect(outcome.checks.map((c) => c.status)).toEqual(['unknown', 'revoked']);
  });

  it('a serial the CA never issued → unknown → unverifiable (C07.FR.17, not revoked)', async () => {
    const entry = { ...bench.hashData(bench.contract('iso2')), serialNumber: '0123456789ABCDEF' };
    const outcome = await checker().checkHashData([entry], ctx);
    expect(outcome.kind).toBe('unverifiable');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/unknown to its OCSP responder/);
    expect(outcome.checks[0]).toMatchObject({ certificate: '123456789abcdef', status: 'unknown' });
  });

  it.each(['SHA384', 'SHA512'] as const)('%s hash data, upper-case hex', async (alg) => {
    const entry = bench.hashData(bench.contract('iso20-p521'), alg);
    const upper = { ...entry, issuerNameHash: entry.issuerNameHash.toUpperCase(), issuerKeyHash: entry.issuerKeyHash.toUpperCase(), serialNumber: entry.serialNumber.toUpperCase() };
    expect((await checker().checkHashData([upper], ctx)).kind).toBe('valid');
  });

  it('an issuer the CSMS does not know → unverifiable without any fetch', async () => {
    const calls = bench.server.calls();
    const h = checker({ issuers: new KnownIssuers(), roots: bench.roots(['iso20-ed448']) });
    const outcome = await h.checkHashData([bench.hashData(bench.contract('iso2'))], ctx);
    expect(outcome.kind).toBe('unverifiable');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/issuer is not a known CA/);
    expect(outcome.checks[0]).toMatchObject({ status: 'error', detail: 'issuer unknown' });
    expect(bench.server.calls()).toBe(calls);
  });
});

describe('cache and single flight', () => {
  it('the second lookup is served from the cache', async () => {
    const h = checker();
    const entries = contractChain('iso2');
    await h.checkHashData(entries, ctx);
    const calls = bench.server.calls();
    const again = await h.checkHashData(entries, ctx);
    expect(again.kind).toBe('valid');
    expect(again.checks.every((c) => c.fromCache)).toBe(true);
    expect(bench.server.calls()).toBe(calls);
    expect(events.filter((e) => e.kind === 'check' && e.detail?.includes('(cached)'))).toHaveLength(3);
  });

  it('an answer expires at its nextUpdate (injected clock)', async () => {
    const h = checker();
    const entries = [bench.hashData(bench.contract('iso20-ed448'))];
    await h.checkHashData(entries, ctx);
    const calls = bench.server.calls();
    bench.setSkew(HOUR - 5_000);
    expect((await h.checkHashData(entries, ctx)).checks[0]!.fromCache).toBe(true);
    expect(bench.server.calls()).toBe(calls);
    bench.setSkew(HOUR + 1_000);
    const after = await h.checkHashData(entries, ctx);
    expect(after.kind).toBe('valid');
    expect(after.checks[0]!.fromCache).toBe(false);
    expect(bench.server.calls()).toBe(calls + 1);
  });

  it('100 concurrent identical lookups cause one HTTP request', async () => {
    const h = checker();
    const entries = [bench.hashData('iso2/mo-sub2')];
    const calls = bench.server.calls();
    const seen = bench.server.seen.length;
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => h.checkHashData(entries, ctx)));
    expect(outcomes.every((o) => o.kind === 'valid')).toBe(true);
    expect(bench.server.calls() - calls).toBe(1);
    expect(bench.server.seen.length - seen).toBe(1);
    expect(h.lookup.fetches).toBe(1);
  });

  it('3000 cached lookups take well under a second', async () => {
    const h = checker();
    const entries = [bench.hashData(bench.contract('iso2'))];
    await h.checkHashData(entries, ctx);
    const started = performance.now();
    for (let i = 0; i < 3000; i++) await h.checkHashData(entries, ctx);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(h.lookup.fetches).toBe(1);
  });
});

describe('SSRF and hostile responders', () => {
  let trap: RecordingServer;
  let trap6: RecordingServer | undefined;
  let answer: (res: ServerResponse, body: Buffer) => void = (res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(encodeOcspError('internalError'));
  beforeAll(async () => {
    const handler = (req: Parameters<Parameters<typeof startRecordingServer>[0]>[0], res: ServerResponse): void => void drain(req).then((body) => answer(res, body));
    trap = await startRecordingServer(handler);
    trap6 = await startRecordingServer(handler, '::1').catch(() => undefined);
  });
  afterAll(async () => {
    await trap.close();
    await trap6?.close();
  });

  const entryAt = (url: string): OCSPRequestDataType => ({ ...bench.hashData(bench.contract('iso2')), responderURL: url });

  it.each([
    ['127.0.0.1', (): string => `${trap.origin}/ocsp`],
    ['localhost', (): string => `http://localhost:${trap.port}/ocsp`],
    ['[::1]', (): string => (trap6 ? `${trap6.origin}/ocsp` : `http://[::1]:${trap.port}/ocsp`)],
    ['169.254.169.254', (): string => 'http://169.254.169.254/latest/meta-data/iam/'],
  ])('responderURL to %s with private addresses not allowed → unverifiable, no connection', async (_name, url) => {
    const before = trap.connections() + (trap6?.connections() ?? 0);
    const origins = [trap.origin, `http://localhost:${trap.port}`, 'http://169.254.169.254', ...(trap6 ? [trap6.origin] : ['http://[::1]:' + trap.port])];
    const h = checker({ policy: { allowedOrigins: origins, allowPrivateAddresses: false } });
    const outcome = await h.checkHashData([entryAt(url())], ctx);
    expect(outcome.kind).toBe('unverifiable');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/OCSP refused: .*(loopback|link-local)/);
    expect(outcome.checks[0]).toMatchObject({ status: 'error' });
    expect(trap.connections() + (trap6?.connections() ?? 0)).toBe(before);
  });

  it('a responder origin not on the allow-list → unverifiable, no connection', async () => {
    const before = trap.connections();
    const outcome = await checker().checkHashData([entryAt(`${trap.origin}/ocsp`)], ctx);
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/refused: origin http:\/\/127\.0\.0\.1:\d+ is not on the OCSP allow-list/);
    expect(trap.connections()).toBe(before);
  });

  const allowTrap = (): Partial<ContractRevocationCheckerOptions> => ({ policy: { allowedOrigins: [bench.server.origin, trap.origin], allowPrivateAddresses: true } });

  it('an allowed origin that redirects to our responder → refused (redirects are not followed)', async () => {
    answer = (res) => res.writeHead(307, { location: `${bench.server.origin}/ocsp` }).end();
    const calls = bench.server.calls();
    const outcome = await checker(allowTrap()).checkHashData([entryAt(`${trap.origin}/ocsp`)], ctx);
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/refused: .*redirected \(HTTP 307\)/);
    expect(bench.server.calls()).toBe(calls);
  });

  it('a 10 MB answer → too-large, quickly', async () => {
    answer = (res) => {
      res.on('error', () => undefined);
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.alloc(10 << 20, 0x30));
    };
    const started = performance.now();
    const outcome = await checker(allowTrap()).checkHashData([entryAt(`${trap.origin}/ocsp`)], ctx);
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/too-large/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a drip-fed answer → timeout', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/ocsp-response' });
      const t = setInterval(() => res.write(Buffer.from([0x30])), 40);
      res.on('close', () => clearInterval(t));
    };
    const started = performance.now();
    const outcome = await checker({ ...allowTrap(), timeoutMs: 400 }).checkHashData([entryAt(`${trap.origin}/ocsp`)], ctx);
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/timeout/);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('responder down → unverifiable (network)', async () => {
    const port = await freePort();
    const h = checker({ policy: { allowedOrigins: [`http://127.0.0.1:${port}`], allowPrivateAddresses: true } });
    const outcome = await h.checkHashData([entryAt(`http://127.0.0.1:${port}/ocsp`)], ctx);
    expect(outcome.kind).toBe('unverifiable');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/network: .*ECONNREFUSED/);
  });

  it('an answer signed by a key the CA never authorised → unverifiable', async () => {
    answer = (res, body) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(rogueResponse(body, bench.cert('iso2/mo-sub2'), bench.clock()));
    const outcome = await checker(allowTrap()).checkHashData([entryAt(`${trap.origin}/ocsp`)], ctx);
    expect(outcome.kind).toBe('unverifiable');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/unauthorized-signer/);
  });

  it("an answer by another CA's real delegated responder → unverifiable", async () => {
    // Ask our responder about the CPO Sub-CA 2's certificate, but present the answer for a contract's CertID.
    const leaf = bench.cert(bench.contract('iso2'));
    answer = (res) => {
      const secc = bench.hashData('iso2/secc');
      void fetch(`${bench.server.origin}/ocsp`, { method: 'POST', body: requestFor(secc), headers: { 'content-type': 'application/ocsp-request' } })
        .then(async (r) => Buffer.from(await r.arrayBuffer()))
        .then((der) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(der));
    };
    const outcome = await checker(allowTrap()).checkHashData([hashDataFor(certIdFor(leaf, bench.cert('iso2/mo-sub2')), `${trap.origin}/ocsp`)], ctx);
    expect(outcome.kind).toBe('unverifiable');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/certid-mismatch|unauthorized-signer/);
  });

  it('garbage with the OCSP content type → unverifiable (malformed)', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from('<html>hello</html>'));
    const outcome = await checker(allowTrap()).checkHashData([entryAt(`${trap.origin}/ocsp`)], ctx);
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/malformed/);
  });

  it('an OCSP error status (internalError) → unverifiable', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(encodeOcspError('internalError'));
    const outcome = await checker(allowTrap()).checkHashData([entryAt(`${trap.origin}/ocsp`)], ctx);
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/responder-status: .*internalError/);
  });

  it('a failing responder is not asked again within the failure memory', async () => {
    let hits = 0;
    answer = (res) => {
      hits++;
      res.writeHead(503).end();
    };
    const h = checker(allowTrap());
    for (let i = 0; i < 5; i++) expect((await h.checkHashData([entryAt(`${trap.origin}/ocsp`)], ctx)).kind).toBe('unverifiable');
    expect(hits).toBe(1);
  });
});

describe('malformed hash data → unverifiable with a clear detail, nothing fetched', () => {
  const good = (): OCSPRequestDataType => bench.hashData(bench.contract('iso2'));
  const table: readonly [string, () => readonly OCSPRequestDataType[], RegExp][] = [
    ['no entries', () => [], /no OCSP hash data/],
    ['five entries', () => Array.from({ length: 5 }, good), /5 hash data entries, at most 4/],
    ['issuerNameHash not hex', () => [{ ...good(), issuerNameHash: 'zz'.repeat(32) }], /entry 1: issuerNameHash must be 64 hex digits for SHA256/],
    ['issuerKeyHash too short', () => [{ ...good(), issuerKeyHash: 'ab'.repeat(20) }], /issuerKeyHash must be 64 hex digits/],
    ['SHA256 hashes declared SHA512', () => [{ ...good(), hashAlgorithm: 'SHA512' }], /must be 128 hex digits for SHA512/],
    ['SHA1', () => [{ ...good(), hashAlgorithm: 'SHA1' as 'SHA256' }], /hashAlgorithm SHA1 is not SHA256, SHA384 or SHA512/],
    ['serial of 41 digits', () => [{ ...good(), serialNumber: '1'.repeat(41) }], /serialNumber must be 1 to 40 hex digits/],
    ['serial with 0x', () => [{ ...good(), serialNumber: '0x1234' }], /serialNumber must be 1 to 40 hex digits/],
    ['empty serial', () => [{ ...good(), serialNumber: '' }], /serialNumber must be 1 to 40 hex digits/],
    ['URL of 513 characters', () => [{ ...good(), responderURL: `http://x/${'a'.repeat(504)}` }], /responderURL has 513 characters, at most 512/],
    ['second entry broken', () => [good(), { ...good(), issuerKeyHash: '' }], /entry 2: issuerKeyHash/],
  ];
  it.each(table)('%s', async (_name, entries, detail) => {
    const calls = bench.server.calls();
    const outcome = await checker().checkHashData(entries(), ctx);
    expect(outcome.kind).toBe('unverifiable');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(detail);
    expect(bench.server.calls()).toBe(calls);
    expect(events.some((e) => e.kind === 'check' && e.check === 'ocsp' && !e.ok)).toBe(true);
  });
});

describe('certificate chain (central validation)', () => {
  const emaidOf = (id: string): string => bench.cert(id).subject.commonName!;

  it.each(SUITE_LIST)('%s: valid chain → chain verdict, then OCSP for leaf, Sub-CA 2 and Sub-CA 1', async (suite) => {
    const leaf = bench.contract(suite);
    const calls = bench.server.calls();
    const outcome = await checker().checkCertificateChain(bench.chainPem(leaf), emaidOf(leaf), ctx);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: 'valid' });
    expect(outcome.checks.map((c) => c.status)).toEqual(['good', 'good', 'good']);
    expect(outcome.checks.slice(1).map((c) => c.certificate)).toEqual(['pnc-stack MO Sub-CA 2', 'pnc-stack MO Sub-CA 1']);
    expect(outcome.checks[0]!.certificate).toMatch(/^DEPNC\*+.$/);
    expect(bench.server.calls() - calls).toBe(3);
    const chain = events.find((e) => e.kind === 'check' && e.check === 'contract chain');
    expect(chain).toMatchObject({ ok: true, party: 'csms', session: 'CS-1/msg-1' });
    // The full eMAID appears in no trace.
    expect(JSON.stringify(events)).not.toContain(emaidOf(leaf));
  });

  it('hyphenated, lower-case eMAID in the token matches the leaf CN', async () => {
    const leaf = bench.contract('iso2');
    const e = emaidOf(leaf);
    const styled = `${e.slice(0, 2)}-${e.slice(2, 5)}-${e.slice(5, 14)}-${e.slice(14)}`.toLowerCase();
    expect((await checker().checkCertificateChain(bench.chainPem(leaf), styled, ctx)).kind).toBe('valid');
  });

  it('a chain that includes the installed root is judged the same', async () => {
    const leaf = bench.contract('iso2');
    expect((await checker().checkCertificateChain(bench.chainPem(leaf, true), emaidOf(leaf), ctx)).kind).toBe('valid');
  });

  it('expired leaf → expired (C07.FR.15), no OCSP', async () => {
    const calls = bench.server.calls();
    const leaf = `iso2/contract/${EXPIRED_EMAID}`;
    const outcome = await checker().checkCertificateChain(bench.chainPem(leaf), EXPIRED_EMAID, ctx);
    expect(outcome.kind).toBe('expired');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/validity: leaf .* expired/);
    expect(outcome.kind !== 'valid' && outcome.detail).not.toContain(EXPIRED_EMAID);
    expect(bench.server.calls()).toBe(calls);
  });

  it('not yet valid (judged before notBefore) → expired', async () => {
    bench.setSkew(-2 * HOUR);
    const leaf = bench.contract('iso2');
    const outcome = await checker().checkCertificateChain(bench.chainPem(leaf), emaidOf(leaf), ctx);
    expect(outcome.kind).toBe('expired');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/not valid before/);
  });

  it('wrong eMAID → unverifiable, both eMAIDs masked', async () => {
    const leaf = bench.contract('iso2');
    const outcome = await checker().checkCertificateChain(bench.chainPem(leaf), OTHER_EMAID, ctx);
    expect(outcome.kind).toBe('unverifiable');
    const detail = outcome.kind !== 'valid' ? outcome.detail : '';
    expect(detail).toMatch(/emaid: eMAID DEPNC\*+. does not match the contract CN DEPNC\*+./);
    expect(detail).not.toContain(OTHER_EMAID);
    expect(detail).not.toContain(emaidOf(leaf));
    expect(JSON.stringify(events)).not.toContain(emaidOf(leaf));
  });

  it('untrusted root → unverifiable', async () => {
    const leaf = bench.contract('iso2');
    const outcome = await checker({ roots: bench.roots(['iso20-p521']) }).checkCertificateChain(bench.chainPem(leaf), emaidOf(leaf), ctx);
    expect(outcome.kind).toBe('unverifiable');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/trustAnchor: no installed root issued/);
  });

  it('a chain with its sub-CAs from another suite → unverifiable', async () => {
    const leaf = bench.pki.der(bench.contract('iso2'));
    const foreign = bench.chainPem('iso20-p521/mo-sub2');
    const pem = `-----BEGIN CERTIFICATE-----\n${leaf.toString('base64')}\n-----END CERTIFICATE-----\n${foreign}`;
    const outcome = await checker().checkCertificateChain(pem, emaidOf(bench.contract('iso2')), ctx);
    expect(outcome.kind).toBe('unverifiable');
  });

  it.each([
    ['not PEM', 'hello'],
    ['a broken PEM block', '-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n'],
    ['a PEM block that is no certificate', '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n'],
    ['an oversize chain', 'A'.repeat(20_000)],
  ])('%s → unverifiable', async (_name, pem) => {
    const outcome = await checker().checkCertificateChain(pem, OTHER_EMAID, ctx);
    expect(outcome.kind).toBe('unverifiable');
  });

  it('sub-CAs of a verified chain are learned: hash data under them then verifies', async () => {
    const leaf = bench.contract('iso20-ed448');
    const issuers = new KnownIssuers();
    const h = checker({ issuers, roots: bench.roots() });
    const before = await h.checkHashData([bench.hashData(leaf)], ctx);
    expect(before.kind !== 'valid' && before.detail).toMatch(/issuer is not a known CA/);
    expect((await h.checkCertificateChain(bench.chainPem(leaf), emaidOf(leaf), ctx)).kind).toBe('valid');
    expect(issuers.learned).toBe(2);
    expect((await h.checkHashData([bench.hashData(leaf)], ctx)).kind).toBe('valid');
  });

  it('a revoked contract → revoked', async () => {
    const leaf = revokedLeaf('iso20-ed448');
    const outcome = await checker().checkCertificateChain(bench.chainPem(leaf), emaidOf(leaf), ctx);
    expect(outcome.kind).toBe('revoked');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/^contract DEPNC\*+. \(serial [0-9a-f]+\) is revoked \(keyCompromise\)/);
  });

  it('a revoked MO Sub-CA 2 → revoked (and its sub-CAs are not learned)', async () => {
    revokeInPki(bench.dir, 'iso20-p521/mo-sub2', { reason: 'cACompromise' });
    const leaf = bench.contract('iso20-p521');
    const issuers = new KnownIssuers();
    const outcome = await checker({ issuers }).checkCertificateChain(bench.chainPem(leaf), emaidOf(leaf), ctx);
    expect(outcome.kind).toBe('revoked');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/sub-CA "pnc-stack MO Sub-CA 2" \(serial [0-9a-f]+\) is revoked \(cACompromise\)/);
    // The leaf under the compromised Sub-CA is answered revoked too (RFC 6960 §2.7, src/ocsp/caDatabaseStatus.ts).
    expect(outcome.checks.map((c) => c.status)).toEqual(['revoked', 'revoked', 'good']);
    expect(issuers.learned).toBe(0);
  });
});

/** A nonce-less DER request for hash data, to get a real answer from our responder. */
function requestFor(d: OCSPRequestDataType): Buffer {
  return encodeOcspRequest([certIdFromRequestData(d)]);
}
