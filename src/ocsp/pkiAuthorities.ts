// The CAs this responder speaks for, read from a test PKI directory: each CA with its delegated OCSP signer.
import { parseCertificate } from '../pki/certificate/certificate.js';
import type { PkiDirectory } from '../pki/generator/pkiDirectory.js';
import type { OcspAuthority } from '../pki/ocsp/ocspResponderCore.js';

export function authoritiesFromPki(pki: PkiDirectory, passphrase: string): OcspAuthority[] {
  const out: OcspAuthority[] = [];
  for (const signer of pki.entries((e) => e.kind === 'ocsp-signer')) {
    out.push({
      id: signer.issuerId,
      ca: parseCertificate(pki.der(signer.issuerId)),
      signer: { cert: parseCertificate(pki.der(signer.id)), key: pki.privateKey(signer.id, passphrase) },
    });
  }
  return out;
}
