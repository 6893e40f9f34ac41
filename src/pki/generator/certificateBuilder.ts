// Builds and signs X.509 v3 certificates from an explicit description, so that the test PKI and the broken-chain
// corpus can set every field, including wrong ones.
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import * as der from '../der/derWriter.js';
import { Oid } from '../oids.js';
import { KeyUsageBit, type KeyUsageName, type SignatureAlgorithm } from '../certificate/certificate.js';
import { DerCursor, Tag, readBitString, readRoot } from '../der/derReader.js';
import { algorithmIdentifier, signatureSpec } from '../certificate/signatureAlgorithms.js';

export interface NameSpec {
  readonly country?: string;
  readonly organization?: string;
  readonly commonName?: string;
  readonly domainComponent?: string;
}

export interface ExtensionSpec {
  readonly oid: string;
  readonly critical: boolean;
  /** DER of the extension value (the content of extnValue). */
  readonly value: Buffer;
}

export interface CertificateSpec {
  readonly serial: Buffer;
  readonly subject: NameSpec | Buffer;
  /** The issuer's subject Name: its raw DER, or a description (self-signed: the subject). */
  readonly issuer: NameSpec | Buffer;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly publicKey: KeyObject;
  readonly extensions: readonly ExtensionSpec[];
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signingKey: KeyObject;
}

/** RFC 5280: C is PrintableString, DC is IA5String (RFC 4519), CN and O UTF8String. */
export function encodeName(name: NameSpec): Buffer {
  const rdn = (type: string, value: Buffer): Buffer => der.setOf(der.sequence(der.oid(type), value));
  const rdns: Buffer[] = [];
  if (name.country !== undefined) rdns.push(rdn(Oid.countryName, der.printableString(name.country)));
  if (name.organization !== undefined) rdns.push(rdn(Oid.organizationName, der.utf8String(name.organization)));
  if (name.commonName !== undefined) rdns.push(rdn(Oid.commonName, der.utf8String(name.commonName)));
  if (name.domainComponent !== undefined) rdns.push(rdn(Oid.domainComponent, der.ia5String(name.domainComponent)));
  return der.sequence(...rdns);
}

/** subjectPublicKey BIT STRING value of a key (SKI and OCSP issuerKeyHash input). */
export function publicKeyBits(spki: Buffer): Buffer {
  const root = readRoot(spki, Tag.SEQUENCE, 'SubjectPublicKeyInfo');
  const c = new DerCursor(spki, root);
  c.next('algorithm', Tag.SEQUENCE);
  return readBitString(spki, c.next('subjectPublicKey', Tag.BIT_STRING)).bytes;
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha1').update(publicKeyBits(spki)).digest();
}

/** Positive serial of 16 random bytes (RFC 5280 §4.1.2.2: at most 20 octets). */
export function randomSerial(): Buffer {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b;
}

export const ext = {
  basicConstraints(ca: boolean, pathLen?: number, critical = true): ExtensionSpec {
    const parts = ca ? [der.boolean(true), ...(pathLen !== undefined ? [der.integer(pathLen)] : [])] : [];
    return { oid: Oid.basicConstraints, critical, value: der.sequence(...parts) };
  },
  keyUsage(usages: readonly KeyUsageName[], critical = true): ExtensionSpec {
    if (usages.length === 0) return { oid: Oid.keyUsage, critical, value: der.bitString(Buffer.alloc(0)) };
    let bits = 0;
    for (const u of usages) bits |= 1 << KeyUsageBit[u];
    const highest = Math.max(...usages.map((u) => KeyUsageBit[u]));
    const byteCount = Math.floor(highest / 8) + 1;
    const bytes = Buffer.alloc(byteCount);
    for (let i = 0; i <= highest; i++) if (bits & (1 << i)) bytes[i >> 3]! |= 0x80 >> (i & 7);
    // DER named bit list: trailing zero bits are removed (X.690 §11.2.2).
    const unused = 7 - (highest & 7);
    return { oid: Oid.keyUsage, critical, value: der.bitString(bytes, unused) };
  },
  extKeyUsage(purposes: readonly string[], critical = false): ExtensionSpec {
    return { oid: Oid.extKeyUsage, critical, value: der.sequence(...purposes.map((p) => der.oid(p))) };
  },
  subjectKeyIdentifier(id: Buffer): ExtensionSpec {
    return { oid: Oid.subjectKeyIdentifier, critical: false, value: der.octetString(id) };
  },
  authorityKeyIdentifier(id: Buffer): ExtensionSpec {
    return { oid: Oid.authorityKeyIdentifier, critical: false, value: der.sequence(der.implicitPrimitive(0, id)) };
  },
  ocspAccess(url: string): ExtensionSpec {
    const description = der.sequence(der.oid(Oid.adOcsp), der.implicitPrimitive(6, Buffer.from(url, 'latin1')));
    return { oid: Oid.authorityInfoAccess, critical: false, value: der.sequence(description) };
  },
  ocspNoCheck(): ExtensionSpec {
    return { oid: Oid.ocspNoCheck, critical: false, value: der.nullValue() };
  },
};

export function buildTbs(spec: CertificateSpec): Buffer {
  const subject = Buffer.isBuffer(spec.subject) ? spec.subject : encodeName(spec.subject);
  const issuer = Buffer.isBuffer(spec.issuer) ? spec.issuer : encodeName(spec.issuer);
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const extensions = spec.extensions.map((e) =>
    der.sequence(der.oid(e.oid), ...(e.critical ? [der.boolean(true)] : []), der.octetString(e.value)),
  );
  return der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(spec.serial),
    algorithmIdentifier(spec.signatureAlgorithm),
    issuer,
    der.sequence(der.time(spec.notBefore), der.time(spec.notAfter)),
    subject,
    spki,
    ...(extensions.length ? [der.explicit(3, der.sequence(...extensions))] : []),
  );
}

export function signTbs(tbs: Buffer, alg: SignatureAlgorithm, key: KeyObject): Buffer {
  const spec = signatureSpec(alg);
  if (!spec) throw new RangeError(`cannot sign with ${alg}`);
  return der.sequence(tbs, algorithmIdentifier(alg), der.bitString(sign(spec.digest, tbs, key)));
}

/** DER of a signed certificate. */
export function buildCertificate(spec: CertificateSpec): Buffer {
  return signTbs(buildTbs(spec), spec.signatureAlgorithm, spec.signingKey);
}
