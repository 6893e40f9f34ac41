// The shared store layer: one Kysely query layer over SQLite (embedded default) and PostgreSQL, chosen by URL.
export { blobType, addAutoIdColumn } from './columnTypes.js';
export { parseDatabaseUrl, redactDatabaseUrl, type DatabaseLocation, type StoreDialect } from './databaseUrl.js';
export { runMigrations, type StoreMigration } from './migrations.js';
export { openDatabase } from './openDatabase.js';
export type { OpenDatabaseOptions, StoreDatabase } from './storeDatabase.js';
export { StoreError, type StoreErrorCode } from './storeError.js';
