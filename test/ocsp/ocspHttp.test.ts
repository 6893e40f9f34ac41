import { createPrivateKey, createPublicKey, createHash, type KeyObject } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, type Certificate } from '../../src/pki/certificate/certificate.js';
import { buildCertificate, ext } from '../../src/pki/generator/certificateBuilder.js';
import { buildTestPki, DEFAULT_TEST_PKI, type IssuedCertificate } from '../../src/pki/generator/testPki.js';
import { certIdFor, type CertId } from '../../src/pki/ocsp/certId.js';
import { OcspClient, type OcspClientOptions } from '../../src/pki/ocsp/ocspClient.js';
import { OcspError, type OcspErrorCode } from '../../src/pki/ocsp/ocspError.js';
import { encodeOcspRequest, parseOcspResponse, type OcspResponseStatusName } from '../../src/pki/ocsp/ocspMessages.js';
import { OcspResponderCore, type OcspAuthority } from '../../src/pki/ocsp/ocspResponderCore.js';
import { createTrustStore } from '../../src/pki/verdict/trustStore.js';
import { verifyWithOcsp } from '../../src/pki/verdict/verifyWithOcsp.js';
import { DAY, NOW } from '../helpers/fixtures.js';
import { MemoryStatus, drain, freePort, startOcspServer, startRawServer, type RawServer, type RunningOcspServer } from '../helpers/ocspTestbed.js';

// A PKI whose AIA points at the responder under test, judged at a fixed clock on both sides.
const clock = { now: NOW };
const now = (): number => clock.now;
let server: RunningOcspServer;
let url: string;
let pki: Map<string, IssuedCertificate>;
const statuses = new MemoryStatus();
let core: OcspResponderCore;

const c = (name: string): IssuedCertificate => {
  const x = pki.get(`iso2/${name}`);
  if (!x) throw new Error(`no iso2/${name}`);
  return x;
};
const contract = (): IssuedCertificate => [...pki.values()].find((x) => x.role === 'contract')!;
const authority = (caName: string): OcspAuthority => ({ id: `iso2/${caName}`, ca: c(caName).cert, signer: { cert: c(`${caName}-ocsp`).cert, key: c(`${caName}-ocsp`).key.privateKey } });

/**
 * A CA with a fixed Ed448 key and name, so that its CertIDs (hence the base64 of a nonce-less request) are the same on
 * every run: GET tests need to know whether the base64 holds a '/'. The CA signs its own responses.
 */
interface FixedCa {
  readonly cert: Certificate;
  readonly authority: OcspAuthority;
  /** A CertID under this CA whose request base64 contains no '/' (and no '+'), and one whose base64 contains '/'. */
  readonly plain: CertId;
  readonly slashed: CertId;
}

function fixedCa(): FixedCa {
  const seed = createHash('shake256', { outputLength: 57 }).update('pnc-stack OCSP GET test CA').digest();
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([Buffer.from('3047020100300506032b6571043b0439', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  for (let i = 0; i < 1000; i++) {
    const der = buildCertificate({
      serial: Buffer.from([1]),
      subject: { country: 'DE', organization: 'pnc-stack test', commonName: `GET test CA ${i}` },
      issuer: { country: 'DE', organization: 'pnc-stack test', commonName: `GET test CA ${i}` },
      notBefore: NOW - 30 * DAY,
      notAfter: NOW + 365 * DAY,
      publicKey: createPublicKey(key),
      extensions: [ext.basicConstraints(true, 0), ext.keyUsage(['digitalSignature', 'keyCertSign', 'cRLSign'])],
      signatureAlgorithm: 'Ed448',
      signingKey: key,
    });
    const cert = parseCertificate(der);
    const idFor = (serial: number): CertId => ({ ...certIdFor(cert, cert), serialHex: serial.toString(16) });
    const b64 = (id: CertId): string => encodeOcspRequest([id]).toString('base64');
    const serials = Array.from({ length: 4096 }, (_, k) => k + 1);
    const plain = serials.find((s) => !/[/+]/.test(b64(idFor(s))));
    const slashed = serials.find((s) => b64(idFor(s)).includes('/'));
    if (plain !== undefined && slashed !== undefined) {
      return { cert, authority: { id: 'fixed-ca', ca: cert, signer: { cert, key } }, plain: idFor(plain), slashed: idFor(slashed) };
    }
  }
  throw new Error('no fixed CA name gives a slash-free request');
}
let fixed: FixedCa;

beforeAll(async () => {
  server = await startOcspServer({ respond: (req) => core.respond(req) });
  url = `${server.origin}/ocsp`;
  pki = new Map(buildTestPki({ ...DEFAULT_TEST_PKI, suites: ['iso2'], now: NOW, ocspUrl: url }).map((x) => [x.id, x]));
  fixed = fixedCa();
  statuses.set('iso2/mo-sub2', contract().cert.serialHex, { status: 'good' });
  statuses.set('iso2/mo-sub1', c('mo-sub2').cert.serialHex, { status: 'good' });
  statuses.set('iso2/mo-root', c('mo-sub1').cert.serialHex, { status: 'good' });
  statuses.set('iso2/cpo-sub2', c('secc').cert.serialHex, { status: 'revoked', revokedAt: NOW - DAY, reason: 'keyCompromise' });
  statuses.set('fixed-ca', fixed.plain.serialHex, { status: 'good' });
  statuses.set('fixed-ca', fixed.slashed.serialHex, { status: 'good' });
  core = new OcspResponderCore({
    authorities: [authority('mo-sub2'), authority('mo-sub1'), authority('mo-root'), authority('cpo-sub2'), fixed.authority],
    statuses,
    now,
  });
});
afterAll(async () => {
  await server.close();
});

const client = (options: OcspClientOptions = {}): OcspClient => new OcspClient({ now, timeoutMs: 5000, ...options });

async function failure(p: Promise<unknown>): Promise<{ code: OcspErrorCode; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OcspError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an OcspError');
}

async function ocspBody(res: Response): Promise<OcspResponseStatusName> {
  expect(res.headers.get('content-type')).toBe('application/ocsp-response');
  return parseOcspResponse(Buffer.from(await res.arrayBuffer())).status;
}

describe('OcspClient against the fastify responder', () => {
  it('POST (default): good for the contract, following its AIA, nonce checked', async () => {
    const before = server.seen.length;
    const r = await client().check(contract().cert, c('mo-sub2').cert);
    expect(r.status).toEqual({ status: 'good' });
    expect(r.url).toBe(url);
    expect(r.fromCache).toBe(false);
    expect(r.signedBy).toBe(c('mo-sub2-ocsp').cert.subject.commonName);
    expect(r.nextUpdate).toBe(NOW + 3_600_000);
    expect(server.seen.slice(before).map((s) => s.method)).toEqual(['POST']);
  });

  it('revoked with its reason', async () => {
    const r = await client().check(c('secc').cert, c('cpo-sub2').cert);
    expect(r.status).toEqual({ status: 'revoked', revokedAt: NOW - DAY, reason: 'keyCompromise' });
  });

  it('unknown for a serial the responder does not know', async () => {
    const r = await client().checkCertId({ ...certIdFor(contract().cert, c('mo-sub2').cert), serialHex: 'abcdef' }, c('mo-sub2').cert, url);
    expect(r.status).toEqual({ status: 'unknown' });
  });

  it.each(['SHA1', 'SHA384', 'SHA512'] as const)('CertIDs hashed with %s', async (hashAlgorithm) => {
    expect((await client({ hashAlgorithm }).check(contract().cert, c('mo-sub2').cert)).status.status).toBe('good');
  });

  it('a CA the responder does not serve → responder-status (unauthorized)', async () => {
    const f = await failure(client().check(c('mo-sub2-ocsp').cert, c('oem-sub2').cert, url));
    expect(f.code).toBe('responder-status');
    expect(f.message).toContain('unauthorized');
  });

  it('the cache answers a second check within nextUpdate without asking the responder, and asks again after it', async () => {
    const cl = client();
    const calls = server.calls();
    const first = await cl.check(contract().cert, c('mo-sub2').cert);
    expect(first.fromCache).toBe(false);
    expect(server.calls()).toBe(calls + 1);
    clock.now = NOW + 30 * 60_000;
    try {
      const second = await cl.check(contract().cert, c('mo-sub2').cert);
      expect(second.fromCache).toBe(true);
      expect(second.status).toEqual(first.status);
      expect(server.calls()).toBe(calls + 1);
      expect(cl.cacheSize).toBe(1);
      clock.now = NOW + 61 * 60_000;
      const third = await cl.check(contract().cert, c('mo-sub2').cert);
      expect(third.fromCache).toBe(false);
      expect(server.calls()).toBe(calls + 2);
    } finally {
      clock.now = NOW;
    }
  });

  it('verifyWithOcsp: every certificate of the contract path checked at its AIA, then revocation decides', async () => {
    const trustStore = createTrustStore([{ der: c('mo-root').der, source: 'mo-root' }]);
    const input = { leaf: contract().der, subCAs: [c('mo-sub1').der, c('mo-sub2').der], trustStore, protocol: 'iso2', role: 'contract', at: NOW } as const;
    const ok = await verifyWithOcsp(input, client());
    expect(ok.lookups.map((l) => l.result?.status.status ?? l.error?.code)).toEqual(['good', 'good', 'good']);
    expect(ok.verdict.valid).toBe(true);
    statuses.set('iso2/mo-sub1', c('mo-sub2').cert.serialHex, { status: 'revoked', revokedAt: NOW - DAY, reason: 'cACompromise' });
    try {
      const bad = await verifyWithOcsp(input, client());
      expect(bad.local.valid).toBe(true);
      expect(bad.verdict.valid).toBe(false);
      expect(bad.verdict.failure).toBe('revoked');
      expect(bad.verdict.ocppCertificateStatus).toBe('CertificateRevoked');
    } finally {
      statuses.set('iso2/mo-sub1', c('mo-sub2').cert.serialHex, { status: 'good' });
    }
  });
});

describe('GET (RFC 6960 A.1, RFC 5019)', () => {
  it('client method GET without nonce: good, sent as GET', async () => {
    const before = server.seen.length;
    const r = await client({ method: 'GET', nonce: false }).checkCertId(fixed.plain, fixed.cert, url);
    expect(r.status).toEqual({ status: 'good' });
    expect(r.signedBy).toBe('issuer');
    expect(server.seen.slice(before).map((s) => s.method)).toEqual(['GET']);
  });

  it("client method 'auto' sends a small request as GET", async () => {
    const before = server.seen.length;
    const r = await client({ method: 'auto', nonce: false }).checkCertId(fixed.plain, fixed.cert, `${server.origin}/ocsp/`);
    expect(r.status).toEqual({ status: 'good' });
    expect(server.seen.slice(before).map((s) => s.method)).toEqual(['GET']);
  });

  it("a request whose base64 holds '/' (sent as %2F) is answered, not refused as malformed", async () => {
    const r = await client({ method: 'GET', nonce: false }).checkCertId(fixed.slashed, fixed.cert, url);
    expect(r.status).toEqual({ status: 'good' });
  });

  it('raw GET with the unescaped base64 of a slash-free request', async () => {
    const b64 = encodeOcspRequest([fixed.plain]).toString('base64');
    const res = await fetch(`${url}/${b64}`);
    expect(res.status).toBe(200);
    expect(await ocspBody(res)).toBe('successful');
    expect(res.headers.get('cache-control')).toContain('max-age');
  });

  it.each([
    ['broken base64', '!!!!'],
    ['base64 of garbage', Buffer.from('not an OCSP request').toString('base64')],
    ['nothing after the path', ''],
  ])('GET with %s → malformedRequest', async (_name, tail) => {
    const res = await fetch(`${url}/${tail}`);
    expect(await ocspBody(res)).toBe('malformedRequest');
  });

  it.each([
    ['a truncated %-escape', '%E0%A4%A'],
    ['a non-hex %-escape', '%ZZ'],
  ])('GET with %s → an OCSP malformedRequest body', async (_name, tail) => {
    const res = await fetch(`${url}/${tail}`);
    expect(await ocspBody(res)).toBe('malformedRequest');
  });
});

describe('POST edge cases at the fastify responder', () => {
  it.each([
    ['empty body with the OCSP content type', { 'content-type': 'application/ocsp-request' }, Buffer.alloc(0)],
    ['no body at all', {}, undefined],
    ['JSON', { 'content-type': 'application/json' }, Buffer.from('{"ocsp":true}')],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from('a=1&b=2')],
  ])('%s → malformedRequest', async (_name, headers: Record<string, string>, body) => {
    const res = await fetch(url, { method: 'POST', headers, ...(body ? { body } : {}) });
    expect(res.status).toBe(200);
    expect(await ocspBody(res)).toBe('malformedRequest');
  });

  it('a DER request without content type is still answered', async () => {
    const res = await fetch(url, { method: 'POST', body: encodeOcspRequest([certIdFor(contract().cert, c('mo-sub2').cert)]) });
    expect(await ocspBody(res)).toBe('successful');
  });

  it.each([17 * 1024, 1024 * 1024])('a %i-byte body → OCSP malformedRequest, and the server keeps serving', async (size) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.alloc(size, 0x30) });
    expect([200, 413]).toContain(res.status); // fastify answers 413 today
    expect(await ocspBody(res)).toBe('malformedRequest');
    expect((await client().check(contract().cert, c('mo-sub2').cert)).status.status).toBe('good');
  });

  it('a smaller maxRequestBytes is honoured', async () => {
    const small = await startOcspServer({ respond: (req) => core.respond(req) }, 64);
    try {
      const res = await fetch(small.origin, { method: 'POST', body: encodeOcspRequest([certIdFor(contract().cert, c('mo-sub2').cert)], Buffer.alloc(16)) });
      expect(await ocspBody(res)).toBe('malformedRequest');
      expect(small.calls()).toBe(0);
    } finally {
      await small.close();
    }
  });
});

describe('OcspClient failure modes against small local servers', () => {
  async function against(handler: Parameters<typeof startRawServer>[0], options: OcspClientOptions = {}): Promise<{ code: OcspErrorCode; message: string; server: RawServer }> {
    const raw = await startRawServer(handler);
    try {
      const f = await failure(client(options).check(contract().cert, c('mo-sub2').cert, `${raw.origin}/ocsp`));
      return { ...f, server: raw };
    } finally {
      await raw.close();
    }
  }
  const okHeaders = { 'content-type': 'application/ocsp-response' };

  it('a server that never answers → timeout', async () => {
    const f = await against(() => undefined, { timeoutMs: 300 });
    expect(f.code).toBe('timeout');
    expect(f.server.requests()).toBe(1);
  });

  it('a server that sends headers and then stalls → timeout', async () => {
    const f = await against(
      (_req, res) => {
        res.writeHead(200, okHeaders);
        res.write(Buffer.from([0x30, 0x82]));
      },
      { timeoutMs: 300 },
    );
    expect(f.code).toBe('timeout');
  });

  it.each([500, 404, 503])('HTTP %i → http', async (status) => {
    const f = await against((_req, res) => res.writeHead(status, okHeaders).end(Buffer.from('30030a0102', 'hex')));
    expect(f.code).toBe('http');
    expect(f.message).toContain(String(status));
  });

  it.each([
    ['text/html', { 'content-type': 'text/html' }],
    ['application/octet-stream', { 'content-type': 'application/octet-stream' }],
    ['no content type', {}],
  ])('content type %s → http', async (_name, headers) => {
    const f = await against((_req, res) => res.writeHead(200, headers).end(Buffer.from('30030a0102', 'hex')));
    expect(f.code).toBe('http');
  });

  it('a 302 redirect → http, and the target is never asked', async () => {
    const callsBefore = server.calls();
    const f = await against((_req, res) => res.writeHead(302, { location: url }).end());
    expect(f.code).toBe('http');
    expect(server.calls()).toBe(callsBefore);
  });

  it('a body larger than maxResponseBytes, announced by content-length → too-large', async () => {
    const f = await against((_req, res) => res.writeHead(200, { ...okHeaders, 'content-length': 100_000 }).end(Buffer.alloc(100_000, 0x30)), { maxResponseBytes: 1024 });
    expect(f.code).toBe('too-large');
  });

  it('a body larger than maxResponseBytes, streamed without content-length → too-large', async () => {
    const f = await against(
      (_req, res) => {
        res.writeHead(200, okHeaders);
        const chunk = Buffer.alloc(4096, 0x30);
        let sent = 0;
        const pump = (): void => {
          while (sent < 64 && res.write(chunk)) sent++;
          if (sent < 64) res.once('drain', pump);
          else res.end();
        };
        pump();
      },
      { maxResponseBytes: 10_000 },
    );
    expect(f.code).toBe('too-large');
  });

  it('HTTP 200 with a garbage body → malformed', async () => {
    const f = await against((_req, res) => res.writeHead(200, okHeaders).end(Buffer.from('<html>hi</html>')));
    expect(f.code).toBe('malformed');
  });

  it('the POST carries the DER request with the OCSP content type', async () => {
    let seen: { type: string | undefined; body: Buffer } | undefined;
    const f = await against((req, res) => {
      void drain(req).then((body) => {
        seen = { type: req.headers['content-type'], body };
        res.writeHead(200, okHeaders).end(Buffer.from('30030a0103', 'hex'));
      });
    });
    expect(f.code).toBe('responder-status');
    expect(seen?.type).toBe('application/ocsp-request');
    expect(sameFirstCertId(seen!.body)).toBe(true);
  });

  it('refuseUrl → url-not-allowed, nothing is sent', async () => {
    const raw = await startRawServer((_req, res) => res.end());
    try {
      const refuse = (u: URL): string | undefined => (u.hostname === '127.0.0.1' ? 'loopback responders are not on the allow-list' : undefined);
      const f = await failure(client({ refuseUrl: refuse }).check(contract().cert, c('mo-sub2').cert, `${raw.origin}/ocsp`));
      expect(f).toEqual({ code: 'url-not-allowed', message: 'loopback responders are not on the allow-list' });
      expect(raw.requests()).toBe(0);
    } finally {
      await raw.close();
    }
  });

  it.each([
    ['ftp URL', 'ftp://127.0.0.1/ocsp'],
    ['file URL', 'file:///etc/passwd'],
    ['not a URL', 'http//broken'],
  ])('%s → url-not-allowed', async (_name, target) => {
    expect((await failure(client().check(contract().cert, c('mo-sub2').cert, target))).code).toBe('url-not-allowed');
  });

  it('a certificate without AIA and no URL given → no-url', async () => {
    const noAia = fixed.cert;
    expect(noAia.ocspUrls).toEqual([]);
    expect((await failure(client().check(noAia, noAia))).code).toBe('no-url');
  });

  it('connection refused (a closed port) → network', async () => {
    const port = await freePort();
    expect((await failure(client().check(contract().cert, c('mo-sub2').cert, `http://127.0.0.1:${port}/ocsp`))).code).toBe('network');
  });

  it('a server that accepts and closes the connection at once → network', async () => {
    const tcp: NetServer = createNetServer((s) => s.destroy());
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = tcp.address() as AddressInfo;
      expect((await failure(client().check(contract().cert, c('mo-sub2').cert, `http://127.0.0.1:${port}/ocsp`))).code).toBe('network');
    } finally {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  });

  it('a failed exchange is not cached', async () => {
    const raw = await startRawServer((_req, res) => res.writeHead(500).end());
    try {
      const cl = client();
      await failure(cl.check(contract().cert, c('mo-sub2').cert, `${raw.origin}/ocsp`));
      await failure(cl.check(contract().cert, c('mo-sub2').cert, `${raw.origin}/ocsp`));
      expect(raw.requests()).toBe(2);
      expect(cl.cacheSize).toBe(0);
    } finally {
      await raw.close();
    }
  });
});

function sameFirstCertId(requestBody: Buffer): boolean {
  const id = certIdFor(contract().cert, c('mo-sub2').cert);
  return requestBody.includes(id.issuerKeyHash) && requestBody.includes(id.issuerNameHash);
}
