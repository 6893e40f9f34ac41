// The roaming registry's schema as store-layer migrations (scope "csms-roaming"), portable across SQLite and
// PostgreSQL. Append new migrations; never edit a released one.
import type { Kysely } from 'kysely';
import { addAutoIdColumn, type StoreDialect, type StoreMigration } from '../../store/index.js';

export const ROAMING_MIGRATION_SCOPE = 'csms-roaming';

export const ROAMING_MIGRATIONS: readonly StoreMigration[] = [
  {
    name: '0001-roaming-registry',
    async up(db: Kysely<unknown>, dialect: StoreDialect) {
      await addAutoIdColumn(db.schema.createTable('roaming_peers'), 'id', dialect)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('versions_url', 'text', (c) => c.notNull())
        .addColumn('endpoints', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('token_c', 'text', (c) => c.notNull())
        .addColumn('token_b_hash', 'text', (c) => c.notNull().unique())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('roaming_parties')
        .addColumn('country_code', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('peer_id', 'integer', (c) => c.notNull().references('roaming_peers.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('roaming_parties_pk', ['country_code', 'party_id'])
        .execute();
      await db.schema
        .createTable('roaming_pending_tokens')
        .addColumn('token_b_hash', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('roaming_token_cache')
        .addColumn('country_code', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('uid', 'text', (c) => c.notNull())
        .addColumn('whitelist', 'text', (c) => c.notNull())
        .addColumn('valid', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('roaming_token_cache_pk', ['country_code', 'party_id', 'uid'])
        .execute();
    },
  },
];
