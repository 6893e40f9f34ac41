// What the CSMS checks before it sends a certificate to a station in InstallCertificate: one PEM CERTIFICATE block
// within the schema's 5500 characters, a well-formed X.509 certificate, and a CA (every InstallCertificate type is a
// root: V2G, MO, CSMS, Manufacturer). Returns why not, or undefined.
import { CertificateParseError, parseCertificate } from '../../pki/certificate/certificate.js';
import { decodePem, PemError } from '../../pki/certificate/pem.js';
import { MAX_CERTIFICATE_PEM_CHARS } from './adminSchemas.js';

export function checkCertificatePem(pem: string): string | undefined {
  if (pem.length > MAX_CERTIFICATE_PEM_CHARS) return `certificate of ${pem.length} characters exceeds ${MAX_CERTIFICATE_PEM_CHARS}`;
  let blocks;
  try {
    blocks = decodePem(pem);
  } catch (e) {
    if (e instanceof PemError) return `not PEM: ${e.message}`;
    throw e;
  }
  if (blocks.length !== 1 || blocks[0]!.label !== 'CERTIFICATE') {
    return `expected one CERTIFICATE PEM block, found ${blocks.map((b) => b.label).join(', ') || 'none'}`;
  }
  try {
    const cert = parseCertificate(blocks[0]!.der);
    if (!cert.basicConstraints?.ca) return 'the certificate is not a CA certificate (InstallCertificate installs roots)';
  } catch (e) {
    if (e instanceof CertificateParseError) return e.message;
    throw e;
  }
  return undefined;
}
