// Schema of the station registry (scope "csms-stations"), written once with the portable schema builder.
// Append migrations; never edit a released one.
import type { Kysely } from 'kysely';
import type { StoreMigration } from '../../store/index.js';

export const STATION_MIGRATION_SCOPE = 'csms-stations';

export const STATION_MIGRATIONS: readonly StoreMigration[] = [
  {
    name: '0001-stations',
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('csms_stations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('min_security_profile', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('vendor', 'text')
        .addColumn('model', 'text')
        .addColumn('serial_number', 'text')
        .addColumn('firmware_version', 'text')
        .addColumn('boot_reason', 'text')
        .addColumn('booted_at', 'text')
        .addColumn('last_seen', 'text')
        .addColumn('connected_node', 'text')
        .addColumn('connection_id', 'text')
        .addColumn('connected_at', 'text')
        .execute();
      await db.schema.createIndex('csms_stations_connected_node').on('csms_stations').column('connected_node').execute();
      await db.schema
        .createTable('csms_station_connectors')
        .addColumn('station_id', 'text', (c) => c.notNull().references('csms_stations.id').onDelete('cascade'))
        .addColumn('evse_id', 'integer', (c) => c.notNull())
        .addColumn('connector_id', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reported_at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('csms_station_connectors_pk', ['station_id', 'evse_id', 'connector_id'])
        .execute();
    },
  },
];
