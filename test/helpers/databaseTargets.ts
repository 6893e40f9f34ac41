// The dialects a store test table runs against: SQLite files in a temp dir, and PostgreSQL from startTestPostgres
// (each test its own database), or a skip that says why PostgreSQL is unavailable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, type TestContext } from 'vitest';
import { startTestPostgres, type TestPostgresStatus } from './postgres.js';

/** One dialect the same test table runs against. */
export interface DatabaseTarget {
  readonly dialect: 'sqlite' | 'postgres';
  /** A fresh, empty database for one test; skips the test (with the reason) when PostgreSQL is unavailable. */
  newUrl(ctx: TestContext): Promise<string>;
}

/**
 * Registers beforeAll/afterAll hooks for the calling test file: a temp dir for SQLite files and one PostgreSQL server
 * shared by the file's tests, each test getting its own database. Use with describe.each.
 */
export function useDatabaseTargets(): readonly DatabaseTarget[] {
  let dir = '';
  let postgres: TestPostgresStatus = { available: false, reason: 'not started' };
  let n = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pnc-store-'));
    postgres = await startTestPostgres();
  }, 60_000);
  afterAll(async () => {
    if (postgres.available) await postgres.server.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  return [
    {
      dialect: 'sqlite',
      newUrl: () => Promise.resolve(`sqlite:${join(dir, `test-${n++}.sqlite`)}`),
    },
    {
      dialect: 'postgres',
      newUrl: (ctx) => {
        if (!postgres.available) return ctx.skip(`PostgreSQL unavailable: ${postgres.reason}`);
        return postgres.server.createDatabase();
      },
    },
  ];
}
