// A small in-test PnC Direct: approves the card token "card-ok" (5000 minor units), declines "card-expired" and
// "card-empty", throws for "card-broken" (a processor that fails), and records every settlement.
import type { PncDirect, PncDirectAuthorization, PncDirectSettlement } from '../../src/msp/payment/paymentProcessor.js';
import { PaymentProcessorError } from '../../src/msp/payment/paymentProcessor.js';

export class TestPncDirect implements PncDirect {
  readonly holds = new Map<string, { readonly accountId: string; readonly amountMinor: number }>();
  readonly settlements: { cdrId: string; authorizationReference: string; totalCostMinor: number; currency: string }[] = [];
  failSettle = false;

  authorize(account: { readonly accountId: string; readonly paymentToken: string }, authorizationReference: string): Promise<PncDirectAuthorization> {
    switch (account.paymentToken) {
      case 'card-ok':
        this.holds.set(authorizationReference, { accountId: account.accountId, amountMinor: 5000 });
        return Promise.resolve({ allowed: 'ALLOWED', authorizationReference, amountMinor: 5000, currency: 'EUR' });
      case 'card-expired':
        return Promise.resolve({ allowed: 'NO_CREDIT', reason: 'expired_card' });
      case 'card-broken':
        return Promise.reject(new PaymentProcessorError('processor down'));
      default:
        return Promise.resolve({ allowed: 'NO_CREDIT', reason: 'insufficient_funds' });
    }
  }

  settle(cdr: { readonly cdrId: string; readonly authorizationReference: string; readonly totalCostMinor: number; readonly currency: string }): Promise<PncDirectSettlement> {
    if (this.failSettle) return Promise.reject(new PaymentProcessorError('processor down'));
    this.settlements.push({ ...cdr });
    const hold = this.holds.get(cdr.authorizationReference);
    if (!hold) return Promise.resolve({ status: 'not-pnc-direct' });
    if (cdr.totalCostMinor > hold.amountMinor) return Promise.resolve({ status: 'refused', reason: 'more than pre-authorised' });
    return Promise.resolve({ status: 'captured', amountMinor: cdr.totalCostMinor, currency: cdr.currency });
  }
}
