// Named migrations applied once, in order, each in its own transaction together with its record in store_migrations.
// The same list runs on both dialects. A scope keeps several users apart (the charger, the CSMS) in one database.
// Concurrent openers (several CSMS nodes) are serialised: SQLite by BEGIN IMMEDIATE, PostgreSQL by an advisory lock.
import { sql, type Kysely } from 'kysely';
import type { StoreDialect } from './databaseUrl.js';
import { StoreError } from './storeError.js';
import type { StoreDatabase } from './storeDatabase.js';

export interface StoreMigration {
  /** Unique within its scope, never renamed once released. */
  readonly name: string;
  /** Runs inside the migration's transaction; use `db.schema` (portable) and blobType/addAutoIdColumn. */
  up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void>;
}

interface MigrationsTable {
  store_migrations: { scope: string; name: string; position: number; applied_at: string };
}

/** Arbitrary constant key for pg_advisory_xact_lock: "pnc-store migrations". */
const PG_MIGRATION_LOCK = 0x706e6373;

/** Applies the migrations of `scope` not yet recorded; returns the names applied now. */
export async function runMigrations<DB>(
  store: StoreDatabase<DB>,
  scope: string,
  migrations: readonly StoreMigration[],
  now: () => Date = () => new Date(),
): Promise<string[]> {
  checkList(scope, migrations);
  const applied: string[] = [];
  const db = store.db as unknown as Kysely<MigrationsTable>;
  for (;;) {
    // One migration per transaction: a failure keeps the ones before it.
    const name = await db.connection().execute(async (conn) => {
      await begin(conn, store.dialect);
      try {
        await conn.schema
          .createTable('store_migrations')
          .ifNotExists()
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('applied_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('store_migrations_pk', ['scope', 'name'])
          .execute();
        const done = await conn.selectFrom('store_migrations').select(['name', 'position']).where('scope', '=', scope).orderBy('position').execute();
        checkApplied(scope, migrations, done.map((r) => r.name));
        const next = migrations[done.length];
        if (next === undefined) {
          await sql`commit`.execute(conn);
          return undefined;
        }
        try {
          await next.up(conn as unknown as Kysely<unknown>, store.dialect);
        } catch (e) {
          throw new StoreError('migration', `migration ${scope}/${next.name} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
        await conn
          .insertInto('store_migrations')
          .values({ scope, name: next.name, position: done.length, applied_at: now().toISOString() })
          .execute();
        await sql`commit`.execute(conn);
        return next.name;
      } catch (e) {
        await rollback(conn, e);
        throw e;
      }
    });
    if (name === undefined) return applied;
    applied.push(name);
  }
}

async function begin(conn: Kysely<MigrationsTable>, dialect: StoreDialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`begin immediate`.execute(conn);
  } else {
    await sql`begin`.execute(conn);
    await sql`select pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`.execute(conn);
  }
}

async function rollback(conn: Kysely<MigrationsTable>, cause: unknown): Promise<void> {
  try {
    await sql`rollback`.execute(conn);
  } catch (e) {
    // Report both: the failure that made us roll back, and that the rollback itself failed.
    throw new StoreError('migration', `rollback after a failed migration step failed too`, { cause: new AggregateError([cause, e]) });
  }
}

function checkList(scope: string, migrations: readonly StoreMigration[]): void {
  if (scope === '') throw new StoreError('migration', 'migration scope is empty');
  const seen = new Set<string>();
  for (const m of migrations) {
    if (m.name === '') throw new StoreError('migration', `a migration of ${scope} has an empty name`);
    if (seen.has(m.name)) throw new StoreError('migration', `migration ${scope}/${m.name} is listed twice`);
    seen.add(m.name);
  }
}

/** The recorded migrations must be a prefix of the list: anything else is a database from another version. */
function checkApplied(scope: string, migrations: readonly StoreMigration[], done: readonly string[]): void {
  done.forEach((name, i) => {
    const expected = migrations[i]?.name;
    if (expected === undefined) {
      throw new StoreError('migration', `database has migration ${scope}/${name}, unknown to this version (a newer version wrote it)`);
    }
    if (expected !== name) {
      throw new StoreError('migration', `database has migration ${scope}/${name} where this version expects ${scope}/${expected}`);
    }
  });
}
