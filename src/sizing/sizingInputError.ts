// Input `pnc sizing` cannot estimate from: a bad parameter, a PKI directory it cannot use, or numbers too large to
// count exactly. The command reports it as a usage error (exit 2).
export class SizingInputError extends Error {
  override readonly name = 'SizingInputError';
}

/** a × b × …, refusing results beyond Number.MAX_SAFE_INTEGER rather than printing rounded byte counts. */
export function exactProduct(...factors: readonly number[]): number {
  let product = 1;
  for (const f of factors) product *= f;
  if (!Number.isSafeInteger(product)) throw new SizingInputError(`the estimate exceeds ${Number.MAX_SAFE_INTEGER} (${factors.join(' × ')}); use smaller counts`);
  return product;
}

export function exactSum(terms: readonly number[]): number {
  const sum = terms.reduce((s, t) => s + t, 0);
  if (!Number.isSafeInteger(sum)) throw new SizingInputError(`the estimate exceeds ${Number.MAX_SAFE_INTEGER}; use smaller counts`);
  return sum;
}
