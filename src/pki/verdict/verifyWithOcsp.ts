// A chain verdict completed with live revocation status: the local verdict first, then one OCSP exchange per
// non-root certificate of the verified path, then the verdict again with those statuses.
import type { Certificate } from '../certificate/certificate.js';
import type { OcspClient, OcspCheckResult } from '../ocsp/ocspClient.js';
import { OcspError } from '../ocsp/ocspError.js';
import { chainVerdict, fingerprint256, type ChainVerdict, type ChainVerdictInput, type RevocationStatus } from './chainVerdict.js';

export interface OcspLookup {
  readonly certificate: Certificate;
  readonly result?: OcspCheckResult;
  readonly error?: OcspError;
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
  // Revocation is only meaningful for a chain that reaches an anchor; otherwise the local verdict stands.
  if (!local.anchor || local.failure === 'chain') return { local, verdict: local, lookups: [] };
  const lookups = await Promise.all(
    local.path.map(async (cert, i): Promise<OcspLookup> => {
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
    const status: RevocationStatus = l.result
      ? l.result.status.status === 'revoked'
        ? { status: 'revoked', revokedAt: l.result.status.revokedAt, ...(l.result.status.reason ? { reason: l.result.status.reason } : {}) }
        : l.result.status
      : { status: 'error', message: `${l.error!.code}: ${l.error!.message}` };
    revocation.set(fingerprint256(l.certificate.der), status);
  }
  return { local, verdict: chainVerdict({ ...input, revocation }), lookups };
}
