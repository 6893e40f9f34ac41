import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, StoreError, type StoreErrorCode } from '../../src/store/index.js';
import { useDatabaseTargets } from '../helpers/databaseTargets.js';

const dir = mkdtempSync(join(tmpdir(), 'pnc-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openError(url: string): Promise<StoreError> {
  try {
    const store = await openDatabase(url);
    await store.close();
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
  throw new Error(`${url} opened`);
}

async function pragma(url: string, name: string): Promise<unknown> {
  const store = await openDatabase(url);
  try {
    const r = await sql<Record<string, unknown>>`${sql.raw(`pragma ${name}`)}`.execute(store.db);
    return Object.values(r.rows[0] ?? {})[0];
  } finally {
    await store.close();
  }
}

/** A valid database whose fourth page (inside table t or its index) is overwritten with a constant. */
function damagedDatabase(name: string): string {
  const f = join(dir, name);
  const d = new Database(f);
  d.exec('create table t (id integer primary key, v text); create index t_v on t (v)');
  const insert = d.prepare('insert into t (v) values (?)');
  d.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`value ${i} ${'-'.repeat(50)}`);
  })();
  d.close();
  const fd = openSync(f, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 3 * 4096);
  closeSync(fd);
  return f;
}

describe('SQLite is opened for durability', () => {
  const url = `sqlite:${join(dir, 'durable.sqlite')}`;
  it.each([
    ['journal_mode', 'wal'],
    ['synchronous', 2], // FULL: a commit is fsynced before it returns
    ['foreign_keys', 1],
    ['secure_delete', 1],
    ['busy_timeout', 5000],
  ])('%s = %s', async (name, value) => {
    expect(await pragma(url, name)).toBe(value);
  });

  it('takes the busy timeout from the options', async () => {
    const store = await openDatabase(url, { busyTimeoutMs: 1234 });
    try {
      const r = await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db);
      expect(r.rows[0]?.timeout).toBe(1234);
    } finally {
      await store.close();
    }
  });

  it('enforces foreign keys', async () => {
    const store = await openDatabase(`sqlite:${join(dir, 'fk.sqlite')}`);
    try {
      await sql`create table parent (id integer primary key)`.execute(store.db);
      await sql`create table child (id integer primary key, parent integer references parent(id))`.execute(store.db);
      await expect(sql`insert into child (id, parent) values (1, 42)`.execute(store.db)).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await store.close();
    }
  });

  it('overwrites deleted rows (secure_delete), so a deleted value is gone from the file after a checkpoint', async () => {
    const file = join(dir, 'erase.sqlite');
    const canary = `CANARY-${Date.now()}-erase-me`;
    const inFiles = () => [file, `${file}-wal`].some((f) => existsSync(f) && readFileSync(f).includes(Buffer.from(canary)));
    const store = await openDatabase(`sqlite:${file}`);
    try {
      await sql`create table t (id integer primary key, v text)`.execute(store.db);
      await sql`insert into t (v) values ('keep'), (${canary}), ('keep too')`.execute(store.db);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
      expect(inFiles()).toBe(true); // the scan sees it while it exists
      await sql`delete from t where v = ${canary}`.execute(store.db);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
      expect(inFiles()).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('creates a new database file, and its WAL and shared-memory files, readable by the owner only', async () => {
    const file = join(dir, 'private.sqlite');
    const store = await openDatabase(`sqlite:${file}`);
    try {
      await sql`create table t (x integer)`.execute(store.db);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');
    } finally {
      await store.close();
    }
  });

  it('opens an in-memory database', async () => {
    const store = await openDatabase('sqlite::memory:');
    expect(store.dialect).toBe('sqlite');
    const r = await sql<{ one: number }>`select 1 as one`.execute(store.db);
    expect(r.rows).toEqual([{ one: 1 }]);
    await store.close();
    await store.close(); // idempotent
  });
});

describe('SQLite files that cannot be used are a StoreError', () => {
  const cases: [string, () => string, StoreErrorCode, RegExp][] = [
    ['a missing directory', () => join(dir, 'missing', 'x.sqlite'), 'open', /directory does not exist/],
    [
      'a path below a regular file',
      () => {
        writeFileSync(join(dir, 'plain-file'), 'x');
        return join(dir, 'plain-file', 'x.sqlite');
      },
      'open',
      /ENOTDIR/,
    ],
    ['a directory', () => dir, 'open', /unable to open/],
    [
      'a text file',
      () => {
        const f = join(dir, 'text.sqlite');
        writeFileSync(f, 'this is not a database, only text. '.repeat(200));
        return f;
      },
      'corrupt',
      /not a database/,
    ],
    [
      'random bytes after a valid SQLite header',
      () => {
        const f = join(dir, 'header-only.sqlite');
        const header = Buffer.alloc(4096, 0xa5);
        header.write('SQLite format 3\u0000', 0, 'latin1');
        writeFileSync(f, header);
        return f;
      },
      'corrupt',
      /not a database|malformed|integrity/,
    ],
    ['a database with an overwritten b-tree page', () => damagedDatabase('damaged.sqlite'), 'corrupt', /integrity check/],
  ];
  it.each(cases)('%s', async (_name, file, code, message) => {
    const error = await openError(`sqlite:${file()}`);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('skips the integrity check when asked (for big files), and then fails on use instead', async () => {
    const store = await openDatabase(`sqlite:${damagedDatabase('damaged-unchecked.sqlite')}`, { integrityCheck: false });
    try {
      await expect(sql`select count(*) from t where v > ''`.execute(store.db)).rejects.toThrow(/malformed|corrupt/);
    } finally {
      await store.close();
    }
  });
});

describe('PostgreSQL that cannot be used is a StoreError', () => {
  it('reports an unreachable server at open, without the password', async () => {
    const error = await openError('postgres://pnc:hunter2@127.0.0.1:1/pnc');
    expect(error.code).toBe('connect');
    expect(error.message).toContain('postgres://pnc:***@127.0.0.1:1/pnc');
    expect(error.message).not.toContain('hunter2');
  });

  it('gives up within the connect timeout on a server that never answers', async () => {
    // A listening socket that never speaks: the PostgreSQL handshake cannot complete.
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const t0 = Date.now();
      const store = openDatabase(`postgres://pnc@127.0.0.1:${port}/pnc`, { connectTimeoutMs: 300 });
      await expect(store).rejects.toMatchObject({ code: 'connect' });
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });
});

describe.each(useDatabaseTargets())('$dialect round trip', (target) => {
  it('reports its dialect and keeps bytes exactly', async (ctx) => {
    const url = await target.newUrl(ctx);
    const store = await openDatabase<{ t: { b: Buffer } }>(url);
    try {
      expect(store.dialect).toBe(target.dialect);
      await store.db.schema.createTable('t').addColumn('b', target.dialect === 'sqlite' ? 'blob' : 'bytea').execute();
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await store.db.insertInto('t').values({ b: bytes }).execute();
      const row = await store.db.selectFrom('t').select('b').executeTakeFirstOrThrow();
      expect(Buffer.compare(row.b, bytes)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('refuses a database that does not exist on the server (PostgreSQL) or a path that cannot be created (SQLite)', async (ctx) => {
    const url = await target.newUrl(ctx);
    const bad = target.dialect === 'sqlite' ? url.replace(/test-\d+\.sqlite$/, 'no-such-dir/x.sqlite') : url.replace(/\/[^/]+$/, '/no_such_database');
    const error = await openError(bad);
    expect(error.code).toBe(target.dialect === 'sqlite' ? 'open' : 'connect');
  });
});
