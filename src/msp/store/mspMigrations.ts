// The MSP's schema as store-layer migrations (scope "msp"), portable across SQLite and PostgreSQL. Append new
// migrations; never edit a released one.
import type { Kysely } from 'kysely';
import { addAutoIdColumn, type StoreDialect, type StoreMigration } from '../../store/index.js';

export const MSP_MIGRATION_SCOPE = 'msp';

export const MSP_MIGRATIONS: readonly StoreMigration[] = [
  {
    name: '0001-msp-accounts-peers-cdrs',
    async up(db: Kysely<unknown>, dialect: StoreDialect) {
      await addAutoIdColumn(db.schema.createTable('msp_accounts'), 'id', dialect)
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('whitelist', 'text', (c) => c.notNull())
        .addColumn('payment_token', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await addAutoIdColumn(db.schema.createTable('msp_emaids'), 'id', dialect)
        .addColumn('emaid_key', 'text', (c) => c.notNull().unique())
        .addColumn('emaid', 'text', (c) => c.notNull())
        .addColumn('check_digit', 'text')
        .addColumn('account_id', 'integer', (c) => c.notNull().references('msp_accounts.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('msp_emaids_account').on('msp_emaids').column('account_id').execute();
      await db.schema
        .createTable('msp_registration_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await addAutoIdColumn(db.schema.createTable('msp_peers'), 'id', dialect)
        .addColumn('country_code', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('versions_url', 'text', (c) => c.notNull())
        .addColumn('endpoints', 'text', (c) => c.notNull())
        .addColumn('token_b', 'text', (c) => c.notNull())
        .addColumn('token_c_hash', 'text', (c) => c.notNull().unique())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('msp_peers_party', ['country_code', 'party_id'])
        .execute();
      await db.schema
        .createTable('msp_authorizations')
        .addColumn('reference', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'integer', (c) => c.notNull())
        .addColumn('peer_id', 'integer', (c) => c.notNull())
        .addColumn('emaid', 'text', (c) => c.notNull())
        .addColumn('amount_minor', 'integer', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await addAutoIdColumn(db.schema.createTable('msp_cdrs'), 'id', dialect)
        .addColumn('country_code', 'text', (c) => c.notNull())
        .addColumn('party_id', 'text', (c) => c.notNull())
        .addColumn('cdr_id', 'text', (c) => c.notNull())
        .addColumn('peer_id', 'integer', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('authorization_reference', 'text')
        .addColumn('total_cost', 'double precision', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('settlement', 'text')
        .addColumn('settlement_detail', 'text')
        .addUniqueConstraint('msp_cdrs_cpo_id', ['country_code', 'party_id', 'cdr_id'])
        .execute();
    },
  },
];
