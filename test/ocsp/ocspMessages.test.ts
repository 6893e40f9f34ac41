import { describe, expect, it } from 'vitest';
import * as der from '../../src/pki/der/derWriter.js';
import { Oid } from '../../src/pki/oids.js';
import { certIdFor, encodeCertId, sameCertId, type CertId, type OcspHashAlgorithm } from '../../src/pki/ocsp/certId.js';
import {
  CRL_REASONS,
  OcspFormatError,
  OcspResponseStatus,
  encodeBasicResponse,
  encodeOcspError,
  encodeOcspRequest,
  encodeResponseData,
  encodeSingleResponse,
  parseOcspRequest,
  parseOcspResponse,
  type OcspResponse,
  type OcspResponseStatusName,
  type SingleResponseSpec,
} from '../../src/pki/ocsp/ocspMessages.js';
import { algorithmIdentifier } from '../../src/pki/certificate/signatureAlgorithms.js';
import { DAY, NOW, cert, contractOf } from '../helpers/fixtures.js';
import { signedResponse } from '../helpers/ocspTestbed.js';

const leaf = contractOf('iso2').cert;
const sub2 = cert('iso2/mo-sub2').cert;
const idOf = (alg: OcspHashAlgorithm = 'SHA256'): CertId => certIdFor(leaf, sub2, alg);
/** Distinct CertIDs under the same issuer (serial 1, 2, …). */
const serialIds = (n: number): CertId[] => Array.from({ length: n }, (_, i) => ({ ...idOf(), serialHex: (i + 1).toString(16) }));
const NONCE = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

/** Everything a parser may do with hostile bytes: return, or throw OcspFormatError. */
function parsesOrFormatError(parse: () => unknown): 'parsed' | 'format-error' {
  try {
    parse();
    return 'parsed';
  } catch (e) {
    if (e instanceof OcspFormatError) return 'format-error';
    throw new Error(`threw ${(e as Error).name}: ${(e as Error).message}`);
  }
}

/** Deterministic PRNG (mulberry32) for mutation tests. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Single-byte mutations at every offset plus seeded multi-byte ones. */
function mutations(input: Buffer, seed: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; i++) {
    for (const f of [(b: number) => b ^ 0x01, (b: number) => b ^ 0x80, () => 0x00, () => 0xff, () => 0x80]) {
      const m = Buffer.from(input);
      m[i] = f(input[i]!);
      out.push(m);
    }
  }
  const rnd = prng(seed);
  for (let k = 0; k < 500; k++) {
    const m = Buffer.from(input);
    const n = 1 + Math.floor(rnd() * 6);
    for (let j = 0; j < n; j++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    out.push(m);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ requests

const extension = (oid: string, value: Buffer, critical?: boolean): Buffer =>
  der.sequence(der.oid(oid), ...(critical !== undefined ? [der.boolean(critical)] : []), der.octetString(value));
const nonceExt = (nonce: Buffer): Buffer => extension(Oid.ocspNonce, der.octetString(nonce));
const UNKNOWN_OID = '1.3.6.1.4.1.99999.1';

interface RequestParts {
  readonly version?: Buffer;
  readonly requestor?: Buffer;
  readonly requests?: readonly Buffer[];
  readonly exts?: readonly Buffer[];
  readonly signature?: Buffer;
}

/** An OCSPRequest assembled field by field, so that each field can be wrong. */
function requestDer(p: RequestParts): Buffer {
  const requests = p.requests ?? [der.sequence(encodeCertId(idOf()))];
  const tbs = der.sequence(
    ...(p.version ? [p.version] : []),
    ...(p.requestor ? [p.requestor] : []),
    der.sequence(...requests),
    ...(p.exts ? [der.explicit(2, der.sequence(...p.exts))] : []),
  );
  return der.sequence(tbs, ...(p.signature ? [p.signature] : []));
}

const singleRequest = (id: CertId, exts?: readonly Buffer[]): Buffer =>
  der.sequence(encodeCertId(id), ...(exts ? [der.explicit(0, der.sequence(...exts))] : []));

describe('OCSPRequest encode / parse', () => {
  it.each([
    ['one SHA-256 CertID, no nonce', [idOf()], undefined],
    ['one SHA-256 CertID, 16-byte nonce', [idOf()], NONCE],
    ['SHA-1, SHA-256, SHA-384, SHA-512 CertIDs, nonce', (['SHA1', 'SHA256', 'SHA384', 'SHA512'] as const).map(idOf), NONCE],
    ['3 CertIDs, 32-byte nonce', serialIds(3), Buffer.alloc(32, 0xa5)],
    ['32 CertIDs (the limit)', serialIds(32), undefined],
    ['1-byte nonce', [idOf()], Buffer.from([0])],
  ] as const)('round trip: %s', (_name, ids, nonce) => {
    const bytes = encodeOcspRequest(ids, nonce);
    const parsed = parseOcspRequest(bytes);
    expect(parsed.signed).toBe(false);
    expect(parsed.certIds).toHaveLength(ids.length);
    parsed.certIds.forEach((p, i) => {
      expect(sameCertId(p, ids[i]!)).toBe(true);
      expect(p.raw.equals(encodeCertId(ids[i]!))).toBe(true);
    });
    if (nonce) expect(parsed.nonce?.equals(nonce)).toBe(true);
    else expect(parsed.nonce).toBeUndefined();
  });

  it('a zero-length nonce is reported as such (the responder refuses it)', () => {
    expect(parseOcspRequest(encodeOcspRequest([idOf()], Buffer.alloc(0))).nonce).toEqual(Buffer.alloc(0));
  });

  it('accepts an explicit v1 version, a requestorName, an optionalSignature and non-critical unknown extensions', () => {
    const bytes = requestDer({
      version: der.explicit(0, der.integer(0)),
      requestor: der.explicit(1, der.implicitPrimitive(2, Buffer.from('requestor.example'))),
      requests: [singleRequest(idOf(), [extension(UNKNOWN_OID, der.nullValue(), false)])],
      exts: [extension(UNKNOWN_OID, der.nullValue()), nonceExt(NONCE)],
      signature: der.explicit(0, der.sequence(der.sequence(der.oid(Oid.ecdsaWithSha256)), der.bitString(Buffer.from([1, 2, 3])))),
    });
    const parsed = parseOcspRequest(bytes);
    expect(parsed.signed).toBe(true);
    expect(parsed.nonce?.equals(NONCE)).toBe(true);
    expect(sameCertId(parsed.certIds[0]!, idOf())).toBe(true);
  });

  it('maxCertIds is configurable', () => {
    expect(() => parseOcspRequest(encodeOcspRequest(serialIds(3)), 2)).toThrow(OcspFormatError);
    expect(parseOcspRequest(encodeOcspRequest(serialIds(2)), 2).certIds).toHaveLength(2);
  });
});

describe('hostile OCSPRequest DER → OcspFormatError, never another exception', () => {
  const valid = encodeOcspRequest(serialIds(3), NONCE);

  it('truncated at every length', () => {
    for (let n = 0; n < valid.length; n++) {
      expect(() => parseOcspRequest(valid.subarray(0, n)), `prefix of ${n} bytes`).toThrow(OcspFormatError);
    }
  });

  it('every single-byte and seeded random mutation parses or fails with OcspFormatError', () => {
    const results = mutations(valid, 6960).map((m) => parsesOrFormatError(() => parseOcspRequest(m)));
    expect(results).toContain('format-error');
  });

  const withOuterLength = (bytes: Buffer, lengthBytes: number[]): Buffer => Buffer.concat([Buffer.from([0x30, ...lengthBytes]), bytes.subarray(2)]);
  const oneCert = encodeOcspRequest([idOf()]);
  const shortLen = oneCert[1]!; // < 128 for a one-CertID request
  const mutate = (bytes: Buffer, at: number, value: number): Buffer => {
    const m = Buffer.from(bytes);
    m[at] = value;
    return m;
  };
  const md5Alg = der.sequence(der.oid('1.2.840.113549.2.5'), der.nullValue());
  const rawCertId = (alg: Buffer, nameHash: Buffer, keyHash: Buffer, serial: Buffer): Buffer =>
    der.sequence(alg, der.octetString(nameHash), der.octetString(keyHash), serial);
  const sha256Alg = der.sequence(der.oid(Oid.sha256), der.nullValue());
  const h32 = Buffer.alloc(32, 1);

  const cases: readonly [string, Buffer][] = [
    ['empty input', Buffer.alloc(0)],
    ['one byte', Buffer.from([0x30])],
    ['trailing zero byte', Buffer.concat([oneCert, Buffer.from([0])])],
    ['two requests back to back', Buffer.concat([oneCert, oneCert])],
    ['indefinite length', Buffer.concat([Buffer.from([0x30, 0x80]), oneCert.subarray(2), Buffer.from([0, 0])])],
    ['non-minimal long-form length', withOuterLength(oneCert, [0x81, shortLen])],
    ['length with a leading zero byte', withOuterLength(oneCert, [0x82, 0x00, shortLen])],
    ['4-byte length of 2^31-1', Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), oneCert.subarray(2)])],
    ['9-byte length', Buffer.concat([Buffer.from([0x30, 0x89, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), oneCert.subarray(2)])],
    ['3-byte length of 16 MiB', Buffer.concat([Buffer.from([0x30, 0x83, 0xff, 0xff, 0xff]), oneCert.subarray(2)])],
    ['length longer than the data', withOuterLength(oneCert, [shortLen + 1])],
    ['length shorter than the data', withOuterLength(oneCert, [shortLen - 1])],
    ['outer tag SET', mutate(oneCert, 0, 0x31)],
    ['outer tag OCTET STRING', mutate(oneCert, 0, 0x04)],
    ['tbsRequest tag SET', mutate(oneCert, 2, 0x31)],
    ['high tag number', mutate(oneCert, 0, 0x3f)],
    ['requestList tag SET', Buffer.from(requestDer({ requests: [singleRequest(idOf())] }).map((b, i) => (i === 4 ? 0x31 : b)))],
    ['empty requestList', requestDer({ requests: [] })],
    ['33 CertIDs', encodeOcspRequest(serialIds(33))],
    ['1000 CertIDs', encodeOcspRequest(serialIds(1000))],
    ['Request without reqCert', requestDer({ requests: [der.sequence()] })],
    ['Request with an extra element', requestDer({ requests: [der.sequence(encodeCertId(idOf()), der.nullValue())] })],
    ['CertID as an OCTET STRING', requestDer({ requests: [der.sequence(der.octetString(encodeCertId(idOf())))] })],
    ['CertID hashed with MD5', requestDer({ requests: [der.sequence(rawCertId(md5Alg, Buffer.alloc(16), Buffer.alloc(16), der.integer(1)))] })],
    ['SHA-256 CertID with 20-byte hashes', requestDer({ requests: [der.sequence(rawCertId(sha256Alg, Buffer.alloc(20), Buffer.alloc(20), der.integer(1)))] })],
    ['SHA-256 CertID with an empty key hash', requestDer({ requests: [der.sequence(rawCertId(sha256Alg, h32, Buffer.alloc(0), der.integer(1)))] })],
    [
      'CertID hash algorithm NULL with content',
      requestDer({ requests: [der.sequence(rawCertId(der.sequence(der.oid(Oid.sha256), Buffer.from([5, 1, 0])), h32, h32, der.integer(1)))] }),
    ],
    [
      'CertID hash algorithm with extra parameter',
      requestDer({ requests: [der.sequence(rawCertId(der.sequence(der.oid(Oid.sha256), der.nullValue(), der.nullValue()), h32, h32, der.integer(1)))] }),
    ],
    ['CertID serial not minimal', requestDer({ requests: [der.sequence(rawCertId(sha256Alg, h32, h32, Buffer.from([2, 2, 0, 1])))] })],
    ['CertID serial empty INTEGER', requestDer({ requests: [der.sequence(rawCertId(sha256Alg, h32, h32, Buffer.from([2, 0])))] })],
    ['CertID serial as OCTET STRING', requestDer({ requests: [der.sequence(rawCertId(sha256Alg, h32, h32, der.octetString(Buffer.from([1]))))] })],
    ['CertID with an extra field', requestDer({ requests: [der.sequence(der.sequence(sha256Alg, der.octetString(h32), der.octetString(h32), der.integer(1), der.nullValue()))] })],
    ['OID with a leading 0x80 arc byte', requestDer({ requests: [der.sequence(rawCertId(der.sequence(Buffer.from([6, 3, 0x80, 0x80, 1]), der.nullValue()), h32, h32, der.integer(1)))] })],
    ['version 2', requestDer({ version: der.explicit(0, der.integer(1)) })],
    ['version as a huge INTEGER', requestDer({ version: der.explicit(0, der.integer(Buffer.alloc(20, 0x7f))) })],
    ['unknown critical request extension', requestDer({ exts: [extension(UNKNOWN_OID, der.nullValue(), true)] })],
    ['unknown critical single-request extension', requestDer({ requests: [singleRequest(idOf(), [extension(UNKNOWN_OID, der.nullValue(), true)])] })],
    ['critical flag encoded as 0x01 (BER, not DER)', requestDer({ exts: [der.sequence(der.oid(UNKNOWN_OID), Buffer.from([1, 1, 1]), der.octetString(der.nullValue()))] })],
    ['empty requestExtensions wrapper', der.sequence(der.sequence(der.sequence(der.sequence(encodeCertId(idOf()))), Buffer.from([0xa2, 0x00])))],
    ['request extensions not a SEQUENCE', der.sequence(der.sequence(der.sequence(der.sequence(encodeCertId(idOf()))), der.explicit(2, der.setOf(nonceExt(NONCE)))))],
    ['nonce not wrapped in an OCTET STRING', requestDer({ exts: [extension(Oid.ocspNonce, der.integer(5))] })],
    ['nonce OCTET STRING with trailing bytes', requestDer({ exts: [extension(Oid.ocspNonce, Buffer.concat([der.octetString(NONCE), Buffer.from([0])]))] })],
    ['extension without extnValue', requestDer({ exts: [der.sequence(der.oid(UNKNOWN_OID))] })],
    ['requestExtensions after an unexpected element', der.sequence(der.sequence(der.sequence(der.sequence(encodeCertId(idOf()))), der.nullValue()))],
    ['optionalSignature followed by garbage', der.sequence(der.sequence(der.sequence(der.sequence(encodeCertId(idOf())))), der.explicit(0, der.sequence()), der.nullValue())],
  ];

  it.each(cases)('%s', (_name, bytes) => {
    expect(() => parseOcspRequest(bytes)).toThrow(OcspFormatError);
  });

  it.each([
    ['[0] version wrapper holding a second element', requestDer({ version: der.explicit(0, Buffer.concat([der.integer(0), der.nullValue()])) })],
  ])('not DER: %s', (_name, bytes) => {
    expect(() => parseOcspRequest(bytes)).toThrow(OcspFormatError);
  });

  it('a 1 MiB + 1 request is refused without being walked', () => {
    const huge = Buffer.alloc((1 << 20) + 8);
    huge.set([0x30, 0x83, 0x10, 0x00, 0x04]);
    expect(() => parseOcspRequest(huge)).toThrow(OcspFormatError);
  });
});

// ------------------------------------------------------------------------------------------------ responses

const signer = cert('iso2/mo-sub2-ocsp');
const singles = (): SingleResponseSpec[] => [
  { certId: idOf(), status: { status: 'good' }, thisUpdate: NOW, nextUpdate: NOW + 3_600_000 },
  { certId: { ...idOf(), serialHex: '2' }, status: { status: 'revoked', revokedAt: NOW - DAY, reason: 'keyCompromise' }, thisUpdate: NOW },
  { certId: { ...idOf(), serialHex: '3' }, status: { status: 'revoked', revokedAt: NOW - 2 * DAY }, thisUpdate: NOW, nextUpdate: NOW + 60_000 },
  { certId: { ...idOf(), serialHex: '4' }, status: { status: 'unknown' }, thisUpdate: NOW - 1000 },
];

function basicOf(r: OcspResponse): Extract<OcspResponse, { status: 'successful' }>['basic'] {
  if (r.status !== 'successful') throw new Error(`status ${r.status}`);
  return r.basic;
}

describe('OCSPResponse parse', () => {
  it('good, revoked with reason, revoked without reason, unknown — in order, with times and nonce', () => {
    const bytes = signedResponse({ signer, singles: singles(), producedAt: NOW + 500, nonce: NONCE, certs: [signer.der] });
    const basic = basicOf(parseOcspResponse(bytes));
    expect(basic.responses.map((r) => r.status)).toEqual([
      { status: 'good' },
      { status: 'revoked', revokedAt: NOW - DAY, reason: 'keyCompromise' },
      { status: 'revoked', revokedAt: NOW - 2 * DAY },
      { status: 'unknown' },
    ]);
    expect(basic.responses.map((r) => r.certId.serialHex)).toEqual([idOf().serialHex, '2', '3', '4']);
    expect(sameCertId(basic.responses[0]!.certId, idOf())).toBe(true);
    expect(basic.responses.map((r) => r.thisUpdate)).toEqual([NOW, NOW, NOW, NOW - 1000]);
    expect(basic.responses.map((r) => r.nextUpdate)).toEqual([NOW + 3_600_000, undefined, NOW + 60_000, undefined]);
    expect(basic.responses[1]).not.toHaveProperty('nextUpdate');
    expect(basic.producedAt).toBe(NOW); // whole seconds
    expect(basic.nonce?.equals(NONCE)).toBe(true);
    expect(basic.responderId).toEqual({ byKey: expect.any(Buffer) as Buffer });
    expect(basic.signatureAlgorithmOid).toBe(Oid.ecdsaWithSha256);
    expect(basic.certs).toHaveLength(1);
    expect(basic.certs[0]!.equals(signer.der)).toBe(true);
    // tbsResponseData is the exact signed slice.
    expect(bytes.includes(basic.tbsResponseData)).toBe(true);
    expect(basic.tbsResponseData[0]).toBe(0x30);
  });

  it('a response without nonce and certificates', () => {
    const basic = basicOf(parseOcspResponse(signedResponse({ signer, singles: singles().slice(0, 1), producedAt: NOW })));
    expect(basic.nonce).toBeUndefined();
    expect(basic.certs).toEqual([]);
  });

  it.each(CRL_REASONS.map((r, i) => [r, i] as const))('CRLReason %s (%i) round-trips', (reason) => {
    const bytes = signedResponse({
      signer,
      singles: [{ certId: idOf(), status: { status: 'revoked', revokedAt: NOW - 1500, reason }, thisUpdate: NOW }],
      producedAt: NOW,
    });
    expect(basicOf(parseOcspResponse(bytes)).responses[0]!.status).toEqual({ status: 'revoked', revokedAt: NOW - 2000, reason });
  });

  it('a ResponderID byName', () => {
    const tbs = der.sequence(
      der.explicit(1, signer.cert.subjectRaw),
      der.generalizedTime(NOW),
      der.sequence(encodeSingleResponse(singles()[0]!)),
    );
    const bytes = encodeBasicResponse(tbs, algorithmIdentifier('ecdsa-with-SHA256'), Buffer.from([1]), []);
    expect(basicOf(parseOcspResponse(bytes)).responderId).toEqual({ byName: signer.cert.subjectRaw });
  });

  const errorStatuses = Object.keys(OcspResponseStatus).filter((s): s is Exclude<OcspResponseStatusName, 'successful'> => s !== 'successful');
  it.each(errorStatuses)('error status %s: encoded without responseBytes and parsed back', (status) => {
    const bytes = encodeOcspError(status);
    expect(bytes.toString('hex')).toBe(`30030a01${OcspResponseStatus[status].toString(16).padStart(2, '0')}`);
    expect(parseOcspResponse(bytes)).toEqual({ status });
  });
});

describe('hostile OCSPResponse DER → OcspFormatError, never another exception', () => {
  const valid = signedResponse({ signer, singles: singles(), producedAt: NOW, nonce: NONCE, certs: [signer.der] });

  it('truncated at every length', () => {
    for (let n = 0; n < valid.length; n++) {
      expect(() => parseOcspResponse(valid.subarray(0, n)), `prefix of ${n} bytes`).toThrow(OcspFormatError);
    }
  });

  it('every single-byte and seeded random mutation parses or fails with OcspFormatError', () => {
    const results = mutations(valid, 5019).map((m) => parsesOrFormatError(() => parseOcspResponse(m)));
    expect(results).toContain('format-error');
  });

  const good = singles()[0]!;
  const tbsWith = (...singleDers: Buffer[]): Buffer => der.sequence(der.explicit(2, der.octetString(Buffer.alloc(20))), der.generalizedTime(NOW), der.sequence(...singleDers));
  const wrapTbs = (tbs: Buffer): Buffer => encodeBasicResponse(tbs, algorithmIdentifier('ecdsa-with-SHA256'), Buffer.from([1]), []);
  const wrapBasic = (basic: Buffer, type: string = Oid.ocspBasic): Buffer =>
    der.sequence(der.enumerated(0), der.explicit(0, der.sequence(der.oid(type), der.octetString(basic))));
  const certIdDer = encodeCertId(idOf());
  const time = der.generalizedTime(NOW);

  const cases: readonly [string, Buffer][] = [
    ['empty input', Buffer.alloc(0)],
    ['trailing byte', Buffer.concat([valid, Buffer.from([0])])],
    ['indefinite length', Buffer.concat([Buffer.from([0x30, 0x80]), encodeOcspError('tryLater').subarray(2), Buffer.from([0, 0])])],
    ['responseStatus 4 (unused)', der.sequence(der.enumerated(4))],
    ['responseStatus 7', der.sequence(der.enumerated(7))],
    ['responseStatus as INTEGER', der.sequence(der.integer(1))],
    ['responseStatus negative', der.sequence(Buffer.from([0x0a, 0x01, 0xff]))],
    ['responseStatus of 9 bytes', der.sequence(der.enumerated(Number.MAX_SAFE_INTEGER))],
    ['successful without responseBytes', der.sequence(der.enumerated(0))],
    ['responseBytes of an unknown type', wrapBasic(der.sequence(), '1.3.6.1.5.5.7.48.1.99')],
    ['BasicOCSPResponse empty', wrapBasic(der.sequence())],
    ['BasicOCSPResponse with trailing bytes', wrapBasic(Buffer.concat([der.sequence(), Buffer.from([0])]))],
    ['ResponseData version 2', wrapTbs(der.sequence(der.explicit(0, der.integer(1)), der.explicit(2, der.octetString(Buffer.alloc(20))), time, der.sequence(encodeSingleResponse(good))))],
    ['ResponderID [3]', wrapTbs(der.sequence(der.explicit(3, der.octetString(Buffer.alloc(20))), time, der.sequence(encodeSingleResponse(good))))],
    ['ResponderID byKey with extra data', wrapTbs(der.sequence(der.explicit(2, Buffer.concat([der.octetString(Buffer.alloc(20)), der.nullValue()])), time, der.sequence()))],
    ['producedAt as UTCTime', wrapTbs(der.sequence(der.explicit(2, der.octetString(Buffer.alloc(20))), der.time(NOW), der.sequence()))],
    ['producedAt with fractional seconds', wrapTbs(der.sequence(der.explicit(2, der.octetString(Buffer.alloc(20))), der.tlv(0x18, Buffer.from('20261124120000.5Z')), der.sequence()))],
    ['producedAt on 31 November', wrapTbs(der.sequence(der.explicit(2, der.octetString(Buffer.alloc(20))), der.tlv(0x18, Buffer.from('20261131120000Z')), der.sequence()))],
    ['good status with content', wrapTbs(tbsWith(der.sequence(certIdDer, Buffer.from([0x80, 0x01, 0x00]), time)))],
    ['unknown status with content', wrapTbs(tbsWith(der.sequence(certIdDer, Buffer.from([0x82, 0x01, 0x00]), time)))],
    ['status tag [3]', wrapTbs(tbsWith(der.sequence(certIdDer, Buffer.from([0x83, 0x00]), time)))],
    ['revoked without revocationTime', wrapTbs(tbsWith(der.sequence(certIdDer, der.implicitConstructed(1), time)))],
    ['revoked with CRLReason 11', wrapTbs(tbsWith(der.sequence(certIdDer, der.implicitConstructed(1, time, der.explicit(0, der.enumerated(11))), time)))],
    ['revoked with CRLReason 2^40', wrapTbs(tbsWith(der.sequence(certIdDer, der.implicitConstructed(1, time, der.explicit(0, der.enumerated(2 ** 40))), time)))],
    ['revoked with CRLReason as INTEGER', wrapTbs(tbsWith(der.sequence(certIdDer, der.implicitConstructed(1, time, der.explicit(0, der.integer(1))), time)))],
    ['SingleResponse without thisUpdate', wrapTbs(tbsWith(der.sequence(certIdDer, Buffer.from([0x80, 0x00]))))],
    ['SingleResponse with unknown critical extension', wrapTbs(tbsWith(der.sequence(certIdDer, Buffer.from([0x80, 0x00]), time, der.explicit(1, der.sequence(extension(UNKNOWN_OID, der.nullValue(), true))))))],
    ['SingleResponse with an extra element', wrapTbs(tbsWith(der.sequence(certIdDer, Buffer.from([0x80, 0x00]), time, der.nullValue())))],
    ['nextUpdate wrapper holding two times', wrapTbs(tbsWith(der.sequence(certIdDer, Buffer.from([0x80, 0x00]), time, der.explicit(0, Buffer.concat([time, time])))))],
    ['unknown critical response extension', wrapTbs(der.sequence(der.explicit(2, der.octetString(Buffer.alloc(20))), time, der.sequence(), der.explicit(1, der.sequence(extension(UNKNOWN_OID, der.nullValue(), true)))))],
    ['signature not a BIT STRING', wrapBasic(der.sequence(tbsWith(), algorithmIdentifier('ecdsa-with-SHA256'), der.octetString(Buffer.from([1]))))],
    ['signature BIT STRING with unused bits', wrapBasic(der.sequence(tbsWith(), algorithmIdentifier('ecdsa-with-SHA256'), der.bitString(Buffer.from([0x80]), 7)))],
    ['certs holding an INTEGER', wrapBasic(der.sequence(tbsWith(), algorithmIdentifier('ecdsa-with-SHA256'), der.bitString(Buffer.from([1])), der.explicit(0, der.sequence(der.integer(1)))))],
    ['certs wrapper with two SEQUENCEs', wrapBasic(der.sequence(tbsWith(), algorithmIdentifier('ecdsa-with-SHA256'), der.bitString(Buffer.from([1])), der.explicit(0, Buffer.concat([der.sequence(), der.sequence()]))))],
    ['responseBytes wrapper with trailing data', der.sequence(der.enumerated(0), der.explicit(0, Buffer.concat([der.sequence(der.oid(Oid.ocspBasic), der.octetString(der.sequence())), der.nullValue()])))],
  ];

  it.each(cases)('%s', (_name, bytes) => {
    expect(() => parseOcspResponse(bytes)).toThrow(OcspFormatError);
  });

  it('not DER: [0] reason wrapper holding a second element', () => {
    const bytes = wrapTbs(tbsWith(der.sequence(certIdDer, der.implicitConstructed(1, time, der.explicit(0, Buffer.concat([der.enumerated(1), der.nullValue()]))), time)));
    expect(() => parseOcspResponse(bytes)).toThrow(OcspFormatError);
  });

  it('the encoders themselves produce what the parser accepts (encodeResponseData with empty responses)', () => {
    const bytes = encodeBasicResponse(encodeResponseData(Buffer.alloc(20), NOW, []), algorithmIdentifier('Ed448'), Buffer.alloc(114), []);
    expect(basicOf(parseOcspResponse(bytes)).responses).toEqual([]);
  });
});
