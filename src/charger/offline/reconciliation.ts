// What the charger does when the CSMS judges a transaction's idToken: the TransactionEventResponse.idTokenInfo
// (notably for transactions started offline, once the queue is delivered after reconnect) or an AuthorizeResponse.
//
// Block-list (issue 5 §4: "whenever the CSMS answers ContractCancelled / Blocked / Expired / Invalid"):
//   idTokenInfo.status   Blocked, Expired, Invalid          → block the contract fingerprint
//   certificateStatus    ContractCancelled                  → block (C07.FR.13: the eMAID is invalid, unknown, expired
//                                                             or blocked at its provider — a failed billing validation)
//                        CertificateRevoked, CertificateExpired → block (C07.FR.15/16 pair them with Expired/Invalid;
//                                                             a revoked or expired contract never becomes valid again,
//                                                             and revocation cannot be seen offline)
//   not blocked: Unknown, NoCredit, ConcurrentTx, NotAtThisTime, NotAtThisLocation, NotAllowedTypeEVSE (about the
//   moment, the place or the account balance, not the contract), CertChainError even with its C07.FR.17 Invalid (the CSMS
//   could not verify — maybe only for now, its OCSP responder down; the block-list is one-way), and SignatureError / NoCertificateAvailable ("not used" per the
//   2023-12 errata).
// The block-list is one-way (the store has no unblock), which is why the set is kept to verdicts about the contract.
//
// Running transaction, when the answer is not Accepted (idTokenInfo.status, or a certificateStatus other than
// Accepted — the chain decides, as in authorizeResponseCodes), use case E05 with TxCtrlr:
//   StopTxOnInvalidId true                             → stop: stoppedReason DeAuthorized, triggerReason Deauthorized
//   StopTxOnInvalidId false, MaxEnergyOnInvalidId set  → keep charging up to that many Wh, then suspend
//   StopTxOnInvalidId false, no MaxEnergyOnInvalidId   → suspend the energy transfer, keep the transaction
import type { AuthorizationStatusEnumType, AuthorizeCertificateStatusEnumType, IdTokenInfoType } from '../../ocpp/generated/ocpp201.js';
import { normaliseFingerprint } from './contractFingerprint.js';

export interface CsmsJudgement {
  /** TransactionEventResponse.idTokenInfo (may be absent) or AuthorizeResponse.idTokenInfo. */
  readonly idTokenInfo?: IdTokenInfoType;
  /** AuthorizeResponse.certificateStatus (TransactionEventResponse has none). */
  readonly certificateStatus?: AuthorizeCertificateStatusEnumType;
}

export interface ReconciliationSettings {
  /** TxCtrlr.StopTxOnInvalidId */
  readonly stopTxOnInvalidId: boolean;
  /** TxCtrlr.MaxEnergyOnInvalidId (Wh), when set. */
  readonly maxEnergyOnInvalidIdWh?: number;
}

export interface ReconciliationInput {
  readonly judgement: CsmsJudgement;
  /** Fingerprint of the contract leaf the answer is about (an offline PnC transaction's contractFingerprint). */
  readonly contractFingerprint?: string;
  /** The transaction is still running (false for an Ended one or an Authorize before any start). */
  readonly transactionOngoing: boolean;
  readonly settings: ReconciliationSettings;
}

export type TransactionAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'stop'; readonly stoppedReason: 'DeAuthorized'; readonly triggerReason: 'Deauthorized' }
  | { readonly kind: 'capEnergy'; readonly maxEnergyWh: number; readonly triggerReason: 'Deauthorized' }
  | { readonly kind: 'suspendEnergy'; readonly triggerReason: 'Deauthorized' };

export interface Reconciliation {
  /** Add to the block-list (store.block(fingerprint, reason)). */
  readonly block?: { readonly fingerprint: string; readonly reason: string };
  /** The CSMS has given its verdict on the contract: the transaction's contractFingerprint can be dropped. */
  readonly contractJudged: boolean;
  readonly transaction: TransactionAction;
}

export const BLOCKING_ID_TOKEN_STATUSES: readonly AuthorizationStatusEnumType[] = ['Blocked', 'Expired', 'Invalid'];
export const BLOCKING_CERTIFICATE_STATUSES: readonly AuthorizeCertificateStatusEnumType[] = ['ContractCancelled', 'CertificateRevoked', 'CertificateExpired'];

export function reconcile(input: ReconciliationInput): Reconciliation {
  const { idTokenInfo, certificateStatus } = input.judgement;
  const fingerprint = input.contractFingerprint === undefined ? undefined : normaliseFingerprint(input.contractFingerprint);
  // A TransactionEventResponse without idTokenInfo judges nothing.
  if (!idTokenInfo && !certificateStatus) return { contractJudged: false, transaction: { kind: 'none' } };

  const reasons: string[] = [];
  // CertChainError + Invalid (C07.FR.17) says the CSMS could not verify the chain — possibly only for now (its OCSP
  // responder down): the Invalid is the chain's, not the account's, and a one-way block-list must not keep it.
  const unverified = certificateStatus === 'CertChainError';
  if (idTokenInfo && !unverified && BLOCKING_ID_TOKEN_STATUSES.includes(idTokenInfo.status)) reasons.push(`idTokenInfo.status ${idTokenInfo.status}`);
  if (certificateStatus && BLOCKING_CERTIFICATE_STATUSES.includes(certificateStatus)) reasons.push(`certificateStatus ${certificateStatus}`);
  const block = fingerprint !== undefined && reasons.length > 0 ? { fingerprint, reason: `CSMS answered ${reasons.join(', ')}` } : undefined;

  const rejected = (idTokenInfo !== undefined && idTokenInfo.status !== 'Accepted') || (certificateStatus !== undefined && certificateStatus !== 'Accepted');
  return {
    ...(block ? { block } : {}),
    contractJudged: fingerprint !== undefined,
    transaction: input.transactionOngoing && rejected ? deauthorized(input.settings) : { kind: 'none' },
  };
}

function deauthorized(s: ReconciliationSettings): TransactionAction {
  if (s.stopTxOnInvalidId) return { kind: 'stop', stoppedReason: 'DeAuthorized', triggerReason: 'Deauthorized' };
  if (s.maxEnergyOnInvalidIdWh !== undefined) return { kind: 'capEnergy', maxEnergyWh: s.maxEnergyOnInvalidIdWh, triggerReason: 'Deauthorized' };
  return { kind: 'suspendEnergy', triggerReason: 'Deauthorized' };
}
