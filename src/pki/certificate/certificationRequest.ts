// PKCS#10 CertificationRequest (RFC 2986 §4) read straight from DER, self-signature checked: the CSR a charger sends in
// OCPP SignCertificateRequest is untrusted input to the CSMS, so nothing of it is returned unless its signature holds.
import type { KeyObject } from 'node:crypto';
import {
  DerCursor,
  DerError,
  Tag,
  contextTag,
  readBitString,
  readOid,
  readRoot,
  readSmallInteger,
  whole,
  type Tlv,
} from '../der/derReader.js';
import { parseSpki, type PublicKeyType, type SignatureAlgorithm } from './certificate.js';
import { readExtensions, type Extension } from './extensions.js';
import { checkName, parseName, type DistinguishedName } from './name.js';
import { PemError, decodePem } from './pem.js';
import { importPublicKey, verifySignedData } from './signature.js';
import { signatureAlgorithmFromOid } from './signatureAlgorithms.js';

/** PKCS#9 extensionRequest (RFC 2985 §5.4.2): the extensions the requester asks for. */
export const EXTENSION_REQUEST_OID = '1.2.840.113549.1.9.14';

/**
 * Largest CSR DER accepted by default. OCPP SignCertificateRequest.csr is at most 5500 characters of PEM, about 4 kB of
 * DER; an ISO 15118 CSR is 300–600 bytes.
 */
export const MAX_CSR_BYTES = 4096;

/** PEM labels of a CSR: RFC 7468 §7, and the legacy label RFC 7468 says parsers may accept. */
const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);

export type CertificationRequestProblem =
  /** No CSR PEM block, several, or broken PEM. */
  | 'pem'
  /** Larger than the limit. */
  | 'size'
  /** Not well-formed DER / not the RFC 2986 structure. */
  | 'malformed'
  /** Version other than v1 (0). */
  | 'version'
  /** Subject key of an algorithm or curve this library does not read. */
  | 'unsupportedKey'
  /** Signature algorithm this library does not verify. */
  | 'unsupportedAlgorithm'
  /** The key is unusable (off-curve point, refused by OpenSSL). */
  | 'badKey'
  /** The self-signature does not verify, or its algorithm does not fit the key. */
  | 'badSignature';

export class CertificationRequestParseError extends Error {
  override readonly name = 'CertificationRequestParseError';
  constructor(
    readonly problem: CertificationRequestProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface CsrAttribute {
  readonly oid: string;
  /** DER of each value in the attribute's SET. */
  readonly values: readonly Buffer[];
}

export interface CertificationRequest {
  readonly der: Buffer;
  /** CertificationRequestInfo DER: the signed part. */
  readonly info: Buffer;
  readonly subject: DistinguishedName;
  readonly subjectRaw: Buffer;
  /** SubjectPublicKeyInfo DER. */
  readonly spki: Buffer;
  readonly publicKeyType: PublicKeyType;
  /** subjectPublicKey BIT STRING value (the raw key). */
  readonly publicKeyBits: Buffer;
  readonly publicKey: KeyObject;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signature: Buffer;
  readonly attributes: readonly CsrAttribute[];
  /** Extensions from the extensionRequest attribute (empty when there is none). */
  readonly extensions: readonly Extension[];
}

export interface ParseCertificationRequestOptions {
  /** Default MAX_CSR_BYTES. */
  readonly maxBytes?: number;
}

function readAttributes(buf: Buffer, tlv: Tlv): { attributes: CsrAttribute[]; extensions: Extension[] } {
  const attributes: CsrAttribute[] = [];
  let extensions: Extension[] = [];
  const c = new DerCursor(buf, tlv);
  while (!c.done) {
    const a = new DerCursor(buf, c.next('Attribute', Tag.SEQUENCE));
    const oid = readOid(buf, a.next('Attribute.type', Tag.OID));
    const valuesTlv = a.next('Attribute.values', Tag.SET);
    a.finish('Attribute');
    if (attributes.some((x) => x.oid === oid)) throw new DerError(`attribute ${oid} appears twice`, valuesTlv.start);
    const values: Buffer[] = [];
    const v = new DerCursor(buf, valuesTlv);
    while (!v.done) values.push(whole(buf, v.next('attribute value')));
    // X.501: an attribute has at least one value; extensionRequest has exactly one (RFC 2985 §5.4.2).
    if (values.length === 0) throw new DerError(`attribute ${oid} has no value`, valuesTlv.start);
    if (oid === EXTENSION_REQUEST_OID) {
      if (values.length !== 1) throw new DerError('extensionRequest must have exactly one value', valuesTlv.start);
      extensions = readExtensions(buf, valuesTlv);
    }
    attributes.push({ oid, values });
  }
  return { attributes, extensions };
}

interface Structure {
  readonly info: Buffer;
  readonly version: number;
  readonly subjectTlv: Tlv;
  readonly spkiTlv: Tlv;
  readonly attributes: CsrAttribute[];
  readonly extensions: Extension[];
  readonly signatureAlgorithmOid: string;
  readonly signature: Buffer;
}

function readStructure(der: Buffer): Structure {
  const root = readRoot(der, Tag.SEQUENCE, 'CertificationRequest');
  const top = new DerCursor(der, root);
  const infoTlv = top.next('certificationRequestInfo', Tag.SEQUENCE);
  const algTlv = top.next('signatureAlgorithm', Tag.SEQUENCE);
  const { bytes: signature } = readBitString(der, top.next('signature', Tag.BIT_STRING));
  top.finish('CertificationRequest');

  const alg = new DerCursor(der, algTlv);
  const signatureAlgorithmOid = readOid(der, alg.next('signatureAlgorithm.algorithm', Tag.OID));
  // ECDSA and EdDSA carry no parameters (RFC 5758 §3.2, RFC 8410 §3); RSA carries NULL.
  const params = alg.optional(Tag.NULL);
  if (params && params.end !== params.contentStart) throw new DerError('NULL algorithm parameter has content', params.start);
  alg.finish('signatureAlgorithm');

  const info = new DerCursor(der, infoTlv);
  const version = readSmallInteger(der, info.next('version', Tag.INTEGER));
  const subjectTlv = info.next('subject', Tag.SEQUENCE);
  const spkiTlv = info.next('subjectPKInfo', Tag.SEQUENCE);
  // RFC 2986 §4.1: attributes [0] IMPLICIT SET OF Attribute is not OPTIONAL (empty is `A0 00`).
  const attrsTlv = info.next('attributes', contextTag(0, true));
  info.finish('CertificationRequestInfo');
  checkName(der, subjectTlv);
  const { attributes, extensions } = readAttributes(der, attrsTlv);
  return { info: whole(der, infoTlv), version, subjectTlv, spkiTlv, attributes, extensions, signatureAlgorithmOid, signature };
}

/** Parses a DER CSR and verifies its self-signature. Throws CertificationRequestParseError, nothing else, on bad input. */
export function parseCertificationRequest(der: Buffer, options: ParseCertificationRequestOptions = {}): CertificationRequest {
  const max = options.maxBytes ?? MAX_CSR_BYTES;
  if (der.length > max) throw new CertificationRequestParseError('size', `CSR of ${der.length} bytes exceeds ${max}`);
  let s: Structure;
  let spki: { type: PublicKeyType; bits: Buffer };
  try {
    s = readStructure(der);
    spki = parseSpki(der, s.spkiTlv);
  } catch (e) {
    if (e instanceof DerError) throw new CertificationRequestParseError('malformed', `malformed CSR: ${e.message}`);
    throw e;
  }
  if (s.version !== 0) throw new CertificationRequestParseError('version', `CSR version ${s.version + 1} (only v1 exists)`);
  if (spki.type === 'unsupported') throw new CertificationRequestParseError('unsupportedKey', 'CSR key algorithm or curve is not supported');
  const signatureAlgorithm = signatureAlgorithmFromOid(s.signatureAlgorithmOid);
  if (signatureAlgorithm === 'unsupported') {
    throw new CertificationRequestParseError('unsupportedAlgorithm', `unsupported CSR signature algorithm ${s.signatureAlgorithmOid}`);
  }
  const spkiDer = whole(der, s.spkiTlv);
  const imported = importPublicKey({ publicKeyType: spki.type, publicKeyBits: spki.bits, spki: spkiDer });
  if ('problem' in imported) throw new CertificationRequestParseError('badKey', `CSR key: ${imported.problem}`);
  const check = verifySignedData(signatureAlgorithm, s.info, s.signature, imported.key, spki.type);
  if (!check.ok) throw new CertificationRequestParseError('badSignature', `CSR self-signature: ${check.reason}`);
  const subjectRaw = whole(der, s.subjectTlv);
  return {
    der,
    info: s.info,
    subject: parseName(subjectRaw, readRoot(subjectRaw, Tag.SEQUENCE, 'Name')),
    subjectRaw,
    spki: spkiDer,
    publicKeyType: spki.type,
    publicKeyBits: spki.bits,
    publicKey: imported.key,
    signatureAlgorithm,
    signature: s.signature,
    attributes: s.attributes,
    extensions: s.extensions,
  };
}

/** Parses the one CSR PEM block of `pem` (OCPP SignCertificateRequest.csr). */
export function parseCertificationRequestPem(pem: string, options: ParseCertificationRequestOptions = {}): CertificationRequest {
  const max = options.maxBytes ?? MAX_CSR_BYTES;
  // Base64 is 4/3 of the DER plus line breaks and armour; anything far beyond is refused before decoding.
  if (pem.length > 2 * max + 256) throw new CertificationRequestParseError('size', `CSR PEM of ${pem.length} characters is too large`);
  let blocks;
  try {
    blocks = decodePem(pem);
  } catch (e) {
    if (e instanceof PemError) throw new CertificationRequestParseError('pem', e.message);
    throw e;
  }
  const csrs = blocks.filter((b) => CSR_LABELS.has(b.label));
  if (csrs.length !== 1 || blocks.length !== 1) {
    throw new CertificationRequestParseError('pem', `expected one CERTIFICATE REQUEST PEM block, found ${blocks.map((b) => b.label).join(', ') || 'none'}`);
  }
  return parseCertificationRequest(csrs[0]!.der, options);
}

