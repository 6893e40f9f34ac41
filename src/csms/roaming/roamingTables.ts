// Row shapes of the CSMS's roaming tables (scope "csms-roaming"), as Kysely sees them on both dialects.
import type { Generated } from 'kysely';

export interface RoamingTables {
  /** A registered eMSP platform. token_c: what we send when we call it; token_b_hash: SHA-256 of what it sends us. */
  roaming_peers: {
    id: Generated<number>;
    name: string;
    version: string;
    versions_url: string;
    /** JSON array of OCPI Endpoint. */
    endpoints: string;
    /** JSON array of OCPI CredentialsRole (the eMSP's). */
    roles: string;
    token_c: string;
    token_b_hash: string;
    registered_at: string;
    updated_at: string;
  };
  /** Which platform serves an eMSP party (country code + party id = the eMAID's provider prefix). */
  roaming_parties: { country_code: string; party_id: string; peer_id: number };
  /** Tokens B handed out in a registration that has not finished: the eMSP calls our versions with them meanwhile. */
  roaming_pending_tokens: { token_b_hash: string; created_at: string; expires_at: string };
  /** Last known whitelist/valid of a token, from authorize answers and pulled token lists (offline fallback). */
  roaming_token_cache: { country_code: string; party_id: string; uid: string; whitelist: string; valid: number; updated_at: string };
}
