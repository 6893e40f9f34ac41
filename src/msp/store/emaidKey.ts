// How the MSP finds an account from a token uid: eMAIDs compare without '-' and case-insensitively, and without the
// check digit (it is a function of the other 14 characters) — except that a check digit given on both sides must
// agree. So DE-PNC-C12345678-9, DEPNCC123456789 and depncc12345678 all name the same contract.
import { EmaidError, parseEmaid } from '../../pki/emaid/emaid.js';

export interface EmaidKey {
  /** Country + provider + instance, upper case, 14 characters. */
  readonly key: string;
  /** Normalised, with the check digit when one was written. */
  readonly normalized: string;
  readonly checkDigit?: string;
  readonly country: string;
  readonly provider: string;
}

/** The key of an eMAID, or undefined when `text` is not one. */
export function emaidKey(text: string): EmaidKey | undefined {
  try {
    const e = parseEmaid(text, 'lenient');
    return {
      key: `${e.country}${e.provider}${e.instance}`,
      normalized: e.normalized,
      ...(e.checkDigit !== undefined ? { checkDigit: e.checkDigit } : {}),
      country: e.country,
      provider: e.provider,
    };
  } catch (e) {
    if (e instanceof EmaidError) return undefined;
    throw e;
  }
}

/** A looked-up eMAID matches a registered one when the keys are equal and no two written check digits differ. */
export function checkDigitsAgree(registered: string | null | undefined, asked: string | undefined): boolean {
  return registered === null || registered === undefined || asked === undefined || registered === asked;
}
