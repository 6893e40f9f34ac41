// Schema of the CPO's own token list (scope "csms-tokens"). Append migrations; never edit a released one.
import type { Kysely } from 'kysely';
import type { StoreMigration } from '../../store/index.js';

export const TOKEN_MIGRATION_SCOPE = 'csms-tokens';

export const TOKEN_MIGRATIONS: readonly StoreMigration[] = [
  {
    name: '0001-tokens',
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('csms_tokens')
        .addColumn('token_key', 'text', (c) => c.primaryKey())
        .addColumn('id_token', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
];
