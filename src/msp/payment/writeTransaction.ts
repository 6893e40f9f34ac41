// A read-then-write transaction on either dialect. SQLite: BEGIN IMMEDIATE takes the write lock before the first
// read, so a second process on the same file waits (busy timeout) instead of failing on a stale snapshot when it
// writes. PostgreSQL: READ COMMITTED; the callers' writes are conditional UPDATEs re-checked under the row lock.
import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from '../../store/index.js';

export async function writeTransaction<DB, T>(store: StoreDatabase<DB>, work: (tx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') return store.db.transaction().execute(work);
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await work(conn);
    } catch (e) {
      await sql`rollback`.execute(conn);
      throw e;
    }
    await sql`commit`.execute(conn);
    return result;
  });
}
