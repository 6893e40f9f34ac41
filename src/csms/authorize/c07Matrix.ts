// The CSMS's answer to a contract-certificate Authorize, as the OCPP 2.0.1 Edition 2 errata (2023-12) define it in
// C07.FR.13–17: certificateStatus says what happened to the chain, idTokenInfo.status to the contract (account).
// Neither CitrineOS (Invalid for everything) nor MaEVe (Blocked + SignatureError) answers this way; stations map the
// pair to ISO 15118 codes, so the exact pair matters.
import type { AuthorizationStatusEnumType, AuthorizeCertificateStatusEnumType } from '../../ocpp/generated/ocpp201.js';
import type { RevocationOutcome } from './authorizeTypes.js';

export interface C07Answer {
  readonly certificateStatus: AuthorizeCertificateStatusEnumType;
  readonly status: AuthorizationStatusEnumType;
  /** Which requirement decided, for the trace. */
  readonly rule: 'C07.FR.13' | 'C07.FR.14' | 'C07.FR.15' | 'C07.FR.16' | 'C07.FR.17';
}

/** Token statuses that cancel the contract although its chain is valid (C07.FR.13). */
const CONTRACT_CANCELLING: ReadonlySet<AuthorizationStatusEnumType> = new Set(['Blocked', 'Expired', 'Invalid', 'Unknown']);

/**
 * `tokenStatus` is the account's status at the eMSP; it is only asked for (and only passed) when the chain is valid:
 * a revoked or expired contract is refused without a billing call — with PnC Direct that call would put a hold on the
 * driver's card for a contract that cannot charge.
 */
export function c07Answer(chain: RevocationOutcome['kind'], tokenStatus?: AuthorizationStatusEnumType): C07Answer {
  switch (chain) {
    case 'expired':
      return { certificateStatus: 'CertificateExpired', status: 'Expired', rule: 'C07.FR.15' };
    case 'revoked':
      return { certificateStatus: 'CertificateRevoked', status: 'Invalid', rule: 'C07.FR.16' };
    case 'unverifiable':
      return { certificateStatus: 'CertChainError', status: 'Invalid', rule: 'C07.FR.17' };
    case 'valid': {
      if (tokenStatus === undefined) throw new TypeError('c07Answer: a valid chain needs the token status');
      return CONTRACT_CANCELLING.has(tokenStatus)
        ? { certificateStatus: 'ContractCancelled', status: tokenStatus, rule: 'C07.FR.13' }
        : // FR.14: the station may still refuse to charge (ConcurrentTx, NoCredit…): the token status says so.
          { certificateStatus: 'Accepted', status: tokenStatus, rule: 'C07.FR.14' };
    }
  }
}
