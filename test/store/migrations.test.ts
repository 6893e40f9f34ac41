import { sql, type Generated } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  addAutoIdColumn,
  blobType,
  openDatabase,
  runMigrations,
  StoreError,
  type StoreDatabase,
  type StoreMigration,
} from '../../src/store/index.js';
import { useDatabaseTargets } from '../helpers/databaseTargets.js';

interface Tables {
  notes: { id: Generated<number>; body: Buffer };
  store_migrations: { scope: string; name: string; position: number; applied_at: string };
}

const createNotes: StoreMigration = {
  name: '0001-notes',
  async up(db, dialect) {
    await addAutoIdColumn(db.schema.createTable('notes'), 'id', dialect)
      .addColumn('body', blobType(dialect), (c) => c.notNull())
      .execute();
  },
};
const addTitle: StoreMigration = {
  name: '0002-title',
  async up(db) {
    await db.schema.alterTable('notes').addColumn('title', 'text').execute();
  },
};
const failing: StoreMigration = {
  name: '0003-broken',
  async up(db) {
    await db.schema.createTable('half_done').addColumn('x', 'integer').execute();
    throw new Error('boom');
  },
};

async function recorded(store: StoreDatabase<Tables>, scope: string): Promise<string[]> {
  const rows = await store.db.selectFrom('store_migrations').select('name').where('scope', '=', scope).orderBy('position').execute();
  return rows.map((r) => r.name);
}

async function tableExists(store: StoreDatabase<Tables>, table: string): Promise<boolean> {
  const query =
    store.dialect === 'sqlite'
      ? sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`
      : sql<{ n: string }>`select count(*) as n from information_schema.tables where table_name = ${table}`;
  const r = await query.execute(store.db);
  return Number(r.rows[0]?.n) > 0;
}

async function migrationError(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe.each(useDatabaseTargets())('migrations on $dialect', (target) => {
  it('applies each migration once, in order, and records it', async (ctx) => {
    const url = await target.newUrl(ctx);
    const store = await openDatabase<Tables>(url);
    try {
      expect(await runMigrations(store, 'app', [createNotes])).toEqual(['0001-notes']);
      expect(await runMigrations(store, 'app', [createNotes])).toEqual([]);
      expect(await runMigrations(store, 'app', [createNotes, addTitle])).toEqual(['0002-title']);
      expect(await recorded(store, 'app')).toEqual(['0001-notes', '0002-title']);
    } finally {
      await store.close();
    }
    // And again from a fresh connection: nothing left to do.
    const again = await openDatabase<Tables>(url);
    try {
      expect(await runMigrations(again, 'app', [createNotes, addTitle])).toEqual([]);
    } finally {
      await again.close();
    }
  });

  it('keeps scopes apart', async (ctx) => {
    const store = await openDatabase<Tables>(await target.newUrl(ctx));
    try {
      await runMigrations(store, 'charger', [createNotes]);
      const other: StoreMigration = { name: '0001-notes', up: (db) => db.schema.createTable('csms_things').addColumn('x', 'integer').execute() };
      expect(await runMigrations(store, 'csms', [other])).toEqual(['0001-notes']);
      expect(await tableExists(store, 'csms_things')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('rolls a failing migration back whole, keeps the ones before it, and can retry', async (ctx) => {
    const store = await openDatabase<Tables>(await target.newUrl(ctx));
    try {
      const error = await migrationError(runMigrations(store, 'app', [createNotes, addTitle, failing]));
      expect(error.code).toBe('migration');
      expect(error.message).toContain('app/0003-broken failed: boom');
      expect(await recorded(store, 'app')).toEqual(['0001-notes', '0002-title']);
      expect(await tableExists(store, 'half_done')).toBe(false);
      const fixed: StoreMigration = { name: '0003-broken', up: (db) => db.schema.createTable('half_done').addColumn('x', 'integer').execute() };
      expect(await runMigrations(store, 'app', [createNotes, addTitle, fixed])).toEqual(['0003-broken']);
    } finally {
      await store.close();
    }
  });

  it('refuses a database written by another version', async (ctx) => {
    const store = await openDatabase<Tables>(await target.newUrl(ctx));
    try {
      await runMigrations(store, 'app', [createNotes, addTitle]);
      const newer = await migrationError(runMigrations(store, 'app', [createNotes]));
      expect(newer.message).toMatch(/app\/0002-title, unknown to this version/);
      const renamed = await migrationError(runMigrations(store, 'app', [createNotes, { ...addTitle, name: '0002-renamed' }]));
      expect(renamed.message).toMatch(/has migration app\/0002-title where this version expects app\/0002-renamed/);
    } finally {
      await store.close();
    }
  });

  it('refuses a bad migration list before touching the database', async (ctx) => {
    const store = await openDatabase<Tables>(await target.newUrl(ctx));
    try {
      await expect(runMigrations(store, 'app', [createNotes, createNotes])).rejects.toThrow(/listed twice/);
      await expect(runMigrations(store, 'app', [{ ...createNotes, name: '' }])).rejects.toThrow(/empty name/);
      await expect(runMigrations(store, '', [createNotes])).rejects.toThrow(/scope is empty/);
      expect(await tableExists(store, 'notes')).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('gives increasing ids that are never reused, and blobs back byte for byte', async (ctx) => {
    const store = await openDatabase<Tables>(await target.newUrl(ctx));
    try {
      await runMigrations(store, 'app', [createNotes]);
      const body = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
      const insert = async () => (await store.db.insertInto('notes').values({ body }).returning('id').executeTakeFirstOrThrow()).id;
      const a = await insert();
      const b = await insert();
      expect(b).toBeGreaterThan(a);
      await store.db.deleteFrom('notes').where('id', '=', b).execute();
      expect(await insert()).toBeGreaterThan(b); // the newest id, deleted, does not come back
      const rows = await store.db.selectFrom('notes').select('body').execute();
      for (const r of rows) expect(Buffer.compare(r.body, body)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('serialises concurrent openers: each migration runs once', async (ctx) => {
    // Several CSMS nodes starting together against one PostgreSQL. (SQLite is one process's file.)
    if (target.dialect === 'sqlite') return ctx.skip('PostgreSQL only: several nodes share one server');
    const url = await target.newUrl(ctx);
    let runs = 0;
    const counted: StoreMigration = {
      name: '0001-counted',
      async up(db) {
        runs++;
        await db.schema.createTable('counted').addColumn('x', 'integer').execute();
      },
    };
    const nodes = await Promise.all([1, 2, 3, 4].map(() => openDatabase<Tables>(url, { poolSize: 2 })));
    try {
      const applied = await Promise.all(nodes.map((n) => runMigrations(n, 'app', [counted])));
      expect(applied.flat()).toEqual(['0001-counted']);
      expect(runs).toBe(1);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });
});
