// The simulated processor's decisions, pure so that they are table-tested: whether a card may hold an amount, and
// what a capture request does to an authorization. The ledger (processorLedger.ts) applies them in a transaction
// and lets the database make the "exactly once" parts true (conditional updates).
import type { CaptureResult, DeclineReason } from './paymentProcessor.js';

export interface CardState {
  readonly currency: string;
  readonly balanceMinor: number;
  /** Sum of the open holds; available = balance − held. */
  readonly heldMinor: number;
  /** Last month of validity, YYYY-MM (the card is good through the end of that month, UTC). */
  readonly expires: string;
  readonly blocked: boolean;
}

export type AuthorizationState = 'held' | 'captured' | 'released' | 'declined';

export interface AuthorizationRecord {
  readonly id: string;
  readonly state: AuthorizationState;
  /** The amount held (or asked for, when declined). */
  readonly amountMinor: number;
  readonly currency: string;
  readonly capturedMinor: number | null;
}

export type PreauthorizationDecision =
  | { readonly kind: 'approve' }
  | { readonly kind: 'decline'; readonly reason: DeclineReason }
  /** Not a decline of the card: the caller asked in a currency the card is not in (a caller error, HTTP 422). */
  | { readonly kind: 'currency-mismatch'; readonly cardCurrency: string };

export const EXPIRES_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A card expiring YYYY-MM is valid until the first instant of the following month (UTC). */
export function cardExpired(expires: string, now: number): boolean {
  const m = EXPIRES_PATTERN.exec(expires);
  // An unreadable expiry never authorises anything.
  if (m === null) return true;
  const year = Number(m[1]);
  const month = Number(m[2]); // 1–12; as a 0-based month index it names the month after.
  return now >= Date.UTC(year, month, 1);
}

/** Declines in the order a card network reports them: unknown, then blocked, then expired, then funds. */
export function decidePreauthorization(card: CardState | undefined, amountMinor: number, currency: string, now: number): PreauthorizationDecision {
  if (card === undefined) return { kind: 'decline', reason: 'unknown_card' };
  if (card.blocked) return { kind: 'decline', reason: 'card_blocked' };
  if (cardExpired(card.expires, now)) return { kind: 'decline', reason: 'expired_card' };
  if (card.currency !== currency) return { kind: 'currency-mismatch', cardCurrency: card.currency };
  if (card.balanceMinor - card.heldMinor < amountMinor) return { kind: 'decline', reason: 'insufficient_funds' };
  return { kind: 'approve' };
}

export type CaptureDecision =
  /** Capture now: move `amountMinor` from the hold to the merchant, release the rest. */
  | { readonly kind: 'capture' }
  /** Already decided: answer this (a repeated capture of the same amount gets the same capture). */
  | { readonly kind: 'answer'; readonly result: CaptureResult };

export function decideCapture(auth: AuthorizationRecord | undefined, amountMinor: number): CaptureDecision {
  if (auth === undefined) return refused('unknown authorization');
  switch (auth.state) {
    case 'declined':
      return refused('the authorization was declined');
    case 'released':
      return refused('the authorization was released');
    case 'captured':
      if (auth.capturedMinor === amountMinor) {
        return { kind: 'answer', result: { status: 'captured', authorizationId: auth.id, amountMinor, currency: auth.currency } };
      }
      return refused(`already captured ${auth.capturedMinor ?? 0} (minor units); a different amount cannot be captured again`);
    case 'held':
      if (amountMinor > auth.amountMinor) return refused(`capture of ${amountMinor} exceeds the held ${auth.amountMinor} (minor units)`);
      return { kind: 'capture' };
  }
}

function refused(reason: string): CaptureDecision {
  return { kind: 'answer', result: { status: 'refused', reason } };
}
