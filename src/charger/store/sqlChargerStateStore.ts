// The charger's persistent state (ChargerStateStore) on the shared store layer: SQLite by default, PostgreSQL by URL.
// Queued requests and local-list entries are sealed (AES-256-GCM) because they may carry an idToken — an eMAID
// never reaches the disk in clear; local-list lookups go through an HMAC index of the token.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { IdTokenType, InstallCertificateUseEnumType } from '../../ocpp/generated/ocpp201.js';
import { openDatabase, runMigrations, type OpenDatabaseOptions, type StoreDatabase, type StoreDialect } from '../../store/index.js';
import { ChargerStoreError } from './chargerStoreError.js';
import { CHARGER_MIGRATION_SCOPE, CHARGER_MIGRATIONS } from './chargerMigrations.js';
import type {
  ChargerStateStore,
  InstalledCertificate,
  LocalListEntry,
  OpenTransactionRecord,
  QueuedMessage,
  SeccCredentialRecord,
  TlsSuiteName,
  VariableKey,
} from './chargerStateStore.js';
import { variableKeyString } from './chargerStateStore.js';
import type { ChargerTables } from './chargerTables.js';
import { payloadSealer, SealError, type PayloadSealer } from './payloadSeal.js';
import { deriveSealKey, newSealSalt } from './sealKey.js';

/** Exactly one of the two: the passphrase (scrypt with the database's salt) or an already derived 32-byte key. */
export type ChargerStoreSecret = { readonly passphrase: string; readonly sealKey?: never } | { readonly sealKey: Buffer; readonly passphrase?: never };

export type OpenChargerStateStoreOptions = ChargerStoreSecret & {
  readonly database?: OpenDatabaseOptions;
  /** Clock for installedAt / enqueuedAt / blocked_at (tests). */
  readonly now?: () => Date;
};

const META_SALT = 'seal-salt';
const META_KEY_CHECK = 'seal-key-check';
const META_LOCAL_LIST_VERSION = 'local-list-version';
const KEY_CHECK_CONTEXT = 'meta:seal-key-check';
const FINGERPRINT = /^[0-9a-f]{64}$/;

type Db = Kysely<ChargerTables>;

/** Opens (creating and migrating if needed) the charger's state store at `url` (sqlite:FILE, postgres://…). */
export async function openChargerStateStore(url: string, options: OpenChargerStateStoreOptions): Promise<SqlChargerStateStore> {
  const store = await openDatabase<ChargerTables>(url, options.database);
  try {
    await runMigrations(store, CHARGER_MIGRATION_SCOPE, CHARGER_MIGRATIONS);
    const sealer = await unlock(store.db, options);
    return new SqlChargerStateStore(store, sealer, options.now ?? (() => new Date()));
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** Derives or takes the key, then proves it is the database's key by opening the stored key check. */
async function unlock(db: Db, secret: ChargerStoreSecret): Promise<PayloadSealer> {
  let key: Buffer;
  if (secret.sealKey !== undefined) {
    key = secret.sealKey;
  } else {
    const salt = Buffer.from(await metaOnce(db, META_SALT, () => newSealSalt().toString('hex')), 'hex');
    key = await deriveSealKey(secret.passphrase, salt);
  }
  const sealer = payloadSealer(key);
  const check = Buffer.from(await metaOnce(db, META_KEY_CHECK, () => sealer.seal(randomBytes(16), KEY_CHECK_CONTEXT).toString('base64')), 'base64');
  try {
    sealer.open(check, KEY_CHECK_CONTEXT);
  } catch (e) {
    if (!(e instanceof SealError)) throw e;
    throw new ChargerStoreError('wrong-key', 'the passphrase or seal key does not open this charger database', { cause: e });
  }
  return sealer;
}

/** The meta value `name`, written first by whichever opener gets there (insert-if-absent, then read). */
async function metaOnce(db: Db, name: string, create: () => string): Promise<string> {
  await db.insertInto('charger_meta').values({ name, value: create() }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('charger_meta').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

export class SqlChargerStateStore implements ChargerStateStore {
  readonly dialect: StoreDialect;
  #store: StoreDatabase<ChargerTables> | undefined;

  /** Use openChargerStateStore: it migrates the database and checks the key first. */
  constructor(
    store: StoreDatabase<ChargerTables>,
    private readonly sealer: PayloadSealer,
    private readonly now: () => Date,
  ) {
    this.#store = store;
    this.dialect = store.dialect;
  }

  // ---- device model

  async readVariables(): Promise<Map<string, string>> {
    const rows = await this.db().selectFrom('charger_variables').select(['key', 'value']).execute();
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  async writeVariable(key: VariableKey, value: string): Promise<void> {
    const row = { key: variableKeyString(key), component: key.component, instance: key.instance ?? '', variable: key.variable, value };
    await this.db()
      .insertInto('charger_variables')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  // ---- installed roots

  async listCertificates(): Promise<InstalledCertificate[]> {
    const rows = await this.db().selectFrom('charger_certificates').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, use: r.use as InstallCertificateUseEnumType, der: Buffer.from(r.der), installedAt: r.installed_at }));
  }

  async addCertificate(use: InstallCertificateUseEnumType, der: Buffer): Promise<number> {
    if (!Buffer.isBuffer(der) || der.length === 0) throw new ChargerStoreError('invalid-argument', 'certificate DER is empty');
    const digest = sha256Hex(der);
    return this.db()
      .transaction()
      .execute(async (trx) => {
        await trx
          .insertInto('charger_certificates')
          .values({ use, der, der_sha256: digest, installed_at: this.now().toISOString() })
          .onConflict((oc) => oc.columns(['use', 'der_sha256']).doNothing())
          .execute();
        const row = await trx.selectFrom('charger_certificates').select('id').where('use', '=', use).where('der_sha256', '=', digest).executeTakeFirstOrThrow();
        return row.id;
      });
  }

  async removeCertificate(id: number): Promise<boolean> {
    const r = await this.db().deleteFrom('charger_certificates').where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  // ---- SECC credentials

  async seccCredential(suite: TlsSuiteName): Promise<SeccCredentialRecord | undefined> {
    const r = await this.db().selectFrom('charger_secc_credentials').selectAll().where('suite', '=', suite).executeTakeFirst();
    if (r === undefined) return undefined;
    return { suite, chain: parseChain(r.chain, suite), key: r.private_key, installedAt: r.installed_at };
  }

  async setSeccCredential(record: Omit<SeccCredentialRecord, 'installedAt'>): Promise<void> {
    if (record.chain.length === 0) throw new ChargerStoreError('invalid-argument', `SECC credential for ${record.suite} has an empty chain`);
    const row = {
      suite: record.suite,
      chain: JSON.stringify(record.chain.map((d) => d.toString('base64'))),
      private_key: record.key,
      installed_at: this.now().toISOString(),
    };
    await this.db()
      .insertInto('charger_secc_credentials')
      .values(row)
      .onConflict((oc) => oc.column('suite').doUpdateSet({ chain: row.chain, private_key: row.private_key, installed_at: row.installed_at }))
      .execute();
  }

  async pendingSeccKey(suite: TlsSuiteName): Promise<string | undefined> {
    const r = await this.db().selectFrom('charger_secc_pending_keys').select('private_key').where('suite', '=', suite).executeTakeFirst();
    return r?.private_key;
  }

  async setPendingSeccKey(suite: TlsSuiteName, key: string | undefined): Promise<void> {
    if (key === undefined) {
      await this.db().deleteFrom('charger_secc_pending_keys').where('suite', '=', suite).execute();
      return;
    }
    await this.db()
      .insertInto('charger_secc_pending_keys')
      .values({ suite, private_key: key })
      .onConflict((oc) => oc.column('suite').doUpdateSet({ private_key: key }))
      .execute();
  }

  async seccOcspResponse(suite: TlsSuiteName): Promise<Buffer | undefined> {
    const r = await this.db().selectFrom('charger_secc_ocsp').select('response').where('suite', '=', suite).executeTakeFirst();
    return r === undefined ? undefined : Buffer.from(r.response);
  }

  async setSeccOcspResponse(suite: TlsSuiteName, der: Buffer): Promise<void> {
    if (!Buffer.isBuffer(der) || der.length === 0) throw new ChargerStoreError('invalid-argument', `OCSP response for ${suite} is empty`);
    const updated_at = this.now().toISOString();
    await this.db()
      .insertInto('charger_secc_ocsp')
      .values({ suite, response: der, updated_at })
      .onConflict((oc) => oc.column('suite').doUpdateSet({ response: der, updated_at }))
      .execute();
  }

  // ---- local authorization list

  async localListVersion(): Promise<number> {
    const r = await this.db().selectFrom('charger_meta').select('value').where('name', '=', META_LOCAL_LIST_VERSION).executeTakeFirst();
    return r === undefined ? 0 : Number(r.value);
  }

  async localListEntry(idToken: IdTokenType): Promise<LocalListEntry | undefined> {
    const index = this.tokenIndex(idToken);
    const r = await this.db().selectFrom('charger_local_list').select('entry').where('token_index', '=', index).executeTakeFirst();
    if (r === undefined) return undefined;
    return parseLocalListEntry(this.openRow(Buffer.from(r.entry), localListContext(index), 'charger_local_list', index), index);
  }

  async localListSize(): Promise<number> {
    const r = await this.db().selectFrom('charger_local_list').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async replaceLocalList(version: number, entries: readonly LocalListEntry[]): Promise<void> {
    checkVersion(version);
    const rows = entries.map((e) => this.localListRow(e));
    await this.db()
      .transaction()
      .execute(async (trx) => {
        await trx.deleteFrom('charger_local_list').execute();
        for (const row of rows) await upsertLocalListRow(trx, row);
        await setMeta(trx, META_LOCAL_LIST_VERSION, String(version));
      });
  }

  async updateLocalList(version: number, upserts: readonly LocalListEntry[], removals: readonly IdTokenType[]): Promise<void> {
    checkVersion(version);
    const rows = upserts.map((e) => this.localListRow(e));
    const removed = removals.map((t) => this.tokenIndex(t));
    await this.db()
      .transaction()
      .execute(async (trx) => {
        for (const index of removed) await trx.deleteFrom('charger_local_list').where('token_index', '=', index).execute();
        for (const row of rows) await upsertLocalListRow(trx, row);
        await setMeta(trx, META_LOCAL_LIST_VERSION, String(version));
      });
  }

  // ---- contract block-list

  async isBlocked(fingerprint: string): Promise<boolean> {
    const fp = normaliseFingerprint(fingerprint);
    const r = await this.db().selectFrom('charger_block_list').select('fingerprint').where('fingerprint', '=', fp).executeTakeFirst();
    return r !== undefined;
  }

  async block(fingerprint: string, reason: string): Promise<void> {
    const fp = normaliseFingerprint(fingerprint);
    // Idempotent: the first reason and time stay.
    await this.db()
      .insertInto('charger_block_list')
      .values({ fingerprint: fp, reason, blocked_at: this.now().toISOString() })
      .onConflict((oc) => oc.column('fingerprint').doNothing())
      .execute();
  }

  // ---- transactions and the durable queue

  async openTransactions(): Promise<OpenTransactionRecord[]> {
    const rows = await this.db().selectFrom('charger_transactions').selectAll().orderBy('started_at').orderBy('transaction_id').execute();
    return rows.map((r) => ({
      transactionId: r.transaction_id,
      evseId: r.evse_id,
      connectorId: r.connector_id,
      nextSeqNo: r.next_seq_no,
      startedAt: r.started_at,
      offline: r.offline !== 0,
      ...(r.contract_fingerprint === null ? {} : { contractFingerprint: r.contract_fingerprint }),
      ended: r.ended !== 0,
    }));
  }

  async saveTransaction(record: OpenTransactionRecord): Promise<void> {
    await upsertTransaction(this.db(), transactionRow(record));
  }

  async forgetTransaction(transactionId: string): Promise<void> {
    await this.db().deleteFrom('charger_transactions').where('transaction_id', '=', transactionId).execute();
  }

  async enqueue(action: QueuedMessage['action'], request: Record<string, unknown>, transaction?: OpenTransactionRecord): Promise<number> {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new ChargerStoreError('invalid-argument', 'a queued request must be a JSON object');
    }
    const payload = this.sealer.seal(Buffer.from(JSON.stringify(request), 'utf8'), queueContext(action));
    const txRow = transaction === undefined ? undefined : transactionRow(transaction);
    const enqueuedAt = this.now().toISOString();
    return this.db()
      .transaction()
      .execute(async (trx) => {
        const row = await trx
          .insertInto('charger_queue')
          .values({ action, payload, attempts: 0, enqueued_at: enqueuedAt })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (txRow !== undefined) await upsertTransaction(trx, txRow);
        return row.id;
      });
  }

  async peekQueue(limit: number): Promise<QueuedMessage[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new ChargerStoreError('invalid-argument', `queue peek limit must be a positive integer, got ${limit}`);
    const rows = await this.db().selectFrom('charger_queue').selectAll().orderBy('id').limit(limit).execute();
    return rows.map((r) => {
      if (r.action !== 'TransactionEvent') {
        throw new ChargerStoreError('unreadable-row', `queued message ${r.id} has unknown action "${r.action}"`, { table: 'charger_queue', rowId: r.id });
      }
      const request = parseJsonObject(this.openRow(Buffer.from(r.payload), queueContext(r.action), 'charger_queue', r.id), 'charger_queue', r.id);
      return { id: r.id, action: r.action, request, attempts: r.attempts, enqueuedAt: r.enqueued_at };
    });
  }

  async queueLength(): Promise<number> {
    const r = await this.db().selectFrom('charger_queue').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async ackQueued(id: number): Promise<void> {
    await this.db().deleteFrom('charger_queue').where('id', '=', id).execute();
  }

  async recordAttempt(id: number): Promise<void> {
    await this.db()
      .updateTable('charger_queue')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  async close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    await store?.close();
  }

  // ---- helpers

  private db(): Db {
    if (this.#store === undefined) throw new ChargerStoreError('closed', 'the charger state store is closed');
    return this.#store.db;
  }

  private tokenIndex(idToken: IdTokenType): string {
    if (typeof idToken?.idToken !== 'string' || typeof idToken.type !== 'string') {
      throw new ChargerStoreError('invalid-argument', 'idToken must have a string idToken and type');
    }
    // IdToken is case insensitive (OCPP 2.0.1 IdTokenType); the type is part of the identity.
    return this.sealer.index(`${idToken.type}:${idToken.idToken.toUpperCase()}`, 'local-list');
  }

  private localListRow(entry: LocalListEntry): LocalListRow {
    const index = this.tokenIndex(entry.idToken);
    const plain = Buffer.from(JSON.stringify({ idToken: entry.idToken, idTokenInfo: entry.idTokenInfo }), 'utf8');
    return { token_index: index, entry: this.sealer.seal(plain, localListContext(index)) };
  }

  private openRow(sealed: Buffer, context: string, table: string, rowId: number | string): Buffer {
    try {
      return this.sealer.open(sealed, context);
    } catch (e) {
      if (!(e instanceof SealError)) throw e;
      throw new ChargerStoreError('unreadable-row', `${table} row ${rowId} cannot be opened: ${e.message}`, { cause: e, table, rowId });
    }
  }
}

interface LocalListRow {
  readonly token_index: string;
  readonly entry: Buffer;
}

type TransactionRow = ChargerTables['charger_transactions'];

const queueContext = (action: string): string => `queue:${action}`;
const localListContext = (index: string): string => `local-list:${index}`;

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function normaliseFingerprint(fingerprint: string): string {
  const fp = typeof fingerprint === 'string' ? fingerprint.toLowerCase() : '';
  if (!FINGERPRINT.test(fp)) throw new ChargerStoreError('invalid-argument', 'a contract fingerprint must be 64 hex digits (SHA-256)');
  return fp;
}

function checkVersion(version: number): void {
  if (!Number.isSafeInteger(version)) throw new ChargerStoreError('invalid-argument', `local list version must be an integer, got ${version}`);
}

function transactionRow(r: OpenTransactionRecord): TransactionRow {
  if (typeof r.transactionId !== 'string' || r.transactionId === '') throw new ChargerStoreError('invalid-argument', 'transactionId is empty');
  for (const [name, v] of [
    ['evseId', r.evseId],
    ['connectorId', r.connectorId],
    ['nextSeqNo', r.nextSeqNo],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ChargerStoreError('invalid-argument', `transaction ${r.transactionId}: ${name} must be a non-negative integer`);
  }
  return {
    transaction_id: r.transactionId,
    evse_id: r.evseId,
    connector_id: r.connectorId,
    next_seq_no: r.nextSeqNo,
    started_at: r.startedAt,
    offline: r.offline ? 1 : 0,
    contract_fingerprint: r.contractFingerprint === undefined ? null : normaliseFingerprint(r.contractFingerprint),
    ended: r.ended ? 1 : 0,
  };
}

async function upsertTransaction(db: Db, row: TransactionRow): Promise<void> {
  const { transaction_id: _id, ...update } = row;
  await db
    .insertInto('charger_transactions')
    .values(row)
    .onConflict((oc) => oc.column('transaction_id').doUpdateSet(update))
    .execute();
}

async function upsertLocalListRow(trx: Db, row: LocalListRow): Promise<void> {
  await trx
    .insertInto('charger_local_list')
    .values(row)
    .onConflict((oc) => oc.column('token_index').doUpdateSet({ entry: row.entry }))
    .execute();
}

async function setMeta(trx: Db, name: string, value: string): Promise<void> {
  await trx
    .insertInto('charger_meta')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute();
}

function parseChain(text: string, suite: TlsSuiteName): Buffer[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ChargerStoreError('unreadable-row', `SECC chain of ${suite} is not JSON`, { cause: e, table: 'charger_secc_credentials', rowId: suite });
  }
  if (!Array.isArray(parsed) || !parsed.every((x): x is string => typeof x === 'string')) {
    throw new ChargerStoreError('unreadable-row', `SECC chain of ${suite} is not a list of base64 certificates`, { table: 'charger_secc_credentials', rowId: suite });
  }
  return parsed.map((b64) => Buffer.from(b64, 'base64'));
}

function parseJsonObject(plain: Buffer, table: string, rowId: number | string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain.toString('utf8'));
  } catch (e) {
    throw new ChargerStoreError('unreadable-row', `${table} row ${rowId} is not JSON`, { cause: e, table, rowId });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ChargerStoreError('unreadable-row', `${table} row ${rowId} is not a JSON object`, { table, rowId });
  }
  return parsed as Record<string, unknown>;
}

function parseLocalListEntry(plain: Buffer, index: string): LocalListEntry {
  const value = parseJsonObject(plain, 'charger_local_list', index) as { idToken?: unknown; idTokenInfo?: unknown };
  const token = value.idToken as Partial<IdTokenType> | undefined;
  const info = value.idTokenInfo as { status?: unknown } | undefined;
  if (typeof token?.idToken !== 'string' || typeof token.type !== 'string' || typeof info?.status !== 'string') {
    throw new ChargerStoreError('unreadable-row', `charger_local_list row ${index} lacks idToken or idTokenInfo.status`, { table: 'charger_local_list', rowId: index });
  }
  return value as unknown as LocalListEntry;
}
