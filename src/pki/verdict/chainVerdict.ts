// The ISO 15118 chain verdict: a pure function of the certificates, the installed anchors, the protocol, the role
// and a time. Every check is reported; the most severe failure picks the -2, -20 and OCPP codes (responseCodes.ts).
import type { KeyObject } from 'node:crypto';
import { fingerprint256 } from '../certificate/fingerprint.js';
import {
  CertificateParseError,
  hasKeyUsage,
  keyUsageNames,
  parseCertificate,
  type Certificate,
  type KeyUsageName,
} from '../certificate/certificate.js';
import { formatName } from '../certificate/name.js';
import { ecPointProblem } from '../certificate/ecPoint.js';
import { importPublicKey, verifyCertificateSignature, type SignatureCheck } from '../certificate/signature.js';
import { EmaidError, emaidsEqual, parseEmaid, type CheckDigitPolicy } from '../emaid/emaid.js';
import { UNDERSTOOD_EXTENSIONS } from '../oids.js';
import { PROTOCOL_PROFILES, type Protocol } from '../profile/protocolProfile.js';
import { ROLE_PROFILES, type CertificateRole } from '../profile/roleProfile.js';
import {
  responseCodesFor,
  worstFailure,
  type FailureKind,
  type Iso20CertificateResponseCode,
  type Iso2CertificateResponseCode,
  type OcppCertificateStatus,
} from './responseCodes.js';
import type { TrustAnchor, TrustStore } from './trustStore.js';
import type { VerdictCache } from './verdictCache.js';

export type RevocationStatus =
  | { readonly status: 'good' }
  | { readonly status: 'revoked'; readonly reason?: string; readonly revokedAt?: number }
  | { readonly status: 'unknown' }
  /** The status could not be obtained (responder unreachable, bad response): the chain cannot be verified. */
  | { readonly status: 'error'; readonly message: string };

export interface ChainVerdictInput {
  /** DER of the leaf certificate. */
  readonly leaf: Buffer;
  /** DER of the sub-CAs, in any order. */
  readonly subCAs: readonly Buffer[];
  readonly trustStore: TrustStore;
  readonly protocol: Protocol;
  readonly role: CertificateRole;
  /** The time the chain is judged at (epoch ms). */
  readonly at: number;
  /** eMAID the EV sent beside the chain (PaymentDetailsReq); must equal the leaf CN ignoring hyphens and case. */
  readonly expectedEmaid?: string;
  readonly checkDigit?: CheckDigitPolicy;
  /** OCSP results, keyed by the SHA-256 hex fingerprint of each certificate's DER. */
  readonly revocation?: ReadonlyMap<string, RevocationStatus>;
  readonly cache?: VerdictCache;
}

export const CHECK_NAMES = [
  'parse',
  'size',
  'chainLength',
  'algorithm',
  'path',
  'trustAnchor',
  'signature',
  'validity',
  'basicConstraints',
  'keyUsage',
  'domainComponent',
  'criticalExtensions',
  'emaid',
  'revocation',
  'expiry',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckResult {
  readonly name: CheckName;
  readonly ok: boolean;
  readonly detail: string;
  /** What a failed check means for the codes. */
  readonly kinds?: readonly FailureKind[];
}

export interface ChainVerdict {
  readonly valid: boolean;
  readonly protocol: Protocol;
  readonly role: CertificateRole;
  /** The time judged at. */
  readonly at: number;
  /** The most severe failure (it decides the codes) and all of them. */
  readonly failure?: FailureKind;
  readonly failures: readonly FailureKind[];
  /** The ISO 15118 code of `protocol`. */
  readonly responseCode: Iso2CertificateResponseCode | Iso20CertificateResponseCode;
  readonly iso2ResponseCode: Iso2CertificateResponseCode;
  readonly iso20ResponseCode: Iso20CertificateResponseCode;
  readonly ocppCertificateStatus: OcppCertificateStatus;
  /** Valid, but the leaf or a sub-CA ends within the protocol's warning window. */
  readonly expiresSoon: boolean;
  /** An installed anchor issued the chain. When the only reason a verdict fails is that none did (failure
   *  'noAnchors' or 'untrusted'), a charger may hand the chain to the CSMS (OCPP C07.FR.06,
   *  CentralContractValidationAllowed). */
  readonly anchorFound: boolean;
  readonly checks: readonly CheckResult[];
  /** Leaf first, then the sub-CAs in issuing order (empty when parsing failed). */
  readonly path: readonly Certificate[];
  readonly anchor?: Certificate;
  /** Normalised eMAID of a contract leaf. */
  readonly emaid?: string;
}

const DAY_MS = 86_400_000;
const MAX_SUB_CAS_JUDGED = 8;

function label(cert: Certificate, position: string): string {
  return `${position} "${cert.subject.commonName ?? formatName(cert.subject)}"`;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * `issuer` can have issued `child`: same name, and the same key id when both carry one. Names match byte for byte,
 * or (`canonical`) after RFC 5280 §7.1 normalisation; callers try the cheap byte pass first.
 */
function namesChain(issuer: Certificate, child: Certificate, canonical = false): boolean {
  if (canonical ? issuer.subjectCanonical !== child.issuerCanonical : !issuer.subjectRaw.equals(child.issuerRaw)) return false;
  const ski = issuer.subjectKeyId;
  const aki = child.authorityKeyId;
  return ski === undefined || aki === undefined || ski.equals(aki);
}

const isSelfIssued = (c: Certificate): boolean => c.subjectRaw.equals(c.issuerRaw);

class Report {
  constructor(readonly checks: CheckResult[] = []) {}
  pass(name: CheckName, detail: string): void {
    this.checks.push({ name, ok: true, detail });
  }
  fail(name: CheckName, kind: FailureKind, detail: string): void {
    this.conclude(name, kind, [detail], '');
  }
  /** One check over several findings: passes with `okDetail` or fails with all findings joined. */
  conclude(name: CheckName, kinds: FailureKind | readonly FailureKind[], findings: readonly string[], okDetail: string): void {
    if (findings.length === 0) {
      this.pass(name, okDetail);
      return;
    }
    this.checks.push({ name, ok: false, detail: findings.join('; '), kinds: typeof kinds === 'string' ? [kinds] : [...new Set(kinds)] });
  }
}

interface Path {
  readonly certs: Certificate[];
  readonly anchor?: TrustAnchor;
  readonly anchorLinkCheck?: SignatureCheck;
}

export function chainVerdict(input: ChainVerdictInput): ChainVerdict {
  const profile = PROTOCOL_PROFILES[input.protocol];
  const role = ROLE_PROFILES[input.role];
  const r = new Report();

  const transmitted = [input.leaf, ...input.subCAs];
  const oversize = transmitted
    .map((der, i) => ({ der, i }))
    .filter(({ der }) => der.length > profile.maxCertificateBytes)
    .map(({ der, i }) => `${i === 0 ? 'leaf' : `sub-CA #${i}`} is ${der.length} bytes`);
  r.conclude('size', 'chain', oversize, `every certificate ≤ ${profile.maxCertificateBytes} bytes DER`);

  if (input.subCAs.length > profile.maxSubCAs) {
    r.fail('chainLength', 'chain', `${input.subCAs.length} sub-CAs, ${input.protocol} allows at most ${profile.maxSubCAs}`);
    // Far beyond any profile: do not spend parsing and signature work on it (the XSDs allow at most 4).
    if (input.subCAs.length > MAX_SUB_CAS_JUDGED) return conclude(input, r.checks, { certs: [] }, undefined);
  } else {
    r.pass('chainLength', `${input.subCAs.length} sub-CA(s), at most ${profile.maxSubCAs}`);
  }

  let leaf: Certificate;
  const subs: Certificate[] = [];
  try {
    leaf = parseCertificate(input.leaf);
    for (const der of input.subCAs) subs.push(input.cache ? input.cache.certificate(der) : parseCertificate(der));
  } catch (e) {
    if (!(e instanceof CertificateParseError)) throw e;
    r.fail('parse', 'chain', e.message);
    // Past this point nothing holds together; judging further would only add noise (and cost on hostile input).
    return conclude(input, r.checks, { certs: [] }, undefined);
  }
  r.pass('parse', `${transmitted.length} certificate(s) parsed`);

  const path = buildPath(leaf, subs, input, r);
  checkAlgorithms(path, profile.algorithms, r);
  checkSignatures(path, input.cache, r);
  checkValidity(path, input.at, r);
  checkBasicConstraints(path, r);
  checkKeyUsage(path, role.leafKeyUsage, r);

  const dcs = leaf.subject.domainComponents;
  if (dcs.some((dc) => dc.toUpperCase() === role.leafDomainComponent)) {
    r.pass('domainComponent', `leaf DC=${role.leafDomainComponent}`);
  } else {
    r.fail('domainComponent', 'chain', `leaf has ${dcs.length ? dcs.map((d) => `DC=${d}`).join(',') : 'no DC'}, a ${role.description} needs DC=${role.leafDomainComponent}`);
  }

  const unknownCritical: string[] = [];
  for (const [i, c] of allCerts(path).entries()) {
    for (const ext of c.extensions) {
      if (ext.critical && !UNDERSTOOD_EXTENSIONS.has(ext.oid)) unknownCritical.push(`${positionLabel(path, c, i)} has unknown critical extension ${ext.oid}`);
    }
  }
  r.conclude('criticalExtensions', 'chain', unknownCritical, 'no unknown critical extension');

  let emaid: string | undefined;
  if (role.leafIsEmaid) emaid = checkEmaid(leaf, input.expectedEmaid, input.checkDigit ?? 'lenient', r);
  const verdict = conclude(input, r.checks, path, emaid);
  return input.revocation ? withRevocation(verdict, input.revocation) : verdict;
}

/**
 * The verdict with OCSP results added (or replaced): a pure step after chainVerdict, so that a verifier can judge the
 * chain locally, ask the responders, and then complete the same verdict without judging it twice.
 */
export function withRevocation(verdict: ChainVerdict, statuses: ReadonlyMap<string, RevocationStatus>): ChainVerdict {
  const r = new Report(verdict.checks.filter((c) => c.name !== 'revocation' && c.name !== 'expiry'));
  checkRevocation(verdict.path, statuses, r);
  return conclude(verdict, r.checks, { certs: [...verdict.path] }, verdict.emaid, verdict.anchor);
}

/** Codes from the failed checks, plus the expiry note for a chain that is within its validity. */
function conclude(
  input: Pick<ChainVerdictInput, 'protocol' | 'role' | 'at'>,
  judged: readonly CheckResult[],
  path: Path,
  emaid: string | undefined,
  anchor: Certificate | undefined = path.anchor?.cert,
): ChainVerdict {
  const checks = [...judged];
  const failures = new Set(checks.flatMap((c) => c.kinds ?? []));
  let expiresSoon = false;
  if (checks.some((c) => c.name === 'validity' && c.ok)) {
    const window = PROTOCOL_PROFILES[input.protocol].expiresSoonDays;
    const earliest = Math.min(...path.certs.map((c) => c.notAfter));
    expiresSoon = failures.size === 0 && earliest - input.at <= window * DAY_MS;
    const daysLeft = Math.floor((earliest - input.at) / DAY_MS);
    checks.push({ name: 'expiry', ok: true, detail: `chain valid for ${daysLeft} more day(s)${expiresSoon ? `, within the ${window}-day warning window` : ''}` });
  }
  const failure = worstFailure(failures);
  const codes = responseCodesFor(failure, expiresSoon, input.role === 'contract');
  return {
    valid: failure === undefined,
    protocol: input.protocol,
    role: input.role,
    at: input.at,
    ...(failure ? { failure } : {}),
    failures: [...failures],
    responseCode: input.protocol === 'iso2' ? codes.iso2 : codes.iso20,
    iso2ResponseCode: codes.iso2,
    iso20ResponseCode: codes.iso20,
    ocppCertificateStatus: codes.ocpp,
    expiresSoon,
    anchorFound: anchor !== undefined,
    checks,
    path: path.certs,
    ...(anchor ? { anchor } : {}),
    ...(emaid !== undefined ? { emaid } : {}),
  };
}

const allCerts = (path: Path): Certificate[] => (path.anchor ? [...path.certs, path.anchor.cert] : path.certs);

function positionLabel(path: Path, cert: Certificate, index: number): string {
  if (index === 0) return label(cert, 'leaf');
  if (path.anchor && cert === path.anchor.cert) return label(cert, 'root');
  return label(cert, 'sub-CA');
}

/** Leaf → sub-CAs (taken from the chain, any order) → an installed anchor chosen by issuer name and key id. */
function buildPath(leaf: Certificate, subs: Certificate[], input: ChainVerdictInput, r: Report): Path {
  const certs = [leaf];
  const remaining = [...subs];
  const problems: string[] = [];
  let current = leaf;
  let anchor: TrustAnchor | undefined;
  let anchorLinkCheck: SignatureCheck | undefined;
  for (;;) {
    let next = remaining.findIndex((c) => namesChain(c, current) && !isSelfIssued(c));
    if (next < 0) next = remaining.findIndex((c) => namesChain(c, current, true) && !isSelfIssued(c));
    if (next >= 0) {
      current = remaining.splice(next, 1)[0]!;
      certs.push(current);
      continue;
    }
    let candidates = (input.trustStore.bySubject.get(current.issuerRaw.toString('latin1')) ?? []).filter((a) => namesChain(a.cert, current));
    if (candidates.length === 0) {
      candidates = (input.trustStore.byCanonicalSubject.get(current.issuerCanonical) ?? []).filter((a) => namesChain(a.cert, current, true));
    }
    for (const candidate of candidates) {
      const check = verifyLink(current, candidate.cert, candidate.key, current === leaf ? undefined : input.cache);
      if (!anchor || (check.ok && !anchorLinkCheck?.ok)) {
        anchor = candidate;
        anchorLinkCheck = check;
      }
      if (check.ok) break;
    }
    break;
  }
  for (const c of remaining) {
    problems.push(isSelfIssued(c) ? `${label(c, 'certificate')} is self-signed: roots come from the trust store, not the chain` : `${label(c, 'sub-CA')} does not belong to the chain`);
  }
  r.conclude('path', 'chain', problems, `leaf → ${certs.length - 1} sub-CA(s) → ${anchor ? 'installed root' : '?'}`);

  const top = certs[certs.length - 1]!;
  if (anchor) {
    r.pass('trustAnchor', `issued by installed ${label(anchor.cert, 'root')} (${anchor.source})`);
  } else if (input.trustStore.anchors.length === 0) {
    r.fail('trustAnchor', 'noAnchors', 'no trust anchors are installed');
  } else {
    r.fail('trustAnchor', 'untrusted', `no installed root issued ${label(top, certs.length === 1 ? 'leaf' : 'sub-CA')} (issuer "${formatName(top.issuer)}")`);
  }
  return anchor ? { certs, anchor, ...(anchorLinkCheck ? { anchorLinkCheck } : {}) } : { certs };
}

function verifyLink(child: Certificate, issuer: Certificate, issuerKey: KeyObject, cache: VerdictCache | undefined): SignatureCheck {
  const run = (): SignatureCheck => verifyCertificateSignature(child, issuerKey, issuer.publicKeyType);
  return cache ? cache.link(child, issuer, run) : run();
}

// Sub-CA and anchor objects are shared when a VerdictCache or trust store hands them out; remember their point check.
const pointChecks = new WeakMap<Certificate, string | undefined>();
function pointProblemOf(c: Certificate): string | undefined {
  if (pointChecks.has(c)) return pointChecks.get(c);
  const problem = ecPointProblem(c);
  pointChecks.set(c, problem);
  return problem;
}

function checkAlgorithms(path: Path, allowed: (typeof PROTOCOL_PROFILES)[Protocol]['algorithms'], r: Report): void {
  const findings: string[] = [];
  for (const [i, c] of allCerts(path).entries()) {
    const where = (): string => positionLabel(path, c, i);
    if (!allowed.some((a) => a.key === c.publicKeyType)) findings.push(`${where()} has a ${c.publicKeyType} key`);
    else {
      const point = i === 0 ? ecPointProblem(c) : pointProblemOf(c);
      if (point !== undefined) findings.push(`${where()}: ${point}`);
    }
    if (!allowed.some((a) => a.signature === c.signatureAlgorithm)) findings.push(`${where()} is signed with ${c.signatureAlgorithm === 'unsupported' ? c.signatureAlgorithmOid : c.signatureAlgorithm}`);
  }
  r.conclude('algorithm', 'chain', findings, `keys and signatures are ${allowed.map((a) => `${a.key}/${a.signature}`).join(' or ')}`);
}

function checkSignatures(path: Path, cache: VerdictCache | undefined, r: Report): void {
  const findings: string[] = [];
  for (let i = 0; i + 1 < path.certs.length; i++) {
    const child = path.certs[i]!;
    const issuer = path.certs[i + 1]!;
    const imported = cache ? cache.key(issuer) : importPublicKey(issuer);
    if ('problem' in imported) {
      findings.push(`${positionLabel(path, child, i)} cannot be checked: its issuer's ${imported.problem}`);
      continue;
    }
    const check = verifyLink(child, issuer, imported.key, i === 0 ? undefined : cache);
    if (!check.ok) findings.push(`${positionLabel(path, child, i)}: ${check.reason}`);
  }
  if (path.anchor && path.anchorLinkCheck && !path.anchorLinkCheck.ok) {
    const top = path.certs[path.certs.length - 1]!;
    findings.push(`${positionLabel(path, top, path.certs.length - 1)} against the root: ${path.anchorLinkCheck.reason}`);
  }
  r.conclude('signature', 'chain', findings, `${path.certs.length - 1 + (path.anchor ? 1 : 0)} signature(s) verified`);
}

function checkValidity(path: Path, at: number, r: Report): void {
  const findings: string[] = [];
  const kinds: FailureKind[] = [];
  for (const [i, c] of allCerts(path).entries()) {
    if (at > c.notAfter) {
      findings.push(`${positionLabel(path, c, i)} expired ${iso(c.notAfter)}`);
      kinds.push('expired');
    } else if (at < c.notBefore) {
      findings.push(`${positionLabel(path, c, i)} is not valid before ${iso(c.notBefore)}`);
      kinds.push('notYetValid');
    }
  }
  r.conclude('validity', kinds, findings, 'every certificate is within its validity period');
}

function checkBasicConstraints(path: Path, r: Report): void {
  const findings: string[] = [];
  const [leaf, ...issuers] = allCerts(path);
  if (leaf!.basicConstraints?.ca) findings.push(`${label(leaf!, 'leaf')} is a CA (basicConstraints CA:TRUE)`);
  let intermediatesBelow = 0;
  for (const [j, c] of issuers.entries()) {
    const where = (): string => positionLabel(path, c, j + 1);
    const bc = c.basicConstraints;
    if (!bc?.ca) findings.push(`${where()} is not a CA (basicConstraints ${bc ? 'CA:FALSE' : 'missing'})`);
    else if (!bc.critical) findings.push(`${where()} basicConstraints is not critical (RFC 5280 §4.2.1.9)`);
    // RFC 5280 §4.2.1.9: pathLen counts the non-self-issued intermediates below this CA.
    if (bc?.pathLen !== undefined && intermediatesBelow > bc.pathLen) {
      findings.push(`${where()} has pathLen ${bc.pathLen} but ${intermediatesBelow} sub-CA(s) below it`);
    }
    if (!isSelfIssued(c)) intermediatesBelow++;
  }
  r.conclude('basicConstraints', 'chain', findings, 'leaf is no CA; every issuer is a CA within its pathLen');
}

function checkKeyUsage(path: Path, leafNeeds: readonly KeyUsageName[], r: Report): void {
  const findings: string[] = [];
  const [leaf, ...issuers] = allCerts(path);
  const leafKu = leaf!.keyUsage;
  if (!leafKu) {
    findings.push(`${label(leaf!, 'leaf')} has no keyUsage`);
  } else {
    if (!leafKu.critical) findings.push(`${label(leaf!, 'leaf')} keyUsage is not critical`);
    const missing = leafNeeds.filter((u) => !hasKeyUsage(leaf!, u));
    if (missing.length) findings.push(`${label(leaf!, 'leaf')} keyUsage lacks ${missing.join(', ')} (has ${keyUsageNames(leafKu.bits).join(', ') || 'nothing'})`);
    for (const caOnly of ['keyCertSign', 'cRLSign'] as const) {
      if (hasKeyUsage(leaf!, caOnly)) findings.push(`${label(leaf!, 'leaf')} keyUsage allows ${caOnly}`);
    }
  }
  for (const [j, c] of issuers.entries()) {
    const where = (): string => positionLabel(path, c, j + 1);
    if (!c.keyUsage) findings.push(`${where()} has no keyUsage`);
    else if (!hasKeyUsage(c, 'keyCertSign')) findings.push(`${where()} keyUsage lacks keyCertSign`);
    else if (!c.keyUsage.critical) findings.push(`${where()} keyUsage is not critical`);
  }
  r.conclude('keyUsage', 'chain', findings, `leaf has ${leafNeeds.join(', ')}; every issuer has keyCertSign`);
}

function checkEmaid(leaf: Certificate, expected: string | undefined, policy: CheckDigitPolicy, r: Report): string | undefined {
  const cn = leaf.subject.commonName;
  if (cn === undefined) {
    r.fail('emaid', 'contractInvalid', 'contract leaf has no CN (the eMAID)');
    return undefined;
  }
  let normalized: string;
  let note = '';
  try {
    const e = parseEmaid(cn, policy);
    normalized = e.normalized;
    if (e.checkDigitValid === false) note = `; check digit ${e.checkDigit} should be ${e.expectedCheckDigit} (accepted: lenient check digits)`;
  } catch (err) {
    if (!(err instanceof EmaidError)) throw err;
    r.fail('emaid', 'contractInvalid', `leaf CN: ${err.message}`);
    return undefined;
  }
  if (expected !== undefined && !emaidsEqual(expected, cn)) {
    r.fail('emaid', 'chain', `eMAID ${expected} does not match the contract CN ${cn}`);
  } else {
    r.pass('emaid', `leaf CN ${cn} is a valid eMAID${expected !== undefined ? ' matching the request' : ''}${note}`);
  }
  return normalized;
}

function checkRevocation(certs: readonly Certificate[], statuses: ReadonlyMap<string, RevocationStatus>, r: Report): void {
  const findings: string[] = [];
  const kinds: FailureKind[] = [];
  let checked = 0;
  for (const [i, c] of certs.entries()) {
    const s = statuses.get(fingerprint256(c.der));
    if (!s) continue;
    checked++;
    const where = (): string => label(c, i === 0 ? 'leaf' : 'sub-CA');
    if (s.status === 'revoked') {
      findings.push(`${where()} is revoked${s.reason ? ` (${s.reason})` : ''}${s.revokedAt !== undefined ? ` since ${iso(s.revokedAt)}` : ''}`);
      kinds.push('revoked');
    } else if (s.status === 'unknown') {
      // OCSP "unknown": the responder does not know the certificate; C07.FR.17 treats that as unverifiable, not revoked.
      findings.push(`${where()} is unknown to its OCSP responder`);
      kinds.push('unverifiable');
    } else if (s.status === 'error') {
      findings.push(`${where()}: revocation status unavailable (${s.message})`);
      kinds.push('unverifiable');
    }
  }
  r.conclude('revocation', kinds, findings, `${checked} of ${certs.length} certificate(s) checked by OCSP: good`);
}
