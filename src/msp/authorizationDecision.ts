// The MSP's answer to a real-time authorization, as a pure function of the account (if any) and, for a PnC Direct
// account, the card pre-authorization. Table-tested.
//
// Status → OCPI AllowedType:
// - active → ALLOWED (PnC Direct: only when the processor approved the hold; a decline or an unreachable
//   processor → NO_CREDIT, the AllowedType for "not enough credit to charge").
// - suspended → BLOCKED: the contract exists but is switched off for now (unpaid bill, lost card) and may come back;
//   OCPI's BLOCKED is exactly "this token is blocked".
// - cancelled → EXPIRED: the contract has ended for good. OCPI has no "cancelled"; EXPIRED says the token is no
//   longer valid at all rather than held back, and the CPO maps it to OCPP Expired (C07: ContractCancelled+Expired).
// - no account → unknown token (tokens module: HTTP 404, status 2004), not an AllowedType.
import type { AllowedType } from '../ocpi/ocpiTypes.js';
import type { MspAccount } from './store/accountStore.js';
import type { PncDirectAuthorization } from './payment/paymentProcessor.js';

export type AuthorizationDecision =
  | { readonly kind: 'unknown-token' }
  /** Active PnC Direct account and no pre-authorization result yet: ask the processor, then decide again. */
  | { readonly kind: 'pre-authorize' }
  | { readonly kind: 'answer'; readonly allowed: AllowedType; readonly valid: boolean; readonly reason: string };

/** `pncDirect`: the processor's answer; 'not-configured' when the MSP runs without a processor. */
export function decideAuthorization(account: Pick<MspAccount, 'status' | 'paymentToken'> | undefined, pncDirect?: PncDirectAuthorization | 'not-configured'): AuthorizationDecision {
  if (account === undefined) return { kind: 'unknown-token' };
  switch (account.status) {
    case 'suspended':
      return { kind: 'answer', allowed: 'BLOCKED', valid: false, reason: 'account suspended' };
    case 'cancelled':
      return { kind: 'answer', allowed: 'EXPIRED', valid: false, reason: 'account cancelled' };
    case 'active':
      break;
  }
  if (account.paymentToken === undefined) return { kind: 'answer', allowed: 'ALLOWED', valid: true, reason: 'account active' };
  if (pncDirect === undefined) return { kind: 'pre-authorize' };
  if (pncDirect === 'not-configured') return { kind: 'answer', allowed: 'NO_CREDIT', valid: true, reason: 'PnC Direct account but no payment processor configured' };
  if (pncDirect.allowed === 'ALLOWED') {
    return { kind: 'answer', allowed: 'ALLOWED', valid: true, reason: `PnC Direct: ${pncDirect.amountMinor} ${pncDirect.currency} (minor units) pre-authorised` };
  }
  return { kind: 'answer', allowed: 'NO_CREDIT', valid: true, reason: `PnC Direct declined: ${pncDirect.reason}` };
}
