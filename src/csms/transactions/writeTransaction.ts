// A read-modify-write transaction that behaves the same on both dialects: PostgreSQL's BEGIN (row locks taken with
// SELECT … FOR UPDATE), SQLite's BEGIN IMMEDIATE (the write lock up front, so two connections to one file wait for each
// other under busy_timeout instead of failing on a read-to-write upgrade).
import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from '../../store/index.js';

export async function writeTransaction<DB, T>(store: StoreDatabase<DB>, body: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') return store.db.transaction().execute(body);
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await body(conn);
    } catch (e) {
      try {
        await sql`rollback`.execute(conn);
      } catch (rollbackError) {
        throw new AggregateError([e, rollbackError], 'rollback after a failed transaction failed too');
      }
      throw e;
    }
    await sql`commit`.execute(conn);
    return result;
  });
}
