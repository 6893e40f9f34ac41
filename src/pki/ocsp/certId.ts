// RFC 6960 §4.1.1 CertID and its OCPP 2.0.1 form, OCSPRequestDataType (hex hashes, hex serial without leading zeros).
import { createHash } from 'node:crypto';
import type { Certificate } from '../certificate/certificate.js';
import { DerCursor, DerError, Tag, content, readIntegerBytes, readOid, whole, type Tlv } from '../der/derReader.js';
import * as der from '../der/derWriter.js';
import { Oid } from '../oids.js';

export type OcspHashAlgorithm = 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';

const hashes: Readonly<Record<OcspHashAlgorithm, { oid: string; node: string; bytes: number }>> = {
  SHA1: { oid: Oid.sha1, node: 'sha1', bytes: 20 },
  SHA256: { oid: Oid.sha256, node: 'sha256', bytes: 32 },
  SHA384: { oid: Oid.sha384, node: 'sha384', bytes: 48 },
  SHA512: { oid: Oid.sha512, node: 'sha512', bytes: 64 },
};
const byOid = new Map(Object.entries(hashes).map(([k, v]) => [v.oid, k as OcspHashAlgorithm]));

export interface CertId {
  readonly hashAlgorithm: OcspHashAlgorithm;
  readonly issuerNameHash: Buffer;
  readonly issuerKeyHash: Buffer;
  /** Serial as lowercase hex without leading zeros. */
  readonly serialHex: string;
}

/** OCPP 2.0.1 OCSPRequestDataType. hashAlgorithm is limited to SHA256/384/512 by the schema. */
export interface OcspRequestData {
  readonly hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
  readonly issuerNameHash: string;
  readonly issuerKeyHash: string;
  readonly serialNumber: string;
  readonly responderURL: string;
}

export class CertIdError extends Error {
  override readonly name = 'CertIdError';
}

export function hashOf(alg: OcspHashAlgorithm, data: Uint8Array): Buffer {
  return createHash(hashes[alg].node).update(data).digest();
}

/** issuerNameHash over the DER of the issuer's subject (= the child's issuer field); issuerKeyHash over the issuer's
 *  subjectPublicKey BIT STRING value without tag, length and unused-bits byte (RFC 6960 §4.1.1, OCPP errata). */
export function certIdFor(cert: Certificate, issuer: Certificate, alg: OcspHashAlgorithm = 'SHA256'): CertId {
  return {
    hashAlgorithm: alg,
    issuerNameHash: hashOf(alg, cert.issuerRaw),
    issuerKeyHash: hashOf(alg, issuer.publicKeyBits),
    serialHex: cert.serialHex,
  };
}

/** Lookup key of a CertID (algorithm, hashes, serial). */
export function certIdKey(id: CertId): string {
  return `${id.hashAlgorithm}:${id.issuerNameHash.toString('hex')}:${id.issuerKeyHash.toString('hex')}:${id.serialHex}`;
}

export function encodeCertId(id: CertId): Buffer {
  const serial = Buffer.from(id.serialHex.length % 2 ? `0${id.serialHex}` : id.serialHex, 'hex');
  return der.sequence(
    // OpenSSL writes an explicit NULL parameter in CertID hash algorithms; we do the same for byte-compatibility.
    der.sequence(der.oid(hashes[id.hashAlgorithm].oid), der.nullValue()),
    der.octetString(id.issuerNameHash),
    der.octetString(id.issuerKeyHash),
    der.integer(serial),
  );
}

export interface ParsedCertId extends CertId {
  /** The CertID exactly as received (responses echo it). */
  readonly raw: Buffer;
}

export function parseCertId(buf: Buffer, tlv: Tlv): ParsedCertId {
  const c = new DerCursor(buf, tlv);
  const algSeq = new DerCursor(buf, c.next('CertID.hashAlgorithm', Tag.SEQUENCE));
  const oid = readOid(buf, algSeq.next('hash algorithm', Tag.OID));
  const params = algSeq.optional(Tag.NULL);
  if (params && params.end !== params.contentStart) throw new DerError('hash algorithm NULL parameter has content', params.start);
  algSeq.finish('CertID.hashAlgorithm');
  const alg = byOid.get(oid);
  if (!alg) throw new DerError(`unsupported CertID hash algorithm ${oid}`, tlv.start);
  const nameHash = content(buf, c.next('issuerNameHash', Tag.OCTET_STRING));
  const keyHash = content(buf, c.next('issuerKeyHash', Tag.OCTET_STRING));
  const serial = readIntegerBytes(buf, c.next('serialNumber', Tag.INTEGER));
  c.finish('CertID');
  if (nameHash.length !== hashes[alg].bytes || keyHash.length !== hashes[alg].bytes) {
    throw new DerError(`CertID hash lengths do not fit ${alg}`, tlv.start);
  }
  const hex = serial.toString('hex').replace(/^0+/, '');
  return { hashAlgorithm: alg, issuerNameHash: nameHash, issuerKeyHash: keyHash, serialHex: hex === '' ? '0' : hex, raw: whole(buf, tlv) };
}

export function sameCertId(a: CertId, b: CertId): boolean {
  return (
    a.hashAlgorithm === b.hashAlgorithm &&
    a.issuerNameHash.equals(b.issuerNameHash) &&
    a.issuerKeyHash.equals(b.issuerKeyHash) &&
    a.serialHex === b.serialHex
  );
}

/** OCPP OCSPRequestDataType for `cert` issued by `issuer`; `responderURL` from the certificate's AIA. */
export function ocspRequestData(cert: Certificate, issuer: Certificate, alg: OcspRequestData['hashAlgorithm'] = 'SHA256'): OcspRequestData | undefined {
  const url = cert.ocspUrls[0];
  if (url === undefined) return undefined;
  const id = certIdFor(cert, issuer, alg);
  return {
    hashAlgorithm: alg,
    issuerNameHash: id.issuerNameHash.toString('hex'),
    issuerKeyHash: id.issuerKeyHash.toString('hex'),
    serialNumber: id.serialHex,
    responderURL: url,
  };
}

/**
 * OCSPRequestData for every non-root certificate of a verified path (leaf first, then sub-CAs; the last one's issuer
 * is the anchor). Certificates without an OCSP URL in their AIA are listed in `withoutUrl` instead (real contract
 * certificates without AIA exist: EVerest/libocpp#652).
 */
export function ocspRequestDataForPath(
  path: readonly Certificate[],
  anchor: Certificate | undefined,
  alg: OcspRequestData['hashAlgorithm'] = 'SHA256',
): { readonly data: OcspRequestData[]; readonly withoutUrl: Certificate[] } {
  const data: OcspRequestData[] = [];
  const withoutUrl: Certificate[] = [];
  for (const [i, cert] of path.entries()) {
    const issuer = path[i + 1] ?? anchor;
    if (!issuer) break;
    const d = ocspRequestData(cert, issuer, alg);
    if (d) data.push(d);
    else withoutUrl.push(cert);
  }
  return { data, withoutUrl };
}

const hexPattern = /^[0-9a-fA-F]+$/;

/** CertID from OCPP OCSPRequestData received from a station: validated, since it is untrusted input. */
export function certIdFromRequestData(d: OcspRequestData): CertId {
  if (typeof d !== 'object' || d === null) throw new CertIdError('OCSPRequestData must be an object');
  if (!['SHA256', 'SHA384', 'SHA512'].includes(d.hashAlgorithm)) {
    throw new CertIdError(`hashAlgorithm ${String(d.hashAlgorithm)} is not SHA256, SHA384 or SHA512`);
  }
  const spec = hashes[d.hashAlgorithm];
  for (const [field, value] of [['issuerNameHash', d.issuerNameHash], ['issuerKeyHash', d.issuerKeyHash]] as const) {
    if (typeof value !== 'string' || value.length !== spec.bytes * 2 || !hexPattern.test(value)) {
      throw new CertIdError(`${field} must be ${spec.bytes * 2} hex digits for ${d.hashAlgorithm}`);
    }
  }
  if (typeof d.serialNumber !== 'string' || d.serialNumber.length === 0 || d.serialNumber.length > 40 || !hexPattern.test(d.serialNumber)) {
    throw new CertIdError('serialNumber must be 1 to 40 hex digits');
  }
  const serialHex = d.serialNumber.toLowerCase().replace(/^0+/, '') || '0';
  return {
    hashAlgorithm: d.hashAlgorithm,
    issuerNameHash: Buffer.from(d.issuerNameHash, 'hex'),
    issuerKeyHash: Buffer.from(d.issuerKeyHash, 'hex'),
    serialHex,
  };
}
