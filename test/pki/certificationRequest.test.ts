// PKCS#10 builder and parser. Oracle: `openssl req -verify` accepts every CSR we build (three key types, key signer and
// pluggable signer) and prints the subject we asked for; our parser reads CSRs that openssl builds. Hostile input —
// truncated, mutated, oversize, re-signed with a bad version/key/algorithm — ends in CertificationRequestParseError.
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CertificationRequestParseError,
  EXTENSION_REQUEST_OID,
  MAX_CSR_BYTES,
  parseCertificationRequest,
  parseCertificationRequestPem,
  type CertificationRequestProblem,
} from '../../src/pki/certificate/certificationRequest.js';
import { encodePem } from '../../src/pki/certificate/pem.js';
import * as der from '../../src/pki/der/derWriter.js';
import { encodeName, ext, type NameSpec } from '../../src/pki/generator/certificateBuilder.js';
import {
  CertificationRequestBuildError,
  buildCertificationRequest,
  ecdsaSignatureToDer,
  type CertificationRequestBuildProblem,
  type CsrSigner,
} from '../../src/pki/generator/certificationRequest.js';
import { generateKeyPair, type KeyPair, type KeyType } from '../../src/pki/generator/keys.js';
import { Oid } from '../../src/pki/oids.js';
import { openssl, scratch } from '../helpers/openssl.js';
import { prng, randomBytes } from '../helpers/prng.js';

const KEY_TYPES: readonly KeyType[] = ['P-256', 'P-521', 'Ed448'];
const DIGEST: Record<KeyType, string | null> = { 'P-256': 'sha256', 'P-521': 'sha512', Ed448: null };
const SUBJECT: NameSpec = { country: 'DE', organization: 'pnc-stack CPO', commonName: 'DE*PNC*E00001*1', domainComponent: 'CPO' };
/** How `openssl req -subject` prints SUBJECT (encoding order). */
const OPENSSL_SUBJECT = 'subject=C = DE, O = pnc-stack CPO, CN = DE*PNC*E00001*1, DC = CPO';

const pairs = new Map<KeyType, KeyPair>(KEY_TYPES.map((t) => [t, generateKeyPair(t)]));
const pairOf = (t: KeyType): KeyPair => pairs.get(t)!;
const spki = (k: KeyObject): Buffer => k.export({ type: 'spki', format: 'der' });

async function opensslReq(pem: string, args: readonly string[]): Promise<{ code: number; out: string }> {
  const s = scratch('pnc-csr-');
  try {
    const r = await openssl(['req', '-in', s.file('csr.pem', pem), ...args]);
    return { code: r.code, out: `${r.stdout}${r.stderr}` };
  } finally {
    s.cleanup();
  }
}

function expectParseError(f: () => unknown, problem?: CertificationRequestProblem): CertificationRequestParseError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CertificationRequestParseError);
    if (problem) expect((e as CertificationRequestParseError).problem).toBe(problem);
    return e as CertificationRequestParseError;
  }
  throw new Error('expected a CertificationRequestParseError');
}

async function expectBuildError(p: Promise<unknown>, problem: CertificationRequestBuildProblem): Promise<void> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CertificationRequestBuildError);
  expect((e as CertificationRequestBuildError).problem).toBe(problem);
}

/** A CSR from hand-made parts, for structures the builder never writes. */
function assemble(info: Buffer, algOid: string, signature: Buffer): Buffer {
  return der.sequence(info, der.sequence(der.oid(algOid)), der.bitString(signature));
}
function info(parts: { version?: number; spki?: Buffer; attributes?: Buffer | null; subject?: Buffer }, key: KeyObject): Buffer {
  return der.sequence(
    der.integer(parts.version ?? 0),
    parts.subject ?? encodeName(SUBJECT),
    parts.spki ?? spki(key),
    ...(parts.attributes === null ? [] : [parts.attributes ?? der.tlv(0xa0)]),
  );
}
const p256 = (): KeyPair => pairOf('P-256');
const signedP256 = (i: Buffer): Buffer => assemble(i, Oid.ecdsaWithSha256, sign('sha256', i, p256().privateKey));

describe('built CSRs pass `openssl req -verify` and print the requested subject', () => {
  it.each(KEY_TYPES)('%s, signed with the private KeyObject', async (type) => {
    const { publicKey, privateKey } = pairOf(type);
    const csr = await buildCertificationRequest({
      subject: SUBJECT,
      publicKey,
      signer: privateKey,
      extensions: [ext.basicConstraints(false), ext.keyUsage(['digitalSignature'])],
    });
    expect(csr.keyType).toBe(type);
    const verify = await opensslReq(csr.pem, ['-verify', '-noout']);
    expect(verify.code, verify.out).toBe(0);
    expect(verify.out).toMatch(/verify OK/);
    const subject = await opensslReq(csr.pem, ['-noout', '-subject']);
    expect(subject.out.trim()).toBe(OPENSSL_SUBJECT);
    const text = await opensslReq(csr.pem, ['-noout', '-text']);
    expect(text.out).toMatch(/Requested Extensions:[\s\S]*Key Usage: critical\s+Digital Signature/);

    const parsed = parseCertificationRequestPem(csr.pem);
    expect(parsed.der.equals(csr.der)).toBe(true);
    expect(parsed.subject).toMatchObject({ commonName: 'DE*PNC*E00001*1', organization: 'pnc-stack CPO', country: 'DE', domainComponents: ['CPO'] });
    expect(parsed.publicKeyType).toBe(type);
    expect(parsed.signatureAlgorithm).toBe(csr.signatureAlgorithm);
    expect(spki(parsed.publicKey).equals(spki(publicKey))).toBe(true);
    expect(parsed.extensions.map((e) => e.oid)).toEqual([Oid.basicConstraints, Oid.keyUsage]);
    expect(parsed.attributes.map((a) => a.oid)).toEqual([EXTENSION_REQUEST_OID]);
  });

  it.each(KEY_TYPES)('%s, signed by an asynchronous pluggable signer that sees CertificationRequestInfo', async (type) => {
    const { publicKey, privateKey } = pairOf(type);
    const seen: Buffer[] = [];
    const signer: CsrSigner = async (tbs, algorithm) => {
      seen.push(tbs);
      expect(algorithm).toBe({ 'P-256': 'ecdsa-with-SHA256', 'P-521': 'ecdsa-with-SHA512', Ed448: 'Ed448' }[type]);
      await new Promise((r) => setTimeout(r, 1));
      return sign(DIGEST[type], tbs, privateKey);
    };
    const csr = await buildCertificationRequest({ subject: SUBJECT, publicKey, signer });
    const verify = await opensslReq(csr.pem, ['-verify', '-noout']);
    expect(verify.code, verify.out).toBe(0);
    expect((await opensslReq(csr.pem, ['-noout', '-subject'])).out.trim()).toBe(OPENSSL_SUBJECT);
    expect(seen).toHaveLength(1);
    expect(parseCertificationRequest(csr.der).info.equals(seen[0]!)).toBe(true);
    // No requested extensions: attributes is the empty [0] (A0 00) RFC 2986 requires.
    expect(parseCertificationRequest(csr.der).attributes).toEqual([]);
  });

  it.each(['P-256', 'P-521'] as const)('%s: a token signer returning r‖s works through ecdsaSignatureToDer, not without it', async (type) => {
    const { publicKey, privateKey } = pairOf(type);
    const raw = (tbs: Buffer): Buffer => sign(DIGEST[type], tbs, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const csr = await buildCertificationRequest({ subject: SUBJECT, publicKey, signer: (tbs) => ecdsaSignatureToDer(raw(tbs)) });
    expect((await opensslReq(csr.pem, ['-verify', '-noout'])).code).toBe(0);
    await expectBuildError(buildCertificationRequest({ subject: SUBJECT, publicKey, signer: raw }), 'signer');
  });
});

describe('the builder refuses what would make a bad CSR', () => {
  const { publicKey, privateKey } = pairOf('P-256');
  it.each<[string, NameSpec, CertificationRequestBuildProblem]>([
    ['no CN', { country: 'DE', organization: 'x' }, 'subject'],
    ['empty CN', { commonName: '' }, 'subject'],
    ['CN over 64 characters', { commonName: 'x'.repeat(65) }, 'subject'],
    ['CN with a control character', { commonName: 'a\nb' }, 'subject'],
    ['country not two capitals', { commonName: 'x', country: 'Germany' }, 'subject'],
    ['lower-case country', { commonName: 'x', country: 'de' }, 'subject'],
    ['DC with non-ASCII', { commonName: 'x', domainComponent: 'CPÖ' }, 'subject'],
  ])('%s', async (_name, subject, problem) => {
    await expectBuildError(buildCertificationRequest({ subject, publicKey, signer: privateKey }), problem);
  });

  it.each<[string, () => KeyObject]>([
    ['P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey],
    ['Ed25519', () => generateKeyPairSync('ed25519').publicKey],
    ['RSA', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey],
    ['a private key as the public key', () => privateKey],
  ])('key type outside ISO 15118: %s', async (_name, key) => {
    await expectBuildError(buildCertificationRequest({ subject: SUBJECT, publicKey: key(), signer: privateKey }), 'key');
  });

  it('a private KeyObject of another key pair', async () => {
    await expectBuildError(buildCertificationRequest({ subject: SUBJECT, publicKey, signer: generateKeyPair('P-256').privateKey }), 'key');
  });

  it('a signer holding another key', async () => {
    const other = generateKeyPair('P-256').privateKey;
    await expectBuildError(buildCertificationRequest({ subject: SUBJECT, publicKey, signer: (tbs) => sign('sha256', tbs, other) }), 'signer');
  });

  it('a signer that fails: its own error, untouched', async () => {
    const failure = new Error('token removed');
    await expect(buildCertificationRequest({ subject: SUBJECT, publicKey, signer: () => Promise.reject(failure) })).rejects.toBe(failure);
  });

  it('ecdsaSignatureToDer refuses odd lengths', () => {
    expect(() => ecdsaSignatureToDer(Buffer.alloc(63))).toThrow(CertificationRequestBuildError);
  });
});

describe('the parser reads CSRs made by openssl', () => {
  it.each<[string, string[]]>([
    ['P-256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ['P-521', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521']],
    ['Ed448', ['-newkey', 'ed448']],
    ['RSA', ['-newkey', 'rsa:2048']],
  ])('%s with requested extensions', async (type, keyArgs) => {
    const s = scratch('pnc-csr-');
    try {
      const csrFile = s.file('csr.pem', '');
      const keyFile = s.file('key.pem', '');
      const r = await openssl([
        'req', '-new', ...keyArgs, '-nodes', '-keyout', keyFile, '-out', csrFile,
        '-subj', '/C=NL/O=Test Org/CN=SECC-1/DC=CPO', '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'basicConstraints=critical,CA:FALSE',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const parsed = parseCertificationRequestPem(readFileSync(csrFile, 'utf8'));
      expect(parsed.publicKeyType).toBe(type);
      expect(parsed.subject).toMatchObject({ commonName: 'SECC-1', organization: 'Test Org', country: 'NL', domainComponents: ['CPO'] });
      expect(parsed.extensions.map((e) => [e.oid, e.critical])).toEqual([
        [Oid.keyUsage, true],
        [Oid.basicConstraints, true],
      ]);
      const theirKey = createPublicKey(readFileSync(keyFile, 'utf8'));
      expect(spki(parsed.publicKey).equals(spki(theirKey))).toBe(true);
    } finally {
      s.cleanup();
    }
  });

  it('accepts the legacy NEW CERTIFICATE REQUEST label', async () => {
    const csr = await buildCertificationRequest({ subject: SUBJECT, publicKey: p256().publicKey, signer: p256().privateKey });
    expect(parseCertificationRequestPem(encodePem('NEW CERTIFICATE REQUEST', csr.der)).subject.commonName).toBe('DE*PNC*E00001*1');
  });
});

describe('malformed, oversize, truncated and tampered CSRs end in CertificationRequestParseError', () => {
  const built = new Map<KeyType, Buffer>();
  const csrOf = async (t: KeyType): Promise<Buffer> => {
    if (!built.has(t)) {
      const { publicKey, privateKey } = pairOf(t);
      built.set(t, (await buildCertificationRequest({ subject: SUBJECT, publicKey, signer: privateKey, extensions: [ext.keyUsage(['digitalSignature'])] })).der);
    }
    return built.get(t)!;
  };

  it.each(KEY_TYPES)('%s truncated at every length', async (t) => {
    const csr = await csrOf(t);
    for (let n = 0; n < csr.length; n++) expectParseError(() => parseCertificationRequest(csr.subarray(0, n)), 'malformed');
    expectParseError(() => parseCertificationRequest(Buffer.concat([csr, Buffer.from([0])])), 'malformed');
  });

  it.each(KEY_TYPES)('%s with every byte flipped: never accepted, always a typed error', async (t) => {
    const csr = await csrOf(t);
    const problems = new Set<CertificationRequestProblem>();
    for (let i = 0; i < csr.length; i++) {
      const m = Buffer.from(csr);
      m[i]! ^= 0x01;
      problems.add(expectParseError(() => parseCertificationRequest(m)).problem);
    }
    // Flips in the signed part break the signature; flips in lengths and tags break the structure.
    expect(problems).toContain('badSignature');
    expect(problems).toContain('malformed');
  });

  it('tampered subject: openssl refuses it too', async () => {
    const csr = Buffer.from(await csrOf('P-256'));
    const at = csr.indexOf(Buffer.from('pnc-stack CPO'));
    csr[at] = 'P'.charCodeAt(0);
    expectParseError(() => parseCertificationRequest(csr), 'badSignature');
    // OpenSSL 3.0 exits 0 here and says so only in text (later versions exit 1).
    const r = await opensslReq(encodePem('CERTIFICATE REQUEST', csr), ['-verify', '-noout']);
    expect(r.out).toMatch(/verify failure/);
    expect(r.out).not.toMatch(/verify OK/);
  });

  it('2000 seeded random and spliced inputs', async () => {
    const rand = prng(0x5eed);
    const csr = await csrOf('P-256');
    for (let i = 0; i < 2000; i++) {
      const kind = rand(3);
      let input: Buffer;
      if (kind === 0) input = randomBytes(rand, rand(600));
      else if (kind === 1) input = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, rand(256)]), randomBytes(rand, rand(400))]);
      else {
        input = Buffer.from(csr);
        for (let k = 0; k < 1 + rand(4); k++) {
          const at = rand(input.length);
          input[at] = (input[at]! + 1 + rand(255)) % 256;
        }
        if (input.equals(csr)) continue; // two changes that undid each other
      }
      expectParseError(() => parseCertificationRequest(input));
    }
  });

  it('oversize: refused before parsing; a larger limit reads it', async () => {
    const { publicKey, privateKey } = p256();
    const big = { oid: '1.3.6.1.4.1.99999.1', critical: false, value: der.octetString(Buffer.alloc(MAX_CSR_BYTES)) };
    const csr = await buildCertificationRequest({ subject: SUBJECT, publicKey, signer: privateKey, extensions: [big] });
    expectParseError(() => parseCertificationRequest(csr.der), 'size');
    expectParseError(() => parseCertificationRequestPem(csr.pem), 'size');
    expect(parseCertificationRequest(csr.der, { maxBytes: 2 * MAX_CSR_BYTES }).extensions[0]!.oid).toBe(big.oid);
  });

  it.each<[string, string]>([
    ['empty text', ''],
    ['no PEM block', 'hello'],
    ['a certificate, not a request', encodePem('CERTIFICATE', Buffer.from([0x30, 0x00]))],
    ['broken base64', '-----BEGIN CERTIFICATE REQUEST-----\n@@@@\n-----END CERTIFICATE REQUEST-----\n'],
    ['no END line', '-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n'],
  ])('PEM: %s', (_name, text) => {
    expectParseError(() => parseCertificationRequestPem(text), 'pem');
  });

  it('PEM: two requests, or a request beside a private key', async () => {
    const csr = await csrOf('P-256');
    const one = encodePem('CERTIFICATE REQUEST', csr);
    expectParseError(() => parseCertificationRequestPem(one + one), 'pem');
    expectParseError(() => parseCertificationRequestPem(one + encodePem('PRIVATE KEY', Buffer.from([0x30, 0x00]))), 'pem');
  });

  it('PEM: megabytes of text are refused without decoding', () => {
    expectParseError(() => parseCertificationRequestPem('A'.repeat(1 << 22)), 'size');
  });

  it.each<[string, () => Buffer, CertificationRequestProblem]>([
    ['version 2', () => signedP256(info({ version: 1 }, p256().publicKey)), 'version'],
    ['attributes [0] missing', () => signedP256(info({ attributes: null }, p256().publicKey)), 'malformed'],
    [
      'an attribute twice',
      () => {
        const a = der.sequence(der.oid('1.2.840.113549.1.9.7'), der.setOf(der.utf8String('x')));
        return signedP256(info({ attributes: der.tlv(0xa0, a, a) }, p256().publicKey));
      },
      'malformed',
    ],
    [
      'an attribute without values',
      () => signedP256(info({ attributes: der.tlv(0xa0, der.sequence(der.oid('1.2.840.113549.1.9.7'), der.setOf())) }, p256().publicKey)),
      'malformed',
    ],
    [
      'extensionRequest with two values',
      () => {
        const exts = der.sequence(der.sequence(der.oid(Oid.keyUsage), der.octetString(der.bitString(Buffer.from([0x80]), 7))));
        return signedP256(info({ attributes: der.tlv(0xa0, der.sequence(der.oid(EXTENSION_REQUEST_OID), der.setOf(exts, der.sequence(...[exts])))) }, p256().publicKey));
      },
      'malformed',
    ],
    [
      'unknown key algorithm',
      () => signedP256(info({ spki: der.sequence(der.sequence(der.oid('1.3.6.1.4.1.99999.7')), der.bitString(Buffer.alloc(32, 1))) }, p256().publicKey)),
      'unsupportedKey',
    ],
    [
      'EC key on an unnamed curve (explicit parameters)',
      () => signedP256(info({ spki: der.sequence(der.sequence(der.oid(Oid.ecPublicKey), der.sequence(der.integer(1))), der.bitString(Buffer.alloc(65, 4))) }, p256().publicKey)),
      'unsupportedKey',
    ],
    [
      'EC point off the curve',
      () => {
        const bits = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]);
        return signedP256(info({ spki: der.sequence(der.sequence(der.oid(Oid.ecPublicKey), der.oid(Oid.prime256v1)), der.bitString(bits)) }, p256().publicKey));
      },
      'badKey',
    ],
    [
      'unsupported signature algorithm (sha1WithRSAEncryption)',
      () => assemble(info({}, p256().publicKey), '1.2.840.113549.1.1.5', Buffer.alloc(64)),
      'unsupportedAlgorithm',
    ],
    [
      'Ed448 signature algorithm over a P-256 key',
      () => assemble(info({}, p256().publicKey), Oid.ed448, Buffer.alloc(114)),
      'badSignature',
    ],
    [
      'signed by another key',
      () => {
        const i = info({}, p256().publicKey);
        return assemble(i, Oid.ecdsaWithSha256, sign('sha256', i, generateKeyPair('P-256').privateKey));
      },
      'badSignature',
    ],
    [
      'NULL parameter with content in signatureAlgorithm',
      () => {
        const i = info({}, p256().publicKey);
        return der.sequence(i, der.sequence(der.oid(Oid.ecdsaWithSha256), der.tlv(0x05, Buffer.from([0]))), der.bitString(sign('sha256', i, p256().privateKey)));
      },
      'malformed',
    ],
    [
      'malformed subject string',
      () => {
        const badName = der.sequence(der.setOf(der.sequence(der.oid(Oid.commonName), der.tlv(0x0c, Buffer.from([0xff, 0xfe])))));
        return signedP256(info({ subject: badName }, p256().publicKey));
      },
      'malformed',
    ],
  ])('%s', (_name, make, problem) => {
    expectParseError(() => parseCertificationRequest(make()), problem);
  });

  it('the hand-made well-formed control case parses (so the table above fails for its stated reason)', () => {
    const parsed = parseCertificationRequest(signedP256(info({}, p256().publicKey)));
    expect(parsed.subject.commonName).toBe('DE*PNC*E00001*1');
  });
});
