// Contract authorization at the charger, step by step as the seed describes it:
//   1. the SECC judged the contract chain locally against the installed MO/V2G roots (the verdict comes in);
//   2. the charger asks the CSMS with OCPP Authorize: the eMAID and the OCSP hash data of the chain (C07.FR.01/02), or
//      — only when no installed root issued the chain and CentralContractValidationAllowed — the PEM chain itself
//      (C07.FR.06); a chain the charger found broken, expired or revoked is refused without asking;
//   3. the CSMS checks revocation and the account and answers (C07.FR.13–17); the answer becomes the -2/-20 codes;
//   4. no CSMS: only with ContractValidationOffline and a valid local verdict (C07.FR.07/08).
// The challenge and signature were verified by the SECC before this runs.
import type { AuthorizeRequest, AuthorizeResponse, OCSPRequestDataType } from '../ocpp/generated/ocpp201.js';
import { encodePem } from '../pki/certificate/pem.js';
import { ocspRequestDataForPath } from '../pki/ocsp/certId.js';
import type { ChainVerdict } from '../pki/verdict/chainVerdict.js';
import { contractAuthorizationCodes } from './authorizeResponseCodes.js';
import type { AuthorizationDecision } from '../iso15118/session/seccDecisionPort.js';
import { maskEmaid } from '../pki/emaid/maskEmaid.js';

export interface ContractSettings {
  /** ISO15118Ctrlr.CentralContractValidationAllowed */
  readonly centralContractValidationAllowed: boolean;
  /** ISO15118Ctrlr.ContractValidationOffline */
  readonly contractValidationOffline: boolean;
}

export interface ContractAuthorizationInput {
  readonly emaid: string;
  /** Leaf then sub-CAs, DER, as the EV sent them. */
  readonly chain: readonly Buffer[];
  readonly verdict: ChainVerdict;
  readonly settings: ContractSettings;
}

/** The CSMS could not be asked (not connected, time-out): the offline rules apply. */
export class CsmsUnavailable extends Error {
  override readonly name = 'CsmsUnavailable';
}

export interface ContractAuthorizationSteps {
  /** Sends Authorize; throws CsmsUnavailable when the CSMS cannot answer. */
  authorize(request: AuthorizeRequest): Promise<AuthorizeResponse>;
  /** One line per step for the trace (the eMAID masked). */
  step(check: string, ok: boolean, detail: string): void;
  /**
   * The offline rules beyond ContractValidationOffline and the local verdict (the block-list, the local list);
   * without it only those two decide.
   */
  offline?(): Promise<{ readonly allowed: boolean; readonly reason: string }>;
}

export interface ContractAuthorizationResult {
  readonly decision: Exclude<AuthorizationDecision, { status: 'pending' }>;
  /** What went to the CSMS. */
  readonly sent: 'hash-data' | 'certificate' | 'nothing';
  readonly offline: boolean;
}

/** OCPP allows at most 4 hash data entries (AuthorizeRequest.iso15118CertificateHashData 1…4). */
const MAX_HASH_DATA = 4;

export async function authorizeContract(input: ContractAuthorizationInput, steps: ContractAuthorizationSteps): Promise<ContractAuthorizationResult> {
  const { verdict, settings } = input;
  const who = maskEmaid(input.emaid);
  const idToken = { idToken: input.emaid, type: 'eMAID' as const };

  // 2. What to send, decided from the local verdict.
  let request: AuthorizeRequest;
  let sent: ContractAuthorizationResult['sent'];
  const noLocalVerdict = !verdict.anchorFound && (verdict.failure === 'untrusted' || verdict.failure === 'noAnchors');
  if (verdict.valid) {
    const { data, withoutUrl } = ocspRequestDataForPath(verdict.path, verdict.anchor);
    if (withoutUrl.length === 0 && data.length > 0) {
      request = { idToken, iso15118CertificateHashData: data.slice(0, MAX_HASH_DATA).map(toOcpp) };
      sent = 'hash-data';
    } else if (settings.centralContractValidationAllowed) {
      // Real contracts without an OCSP AIA (notes §7 #7): the CSMS gets the chain instead.
      request = { idToken, certificate: pemChain(input.chain) };
      sent = 'certificate';
    } else {
      steps.step('OCSP data', false, `${who}: a certificate of the chain names no OCSP responder and central validation is not allowed`);
      return { decision: { status: 'rejected', iso2Code: 'FAILED', iso20Code: 'WARNING_CertificateValidationError', reason: 'no OCSP data for the chain' }, sent: 'nothing', offline: false };
    }
  } else if (noLocalVerdict && settings.centralContractValidationAllowed) {
    request = { idToken, certificate: pemChain(input.chain) };
    sent = 'certificate';
  } else {
    steps.step('local contract verdict', false, `${who}: ${verdict.iso2ResponseCode} — not asking the CSMS`);
    return { decision: { status: 'rejected', iso2Code: verdict.iso2ResponseCode, iso20Code: verdict.iso20ResponseCode, reason: `local verdict ${verdict.failure ?? 'invalid'}` }, sent: 'nothing', offline: false };
  }

  // 3. The CSMS's answer.
  let response: AuthorizeResponse;
  try {
    response = await steps.authorize(request);
  } catch (e) {
    if (!(e instanceof CsmsUnavailable)) throw e;
    // 4. Offline (C07.FR.07/08).
    const rules = steps.offline
      ? await steps.offline()
      : { allowed: settings.contractValidationOffline && verdict.valid, reason: `ContractValidationOffline ${settings.contractValidationOffline}, local verdict ${verdict.valid ? 'valid' : 'invalid'}` };
    const allowed = rules.allowed;
    steps.step('offline contract authorization', allowed, `${who}: CSMS unavailable (${e.message}); ${rules.reason}`);
    return allowed
      ? { decision: { status: 'accepted', expiresSoon: verdict.expiresSoon }, sent, offline: true }
      : { decision: { status: 'rejected', iso2Code: 'FAILED', iso20Code: 'WARNING_GeneralPnCAuthorizationError', reason: 'CSMS unavailable (NotAtThisTime)' }, sent, offline: true };
  }
  const codes = contractAuthorizationCodes(response);
  steps.step('CSMS authorization', codes.accepted, `${who}: ${codes.reason}`);
  return codes.accepted
    ? { decision: { status: 'accepted', expiresSoon: verdict.expiresSoon }, sent, offline: false }
    : { decision: { status: 'rejected', iso2Code: codes.iso2Code, iso20Code: codes.iso20Code, reason: codes.reason }, sent, offline: false };
}

function toOcpp(d: { hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512'; issuerNameHash: string; issuerKeyHash: string; serialNumber: string; responderURL: string }): OCSPRequestDataType {
  return { hashAlgorithm: d.hashAlgorithm, issuerNameHash: d.issuerNameHash, issuerKeyHash: d.issuerKeyHash, serialNumber: d.serialNumber, responderURL: d.responderURL };
}

/** C07.FR.06: the chain as PEM, leaf first, without the root. */
function pemChain(chain: readonly Buffer[]): string {
  return chain.map((der) => encodePem('CERTIFICATE', der)).join('');
}
