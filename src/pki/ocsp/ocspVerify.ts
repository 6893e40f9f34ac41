// Client-side checks of an OCSP response (RFC 6960 §3.2, §4.2.2.2): who signed it, that the signature holds, that it
// answers the CertIDs asked, that it is fresh, and that the nonce came back.
import { createHash } from 'node:crypto';
import { CertificateParseError, hasKeyUsage, parseCertificate, type Certificate } from '../certificate/certificate.js';
import { importPublicKey, verifyCertificateSignature, verifySignedData } from '../certificate/signature.js';
import { signatureAlgorithmFromOid } from '../certificate/signatureAlgorithms.js';
import { Oid } from '../oids.js';
import { sameCertId, type CertId } from './certId.js';
import { OcspError } from './ocspError.js';
import { OcspFormatError, parseOcspResponse, type BasicOcspResponse, type SingleStatus } from './ocspMessages.js';

export interface OcspVerifyOptions {
  /** The CertIDs asked for, each with the certificate of its issuing CA. */
  readonly requests: readonly { readonly certId: CertId; readonly issuer: Certificate }[];
  readonly now: number;
  /** The nonce sent. A response that carries a nonce must carry this one. */
  readonly nonce?: Buffer;
  /** Refuse a response without the nonce (default true when a nonce was sent). Many production responders answer
   *  from pre-produced responses without nonces (RFC 5019); freshness then rests on thisUpdate/nextUpdate. */
  readonly requireNonce?: boolean;
  /** Tolerated clock difference for thisUpdate/nextUpdate (ms). */
  readonly clockSkewMs?: number;
  /** Maximum age of a response that has no nextUpdate (ms). */
  readonly maxAgeWithoutNextUpdateMs?: number;
}

export interface OcspCertificateResult {
  readonly certId: CertId;
  readonly status: SingleStatus;
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
}

export interface VerifiedOcspResponse {
  readonly results: readonly OcspCertificateResult[];
  readonly producedAt: number;
  /** "issuer" when the CA signed itself, else the delegated signer's subject CN. */
  readonly signedBy: string;
}

const DEFAULT_SKEW = 5 * 60_000;
const DEFAULT_MAX_AGE = 24 * 3_600_000;

function keyHash(cert: Certificate): Buffer {
  return createHash('sha1').update(cert.publicKeyBits).digest();
}

function matchesResponderId(cert: Certificate, id: BasicOcspResponse['responderId']): boolean {
  return 'byKey' in id ? keyHash(cert).equals(id.byKey) : cert.subjectRaw.equals(id.byName);
}

/**
 * The certificate whose key signed the response, authorised for `issuer` (RFC 6960 §4.2.2.2): the CA itself, or a
 * certificate from the response issued directly by that CA with id-kp-OCSPSigning, valid now.
 */
function findSigner(basic: BasicOcspResponse, issuer: Certificate, now: number): { cert: Certificate; delegated: boolean } {
  if (matchesResponderId(issuer, basic.responderId)) return { cert: issuer, delegated: false };
  const reasons: string[] = [];
  for (const der of basic.certs) {
    let c: Certificate;
    try {
      c = parseCertificate(der);
    } catch (e) {
      if (!(e instanceof CertificateParseError)) throw e;
      reasons.push(e.message);
      continue;
    }
    if (!matchesResponderId(c, basic.responderId)) continue;
    if (c.publicKeyType === 'unsupported') reasons.push('signer certificate has an unsupported key');
    else if (!c.issuerRaw.equals(issuer.subjectRaw)) reasons.push('signer certificate not issued by the CA of the certificate');
    else if (!c.extKeyUsage?.includes(Oid.kpOcspSigning)) reasons.push('signer certificate lacks id-kp-OCSPSigning');
    else if (c.keyUsage && !hasKeyUsage(c, 'digitalSignature')) reasons.push('signer certificate keyUsage lacks digitalSignature');
    else if (now < c.notBefore || now > c.notAfter) reasons.push('signer certificate is outside its validity period');
    else {
      const issuerKey = importPublicKey(issuer);
      if ('problem' in issuerKey) throw new OcspError('unauthorized-signer', `the CA's ${issuerKey.problem}`);
      const sig = verifyCertificateSignature(c, issuerKey.key, issuer.publicKeyType);
      if (sig.ok) return { cert: c, delegated: true };
      reasons.push(`signer certificate: ${sig.reason}`);
    }
  }
  throw new OcspError('unauthorized-signer', `response not signed by the CA or an authorised responder${reasons.length ? `: ${reasons.join('; ')}` : ''}`);
}

export function verifyOcspResponse(bytes: Buffer, options: OcspVerifyOptions): VerifiedOcspResponse {
  let parsed;
  try {
    parsed = parseOcspResponse(bytes);
  } catch (e) {
    if (e instanceof OcspFormatError) throw new OcspError('malformed', e.message);
    throw e;
  }
  if (parsed.status !== 'successful') throw new OcspError('responder-status', `responder answered ${parsed.status}`);
  const basic = parsed.basic;
  const skew = options.clockSkewMs ?? DEFAULT_SKEW;
  const maxAge = options.maxAgeWithoutNextUpdateMs ?? DEFAULT_MAX_AGE;
  const now = options.now;

  if (options.nonce) {
    if (basic.nonce ? !basic.nonce.equals(options.nonce) : options.requireNonce !== false) {
      throw new OcspError('nonce-mismatch', basic.nonce ? 'response nonce differs from the request nonce' : 'response carries no nonce');
    }
  }
  const algorithm = signatureAlgorithmFromOid(basic.signatureAlgorithmOid);
  if (algorithm === 'unsupported') throw new OcspError('bad-signature', `unsupported signature algorithm ${basic.signatureAlgorithmOid}`);

  const results: OcspCertificateResult[] = [];
  const verifiedSigners = new Set<Certificate>();
  let signedBy = '';
  for (const { certId, issuer } of options.requests) {
    const single = basic.responses.find((r) => sameCertId(r.certId, certId));
    if (!single) throw new OcspError('certid-mismatch', `response does not answer serial ${certId.serialHex}`);
    // Each answered certificate may have a different issuer; the signer must be authorised for each.
    const signer = findSigner(basic, issuer, now);
    if (!verifiedSigners.has(signer.cert)) {
      const signerKey = importPublicKey(signer.cert);
      if ('problem' in signerKey) throw new OcspError('bad-signature', `signer's ${signerKey.problem}`);
      const check = verifySignedData(algorithm, basic.tbsResponseData, basic.signature, signerKey.key, signer.cert.publicKeyType);
      if (!check.ok) throw new OcspError('bad-signature', `response ${check.reason}`);
      verifiedSigners.add(signer.cert);
    }
    signedBy = signer.delegated ? (signer.cert.subject.commonName ?? 'delegated responder') : 'issuer';
    if (single.thisUpdate > now + skew) throw new OcspError('not-yet-valid', 'thisUpdate lies in the future');
    if (single.nextUpdate !== undefined ? single.nextUpdate < now - skew : single.thisUpdate < now - maxAge) {
      throw new OcspError('stale', 'response is past its nextUpdate');
    }
    results.push({ certId, status: single.status, thisUpdate: single.thisUpdate, ...(single.nextUpdate !== undefined ? { nextUpdate: single.nextUpdate } : {}) });
  }
  return { results, producedAt: basic.producedAt, signedBy };
}
