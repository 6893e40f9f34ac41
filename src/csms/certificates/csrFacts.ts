// Reads the facts csrDecision judges out of SignCertificateRequest.csr: the parsed, self-signature-checked CSR (pki
// layer) or why it could not be read, its subject attributes and the CA-ness it asks for. Never throws on bad input.
import { CertificationRequestParseError, parseCertificationRequestPem, type CertificationRequest } from '../../pki/certificate/certificationRequest.js';
import { DerCursor, DerError, Tag, readBitString, readBoolean, readRoot } from '../../pki/der/derReader.js';
import { Oid } from '../../pki/oids.js';
import { MAX_CSR_PEM_CHARS, type CsrFacts, type CsrRequestedExtensions, type CsrSubjectFacts } from './csrDecision.js';

export interface ReadCsr {
  readonly facts: CsrFacts;
  /** Present when the CSR was read and its self-signature holds. */
  readonly csr?: CertificationRequest;
}

function subjectFacts(csr: CertificationRequest): CsrSubjectFacts {
  const pick = (oid: string): string[] => csr.subject.attributes.filter((a) => a.type === oid).map((a) => a.value);
  const known = new Set<string>([Oid.commonName, Oid.organizationName, Oid.countryName, Oid.domainComponent]);
  return {
    commonNames: pick(Oid.commonName),
    organizations: pick(Oid.organizationName),
    countries: pick(Oid.countryName),
    domainComponents: pick(Oid.domainComponent),
    otherAttributeTypes: [...new Set(csr.subject.attributes.filter((a) => !known.has(a.type)).map((a) => a.type))],
  };
}

// keyUsage bits in DER named-bit order: keyCertSign is bit 5, cRLSign bit 6 (RFC 5280 §4.2.1.3).
const KEY_CERT_SIGN = 0x80 >> 5;
const CRL_SIGN = 0x80 >> 6;

function requestedExtensions(csr: CertificationRequest): CsrRequestedExtensions {
  let ca = false;
  let certSign = false;
  try {
    for (const e of csr.extensions) {
      if (e.oid === Oid.basicConstraints) {
        const c = new DerCursor(e.value, readRoot(e.value, Tag.SEQUENCE, 'basicConstraints'));
        const flag = c.optional(Tag.BOOLEAN);
        if (flag && readBoolean(e.value, flag)) ca = true;
      } else if (e.oid === Oid.keyUsage) {
        const { bytes } = readBitString(e.value, readRoot(e.value, Tag.BIT_STRING, 'keyUsage'), true);
        if (((bytes[0] ?? 0) & (KEY_CERT_SIGN | CRL_SIGN)) !== 0) certSign = true;
      }
    }
  } catch (e) {
    if (e instanceof DerError) return { ca, certSign, unreadable: e.message };
    throw e;
  }
  return { ca, certSign };
}

export function readCsr(pem: string): ReadCsr {
  const pemChars = pem.length;
  // Larger than the schema allows: not even parsed (the decision refuses it on size).
  if (pemChars > MAX_CSR_PEM_CHARS) return { facts: { pemChars } };
  let csr: CertificationRequest;
  try {
    csr = parseCertificationRequestPem(pem);
  } catch (e) {
    if (e instanceof CertificationRequestParseError) return { facts: { pemChars, unreadable: { problem: e.problem, detail: e.message } } };
    throw e;
  }
  return {
    csr,
    facts: {
      pemChars,
      keyType: csr.publicKeyType,
      ...(csr.publicKeyType === 'RSA' ? { rsaBits: csr.publicKey.asymmetricKeyDetails?.modulusLength ?? 0 } : {}),
      subject: subjectFacts(csr), requested: requestedExtensions(csr),
    },
  };
}
