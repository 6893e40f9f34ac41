// The MSP's view of a card payment processor (PnC Direct): pre-authorise an amount when charging starts, capture the
// final amount from the CDR, release what was not used. The simulated processor (processorServer.ts) speaks this over
// real HTTP; processorClient.ts is the MSP's client.

export type DeclineReason = 'expired_card' | 'insufficient_funds' | 'card_blocked' | 'unknown_card';

export type PreauthorizationResult =
  | { readonly status: 'approved'; readonly authorizationId: string; readonly amountMinor: number; readonly currency: string }
  | { readonly status: 'declined'; readonly reason: DeclineReason };

export type CaptureResult =
  | { readonly status: 'captured'; readonly authorizationId: string; readonly amountMinor: number; readonly currency: string }
  /** Capturing more than was pre-authorised, an unknown or already released authorization. */
  | { readonly status: 'refused'; readonly reason: string };

export interface PaymentProcessor {
  /** `reference` is idempotency: the same reference twice gives the same authorization. */
  preauthorize(paymentToken: string, amountMinor: number, currency: string, reference: string): Promise<PreauthorizationResult>;
  /** Idempotent per authorizationId: capturing twice the same amount returns the same capture. */
  capture(authorizationId: string, amountMinor: number): Promise<CaptureResult>;
  release(authorizationId: string): Promise<void>;
}

/** The processor could not be reached or answered garbage: the MSP treats the payment as not authorised. */
export class PaymentProcessorError extends Error {
  override readonly name = 'PaymentProcessorError';
}

/** PnC Direct at the MSP: what the OCPI authorize and cdrs routes call for an account that holds a payment token. */
export type PncDirectAuthorization =
  | { readonly allowed: 'ALLOWED'; readonly authorizationReference: string; readonly amountMinor: number; readonly currency: string }
  /** Declined by the processor, or the processor unreachable: OCPI NO_CREDIT. */
  | { readonly allowed: 'NO_CREDIT'; readonly reason: DeclineReason | 'processor-unavailable' };

export type PncDirectSettlement =
  | { readonly status: 'captured'; readonly amountMinor: number; readonly currency: string }
  /** The CDR names no pre-authorization of ours (not a PnC Direct session). */
  | { readonly status: 'not-pnc-direct' }
  | { readonly status: 'refused'; readonly reason: string };

export interface PncDirect {
  /** Pre-authorises the configured hold amount; `authorizationReference` (OCPI) is the idempotency key. */
  authorize(account: { readonly accountId: string; readonly paymentToken: string }, authorizationReference: string): Promise<PncDirectAuthorization>;
  /** From a received CDR: captures its total cost against the pre-authorization, releases the rest. Idempotent per CDR id. */
  settle(cdr: { readonly cdrId: string; readonly authorizationReference: string; readonly totalCostMinor: number; readonly currency: string }): Promise<PncDirectSettlement>;
}
