import { randomBytes, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ext } from '../../src/pki/generator/certificateBuilder.js';
import { algorithmIdentifier } from '../../src/pki/certificate/signatureAlgorithms.js';
import { issue, issueOcspSigner, type IssuedCertificate, type Suite } from '../../src/pki/generator/testPki.js';
import * as der from '../../src/pki/der/derWriter.js';
import { Oid } from '../../src/pki/oids.js';
import { certIdFor, type CertId } from '../../src/pki/ocsp/certId.js';
import { OcspError, type OcspErrorCode } from '../../src/pki/ocsp/ocspError.js';
import {
  encodeBasicResponse,
  encodeOcspError,
  encodeSingleResponse,
  type SingleResponseSpec,
  type SingleStatus,
} from '../../src/pki/ocsp/ocspMessages.js';
import { verifyOcspResponse, type OcspVerifyOptions } from '../../src/pki/ocsp/ocspVerify.js';
import { DAY, NOW, cert, contractOf } from '../helpers/fixtures.js';
import { responseData, signedResponse, type ResponseSpec } from '../helpers/ocspTestbed.js';

const SUITES: readonly Suite[] = ['iso2', 'iso20-p521', 'iso20-ed448'];
const HOUR = 3_600_000;
const NONCE = Buffer.from('a1a2a3a4a5a6a7a8a9aaabacadaeafb0', 'hex');

interface Setup {
  readonly suite: Suite;
  readonly leafId: CertId;
  readonly issuer: IssuedCertificate;
  readonly signer: IssuedCertificate;
}

const setup = (suite: Suite): Setup => {
  const issuer = cert(`${suite}/mo-sub2`);
  return { suite, leafId: certIdFor(contractOf(suite).cert, issuer.cert), issuer, signer: cert(`${suite}/mo-sub2-ocsp`) };
};

interface Scenario {
  readonly status?: SingleStatus;
  readonly single?: Partial<SingleResponseSpec>;
  readonly spec?: Partial<ResponseSpec>;
  readonly verify?: Partial<OcspVerifyOptions>;
}

/** Delegated-signer response for the suite's contract certificate (signer cert embedded, nonce echoed). */
function respond(s: Setup, sc: Scenario = {}): Buffer {
  return signedResponse({
    signer: s.signer,
    singles: [{ certId: s.leafId, status: sc.status ?? { status: 'good' }, thisUpdate: NOW - 60_000, nextUpdate: NOW + HOUR, ...sc.single }],
    producedAt: NOW - 60_000,
    nonce: NONCE,
    certs: [(sc.spec?.signer ?? s.signer).der],
    ...sc.spec,
  });
}

const verify = (s: Setup, bytes: Buffer, options: Partial<OcspVerifyOptions> = {}): ReturnType<typeof verifyOcspResponse> =>
  verifyOcspResponse(bytes, { requests: [{ certId: s.leafId, issuer: s.issuer.cert }], now: NOW, nonce: NONCE, ...options });

function errorCode(f: () => unknown): OcspErrorCode | 'no error' {
  try {
    f();
    return 'no error';
  } catch (e) {
    if (e instanceof OcspError) return e.code;
    throw e;
  }
}

function errorMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof OcspError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

/** A would-be OCSP signer under `issuer`, with chosen extensions and validity. */
function customSigner(issuer: IssuedCertificate, options: { eku?: readonly string[]; usages?: Parameters<typeof issue>[0]['usages']; notBefore?: number; notAfter?: number; name?: string }): IssuedCertificate {
  return issue({
    suite: issuer.suite,
    id: `${issuer.id}-${options.name ?? 'custom'}`,
    name: `${issuer.name}-${options.name ?? 'custom'}`,
    kind: 'ocsp-signer',
    subject: { country: 'DE', organization: 'pnc-stack test', commonName: `${issuer.name} ${options.name ?? 'custom'} signer` },
    issuer,
    notBefore: options.notBefore ?? NOW - HOUR,
    notAfter: options.notAfter ?? NOW + 30 * DAY,
    usages: options.usages ?? ['digitalSignature'],
    extra: options.eku ? [ext.extKeyUsage(options.eku)] : [],
  });
}

describe('verifyOcspResponse: statuses', () => {
  const statuses: readonly SingleStatus[] = [
    { status: 'good' },
    { status: 'revoked', revokedAt: NOW - DAY, reason: 'keyCompromise' },
    { status: 'revoked', revokedAt: NOW - DAY },
    { status: 'unknown' },
  ];
  it.each(SUITES.flatMap((suite) => statuses.map((st) => [suite, st.status, st] as const)))('%s: %s from the delegated signer', (suite, _name, status) => {
    const s = setup(suite);
    const v = verify(s, respond(s, { status }));
    expect(v.results).toHaveLength(1);
    expect(v.results[0]!.status).toEqual(status);
    expect(v.results[0]!.thisUpdate).toBe(NOW - 60_000);
    expect(v.results[0]!.nextUpdate).toBe(NOW + HOUR);
    expect(v.producedAt).toBe(NOW - 60_000);
    expect(v.signedBy).toBe(s.signer.cert.subject.commonName);
  });

  it.each(SUITES)('%s: signed by the CA itself (ResponderID byKey of the CA, no certificates)', (suite) => {
    const s = setup(suite);
    const v = verify(s, respond(s, { spec: { signer: s.issuer, certs: [] } }));
    expect(v.signedBy).toBe('issuer');
    expect(v.results[0]!.status).toEqual({ status: 'good' });
  });

  it('ResponderID byName (as openssl responders send it)', () => {
    const s = setup('iso2');
    const tbs = der.sequence(
      der.explicit(1, s.signer.cert.subjectRaw),
      der.generalizedTime(NOW),
      der.sequence(encodeSingleResponse({ certId: s.leafId, status: { status: 'good' }, thisUpdate: NOW, nextUpdate: NOW + HOUR })),
    );
    const bytes = encodeBasicResponse(tbs, algorithmIdentifier('ecdsa-with-SHA256'), sign('sha256', tbs, s.signer.key.privateKey), [s.signer.der]);
    expect(verify(s, bytes, { nonce: undefined }).signedBy).toBe(s.signer.cert.subject.commonName);
  });

  it('a nonce in the response is fine when none was sent', () => {
    const s = setup('iso2');
    expect(verify(s, respond(s), { nonce: undefined }).results[0]!.status.status).toBe('good');
  });

  it('answers several CertIDs in request order, whatever the response order', () => {
    const s = setup('iso2');
    const other: CertId = { ...s.leafId, serialHex: '1234' };
    const bytes = respond(s, {
      spec: {
        singles: [
          { certId: other, status: { status: 'unknown' }, thisUpdate: NOW, nextUpdate: NOW + HOUR },
          { certId: s.leafId, status: { status: 'good' }, thisUpdate: NOW, nextUpdate: NOW + HOUR },
        ],
      },
    });
    const v = verify(s, bytes, { requests: [{ certId: s.leafId, issuer: s.issuer.cert }, { certId: other, issuer: s.issuer.cert }] });
    expect(v.results.map((r) => [r.certId.serialHex, r.status.status])).toEqual([
      [s.leafId.serialHex, 'good'],
      ['1234', 'unknown'],
    ]);
  });
});

describe('verifyOcspResponse: who signed', () => {
  it.each(SUITES)('%s: delegated signer without id-kp-OCSPSigning → unauthorized-signer', (suite) => {
    const s = setup(suite);
    const rogue = customSigner(s.issuer, { name: 'noeku' });
    expect(errorMessage(() => verify(s, respond(s, { spec: { signer: rogue } })))).toMatch(/^unauthorized-signer: .*lacks id-kp-OCSPSigning/);
  });

  it('delegated signer with only serverAuth/clientAuth → unauthorized-signer', () => {
    const s = setup('iso2');
    const rogue = customSigner(s.issuer, { name: 'tls', eku: [Oid.kpServerAuth, Oid.kpClientAuth] });
    expect(errorCode(() => verify(s, respond(s, { spec: { signer: rogue } })))).toBe('unauthorized-signer');
  });

  it('delegated signer whose keyUsage lacks digitalSignature → unauthorized-signer', () => {
    const s = setup('iso2');
    const rogue = customSigner(s.issuer, { name: 'ku', eku: [Oid.kpOcspSigning], usages: ['keyAgreement'] });
    expect(errorMessage(() => verify(s, respond(s, { spec: { signer: rogue } })))).toMatch(/^unauthorized-signer: .*keyUsage lacks digitalSignature/);
  });

  it.each(SUITES)('%s: signer of another CA (CPO Sub-CA 2) → unauthorized-signer', (suite) => {
    const s = setup(suite);
    expect(errorMessage(() => verify(s, respond(s, { spec: { signer: cert(`${suite}/cpo-sub2-ocsp`) } })))).toMatch(/^unauthorized-signer: .*not issued by the CA/);
  });

  it('signer of the CA one level up (MO Sub-CA 1) → unauthorized-signer', () => {
    const s = setup('iso2');
    expect(errorCode(() => verify(s, respond(s, { spec: { signer: cert('iso2/mo-sub1-ocsp') } })))).toBe('unauthorized-signer');
  });

  it('signer naming the right CA as issuer but signed by another key → unauthorized-signer', () => {
    const s = setup('iso2');
    // An impostor CA with the same subject Name as MO Sub-CA 2 but its own key.
    const impostorCa: IssuedCertificate = { ...cert('iso2/cpo-sub2'), cert: { ...cert('iso2/cpo-sub2').cert, subjectRaw: s.issuer.cert.subjectRaw } };
    const forged = customSigner(impostorCa, { name: 'forged', eku: [Oid.kpOcspSigning] });
    expect(forged.cert.issuerRaw.equals(s.issuer.cert.subjectRaw)).toBe(true);
    expect(errorMessage(() => verify(s, respond(s, { spec: { signer: forged } })))).toMatch(/^unauthorized-signer: .*signature does not verify/);
  });

  it.each(SUITES)('%s: expired delegated signer → unauthorized-signer', (suite) => {
    const s = setup(suite);
    const expired = issueOcspSigner(s.issuer, NOW - 10 * DAY, 1);
    expect(expired.cert.notAfter).toBeLessThan(NOW);
    expect(errorMessage(() => verify(s, respond(s, { spec: { signer: expired } })))).toMatch(/^unauthorized-signer: .*outside its validity period/);
  });

  it('delegated signer not yet valid → unauthorized-signer', () => {
    const s = setup('iso2');
    const future = issueOcspSigner(s.issuer, NOW + 10 * DAY, 30);
    expect(errorCode(() => verify(s, respond(s, { spec: { signer: future } })))).toBe('unauthorized-signer');
  });

  it('delegated signer certificate missing from the response → unauthorized-signer', () => {
    const s = setup('iso2');
    expect(errorCode(() => verify(s, respond(s, { spec: { certs: [] } })))).toBe('unauthorized-signer');
  });

  it('ResponderID matching no certificate → unauthorized-signer', () => {
    const s = setup('iso2');
    expect(errorCode(() => verify(s, respond(s, { spec: { responderKeyHash: randomBytes(20) } })))).toBe('unauthorized-signer');
  });

  it('an unparsable certificate in the response is skipped, not thrown', () => {
    const s = setup('iso2');
    const bytes = respond(s, { spec: { certs: [der.sequence(der.integer(1)), s.signer.der] } });
    expect(verify(s, bytes).results[0]!.status.status).toBe('good');
    expect(errorCode(() => verify(s, respond(s, { spec: { certs: [der.sequence(der.integer(1))] } })))).toBe('unauthorized-signer');
  });

  it('one response for certificates of two CAs cannot be authorised for both', () => {
    const s = setup('iso2');
    const cpo = cert('iso2/cpo-sub2');
    const seccId = certIdFor(cert('iso2/secc').cert, cpo.cert);
    const bytes = respond(s, {
      spec: {
        singles: [
          { certId: s.leafId, status: { status: 'good' }, thisUpdate: NOW, nextUpdate: NOW + HOUR },
          { certId: seccId, status: { status: 'good' }, thisUpdate: NOW, nextUpdate: NOW + HOUR },
        ],
      },
    });
    expect(
      errorCode(() => verify(s, bytes, { requests: [{ certId: s.leafId, issuer: s.issuer.cert }, { certId: seccId, issuer: cpo.cert }] })),
    ).toBe('unauthorized-signer');
  });
});

describe('verifyOcspResponse: signature', () => {
  it.each(SUITES)('%s: tbsResponseData swapped after signing (good → revoked) → bad-signature', (suite) => {
    const s = setup(suite);
    const revokedTbs = responseData({
      signer: s.signer,
      singles: [{ certId: s.leafId, status: { status: 'revoked', revokedAt: NOW - DAY }, thisUpdate: NOW - 60_000, nextUpdate: NOW + HOUR }],
      producedAt: NOW - 60_000,
      nonce: NONCE,
    });
    // Signed over "good", carrying "revoked".
    expect(errorCode(() => verify(s, respond(s, { spec: { swapTbs: revokedTbs } })))).toBe('bad-signature');
  });

  it.each(SUITES)('%s: CA-signed response with tampered tbsResponseData → bad-signature', (suite) => {
    const s = setup(suite);
    const otherTbs = responseData({
      signer: s.issuer,
      singles: [{ certId: s.leafId, status: { status: 'good' }, thisUpdate: NOW, nextUpdate: NOW + 2 * HOUR }],
      producedAt: NOW,
      nonce: NONCE,
    });
    expect(errorCode(() => verify(s, respond(s, { spec: { signer: s.issuer, certs: [], swapTbs: otherTbs } })))).toBe('bad-signature');
  });

  const mangles: readonly [string, (sig: Buffer) => Buffer][] = [
    ['last byte flipped', (sig) => Buffer.concat([sig.subarray(0, -1), Buffer.from([sig[sig.length - 1]! ^ 0x01])])],
    ['first byte flipped', (sig) => Buffer.concat([Buffer.from([sig[0]! ^ 0x01]), sig.subarray(1)])],
    ['empty', () => Buffer.alloc(0)],
    ['truncated by one byte', (sig) => sig.subarray(0, -1)],
    ['one byte appended', (sig) => Buffer.concat([sig, Buffer.from([0])])],
    ['all zeros', (sig) => Buffer.alloc(sig.length)],
    ['4 kB of 0xff', () => Buffer.alloc(4096, 0xff)],
  ];
  it.each(SUITES.flatMap((suite) => mangles.map(([name, f]) => [suite, name, f] as const)))('%s: signature %s → bad-signature', (suite, _name, mangle) => {
    const s = setup(suite);
    expect(errorCode(() => verify(s, respond(s, { spec: { mangleSignature: mangle } })))).toBe('bad-signature');
  });

  it.each([
    ['iso2', 'Ed448'],
    ['iso20-ed448', 'ecdsa-with-SHA256'],
    ['iso20-p521', 'Ed25519'],
  ] as const)('%s: claimed algorithm %s does not fit the signer key → bad-signature', (suite, claim) => {
    const s = setup(suite);
    expect(errorCode(() => verify(s, respond(s, { spec: { claimAlgorithm: claim } })))).toBe('bad-signature');
  });

  it('an ECDSA signature claimed under another hash → bad-signature', () => {
    const s = setup('iso2');
    expect(errorCode(() => verify(s, respond(s, { spec: { claimAlgorithm: 'ecdsa-with-SHA384' } })))).toBe('bad-signature');
  });

  it('an unknown signature algorithm OID → bad-signature', () => {
    const s = setup('iso2');
    const good = respond(s);
    const known = algorithmIdentifier('ecdsa-with-SHA256');
    const unknown = der.sequence(der.oid('1.2.840.10045.4.3.9'));
    expect(unknown.length).toBe(known.length);
    const at = good.indexOf(known, 0);
    const bytes = Buffer.from(good);
    // The first AlgorithmIdentifier after tbsResponseData is the signature algorithm (the tbs holds none).
    unknown.copy(bytes, at);
    expect(errorCode(() => verify(s, bytes))).toBe('bad-signature');
  });
});

describe('verifyOcspResponse: what it answers, when, and the nonce', () => {
  const s = setup('iso2');

  it('response for another serial → certid-mismatch', () => {
    expect(errorCode(() => verify(s, respond(s, { single: { certId: { ...s.leafId, serialHex: `${s.leafId.serialHex}1` } } })))).toBe('certid-mismatch');
  });

  it('response for the same serial under another issuer key → certid-mismatch', () => {
    const id = certIdFor(contractOf('iso2').cert, cert('iso2/cpo-sub2').cert);
    expect(errorCode(() => verify(s, respond(s, { single: { certId: { ...s.leafId, issuerKeyHash: id.issuerKeyHash } } })))).toBe('certid-mismatch');
  });

  it('response with the CertID in SHA-1 while SHA-256 was asked → certid-mismatch', () => {
    const sha1 = certIdFor(contractOf('iso2').cert, s.issuer.cert, 'SHA1');
    expect(errorCode(() => verify(s, respond(s, { single: { certId: sha1 } })))).toBe('certid-mismatch');
  });

  it('response with no SingleResponse at all → certid-mismatch', () => {
    expect(errorCode(() => verify(s, respond(s, { spec: { singles: [] } })))).toBe('certid-mismatch');
  });

  it.each([
    ['thisUpdate 10 min ahead, default 5 min skew', { thisUpdate: NOW + 10 * 60_000 }, {}, 'not-yet-valid'],
    ['thisUpdate 4 min ahead, default 5 min skew', { thisUpdate: NOW + 4 * 60_000 }, {}, 'no error'],
    ['thisUpdate 1 s ahead, no skew', { thisUpdate: NOW + 1000 }, { clockSkewMs: 0 }, 'not-yet-valid'],
    ['nextUpdate 10 min past', { thisUpdate: NOW - HOUR, nextUpdate: NOW - 10 * 60_000 }, {}, 'stale'],
    ['nextUpdate 4 min past, within skew', { thisUpdate: NOW - HOUR, nextUpdate: NOW - 4 * 60_000 }, {}, 'no error'],
    ['nextUpdate 1 s past, no skew', { thisUpdate: NOW - HOUR, nextUpdate: NOW - 1000 }, { clockSkewMs: 0 }, 'stale'],
    ['no nextUpdate, thisUpdate 25 h old', { thisUpdate: NOW - 25 * HOUR, nextUpdate: undefined }, {}, 'stale'],
    ['no nextUpdate, thisUpdate 23 h old', { thisUpdate: NOW - 23 * HOUR, nextUpdate: undefined }, {}, 'no error'],
    ['no nextUpdate, thisUpdate 2 min old, max age 1 min', { thisUpdate: NOW - 2 * 60_000, nextUpdate: undefined }, { maxAgeWithoutNextUpdateMs: 60_000 }, 'stale'],
  ] as const)('%s → %s', (_name, single, options, expected) => {
    const spec: Partial<SingleResponseSpec> = { thisUpdate: single.thisUpdate };
    const bytes =
      'nextUpdate' in single && single.nextUpdate === undefined
        ? signedResponse({
            signer: s.signer,
            singles: [{ certId: s.leafId, status: { status: 'good' }, thisUpdate: single.thisUpdate }],
            producedAt: NOW,
            nonce: NONCE,
            certs: [s.signer.der],
          })
        : respond(s, { single: { ...spec, ...('nextUpdate' in single ? { nextUpdate: single.nextUpdate } : {}) } });
    expect(errorCode(() => verify(s, bytes, options))).toBe(expected);
  });

  it('nonce sent, none in the response → nonce-mismatch', () => {
    expect(errorCode(() => verify(s, respond(s, { spec: { nonce: undefined } })))).toBe('nonce-mismatch');
  });

  it('nonce sent, another one in the response → nonce-mismatch', () => {
    expect(errorCode(() => verify(s, respond(s, { spec: { nonce: Buffer.from(NONCE).reverse() } })))).toBe('nonce-mismatch');
    expect(errorCode(() => verify(s, respond(s, { spec: { nonce: NONCE.subarray(0, 15) } })))).toBe('nonce-mismatch');
  });

  it.each(['malformedRequest', 'internalError', 'tryLater', 'sigRequired', 'unauthorized'] as const)('OCSPResponseStatus %s → responder-status', (status) => {
    expect(errorCode(() => verify(s, encodeOcspError(status)))).toBe('responder-status');
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['HTML', Buffer.from('<html><body>502 Bad Gateway</body></html>')],
    ['random bytes', Buffer.from('5f0d1e9c2b7a44aa0011deadbeef', 'hex')],
    ['a certificate', cert('iso2/mo-sub2').der],
    ['a request', Buffer.from('3000', 'hex')],
    ['a response cut in half', respond(s).subarray(0, 200)],
  ])('garbage (%s) → malformed', (_name, bytes) => {
    expect(errorCode(() => verify(s, bytes))).toBe('malformed');
  });
});
