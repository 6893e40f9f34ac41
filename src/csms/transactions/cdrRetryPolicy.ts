// When a CDR the eMSP could not take is tried again: exponential back-off, capped, and a last attempt after which it
// is marked failed (traced as an error, kept in the table for an operator to re-queue — never dropped). Pure.
export interface CdrRetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** Attempts in all, the first delivery included. */
  readonly maxAttempts: number;
}

export const DEFAULT_CDR_RETRY_POLICY: CdrRetryPolicy = { initialDelayMs: 30_000, maxDelayMs: 3_600_000, factor: 2, maxAttempts: 20 };

export class CdrRetryPolicyError extends Error {
  override readonly name = 'CdrRetryPolicyError';
}

export function checkCdrRetryPolicy(p: CdrRetryPolicy): CdrRetryPolicy {
  if (!(p.initialDelayMs >= 0 && Number.isFinite(p.initialDelayMs))) throw new CdrRetryPolicyError(`initialDelayMs must be a finite number ≥ 0, got ${p.initialDelayMs}`);
  if (!(p.maxDelayMs >= p.initialDelayMs && Number.isFinite(p.maxDelayMs))) throw new CdrRetryPolicyError(`maxDelayMs must be finite and ≥ initialDelayMs, got ${p.maxDelayMs}`);
  if (!(p.factor >= 1 && Number.isFinite(p.factor))) throw new CdrRetryPolicyError(`factor must be ≥ 1, got ${p.factor}`);
  if (!(Number.isInteger(p.maxAttempts) && p.maxAttempts >= 1)) throw new CdrRetryPolicyError(`maxAttempts must be an integer ≥ 1, got ${p.maxAttempts}`);
  return p;
}

export type CdrRetryDecision = { readonly kind: 'retry'; readonly delayMs: number } | { readonly kind: 'give-up' };

/** After the `attempts`-th failed attempt (1 = the first delivery failed). */
export function cdrRetryDecision(attempts: number, policy: CdrRetryPolicy): CdrRetryDecision {
  if (attempts >= policy.maxAttempts) return { kind: 'give-up' };
  const delay = policy.initialDelayMs * policy.factor ** Math.max(0, attempts - 1);
  return { kind: 'retry', delayMs: Math.min(policy.maxDelayMs, Math.round(delay)) };
}
