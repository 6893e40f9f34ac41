// What `pnc pki show` prints about a certificate (and what the demo shows of chains).
import { keyUsageNames, type Certificate } from '../pki/certificate/certificate.js';
import { formatName } from '../pki/certificate/name.js';
import { fingerprint256 } from '../pki/certificate/fingerprint.js';
import { Oid } from '../pki/oids.js';

const purposeNames: Record<string, string> = {
  [Oid.kpServerAuth]: 'serverAuth',
  [Oid.kpClientAuth]: 'clientAuth',
  [Oid.kpOcspSigning]: 'OCSPSigning',
};

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly publicKey: string;
  readonly signatureAlgorithm: string;
  readonly bytes: number;
  readonly fingerprint256: string;
  readonly basicConstraints?: string;
  readonly keyUsage?: string;
  readonly extKeyUsage?: string;
  readonly subjectKeyId?: string;
  readonly authorityKeyId?: string;
  readonly ocspUrls: readonly string[];
  readonly domainComponents: readonly string[];
  readonly criticalExtensions: readonly string[];
}

export function summarize(c: Certificate): CertificateSummary {
  const bc = c.basicConstraints;
  return {
    subject: formatName(c.subject),
    issuer: formatName(c.issuer),
    serial: c.serialHex,
    notBefore: new Date(c.notBefore).toISOString(),
    notAfter: new Date(c.notAfter).toISOString(),
    publicKey: c.publicKeyType,
    signatureAlgorithm: c.signatureAlgorithm === 'unsupported' ? c.signatureAlgorithmOid : c.signatureAlgorithm,
    bytes: c.der.length,
    fingerprint256: fingerprint256(c.der),
    ...(bc ? { basicConstraints: `${bc.critical ? 'critical, ' : ''}CA:${bc.ca ? 'TRUE' : 'FALSE'}${bc.pathLen !== undefined ? `, pathLen:${bc.pathLen}` : ''}` } : {}),
    ...(c.keyUsage ? { keyUsage: `${c.keyUsage.critical ? 'critical, ' : ''}${keyUsageNames(c.keyUsage.bits).join(', ')}` } : {}),
    ...(c.extKeyUsage ? { extKeyUsage: c.extKeyUsage.map((p) => purposeNames[p] ?? p).join(', ') } : {}),
    ...(c.subjectKeyId ? { subjectKeyId: c.subjectKeyId.toString('hex') } : {}),
    ...(c.authorityKeyId ? { authorityKeyId: c.authorityKeyId.toString('hex') } : {}),
    ocspUrls: c.ocspUrls,
    domainComponents: c.subject.domainComponents,
    criticalExtensions: c.extensions.filter((e) => e.critical).map((e) => e.oid),
  };
}

export function formatSummary(s: CertificateSummary): string {
  const rows: [string, string | undefined][] = [
    ['subject', s.subject],
    ['issuer', s.issuer],
    ['serial', s.serial],
    ['validity', `${s.notBefore} → ${s.notAfter}`],
    ['key', s.publicKey],
    ['signature', s.signatureAlgorithm],
    ['size', `${s.bytes} bytes DER`],
    ['sha256', s.fingerprint256],
    ['basicConstraints', s.basicConstraints],
    ['keyUsage', s.keyUsage],
    ['extKeyUsage', s.extKeyUsage],
    ['subjectKeyId', s.subjectKeyId],
    ['authorityKeyId', s.authorityKeyId],
    ['OCSP', s.ocspUrls.join(' ') || undefined],
  ];
  return rows
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${k.padEnd(17)} ${v}`)
    .join('\n');
}
