// The simulated processor's schema, as store-layer migrations (scope "payment-processor"). Append; never edit a
// released migration.
import { sql, type Kysely } from 'kysely';
import type { StoreMigration } from '../../store/index.js';

export const PROCESSOR_MIGRATION_SCOPE = 'payment-processor';

export const PROCESSOR_MIGRATIONS: readonly StoreMigration[] = [
  {
    name: '0001-cards-and-authorizations',
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('processor_cards')
        .addColumn('token', 'text', (c) => c.primaryKey())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('balance_minor', 'integer', (c) => c.notNull().check(sql`balance_minor >= 0`))
        .addColumn('held_minor', 'integer', (c) => c.notNull().defaultTo(0).check(sql`held_minor >= 0`))
        .addColumn('expires', 'text', (c) => c.notNull())
        .addColumn('blocked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        // The last line of defence against an overdraft: a hold can never exceed the balance.
        .addCheckConstraint('processor_cards_held_within_balance', sql`held_minor <= balance_minor`)
        .execute();
      await db.schema
        .createTable('processor_authorizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('reference', 'text', (c) => c.notNull().unique())
        .addColumn('card_token', 'text', (c) => c.notNull())
        .addColumn('amount_minor', 'integer', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('decline_reason', 'text')
        .addColumn('captured_minor', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('processor_authorizations_card').on('processor_authorizations').column('card_token').execute();
    },
  },
];
