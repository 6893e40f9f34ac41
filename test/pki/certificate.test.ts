// The DER certificate parser against two oracles (node:crypto's X509Certificate and `openssl x509 -text`), and its
// robustness: every malformed input parses or ends in CertificateParseError — never another exception, never a hang.
import { X509Certificate, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CertificateParseError,
  hasKeyUsage,
  keyUsageNames,
  parseCertificate,
  type Certificate,
  type KeyUsageName,
} from '../../src/pki/certificate/certificate.js';
import { formatName } from '../../src/pki/certificate/name.js';
import { MAX_PEM_BYTES, PemError, decodePem, decodePemCertificates, encodePem } from '../../src/pki/certificate/pem.js';
import { publicKeyOf, verifyCertificateSignature } from '../../src/pki/certificate/signature.js';
import * as w from '../../src/pki/der/derWriter.js';
import { encodeName, ext, signTbs, type ExtensionSpec } from '../../src/pki/generator/certificateBuilder.js';
import { algorithmIdentifier } from '../../src/pki/certificate/signatureAlgorithms.js';
import type { IssuedCertificate } from '../../src/pki/generator/testPki.js';
import { Oid } from '../../src/pki/oids.js';
import { fingerprint256 } from '../../src/pki/certificate/fingerprint.js';
import { NOW, cert, testPki } from '../helpers/fixtures.js';
import { openssl, pemOf, scratch } from '../helpers/openssl.js';

const ALL = [...testPki().values()];
const ALL_IDS = ALL.map((c) => c.id);

const shortName: Record<string, string> = {
  [Oid.commonName]: 'CN',
  [Oid.countryName]: 'C',
  [Oid.organizationName]: 'O',
  [Oid.domainComponent]: 'DC',
};

/** The subject/issuer string node:crypto prints: one `SN=value` per line. */
const nodeName = (c: Certificate['subject']): string => c.attributes.map((a) => `${shortName[a.type] ?? a.type}=${a.value}`).join('\n');

const colonHex = (hex: string): string => hex.toUpperCase().match(/../g)!.join(':');

describe('every fixture certificate parses to what node:crypto X509Certificate reports', () => {
  it.each(ALL_IDS)('%s', (id) => {
    const issued = cert(id);
    const c = parseCertificate(issued.der);
    const x = new X509Certificate(issued.der);
    expect(c.der.equals(x.raw)).toBe(true);
    expect(c.version).toBe(3);
    expect(c.serial.toString('hex').toUpperCase()).toBe(x.serialNumber);
    expect(c.serialHex).toBe(x.serialNumber.replace(/^0+/, '').toLowerCase());
    expect(nodeName(c.subject)).toBe(x.subject);
    expect(nodeName(c.issuer)).toBe(x.issuer);
    expect(c.notBefore).toBe(Date.parse(x.validFrom));
    expect(c.notAfter).toBe(Date.parse(x.validTo));
    expect(c.basicConstraints?.ca ?? false).toBe(x.ca);
    expect(colonHex(fingerprint256(c.der))).toBe(x.fingerprint256);
    const nodeOcsp = (x.infoAccess ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('OCSP - URI:'))
      .map((l) => l.slice('OCSP - URI:'.length));
    expect(c.ocspUrls).toEqual(nodeOcsp);
    // node's `keyUsage` is the extended key usage list
    expect(c.extKeyUsage).toEqual(x.keyUsage);
    // the public key: same SPKI, same type
    expect(c.spki.equals(x.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    const nodeType = x.publicKey.asymmetricKeyType === 'ed448' ? 'Ed448' : { prime256v1: 'P-256', secp521r1: 'P-521' }[x.publicKey.asymmetricKeyDetails?.namedCurve ?? ''];
    expect(c.publicKeyType).toBe(nodeType);
    expect(publicKeyOf(c).export({ type: 'spki', format: 'der' }).equals(c.spki)).toBe(true);
    // the signature: node and our verifier agree with the issuer's key
    const issuer = cert(issued.issuerId);
    expect(x.verify(issuer.key.publicKey)).toBe(true);
    expect(x.checkIssued(new X509Certificate(issuer.der))).toBe(true);
    expect(verifyCertificateSignature(c, publicKeyOf(issuer.cert), issuer.cert.publicKeyType)).toEqual({ ok: true });
    expect(c.signatureAlgorithmsMatch).toBe(true);
    // the signed part is the exact transmitted slice after the 4-byte outer header (30 82 xx xx)
    expect(c.tbs.equals(issued.der.subarray(4, 4 + c.tbs.length))).toBe(true);
  });
});

const opensslUsage: Record<KeyUsageName, string> = {
  digitalSignature: 'Digital Signature',
  nonRepudiation: 'Non Repudiation',
  keyEncipherment: 'Key Encipherment',
  dataEncipherment: 'Data Encipherment',
  keyAgreement: 'Key Agreement',
  keyCertSign: 'Certificate Sign',
  cRLSign: 'CRL Sign',
  encipherOnly: 'Encipher Only',
  decipherOnly: 'Decipher Only',
};

/** The value lines after an `X509v3 …:` heading of `openssl x509 -text`. */
function extensionText(text: string, heading: string): { critical: boolean; value: string } | undefined {
  const m = new RegExp(`${heading}:( critical)?\\s*\\n\\s*([^\\n]*)`).exec(text);
  return m ? { critical: m[1] !== undefined, value: m[2]!.trim() } : undefined;
}

describe('keyUsage and basicConstraints agree with `openssl x509 -noout -text`', () => {
  it.each([
    'iso2/v2g-root',
    'iso2/cpo-sub1',
    'iso2/cpo-sub2',
    'iso2/secc',
    'iso2/contract/DEPNCC00000001A',
    'iso2/mo-sub2-ocsp',
    'iso20-p521/vehicle',
    'iso20-p521/oem-sub1',
    'iso20-ed448/contract/DEPNCC00000001A',
    'iso20-ed448/cps',
    'iso20-ed448/secc',
  ])('%s', async (id) => {
    const c = cert(id).cert;
    const s = scratch('pnc-x509-');
    try {
      const r = await openssl(['x509', '-noout', '-text', '-in', s.file('c.pem', pemOf([c.der]))]);
      expect(r.code).toBe(0);
      const ku = extensionText(r.stdout, 'X509v3 Key Usage');
      expect(ku?.critical).toBe(c.keyUsage?.critical);
      expect(ku?.value).toBe(keyUsageNames(c.keyUsage!.bits).map((n) => opensslUsage[n]).join(', '));
      const bc = extensionText(r.stdout, 'X509v3 Basic Constraints');
      expect(bc?.critical).toBe(c.basicConstraints?.critical);
      const expected = c.basicConstraints!.ca ? `CA:TRUE${c.basicConstraints!.pathLen !== undefined ? `, pathlen:${c.basicConstraints!.pathLen}` : ''}` : 'CA:FALSE';
      expect(bc?.value).toBe(expected);
      expect(r.stdout.includes('OCSP Signing')).toBe(c.extKeyUsage?.includes(Oid.kpOcspSigning) ?? false);
      expect(r.stdout.includes('OCSP No Check')).toBe(c.ocspNoCheck);
      expect(new RegExp(`Subject: C = DE, O = [^,]+, CN = ${c.subject.commonName!.replace(/\*/g, '\\*')}`).test(r.stdout)).toBe(true);
    } finally {
      s.cleanup();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Robustness

/** Parses and touches every field, including the lazily decoded names: 'ok', 'CertificateParseError' or the bug. */
function attempt(der: Buffer): string {
  try {
    const c = parseCertificate(der);
    formatName(c.subject);
    formatName(c.issuer);
    void c.serialHex;
    keyUsageNames(c.keyUsage?.bits ?? 0);
    return 'ok';
  } catch (e) {
    if (e instanceof CertificateParseError) return 'CertificateParseError';
    return `other: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}

/** xorshift32: a small deterministic PRNG. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

describe('parser robustness: parse or CertificateParseError, nothing else', () => {
  const samples: [string, IssuedCertificate][] = [
    ['P-256', cert('iso2/contract/DEPNCC00000001A')],
    ['Ed448', cert('iso20-ed448/contract/DEPNCC00000001A')],
    ['P-521', cert('iso20-p521/mo-sub2-ocsp')],
  ];

  it.each(samples)('%s certificate truncated at every length', (_name, issued) => {
    const der = issued.der;
    const bad: string[] = [];
    for (let n = 0; n < der.length; n++) {
      const r = attempt(Buffer.from(der.subarray(0, n)));
      // a strict parser cannot accept a prefix: the outer length no longer matches
      if (r !== 'CertificateParseError') bad.push(`${n}: ${r}`);
    }
    expect(bad).toEqual([]);
    expect(attempt(der)).toBe('ok');
  });

  it.each(samples)('%s certificate with each single byte flipped (xor 0xff)', (_name, issued) => {
    const bad: string[] = [];
    let parsed = 0;
    for (let i = 0; i < issued.der.length; i++) {
      const d = Buffer.from(issued.der);
      d[i]! ^= 0xff;
      const r = attempt(d);
      if (r === 'ok') parsed++;
      else if (r !== 'CertificateParseError') bad.push(`${i}: ${r}`);
    }
    expect(bad).toEqual([]);
    // flips inside the key, the signature and string values still parse; flips in the structure do not
    expect(parsed).toBeGreaterThan(0);
    expect(parsed).toBeLessThan(issued.der.length);
  });

  it.each(samples)('%s certificate with each byte replaced by 0x00, 0x80 and 0x30', (_name, issued) => {
    const bad: string[] = [];
    for (const v of [0x00, 0x80, 0x30]) {
      for (let i = 0; i < issued.der.length; i++) {
        const d = Buffer.from(issued.der);
        d[i] = v;
        const r = attempt(d);
        if (r !== 'ok' && r !== 'CertificateParseError') bad.push(`${i}=${v}: ${r}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('2000 seeded random inputs: garbage, framed garbage, mutated and spliced certificates', () => {
    const next = xorshift(0x15118);
    const bases = samples.map(([, c]) => c.der);
    const bad: string[] = [];
    const counts = { ok: 0, CertificateParseError: 0 };
    for (let n = 0; n < 2000; n++) {
      let input: Buffer;
      const base = bases[n % bases.length]!;
      switch (n % 4) {
        case 0: {
          input = Buffer.alloc(next() % 800);
          for (let i = 0; i < input.length; i++) input[i] = next() & 0xff;
          break;
        }
        case 1: {
          // a SEQUENCE header whose length fits, around random content
          const body = Buffer.alloc(128 + (next() % 600));
          for (let i = 0; i < body.length; i++) body[i] = next() & 0xff;
          body[0] = 0x30;
          input = w.sequence(body);
          break;
        }
        case 2: {
          input = Buffer.from(base);
          const k = 1 + (next() % 8);
          for (let j = 0; j < k; j++) input[next() % input.length] = next() & 0xff;
          break;
        }
        default: {
          const at = next() % base.length;
          const cut = next() % 16;
          const insert = Buffer.alloc(next() % 16);
          for (let i = 0; i < insert.length; i++) insert[i] = next() & 0xff;
          input = Buffer.concat([base.subarray(0, at), insert, base.subarray(Math.min(base.length, at + cut))]);
        }
      }
      const r = attempt(input);
      if (r === 'ok' || r === 'CertificateParseError') counts[r]++;
      else bad.push(`#${n}: ${r}`);
    }
    expect(bad).toEqual([]);
    expect(counts.ok + counts.CertificateParseError).toBe(2000);
    expect(counts.CertificateParseError).toBeGreaterThan(1000);
  });

  it('thousands of indefinite-length SEQUENCE headers fail cleanly', () => {
    const d = Buffer.alloc(20_000);
    for (let i = 0; i < d.length; i += 2) {
      d[i] = 0x30;
      d[i + 1] = 0x80;
    }
    expect(attempt(d)).toBe('CertificateParseError');
  });

  it('20 000 definite-length nested SEQUENCEs fail cleanly, alone or as the tbsCertificate', () => {
    const header = (len: number): Buffer =>
      len < 0x80 ? Buffer.from([0x30, len]) : len < 0x100 ? Buffer.from([0x30, 0x81, len]) : len < 0x10000 ? Buffer.from([0x30, 0x82, len >> 8, len & 0xff]) : Buffer.from([0x30, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff]);
    const nest = (depth: number, inner: Buffer): Buffer => {
      const headers: Buffer[] = [];
      let len = inner.length;
      for (let i = 0; i < depth; i++) {
        const h = header(len);
        headers.push(h);
        len += h.length;
      }
      return Buffer.concat([...headers.reverse(), inner]);
    };
    const deep = nest(20_000, w.nullValue());
    expect(deep.length).toBeGreaterThan(60_000);
    expect(attempt(deep)).toBe('CertificateParseError');
    const asTbs = w.sequence(nest(5000, w.nullValue()), algorithmIdentifier('ecdsa-with-SHA256'), w.bitString(Buffer.alloc(64)));
    expect(attempt(asTbs)).toBe('CertificateParseError');
    // deep nesting as the value of an extension the parser decodes
    const viaExtension = build({ extensions: [{ oid: Oid.extKeyUsage, critical: false, value: nest(5000, w.oid(Oid.kpOcspSigning)) }] });
    expect(attempt(viaExtension)).toBe('CertificateParseError');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hand-built certificates with one thing wrong (or unusual)

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p256Spki = key.publicKey.export({ type: 'spki', format: 'der' });
const p256Point = p256Spki.subarray(p256Spki.length - 65);

interface Parts {
  /** null: no version field (v1); a Buffer: the raw [0] field. */
  readonly version?: Buffer | null;
  readonly signature?: Buffer;
  readonly outerSignature?: Buffer;
  readonly issuer?: Buffer;
  readonly subject?: Buffer;
  readonly spki?: Buffer;
  readonly extensions?: readonly ExtensionSpec[];
  /** Replaces the whole [3] field (raw bytes). */
  readonly rawExtensions?: Buffer;
  readonly signingKey?: KeyObject;
}

const encodeExtension = (e: ExtensionSpec): Buffer => w.sequence(w.oid(e.oid), ...(e.critical ? [w.boolean(true)] : []), w.octetString(e.value));

const defaultExtensions: ExtensionSpec[] = [ext.basicConstraints(false), ext.keyUsage(['digitalSignature']), ext.subjectKeyIdentifier(Buffer.alloc(20, 7))];

/** A P-256 certificate built field by field (the parser does not verify signatures; it is signed anyway). */
function build(p: Parts = {}): Buffer {
  const name = encodeName({ country: 'DE', organization: 'pnc-stack test', commonName: 'DEPNCC00000001A', domainComponent: 'MO' });
  const exts = p.rawExtensions ?? ((p.extensions ?? defaultExtensions).length ? w.explicit(3, w.sequence(...(p.extensions ?? defaultExtensions).map(encodeExtension))) : Buffer.alloc(0));
  const tbs = w.sequence(
    ...(p.version === null ? [] : [p.version ?? w.explicit(0, w.integer(2))]),
    w.integer(Buffer.from('0123456789abcdef', 'hex')),
    p.signature ?? algorithmIdentifier('ecdsa-with-SHA256'),
    p.issuer ?? name,
    w.sequence(w.time(NOW), w.time(NOW + 86_400_000)),
    p.subject ?? name,
    p.spki ?? p256Spki,
    exts,
  );
  if (p.outerSignature) return w.sequence(tbs, p.outerSignature, w.bitString(Buffer.alloc(72, 1)));
  return signTbs(tbs, 'ecdsa-with-SHA256', p.signingKey ?? key.privateKey);
}

const spki = (algorithm: Buffer, publicKey: Buffer): Buffer => w.sequence(algorithm, w.bitString(publicKey));

describe('hand-built certificates', () => {
  it('the baseline builds, parses and is accepted by node:crypto', () => {
    const der = build();
    const c = parseCertificate(der);
    expect(c.publicKeyType).toBe('P-256');
    expect(c.subject.commonName).toBe('DEPNCC00000001A');
    expect(c.basicConstraints).toEqual({ ca: false, critical: true });
    expect(hasKeyUsage(c, 'digitalSignature')).toBe(true);
    expect(new X509Certificate(der).verify(key.publicKey)).toBe(true);
  });

  it.each<[string, Parts]>([
    ['duplicate extension (keyUsage twice)', { extensions: [...defaultExtensions, ext.keyUsage(['keyAgreement'])] }],
    ['duplicate unknown extension', { extensions: [{ oid: '1.2.3.4', critical: false, value: w.nullValue() }, { oid: '1.2.3.4', critical: false, value: w.nullValue() }] }],
    ['extensions in a v1 certificate (no version field)', { version: null }],
    ['extensions in a v2 certificate', { version: w.explicit(0, w.integer(1)) }],
    ['empty extension list', { rawExtensions: w.explicit(3, w.sequence()) }],
    ['[3] holding two SEQUENCEs', { rawExtensions: w.explicit(3, Buffer.concat([w.sequence(encodeExtension(defaultExtensions[0]!)), w.sequence(encodeExtension(defaultExtensions[1]!))])) }],
    ['[3] holding a SET', { rawExtensions: w.explicit(3, w.tlv(0x31, encodeExtension(defaultExtensions[0]!))) }],
    ['extension critical flag 0x01 (not DER)', { rawExtensions: w.explicit(3, w.sequence(w.sequence(w.oid(Oid.keyUsage), Buffer.from([1, 1, 1]), w.octetString(ext.keyUsage(['digitalSignature']).value)))) }],
    ['extension with an element after extnValue', { rawExtensions: w.explicit(3, w.sequence(w.sequence(w.oid('1.2.3.4'), w.octetString(w.nullValue()), w.nullValue()))) }],
    ['basicConstraints with trailing bytes', { extensions: [{ oid: Oid.basicConstraints, critical: true, value: Buffer.concat([w.sequence(w.boolean(true)), w.nullValue()]) }] }],
    ['basicConstraints with a negative pathLen', { extensions: [{ oid: Oid.basicConstraints, critical: true, value: w.sequence(w.boolean(true), Buffer.from([2, 1, 0xff])) }] }],
    ['basicConstraints cA = 0x01', { extensions: [{ oid: Oid.basicConstraints, critical: true, value: w.sequence(Buffer.from([1, 1, 1])) }] }],
    ['keyUsage that is not a BIT STRING', { extensions: [{ oid: Oid.keyUsage, critical: true, value: w.octetString(Buffer.from([0x80])) }] }],
    ['subjectKeyIdentifier that is not an OCTET STRING', { extensions: [{ oid: Oid.subjectKeyIdentifier, critical: false, value: w.integer(5) }] }],
    ['ocspNoCheck with content', { extensions: [{ oid: Oid.ocspNoCheck, critical: false, value: w.octetString(Buffer.alloc(1)) }] }],
    ['AIA AccessDescription with a third element', { extensions: [{ oid: Oid.authorityInfoAccess, critical: false, value: w.sequence(w.sequence(w.oid(Oid.adOcsp), w.implicitPrimitive(6, Buffer.from('http://x')), w.nullValue())) }] }],
    ['extKeyUsage holding a non-OID', { extensions: [{ oid: Oid.extKeyUsage, critical: false, value: w.sequence(w.integer(1)) }] }],
    ['Name with an empty RDN', { subject: w.sequence(w.tlv(0x31)) }],
    ['Name with an invalid UTF8String', { subject: w.sequence(w.setOf(w.sequence(w.oid(Oid.commonName), Buffer.from([0x0c, 2, 0xc3, 0x28])))) }],
    ['Name whose value is a SEQUENCE', { issuer: w.sequence(w.setOf(w.sequence(w.oid(Oid.commonName), w.sequence()))) }],
    ['SPKI with unused bits in the key', { spki: w.sequence(w.sequence(w.oid(Oid.ecPublicKey), w.oid(Oid.prime256v1)), w.bitString(p256Point, 1)) }],
    ['outer AlgorithmIdentifier with three elements', { outerSignature: w.sequence(w.oid(Oid.ecdsaWithSha256), w.nullValue(), w.nullValue()) }],
    ['outer AlgorithmIdentifier without an OID', { outerSignature: w.sequence(w.integer(1)) }],
  ])('%s → CertificateParseError', (_name, parts) => {
    const der = build(parts);
    expect(attempt(der)).toBe('CertificateParseError');
  });

  it('CertificateParseError keeps the DerError it came from', () => {
    try {
      parseCertificate(build({ extensions: [...defaultExtensions, ext.keyUsage(['keyAgreement'])] }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CertificateParseError);
      expect((e as CertificateParseError).derError?.message).toMatch(/duplicate extension 2\.5\.29\.15/);
    }
  });

  const explicitCurve = w.sequence(
    w.integer(1),
    w.sequence(w.oid('1.2.840.10045.1.1'), w.integer(Buffer.alloc(32, 0xff))),
    w.sequence(w.octetString(Buffer.alloc(32, 1)), w.octetString(Buffer.alloc(32, 2))),
    w.octetString(p256Point),
    w.integer(Buffer.alloc(32, 0xfe)),
    w.integer(1),
  );
  it.each<[string, Certificate['publicKeyType'], Buffer]>([
    // RFC 5480 §2.1.1: only namedCurve is allowed; specifiedCurve is refused as an unsupported key (not a parse error)
    ['explicit-parameter EC curve', 'unsupported', spki(w.sequence(w.oid(Oid.ecPublicKey), explicitCurve), p256Point)],
    ['implicitlyCA EC curve (NULL)', 'unsupported', spki(w.sequence(w.oid(Oid.ecPublicKey), w.nullValue()), p256Point)],
    ['EC key without curve parameters', 'unsupported', spki(w.sequence(w.oid(Oid.ecPublicKey)), p256Point)],
    ['EC key on secp256k1 (unknown named curve)', 'unsupported', spki(w.sequence(w.oid(Oid.ecPublicKey), w.oid('1.3.132.0.10')), p256Point)],
    ['DSA key (unknown key algorithm)', 'unsupported', spki(w.sequence(w.oid('1.2.840.10040.4.1')), Buffer.alloc(64, 3))],
    ['X448 key (unknown key algorithm)', 'unsupported', spki(w.sequence(w.oid('1.3.101.111')), Buffer.alloc(56, 3))],
    ['Ed448 key of 56 bytes', 'unsupported', spki(w.sequence(w.oid(Oid.ed448)), Buffer.alloc(56, 3))],
    ['Ed448 key with NULL parameters', 'unsupported', spki(w.sequence(w.oid(Oid.ed448), w.nullValue()), Buffer.alloc(57, 3))],
    ['Ed448 key of 57 bytes', 'Ed448', spki(w.sequence(w.oid(Oid.ed448)), Buffer.alloc(57, 3))],
    ['Ed25519 key', 'Ed25519', spki(w.sequence(w.oid(Oid.ed25519)), Buffer.alloc(32, 3))],
    ['P-384 key', 'P-384', spki(w.sequence(w.oid(Oid.ecPublicKey), w.oid(Oid.secp384r1)), Buffer.alloc(97, 4))],
    ['RSA key', 'RSA', spki(w.sequence(w.oid(Oid.rsaEncryption), w.nullValue()), w.sequence(w.integer(Buffer.alloc(256, 0xc1)), w.integer(65537)))],
  ])('%s → publicKeyType %s', (_name, type, keyInfo) => {
    const c = parseCertificate(build({ spki: keyInfo }));
    expect(c.publicKeyType).toBe(type);
    expect(c.spki.equals(keyInfo)).toBe(true);
  });

  it('unknown signature algorithm and mismatched inner/outer algorithms are reported, not thrown', () => {
    // the inner AlgorithmIdentifier is only compared byte for byte with the outer one
    expect(parseCertificate(build({ signature: w.sequence(w.oid(Oid.ecdsaWithSha256), w.nullValue(), w.nullValue()) })).signatureAlgorithmsMatch).toBe(false);
    const unknown = parseCertificate(build({ signature: w.sequence(w.oid('1.2.840.113549.1.1.10')), outerSignature: w.sequence(w.oid('1.2.840.113549.1.1.10')) }));
    expect(unknown.signatureAlgorithm).toBe('unsupported');
    expect(unknown.signatureAlgorithmOid).toBe('1.2.840.113549.1.1.10');
    expect(unknown.signatureAlgorithmsMatch).toBe(true);
    const mismatch = parseCertificate(build({ signature: algorithmIdentifier('ecdsa-with-SHA512'), outerSignature: algorithmIdentifier('ecdsa-with-SHA256') }));
    expect(mismatch.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(mismatch.signatureAlgorithmsMatch).toBe(false);
    expect(verifyCertificateSignature(mismatch, key.publicKey, 'P-256').ok).toBe(false);
  });

  it('a v1 certificate without extensions parses as version 1 with no extensions', () => {
    const c = parseCertificate(build({ version: null, extensions: [] }));
    expect(c.version).toBe(1);
    expect(c.extensions).toEqual([]);
    expect(c.basicConstraints).toBeUndefined();
    expect(c.keyUsage).toBeUndefined();
  });

  it('unknown non-critical and critical extensions are kept opaque', () => {
    const c = parseCertificate(build({ extensions: [...defaultExtensions, { oid: '1.2.3.4.5', critical: true, value: Buffer.from([0xde, 0xad]) }] }));
    expect(c.extensions.find((e) => e.oid === '1.2.3.4.5')).toEqual({ oid: '1.2.3.4.5', critical: true, value: Buffer.from([0xde, 0xad]) });
  });

  // RFC 5280 §4.1.2.1: version is v1, v2 or v3; X.690 §11.5: a DEFAULT value (v1) is never encoded.
  it.each<[string, Buffer]>([
    ['version v4 (INTEGER 3)', w.explicit(0, w.integer(3))],
    ['version 100', w.explicit(0, w.integer(99))],
    ['explicitly encoded DEFAULT version v1 (INTEGER 0)', w.explicit(0, w.integer(0))],
  ])('%s without extensions → CertificateParseError', (_name, version) => {
    expect(attempt(build({ version, extensions: [] }))).toBe('CertificateParseError');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// PEM

describe('PEM', () => {
  const a = cert('iso2/secc').der;
  const b = cert('iso2/cpo-sub2').der;

  it('decodes several blocks in order, ignoring text around them, with LF or CRLF lines', () => {
    const text = `leading text\n${encodePem('CERTIFICATE', a)}between\n${encodePem('ENCRYPTED PRIVATE KEY', Buffer.from([1, 2, 3]))}${encodePem('CERTIFICATE', b).replace(/\n/g, '\r\n')}trailing`;
    const blocks = decodePem(text);
    expect(blocks.map((x) => x.label)).toEqual(['CERTIFICATE', 'ENCRYPTED PRIVATE KEY', 'CERTIFICATE']);
    expect(blocks[0]!.der.equals(a)).toBe(true);
    expect(blocks[2]!.der.equals(b)).toBe(true);
    expect(decodePemCertificates(text).map((d) => d.toString('hex'))).toEqual([a, b].map((d) => d.toString('hex')));
  });

  it('encodes 64-character lines and round-trips', () => {
    const pem = encodePem('CERTIFICATE', a);
    const lines = pem.trim().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(lines.slice(1, -2).every((l) => l.length === 64)).toBe(true);
    expect(decodePem(pem)).toEqual([{ label: 'CERTIFICATE', der: a }]);
    expect(new X509Certificate(pem).raw.equals(a)).toBe(true);
  });

  it('no block at all is an empty list', () => {
    expect(decodePem('')).toEqual([]);
    expect(decodePem('just text')).toEqual([]);
  });

  const body = a.toString('base64');
  it.each<[string, string]>([
    ['mismatched BEGIN/END', `-----BEGIN CERTIFICATE-----\n${body}\n-----END PRIVATE KEY-----\n`],
    ['bad base64 characters', '-----BEGIN CERTIFICATE-----\nMIIB*AAA\n-----END CERTIFICATE-----\n'],
    ['base64 length not a multiple of 4', '-----BEGIN CERTIFICATE-----\nMIIBAA\n-----END CERTIFICATE-----\n'],
    ['padding in the middle', '-----BEGIN CERTIFICATE-----\nMA==MA==\n-----END CERTIFICATE-----\n'],
    ['three padding characters', '-----BEGIN CERTIFICATE-----\nM===\n-----END CERTIFICATE-----\n'],
    ['empty block', '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n'],
    ['whitespace-only block', '-----BEGIN CERTIFICATE-----\n   \n\n-----END CERTIFICATE-----\n'],
    ['a BEGIN inside a block', `-----BEGIN CERTIFICATE-----\n${body}\n-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`],
    ['a good block followed by a bad one', `${encodePem('CERTIFICATE', a)}-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n`],
    ['more than 256 blocks', encodePem('CERTIFICATE', Buffer.from([0x30, 0])).repeat(257)],
    ['input above MAX_PEM_BYTES', `${encodePem('CERTIFICATE', a)}${' '.repeat(MAX_PEM_BYTES)}`],
  ])('%s → PemError', (_name, text) => {
    expect(() => decodePem(text)).toThrow(PemError);
  });

  it('MAX_PEM_BYTES itself is accepted', () => {
    const pem = encodePem('CERTIFICATE', a);
    const text = pem + ' '.repeat(MAX_PEM_BYTES - pem.length);
    expect(text.length).toBe(MAX_PEM_BYTES);
    expect(decodePemCertificates(text)).toHaveLength(1);
  });
});
