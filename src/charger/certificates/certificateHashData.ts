// OCPP 2.0.1 CertificateHashDataType: how GetInstalledCertificateIds names a certificate and DeleteCertificate picks
// one. Same fields as an OCSP CertID (RFC 6960 §4.1.1): issuerNameHash over the DER of the issuer's name,
// issuerKeyHash over the issuer's subjectPublicKey bits, hashes as lowercase hex, and the serial as hex "without the
// prefix 0x and without leading zeroes" (errata text, as EVerest libevse-security writes it). The hash values are
// case-insensitive identifier strings, so matching folds case and leading zeros of what a CSMS sends.
import type { CertificateHashDataType, HashAlgorithmEnumType } from '../../ocpp/generated/ocpp201.js';
import type { Certificate } from '../../pki/certificate/certificate.js';
import { importPublicKey, verifyCertificateSignature } from '../../pki/certificate/signature.js';
import { certIdFor } from '../../pki/ocsp/certId.js';

export const HASH_ALGORITHMS: readonly HashAlgorithmEnumType[] = ['SHA256', 'SHA384', 'SHA512'];

/** Hash data of `cert`, whose issuer (itself for a root) is `issuer`. */
export function certificateHashData(cert: Certificate, issuer: Certificate, hashAlgorithm: HashAlgorithmEnumType = 'SHA256'): CertificateHashDataType {
  const id = certIdFor(cert, issuer, hashAlgorithm);
  return {
    hashAlgorithm,
    issuerNameHash: id.issuerNameHash.toString('hex'),
    issuerKeyHash: id.issuerKeyHash.toString('hex'),
    serialNumber: id.serialHex,
  };
}

const normalSerial = (s: string): string => s.toLowerCase().replace(/^0+/, '') || '0';

/** All four fields name `cert` (issued by `issuer`), computed with the hash algorithm the request uses. */
export function hashDataMatches(data: CertificateHashDataType, cert: Certificate, issuer: Certificate): boolean {
  if (!HASH_ALGORITHMS.includes(data.hashAlgorithm)) return false;
  const own = certificateHashData(cert, issuer, data.hashAlgorithm);
  return (
    data.issuerNameHash.toLowerCase() === own.issuerNameHash &&
    data.issuerKeyHash.toLowerCase() === own.issuerKeyHash &&
    normalSerial(data.serialNumber) === own.serialNumber
  );
}

function names(issuer: Certificate, child: Certificate): boolean {
  if (!issuer.subjectRaw.equals(child.issuerRaw) && issuer.subjectCanonical !== child.issuerCanonical) return false;
  const ski = issuer.subjectKeyId;
  const aki = child.authorityKeyId;
  return ski === undefined || aki === undefined || ski.equals(aki);
}

function signed(child: Certificate, issuer: Certificate): boolean {
  const key = importPublicKey(issuer);
  return 'key' in key && verifyCertificateSignature(child, key.key, issuer.publicKeyType).ok;
}

/**
 * The certificate that issued `cert`: itself when it is self-signed, otherwise the one of `pool` whose name and key
 * id fit and whose key verifies the signature (the issuerKeyHash must be of the real issuer). Undefined when none.
 */
export function findIssuer(cert: Certificate, pool: readonly Certificate[]): Certificate | undefined {
  if (names(cert, cert) && signed(cert, cert)) return cert;
  return pool.find((c) => c !== cert && names(c, cert) && signed(cert, c));
}
