// The one entry point: the URL picks SQLite (embedded default) or PostgreSQL; both give the same Kysely interface.
import { parseDatabaseUrl, redactDatabaseUrl } from './databaseUrl.js';
import { openPostgres } from './openPostgres.js';
import { openSqlite } from './openSqlite.js';
import type { OpenDatabaseOptions, StoreDatabase } from './storeDatabase.js';

export async function openDatabase<DB>(url: string, options: OpenDatabaseOptions = {}): Promise<StoreDatabase<DB>> {
  const location = parseDatabaseUrl(url);
  const shown = redactDatabaseUrl(url);
  if (location.dialect === 'sqlite') return openSqlite<DB>(location.file, shown, options);
  return openPostgres<DB>(location.connectionString, shown, options);
}
