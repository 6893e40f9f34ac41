// PostgreSQL through a pg pool. The pool is tried once at open, so a wrong host or password is reported here, as a
// StoreError, rather than on the first query.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { StoreError } from './storeError.js';
import type { OpenDatabaseOptions, StoreDatabase } from './storeDatabase.js';

export async function openPostgres<DB>(connectionString: string, url: string, options: OpenDatabaseOptions = {}): Promise<StoreDatabase<DB>> {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // Without a listener an idle client's error would be an uncaught 'error' event and end the process.
  pool.on('error', (e) => options.onBackgroundError?.(e));
  try {
    await pool.query('select 1');
  } catch (e) {
    await pool.end();
    const detail = e instanceof Error ? e.message : String(e);
    throw new StoreError('connect', `cannot connect to PostgreSQL ${url}: ${detail}`, { cause: e });
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    dialect: 'postgres',
    url,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
