// Finding a certificate among a station's GetInstalledCertificateIds answer, to delete it (OCPP 2.0.1 M04). The CSMS
// computes the CertificateHashData itself with the hash algorithm the station reported for each entry (M04.FR.07),
// compares hashes case-insensitively and serials without leading zeros, and sends back the station's own entry.
import type { CertificateHashDataChainType, CertificateHashDataType, HashAlgorithmEnumType } from '../../ocpp/generated/ocpp201.js';
import type { Certificate } from '../../pki/certificate/certificate.js';
import { certIdFor } from '../../pki/ocsp/certId.js';

/** CertificateHashData of `cert` issued by `issuer` (itself for a root): hex hashes, hex serial without leading zeros. */
export function certificateHashDataOf(cert: Certificate, issuer: Certificate, hashAlgorithm: HashAlgorithmEnumType): CertificateHashDataType {
  const id = certIdFor(cert, issuer, hashAlgorithm);
  return { hashAlgorithm, issuerNameHash: id.issuerNameHash.toString('hex'), issuerKeyHash: id.issuerKeyHash.toString('hex'), serialNumber: id.serialHex };
}

const serial = (s: string): string => s.toLowerCase().replace(/^0+(?=.)/, '');

export function hashDataEqual(a: CertificateHashDataType, b: CertificateHashDataType): boolean {
  return (
    a.hashAlgorithm === b.hashAlgorithm &&
    a.issuerNameHash.toLowerCase() === b.issuerNameHash.toLowerCase() &&
    a.issuerKeyHash.toLowerCase() === b.issuerKeyHash.toLowerCase() &&
    serial(a.serialNumber) === serial(b.serialNumber)
  );
}

export interface InstalledMatch {
  /** The station's own entry, to send in DeleteCertificateRequest. */
  readonly hashData: CertificateHashDataType;
  readonly certificateType: CertificateHashDataChainType['certificateType'];
  /** True when it is a child (sub-CA) of a V2GCertificateChain entry. */
  readonly child: boolean;
}

/** The entry (or child entry) of `installed` that names `cert`, each computed with that entry's own hash algorithm. */
export function findInstalled(installed: readonly CertificateHashDataChainType[], cert: Certificate, issuer: Certificate): InstalledMatch | undefined {
  for (const chain of installed) {
    const entries = [{ data: chain.certificateHashData, child: false }, ...(chain.childCertificateHashData ?? []).map((data) => ({ data, child: true }))];
    for (const { data, child } of entries) {
      if (!(['SHA256', 'SHA384', 'SHA512'] as const).includes(data.hashAlgorithm)) continue;
      if (hashDataEqual(data, certificateHashDataOf(cert, issuer, data.hashAlgorithm))) return { hashData: data, certificateType: chain.certificateType, child };
    }
  }
  return undefined;
}
