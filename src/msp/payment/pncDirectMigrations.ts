// PnC Direct's schema at the MSP, as store-layer migrations (scope "msp-payments"). Append; never edit a released one.
import type { Kysely } from 'kysely';
import type { StoreMigration } from '../../store/index.js';

export const PNC_DIRECT_MIGRATION_SCOPE = 'msp-payments';

export const PNC_DIRECT_MIGRATIONS: readonly StoreMigration[] = [
  {
    name: '0001-preauthorizations-and-settlements',
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('msp_payment_preauthorizations')
        .addColumn('authorization_reference', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('processor_authorization_id', 'text', (c) => c.notNull().unique())
        .addColumn('amount_minor', 'integer', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('msp_payment_settlements')
        .addColumn('cdr_id', 'text', (c) => c.primaryKey())
        .addColumn('authorization_reference', 'text', (c) => c.notNull().unique())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('total_minor', 'integer', (c) => c.notNull())
        .addColumn('captured_minor', 'integer')
        .addColumn('shortfall_minor', 'integer')
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('settled_at', 'text')
        .execute();
    },
  },
];
