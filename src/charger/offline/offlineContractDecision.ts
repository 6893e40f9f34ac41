// PnC while the CSMS cannot be reached (issue 5 §4, seed "offline"): the contract is accepted only when
//   1. ISO15118Ctrlr.ContractValidationOffline is true (C07.FR.07: otherwise no charging on the contract),
//   2. the local chain verdict against the installed MO/V2G roots is valid (C07.FR.08), and
//   3. the contract leaf (SHA-256 fingerprint) has never failed a billing validation (it is not on the block-list).
// Otherwise the driver is offered EIM (the local allow-list). The first failing condition is the reason.
import type { ChainVerdict } from '../../pki/verdict/chainVerdict.js';
import { normaliseFingerprint } from './contractFingerprint.js';

export interface OfflineContractInput {
  /** ISO15118Ctrlr.ContractValidationOffline */
  readonly contractValidationOffline: boolean;
  /** The local verdict on the contract chain. */
  readonly verdict: Pick<ChainVerdict, 'valid' | 'failure'>;
  /** contractFingerprint() of the contract leaf. */
  readonly fingerprint: string;
  /** The store's isBlocked(fingerprint). */
  readonly blockListed: boolean;
}

export type OfflineContractRefusal = 'contractValidationOfflineDisabled' | 'localVerdictInvalid' | 'blockListed';

export type OfflineContractDecision =
  | {
      readonly allowed: true;
      /** Kept on the transaction (OpenTransactionRecord.contractFingerprint) until the CSMS has judged it. */
      readonly fingerprint: string;
    }
  | { readonly allowed: false; readonly reason: OfflineContractRefusal; readonly detail: string; readonly fallback: 'eim' };

export function decideOfflineContract(input: OfflineContractInput): OfflineContractDecision {
  const fingerprint = normaliseFingerprint(input.fingerprint);
  if (!input.contractValidationOffline) {
    return { allowed: false, reason: 'contractValidationOfflineDisabled', detail: 'CSMS unreachable and ISO15118Ctrlr.ContractValidationOffline is false', fallback: 'eim' };
  }
  if (!input.verdict.valid) {
    return { allowed: false, reason: 'localVerdictInvalid', detail: `CSMS unreachable and the local contract verdict is invalid (${input.verdict.failure ?? 'unspecified'})`, fallback: 'eim' };
  }
  if (input.blockListed) {
    return { allowed: false, reason: 'blockListed', detail: 'CSMS unreachable and this contract certificate failed a billing validation before', fallback: 'eim' };
  }
  return { allowed: true, fingerprint };
}
