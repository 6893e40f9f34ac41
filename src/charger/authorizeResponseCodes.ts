// What the CSMS's AuthorizeResponse means for the EV: the ISO 15118-2 and -20 AuthorizationRes codes. The CSMS answers
// per the OCPP 2.0.1 errata C07.FR.13–17 (certificateStatus for the chain, idTokenInfo.status for the account); the
// charger turns that into the codes each part allows in AuthorizationRes.
import type { AuthorizeCertificateStatusEnumType, AuthorizeResponse, AuthorizationStatusEnumType } from '../ocpp/generated/ocpp201.js';

export interface ContractAuthorizationCodes {
  readonly accepted: boolean;
  /** -2 AuthorizationRes ResponseCode (its list has no expiry or contract codes: those read FAILED). */
  readonly iso2Code: 'OK' | 'FAILED' | 'FAILED_CertificateRevoked';
  /** -20 AuthorizationRes ResponseCode (Table 224). */
  readonly iso20Code:
    | 'OK'
    | 'WARNING_CertificateExpired'
    | 'WARNING_CertificateRevoked'
    | 'WARNING_CertificateValidationError'
    | 'WARNING_eMSPUnknown'
    | 'WARNING_GeneralPnCAuthorizationError';
  readonly reason: string;
}

const CERTIFICATE: Readonly<Record<Exclude<AuthorizeCertificateStatusEnumType, 'Accepted'>, Pick<ContractAuthorizationCodes, 'iso2Code' | 'iso20Code'>>> = {
  // C07.FR.16. EVerest answers FAILED_CertificateRevoked here (PR EVerest#1144); -2 lists it among its codes.
  CertificateRevoked: { iso2Code: 'FAILED_CertificateRevoked', iso20Code: 'WARNING_CertificateRevoked' },
  // C07.FR.15.
  CertificateExpired: { iso2Code: 'FAILED', iso20Code: 'WARNING_CertificateExpired' },
  // C07.FR.17; SignatureError and NoCertificateAvailable are "<not used>" by the errata but may still arrive.
  CertChainError: { iso2Code: 'FAILED', iso20Code: 'WARNING_CertificateValidationError' },
  SignatureError: { iso2Code: 'FAILED', iso20Code: 'WARNING_CertificateValidationError' },
  NoCertificateAvailable: { iso2Code: 'FAILED', iso20Code: 'WARNING_CertificateValidationError' },
  // C07.FR.13: the chain is fine, the contract (account) is not.
  ContractCancelled: { iso2Code: 'FAILED', iso20Code: 'WARNING_GeneralPnCAuthorizationError' },
};

/** Token statuses that refuse the contract when the chain is accepted (C07.FR.14 leaves the decision to the status). */
function accountRefusal(status: AuthorizationStatusEnumType): Pick<ContractAuthorizationCodes, 'iso2Code' | 'iso20Code'> {
  // Unknown: no eMSP knows the contract — -20 has a code for exactly that.
  return { iso2Code: 'FAILED', iso20Code: status === 'Unknown' ? 'WARNING_eMSPUnknown' : 'WARNING_GeneralPnCAuthorizationError' };
}

export function contractAuthorizationCodes(response: AuthorizeResponse): ContractAuthorizationCodes {
  const status = response.idTokenInfo.status;
  const certificate = response.certificateStatus;
  if (certificate !== undefined && certificate !== 'Accepted') {
    // C07.FR.13 pairs ContractCancelled with Unknown when no eMSP knows the contract: -20 has a code for exactly that.
    const codes = certificate === 'ContractCancelled' && status === 'Unknown' ? accountRefusal(status) : CERTIFICATE[certificate];
    return { accepted: false, ...codes, reason: `certificateStatus ${certificate}, idToken ${status}` };
  }
  if (status !== 'Accepted') {
    const unknownEmsp = status === 'Unknown' && certificate === 'Accepted';
    return { accepted: false, ...accountRefusal(status), reason: `idToken ${status}${unknownEmsp ? ' (no eMSP knows the contract)' : ''}` };
  }
  return { accepted: true, iso2Code: 'OK', iso20Code: 'OK', reason: `idToken Accepted${certificate ? ', certificateStatus Accepted' : ''}` };
}
