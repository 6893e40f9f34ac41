// The seams of PnC Authorize on the CSMS: revocation of the contract chain (OCSP), the billing account at the eMSP
// (OCPI), and the record that links an Authorize to the transaction that follows.
import type { AuthorizationStatusEnumType, IdTokenInfoType, IdTokenType, OCSPRequestDataType } from '../../ocpp/generated/ocpp201.js';

export interface CheckContext {
  /** Trace session id (the station id plus the transaction or message id). */
  readonly session?: string;
  readonly stationId?: string;
}

/** One OCSP lookup made for a decision, for the trace and the dashboard. */
export interface RevocationCheck {
  /** Certificate subject CN, or the serial number (hex) when only hash data was given. */
  readonly certificate: string;
  readonly responder?: string;
  readonly status: 'good' | 'revoked' | 'unknown' | 'error';
  readonly fromCache: boolean;
  readonly ms: number;
  readonly detail?: string;
}

/**
 * The chain's verdict, as C07.FR.15–17 need it: valid; expired (any link); revoked (any link); unverifiable (broken
 * chain, untrusted anchor, wrong eMAID, unknown OCSP status, responder unreachable or refused by the SSRF policy…).
 */
export type RevocationOutcome =
  | { readonly kind: 'valid'; readonly checks: readonly RevocationCheck[] }
  | { readonly kind: 'expired' | 'revoked' | 'unverifiable'; readonly detail: string; readonly checks: readonly RevocationCheck[] };

export interface ContractRevocationChecker {
  /** AuthorizeRequest.iso15118CertificateHashData: one OCSP lookup per entry at its responderURL (C07.FR.05). */
  checkHashData(entries: readonly OCSPRequestDataType[], context: CheckContext): Promise<RevocationOutcome>;
  /** AuthorizeRequest.certificate (central validation, C07.FR.06): full chain verdict against V2G/MO roots, leaf CN =
   *  eMAID, then OCSP for each link with CertIDs computed here. */
  checkCertificateChain(pemChain: string, emaid: string, context: CheckContext): Promise<RevocationOutcome>;
}

/** Where the EV charges, for OCPI LocationReferences and the CDR. */
export interface ChargingLocation {
  readonly stationId: string;
  readonly evseId?: number;
}

export interface BillingOutcome {
  readonly status: AuthorizationStatusEnumType;
  /** OCPI AuthorizationInfo.authorization_reference: must come back in the CDR (PnC Direct captures by it). */
  readonly authorizationReference?: string;
  /** The eMSP that answered (country code + party id), absent for an unknown provider. */
  readonly emsp?: { readonly countryCode: string; readonly partyId: string };
  /** Human-readable reason, traced. */
  readonly detail: string;
}

export interface BillingChecker {
  /** Real-time authorization of an eMAID at the eMSP found from its provider ID. Never throws for peer failures:
   *  unknown provider → Unknown; eMSP unreachable → whitelist rule (ALLOWED_OFFLINE → Accepted) else NotAtThisTime. */
  authorizeEmaid(emaid: string, location: ChargingLocation, context: CheckContext): Promise<BillingOutcome>;
}

/** What the CSMS answers for a token outside a certificate check (TransactionEvent, RFID Authorize, offline re-check). */
export interface TokenAuthorizationResult {
  readonly idTokenInfo: IdTokenInfoType;
  readonly authorizationReference?: string;
}

export interface TokenAuthorizer {
  /** eMAID → the eMSP (BillingChecker); other tokens → the CSMS's own token list. `offline`: the station started the
   *  transaction while offline and this is the re-check after the fact. */
  authorizeToken(idToken: IdTokenType, location: ChargingLocation, context: CheckContext & { readonly offline?: boolean }): Promise<TokenAuthorizationResult>;
}

/** Authorize answers remembered per station and token, so the transaction that follows carries the same OCPI
 *  authorization_reference into its CDR. Stored in the database (any CSMS node may receive the TransactionEvent). */
export interface AuthorizationLog {
  record(entry: AuthorizationLogEntry): Promise<void>;
  /** The newest entry for this station and token (token compared case-insensitively, '-' ignored for eMAIDs). */
  latest(stationId: string, idToken: string): Promise<AuthorizationLogEntry | undefined>;
}

export interface AuthorizationLogEntry {
  readonly stationId: string;
  readonly idToken: string;
  readonly tokenType: IdTokenType['type'];
  readonly status: AuthorizationStatusEnumType;
  readonly authorizationReference?: string;
  /** ISO 8601. */
  readonly at: string;
}
