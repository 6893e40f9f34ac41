// SQLite through better-sqlite3, set up for durability: WAL with synchronous=FULL so a committed transaction is on
// disk before the call returns (the charger's queue must survive kill -9 and power loss), foreign keys enforced,
// secure_delete so deleted rows are overwritten rather than left in free pages.
import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { StoreError, type StoreErrorCode } from './storeError.js';
import type { OpenDatabaseOptions, StoreDatabase } from './storeDatabase.js';

const CORRUPT_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

export function openSqlite<DB>(file: string, url: string, options: OpenDatabaseOptions = {}): StoreDatabase<DB> {
  const memory = file === ':memory:';
  if (!memory) createOwnerOnly(file, url);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (e) {
    throw new StoreError(codeOf(e, 'open'), `cannot open SQLite database ${url}: ${messageOf(e)}`, { cause: e });
  }
  try {
    // The first statement reads the header: a file that is not a database fails here (SQLITE_NOTADB).
    const journal = String(sqlite.pragma('journal_mode = WAL', { simple: true }));
    if (!memory && journal.toLowerCase() !== 'wal') {
      throw new StoreError('pragma', `SQLite database ${url} refused WAL mode (journal_mode is ${journal})`);
    }
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('secure_delete = ON');
    if (!memory && options.integrityCheck !== false) {
      const result = String(sqlite.pragma('quick_check', { simple: true }));
      if (result !== 'ok') throw new StoreError('corrupt', `SQLite database ${url} failed its integrity check: ${result}`);
    }
  } catch (e) {
    sqlite.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(codeOf(e, 'pragma'), `cannot use SQLite database ${url}: ${messageOf(e)}`, { cause: e });
  }

  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  let closed = false;
  return {
    db,
    dialect: 'sqlite',
    url,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/** Prepared statements kept per SQL text (bounded): Kysely prepares every query afresh, which cost a CSMS under load
 *  more CPU than running them. Reuse is safe: better-sqlite3 runs a statement to completion synchronously. */
const STATEMENT_CACHE_SIZE = 512;

function withStatementCache(sqlite: Database.Database): { prepare(sql: string): Database.Statement; close(): void } {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        // A bounded Map forgets its oldest entry: statements with generated SQL (multi-row inserts) come and go.
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}

/** A new database file is readable by its owner only; SQLite gives its -wal and -shm files the same mode. */
function createOwnerOnly(file: string, url: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const reason = code === 'ENOENT' ? 'the directory does not exist' : messageOf(e);
    throw new StoreError('open', `cannot create SQLite database ${url}: ${reason}`, { cause: e });
  }
}

function codeOf(e: unknown, fallback: StoreErrorCode): StoreErrorCode {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPT_CODES.has(code) ? 'corrupt' : fallback;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
