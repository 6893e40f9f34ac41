// The CPO's own tokens (its RFID cards, key codes): what the CSMS answers for a token that no eMSP issued. Managed
// from the CLI (`pnc csms token add|block|list`).
import type { Kysely } from 'kysely';
import type { AuthorizationStatusEnumType, IdTokenEnumType } from '../../ocpp/generated/ocpp201.js';
import { runMigrations, type StoreDatabase } from '../../store/index.js';
import { TOKEN_MIGRATION_SCOPE, TOKEN_MIGRATIONS } from './tokenMigrations.js';
import type { TokenTables } from './tokenTables.js';

export const LISTED_TOKEN_TYPES = ['ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'Central'] as const satisfies readonly IdTokenEnumType[];
export type ListedTokenType = (typeof LISTED_TOKEN_TYPES)[number];
export const TOKEN_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid'] as const satisfies readonly AuthorizationStatusEnumType[];
export type ListedTokenStatus = (typeof TOKEN_STATUSES)[number];

export interface ListedToken {
  readonly idToken: string;
  readonly type: ListedTokenType;
  readonly status: ListedTokenStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export class TokenListError extends Error {
  override readonly name = 'TokenListError';
}

function tokenKey(type: string, idToken: string): string {
  return `${type}:${idToken.toUpperCase()}`;
}

export function isListedTokenType(type: string): type is ListedTokenType {
  return (LISTED_TOKEN_TYPES as readonly string[]).includes(type);
}

export class TokenList {
  private constructor(
    private readonly db: Kysely<TokenTables>,
    private readonly now: () => Date,
  ) {}

  static async open(store: StoreDatabase<unknown>, now: () => Date = () => new Date()): Promise<TokenList> {
    await runMigrations(store, TOKEN_MIGRATION_SCOPE, TOKEN_MIGRATIONS, now);
    return new TokenList(store.db as unknown as Kysely<TokenTables>, now);
  }

  /** Adds or replaces a token. idToken: 1–36 characters (OCPP IdTokenType.idToken). */
  async put(idToken: string, type: ListedTokenType, status: ListedTokenStatus = 'Accepted'): Promise<ListedToken> {
    if (idToken.length === 0 || idToken.length > 36) throw new TokenListError(`idToken must have 1–36 characters, got ${idToken.length}`);
    if (!isListedTokenType(type)) throw new TokenListError(`token type ${String(type)} is not one of ${LISTED_TOKEN_TYPES.join(', ')}`);
    if (!(TOKEN_STATUSES as readonly string[]).includes(status)) throw new TokenListError(`status ${String(status)} is not one of ${TOKEN_STATUSES.join(', ')}`);
    const at = this.now().toISOString();
    await this.db
      .insertInto('csms_tokens')
      .values({ token_key: tokenKey(type, idToken), id_token: idToken, type, status, created_at: at, updated_at: at })
      .onConflict((oc) => oc.column('token_key').doUpdateSet({ status, updated_at: at }))
      .execute();
    return (await this.get(idToken, type))!;
  }

  async get(idToken: string, type: string): Promise<ListedToken | undefined> {
    const row = await this.db.selectFrom('csms_tokens').selectAll().where('token_key', '=', tokenKey(type, idToken)).executeTakeFirst();
    return row && { idToken: row.id_token, type: row.type as ListedTokenType, status: row.status as ListedTokenStatus, createdAt: row.created_at, updatedAt: row.updated_at };
  }

  async list(): Promise<ListedToken[]> {
    const rows = await this.db.selectFrom('csms_tokens').selectAll().orderBy('token_key').execute();
    return rows.map((row) => ({ idToken: row.id_token, type: row.type as ListedTokenType, status: row.status as ListedTokenStatus, createdAt: row.created_at, updatedAt: row.updated_at }));
  }
}
