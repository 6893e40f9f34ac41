// How a CDR settles against its pre-authorization, pure so that it is table-tested: capture the CDR's total, but
// never more than was held (the processor refuses that); what the hold does not cover is a shortfall the MSP must
// collect another way. A CDR in another currency than the hold captures nothing; the hold stays in place (the
// processor does not convert) for an operator to capture or release.
import { formatMinor } from './money.js';

export interface HeldAmount {
  readonly amountMinor: number;
  readonly currency: string;
}

export interface CdrTotal {
  readonly totalCostMinor: number;
  readonly currency: string;
}

export type SettlementPlan =
  | { readonly kind: 'capture'; readonly captureMinor: number; readonly shortfallMinor: number }
  | { readonly kind: 'refuse'; readonly reason: string };

export function planSettlement(hold: HeldAmount, cdr: CdrTotal): SettlementPlan {
  if (cdr.currency !== hold.currency) {
    return { kind: 'refuse', reason: `the CDR is in ${cdr.currency}, the pre-authorization in ${hold.currency}: nothing captured` };
  }
  const captureMinor = Math.min(cdr.totalCostMinor, hold.amountMinor);
  return { kind: 'capture', captureMinor, shortfallMinor: cdr.totalCostMinor - captureMinor };
}

/** The refusal text of a settlement whose total exceeded the hold. */
export function shortfallReason(capturedMinor: number, shortfallMinor: number, currency: string): string {
  return `the total exceeds the pre-authorised amount: captured ${formatMinor(capturedMinor, currency)}, shortfall ${formatMinor(shortfallMinor, currency)} not collected`;
}
