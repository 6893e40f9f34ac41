// The eMSP registry in the database (scope "csms-roaming"): registered platforms and the parties they serve, tokens
// B of registrations in progress, and the last known state of eMSP tokens. Shared by every CSMS node.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CredentialsRole, OcpiEndpoint, OcpiVersionNumber, WhitelistType } from '../../ocpi/ocpiTypes.js';
import { openDatabase, runMigrations, type OpenDatabaseOptions, type StoreDatabase } from '../../store/index.js';
import type { EmspParty, EmspPeer } from './emspPeer.js';
import { ROAMING_MIGRATIONS, ROAMING_MIGRATION_SCOPE } from './roamingMigrations.js';
import type { RoamingTables } from './roamingTables.js';

export interface NewEmspPeer {
  readonly name: string;
  readonly version: OcpiVersionNumber;
  readonly versionsUrl: string;
  readonly endpoints: readonly OcpiEndpoint[];
  readonly roles: readonly CredentialsRole[];
  readonly tokenC: string;
  /** The token B we gave this platform (stored as a hash). */
  readonly tokenB: string;
  readonly parties: readonly EmspParty[];
}

export interface LastKnownToken {
  readonly whitelist: WhitelistType;
  readonly valid: boolean;
  readonly updatedAt: string;
}

export interface TokenStateRow extends LastKnownToken {
  readonly countryCode: string;
  readonly partyId: string;
  readonly uid: string;
}

/** Who presented an incoming token: a registered eMSP, or one whose registration is still in progress. */
export type IncomingToken = { readonly kind: 'peer'; readonly peer: EmspPeer } | { readonly kind: 'pending' };

export class RoamingRegistry {
  constructor(
    readonly db: Kysely<RoamingTables>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async addPendingToken(tokenB: string, ttlMs: number): Promise<void> {
    const at = this.now();
    await this.db
      .insertInto('roaming_pending_tokens')
      .values({ token_b_hash: hash(tokenB), created_at: at.toISOString(), expires_at: new Date(at.getTime() + ttlMs).toISOString() })
      .execute();
  }

  async removePendingToken(tokenB: string): Promise<void> {
    await this.db.deleteFrom('roaming_pending_tokens').where('token_b_hash', '=', hash(tokenB)).execute();
  }

  async identify(token: string): Promise<IncomingToken | undefined> {
    const h = hash(token);
    const peer = await this.db.selectFrom('roaming_peers').selectAll().where('token_b_hash', '=', h).executeTakeFirst();
    if (peer) {
      const parties = await this.db.selectFrom('roaming_parties').select(['country_code', 'party_id']).where('peer_id', '=', peer.id).execute();
      return { kind: 'peer', peer: toPeer(peer, parties) };
    }
    const pending = await this.db
      .selectFrom('roaming_pending_tokens')
      .select('token_b_hash')
      .where('token_b_hash', '=', h)
      .where('expires_at', '>', this.now().toISOString())
      .executeTakeFirst();
    return pending ? { kind: 'pending' } : undefined;
  }

  /**
   * Stores a registered platform and the parties it serves, in one transaction. A party that another platform
   * served before now belongs to this one (re-registration); a platform left without parties is removed.
   */
  async savePeer(p: NewEmspPeer): Promise<EmspPeer> {
    const at = this.now().toISOString();
    return this.db.transaction().execute(async (tx) => {
      for (const party of p.parties) {
        await tx.deleteFrom('roaming_parties').where('country_code', '=', party.countryCode).where('party_id', '=', party.partyId).execute();
      }
      await tx
        .deleteFrom('roaming_peers')
        .where((eb) => eb.not(eb.exists(eb.selectFrom('roaming_parties').select('peer_id').whereRef('roaming_parties.peer_id', '=', 'roaming_peers.id'))))
        .execute();
      const row = await tx
        .insertInto('roaming_peers')
        .values({
          name: p.name,
          version: p.version,
          versions_url: p.versionsUrl,
          endpoints: JSON.stringify(p.endpoints),
          roles: JSON.stringify(p.roles),
          token_c: p.tokenC,
          token_b_hash: hash(p.tokenB),
          registered_at: at,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      for (const party of p.parties) {
        await tx.insertInto('roaming_parties').values({ country_code: party.countryCode, party_id: party.partyId, peer_id: row.id }).execute();
      }
      await tx.deleteFrom('roaming_pending_tokens').where('token_b_hash', '=', hash(p.tokenB)).execute();
      return toPeer(row, p.parties.map((x) => ({ country_code: x.countryCode, party_id: x.partyId })));
    });
  }

  async removePeer(id: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('roaming_parties').where('peer_id', '=', id).execute();
      const r = await tx.deleteFrom('roaming_peers').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  /** Every platform with its parties: two queries, whatever the number of peers (the directory cache loads this). */
  async listPeers(): Promise<EmspPeer[]> {
    const peers = await this.db.selectFrom('roaming_peers').selectAll().orderBy('id').execute();
    const parties = await this.db.selectFrom('roaming_parties').select(['country_code', 'party_id', 'peer_id']).execute();
    return peers.map((p) => toPeer(p, parties.filter((x) => x.peer_id === p.id)));
  }

  async lastKnownToken(countryCode: string, partyId: string, uid: string): Promise<LastKnownToken | undefined> {
    const row = await this.db
      .selectFrom('roaming_token_cache')
      .select(['whitelist', 'valid', 'updated_at'])
      .where('country_code', '=', countryCode)
      .where('party_id', '=', partyId)
      .where('uid', '=', uid)
      .executeTakeFirst();
    return row ? { whitelist: row.whitelist as WhitelistType, valid: Number(row.valid) === 1, updatedAt: row.updated_at } : undefined;
  }

  async rememberTokens(rows: readonly TokenStateRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const r of rows) {
        await tx
          .insertInto('roaming_token_cache')
          .values({ country_code: r.countryCode, party_id: r.partyId, uid: r.uid, whitelist: r.whitelist, valid: r.valid ? 1 : 0, updated_at: r.updatedAt })
          .onConflict((oc) => oc.columns(['country_code', 'party_id', 'uid']).doUpdateSet({ whitelist: r.whitelist, valid: r.valid ? 1 : 0, updated_at: r.updatedAt }))
          .execute();
      }
    });
  }
}

export interface RoamingStore {
  readonly database: StoreDatabase<RoamingTables>;
  readonly registry: RoamingRegistry;
  close(): Promise<void>;
}

export async function openRoamingStore(url: string, options: OpenDatabaseOptions & { readonly now?: () => Date } = {}): Promise<RoamingStore> {
  const database = await openDatabase<RoamingTables>(url, options);
  try {
    await migrateRoaming(database);
  } catch (e) {
    await database.close();
    throw e;
  }
  return { database, registry: new RoamingRegistry(database.db, options.now), close: () => database.close() };
}

/** Applies the roaming migrations to a database the CSMS has already opened (one database for all its scopes). */
export async function migrateRoaming<DB>(database: StoreDatabase<DB>): Promise<void> {
  await runMigrations(database, ROAMING_MIGRATION_SCOPE, ROAMING_MIGRATIONS);
}

function hash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function toPeer(row: Omit<RoamingTables['roaming_peers'], 'id'> & { id: number }, parties: readonly { country_code: string; party_id: string }[]): EmspPeer {
  return {
    id: row.id,
    name: row.name,
    version: row.version as OcpiVersionNumber,
    versionsUrl: row.versions_url,
    endpoints: JSON.parse(row.endpoints) as OcpiEndpoint[],
    roles: JSON.parse(row.roles) as CredentialsRole[],
    tokenC: row.token_c,
    parties: parties.map((x) => ({ countryCode: x.country_code, partyId: x.party_id })),
    registeredAt: row.registered_at,
  };
}
