// The CSMS's station registry: which stations may connect (id, Basic-auth password hash, minimum security profile),
// what they told us (BootNotification, StatusNotification) and where they are connected (which CSMS node, which
// connection). One table set on SQLite or PostgreSQL; several CSMS nodes may share it.
//
// Presence (connected / disconnected / last seen), boot and connector facts are soft state, written in batches by the
// write-behind writer (stationFactsWriter.ts → recordFacts). A disconnect only clears the connection it belongs to, so
// an old connection closing late on one node never erases a newer one on another.
import { sql, type Kysely } from 'kysely';
import type { BootNotificationRequest, StatusNotificationRequest } from '../../ocpp/generated/ocpp201.js';
import { runMigrations, type StoreDatabase } from '../../store/index.js';
import { generatePassword, hashPassword, passwordMatches, validatePassword, validateStationId } from './stationCredentials.js';
import { STATION_MIGRATION_SCOPE, STATION_MIGRATIONS } from './stationMigrations.js';
import { StationRegistryError } from './stationRegistryError.js';
import type { StationTables } from './stationTables.js';

export type SecurityProfile = 1 | 2 | 3;

export interface StationBootInfo {
  readonly vendor: string;
  readonly model: string;
  readonly serialNumber?: string;
  readonly firmwareVersion?: string;
  readonly reason: string;
  readonly at: string;
}

export interface StationRecord {
  readonly id: string;
  readonly minSecurityProfile: SecurityProfile;
  readonly createdAt: string;
  readonly boot?: StationBootInfo;
  readonly lastSeen?: string;
  /** The CSMS node holding the station's connection (as last recorded). */
  readonly connectedNode?: string;
  readonly connectedAt?: string;
}

export interface ConnectorStatusRecord {
  readonly evseId: number;
  readonly connectorId: number;
  readonly status: string;
  /** The station's timestamp. */
  readonly reportedAt: string;
  readonly receivedAt: string;
}

export type StationCredential = { readonly kind: 'password'; readonly password: Buffer | string | undefined } | { readonly kind: 'certificate' };

export type AuthenticationResult =
  | { readonly ok: true; readonly minSecurityProfile: SecurityProfile }
  | { readonly ok: false; readonly reason: 'unknown-station' | 'no-password' | 'wrong-password' };

export type StatusReport = Pick<StatusNotificationRequest, 'evseId' | 'connectorId' | 'connectorStatus' | 'timestamp'>;

/**
 * One fact about a station, for recordFacts: presence (connected / disconnected / seen), BootNotification and
 * StatusNotification contents. The write-behind writer (stationFactsWriter.ts) queues them and writes a batch in one
 * transaction.
 */
export type StationFact =
  | { readonly kind: 'connected'; readonly stationId: string; readonly nodeId: string; readonly connectionId: string; readonly at: string }
  | { readonly kind: 'disconnected'; readonly stationId: string; readonly connectionId: string; readonly at: string }
  | { readonly kind: 'seen'; readonly stationIds: readonly string[]; readonly at: string }
  | { readonly kind: 'boot'; readonly stationId: string; readonly request: BootNotificationRequest; readonly at: string }
  | { readonly kind: 'status'; readonly stationId: string; readonly report: StatusReport; readonly at: string };

export interface StationRegistryOptions {
  readonly now?: () => Date;
  /** How long a successfully verified station's credentials are reused without a database read; default 30 000 ms, 0 = never. */
  readonly credentialCacheTtlMs?: number;
  /** Most stations kept in that cache; default 20 000. */
  readonly credentialCacheSize?: number;
}

export interface AddStationOptions {
  /** 16–40 printable ASCII characters; generated (32 characters) when absent. */
  readonly password?: string;
  readonly minSecurityProfile?: SecurityProfile;
}

/** Most ids one addMany creates (load tests of 10 000 stations and more). */
export const MAX_ADD_MANY = 1_000_000;
// Rows per INSERT: 7 parameters each stays far below SQLite's and PostgreSQL's parameter limits.
const INSERT_BATCH = 500;
// Ids per "last seen" UPDATE … WHERE id IN (…).
const SEEN_BATCH = 500;

interface CachedCredential {
  readonly passwordHash: string;
  readonly minSecurityProfile: SecurityProfile;
  readonly expiresAt: number;
}

type StationRow = StationTables['csms_stations'];

function validateProfile(profile: number): SecurityProfile {
  if (profile !== 1 && profile !== 2 && profile !== 3) throw new StationRegistryError('invalid-profile', `security profile must be 1, 2 or 3, got ${String(profile)}`);
  return profile;
}

function toRecord(row: StationRow): StationRecord {
  return {
    id: row.id,
    minSecurityProfile: validateProfile(Number(row.min_security_profile)),
    createdAt: row.created_at,
    ...(row.vendor !== null && row.model !== null && row.boot_reason !== null && row.booted_at !== null
      ? {
          boot: {
            vendor: row.vendor,
            model: row.model,
            ...(row.serial_number !== null ? { serialNumber: row.serial_number } : {}),
            ...(row.firmware_version !== null ? { firmwareVersion: row.firmware_version } : {}),
            reason: row.boot_reason,
            at: row.booted_at,
          },
        }
      : {}),
    ...(row.last_seen !== null ? { lastSeen: row.last_seen } : {}),
    ...(row.connected_node !== null ? { connectedNode: row.connected_node } : {}),
    ...(row.connected_at !== null ? { connectedAt: row.connected_at } : {}),
  };
}

/** A station's timestamp as a canonical ISO string, so that text comparison is time order. */
function canonicalTime(value: string, fallback: Date): string {
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : fallback.toISOString();
}

export class StationRegistry {
  private readonly cache = new Map<string, CachedCredential>();
  private readonly cacheTtlMs: number;
  private readonly cacheSize: number;

  private constructor(
    private readonly db: Kysely<StationTables>,
    private readonly now: () => Date,
    options: StationRegistryOptions,
  ) {
    this.cacheTtlMs = options.credentialCacheTtlMs ?? 30_000;
    this.cacheSize = options.credentialCacheSize ?? 20_000;
  }

  static async open(store: StoreDatabase<unknown>, options: StationRegistryOptions = {}): Promise<StationRegistry> {
    const now = options.now ?? (() => new Date());
    await runMigrations(store, STATION_MIGRATION_SCOPE, STATION_MIGRATIONS, now);
    return new StationRegistry(store.db as unknown as Kysely<StationTables>, now, options);
  }

  /** Registers a station; returns its password (the one given, or a generated one). */
  async add(id: string, options: AddStationOptions = {}): Promise<string> {
    validateStationId(id);
    const password = options.password !== undefined ? validatePassword(options.password) : generatePassword();
    const minSecurityProfile = validateProfile(options.minSecurityProfile ?? 1);
    const inserted = await this.db
      .insertInto('csms_stations')
      .values({ id, password_hash: hashPassword(password), min_security_profile: minSecurityProfile, created_at: this.now().toISOString(), ...EMPTY_FACTS })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw new StationRegistryError('exists', `station ${id} is already registered`);
    return password;
  }

  /**
   * Registers `${prefix}1` … `${prefix}${count}` with one password (load tests), in batched inserts inside one
   * transaction. Existing ids get the new password. Returns the number of stations written.
   */
  async addMany(prefix: string, count: number, password: string, options: { readonly minSecurityProfile?: SecurityProfile } = {}): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_ADD_MANY) throw new StationRegistryError('invalid-count', `count must be an integer in [1, ${MAX_ADD_MANY}], got ${count}`);
    validateStationId(`${prefix}${count}`);
    if (prefix !== '') validateStationId(prefix);
    validatePassword(password);
    const minSecurityProfile = validateProfile(options.minSecurityProfile ?? 1);
    const createdAt = this.now().toISOString();
    await this.db.transaction().execute(async (tx) => {
      for (let start = 1; start <= count; start += INSERT_BATCH) {
        const rows = [];
        for (let i = start; i < start + INSERT_BATCH && i <= count; i++) {
          rows.push({ id: `${prefix}${i}`, password_hash: hashPassword(password), min_security_profile: minSecurityProfile, created_at: createdAt, ...EMPTY_FACTS });
        }
        await tx
          .insertInto('csms_stations')
          .values(rows)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({ password_hash: eb.ref('excluded.password_hash'), min_security_profile: eb.ref('excluded.min_security_profile') })),
          )
          .execute();
      }
    });
    for (const key of [...this.cache.keys()]) if (key.startsWith(prefix)) this.cache.delete(key);
    return count;
  }

  /** Replaces a station's password (generated when absent); returns it. */
  async setPassword(id: string, password?: string): Promise<string> {
    validateStationId(id);
    const next = password !== undefined ? validatePassword(password) : generatePassword();
    const r = await this.db.updateTable('csms_stations').set({ password_hash: hashPassword(next) }).where('id', '=', id).executeTakeFirst();
    this.cache.delete(id);
    if (Number(r.numUpdatedRows) === 0) throw new StationRegistryError('not-found', `station ${id} is not registered`);
    return next;
  }

  async setMinSecurityProfile(id: string, profile: SecurityProfile): Promise<void> {
    validateStationId(id);
    const r = await this.db.updateTable('csms_stations').set({ min_security_profile: validateProfile(profile) }).where('id', '=', id).executeTakeFirst();
    this.cache.delete(id);
    if (Number(r.numUpdatedRows) === 0) throw new StationRegistryError('not-found', `station ${id} is not registered`);
  }

  /** Removes a station and its connector states; false when it was not registered. */
  async remove(id: string): Promise<boolean> {
    validateStationId(id);
    this.cache.delete(id);
    const removed = await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('csms_station_connectors').where('station_id', '=', id).execute();
      return tx.deleteFrom('csms_stations').where('id', '=', id).executeTakeFirst();
    });
    return Number(removed.numDeletedRows) > 0;
  }

  async get(id: string): Promise<StationRecord | undefined> {
    const row = await this.db.selectFrom('csms_stations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Every station in id order; `prefix` narrows to ids starting with it. */
  async list(options: { readonly prefix?: string; readonly limit?: number } = {}): Promise<StationRecord[]> {
    let q = this.db.selectFrom('csms_stations').selectAll().orderBy('id');
    if (options.prefix !== undefined && options.prefix !== '') {
      // substr = prefix: exact and case-sensitive on both dialects (SQLite's LIKE ignores case, a text range would
      // depend on PostgreSQL's collation). Station ids are ASCII, so characters are bytes.
      q = q.where(sql<boolean>`substr(${sql.ref('id')}, 1, ${options.prefix.length}) = ${options.prefix}`);
    }
    if (options.limit !== undefined) q = q.limit(options.limit);
    return (await q.execute()).map(toRecord);
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('csms_stations').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** True when the station is registered and the password is its current one (constant-time comparison). */
  async verifyPassword(id: string, password: Buffer | string): Promise<boolean> {
    return (await this.authenticate(id, { kind: 'password', password })).ok;
  }

  /**
   * Checks a connecting station's credential: registered, and for Basic auth the right password. A certificate was
   * already verified by TLS (issuer, CN = id); here it only needs the station to be registered. On success the
   * station's credentials are kept for credentialCacheTtlMs, so a reconnect storm does not hit the database for
   * stations it has just seen; failures are never cached.
   */
  async authenticate(id: string, credential: StationCredential): Promise<AuthenticationResult> {
    const nowMs = Date.now();
    let entry = this.cache.get(id);
    if (entry !== undefined && entry.expiresAt <= nowMs) {
      this.cache.delete(id);
      entry = undefined;
    }
    const fromCache = entry !== undefined;
    if (entry === undefined) {
      const row = await this.db.selectFrom('csms_stations').select(['password_hash', 'min_security_profile']).where('id', '=', id).executeTakeFirst();
      if (row === undefined) return { ok: false, reason: 'unknown-station' };
      entry = { passwordHash: row.password_hash, minSecurityProfile: validateProfile(Number(row.min_security_profile)), expiresAt: nowMs + this.cacheTtlMs };
    }
    if (credential.kind === 'password') {
      if (credential.password === undefined) return { ok: false, reason: 'no-password' };
      if (!passwordMatches(entry.passwordHash, credential.password)) return { ok: false, reason: 'wrong-password' };
    }
    if (!fromCache && this.cacheTtlMs > 0) this.remember(id, entry);
    return { ok: true, minSecurityProfile: entry.minSecurityProfile };
  }

  private remember(id: string, entry: CachedCredential): void {
    this.cache.delete(id);
    this.cache.set(id, entry);
    // Map iteration order is insertion order: drop the oldest entries beyond the bound.
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (oldest.done === true) break;
      this.cache.delete(oldest.value);
    }
  }

  /** True when the station is registered. */
  async isRegistered(id: string): Promise<boolean> {
    return (await this.db.selectFrom('csms_stations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** Records a BootNotification's facts; false when the station is not (or no longer) registered. */
  async recordBoot(id: string, request: BootNotificationRequest): Promise<boolean> {
    return (await applyBoot(this.db, id, request, this.now().toISOString())) > 0;
  }

  /**
   * Records a connector status; a report older than the one stored (by the station's timestamp) is ignored, since
   * queued notifications can arrive after newer ones. False when the station is not registered.
   */
  async recordStatus(id: string, report: StatusReport): Promise<boolean> {
    if ((await applyStatus(this.db, id, report, this.now().toISOString())) > 0) return true;
    // Nothing written: an older report for a known station, or an unknown station.
    return this.isRegistered(id);
  }

  async connectorStatuses(id: string): Promise<ConnectorStatusRecord[]> {
    const rows = await this.db.selectFrom('csms_station_connectors').selectAll().where('station_id', '=', id).orderBy('evse_id').orderBy('connector_id').execute();
    return rows.map((r) => ({ evseId: Number(r.evse_id), connectorId: Number(r.connector_id), status: r.status, reportedAt: r.reported_at, receivedAt: r.received_at }));
  }

  /** Records that `nodeId` now holds the station's connection `connectionId`. */
  async recordConnected(id: string, nodeId: string, connectionId: string): Promise<void> {
    await this.recordFacts([{ kind: 'connected', stationId: id, nodeId, connectionId, at: this.now().toISOString() }]);
  }

  /** Clears the station's connection, only if it is still `connectionId`. */
  async recordDisconnected(id: string, connectionId: string): Promise<void> {
    await this.recordFacts([{ kind: 'disconnected', stationId: id, connectionId, at: this.now().toISOString() }]);
  }

  /** Applies facts in order, in one transaction. Facts about unregistered stations change nothing. */
  async recordFacts(facts: readonly StationFact[]): Promise<void> {
    if (facts.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const f of facts) {
        switch (f.kind) {
          case 'connected':
            await tx
              .updateTable('csms_stations')
              .set({ connected_node: f.nodeId, connection_id: f.connectionId, connected_at: f.at, last_seen: f.at })
              .where('id', '=', f.stationId)
              .execute();
            break;
          case 'disconnected':
            await tx
              .updateTable('csms_stations')
              .set({ connected_node: null, connection_id: null, connected_at: null, last_seen: f.at })
              .where('id', '=', f.stationId)
              .where('connection_id', '=', f.connectionId)
              .execute();
            break;
          case 'seen':
            for (let i = 0; i < f.stationIds.length; i += SEEN_BATCH) {
              await tx
                .updateTable('csms_stations')
                .set({ last_seen: f.at })
                .where('id', 'in', f.stationIds.slice(i, i + SEEN_BATCH))
                .where((eb) => eb.or([eb('last_seen', 'is', null), eb('last_seen', '<', f.at)]))
                .execute();
            }
            break;
          case 'boot':
            await applyBoot(tx, f.stationId, f.request, f.at);
            break;
          case 'status':
            await applyStatus(tx, f.stationId, f.report, f.at);
            break;
        }
      }
    });
  }

  /** The CSMS node holding the station's connection, as last recorded; undefined when not connected anywhere. */
  async whereConnected(id: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('csms_stations').select('connected_node').where('id', '=', id).executeTakeFirst();
    return row?.connected_node ?? undefined;
  }

  /** A node (re)starts or stops: none of the connections recorded for it exist any more. Returns how many were cleared. */
  async clearNode(nodeId: string): Promise<number> {
    const r = await this.db
      .updateTable('csms_stations')
      .set({ connected_node: null, connection_id: null, connected_at: null })
      .where('connected_node', '=', nodeId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Forgets cached credentials (after a change made by another process, or in tests). */
  forgetCachedCredentials(): void {
    this.cache.clear();
  }
}

/** Boot facts of one station; returns the rows updated (0: not registered). */
async function applyBoot(db: Kysely<StationTables>, id: string, request: BootNotificationRequest, at: string): Promise<number> {
  const cs = request.chargingStation;
  const r = await db
    .updateTable('csms_stations')
    .set({
      vendor: cs.vendorName,
      model: cs.model,
      serial_number: cs.serialNumber ?? null,
      firmware_version: cs.firmwareVersion ?? null,
      boot_reason: request.reason,
      booted_at: at,
      last_seen: at,
    })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** One connector status, newer (by the station's timestamp) wins; returns the rows written (0: older, or no station). */
async function applyStatus(db: Kysely<StationTables>, id: string, report: StatusReport, receivedAt: string): Promise<number> {
  const reportedAt = canonicalTime(report.timestamp, new Date(receivedAt));
  // INSERT … SELECT from the station row: nothing is written for an unknown station (no foreign-key error race).
  const r = await db
    .insertInto('csms_station_connectors')
    .columns(['station_id', 'evse_id', 'connector_id', 'status', 'reported_at', 'received_at'])
    .expression((eb) =>
      eb
        .selectFrom('csms_stations')
        .select([
          'id',
          sql<number>`cast(${report.evseId} as integer)`.as('evse_id'),
          sql<number>`cast(${report.connectorId} as integer)`.as('connector_id'),
          sql<string>`cast(${report.connectorStatus} as text)`.as('status'),
          sql<string>`cast(${reportedAt} as text)`.as('reported_at'),
          sql<string>`cast(${receivedAt} as text)`.as('received_at'),
        ])
        .where('id', '=', id),
    )
    .onConflict((oc) =>
      oc
        .columns(['station_id', 'evse_id', 'connector_id'])
        .doUpdateSet((eb) => ({ status: eb.ref('excluded.status'), reported_at: eb.ref('excluded.reported_at'), received_at: eb.ref('excluded.received_at') }))
        .where('csms_station_connectors.reported_at', '<=', reportedAt),
    )
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n);
}

const EMPTY_FACTS = {
  vendor: null,
  model: null,
  serial_number: null,
  firmware_version: null,
  boot_reason: null,
  booted_at: null,
  last_seen: null,
  connected_node: null,
  connection_id: null,
  connected_at: null,
} as const;
