// Row shapes of the MSP's tables (scope "msp"), as Kysely sees them on both dialects: text, integers, ISO 8601 times.
import type { Generated } from 'kysely';

export interface MspTables {
  /** A customer contract. status: active | suspended | cancelled; whitelist: OCPI WhitelistType. */
  msp_accounts: {
    id: Generated<number>;
    status: string;
    whitelist: string;
    /** PnC Direct: the card processor's token for the customer's card; null for an invoiced contract. */
    payment_token: string | null;
    created_at: string;
    updated_at: string;
  };
  /** The eMAIDs of an account. emaid_key: country + provider + instance (14 characters, upper case). */
  msp_emaids: {
    id: Generated<number>;
    emaid_key: string;
    /** As registered, normalised (no '-', upper case), with its check digit when one was given. */
    emaid: string;
    check_digit: string | null;
    account_id: number;
    created_at: string;
  };
  /** Credentials tokens A (registration), kept as SHA-256; single use. */
  msp_registration_tokens: { token_hash: string; name: string; issued_at: string; used_at: string | null };
  /** A registered CPO platform. token_b: to call them; token_c_hash: SHA-256 of the token they call us with. */
  msp_peers: {
    id: Generated<number>;
    country_code: string;
    party_id: string;
    name: string;
    /** JSON array of CredentialsRole. */
    roles: string;
    version: string;
    versions_url: string;
    /** JSON array of Endpoint. */
    endpoints: string;
    token_b: string;
    token_c_hash: string;
    registered_at: string;
    updated_at: string;
  };
  /** PnC Direct pre-authorizations handed out in real-time authorization answers. */
  msp_authorizations: {
    reference: string;
    account_id: number;
    peer_id: number;
    emaid: string;
    amount_minor: number;
    currency: string;
    created_at: string;
  };
  /** Received CDRs, one per (country_code, party_id, cdr_id) of the CPO. body: the CDR JSON as received. */
  msp_cdrs: {
    id: Generated<number>;
    country_code: string;
    party_id: string;
    cdr_id: string;
    peer_id: number;
    version: string;
    authorization_reference: string | null;
    total_cost: number;
    currency: string;
    body: string;
    received_at: string;
    /** PnC Direct settlement: null (not applicable / not yet), captured, refused, not-pnc-direct, error. */
    settlement: string | null;
    settlement_detail: string | null;
  };
}
