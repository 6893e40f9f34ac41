// C07 revocation on the CSMS: is the contract chain valid, expired, revoked or unverifiable (C07.FR.15–17)?
// Hash data (C07.FR.05): one verified OCSP lookup per entry at its responderURL, each anchored to a known CA.
// Certificate chain (central validation, C07.FR.06): the full chain verdict against the V2G and MO roots with the leaf
// CN equal to the eMAID, then one OCSP lookup per non-root link at its AIA URL with CertIDs computed here.
// Every responder URL passes the SSRF policy; every lookup is traced and returned in `checks`.
import { CertificateParseError, parseCertificate, type Certificate } from '../../pki/certificate/certificate.js';
import { PemError, decodePemCertificates } from '../../pki/certificate/pem.js';
import { normalizeEmaid } from '../../pki/emaid/emaid.js';
import { certIdFor, type CertId } from '../../pki/ocsp/certId.js';
import type { Protocol } from '../../pki/profile/protocolProfile.js';
import { chainVerdict, type ChainVerdict } from '../../pki/verdict/chainVerdict.js';
import type { TrustStore } from '../../pki/verdict/trustStore.js';
import { VerdictCache } from '../../pki/verdict/verdictCache.js';
import type { OCSPRequestDataType } from '../../ocpp/generated/ocpp201.js';
import type { Tracer } from '../../trace/tracer.js';
import type { CheckContext, ContractRevocationChecker, RevocationCheck, RevocationOutcome } from '../authorize/authorizeTypes.js';
import { parseHashDataEntry, type ParsedHashData } from './hashDataEntry.js';
import type { KnownIssuers } from './knownIssuers.js';
import { maskEmaid } from '../../pki/emaid/maskEmaid.js';
import { OcspLookupError, createOcspLookup, type OcspLookup, type RevocationTransportOptions } from './ocspLookup.js';

export interface ContractRevocationCheckerOptions extends Partial<RevocationTransportOptions> {
  /** CAs OCSP answers can be anchored to; the roots below are added, verified sub-CAs are learned into it. */
  readonly issuers: KnownIssuers;
  /** V2G and MO roots (central validation). */
  readonly roots: TrustStore;
  readonly tracer?: Tracer;
  /** A lookup shared with the GetCertificateStatus relay (one cache, one socket pool). Without it one is made from
   *  the transport options, and then `policy` is required. */
  readonly lookup?: OcspLookup;
}

export interface ContractRevocationCheckerHandle extends ContractRevocationChecker {
  readonly lookup: OcspLookup;
  close(): void;
}

/** OCPP limits AuthorizeRequest.certificate to 5500 characters (2.1: 10000); more is not a chain we judge. */
const MAX_CHAIN_CHARACTERS = 16_384;
const MAX_HASH_DATA_ENTRIES = 4;
/** AIA may list several responders; at most this many are tried per certificate. */
const MAX_URLS_PER_CERTIFICATE = 3;

interface LinkResult {
  readonly check: RevocationCheck;
  readonly verdict: 'good' | 'revoked' | 'unverifiable';
  /** Why, for the outcome's detail. */
  readonly reason: string;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function protocolOf(leaf: Certificate): Protocol | undefined {
  if (leaf.publicKeyType === 'P-256') return 'iso2';
  if (leaf.publicKeyType === 'P-521' || leaf.publicKeyType === 'Ed448') return 'iso20';
  return undefined;
}

function conclude(results: readonly LinkResult[]): RevocationOutcome {
  const checks = results.map((r) => r.check);
  // A certain "revoked" outranks "could not be checked" (C07.FR.16 before FR.17).
  const revoked = results.filter((r) => r.verdict === 'revoked');
  if (revoked.length) return { kind: 'revoked', detail: revoked.map((r) => r.reason).join('; '), checks };
  const unverifiable = results.filter((r) => r.verdict === 'unverifiable');
  if (unverifiable.length) return { kind: 'unverifiable', detail: unverifiable.map((r) => r.reason).join('; '), checks };
  return { kind: 'valid', checks };
}

export function createContractRevocationChecker(options: ContractRevocationCheckerOptions): ContractRevocationCheckerHandle {
  let lookup: OcspLookup;
  if (options.lookup) lookup = options.lookup;
  else if (options.policy) lookup = createOcspLookup({ ...options, policy: options.policy });
  else throw new TypeError('createContractRevocationChecker needs a responder URL policy or a shared OcspLookup');
  const clock = options.clock ?? Date.now;
  const issuers = options.issuers;
  const tracer = options.tracer;
  const verdictCache = new VerdictCache();
  const anchorDers = new Set<string>();
  for (const anchor of options.roots.anchors) {
    issuers.add(anchor.cert, `trust store: ${anchor.source}`);
    anchorDers.add(anchor.cert.der.toString('latin1'));
  }

  const trace = (context: CheckContext, ok: boolean, detail: string, ms?: number): void => {
    tracer?.emit({
      kind: 'check',
      ...(context.session !== undefined ? { session: context.session } : {}),
      party: 'csms',
      check: 'ocsp',
      ok,
      detail,
      ...(ms !== undefined ? { ms } : {}),
    });
  };

  /** One certificate's status. `name` goes into RevocationCheck.certificate, `label` into texts (never a full eMAID). */
  async function lookupOne(name: string, label: string, certId: CertId, issuer: Certificate | undefined, urls: readonly string[], context: CheckContext): Promise<LinkResult> {
    if (!issuer) {
      // C07.FR.17: without the issuing CA no answer can be verified (see knownIssuers.ts).
      const reason = `${label}: issuer is not a known CA, its OCSP answer could not be verified`;
      trace(context, false, reason, 0);
      return { check: { certificate: name, status: 'error', fromCache: false, ms: 0, detail: 'issuer unknown' }, verdict: 'unverifiable', reason };
    }
    if (urls.length === 0) {
      const reason = `${label}: names no OCSP responder (AIA), its status cannot be checked`;
      trace(context, false, reason, 0);
      return { check: { certificate: name, status: 'error', fromCache: false, ms: 0, detail: 'no OCSP responder URL' }, verdict: 'unverifiable', reason };
    }
    let last: LinkResult | undefined;
    for (const url of urls.slice(0, MAX_URLS_PER_CERTIFICATE)) {
      const started = performance.now();
      try {
        const r = await lookup.lookup(certId, issuer, url);
        const how = r.fromCache ? ' (cached)' : r.coalesced ? ' (joined a lookup in flight)' : '';
        const base = { certificate: name, responder: r.responder, fromCache: r.fromCache, ms: r.ms };
        const where = `${label} at ${r.responder}`;
        if (r.status.status === 'good') {
          trace(context, true, `${where}: good${how}, signed by ${r.signedBy}`, r.ms);
          return { check: { ...base, status: 'good' }, verdict: 'good', reason: `${label} good` };
        }
        if (r.status.status === 'revoked') {
          const why = `revoked${r.status.reason ? ` (${r.status.reason})` : ''} since ${iso(r.status.revokedAt)}`;
          trace(context, false, `${where}: ${why}${how}`, r.ms);
          return { check: { ...base, status: 'revoked', detail: why }, verdict: 'revoked', reason: `${label} is ${why}` };
        }
        // OCSP "unknown": the responder does not know the certificate; C07.FR.17, not revoked.
        trace(context, false, `${where}: unknown to the responder${how}`, r.ms);
        return { check: { ...base, status: 'unknown', detail: 'unknown to the responder' }, verdict: 'unverifiable', reason: `${label} is unknown to its OCSP responder` };
      } catch (e) {
        if (!(e instanceof OcspLookupError)) throw e;
        const ms = performance.now() - started;
        const detail = `${e.code}: ${e.message}`;
        trace(context, false, `${label}${e.responder ? ` at ${e.responder}` : ''}: ${detail}`, ms);
        last = {
          check: { certificate: name, ...(e.responder ? { responder: e.responder } : {}), status: 'error', fromCache: false, ms, detail },
          verdict: 'unverifiable',
          reason: `${label}: OCSP ${detail}`,
        };
      }
    }
    return last!;
  }

  async function checkHashData(entries: readonly OCSPRequestDataType[], context: CheckContext): Promise<RevocationOutcome> {
    const refuse = (detail: string): RevocationOutcome => {
      trace(context, false, detail, 0);
      return { kind: 'unverifiable', detail, checks: [] };
    };
    if (!Array.isArray(entries) || entries.length === 0) return refuse('no OCSP hash data');
    if (entries.length > MAX_HASH_DATA_ENTRIES) return refuse(`${entries.length} hash data entries, at most ${MAX_HASH_DATA_ENTRIES}`);
    const parsed: Extract<ParsedHashData, { ok: true }>[] = [];
    for (const [i, entry] of entries.entries()) {
      const p = parseHashDataEntry(entry);
      // Malformed input is refused as a whole, before any responder is asked.
      if (!p.ok) return refuse(`hash data entry ${i + 1}: ${p.problem}`);
      parsed.push(p);
    }
    // The hash data form names certificates by serial only.
    const results = await Promise.all(
      parsed.map((p) => lookupOne(p.certId.serialHex, `serial ${p.certId.serialHex}`, p.certId, issuers.findForCertId(p.certId)?.cert, [p.url], context)),
    );
    return conclude(results);
  }

  async function checkCertificateChain(pemChain: string, emaid: string, context: CheckContext): Promise<RevocationOutcome> {
    // The leaf CN and the token are eMAIDs: traces and details carry them masked.
    const secrets = new Set<string>();
    const addSecret = (s: string | undefined): void => {
      if (s && s.length >= 8) {
        secrets.add(s);
        secrets.add(normalizeEmaid(s));
      }
    };
    addSecret(typeof emaid === 'string' ? emaid : undefined);
    const redact = (text: string): string => {
      let out = text;
      for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(maskEmaid(s));
      return out;
    };
    const chainTrace = (ok: boolean, detail: string, ms?: number): void =>
      tracer?.emit({
        kind: 'check',
        ...(context.session !== undefined ? { session: context.session } : {}),
        party: 'csms',
        check: 'contract chain',
        ok,
        detail: redact(detail),
        ...(ms !== undefined ? { ms } : {}),
      });
    const refuse = (kind: 'expired' | 'unverifiable', detail: string, ms?: number): RevocationOutcome => {
      chainTrace(false, detail, ms);
      return { kind, detail: redact(detail), checks: [] };
    };

    const started = performance.now();
    if (typeof emaid !== 'string' || emaid.length === 0) return refuse('unverifiable', 'no eMAID to compare the contract certificate with');
    if (typeof pemChain !== 'string' || pemChain.length === 0) return refuse('unverifiable', 'no certificate chain');
    if (pemChain.length > MAX_CHAIN_CHARACTERS) return refuse('unverifiable', `certificate chain of ${pemChain.length} characters, at most ${MAX_CHAIN_CHARACTERS}`);
    let ders: Buffer[];
    try {
      ders = decodePemCertificates(pemChain);
    } catch (e) {
      if (!(e instanceof PemError)) throw e;
      return refuse('unverifiable', `certificate is not a PEM chain: ${e.message}`);
    }
    // Some stations send the root too; an installed root in the chain is dropped, any other self-signed one judged.
    ders = ders.filter((d, i) => i === 0 || !anchorDers.has(d.toString('latin1')));
    const [leafDer, ...subDers] = ders;
    if (!leafDer) return refuse('unverifiable', 'certificate holds no CERTIFICATE block');
    let leaf: Certificate;
    try {
      leaf = parseCertificate(leafDer);
    } catch (e) {
      if (!(e instanceof CertificateParseError)) throw e;
      return refuse('unverifiable', `contract certificate: ${e.message}`);
    }
    addSecret(leaf.subject.commonName);
    const protocol = protocolOf(leaf);
    if (!protocol) return refuse('unverifiable', `contract certificate has a ${leaf.publicKeyType} key (ISO 15118-2: P-256, -20: P-521 or Ed448)`);

    let verdict: ChainVerdict;
    try {
      verdict = chainVerdict({ leaf: leafDer, subCAs: subDers, trustStore: options.roots, protocol, role: 'contract', at: clock(), expectedEmaid: emaid, cache: verdictCache });
    } catch (e) {
      // A sub-CA the VerdictCache could not parse: the chain is malformed.
      if (!(e instanceof CertificateParseError)) throw e;
      return refuse('unverifiable', `certificate chain: ${e.message}`);
    }
    const ms = performance.now() - started;
    if (!verdict.valid) {
      const failed = verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ');
      // C07.FR.15: an expired (or not yet valid) chain that is otherwise sound; every other failure is FR.17.
      const kind = verdict.failure === 'expired' || verdict.failure === 'notYetValid' ? 'expired' : 'unverifiable';
      return refuse(kind, `${protocol} contract chain ${kind === 'expired' ? 'expired' : 'invalid'}: ${failed}`, ms);
    }
    chainTrace(true, `${protocol} contract chain valid: leaf → ${verdict.path.length - 1} sub-CA(s) → ${verdict.anchor?.subject.commonName ?? 'root'}`, ms);

    const anchor = verdict.anchor!;
    const results = await Promise.all(
      verdict.path.map((cert, i) => {
        const issuer = verdict.path[i + 1] ?? anchor;
        const name = i === 0 ? maskEmaid(leaf.subject.commonName ?? '') : (cert.subject.commonName ?? cert.serialHex);
        const label = `${i === 0 ? `contract ${name}` : `sub-CA "${name}"`} (serial ${cert.serialHex})`;
        return lookupOne(name, label, certIdFor(cert, issuer, 'SHA256'), issuer, cert.ocspUrls, context);
      }),
    );
    const outcome = conclude(results);
    if (outcome.kind === 'valid') {
      // Chain verified against a root and every link good: its sub-CAs may anchor later hash-data answers.
      for (const sub of verdict.path.slice(1)) issuers.learn(sub, `learned from a verified ${protocol} contract chain`);
    }
    return outcome.kind === 'valid' ? outcome : { ...outcome, detail: redact(outcome.detail) };
  }

  return {
    lookup,
    checkHashData,
    checkCertificateChain,
    close: () => lookup.close(),
  };
}
