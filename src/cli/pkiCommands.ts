// `pnc pki init|issue-contract|revoke|show|verify`.
import { CertificateParseError, parseCertificate } from '../pki/certificate/certificate.js';
import { PemError } from '../pki/certificate/pem.js';
import { CaDatabaseError } from '../pki/generator/caDatabase.js';
import { initPki, issueContractInPki, PkiDirectoryError, revokeInPki } from '../pki/generator/pkiDirectory.js';
import { PrivateKeyError } from '../pki/generator/keys.js';
import { EmaidError, parseEmaid } from '../pki/emaid/emaid.js';
import { isIsoCountryCode } from '../pki/generator/countryCodes.js';
import { CRL_REASONS, type CrlReason } from '../pki/ocsp/ocspMessages.js';
import { OcspClient } from '../pki/ocsp/ocspClient.js';
import { isProtocol, type Protocol } from '../pki/profile/protocolProfile.js';
import { isRole, type CertificateRole } from '../pki/profile/roleProfile.js';
import { chainVerdict, type ChainVerdict } from '../pki/verdict/chainVerdict.js';
import { createTrustStore } from '../pki/verdict/trustStore.js';
import { verifyWithOcsp, type OcspLookup } from '../pki/verdict/verifyWithOcsp.js';
import { readCertificatePaths, readCertificates } from './certificateFiles.js';
import { formatSummary, summarize } from './certificateSummary.js';
import { Exit, UsageError, type CliIo } from './io.js';
import { resolvePassphrase } from './passphrase.js';

/**
 * Errors that mean "this operation failed" (exit 1) rather than "the command line is wrong" (exit 2): our typed
 * errors, and operating-system errors (ENOTDIR, EACCES, EADDRINUSE…), which carry an errno code.
 */
export function isOperationalError(e: unknown): e is Error {
  return (
    e instanceof PkiDirectoryError ||
    e instanceof PrivateKeyError ||
    e instanceof CaDatabaseError ||
    e instanceof EmaidError ||
    e instanceof CertificateParseError ||
    e instanceof PemError ||
    (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string')
  );
}

/** ISO 8601 with a zone (Z or ±hh:mm): a time without one would be read in the machine's local zone. */
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseTime(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const t = isoTime.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`${option} expects an ISO 8601 time with a zone, e.g. 2027-06-01T00:00:00Z; got "${value}"`);
  return t;
}

export function parseProtocolOrBoth(value: string | undefined, fallback: Protocol | 'both'): Protocol | 'both' {
  if (value === undefined) return fallback;
  if (value === 'both' || isProtocol(value)) return value;
  throw new UsageError(`--protocol must be iso2, iso20 or both, got "${value}"`);
}

export interface InitArgs {
  dir: string;
  protocol?: string;
  ocspUrl?: string;
  passphrase?: string;
  country?: string;
  seccId?: string;
  emaid?: string;
  force?: boolean;
}

export function pkiInit(a: InitArgs, io: CliIo): number {
  if (a.ocspUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(a.ocspUrl)) throw new UsageError(`--ocsp-url must be an http(s) URL, got "${a.ocspUrl}"`);
  if (a.country !== undefined && !isIsoCountryCode(a.country)) throw new UsageError(`--country ${a.country} is not an ISO 3166-1 alpha-2 code`);
  if (a.emaid !== undefined) requireEmaid(a.emaid);
  const manifest = initPki(a.dir, {
    protocol: parseProtocolOrBoth(a.protocol, 'both'),
    passphrase: resolvePassphrase(a.passphrase, io),
    ...(a.ocspUrl !== undefined ? { ocspUrl: a.ocspUrl } : {}),
    ...(a.country !== undefined ? { country: a.country } : {}),
    ...(a.seccId !== undefined ? { seccId: a.seccId } : {}),
    ...(a.emaid !== undefined ? { emaid: a.emaid } : {}),
    ...(a.force ? { force: true } : {}),
  });
  const largest = Math.max(...manifest.certificates.map((c) => c.bytes));
  io.out(`test PKI in ${a.dir}: ${manifest.certificates.length} certificates (${manifest.suites.join(', ')}), largest ${largest} bytes, OCSP ${manifest.ocspUrl}\n`);
  return Exit.ok;
}

function requireEmaid(emaid: string): void {
  try {
    parseEmaid(emaid, 'strict');
  } catch (e) {
    if (e instanceof EmaidError) throw new UsageError(`--emaid: ${e.message}`);
    throw e;
  }
}

export interface IssueContractArgs {
  dir: string;
  emaid: string;
  protocol?: string;
  passphrase?: string;
  notBefore?: string;
  notAfter?: string;
  days?: string;
}

export function pkiIssueContract(a: IssueContractArgs, io: CliIo): number {
  requireEmaid(a.emaid);
  const notBefore = parseTime(a.notBefore, '--not-before');
  let notAfter = parseTime(a.notAfter, '--not-after');
  if (a.days !== undefined) {
    const days = Number(a.days);
    if (!Number.isInteger(days) || days <= 0) throw new UsageError('--days expects a positive whole number');
    notAfter = (notBefore ?? Date.now()) + days * 86_400_000;
  }
  const entries = issueContractInPki(a.dir, {
    emaid: a.emaid,
    passphrase: resolvePassphrase(a.passphrase, io),
    ...(a.protocol !== undefined ? { protocol: parseProtocolOrBoth(a.protocol, 'both') } : {}),
    ...(notBefore !== undefined ? { notBefore } : {}),
    ...(notAfter !== undefined ? { notAfter } : {}),
  });
  for (const e of entries) io.out(`${e.id}  serial ${e.serialHex}  ${e.notBefore} → ${e.notAfter}  ${e.bytes} bytes\n`);
  return Exit.ok;
}

export function pkiRevoke(a: { dir: string; cert: string; reason?: string; at?: string }, io: CliIo): number {
  if (a.reason !== undefined && !(CRL_REASONS as readonly string[]).includes(a.reason)) {
    throw new UsageError(`--reason must be one of ${CRL_REASONS.join(', ')}`);
  }
  const at = parseTime(a.at, '--at');
  const entries = revokeInPki(a.dir, a.cert, { ...(a.reason ? { reason: a.reason as CrlReason } : {}), ...(at !== undefined ? { at } : {}) });
  for (const e of entries) io.out(`revoked ${e.id} (serial ${e.serialHex}, ${e.subject})\n`);
  return Exit.ok;
}

export function pkiShow(a: { cert: string; json?: boolean }, io: CliIo): number {
  const ders = readCertificates(a.cert);
  if (ders.length === 0) throw new UsageError(`${a.cert} holds no certificate`);
  const summaries = ders.map((d) => summarize(parseCertificate(d)));
  if (a.json) io.out(`${JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2)}\n`);
  else io.out(`${summaries.map((s, i) => `certificate ${i + 1} of ${summaries.length}\n${formatSummary(s)}`).join('\n\n')}\n`);
  return Exit.ok;
}

export interface VerifyArgs {
  chain?: string;
  protocol?: string;
  roots?: string[];
  role?: string;
  at?: string;
  emaid?: string;
  json?: boolean;
  strictEmaid?: boolean;
  ocsp?: boolean;
  ocspTimeout?: string;
  ocspNonce?: string;
}

export async function pkiVerify(a: VerifyArgs, io: CliIo): Promise<number> {
  if (!a.protocol || !isProtocol(a.protocol)) throw new UsageError('--protocol iso2|iso20 is required');
  const roots = [...(a.roots ?? [])];
  // `--roots a.pem b.pem chain.pem`: a variadic option swallows the chain; the last path is then the chain.
  const chainPath = a.chain ?? (roots.length > 1 ? roots.pop() : undefined);
  if (!chainPath) throw new UsageError('CHAIN.pem is required');
  if (roots.length === 0) throw new UsageError('--roots PATH... is required');
  const role: CertificateRole = a.role === undefined ? 'contract' : isRole(a.role) ? a.role : (() => {
    throw new UsageError(`--role must be contract, secc, oem, vehicle or cps, got "${a.role}"`);
  })();
  const at = parseTime(a.at, '--at') ?? Date.now();
  const chain = readCertificates(chainPath);
  if (chain.length === 0) throw new UsageError(`${chainPath} holds no certificate`);
  const trustStore = createTrustStore(readCertificatePaths(roots));
  for (const r of trustStore.rejected) io.err(`pnc: ignoring root ${r.source}: ${r.reason}\n`);
  const input = {
    leaf: chain[0]!,
    subCAs: chain.slice(1),
    trustStore,
    protocol: a.protocol,
    role,
    at,
    ...(a.emaid !== undefined ? { expectedEmaid: a.emaid } : {}),
    checkDigit: a.strictEmaid ? ('strict' as const) : ('lenient' as const),
  };
  let verdict: ChainVerdict;
  let lookups: readonly OcspLookup[] = [];
  if (a.ocsp) {
    const timeoutMs = a.ocspTimeout !== undefined ? Number(a.ocspTimeout) : 5000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--ocsp-timeout expects milliseconds');
    const nonce = a.ocspNonce === 'require' ? true : a.ocspNonce === 'off' ? false : 'prefer';
    ({ verdict, lookups } = await verifyWithOcsp(input, new OcspClient({ timeoutMs, nonce })));
  } else {
    verdict = chainVerdict(input);
  }
  if (a.json) io.out(`${JSON.stringify(verdictJson(verdict, lookups), null, 2)}\n`);
  else io.out(formatVerdict(verdict, lookups));
  return verdict.valid ? Exit.ok : Exit.failed;
}

export function verdictJson(v: ChainVerdict, lookups: readonly OcspLookup[] = []): Record<string, unknown> {
  return {
    valid: v.valid,
    responseCode: v.responseCode,
    ocppCertificateStatus: v.ocppCertificateStatus,
    checks: v.checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail })),
    protocol: v.protocol,
    role: v.role,
    iso2ResponseCode: v.iso2ResponseCode,
    iso20ResponseCode: v.iso20ResponseCode,
    expiresSoon: v.expiresSoon,
    anchorFound: v.anchorFound,
    ...(v.emaid !== undefined ? { emaid: v.emaid } : {}),
    chain: [...v.path, ...(v.anchor ? [v.anchor] : [])].map((c) => {
      const s = summarize(c);
      return { subject: s.subject, serial: s.serial, notAfter: s.notAfter, bytes: s.bytes };
    }),
    ...(lookups.length
      ? {
          ocsp: lookups.map((l) => ({
            serial: l.certificate.serialHex,
            ...(l.result ? { status: l.result.status.status, url: l.result.url, signedBy: l.result.signedBy, ms: Math.round(l.result.ms * 10) / 10 } : {}),
            ...(l.error ? { error: l.error.code, detail: l.error.message } : {}),
            ...(l.skipped ? { skipped: l.skipped } : {}),
          })),
        }
      : {}),
  };
}

export function formatVerdict(v: ChainVerdict, lookups: readonly OcspLookup[] = []): string {
  const lines = [
    `${v.role} chain, ${v.protocol}: ${v.valid ? 'VALID' : 'INVALID'}   ISO 15118 ${v.responseCode}   OCPP ${v.ocppCertificateStatus}${v.emaid ? `   eMAID ${v.emaid}` : ''}`,
    ...v.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(18)} ${c.detail}`),
    ...lookups.map((l) =>
      l.result
        ? `  ocsp serial ${l.certificate.serialHex}: ${l.result.status.status} from ${l.result.url} (${l.result.signedBy}, ${l.result.ms.toFixed(1)} ms)`
        : l.skipped
          ? `  ocsp serial ${l.certificate.serialHex}: not asked (${l.skipped})`
          : `  ocsp serial ${l.certificate.serialHex}: ${l.error?.code} ${l.error?.message}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
