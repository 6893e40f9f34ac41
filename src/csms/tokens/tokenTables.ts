// The CPO's own tokens (RFID cards, key codes): rows as Kysely sees them. Times are ISO 8601 strings.
export interface TokenTables {
  /** token_key: `${type}:${IDTOKEN upper-cased}` — OCPP idTokens compare case-insensitively. */
  csms_tokens: { token_key: string; id_token: string; type: string; status: string; created_at: string; updated_at: string };
}
