// The ISO 15118 test PKI in memory: V2G/CPO, MO, OEM, vehicle (-20) and CPS hierarchies per protocol suite, plus a
// delegated OCSP signer for every issuing CA. Profiles follow reference notes iso15118-stacks §1.5, §3.3, §4.3, §4.6.
import type { SignatureAlgorithm } from '../certificate/certificate.js';
import { parseCertificate, type Certificate, type KeyUsageName } from '../certificate/certificate.js';
import { computeCheckDigit, emaidWithCheckDigit, parseEmaid } from '../emaid/emaid.js';
import { Oid } from '../oids.js';
import type { Protocol } from '../profile/protocolProfile.js';
import type { CertificateRole } from '../profile/roleProfile.js';
import { buildCertificate, ext, keyIdentifier, randomSerial, type ExtensionSpec, type NameSpec } from './certificateBuilder.js';
import { isIsoCountryCode } from './countryCodes.js';
import { generateKeyPair, type KeyPair, type KeyType } from './keys.js';

export type Suite = 'iso2' | 'iso20-p521' | 'iso20-ed448';

export interface SuiteProfile {
  readonly suite: Suite;
  readonly protocol: Protocol;
  readonly keyType: KeyType;
  readonly signatureAlgorithm: SignatureAlgorithm;
}

export const SUITES: Readonly<Record<Suite, SuiteProfile>> = {
  iso2: { suite: 'iso2', protocol: 'iso2', keyType: 'P-256', signatureAlgorithm: 'ecdsa-with-SHA256' },
  'iso20-p521': { suite: 'iso20-p521', protocol: 'iso20', keyType: 'P-521', signatureAlgorithm: 'ecdsa-with-SHA512' },
  'iso20-ed448': { suite: 'iso20-ed448', protocol: 'iso20', keyType: 'Ed448', signatureAlgorithm: 'Ed448' },
};

export function suitesFor(protocol: Protocol | 'both'): Suite[] {
  if (protocol === 'iso2') return ['iso2'];
  if (protocol === 'iso20') return ['iso20-p521', 'iso20-ed448'];
  return ['iso2', 'iso20-p521', 'iso20-ed448'];
}

export type EntityName =
  | 'v2g-root'
  | 'cpo-sub1'
  | 'cpo-sub2'
  | 'secc'
  | 'mo-root'
  | 'mo-sub1'
  | 'mo-sub2'
  | 'contract'
  | 'oem-root'
  | 'oem-sub1'
  | 'oem-sub2'
  | 'oem-prov'
  | 'vehicle-sub1'
  | 'vehicle-sub2'
  | 'vehicle'
  | 'cps-sub1'
  | 'cps-sub2'
  | 'cps';

export type CertificateKind = 'root' | 'sub-ca' | 'leaf' | 'ocsp-signer';

export interface IssuedCertificate {
  /** `<suite>/<name>`, e.g. `iso2/cpo-sub2`, `iso2/contract/DEPNCC000000016`, `iso2/cpo-sub2-ocsp`. */
  readonly id: string;
  readonly suite: Suite;
  readonly name: string;
  readonly kind: CertificateKind;
  readonly role?: CertificateRole;
  readonly issuerId: string;
  readonly der: Buffer;
  readonly cert: Certificate;
  readonly key: KeyPair;
}

export interface TestPkiOptions {
  readonly suites: readonly Suite[];
  /** Written into the AIA of every non-root certificate. */
  readonly ocspUrl: string;
  readonly now: number;
  readonly country: string;
  readonly seccId: string;
  readonly emaid: string;
}

export const DEFAULT_TEST_PKI = {
  country: 'DE',
  seccId: 'DE*PNC*E00001*1',
  emaid: `DEPNCC00000001${computeCheckDigit('DEPNCC00000001')}`,
  ocspUrl: 'http://127.0.0.1:2560/ocsp',
} as const;

const DAY = 86_400_000;
/** Backdate notBefore so that peers with a slightly late clock accept new certificates. */
const BACKDATE = 3_600_000;

interface Template {
  readonly name: EntityName;
  readonly issuer: EntityName | 'self';
  readonly kind: 'root' | 'sub-ca' | 'leaf';
  readonly pathLen?: number;
  readonly dc: string;
  readonly org: string;
  readonly cn: (o: TestPkiOptions) => string;
  readonly days: number;
  readonly role?: CertificateRole;
  readonly onlyIso20?: boolean;
}

// Validity (days) as the public test PKIs use them (notes §3.3): roots 10 y, Sub-CA1 4 y, CPO Sub-CA2 1 y, SECC 60 d,
// contract 2 y, CPS leaf 90 d. CPO Sub-CAs carry DC=V2G as in all three public test PKIs (notes §4.6).
const TEMPLATES: readonly Template[] = [
  { name: 'v2g-root', issuer: 'self', kind: 'root', dc: 'V2G', org: 'pnc-stack V2G', cn: () => 'pnc-stack V2G Root CA', days: 3650 },
  { name: 'cpo-sub1', issuer: 'v2g-root', kind: 'sub-ca', pathLen: 1, dc: 'V2G', org: 'pnc-stack CPO', cn: () => 'pnc-stack CPO Sub-CA 1', days: 1460 },
  { name: 'cpo-sub2', issuer: 'cpo-sub1', kind: 'sub-ca', pathLen: 0, dc: 'V2G', org: 'pnc-stack CPO', cn: () => 'pnc-stack CPO Sub-CA 2', days: 365 },
  { name: 'secc', issuer: 'cpo-sub2', kind: 'leaf', dc: 'CPO', org: 'pnc-stack CPO', cn: (o) => o.seccId, days: 60, role: 'secc' },
  { name: 'mo-root', issuer: 'self', kind: 'root', dc: 'MO', org: 'pnc-stack MO', cn: () => 'pnc-stack MO Root CA', days: 3650 },
  { name: 'mo-sub1', issuer: 'mo-root', kind: 'sub-ca', pathLen: 1, dc: 'MO', org: 'pnc-stack MO', cn: () => 'pnc-stack MO Sub-CA 1', days: 1460 },
  { name: 'mo-sub2', issuer: 'mo-sub1', kind: 'sub-ca', pathLen: 0, dc: 'MO', org: 'pnc-stack MO', cn: () => 'pnc-stack MO Sub-CA 2', days: 1460 },
  { name: 'contract', issuer: 'mo-sub2', kind: 'leaf', dc: 'MO', org: 'pnc-stack MO', cn: (o) => emaidWithCheckDigit(parseEmaid(o.emaid)), days: 730, role: 'contract' },
  { name: 'oem-root', issuer: 'self', kind: 'root', dc: 'OEM', org: 'pnc-stack OEM', cn: () => 'pnc-stack OEM Root CA', days: 3650 },
  { name: 'oem-sub1', issuer: 'oem-root', kind: 'sub-ca', pathLen: 1, dc: 'OEM', org: 'pnc-stack OEM', cn: () => 'pnc-stack OEM Sub-CA 1', days: 1460 },
  { name: 'oem-sub2', issuer: 'oem-sub1', kind: 'sub-ca', pathLen: 0, dc: 'OEM', org: 'pnc-stack OEM', cn: () => 'pnc-stack OEM Sub-CA 2', days: 1460 },
  { name: 'oem-prov', issuer: 'oem-sub2', kind: 'leaf', dc: 'OEM', org: 'pnc-stack OEM', cn: () => 'PNCOEMPCID0000001', days: 1460, role: 'oem' },
  // -20 vehicle certificates (mutual TLS) under the OEM root; the charger trusts OEM roots for them.
  { name: 'vehicle-sub1', issuer: 'oem-root', kind: 'sub-ca', pathLen: 1, dc: 'OEM', org: 'pnc-stack OEM', cn: () => 'pnc-stack Vehicle Sub-CA 1', days: 1460, onlyIso20: true },
  { name: 'vehicle-sub2', issuer: 'vehicle-sub1', kind: 'sub-ca', pathLen: 0, dc: 'OEM', org: 'pnc-stack OEM', cn: () => 'pnc-stack Vehicle Sub-CA 2', days: 1460, onlyIso20: true },
  { name: 'vehicle', issuer: 'vehicle-sub2', kind: 'leaf', dc: 'OEM', org: 'pnc-stack OEM', cn: () => 'PNCVIN00000000001', days: 1460, role: 'vehicle', onlyIso20: true },
  { name: 'cps-sub1', issuer: 'v2g-root', kind: 'sub-ca', pathLen: 1, dc: 'CPS', org: 'pnc-stack CPS', cn: () => 'pnc-stack CPS Sub-CA 1', days: 1460 },
  { name: 'cps-sub2', issuer: 'cps-sub1', kind: 'sub-ca', pathLen: 0, dc: 'CPS', org: 'pnc-stack CPS', cn: () => 'pnc-stack CPS Sub-CA 2', days: 730 },
  { name: 'cps', issuer: 'cps-sub2', kind: 'leaf', dc: 'CPS', org: 'pnc-stack CPS', cn: () => 'pnc-stack CPS Leaf', days: 90, role: 'cps' },
];

/** Leaf keyUsage (critical) per role; Ed448 keys cannot agree keys, so they only sign. */
function leafUsages(role: CertificateRole, keyType: KeyType): KeyUsageName[] {
  const agreement: KeyUsageName[] = keyType === 'Ed448' ? [] : ['keyAgreement'];
  switch (role) {
    case 'contract':
      return ['digitalSignature', 'nonRepudiation', ...agreement];
    case 'cps':
      return ['digitalSignature'];
    default:
      return ['digitalSignature', ...agreement];
  }
}

export interface IssueRequest {
  readonly suite: Suite;
  readonly id: string;
  readonly name: string;
  readonly kind: CertificateKind;
  readonly role?: CertificateRole;
  readonly subject: NameSpec;
  /** Omitted: self-signed. */
  readonly issuer?: IssuedCertificate;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly pathLen?: number;
  readonly usages: readonly KeyUsageName[];
  readonly ocspUrl?: string;
  readonly extra?: readonly ExtensionSpec[];
  readonly key?: KeyPair;
}

/** Issues one certificate with the profile extensions: BC, KU (critical), SKI, AKI and AIA OCSP (non-roots). */
export function issue(req: IssueRequest): IssuedCertificate {
  const profile = SUITES[req.suite];
  const key = req.key ?? generateKeyPair(profile.keyType);
  const ski = keyIdentifier(key.publicKey);
  const ca = req.kind === 'root' || req.kind === 'sub-ca';
  const extensions: ExtensionSpec[] = [
    ext.basicConstraints(ca, req.pathLen),
    ext.keyUsage(req.usages),
    ext.subjectKeyIdentifier(ski),
  ];
  if (req.issuer) extensions.push(ext.authorityKeyIdentifier(req.issuer.cert.subjectKeyId ?? keyIdentifier(req.issuer.key.publicKey)));
  if (req.issuer && req.ocspUrl) extensions.push(ext.ocspAccess(req.ocspUrl));
  extensions.push(...(req.extra ?? []));
  const notAfter = req.issuer ? Math.min(req.notAfter, req.issuer.cert.notAfter) : req.notAfter;
  const der = buildCertificate({
    serial: randomSerial(),
    subject: req.subject,
    issuer: req.issuer ? req.issuer.cert.subjectRaw : req.subject,
    notBefore: req.notBefore,
    notAfter,
    publicKey: key.publicKey,
    extensions,
    signatureAlgorithm: SUITES[req.issuer?.suite ?? req.suite].signatureAlgorithm,
    signingKey: req.issuer ? req.issuer.key.privateKey : key.privateKey,
  });
  return {
    id: req.id,
    suite: req.suite,
    name: req.name,
    kind: req.kind,
    ...(req.role ? { role: req.role } : {}),
    issuerId: req.issuer?.id ?? req.id,
    der,
    cert: parseCertificate(der),
    key,
  };
}

/** Delegated OCSP signer for `ca` (RFC 6960 §4.2.2.2): id-kp-OCSPSigning, issued by the CA itself, id-pkix-ocsp-nocheck. */
export function issueOcspSigner(ca: IssuedCertificate, now: number, days = 365): IssuedCertificate {
  const cn = `${ca.cert.subject.commonName ?? ca.name} OCSP`;
  return issue({
    suite: ca.suite,
    id: `${ca.id}-ocsp`,
    name: `${ca.name}-ocsp`,
    kind: 'ocsp-signer',
    subject: { country: ca.cert.subject.country ?? 'DE', organization: ca.cert.subject.organization ?? 'pnc-stack', commonName: cn },
    issuer: ca,
    notBefore: now - BACKDATE,
    notAfter: now + days * DAY,
    usages: ['digitalSignature'],
    extra: [ext.extKeyUsage([Oid.kpOcspSigning]), ext.ocspNoCheck()],
  });
}

export interface ContractRequest {
  readonly emaid: string;
  readonly moSub2: IssuedCertificate;
  readonly ocspUrl: string;
  readonly country: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

/** A contract leaf for `emaid` under an MO Sub-CA 2. */
export function issueContract(req: ContractRequest): IssuedCertificate {
  const emaid = emaidWithCheckDigit(parseEmaid(req.emaid, 'strict'));
  return issue({
    suite: req.moSub2.suite,
    id: `${req.moSub2.suite}/contract/${emaid}`,
    name: `contract/${emaid}`,
    kind: 'leaf',
    role: 'contract',
    subject: { country: req.country, organization: req.moSub2.cert.subject.organization ?? 'pnc-stack MO', commonName: emaid, domainComponent: 'MO' },
    issuer: req.moSub2,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    usages: leafUsages('contract', SUITES[req.moSub2.suite].keyType),
    ocspUrl: req.ocspUrl,
  });
}

/** Every certificate of the test PKI for the requested suites, issuers before the certificates they issue. */
export function buildTestPki(options: TestPkiOptions): IssuedCertificate[] {
  if (!isIsoCountryCode(options.country)) throw new RangeError(`${options.country} is not an ISO 3166-1 alpha-2 country code`);
  parseEmaid(options.emaid, 'strict');
  const out: IssuedCertificate[] = [];
  for (const suite of options.suites) {
    const byName = new Map<EntityName, IssuedCertificate>();
    const profile = SUITES[suite];
    for (const t of TEMPLATES) {
      if (t.onlyIso20 && profile.protocol !== 'iso20') continue;
      const issuer = t.issuer === 'self' ? undefined : byName.get(t.issuer);
      if (t.issuer !== 'self' && !issuer) throw new Error(`template order: ${t.issuer} before ${t.name}`);
      const notBefore = options.now - BACKDATE;
      const common = { notBefore, notAfter: options.now + t.days * DAY, ...(issuer ? { issuer } : {}) };
      const issued =
        t.name === 'contract'
          ? issueContract({ emaid: options.emaid, moSub2: issuer!, ocspUrl: options.ocspUrl, country: options.country, ...common })
          : issue({
              suite,
              id: `${suite}/${t.name}`,
              name: t.name,
              kind: t.kind,
              ...(t.role ? { role: t.role } : {}),
              subject: { country: options.country, organization: t.org, commonName: t.cn(options), domainComponent: t.dc },
              ...common,
              ...(t.pathLen !== undefined ? { pathLen: t.pathLen } : {}),
              usages: t.kind === 'leaf' ? leafUsages(t.role!, profile.keyType) : ['keyCertSign', 'cRLSign'],
              ocspUrl: options.ocspUrl,
            });
      byName.set(t.name, issued);
      out.push(issued);
    }
    // One delegated OCSP signer per CA that issues certificates.
    const issuers = new Set(out.filter((c) => c.suite === suite && c.kind !== 'root').map((c) => c.issuerId));
    for (const c of [...out]) if (issuers.has(c.id)) out.push(issueOcspSigner(c, options.now));
  }
  return out;
}
