// X.509 v3 certificate parsed straight from DER (RFC 5280 §4.1). Node's X509Certificate exposes neither
// pathLen, keyUsage bits, criticality nor raw names (see node-crypto notes §1.1), and costs ~120 µs per parse;
// this walker reads everything the ISO 15118 profiles need in a few microseconds and keeps byte slices, not copies.
import {
  DerCursor,
  DerError,
  Tag,
  content,
  contextTag,
  readBitString,
  readBoolean,
  readIntegerBytes,
  readOid,
  readRoot,
  readSmallInteger,
  readTime,
  readTlv,
  whole,
  type Tlv,
} from '../der/derReader.js';
import { Oid } from '../oids.js';
import { canonicalName, checkName, parseName, type DistinguishedName } from './name.js';
import { signatureAlgorithmFromOid } from './signatureAlgorithms.js';
import { readExtensions, type Extension } from './extensions.js';

export type { Extension } from './extensions.js';

export type SignatureAlgorithm =
  | 'ecdsa-with-SHA256'
  | 'ecdsa-with-SHA384'
  | 'ecdsa-with-SHA512'
  | 'Ed448'
  | 'Ed25519'
  | 'sha256WithRSAEncryption'
  | 'unsupported';

export type PublicKeyType = 'P-256' | 'P-384' | 'P-521' | 'Ed448' | 'Ed25519' | 'RSA' | 'unsupported';

export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;
export type KeyUsageName = keyof typeof KeyUsageBit;


/** What the parser reads out of the extensions the ISO 15118 profiles use. */
export interface DecodedExtensions {
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLen?: number; readonly critical: boolean };
  readonly keyUsage?: { readonly bits: number; readonly critical: boolean };
  readonly extKeyUsage?: readonly string[];
  readonly subjectKeyId?: Buffer;
  readonly authorityKeyId?: Buffer;
  readonly ocspUrls: readonly string[];
  readonly ocspNoCheck: boolean;
}

export interface Certificate extends DecodedExtensions {
  readonly der: Buffer;
  /** The signed part, exactly as transmitted. */
  readonly tbs: Buffer;
  readonly version: number;
  /** Serial number content bytes (two's complement, as encoded). */
  readonly serial: Buffer;
  /** Serial in lowercase hex without leading zeros (OCPP OCSPRequestDataType.serialNumber). */
  readonly serialHex: string;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signatureAlgorithmOid: string;
  /** tbsCertificate.signature equals the outer signatureAlgorithm (RFC 5280 §4.1.1.2). */
  readonly signatureAlgorithmsMatch: boolean;
  readonly signature: Buffer;
  /** Full DER of the issuer and subject Names, used for chaining and OCSP issuerNameHash. */
  readonly issuerRaw: Buffer;
  readonly subjectRaw: Buffer;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  /** Comparison forms of the names (canonicalName), for chaining when the raw bytes differ. */
  readonly issuerCanonical: string;
  readonly subjectCanonical: string;
  readonly notBefore: number;
  readonly notAfter: number;
  /** Full SubjectPublicKeyInfo DER. */
  readonly spki: Buffer;
  readonly publicKeyType: PublicKeyType;
  /** subjectPublicKey BIT STRING value without the unused-bits byte (OCSP issuerKeyHash input). */
  readonly publicKeyBits: Buffer;
  readonly extensions: readonly Extension[];
}

export class CertificateParseError extends Error {
  override readonly name = 'CertificateParseError';
  constructor(
    message: string,
    readonly derError?: DerError,
  ) {
    super(message);
  }
}

const curves: Record<string, PublicKeyType> = {
  [Oid.prime256v1]: 'P-256',
  [Oid.secp384r1]: 'P-384',
  [Oid.secp521r1]: 'P-521',
};

export function hasKeyUsage(cert: Certificate, usage: KeyUsageName): boolean {
  return cert.keyUsage !== undefined && (cert.keyUsage.bits & (1 << KeyUsageBit[usage])) !== 0;
}

export function keyUsageNames(bits: number): KeyUsageName[] {
  return (Object.keys(KeyUsageBit) as KeyUsageName[]).filter((k) => (bits & (1 << KeyUsageBit[k])) !== 0);
}

function algorithmIdentifier(buf: Buffer, tlv: Tlv): { oid: string; params?: Tlv } {
  const c = new DerCursor(buf, tlv);
  const oid = readOid(buf, c.next('algorithm', Tag.OID));
  const params = c.done ? undefined : c.next('algorithm parameters');
  c.finish('AlgorithmIdentifier');
  return params ? { oid, params } : { oid };
}

/** SubjectPublicKeyInfo → key type and key bits (certificates and PKCS#10 requests share it). */
export function parseSpki(buf: Buffer, tlv: Tlv): { type: PublicKeyType; bits: Buffer } {
  const c = new DerCursor(buf, tlv);
  const alg = algorithmIdentifier(buf, c.next('SubjectPublicKeyInfo.algorithm', Tag.SEQUENCE));
  const { bytes } = readBitString(buf, c.next('subjectPublicKey', Tag.BIT_STRING));
  c.finish('SubjectPublicKeyInfo');
  let type: PublicKeyType = 'unsupported';
  if (alg.oid === Oid.ecPublicKey) {
    // RFC 5480 §2.1.1: only namedCurve; explicit curve parameters are refused.
    if (alg.params?.tag === Tag.OID) type = curves[readOid(buf, alg.params)] ?? 'unsupported';
  } else if (alg.oid === Oid.ed448 && !alg.params) {
    type = bytes.length === 57 ? 'Ed448' : 'unsupported';
  } else if (alg.oid === Oid.ed25519 && !alg.params) {
    type = bytes.length === 32 ? 'Ed25519' : 'unsupported';
  } else if (alg.oid === Oid.rsaEncryption) {
    type = 'RSA';
  }
  return { type, bits: bytes };
}

/** DecodedExtensions while the parser fills it in. */
type MutableExtensions = { -readonly [K in keyof DecodedExtensions]: DecodedExtensions[K] } & { ocspUrls: string[] };

const decodedExtensions = new Set<string>([
  Oid.basicConstraints,
  Oid.keyUsage,
  Oid.extKeyUsage,
  Oid.subjectKeyIdentifier,
  Oid.authorityKeyIdentifier,
  Oid.authorityInfoAccess,
  Oid.ocspNoCheck,
]);

function decodeExtension(ext: Extension, out: MutableExtensions): void {
  if (!decodedExtensions.has(ext.oid)) return;
  const v = ext.value;
  const root = readRoot(v, undefined, `extension ${ext.oid}`);
  switch (ext.oid) {
    case Oid.basicConstraints: {
      const c = new DerCursor(v, root);
      const caTlv = c.optional(Tag.BOOLEAN);
      const ca = caTlv ? readBoolean(v, caTlv) : false;
      const pl = c.optional(Tag.INTEGER);
      c.finish('basicConstraints');
      out.basicConstraints = { ca, critical: ext.critical, ...(pl ? { pathLen: readSmallInteger(v, pl) } : {}) };
      break;
    }
    case Oid.keyUsage: {
      const { bytes } = readBitString(v, root, true);
      let bits = 0;
      for (let i = 0; i < bytes.length && i < 2; i++) {
        for (let b = 0; b < 8; b++) if ((bytes[i]! & (0x80 >> b)) !== 0) bits |= 1 << (i * 8 + b);
      }
      out.keyUsage = { bits, critical: ext.critical };
      break;
    }
    case Oid.extKeyUsage: {
      const c = new DerCursor(v, root);
      const purposes: string[] = [];
      while (!c.done) purposes.push(readOid(v, c.next('KeyPurposeId', Tag.OID)));
      out.extKeyUsage = purposes;
      break;
    }
    case Oid.subjectKeyIdentifier:
      if (root.tag !== Tag.OCTET_STRING) throw new DerError('subjectKeyIdentifier must be an OCTET STRING', 0);
      out.subjectKeyId = content(v, root);
      break;
    case Oid.authorityKeyIdentifier: {
      const c = new DerCursor(v, root);
      const keyId = c.optional(contextTag(0, false));
      if (keyId) out.authorityKeyId = content(v, keyId);
      break;
    }
    case Oid.authorityInfoAccess: {
      const c = new DerCursor(v, root);
      while (!c.done) {
        const ad = new DerCursor(v, c.next('AccessDescription', Tag.SEQUENCE));
        const method = readOid(v, ad.next('accessMethod', Tag.OID));
        const location = ad.next('accessLocation');
        ad.finish('AccessDescription');
        // GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String
        if (method === Oid.adOcsp && location.tag === contextTag(6, false)) {
          out.ocspUrls.push(content(v, location).toString('latin1'));
        }
      }
      break;
    }
    case Oid.ocspNoCheck:
      if (root.tag !== Tag.NULL || root.end !== root.contentStart) throw new DerError('ocspNoCheck must be NULL', 0);
      out.ocspNoCheck = true;
      break;
    default:
      break;
  }
}

/** Parses one DER certificate. Throws CertificateParseError for anything that is not a well-formed X.509 certificate. */
export function parseCertificate(der: Buffer): Certificate {
  try {
    return parse(der);
  } catch (e) {
    if (e instanceof DerError) throw new CertificateParseError(`malformed certificate: ${e.message}`, e);
    throw e;
  }
}

function parse(der: Buffer): Certificate {
  const root = readRoot(der, Tag.SEQUENCE, 'Certificate');
  const top = new DerCursor(der, root);
  const tbsTlv = top.next('tbsCertificate', Tag.SEQUENCE);
  const outerAlgTlv = top.next('signatureAlgorithm', Tag.SEQUENCE);
  const { bytes: signature } = readBitString(der, top.next('signatureValue', Tag.BIT_STRING));
  top.finish('Certificate');

  const t = new DerCursor(der, tbsTlv);
  const versionTlv = t.optional(contextTag(0, true));
  let version = 1;
  if (versionTlv) {
    const inner = readTlv(der, versionTlv.contentStart, versionTlv.end);
    if (inner.end !== versionTlv.end) throw new DerError('version: extra data', inner.end);
    version = readSmallInteger(der, inner) + 1;
    // RFC 5280 §4.1.2.1: v2 or v3 when present; DER never encodes the DEFAULT v1.
    if (version !== 2 && version !== 3) throw new DerError(`certificate version ${version} is not 2 or 3 when encoded`, versionTlv.start);
  }
  const serial = readIntegerBytes(der, t.next('serialNumber', Tag.INTEGER));
  const innerAlgTlv = t.next('signature', Tag.SEQUENCE);
  const issuerTlv = t.next('issuer', Tag.SEQUENCE);
  const validity = new DerCursor(der, t.next('validity', Tag.SEQUENCE));
  const notBefore = readTime(der, validity.next('notBefore'));
  const notAfter = readTime(der, validity.next('notAfter'));
  validity.finish('Validity');
  const subjectTlv = t.next('subject', Tag.SEQUENCE);
  const spkiTlv = t.next('subjectPublicKeyInfo', Tag.SEQUENCE);
  t.optional(contextTag(1, false));
  t.optional(contextTag(2, false));
  const extsWrapper = t.optional(contextTag(3, true));
  t.finish('TBSCertificate');

  const decoded: MutableExtensions = { ocspUrls: [], ocspNoCheck: false };
  let extensions: Extension[] = [];
  if (extsWrapper) {
    if (version !== 3) throw new DerError('extensions present in a certificate that is not v3', extsWrapper.start);
    extensions = readExtensions(der, extsWrapper);
    for (const ext of extensions) decodeExtension(ext, decoded);
  }

  const innerAlg = whole(der, innerAlgTlv);
  const outerAlg = whole(der, outerAlgTlv);
  const alg = algorithmIdentifier(der, outerAlgTlv);
  const spki = parseSpki(der, spkiTlv);
  // Names are checked for well-formedness now but decoded into attributes only when read (most are only compared as bytes).
  const issuerRaw = whole(der, issuerTlv);
  const subjectRaw = whole(der, subjectTlv);
  checkName(der, issuerTlv);
  checkName(der, subjectTlv);
  return new ParsedCertificate(
    der,
    whole(der, tbsTlv),
    version,
    serial,
    signatureAlgorithmFromOid(alg.oid),
    alg.oid,
    innerAlg.equals(outerAlg),
    signature,
    issuerRaw,
    subjectRaw,
    notBefore,
    notAfter,
    whole(der, spkiTlv),
    spki.type,
    spki.bits,
    extensions,
    decoded,
  );
}

// The decoded extension fields are copied onto the instance; declaration merging gives them their types.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
interface ParsedCertificate extends DecodedExtensions {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
class ParsedCertificate implements Certificate {
  private subjectName?: DistinguishedName;
  private issuerName?: DistinguishedName;
  private subjectKey?: string;
  private issuerKey?: string;

  constructor(
    readonly der: Buffer,
    readonly tbs: Buffer,
    readonly version: number,
    readonly serial: Buffer,
    readonly signatureAlgorithm: SignatureAlgorithm,
    readonly signatureAlgorithmOid: string,
    readonly signatureAlgorithmsMatch: boolean,
    readonly signature: Buffer,
    readonly issuerRaw: Buffer,
    readonly subjectRaw: Buffer,
    readonly notBefore: number,
    readonly notAfter: number,
    readonly spki: Buffer,
    readonly publicKeyType: PublicKeyType,
    readonly publicKeyBits: Buffer,
    readonly extensions: readonly Extension[],
    decoded: DecodedExtensions,
  ) {
    Object.assign(this, decoded);
  }

  get serialHex(): string {
    const hex = this.serial.toString('hex').replace(/^0+/, '');
    return hex === '' ? '0' : hex;
  }

  get subject(): DistinguishedName {
    return (this.subjectName ??= parseName(this.subjectRaw, readRoot(this.subjectRaw, Tag.SEQUENCE, 'Name')));
  }

  get subjectCanonical(): string {
    return (this.subjectKey ??= canonicalName(this.subjectRaw));
  }

  get issuerCanonical(): string {
    return (this.issuerKey ??= canonicalName(this.issuerRaw));
  }

  get issuer(): DistinguishedName {
    return (this.issuerName ??= parseName(this.issuerRaw, readRoot(this.issuerRaw, Tag.SEQUENCE, 'Name')));
  }
}
