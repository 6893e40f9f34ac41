// The AuthorizationLog in the database, so that whichever CSMS node receives the TransactionEvent finds the Authorize
// answered (maybe by another node) just before it, and the OCPI authorization_reference reaches the CDR. One row per
// station and token, the newest answer winning even when two nodes record out of order: the table stays as small
// as the set of (station, token) pairs, and latest() is a primary-key lookup.
import type { Kysely } from 'kysely';
import type { AuthorizationStatusEnumType, IdTokenType } from '../../ocpp/generated/ocpp201.js';
import type { StoreDatabase } from '../../store/index.js';
import type { AuthorizationLog, AuthorizationLogEntry } from '../authorize/authorizeTypes.js';
import { authorizationTokenKey } from './tokenKey.js';
import { migrateTransactionStore } from './transactionMigrations.js';
import type { TransactionTables } from './transactionTables.js';

export class AuthorizationLogError extends Error {
  override readonly name = 'AuthorizationLogError';
}

const MAX_STATION_ID_LENGTH = 255;
const MAX_ID_TOKEN_LENGTH = 36;
const MAX_REFERENCE_LENGTH = 36;

export interface SqlAuthorizationLogOptions {
  /**
   * Group commit: records arriving within this many ms are written in one database transaction, and each record()
   * resolves when its batch has committed (so an answered Authorize is durable). 0 writes each record on its own.
   * Default 2 ms: on SQLite every commit is an fsync on the event loop (better-sqlite3 is synchronous), which would
   * cap Authorize at a few hundred per second.
   */
  readonly batchMs?: number;
  /** A batch is written at once when it reaches this many records (default 500). */
  readonly maxBatch?: number;
}

function rowOf(entry: AuthorizationLogEntry) {
  return {
    station_id: entry.stationId,
    token_key: authorizationTokenKey(entry.idToken),
    id_token: entry.idToken,
    token_type: entry.tokenType,
    status: entry.status,
    authorization_reference: entry.authorizationReference ?? null,
    at: new Date(entry.at).toISOString(),
  };
}

/** One statement for a whole batch. A row may appear once per statement (PostgreSQL refuses to update a row twice in
 *  one INSERT … ON CONFLICT), so the batch keeps the newest entry per station and token. */
async function upsert(db: Kysely<TransactionTables>, entries: readonly AuthorizationLogEntry[]): Promise<void> {
  const newest = new Map<string, ReturnType<typeof rowOf>>();
  for (const entry of entries) {
    const row = rowOf(entry);
    const key = `${row.station_id}\u0000${row.token_key}`;
    const seen = newest.get(key);
    if (seen === undefined || seen.at <= row.at) newest.set(key, row);
  }
  await db
    .insertInto('csms_authorizations')
    .values([...newest.values()])
    .onConflict((oc) =>
      oc
        .columns(['station_id', 'token_key'])
        .doUpdateSet((eb) => ({
          id_token: eb.ref('excluded.id_token'),
          token_type: eb.ref('excluded.token_type'),
          status: eb.ref('excluded.status'),
          authorization_reference: eb.ref('excluded.authorization_reference'),
          at: eb.ref('excluded.at'),
        }))
        // An older answer recorded late (another node, a slow call) does not replace a newer one.
        .where('csms_authorizations.at', '<=', (eb) => eb.ref('excluded.at')),
    )
    .execute();
}

interface Pending {
  readonly entry: AuthorizationLogEntry;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export async function createSqlAuthorizationLog(store: StoreDatabase<unknown>, options: SqlAuthorizationLogOptions = {}): Promise<AuthorizationLog> {
  await migrateTransactionStore(store);
  const db = store.db as Kysely<TransactionTables>;
  const batchMs = options.batchMs ?? 2;
  const maxBatch = options.maxBatch ?? 500;
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    upsert(
      db,
      batch.map((p) => p.entry),
    ).then(
        () => batch.forEach((p) => p.resolve()),
        (e: unknown) => batch.forEach((p) => p.reject(e)),
      );
  };

  return {
    async record(entry: AuthorizationLogEntry) {
      check(entry);
      // An empty idToken (NoAuthorization) identifies nobody: nothing to link a transaction to.
      if (entry.idToken.length === 0) return;
      if (batchMs <= 0) return upsert(db, [entry]);
      return new Promise<void>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        if (queue.length >= maxBatch) flush();
        else timer ??= setTimeout(flush, batchMs);
      });
    },

    async latest(stationId: string, idToken: string) {
      if (stationId.length === 0 || idToken.length === 0) return undefined;
      const row = await db
        .selectFrom('csms_authorizations')
        .selectAll()
        .where('station_id', '=', stationId)
        .where('token_key', '=', authorizationTokenKey(idToken))
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        stationId: row.station_id,
        idToken: row.id_token,
        tokenType: row.token_type as IdTokenType['type'],
        status: row.status as AuthorizationStatusEnumType,
        ...(row.authorization_reference !== null ? { authorizationReference: row.authorization_reference } : {}),
        at: row.at,
      };
    },
  };
}

function check(e: AuthorizationLogEntry): void {
  if (e.stationId.length === 0 || e.stationId.length > MAX_STATION_ID_LENGTH) throw new AuthorizationLogError(`station id must have 1–${MAX_STATION_ID_LENGTH} characters`);
  if (e.idToken.length > MAX_ID_TOKEN_LENGTH) throw new AuthorizationLogError(`idToken must have at most ${MAX_ID_TOKEN_LENGTH} characters`);
  if (e.authorizationReference !== undefined && (e.authorizationReference.length === 0 || e.authorizationReference.length > MAX_REFERENCE_LENGTH)) {
    throw new AuthorizationLogError(`authorization reference must have 1–${MAX_REFERENCE_LENGTH} characters`);
  }
  const ms = Date.parse(e.at);
  if (Number.isNaN(ms)) throw new AuthorizationLogError(`"at" is not a date-time: ${e.at.slice(0, 40)}`);
  const iso = new Date(ms).toISOString();
  if (iso.length !== 24) throw new AuthorizationLogError(`"at" is out of range: ${e.at.slice(0, 40)}`);
}
