// Pure decisions of the OCPI billing check, table-tested: the eMSP's AllowedType as an OCPP idTokenInfo.status, and
// what to answer when the eMSP cannot be asked (OCPI WhitelistType: ALLOWED_OFFLINE — and ALWAYS, which allows
// without asking at all — let the CPO accept a token it knew to be valid; ALLOWED and NEVER do not).
import type { AuthorizationStatusEnumType } from '../../ocpp/generated/ocpp201.js';
import type { AllowedType } from '../../ocpi/ocpiTypes.js';
import type { LastKnownToken } from './roamingRegistry.js';

export function statusForAllowed(allowed: AllowedType): AuthorizationStatusEnumType {
  switch (allowed) {
    case 'ALLOWED':
      return 'Accepted';
    case 'BLOCKED':
      return 'Blocked';
    case 'EXPIRED':
      return 'Expired';
    case 'NO_CREDIT':
      return 'NoCredit';
    case 'NOT_ALLOWED':
      return 'NotAtThisLocation';
  }
}

export function offlineDecision(lastKnown: LastKnownToken | undefined): { readonly status: AuthorizationStatusEnumType; readonly detail: string } {
  if (lastKnown === undefined) return { status: 'NotAtThisTime', detail: 'no earlier answer for this token' };
  if (!lastKnown.valid) return { status: 'NotAtThisTime', detail: `token was last known invalid (${lastKnown.updatedAt})` };
  if (lastKnown.whitelist === 'ALLOWED_OFFLINE' || lastKnown.whitelist === 'ALWAYS') {
    return { status: 'Accepted', detail: `whitelist ${lastKnown.whitelist} (known since ${lastKnown.updatedAt})` };
  }
  return { status: 'NotAtThisTime', detail: `whitelist ${lastKnown.whitelist} needs the eMSP` };
}
