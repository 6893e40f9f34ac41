// Findings of the first review, kept as tests: hostile names, cache bounds, GET request paths, CA database content,
// verifyWithOcsp without AIA, and nonce-less responders.
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CertificateParseError, parseCertificate } from '../../src/pki/certificate/certificate.js';
import * as der from '../../src/pki/der/derWriter.js';
import { CaDatabaseError, parseCaDatabase } from '../../src/pki/generator/caDatabase.js';
import { OcspClient } from '../../src/pki/ocsp/ocspClient.js';
import { certIdFor } from '../../src/pki/ocsp/certId.js';
import { encodeOcspRequest } from '../../src/pki/ocsp/ocspMessages.js';
import { chainVerdict } from '../../src/pki/verdict/chainVerdict.js';
import { VerdictCache } from '../../src/pki/verdict/verdictCache.js';
import { verifyWithOcsp } from '../../src/pki/verdict/verifyWithOcsp.js';
import { requestFromGetPath } from '../../src/ocsp/getRequestPath.js';
import { CaDatabaseStatus } from '../../src/ocsp/caDatabaseStatus.js';
import { createOcspServer } from '../../src/ocsp/ocspServer.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { NOW, cert, chargerTrust } from '../helpers/fixtures.js';
import { fixture, issueUnder } from '../helpers/chainMutations.js';
import { buildCertificate, randomSerial } from '../../src/pki/generator/certificateBuilder.js';
import { MemoryStatus, fixtureAuthority, signedResponse, startRawServer, tempPki } from '../helpers/ocspTestbed.js';
import { OcspResponderCore } from '../../src/pki/ocsp/ocspResponderCore.js';

describe('a name with a hostile attribute type', () => {
  // 2.5.4.<2^60>: valid DER, but an arc no safe integer holds. It must fail the parse, not a later name read.
  const hugeArc = der.sequence(der.setOf(der.sequence(der.oid(`2.5.4.${2n ** 60n}`), der.utf8String('x'))));

  it('fails the certificate parse up front, in the subject or in the issuer', () => {
    const leaf = cert('iso2/contract/DEPNCC00000001A');
    const sub2 = cert('iso2/mo-sub2');
    for (const names of [{ subject: hugeArc, issuer: sub2.cert.subjectRaw }, { subject: leaf.cert.subjectRaw, issuer: hugeArc }]) {
      const bad = {
        der: buildCertificate({
          serial: randomSerial(),
          ...names,
          notBefore: NOW - 3_600_000,
          notAfter: NOW + 86_400_000,
          publicKey: leaf.key.publicKey,
          extensions: [],
          signatureAlgorithm: 'ecdsa-with-SHA256',
          signingKey: sub2.key.privateKey,
        }),
      };
      expect(() => parseCertificate(bad.der)).toThrow(CertificateParseError);
      const v = chainVerdict({ leaf: bad.der, subCAs: [cert('iso2/mo-sub2').der, cert('iso2/mo-sub1').der], trustStore: chargerTrust('iso2'), protocol: 'iso2', role: 'contract', at: NOW });
      expect(v.failure).toBe('chain');
      expect(v.checks.find((c) => c.name === 'parse')?.ok).toBe(false);
    }
  });
});

describe('VerdictCache', () => {
  it('counts certificates, not buckets, and keeps at most maxEntries', () => {
    const cache = new VerdictCache(16);
    const sub2 = cert('iso2/mo-sub2');
    for (let i = 0; i < 100; i++) {
      // Distinct certificates that end in the same bytes would all have shared one bucket before.
      const c = issueUnder(fixture('iso2/mo-sub2'), { subject: { commonName: `leaf ${i}`, domainComponent: 'MO' }, ca: false, usages: ['digitalSignature'], keyType: 'P-256' });
      cache.certificate(c.der);
    }
    expect(cache.size).toBeLessThanOrEqual(16);
    expect(cache.certificate(sub2.der)).toBe(cache.certificate(Buffer.from(sub2.der)));
  });
});

describe('OCSP GET request paths', () => {
  const request = encodeOcspRequest([certIdFor(cert('iso2/contract/DEPNCC00000001A').cert, cert('iso2/mo-sub2').cert)], Buffer.alloc(16, 0xff));
  const b64 = request.toString('base64');

  it.each([
    ['escaped, under a prefix', `/ocsp/${encodeURIComponent(b64)}`],
    ['escaped, at the root', `/${encodeURIComponent(b64)}`],
    ['unescaped, under a two-level prefix', `/a/ocsp/${b64}`],
    ['with a query string', `/ocsp/${encodeURIComponent(b64)}?x=1`],
  ])('finds the request %s', (_name, url) => {
    expect(requestFromGetPath(url, 16384).equals(request)).toBe(true);
  });

  it.each([
    ['a path of thousands of segments', `/${'A/'.repeat(8000)}`],
    ['a path longer than any request', `/ocsp/${'A'.repeat(100_000)}`],
    ['a broken escape', '/ocsp/%E0%A4%A'],
    ['no request at all', '/ocsp/'],
  ])('gives an empty request for %s', (_name, url) => {
    expect(requestFromGetPath(url, 16384).length).toBe(0);
  });

  it('the request the unescaped slashes were taken from is refused when it is not one DER value', () => {
    expect(requestFromGetPath(`/ocsp/${b64}AAAA`, 16384).length).toBe(0);
  });
});

describe('CA database content', () => {
  const entry = { id: 'a', issuerId: 'b', serialHex: '01', subject: 's', notAfter: '2030-01-01T00:00:00.000Z', status: 'valid' };
  it.each([
    ['a revoked entry without revokedAt', [{ ...entry, status: 'revoked' }]],
    ['a valid entry with revokedAt', [{ ...entry, revokedAt: '2026-01-01T00:00:00Z' }]],
    ['a null entry', [null]],
    ['an unparseable notAfter', [{ ...entry, notAfter: 'soon' }]],
    ['an upper-case serial', [{ ...entry, serialHex: 'AB' }]],
  ])('refuses %s', (_name, entries) => {
    expect(() => parseCaDatabase(JSON.stringify({ format: 'pnc-stack-ca-db/1', entries }), 'db.json')).toThrow(CaDatabaseError);
  });

  it('CaDatabaseStatus can be closed and answers from what it read', () => {
    const t = tempPki({ protocol: 'iso2' });
    try {
      const status = new CaDatabaseStatus(t.pki.databasePath);
      const leaf = t.pki.entries((e) => e.role === 'contract')[0]!;
      expect(status.status(leaf.issuerId, leaf.serialHex)).toEqual({ status: 'good' });
      status.close();
      status.close();
    } finally {
      t.cleanup();
    }
  });
});

describe('verifyWithOcsp', () => {
  it('does not ask for a certificate without an OCSP URL, and the verdict stays valid', async () => {
    // issueUnder writes no AIA.
    const noAia = issueUnder(fixture('iso2/mo-sub2'), {
      subject: { country: 'DE', organization: 'x', commonName: 'DEPNCC00000009', domainComponent: 'MO' },
      ca: false,
      keyType: 'P-256',
      usages: ['digitalSignature'],
    });
    const client = new OcspClient({ timeoutMs: 200, refuseUrl: () => 'no network in this test' });
    const r = await verifyWithOcsp(
      { leaf: noAia.der, subCAs: [cert('iso2/mo-sub2').der, cert('iso2/mo-sub1').der], trustStore: chargerTrust('iso2'), protocol: 'iso2', role: 'contract', at: NOW, checkDigit: 'lenient' },
      client,
    );
    expect(r.lookups[0]).toMatchObject({ skipped: 'no OCSP URL in its AIA' });
    // The sub-CAs do name a responder; asking it is refused here, so they are "unverifiable", not "chain".
    expect(r.verdict.failure).toBe('unverifiable');
    expect(r.verdict.failures).not.toContain('chain');
  });
});

describe('nonce-less responders (RFC 5019 pre-production)', () => {
  it("'prefer' accepts an answer without nonce, 'require' refuses it, and neither accepts another nonce", async () => {
    const leaf = cert('iso2/contract/DEPNCC00000001A');
    const ca = cert('iso2/mo-sub2');
    const id = certIdFor(leaf.cert, ca.cert);
    let nonceInAnswer: Buffer | undefined;
    const server = await startRawServer((_req, res) => {
      const body = signedResponse({
        signer: cert('iso2/mo-sub2-ocsp'),
        certs: [cert('iso2/mo-sub2-ocsp').der],
        producedAt: NOW,
        singles: [{ certId: id, status: { status: 'good' }, thisUpdate: NOW, nextUpdate: NOW + 60_000 }],
        ...(nonceInAnswer ? { nonce: nonceInAnswer } : {}),
      });
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(body);
    });
    try {
      const at = { now: () => NOW };
      await expect(new OcspClient({ nonce: 'prefer', ...at }).check(leaf.cert, ca.cert, `${server.origin}/`)).resolves.toMatchObject({ status: { status: 'good' } });
      await expect(new OcspClient({ nonce: true, ...at }).check(leaf.cert, ca.cert, `${server.origin}/`)).rejects.toMatchObject({ code: 'nonce-mismatch' });
      nonceInAnswer = Buffer.alloc(16, 7);
      await expect(new OcspClient({ nonce: 'prefer', ...at }).check(leaf.cert, ca.cert, `${server.origin}/`)).rejects.toMatchObject({ code: 'nonce-mismatch' });
    } finally {
      await server.close();
    }
  });
});

describe('OCSP server limits', () => {
  it('closes a connection that sends half a request and then stalls', async () => {
    const core = new OcspResponderCore({ authorities: [fixtureAuthority('iso2/mo-sub2')], statuses: new MemoryStatus(), now: () => NOW });
    const app = createOcspServer({ core, tracer: silentTracer('ocsp'), timeoutMs: 300 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    try {
      // Resolves only when the server ends the connection; the test's own time-out would fail it otherwise.
      const closed = await new Promise<string>((resolve) => {
        const s = connect({ host: '127.0.0.1', port }, () => s.write('POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc'));
        s.on('close', () => resolve('closed'));
        s.on('error', () => resolve('closed'));
        s.resume();
      });
      expect(closed).toBe('closed');
    } finally {
      await app.close();
    }
  });
});
