// Column types that mean the same on both dialects, for migrations written once with Kysely's schema builder.
import type { CreateTableBuilder } from 'kysely';
import type { StoreDialect } from './databaseUrl.js';

/** Raw bytes: `blob` on SQLite, `bytea` on PostgreSQL; both drivers read them back as a Buffer. */
export function blobType(dialect: StoreDialect): 'blob' | 'bytea' {
  return dialect === 'sqlite' ? 'blob' : 'bytea';
}

/**
 * An integer primary key the database assigns, increasing and never reused (SQLite AUTOINCREMENT, a PostgreSQL
 * identity column) — so "order by id" is insertion order and an id acknowledged once never comes back.
 */
export function addAutoIdColumn<TB extends string, C extends string, N extends string>(
  table: CreateTableBuilder<TB, C>,
  name: N,
  dialect: StoreDialect,
): CreateTableBuilder<TB, C | N> {
  return dialect === 'sqlite'
    ? table.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn(name, 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}
