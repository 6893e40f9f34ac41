// RFC 6960 §4.1 OCSPRequest and §4.2 OCSPResponse / BasicOCSPResponse in DER, both directions.
import {
  DerCursor,
  DerError,
  Tag,
  content,
  contextTag,
  readBitString,
  readOid,
  readRoot,
  readSmallInteger,
  readTime,
  readTlv,
  whole,
  type Tlv,
} from '../der/derReader.js';
import * as der from '../der/derWriter.js';
import { Oid } from '../oids.js';
import { readExtensions, type Extension } from '../certificate/extensions.js';
import { encodeCertId, parseCertId, type CertId, type ParsedCertId } from './certId.js';

/** RFC 6960 §4.2.1 OCSPResponseStatus. */
export const OcspResponseStatus = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;
export type OcspResponseStatusName = keyof typeof OcspResponseStatus;
const statusNames = new Map(Object.entries(OcspResponseStatus).map(([k, v]) => [v, k as OcspResponseStatusName]));

/** RFC 5280 §5.3.1 CRLReason (value 7 is not used). */
export const CRL_REASON_CODES = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type CrlReason = keyof typeof CRL_REASON_CODES;
export const CRL_REASONS = Object.keys(CRL_REASON_CODES) as CrlReason[];
const reasonByCode = new Map(Object.entries(CRL_REASON_CODES).map(([k, v]) => [v as number, k as CrlReason]));

/** RFC 8954 §2.1: a nonce is 1 to 32 octets. */
export const MAX_NONCE_BYTES = 32;

export class OcspFormatError extends Error {
  override readonly name = 'OcspFormatError';
}

function wrap<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DerError) throw new OcspFormatError(`malformed ${what}: ${e.message}`);
    throw e;
  }
}

// ---------------------------------------------------------------- request

export interface OcspRequest {
  readonly certIds: readonly ParsedCertId[];
  readonly nonce?: Buffer;
  /** The request carried an optionalSignature (we never require one). */
  readonly signed: boolean;
}

function nonceExtension(nonce: Buffer): Buffer {
  // extnValue holds the DER of Nonce ::= OCTET STRING.
  return der.sequence(der.oid(Oid.ocspNonce), der.octetString(der.octetString(nonce)));
}

export function encodeOcspRequest(certIds: readonly CertId[], nonce?: Buffer): Buffer {
  const requests = certIds.map((id) => der.sequence(encodeCertId(id)));
  const parts = [der.sequence(...requests)];
  if (nonce) parts.push(der.explicit(2, der.sequence(nonceExtension(nonce))));
  return der.sequence(der.sequence(...parts));
}

function readNonce(ext: Extension): Buffer {
  const root = readRoot(ext.value, Tag.OCTET_STRING, 'Nonce');
  return content(ext.value, root);
}

/** Parses a DER OCSPRequest. Limits: at most `maxCertIds` requests; unknown critical extensions refused. */
export function parseOcspRequest(bytes: Buffer, maxCertIds = 32): OcspRequest {
  return wrap('OCSPRequest', () => {
    const root = readRoot(bytes, Tag.SEQUENCE, 'OCSPRequest');
    const top = new DerCursor(bytes, root);
    const tbs = new DerCursor(bytes, top.next('tbsRequest', Tag.SEQUENCE));
    const signed = top.optional(contextTag(0, true)) !== undefined;
    top.finish('OCSPRequest');
    const version = tbs.optional(contextTag(0, true));
    if (version && readSmallInteger(bytes, explicitInner(bytes, version, 'version')) !== 0) {
      throw new DerError('unsupported OCSPRequest version', version.start);
    }
    tbs.optional(contextTag(1, true)); // requestorName
    const list = new DerCursor(bytes, tbs.next('requestList', Tag.SEQUENCE));
    const certIds: ParsedCertId[] = [];
    while (!list.done) {
      if (certIds.length >= maxCertIds) throw new DerError(`more than ${maxCertIds} certificates in one request`, 0);
      const req = new DerCursor(bytes, list.next('Request', Tag.SEQUENCE));
      certIds.push(parseCertId(bytes, req.next('reqCert', Tag.SEQUENCE)));
      const single = req.optional(contextTag(0, true));
      if (single) {
        for (const e of readExtensions(bytes, single)) if (e.critical) throw new DerError(`unsupported critical request extension ${e.oid}`, single.start);
      }
      req.finish('Request');
    }
    if (certIds.length === 0) throw new DerError('empty requestList', 0);
    let nonce: Buffer | undefined;
    const exts = tbs.optional(contextTag(2, true));
    if (exts) {
      for (const e of readExtensions(bytes, exts)) {
        if (e.oid === Oid.ocspNonce) nonce = readNonce(e);
        else if (e.critical) throw new DerError(`unsupported critical request extension ${e.oid}`, exts.start);
      }
    }
    tbs.finish('TBSRequest');
    return { certIds, signed, ...(nonce ? { nonce } : {}) };
  });
}

// ---------------------------------------------------------------- response

export type SingleStatus =
  | { readonly status: 'good' }
  | { readonly status: 'revoked'; readonly revokedAt: number; readonly reason?: CrlReason }
  | { readonly status: 'unknown' };

export interface SingleResponse {
  readonly certId: ParsedCertId;
  readonly status: SingleStatus;
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
}

export interface BasicOcspResponse {
  /** DER of tbsResponseData: the signed bytes. */
  readonly tbsResponseData: Buffer;
  readonly responderId: { readonly byKey: Buffer } | { readonly byName: Buffer };
  readonly producedAt: number;
  readonly responses: readonly SingleResponse[];
  readonly nonce?: Buffer;
  readonly signatureAlgorithmOid: string;
  readonly signature: Buffer;
  /** DER of the certificates the responder included (usually its delegated signing certificate). */
  readonly certs: readonly Buffer[];
}

export type OcspResponse =
  | { readonly status: 'successful'; readonly basic: BasicOcspResponse }
  | { readonly status: Exclude<OcspResponseStatusName, 'successful'> };

/** An OCSPResponse with an error status and no responseBytes. */
export function encodeOcspError(status: Exclude<OcspResponseStatusName, 'successful'>): Buffer {
  return der.sequence(der.enumerated(OcspResponseStatus[status]));
}

function encodeSingleStatus(s: SingleStatus): Buffer {
  if (s.status === 'good') return Buffer.from([0x80, 0x00]);
  if (s.status === 'unknown') return Buffer.from([0x82, 0x00]);
  const parts = [der.generalizedTime(s.revokedAt)];
  if (s.reason !== undefined) parts.push(der.explicit(0, der.enumerated(CRL_REASON_CODES[s.reason])));
  return der.implicitConstructed(1, ...parts);
}

export interface SingleResponseSpec {
  /** CertID bytes to echo (the request's own encoding) or a CertID to encode. */
  readonly certId: Buffer | CertId;
  readonly status: SingleStatus;
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
}

export function encodeSingleResponse(s: SingleResponseSpec): Buffer {
  return der.sequence(
    Buffer.isBuffer(s.certId) ? s.certId : encodeCertId(s.certId),
    encodeSingleStatus(s.status),
    der.generalizedTime(s.thisUpdate),
    ...(s.nextUpdate !== undefined ? [der.explicit(0, der.generalizedTime(s.nextUpdate))] : []),
  );
}

/** tbsResponseData with ResponderID byKey (SHA-1 of the signer's public key bits, RFC 6960 §4.2.2.3). */
export function encodeResponseData(responderKeyHash: Buffer, producedAt: number, singles: readonly Buffer[], nonce?: Buffer): Buffer {
  return der.sequence(
    der.explicit(2, der.octetString(responderKeyHash)),
    der.generalizedTime(producedAt),
    der.sequence(...singles),
    ...(nonce ? [der.explicit(1, der.sequence(nonceExtension(nonce)))] : []),
  );
}

/** Wraps signed ResponseData into a successful OCSPResponse. `signatureAlgorithm` is the AlgorithmIdentifier DER. */
export function encodeBasicResponse(tbsResponseData: Buffer, signatureAlgorithm: Buffer, signature: Buffer, certs: readonly Buffer[]): Buffer {
  const basic = der.sequence(
    tbsResponseData,
    signatureAlgorithm,
    der.bitString(signature),
    ...(certs.length ? [der.explicit(0, der.sequence(...certs))] : []),
  );
  return der.sequence(
    der.enumerated(OcspResponseStatus.successful),
    der.explicit(0, der.sequence(der.oid(Oid.ocspBasic), der.octetString(basic))),
  );
}

function parseSingleStatus(buf: Buffer, tlv: Tlv): SingleStatus {
  if (tlv.tag === contextTag(0, false)) {
    if (tlv.end !== tlv.contentStart) throw new DerError('good status must be NULL', tlv.start);
    return { status: 'good' };
  }
  if (tlv.tag === contextTag(2, false)) {
    if (tlv.end !== tlv.contentStart) throw new DerError('unknown status must be NULL', tlv.start);
    return { status: 'unknown' };
  }
  if (tlv.tag === contextTag(1, true)) {
    const c = new DerCursor(buf, tlv);
    const revokedAt = readTime(buf, c.next('revocationTime', Tag.GENERALIZED_TIME));
    const reasonWrapper = c.optional(contextTag(0, true));
    c.finish('RevokedInfo');
    if (!reasonWrapper) return { status: 'revoked', revokedAt };
    const code = readSmallInteger(buf, explicitInner(buf, reasonWrapper, 'revocationReason'), Tag.ENUMERATED);
    const reason = reasonByCode.get(code);
    if (!reason) throw new DerError(`CRLReason ${code} is not a valid reason`, reasonWrapper.start);
    return { status: 'revoked', revokedAt, reason };
  }
  throw new DerError(`unknown CertStatus tag 0x${tlv.tag.toString(16)}`, tlv.start);
}

function explicitInner(buf: Buffer, wrapper: Tlv, what: string): Tlv {
  const inner = readTlv(buf, wrapper.contentStart, wrapper.end);
  if (inner.end !== wrapper.end) throw new DerError(`${what}: extra data`, inner.end);
  return inner;
}

export function parseOcspResponse(bytes: Buffer): OcspResponse {
  return wrap('OCSPResponse', () => {
    const root = readRoot(bytes, Tag.SEQUENCE, 'OCSPResponse');
    const top = new DerCursor(bytes, root);
    const code = readSmallInteger(bytes, top.next('responseStatus', Tag.ENUMERATED), Tag.ENUMERATED);
    const status = statusNames.get(code as 0);
    if (!status) throw new DerError(`unknown OCSPResponseStatus ${code}`, root.start);
    const rb = top.optional(contextTag(0, true));
    top.finish('OCSPResponse');
    if (status !== 'successful') return { status };
    if (!rb) throw new DerError('successful response without responseBytes', root.start);
    const rbSeq = new DerCursor(bytes, explicitInner(bytes, rb, 'responseBytes'));
    const type = readOid(bytes, rbSeq.next('responseType', Tag.OID));
    const body = content(bytes, rbSeq.next('response', Tag.OCTET_STRING));
    rbSeq.finish('ResponseBytes');
    if (type !== Oid.ocspBasic) throw new DerError(`unsupported responseType ${type}`, rb.start);
    return { status, basic: parseBasic(body) };
  });
}

function parseBasic(buf: Buffer): BasicOcspResponse {
  const root = readRoot(buf, Tag.SEQUENCE, 'BasicOCSPResponse');
  const top = new DerCursor(buf, root);
  const tbsTlv = top.next('tbsResponseData', Tag.SEQUENCE);
  const algSeq = new DerCursor(buf, top.next('signatureAlgorithm', Tag.SEQUENCE));
  const signatureAlgorithmOid = readOid(buf, algSeq.next('algorithm', Tag.OID));
  algSeq.optional(Tag.NULL); // RSA writes NULL parameters; ECDSA and EdDSA none
  algSeq.finish('signatureAlgorithm');
  const signature = readBitString(buf, top.next('signature', Tag.BIT_STRING)).bytes;
  const certsWrapper = top.optional(contextTag(0, true));
  top.finish('BasicOCSPResponse');
  const certs: Buffer[] = [];
  if (certsWrapper) {
    const list = new DerCursor(buf, explicitInner(buf, certsWrapper, 'certs'));
    while (!list.done) certs.push(whole(buf, list.next('Certificate', Tag.SEQUENCE)));
  }

  const t = new DerCursor(buf, tbsTlv);
  const version = t.optional(contextTag(0, true));
  if (version && readSmallInteger(buf, explicitInner(buf, version, 'version')) !== 0) throw new DerError('unsupported ResponseData version', version.start);
  const rid = t.next('responderID');
  let responderId: BasicOcspResponse['responderId'];
  if (rid.tag === contextTag(1, true)) responderId = { byName: whole(buf, explicitInner(buf, rid, 'byName')) };
  else if (rid.tag === contextTag(2, true)) responderId = { byKey: content(buf, explicitInner(buf, rid, 'byKey')) };
  else throw new DerError('responderID is neither byName nor byKey', rid.start);
  const producedAt = readTime(buf, t.next('producedAt', Tag.GENERALIZED_TIME));
  const list = new DerCursor(buf, t.next('responses', Tag.SEQUENCE));
  const responses: SingleResponse[] = [];
  while (!list.done) {
    const s = new DerCursor(buf, list.next('SingleResponse', Tag.SEQUENCE));
    const certId = parseCertId(buf, s.next('certID', Tag.SEQUENCE));
    const status = parseSingleStatus(buf, s.next('certStatus'));
    const thisUpdate = readTime(buf, s.next('thisUpdate', Tag.GENERALIZED_TIME));
    const nu = s.optional(contextTag(0, true));
    const singleExts = s.optional(contextTag(1, true));
    s.finish('SingleResponse');
    if (singleExts) {
      for (const e of readExtensions(buf, singleExts)) if (e.critical) throw new DerError(`unsupported critical single extension ${e.oid}`, singleExts.start);
    }
    const nextUpdate = nu ? readTime(buf, explicitInner(buf, nu, 'nextUpdate')) : undefined;
    responses.push({ certId, status, thisUpdate, ...(nextUpdate !== undefined ? { nextUpdate } : {}) });
  }
  let nonce: Buffer | undefined;
  const exts = t.optional(contextTag(1, true));
  if (exts) {
    for (const e of readExtensions(buf, exts)) {
      if (e.oid === Oid.ocspNonce) nonce = readNonce(e);
      else if (e.critical) throw new DerError(`unsupported critical response extension ${e.oid}`, exts.start);
    }
  }
  t.finish('ResponseData');
  return {
    tbsResponseData: whole(buf, tbsTlv),
    responderId,
    producedAt,
    responses,
    signatureAlgorithmOid,
    signature,
    certs,
    ...(nonce ? { nonce } : {}),
  };
}
