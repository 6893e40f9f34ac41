// A chain verdict completed with live revocation status: the local verdict first, then one OCSP exchange per
// non-root certificate of the verified path, then the same verdict with those statuses (withRevocation).
import type { Certificate } from '../certificate/certificate.js';
import { fingerprint256 } from '../certificate/fingerprint.js';
import type { OcspClient, OcspCheckResult } from '../ocsp/ocspClient.js';
import { OcspError } from '../ocsp/ocspError.js';
import { chainVerdict, withRevocation, type ChainVerdict, type ChainVerdictInput, type RevocationStatus } from './chainVerdict.js';

export interface OcspLookup {
  readonly certificate: Certificate;
  readonly result?: OcspCheckResult;
  readonly error?: OcspError;
  /** Not asked: the certificate names no OCSP responder (real contract certificates without AIA exist, libocpp#652). */
  readonly skipped?: string;
}

export interface VerdictWithOcsp {
  readonly local: ChainVerdict;
  readonly verdict: ChainVerdict;
  readonly lookups: readonly OcspLookup[];
}

/** Observers for tracing: the local verdict as soon as it exists, each OCSP exchange as it starts and ends. */
export interface VerifyWithOcspHooks {
  readonly onLocalVerdict?: (local: ChainVerdict) => void;
  readonly onRequest?: (certificate: Certificate) => void;
  readonly onLookup?: (lookup: OcspLookup) => void;
}

export async function verifyWithOcsp(input: Omit<ChainVerdictInput, 'revocation'>, client: OcspClient, hooks: VerifyWithOcspHooks = {}): Promise<VerdictWithOcsp> {
  const local = chainVerdict(input);
  hooks.onLocalVerdict?.(local);
  // Revocation only means something for a chain that reaches an anchor and holds together.
  if (!local.anchor || local.failures.includes('chain')) return { local, verdict: local, lookups: [] };
  const lookups = await Promise.all(
    local.path.map(async (cert, i): Promise<OcspLookup> => {
      if (cert.ocspUrls.length === 0) {
        const lookup = { certificate: cert, skipped: 'no OCSP URL in its AIA' };
        hooks.onLookup?.(lookup);
        return lookup;
      }
      const issuer = local.path[i + 1] ?? local.anchor!;
      hooks.onRequest?.(cert);
      let lookup: OcspLookup;
      try {
        lookup = { certificate: cert, result: await client.check(cert, issuer) };
      } catch (e) {
        if (!(e instanceof OcspError)) throw e;
        lookup = { certificate: cert, error: e };
      }
      hooks.onLookup?.(lookup);
      return lookup;
    }),
  );
  const revocation = new Map<string, RevocationStatus>();
  for (const l of lookups) {
    if (l.skipped) continue;
    const status: RevocationStatus = l.result
      ? l.result.status.status === 'revoked'
        ? { status: 'revoked', revokedAt: l.result.status.revokedAt, ...(l.result.status.reason ? { reason: l.result.status.reason } : {}) }
        : l.result.status
      : { status: 'error', message: `${l.error!.code}: ${l.error!.message}` };
    revocation.set(fingerprint256(l.certificate.der), status);
  }
  return { local, verdict: withRevocation(local, revocation), lookups };
}
