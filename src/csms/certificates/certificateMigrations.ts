// Schema of the certificates the CSMS issues through SignCertificate (scope "csms-certificates"). Append migrations;
// never edit a released one.
import type { Kysely } from 'kysely';
import { addAutoIdColumn, type StoreDialect, type StoreMigration } from '../../store/index.js';

export const CERTIFICATE_MIGRATION_SCOPE = 'csms-certificates';

export const CERTIFICATE_MIGRATIONS: readonly StoreMigration[] = [
  {
    name: '0001-issued-certificates',
    async up(db: Kysely<unknown>, dialect: StoreDialect) {
      await addAutoIdColumn(db.schema.createTable('csms_issued_certificates'), 'id', dialect)
        .addColumn('station_id', 'text', (c) => c.notNull())
        .addColumn('certificate_type', 'text', (c) => c.notNull())
        .addColumn('csr_sha256', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('suite', 'text')
        .addColumn('serial_hex', 'text')
        .addColumn('fingerprint256', 'text')
        .addColumn('subject', 'text')
        .addColumn('not_before', 'text')
        .addColumn('not_after', 'text')
        .addColumn('chain_pem', 'text')
        .addColumn('station_status', 'text')
        .addColumn('detail', 'text')
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text')
        .addColumn('answered_at', 'text')
        // One certificate per CSR and station: a repeated SignCertificate (lost answer, another node) signs nothing new.
        .addUniqueConstraint('csms_issued_certificates_csr', ['station_id', 'csr_sha256'])
        .execute();
      await db.schema.createIndex('csms_issued_certificates_station').on('csms_issued_certificates').columns(['station_id', 'id']).execute();
    },
  },
];
