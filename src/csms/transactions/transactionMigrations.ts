// Schema of the CSMS's transactions, their events, the CDR hand-off state and the authorization log (scope
// "csms-transactions"), the same on SQLite and PostgreSQL. Append migrations; never edit a released one.
import type { Kysely } from 'kysely';
import { addAutoIdColumn, runMigrations, type StoreDatabase, type StoreDialect, type StoreMigration } from '../../store/index.js';

export const TRANSACTION_MIGRATION_SCOPE = 'csms-transactions';

export const TRANSACTION_MIGRATIONS: readonly StoreMigration[] = [
  {
    name: '0001-transactions',
    async up(db: Kysely<unknown>, dialect: StoreDialect) {
      await addAutoIdColumn(db.schema.createTable('csms_transactions'), 'id', dialect)
        .addColumn('station_id', 'text', (c) => c.notNull())
        .addColumn('transaction_id', 'text', (c) => c.notNull())
        .addColumn('evse_id', 'integer')
        .addColumn('connector_id', 'integer')
        .addColumn('id_token', 'text')
        .addColumn('token_type', 'text')
        .addColumn('id_token_seq_no', 'integer')
        .addColumn('id_token_status', 'text')
        .addColumn('authorization_reference', 'text')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('has_started', 'integer', (c) => c.notNull())
        .addColumn('started_offline', 'integer', (c) => c.notNull())
        .addColumn('first_seq_no', 'integer', (c) => c.notNull())
        .addColumn('last_seq_no', 'integer', (c) => c.notNull())
        .addColumn('events_count', 'integer', (c) => c.notNull())
        .addColumn('last_event_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('ended_seq_no', 'integer')
        .addColumn('stopped_reason', 'text')
        .addColumn('meter_start_wh', 'double precision')
        .addColumn('meter_start_rank', 'double precision')
        .addColumn('meter_end_wh', 'double precision')
        .addColumn('meter_end_rank', 'double precision')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('cdr_state', 'text')
        .addColumn('cdr_claimed_by', 'text')
        .addColumn('cdr_claim_token', 'text')
        .addColumn('cdr_claimed_until', 'text')
        .addColumn('cdr_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cdr_next_attempt_at', 'text')
        .addColumn('cdr_last_error', 'text')
        .addColumn('cdr_emsp', 'text')
        .addColumn('cdr_sent_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('csms_transactions_station_transaction', ['station_id', 'transaction_id'])
        .execute();
      // The dispatcher's claim looks for due CDRs by state and time.
      await db.schema.createIndex('csms_transactions_cdr_due').on('csms_transactions').columns(['cdr_state', 'cdr_next_attempt_at']).execute();

      await addAutoIdColumn(db.schema.createTable('csms_transaction_events'), 'id', dialect)
        .addColumn('station_id', 'text', (c) => c.notNull())
        .addColumn('transaction_id', 'text', (c) => c.notNull())
        .addColumn('seq_no', 'integer', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('trigger_reason', 'text', (c) => c.notNull())
        .addColumn('timestamp', 'text', (c) => c.notNull())
        .addColumn('offline', 'integer', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('request_sha256', 'text', (c) => c.notNull())
        .addColumn('response', 'text')
        .addColumn('claim_token', 'text')
        .addColumn('claimed_until', 'text')
        .addColumn('applied_at', 'text')
        // Exactly once per (station, transaction, seqNo), whichever node receives it: the database decides.
        .addUniqueConstraint('csms_transaction_events_seq', ['station_id', 'transaction_id', 'seq_no'])
        .execute();

      await db.schema
        .createTable('csms_authorizations')
        .addColumn('station_id', 'text', (c) => c.notNull())
        .addColumn('token_key', 'text', (c) => c.notNull())
        .addColumn('id_token', 'text', (c) => c.notNull())
        .addColumn('token_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('authorization_reference', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('csms_authorizations_pk', ['station_id', 'token_key'])
        .execute();
    },
  },
];

/** Creates or updates the tables; safe to call from every factory and every node (migrations are serialised). */
export async function migrateTransactionStore(store: StoreDatabase<unknown>, now?: () => Date): Promise<void> {
  await runMigrations(store, TRANSACTION_MIGRATION_SCOPE, TRANSACTION_MIGRATIONS, now);
}
