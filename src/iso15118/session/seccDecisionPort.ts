// What the SECC asks the charger application (the charger party implements this port; `standaloneDecisionPort` is the
// built-in one for tests and `pnc charger --standalone`). The SECC owns the protocol; the port owns every decision.
import type { ChainVerdict } from '../../pki/verdict/chainVerdict.js';
import type { V2gProtocol } from './appProtocolNegotiation.js';

export type IdentificationMethod = 'pnc' | 'eim';

export interface SessionContext {
  /** Hex SessionID the SECC assigned. */
  readonly sessionId: string;
  readonly protocol: V2gProtocol;
  /** TLS protected: PnC may be offered at all. */
  readonly secure: boolean;
  /** EVCCID (-2: MAC address hex; -20: the EVCCID string). */
  readonly evccId: string;
}

export interface ContractRequest {
  readonly session: SessionContext;
  /** Normalised eMAID (leaf CN). */
  readonly emaid: string;
  /** Contract leaf then sub-CAs, DER, as the EV sent them. */
  readonly chain: readonly Buffer[];
  /** The SECC's local verdict with its installed MO/V2G roots. */
  readonly verdict: ChainVerdict;
}

/** A decision on a contract or an EIM identification. `pending`: ask again (the SECC answers Ongoing meanwhile). */
export type AuthorizationDecision =
  | { readonly status: 'accepted'; readonly expiresSoon?: boolean }
  | { readonly status: 'pending' }
  | {
      readonly status: 'rejected';
      /** The -2 ResponseCode to answer with (default FAILED). */
      readonly iso2Code?: string;
      /** The -20 ResponseCode to answer with (default FAILED). */
      readonly iso20Code?: string;
      readonly reason: string;
    };

export interface ChainCheck {
  /** Go on with the contract (the chain will be authorised at Authorization) or stop with these codes. */
  readonly proceed: boolean;
  readonly iso2Code: string;
  readonly iso20Code: string;
  readonly reason: string;
}

export interface SeccDecisionPort {
  /** Identification methods to offer in this session (PnC is dropped by the SECC when the connection is not TLS). */
  identificationOptions(session: SessionContext): readonly IdentificationMethod[];
  /** PaymentDetails (-2) / the start of Authorization (-20): does the contract chain allow going on? */
  checkContractChain(request: ContractRequest): ChainCheck;
  /** After the challenge signature verified: the contract authorization (backend, MSP…). Polled while `pending`. */
  authorizeContract(request: ContractRequest): Promise<AuthorizationDecision> | AuthorizationDecision;
  /** EIM (RFID, app…): polled while `pending`. */
  authorizeExternal(session: SessionContext): AuthorizationDecision;
  /** -2 CertificateInstallationReq as EXI; the CertificateInstallationRes EXI to send verbatim, or undefined. */
  installCertificate?(session: SessionContext, requestExi: Uint8Array): Promise<Uint8Array | undefined>;
  /** During the charge loop: the charger wants the EV to stop (e.g. the CSMS deauthorised the transaction). */
  stopRequested?(session: SessionContext): boolean;
  /** The session ended (stop, failure, time-out): forget what it held. */
  sessionEnded?(session: SessionContext, outcome: string): void;
}
