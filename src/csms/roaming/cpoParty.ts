// Who the CSMS is in OCPI: its CPO party (country code + party id) and business name, and the credentials it gives.
import type { Credentials, CredentialsRole } from '../../ocpi/ocpiTypes.js';

export interface CpoParty {
  readonly countryCode: string;
  readonly partyId: string;
  readonly name: string;
  readonly website?: string;
}

export function cpoRole(cpo: CpoParty): CredentialsRole {
  return {
    role: 'CPO',
    business_details: { name: cpo.name, ...(cpo.website !== undefined ? { website: cpo.website } : {}) },
    party_id: cpo.partyId,
    country_code: cpo.countryCode,
  };
}

export function cpoCredentials(cpo: CpoParty, token: string, versionsUrl: string): Credentials {
  return { token, url: versionsUrl, roles: [cpoRole(cpo)] };
}
