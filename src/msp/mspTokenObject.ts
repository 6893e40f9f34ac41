// The OCPI Token object the MSP shows for one of its eMAIDs: the eMAID is both uid and contract_id (uid without
// '-', contract_id in the display form CC-PPP-IIIIIIIII-D); type EMAID for 2.3.0 peers, OTHER for 2.2.1 (no EMAID
// type there); valid only while the account is active.
import type { OcpiToken, OcpiVersionNumber, TokenType } from '../ocpi/ocpiTypes.js';
import { ocpiDateTime } from '../ocpi/ocpiStatus.js';
import type { MspAccount } from './store/accountStore.js';

export interface MspParty {
  readonly countryCode: string;
  readonly partyId: string;
  /** Business name: CredentialsRole.business_details.name and Token.issuer. */
  readonly name: string;
  readonly website?: string;
}

export function emaidTokenType(version: OcpiVersionNumber): TokenType {
  return version === '2.3.0' ? 'EMAID' : 'OTHER';
}

export function tokenObject(party: MspParty, account: MspAccount, emaid: string, type: TokenType): OcpiToken {
  return {
    country_code: party.countryCode,
    party_id: party.partyId,
    uid: emaid,
    type,
    contract_id: displayEmaid(emaid),
    issuer: party.name.slice(0, 64),
    valid: account.status === 'active',
    whitelist: account.whitelist,
    last_updated: ocpiDateTime(new Date(account.updatedAt)),
  };
}

/** DEPNCC123456789 → DE-PNC-C12345678-9 (the instance is 9 characters; the check digit optional). */
export function displayEmaid(normalized: string): string {
  const m = /^([A-Z]{2})([A-Z0-9]{3})([A-Z0-9]{9})([A-Z0-9])?$/.exec(normalized);
  if (!m) return normalized;
  return [m[1], m[2], m[3], m[4]].filter((p) => p !== undefined).join('-');
}
