// How a chain verdict reads in each protocol: ISO 15118-2 responseCodeType, ISO 15118-20 responseCodeType and
// OCPP 2.0.1 AuthorizeCertificateStatusEnumType. Where the anchors disagree the choice and its reason sit beside it.

/**
 * Why a chain is not usable, most severe first (the worst failing kind decides the codes). A certain statement about
 * the chain (broken, unknown root, revoked, expired) outranks "could not be checked"; the eMAID syntax comes last,
 * since ContractCancelled is for a chain that is otherwise valid (OCPP errata C07.FR.13).
 */
export const FAILURE_KINDS = ['chain', 'noAnchors', 'untrusted', 'revoked', 'expired', 'notYetValid', 'unverifiable', 'contractInvalid'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export type Iso2CertificateResponseCode =
  | 'OK'
  | 'OK_CertificateExpiresSoon'
  | 'FAILED_CertChainError'
  | 'FAILED_NoCertificateAvailable'
  | 'FAILED_CertificateNotAllowedAtThisEVSE'
  | 'FAILED_CertificateRevoked'
  | 'FAILED_ContractCanceled'
  | 'FAILED_CertificateExpired';

export type Iso20CertificateResponseCode =
  | 'OK'
  | 'OK_CertificateExpiresSoon'
  | 'WARNING_CertificateValidationError'
  | 'WARNING_eMSPUnknown'
  | 'WARNING_CertificateRevoked'
  | 'WARNING_CertificateExpired'
  | 'WARNING_CertificateNotYetValid';

export type OcppCertificateStatus =
  | 'Accepted'
  | 'SignatureError'
  | 'CertificateExpired'
  | 'CertificateRevoked'
  | 'NoCertificateAvailable'
  | 'CertChainError'
  | 'ContractCancelled';

export interface CertificateResponseCodes {
  readonly iso2: Iso2CertificateResponseCode;
  readonly iso20: Iso20CertificateResponseCode;
  readonly ocpp: OcppCertificateStatus;
}

const table: Readonly<Record<FailureKind, CertificateResponseCodes>> = {
  // Signature, chaining, profile, size, algorithm, eMAID/CN mismatch (EVerest EvseV2G maps that mismatch the same way).
  chain: { iso2: 'FAILED_CertChainError', iso20: 'WARNING_CertificateValidationError', ocpp: 'CertChainError' },
  // The trust store given is empty: EVerest answers NoCertificateAvailable. -20 AuthorizationRes has no such code
  // (WARNING_NoCertificateAvailable is not among its Table 224 codes), so -20 reads it like an unknown root. OCPP errata
  // mark NoCertificateAvailable "<not used>" and want CertChainError for anything unverifiable (C07.FR.17).
  noAnchors: { iso2: 'FAILED_NoCertificateAvailable', iso20: 'WARNING_eMSPUnknown', ocpp: 'CertChainError' },
  // Anchors exist but none issued this chain. For a contract that means its eMSP's root is not installed here:
  // -2 has FAILED_CertificateNotAllowedAtThisEVSE for that (EVerest maps "issuer not found" to it), -20 has
  // WARNING_eMSPUnknown; both tell the EV to try another contract rather than that its certificate is broken.
  // Other roles get the plain chain error (responseCodesFor).
  untrusted: { iso2: 'FAILED_CertificateNotAllowedAtThisEVSE', iso20: 'WARNING_eMSPUnknown', ocpp: 'CertChainError' },
  revoked: { iso2: 'FAILED_CertificateRevoked', iso20: 'WARNING_CertificateRevoked', ocpp: 'CertificateRevoked' },
  // The leaf CN is not a valid eMAID (or, in strict mode, its check digit is wrong). RISE-V2G answers
  // FAILED_ContractCanceled and the OCPP errata define ContractCancelled as "EMAID … invalid, unknown, expired or blocked".
  // -20 has no contract code, so it is a validation error there.
  contractInvalid: { iso2: 'FAILED_ContractCanceled', iso20: 'WARNING_CertificateValidationError', ocpp: 'ContractCancelled' },
  expired: { iso2: 'FAILED_CertificateExpired', iso20: 'WARNING_CertificateExpired', ocpp: 'CertificateExpired' },
  // -2 has no not-yet-valid code; Josev maps it to FAILED_CertificateExpired citing [V2G2-824]. OCPP has none either and
  // "CertificateExpired" would make the CSMS answer idToken Expired (C07.FR.15) for a certificate that is merely early,
  // so OCPP reads it as unverifiable (C07.FR.17).
  notYetValid: { iso2: 'FAILED_CertificateExpired', iso20: 'WARNING_CertificateNotYetValid', ocpp: 'CertChainError' },
  // OCSP said "unknown" or could not be asked: the chain cannot be verified (C07.FR.17), but nothing is known wrong.
  unverifiable: { iso2: 'FAILED_CertChainError', iso20: 'WARNING_CertificateValidationError', ocpp: 'CertChainError' },
};

export function responseCodesFor(failure: FailureKind | undefined, expiresSoon: boolean, contractRole: boolean): CertificateResponseCodes {
  if (failure === undefined) {
    return expiresSoon
      ? { iso2: 'OK_CertificateExpiresSoon', iso20: 'OK_CertificateExpiresSoon', ocpp: 'Accepted' }
      : { iso2: 'OK', iso20: 'OK', ocpp: 'Accepted' };
  }
  // A missing root only means "try another contract" for contracts; for any other role the chain is unusable.
  if (!contractRole && failure === 'untrusted') return table.chain;
  if (!contractRole && failure === 'noAnchors') return { ...table.chain, iso2: 'FAILED_NoCertificateAvailable' };
  return table[failure];
}

/** The most severe of several failures. */
export function worstFailure(kinds: Iterable<FailureKind>): FailureKind | undefined {
  let best: number | undefined;
  for (const k of kinds) {
    const i = FAILURE_KINDS.indexOf(k);
    if (best === undefined || i < best) best = i;
  }
  return best === undefined ? undefined : FAILURE_KINDS[best];
}
