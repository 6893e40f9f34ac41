// Whether the CSMS signs a CSR a station sent in SignCertificateRequest (OCPP 2.0.1 A02/A03): a pure function of what
// was read from the CSR (csrFacts.ts) and the policy of the certificate type asked for. The answer carries the OCPP
// statusInfo the station gets with a Rejected.
//   - V2GCertificate: the SECC leaf of ISO 15118 — subject CN (ISO15118Ctrlr.SeccId), O, C and DC=CPO ([V2G2-925]:
//     an EV refuses a SECC leaf without it), a key of a suite the CPO Sub-CA 2 can sign for.
//   - ChargingStationCertificate: the station's TLS client certificate (security profile 3) — CN must be the
//     station's identity, since the CSMS matches the two at connect time.
// Neither may ask for a CA certificate (basicConstraints cA, keyCertSign, cRLSign).
import type { PublicKeyType } from '../../pki/certificate/certificate.js';
import type { CertificationRequestProblem } from '../../pki/certificate/certificationRequest.js';

/** SignCertificateRequest.csr maxLength in the official schema. */
export const MAX_CSR_PEM_CHARS = 5500;
/** Smallest RSA key certified (the OCPP security profiles ask for RSA keys of at least 2048 bits). */
export const MIN_RSA_BITS = 2048;
/** RFC 5280 Appendix A: ub-common-name and ub-organization-name. */
export const MAX_NAME_CHARS = 64;
/** The SECC leaf's domain component (ISO 15118-2 [V2G2-925], -20 the same). */
export const SECC_DOMAIN_COMPONENT = 'CPO';

export type SignedCertificateType = 'V2GCertificate' | 'ChargingStationCertificate';

/** The subject attributes of a CSR, every value of each (a name attribute given twice is itself a finding). */
export interface CsrSubjectFacts {
  readonly commonNames: readonly string[];
  readonly organizations: readonly string[];
  readonly countries: readonly string[];
  readonly domainComponents: readonly string[];
  /** OIDs of any other attribute types (OU, serialNumber…). */
  readonly otherAttributeTypes: readonly string[];
}

/** What the CSR asks for in its PKCS#9 extensionRequest. */
export interface CsrRequestedExtensions {
  /** basicConstraints cA TRUE. */
  readonly ca: boolean;
  /** keyUsage keyCertSign or cRLSign. */
  readonly certSign: boolean;
  /** A requested basicConstraints/keyUsage that could not be decoded. */
  readonly unreadable?: string;
}

export interface CsrFacts {
  /** Characters of SignCertificateRequest.csr. */
  readonly pemChars: number;
  /** Set when the CSR could not be read or its self-signature does not hold; nothing below is then known. */
  readonly unreadable?: { readonly problem: CertificationRequestProblem; readonly detail: string };
  readonly keyType?: PublicKeyType;
  /** Modulus size of an RSA key. */
  readonly rsaBits?: number;
  readonly subject?: CsrSubjectFacts;
  readonly requested?: CsrRequestedExtensions;
}

export interface CsrPolicy {
  readonly certificateType: SignedCertificateType;
  /** Keys the configured CA issues certificates for (V2G: one per CPO Sub-CA 2 suite). */
  readonly allowedKeyTypes: readonly PublicKeyType[];
  /** ChargingStationCertificate: the identity the station connected with; the CN must equal it. */
  readonly stationId?: string;
  readonly maxPemChars?: number;
}

export type CsrRejection =
  | 'size'
  | 'unreadable'
  | 'signature'
  | 'keyType'
  | 'subject'
  | 'commonName'
  | 'organization'
  | 'country'
  | 'domainComponent'
  | 'caRequested'
  | 'stationIdentity';

export type CsrDecision =
  | { readonly accepted: true }
  | {
      readonly accepted: false;
      readonly reason: CsrRejection;
      readonly detail: string;
      /** For SignCertificateResponse.statusInfo. */
      readonly statusInfo: { readonly reasonCode: string; readonly additionalInfo: string };
    };

const ALLOWED_ATTRIBUTES = 'C, O, CN and DC';

function reject(reason: CsrRejection, detail: string): CsrDecision {
  // statusInfo.reasonCode ≤ 20 characters, additionalInfo ≤ 512 (StatusInfoType).
  const reasonCode = reason === 'size' ? 'TooLargeElement' : 'InvalidCSR';
  const additionalInfo = detail.length <= 512 ? detail : `${detail.slice(0, 509)}...`;
  return { accepted: false, reason, detail, statusInfo: { reasonCode, additionalInfo } };
}

/** One value, 1–64 characters, no control characters; undefined when fine, else why not. */
function nameValueProblem(field: string, values: readonly string[]): string | undefined {
  if (values.length === 0) return `the subject has no ${field}`;
  if (values.length > 1) return `the subject has ${values.length} ${field} attributes`;
  const v = values[0]!;
  if (v.trim().length === 0) return `${field} is empty`;
  if ([...v].length > MAX_NAME_CHARS) return `${field} has ${[...v].length} characters, at most ${MAX_NAME_CHARS} are allowed`;
  if (/\p{Cc}/u.test(v)) return `${field} contains control characters`;
  return undefined;
}

export function decideCsr(facts: CsrFacts, policy: CsrPolicy): CsrDecision {
  const max = policy.maxPemChars ?? MAX_CSR_PEM_CHARS;
  if (facts.pemChars > max) return reject('size', `CSR of ${facts.pemChars} characters exceeds ${max}`);
  if (facts.unreadable) {
    return reject(facts.unreadable.problem === 'badSignature' ? 'signature' : 'unreadable', facts.unreadable.detail);
  }
  const { keyType, subject, requested } = facts;
  if (!keyType || !subject || !requested) return reject('unreadable', 'the CSR was not read');

  if (!policy.allowedKeyTypes.includes(keyType)) {
    const allowed = policy.allowedKeyTypes.length ? policy.allowedKeyTypes.join(', ') : 'none (no CA configured)';
    return reject('keyType', `a ${keyType} key cannot be certified for ${policy.certificateType} (allowed: ${allowed})`);
  }
  if (keyType === 'RSA' && (facts.rsaBits ?? 0) < MIN_RSA_BITS) {
    return reject('keyType', `an RSA key of ${facts.rsaBits ?? '?'} bits is too small (at least ${MIN_RSA_BITS})`);
  }
  if (subject.otherAttributeTypes.length) {
    return reject('subject', `the subject may only hold ${ALLOWED_ATTRIBUTES}, not ${subject.otherAttributeTypes.join(', ')}`);
  }
  const cn = nameValueProblem('CN', subject.commonNames);
  if (cn) return reject('commonName', cn);
  const o = nameValueProblem('O', subject.organizations);
  if (o) return reject('organization', o);
  if (subject.countries.length !== 1 || !/^[A-Z]{2}$/.test(subject.countries[0]!)) {
    const shown = subject.countries.length ? subject.countries.map((c) => `"${c.slice(0, 8)}"`).join(', ') : 'none';
    return reject('country', `C must be one ISO 3166-1 alpha-2 code (two capital letters), got ${shown}`);
  }
  const dcs = subject.domainComponents;
  if (dcs.length > 1) return reject('domainComponent', `the subject has ${dcs.length} DC attributes`);
  if (policy.certificateType === 'V2GCertificate' && dcs[0] !== SECC_DOMAIN_COMPONENT) {
    return reject('domainComponent', `a V2G (SECC) certificate needs DC=${SECC_DOMAIN_COMPONENT}, the CSR has ${dcs.length ? `DC=${dcs[0]!.slice(0, 16)}` : 'no DC'}`);
  }
  if (requested.unreadable) return reject('unreadable', `requested extensions: ${requested.unreadable}`);
  if (requested.ca || requested.certSign) {
    return reject('caRequested', `the CSR asks for a CA certificate (${requested.ca ? 'basicConstraints cA' : 'keyCertSign/cRLSign'}); only end-entity certificates are issued`);
  }
  if (policy.certificateType === 'ChargingStationCertificate') {
    if (policy.stationId === undefined || subject.commonNames[0] !== policy.stationId) {
      return reject('stationIdentity', `the CN of a charging station certificate must be the station's identity${policy.stationId !== undefined ? ` ${policy.stationId}` : ''}`);
    }
  }
  return { accepted: true };
}
