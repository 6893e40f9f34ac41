// Row shapes of the charger's tables, as Kysely sees them. Types every dialect reads back the same way: text,
// integer (booleans as 0/1), Buffer for blobs; times are ISO 8601 strings.
import type { Generated } from 'kysely';

export interface ChargerTables {
  /** Store-level values: seal salt and key check, local list version. */
  charger_meta: { name: string; value: string };
  charger_variables: { key: string; component: string; instance: string; variable: string; value: string };
  charger_certificates: { id: Generated<number>; use: string; der: Buffer; der_sha256: string; installed_at: string };
  /** chain: JSON array of base64 DER, leaf first. private_key: already encrypted PKCS#8 PEM, or a PKCS#11 URI. */
  charger_secc_credentials: { suite: string; chain: string; private_key: string; installed_at: string };
  charger_secc_pending_keys: { suite: string; private_key: string };
  charger_secc_ocsp: { suite: string; response: Buffer; updated_at: string };
  /** token_index: HMAC of `${type}:${IDTOKEN}`; entry: the sealed LocalListEntry JSON. */
  charger_local_list: { token_index: string; entry: Buffer };
  charger_block_list: { fingerprint: string; reason: string; blocked_at: string };
  charger_transactions: {
    transaction_id: string;
    evse_id: number;
    connector_id: number;
    next_seq_no: number;
    started_at: string;
    offline: number;
    contract_fingerprint: string | null;
    ended: number;
  };
  /** payload: the sealed request JSON. */
  charger_queue: { id: Generated<number>; action: string; payload: Buffer; attempts: number; enqueued_at: string };
}
