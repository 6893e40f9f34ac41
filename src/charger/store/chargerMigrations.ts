// The charger's schema, as store-layer migrations (scope "charger"): written once with the portable schema builder.
// Append new migrations; never edit a released one.
import type { Kysely } from 'kysely';
import { addAutoIdColumn, blobType, type StoreDialect, type StoreMigration } from '../../store/index.js';

export const CHARGER_MIGRATION_SCOPE = 'charger';

export const CHARGER_MIGRATIONS: readonly StoreMigration[] = [
  {
    name: '0001-charger-state',
    async up(db: Kysely<unknown>, dialect: StoreDialect) {
      const blob = blobType(dialect);
      await db.schema
        .createTable('charger_meta')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('charger_variables')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('component', 'text', (c) => c.notNull())
        .addColumn('instance', 'text', (c) => c.notNull())
        .addColumn('variable', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await addAutoIdColumn(db.schema.createTable('charger_certificates'), 'id', dialect)
        .addColumn('use', 'text', (c) => c.notNull())
        .addColumn('der', blob, (c) => c.notNull())
        .addColumn('der_sha256', 'text', (c) => c.notNull())
        .addColumn('installed_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('charger_certificates_use_der', ['use', 'der_sha256'])
        .execute();
      await db.schema
        .createTable('charger_secc_credentials')
        .addColumn('suite', 'text', (c) => c.primaryKey())
        .addColumn('chain', 'text', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('installed_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('charger_secc_pending_keys')
        .addColumn('suite', 'text', (c) => c.primaryKey())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('charger_secc_ocsp')
        .addColumn('suite', 'text', (c) => c.primaryKey())
        .addColumn('response', blob, (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('charger_local_list')
        .addColumn('token_index', 'text', (c) => c.primaryKey())
        .addColumn('entry', blob, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('charger_block_list')
        .addColumn('fingerprint', 'text', (c) => c.primaryKey())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('blocked_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('charger_transactions')
        .addColumn('transaction_id', 'text', (c) => c.primaryKey())
        .addColumn('evse_id', 'integer', (c) => c.notNull())
        .addColumn('connector_id', 'integer', (c) => c.notNull())
        .addColumn('next_seq_no', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('offline', 'integer', (c) => c.notNull())
        .addColumn('contract_fingerprint', 'text')
        .addColumn('ended', 'integer', (c) => c.notNull())
        .execute();
      await addAutoIdColumn(db.schema.createTable('charger_queue'), 'id', dialect)
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('payload', blob, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('enqueued_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
];
