// What openDatabase hands back: a Kysely instance over one of the two dialects, and the way to close it.
import type { Kysely } from 'kysely';
import type { StoreDialect } from './databaseUrl.js';

export interface StoreDatabase<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: StoreDialect;
  /** The URL it was opened with, password redacted. */
  readonly url: string;
  /** Idempotent. SQLite: checkpoints and closes the file; PostgreSQL: ends the pool. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** SQLite: how long a writer waits for another connection's lock before SQLITE_BUSY (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** SQLite: run `PRAGMA quick_check` at open and refuse a damaged file (default true; O(size) — turn off for big files). */
  readonly integrityCheck?: boolean;
  /** PostgreSQL: pool size (default 10). */
  readonly poolSize?: number;
  /** PostgreSQL: how long to wait for a connection (default 10000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * PostgreSQL: an idle pooled connection failed (server restart, network). The pool drops it and the next query
   * opens a new one, or fails visibly; this hook is for logging.
   */
  readonly onBackgroundError?: (error: Error) => void;
}
