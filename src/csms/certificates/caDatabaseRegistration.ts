// Tells the OCSP responder of a test PKI directory about a SECC certificate the CSMS issued: without an entry in
// ca-database.json the responder answers "unknown" (RFC 6960 §2.2) for it, and the charger has nothing good to staple.
// recordIssuedInPki holds the directory's lock (the one `pnc pki` commands use), so that a concurrent `pnc pki revoke`
// is not lost; the file is replaced by rename, which the responder notices.
import { formatName } from '../../pki/certificate/name.js';
import { recordIssuedInPki } from '../../pki/generator/pkiDirectory.js';
import type { IssuedSeccCertificate } from './v2gCertificateSigner.js';

export class CaDatabaseRegistrationError extends Error {
  override readonly name = 'CaDatabaseRegistrationError';
}

/** An onIssued hook that records each issued SECC certificate as "valid" in `pkiDir`'s CA database. */
export function caDatabaseRegistrar(pkiDir: string): (issued: IssuedSeccCertificate) => Promise<void> {
  return (issued) => {
    const issuerId = issued.issuer.manifestId;
    if (!issuerId) return Promise.reject(new CaDatabaseRegistrationError(`the ${issued.suite} CA was not loaded from a PKI directory: no CA database to record in`));
    try {
      recordIssuedInPki(pkiDir, [
        {
          id: `${issued.suite}/secc-issued/${issued.serialHex}`,
          issuerId,
          serialHex: issued.serialHex,
          subject: formatName(issued.cert.subject),
          notAfter: new Date(issued.cert.notAfter).toISOString(),
          status: 'valid',
        },
      ]);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return Promise.resolve();
  };
}
