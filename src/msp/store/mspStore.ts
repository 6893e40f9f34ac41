// The MSP's persistent state over the shared store layer: accounts, peers, CDRs (SQLite or PostgreSQL by URL).
import { openDatabase, runMigrations, type OpenDatabaseOptions, type StoreDatabase } from '../../store/index.js';
import { AccountStore } from './accountStore.js';
import { CdrStore } from './cdrStore.js';
import { MSP_MIGRATIONS, MSP_MIGRATION_SCOPE } from './mspMigrations.js';
import type { MspTables } from './mspTables.js';
import { PeerStore } from './peerStore.js';

export interface MspStore {
  readonly database: StoreDatabase<MspTables>;
  readonly accounts: AccountStore;
  readonly peers: PeerStore;
  readonly cdrs: CdrStore;
  close(): Promise<void>;
}

/** Opens the database at `url`, applies the MSP's migrations, and returns the stores over it. */
export async function openMspStore(url: string, options: OpenDatabaseOptions & { readonly now?: () => Date } = {}): Promise<MspStore> {
  const database = await openDatabase<MspTables>(url, options);
  try {
    await runMigrations(database, MSP_MIGRATION_SCOPE, MSP_MIGRATIONS);
  } catch (e) {
    await database.close();
    throw e;
  }
  return mspStoreOver(database, options.now);
}

/** The stores over an already opened and migrated database (shared with other scopes). */
export function mspStoreOver(database: StoreDatabase<MspTables>, now?: () => Date): MspStore {
  return {
    database,
    accounts: new AccountStore(database.db, now),
    peers: new PeerStore(database.db, now),
    cdrs: new CdrStore(database.db, now),
    close: () => database.close(),
  };
}
