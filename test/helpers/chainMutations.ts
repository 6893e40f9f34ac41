// Building blocks for the broken-chain corpus: re-sign a fixture certificate with one thing changed, issue new
// certificates under any issuer (also with keys the profiles forbid), pad a certificate to an exact DER size and
// damage DER bytes. Everything is generated in memory from the shared fixture PKI; nothing is read from disk.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { parseCertificate, type Certificate, type KeyUsageName, type SignatureAlgorithm } from '../../src/pki/certificate/certificate.js';
import * as der from '../../src/pki/der/derWriter.js';
import {
  buildTbs,
  ext,
  keyIdentifier,
  randomSerial,
  signTbs,
  type ExtensionSpec,
  type NameSpec,
} from '../../src/pki/generator/certificateBuilder.js';
import { generateKeyPair, type KeyType } from '../../src/pki/generator/keys.js';
import { Oid } from '../../src/pki/oids.js';
import { cert as fixtureCert, DAY, NOW } from './fixtures.js';

export type AnyKeyType = KeyType | 'RSA';

export interface ChainCert {
  readonly der: Buffer;
  readonly cert: Certificate;
  readonly keyType: AnyKeyType;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

export interface KeyMaterial {
  readonly type: AnyKeyType;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/** RFC 5612 documentation enterprise number: OIDs nobody understands. */
export const TEST_OID = {
  padding: '1.3.6.1.4.1.32473.1.1',
  unknown: '1.3.6.1.4.1.32473.1.2',
} as const;

export const HOUR = 3_600_000;

export function newKey(type: AnyKeyType): KeyMaterial {
  if (type === 'RSA') return { type, ...generateKeyPairSync('rsa', { modulusLength: 2048 }) };
  return generateKeyPair(type);
}

/** The signature algorithm a key of this type signs with in its suite (P-256 → SHA-256, P-521 → SHA-512, Ed448). */
export function suiteAlgorithm(type: AnyKeyType): SignatureAlgorithm {
  switch (type) {
    case 'P-256':
      return 'ecdsa-with-SHA256';
    case 'P-521':
      return 'ecdsa-with-SHA512';
    case 'Ed448':
      return 'Ed448';
    case 'RSA':
      throw new RangeError('the builder cannot sign with RSA keys');
  }
}

/** A certificate of the shared fixture PKI, with its keys. */
export function fixture(id: string): ChainCert {
  const c = fixtureCert(id);
  return { der: c.der, cert: c.cert, keyType: c.key.type, publicKey: c.key.publicKey, privateKey: c.key.privateKey };
}

/** The fixture certificate that issued `id`. */
export function fixtureIssuer(id: string): ChainCert {
  return fixture(fixtureCert(id).issuerId);
}

export interface Changes {
  readonly subject?: NameSpec | Buffer;
  /** issuer Name written into the certificate; default: the signer's subject. */
  readonly issuerName?: NameSpec | Buffer;
  readonly notBefore?: number;
  readonly notAfter?: number;
  /** New subject key (SKI follows it). */
  readonly key?: KeyMaterial;
  /** Replace the extension with the same OID in place, or append it. Applied after SKI/AKI are recomputed. */
  readonly set?: readonly ExtensionSpec[];
  readonly drop?: readonly string[];
  /** Outer and tbsCertificate.signature algorithm; default: the signer's suite algorithm. */
  readonly signatureAlgorithm?: SignatureAlgorithm;
  /** tbsCertificate.signature only (differs from the outer algorithm when set). */
  readonly tbsSignatureAlgorithm?: SignatureAlgorithm;
  /** Sign with this key although names and AKI still point at the signer. */
  readonly signingKey?: KeyObject;
}

/**
 * Re-issues `base` under `signer` ('self': self-signed) with `changes`; everything not changed (serial, names, validity,
 * extensions, key) is kept. SKI follows the subject key and AKI the signer's key, as a real CA would write them.
 */
export function remake(base: ChainCert, signer: ChainCert | 'self', changes: Changes = {}): ChainCert {
  const key: KeyMaterial = changes.key ?? { type: base.keyType, publicKey: base.publicKey, privateKey: base.privateKey };
  const subject = changes.subject ?? base.cert.subjectRaw;
  const signerKey: KeyMaterial = signer === 'self' ? key : { type: signer.keyType, publicKey: signer.publicKey, privateKey: signer.privateKey };
  const issuerName = changes.issuerName ?? (signer === 'self' ? subject : signer.cert.subjectRaw);
  const ownSki = keyIdentifier(key.publicKey);
  const signerSki = signer === 'self' ? ownSki : (signer.cert.subjectKeyId ?? keyIdentifier(signer.publicKey));

  let extensions: ExtensionSpec[] = base.cert.extensions.map((e) => {
    if (e.oid === Oid.subjectKeyIdentifier) return ext.subjectKeyIdentifier(ownSki);
    if (e.oid === Oid.authorityKeyIdentifier) return ext.authorityKeyIdentifier(signerSki);
    return { oid: e.oid, critical: e.critical, value: e.value };
  });
  for (const s of changes.set ?? []) {
    const i = extensions.findIndex((e) => e.oid === s.oid);
    if (i >= 0) extensions[i] = s;
    else extensions.push(s);
  }
  const drop = new Set(changes.drop ?? []);
  extensions = extensions.filter((e) => !drop.has(e.oid));

  const outer = changes.signatureAlgorithm ?? suiteAlgorithm(signerKey.type);
  const tbs = buildTbs({
    serial: base.cert.serial,
    subject,
    issuer: issuerName,
    notBefore: changes.notBefore ?? base.cert.notBefore,
    notAfter: changes.notAfter ?? base.cert.notAfter,
    publicKey: key.publicKey,
    extensions,
    signatureAlgorithm: changes.tbsSignatureAlgorithm ?? outer,
    signingKey: signerKey.privateKey,
  });
  const out = signTbs(tbs, outer, changes.signingKey ?? signerKey.privateKey);
  return { der: out, cert: parseCertificate(out), keyType: key.type, publicKey: key.publicKey, privateKey: key.privateKey };
}

export interface NewCertificate {
  readonly subject: NameSpec;
  readonly ca: boolean;
  readonly pathLen?: number;
  readonly usages: readonly KeyUsageName[];
  readonly keyType: AnyKeyType;
  readonly notBefore?: number;
  readonly notAfter?: number;
  readonly extra?: readonly ExtensionSpec[];
  readonly signatureAlgorithm?: SignatureAlgorithm;
}

/** A new certificate with the profile extensions (BC and KU critical, SKI, AKI), valid from an hour before NOW. */
export function issueUnder(signer: ChainCert | 'self', spec: NewCertificate): ChainCert {
  const key = newKey(spec.keyType);
  const base: ChainCert = {
    der: Buffer.alloc(0),
    // Only read for the fields remake() keeps: a skeleton certificate is built and then re-issued.
    cert: skeleton(spec, key),
    keyType: key.type,
    publicKey: key.publicKey,
    privateKey: key.privateKey,
  };
  return remake(base, signer, spec.signatureAlgorithm ? { signatureAlgorithm: spec.signatureAlgorithm } : {});
}

function skeleton(spec: NewCertificate, key: KeyMaterial): Certificate {
  // Self-signed with a throwaway P-256 key: only its serial, names, validity and extensions are reused.
  const scratch = generateKeyPair('P-256');
  const ski = keyIdentifier(key.publicKey);
  const tbs = buildTbs({
    serial: randomSerial(),
    subject: spec.subject,
    issuer: spec.subject,
    notBefore: spec.notBefore ?? NOW - HOUR,
    notAfter: spec.notAfter ?? NOW + 365 * DAY,
    publicKey: key.publicKey,
    extensions: [
      ext.basicConstraints(spec.ca, spec.pathLen),
      ext.keyUsage(spec.usages),
      ext.subjectKeyIdentifier(ski),
      ext.authorityKeyIdentifier(ski),
      ...(spec.extra ?? []),
    ],
    signatureAlgorithm: 'ecdsa-with-SHA256',
    signingKey: scratch.privateKey,
  });
  return parseCertificate(signTbs(tbs, 'ecdsa-with-SHA256', scratch.privateKey));
}

/** `base` re-signed by its own key (a root stays without AKI; a certificate that had one gets AKI = its own SKI). */
export const selfSigned = (base: ChainCert, changes: Changes = {}): ChainCert => remake(base, 'self', changes);

/** Non-critical extension of an unknown OID whose DER value is an OCTET STRING of `n` zero bytes. */
export function paddingExtension(n: number): ExtensionSpec {
  return { oid: TEST_OID.padding, critical: false, value: der.octetString(Buffer.alloc(n)) };
}

export function unknownExtension(critical: boolean): ExtensionSpec {
  return { oid: TEST_OID.unknown, critical, value: der.utf8String('nobody understands this') };
}

/**
 * Re-issues `base` with a padding extension sized so that the certificate is exactly `bytes` of DER. ECDSA signatures
 * vary by a byte or two, so it re-signs until the size is hit.
 */
export function padTo(base: ChainCert, signer: ChainCert | 'self', bytes: number, changes: Changes = {}): ChainCert {
  let pad = 0;
  for (let attempt = 0; attempt < 200; attempt++) {
    const c = remake(base, signer, { ...changes, set: [...(changes.set ?? []), paddingExtension(pad)] });
    if (c.der.length === bytes) return c;
    pad = Math.max(0, pad + bytes - c.der.length);
  }
  throw new Error(`could not pad ${base.cert.subject.commonName ?? 'certificate'} to ${bytes} bytes`);
}

/** Flips the lowest bit of a byte `fromEnd` bytes before the end: inside the signature value of any of our certificates. */
export function flipBit(input: Buffer, fromEnd = 10): Buffer {
  const out = Buffer.from(input);
  const i = out.length - fromEnd;
  out[i] = out[i]! ^ 0x01;
  return out;
}

/** The first `keep` bytes: a certificate cut off in transit. */
export const truncated = (input: Buffer, keep: number): Buffer => Buffer.from(input.subarray(0, keep));

/** Subject of a certificate as a NameSpec (first DC only), for renamed copies. */
export function nameOf(c: Certificate, changes: Partial<NameSpec> = {}): NameSpec {
  const s = c.subject;
  const dc = s.domainComponents[0];
  return {
    ...(s.country !== undefined ? { country: s.country } : {}),
    ...(s.organization !== undefined ? { organization: s.organization } : {}),
    ...(s.commonName !== undefined ? { commonName: s.commonName } : {}),
    ...(dc !== undefined ? { domainComponent: dc } : {}),
    ...changes,
  };
}

/**
 * The fixture hierarchy `ids` (root first, each issued by the previous) rebuilt with fresh keys: "another PKI".
 * `rename` optionally changes each subject; by default the names are the same (an impostor hierarchy).
 */
export function otherPki(ids: readonly string[], rename?: (c: Certificate) => NameSpec): ChainCert[] {
  const out: ChainCert[] = [];
  for (const id of ids) {
    const base = fixture(id);
    const parent = out[out.length - 1];
    out.push(
      remake(base, parent ?? 'self', {
        key: newKey(base.keyType),
        ...(rename ? { subject: rename(base.cert) } : {}),
      }),
    );
  }
  return out;
}

/**
 * `base` re-issued under `signer` with one bit of its subject public key flipped, then properly signed: for an EC key
 * the point is then off the curve (a key no library can import), for Ed448 an arbitrary 57-byte string.
 */
export function corruptPublicKey(base: ChainCert, signer: ChainCert): ChainCert {
  const good = remake(base, signer);
  const tbs = Buffer.from(good.cert.tbs);
  const bits = good.cert.publicKeyBits;
  const at = tbs.indexOf(bits);
  if (at < 0) throw new Error('public key bits not found in the tbsCertificate');
  tbs[at + bits.length - 1] = tbs[at + bits.length - 1]! ^ 0x01;
  const out = signTbs(tbs, suiteAlgorithm(signer.keyType), signer.privateKey);
  return { der: out, cert: parseCertificate(out), keyType: base.keyType, publicKey: base.publicKey, privateKey: base.privateKey };
}

/** A Name with the attributes of `c`'s subject in order, each value encoded by `encode` (to re-encode an issuer name). */
export function reencodeName(c: Certificate, encode: (type: string, value: string) => Buffer): Buffer {
  return der.sequence(...c.subject.attributes.map((a) => der.setOf(der.sequence(der.oid(a.type), encode(a.type, a.value)))));
}
