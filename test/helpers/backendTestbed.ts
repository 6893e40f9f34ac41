// The whole backend in one process, every part real and on 127.0.0.1: a fresh test PKI in a temp dir whose AIA names a
// real OCSP responder (stoppable and restartable on the same port), the MSP (OCPI server over its own database) with
// PnC Direct against the simulated card processor, a CSMS node (startCsmsNode, security profile 1) registered with the
// MSP through the real OCPI credentials handshake, one ChargingStation connected to it, and the EV that plugs in.
// Every party's trace events land in one list, in order, so tests can assert the sequence across parties.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { ChargingStation } from '../../src/charger/chargingStation.js';
import type { ChargerVariables } from '../../src/charger/deviceModel/chargerVariables.js';
import { openChargerStateStore, type SqlChargerStateStore } from '../../src/charger/store/sqlChargerStateStore.js';
import { startCsmsNode, type CsmsNode } from '../../src/csms/csmsNode.js';
import type { Tariff } from '../../src/csms/roaming/cdrBuilder.js';
import type { CdrSink } from '../../src/csms/transactions/completedTransaction.js';
import { createCdrDispatcher, type CdrRoundResult } from '../../src/csms/transactions/cdrDispatcher.js';
import { createTransactionLedger, type LedgerTransaction, type TransactionLedger } from '../../src/csms/transactions/transactionLedger.js';
import { runEvSession, type EvSessionOptions, type EvSessionResult } from '../../src/ev/evSession.js';
import { testEvse } from '../../src/iso15118/session/evseModel.js';
import { createPncDirect } from '../../src/msp/payment/pncDirect.js';
import type { PncDirectTables } from '../../src/msp/payment/pncDirectTables.js';
import type { PncDirect } from '../../src/msp/payment/paymentProcessor.js';
import { createProcessorAdminClient, type ProcessorAdminClient } from '../../src/msp/payment/processorAdminClient.js';
import { createProcessorClient, type ProcessorClient } from '../../src/msp/payment/processorClient.js';
import { createProcessorLedger, openProcessorStore } from '../../src/msp/payment/processorLedger.js';
import { createProcessorServer } from '../../src/msp/payment/processorServer.js';
import { createMspServer, type MspServer } from '../../src/msp/server/mspServer.js';
import type { WhitelistType } from '../../src/ocpi/ocpiTypes.js';
import { openMspStore, type MspStore } from '../../src/msp/store/mspStore.js';
import { CaDatabaseStatus } from '../../src/ocsp/caDatabaseStatus.js';
import { createOcspServer } from '../../src/ocsp/ocspServer.js';
import { authoritiesFromPki } from '../../src/ocsp/pkiAuthorities.js';
import { parseCertificate } from '../../src/pki/certificate/certificate.js';
import { chargerStore, evStore } from '../../src/pki/generator/partyStores.js';
import { initPki, issueContractInPki, PkiDirectory, revokeInPki } from '../../src/pki/generator/pkiDirectory.js';
import type { Suite } from '../../src/pki/generator/testPki.js';
import { OcspResponderCore } from '../../src/pki/ocsp/ocspResponderCore.js';
import { createTrustStore } from '../../src/pki/verdict/trustStore.js';
import { openDatabase, type StoreDatabase } from '../../src/store/index.js';
import type { Party, TraceEvent } from '../../src/trace/traceEvent.js';
import { silentTracer, type Tracer } from '../../src/trace/tracer.js';

export const BACKEND_PASSPHRASE = 'backend-testbed-passphrase';
export const BACKEND_STATION_ID = 'CS-BACKEND-1';
export const BACKEND_STATION_PASSWORD = 'station-password-backend-0123';
export const BACKEND_ADMIN_TOKEN = 'admin-token-backend-0123456789';
export const MSP_PARTY = { countryCode: 'DE', partyId: 'PNC', name: 'PnC Mobility' } as const;
export const CPO_PARTY = { countryCode: 'DE', partyId: 'CPO', name: 'PnC Charge Point Operator' } as const;
const PROCESSOR_SECRET = 'processor-secret-backend-0123456789';

export type TimedEvent = TraceEvent & { readonly time: number };

export interface BackendTestbedOptions {
  /** CSMS database (default sqlite:<dir>/csms.db); a postgres:// URL runs the CSMS on PostgreSQL. */
  readonly csmsDatabaseUrl?: string;
  /** MSP database (default sqlite:<dir>/msp.db). */
  readonly mspDatabaseUrl?: string;
  /** Card processor database (default sqlite:<dir>/processor.db). */
  readonly processorDatabaseUrl?: string;
  /** CDR price (default 10 EUR/kWh: a short test session still costs whole cents). */
  readonly tariff?: Tariff;
  /** PnC Direct hold per session (default 5000 = EUR 50.00). */
  readonly holdAmountMinor?: number;
  /** false: the CSMS asks the responder on every lookup. */
  readonly ocspCache?: boolean;
  /** Simulated meter power (default 350 kW: a one-second session meters whole Wh). */
  readonly meterPowerW?: number;
  /** Charger device-model values for its first start. */
  readonly stationVariables?: Partial<Record<keyof ChargerVariables, string>>;
  /** The charger's wait for an AuthorizeResponse before offline rules apply (default 8000 ms). */
  readonly stationAuthorizeTimeoutMs?: number;
}

export interface SessionOptions {
  /** -2 over TLS 1.2 (default) or -20 P-521 over TLS 1.3. */
  readonly protocol?: 'iso2' | 'iso20';
  /** The contract (default: the PKI's first one). */
  readonly emaid?: string;
  readonly energy?: 'ac' | 'dc';
  readonly chargeLoops?: number;
  readonly chargeLoopPauseMs?: number;
}

export interface SessionRun {
  readonly result: EvSessionResult;
  readonly emaid: string;
  /** Index into `events` where this session began. */
  readonly from: number;
  /** Events since the session began (grows while the backend keeps working on it). */
  events(): TimedEvent[];
}

/** The pair the CSMS answered to an Authorize, as its trace states it (C07 matrix rule included). */
export interface AuthorizeAnswer {
  readonly certificateStatus: string;
  readonly status: string;
  readonly rule: string;
}

export interface OcspHandle {
  readonly url: string;
  readonly origin: string;
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface MspHandle {
  readonly store: MspStore;
  readonly versionsUrl: string;
  readonly running: boolean;
  readonly pncDirect: PncDirect;
  /** The processor's admin side (cards, authorizations). */
  readonly processorAdmin: ProcessorAdminClient;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Replaces the MSP behind its registered URL by a server that accepts connections and never answers; undo with start(). */
  swapInSilentServer(): Promise<void>;
  /** The processor's authorization id for an OCPI authorization_reference (PnC Direct's own record). */
  processorAuthorizationId(reference: string): Promise<string | undefined>;
}

export interface CsmsHandle {
  readonly node: CsmsNode;
  readonly database: StoreDatabase<unknown>;
  readonly ledger: TransactionLedger;
  readonly running: boolean;
  /** Closes the node and its database connection (the data stays). */
  stop(): Promise<void>;
  /** A new node on the same database, OCPP and OCPI ports. */
  start(): Promise<void>;
  /** A one-off CDR round as a node whose clock is `aheadMs` later (a retry that came due), over the node's sink. */
  dispatchCdrsAsIfLater(aheadMs: number): Promise<CdrRoundResult>;
}

export interface BackendTestbed {
  readonly dir: string;
  readonly pkiDir: string;
  readonly pki: PkiDirectory;
  readonly events: TimedEvent[];
  readonly ocsp: OcspHandle;
  readonly msp: MspHandle;
  readonly csms: CsmsHandle;
  readonly station: ChargingStation;
  readonly stationStore: SqlChargerStateStore;
  /** The eMAID of the PKI's first contract (issued by initPki). */
  readonly defaultEmaid: string;
  /** A new contract certificate in every suite of the PKI; returns its eMAID as the certificate CN carries it. */
  issueContract(emaid: string): string;
  /** Revokes every contract certificate of the eMAID at the OCSP responder's CA database. */
  revokeContract(emaid: string): void;
  /** SHA-256 (hex) of the contract leaf the EV presents for `emaid` (the charger's block-list key). */
  contractFingerprint(emaid: string, suite?: Suite): string;
  addAccount(emaid: string, options?: { readonly paymentToken?: string; readonly whitelist?: WhitelistType }): Promise<void>;
  /** One EV session against the charger. */
  session(options?: SessionOptions): Promise<SessionRun>;
  /** Resolves with the first event from index `from` on that matches, or rejects after `timeoutMs`. */
  waitFor(predicate: (e: TimedEvent) => boolean, options?: { readonly from?: number; readonly timeoutMs?: number; readonly what?: string }): Promise<TimedEvent>;
  /** The CSMS's Authorize answers from event index `from` (up to `to`, exclusive), in order. */
  authorizeAnswers(from: number, to?: number): AuthorizeAnswer[];
  /** Ledger transactions of the station that are not in `before` (by transaction id). */
  newTransactions(before: readonly LedgerTransaction[]): Promise<LedgerTransaction[]>;
  /** A POST to the CSMS admin API (bearer token included); answers status and JSON body. */
  admin(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function startBackendTestbed(options: BackendTestbedOptions = {}): Promise<BackendTestbed> {
  const dir = mkdtempSync(join(tmpdir(), 'pnc-backend-'));
  const pkiDir = join(dir, 'pki');
  const events: TimedEvent[] = [];
  const tracerOf = (party: Party): Tracer => silentTracer(party, [(e) => events.push(e)]);
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const c of closers.splice(0).reverse()) {
      try {
        await c();
      } catch (e) {
        errors.push(e);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    if (errors.length > 0) throw new AggregateError(errors, 'backend testbed: closing failed');
  };
  try {
    const ocsp = await startOcsp(pkiDir, tracerOf('ocsp'));
    closers.push(() => ocsp.handle.stop());
    closers.push(() => ocsp.close());
    const pki = PkiDirectory.open(pkiDir);

    const processor = await startProcessor(options.processorDatabaseUrl ?? `sqlite:${join(dir, 'processor.db')}`);
    closers.push(() => processor.close());

    const msp = await startMsp(options.mspDatabaseUrl ?? `sqlite:${join(dir, 'msp.db')}`, processor.url, options.holdAmountMinor ?? 5000, tracerOf('msp'));
    closers.push(() => msp.close());

    const csms = await startCsms({
      url: options.csmsDatabaseUrl ?? `sqlite:${join(dir, 'csms.db')}`,
      pkiDir,
      ocspOrigin: ocsp.handle.origin,
      ocspCache: options.ocspCache ?? true,
      tariff: options.tariff ?? { pricePerKwh: 10, currency: 'EUR' },
      tracer: tracerOf('csms'),
    });
    closers.push(() => csms.close());
    await csms.handle.node.registry.add(BACKEND_STATION_ID, { password: BACKEND_STATION_PASSWORD });
    await registerAtMsp(csms.handle, msp.handle);

    const charger = await startCharger({
      pkiDir,
      dbFile: join(dir, 'charger.db'),
      csmsUrl: csms.handle.node.ocppUrl,
      tracer: tracerOf('charger'),
      variables: options.stationVariables ?? {},
      meterPowerW: options.meterPowerW ?? 350_000,
      authorizeTimeoutMs: options.stationAuthorizeTimeoutMs ?? 8000,
    });
    closers.push(() => charger.close());

    const bed: BackendTestbed = {
      dir,
      pkiDir,
      pki,
      events,
      ocsp: ocsp.handle,
      msp: msp.handle,
      csms: csms.handle,
      station: charger.station,
      stationStore: charger.store,
      defaultEmaid: evStore(pkiDir, 'iso2').contracts[0]!,
      issueContract(emaid) {
        const entries = issueContractInPki(pkiDir, { emaid, passphrase: BACKEND_PASSPHRASE });
        return entries[0]!.name.slice('contract/'.length);
      },
      revokeContract(emaid) {
        revokeInPki(pkiDir, emaid, { reason: 'keyCompromise' });
      },
      contractFingerprint(emaid, suite = 'iso2') {
        const c = evStore(pkiDir, suite).contract(emaid, BACKEND_PASSPHRASE);
        return createHash('sha256').update(c.chain[0]!).digest('hex');
      },
      async addAccount(emaid, o = {}) {
        await msp.handle.store.accounts.add({ emaids: [emaid], ...(o.paymentToken !== undefined ? { paymentToken: o.paymentToken } : {}), ...(o.whitelist ? { whitelist: o.whitelist } : {}) });
      },
      async session(o = {}) {
        const from = events.length;
        const protocol = o.protocol ?? 'iso2';
        const suite: Suite = protocol === 'iso2' ? 'iso2' : 'iso20-p521';
        const ev = evStore(pkiDir, suite);
        const contract = ev.contract(o.emaid, BACKEND_PASSPHRASE);
        const vehicle = ev.vehicle();
        const sessionOptions: EvSessionOptions = {
          secc: { host: '127.0.0.1', port: charger.station.seccPort },
          protocol,
          security: 'tls',
          auth: 'pnc',
          energy: o.energy ?? 'ac',
          contract,
          ...(protocol === 'iso20' && vehicle ? { vehicle: { keyPem: vehicle.keyPem, passphrase: BACKEND_PASSPHRASE, chain: vehicle.chain } } : {}),
          // -20: the signature algorithm the EV offers picks the SECC's P-521 credential.
          ...(protocol === 'iso20' ? { tlsOverrides: { sigalgs: 'ecdsa_secp521r1_sha512' } } : {}),
          seccTrust: createTrustStore(ev.v2gRoots),
          tracer: tracerOf('ev'),
          ongoingPollMs: 50,
          chargeLoops: o.chargeLoops ?? 4,
          chargeLoopPauseMs: o.chargeLoopPauseMs ?? 150,
        };
        const result = await runEvSession(sessionOptions);
        return { result, emaid: contract.emaid, from, events: () => events.slice(from) };
      },
      waitFor(predicate, o = {}) {
        const from = o.from ?? 0;
        const timeoutMs = o.timeoutMs ?? 10_000;
        const deadline = Date.now() + timeoutMs;
        return new Promise((resolve, reject) => {
          const look = (): void => {
            for (let i = from; i < events.length; i++) {
              const e = events[i]!;
              if (predicate(e)) {
                resolve(e);
                return;
              }
            }
            if (Date.now() > deadline) {
              reject(new Error(`backend testbed: no event ${o.what ?? 'matching'} within ${timeoutMs} ms; last events:\n${describeEvents(events.slice(Math.max(from, events.length - 15)))}`));
              return;
            }
            setTimeout(look, 20);
          };
          look();
        });
      },
      authorizeAnswers(from, to) {
        return events
          .slice(from, to)
          .filter((e): e is Extract<TimedEvent, { kind: 'verdict' }> => e.kind === 'verdict' && e.party === 'csms' && /^\w+ \/ \w+$/.test(e.verdict) && /^C07\.FR\.\d+:/.test(e.detail ?? ''))
          .map((e) => {
            const [certificateStatus, status] = e.verdict.split(' / ') as [string, string];
            return { certificateStatus, status, rule: (e.detail ?? '').split(':')[0]! };
          });
      },
      async newTransactions(before) {
        const known = new Set(before.map((t) => `${t.stationId}/${t.transactionId}`));
        const all = await csms.handle.ledger.list({ limit: 1000 });
        return all.filter((t) => t.stationId === BACKEND_STATION_ID && !known.has(`${t.stationId}/${t.transactionId}`));
      },
      async admin(path, body) {
        const adminUrl = csms.handle.node.adminUrl;
        if (adminUrl === undefined) throw new Error('backend testbed: the CSMS runs without its admin API');
        const res = await fetch(`${adminUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${BACKEND_ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
        const answer: unknown = await res.json();
        return { status: res.status, body: answer };
      },
      close: closeAll,
    };
    // Ready when the charger is registered and has stapled OCSP data for each SECC certificate (the
    // GetCertificateStatus round trips it makes after connecting are then over and out of the tests' traces).
    const suites = pki.manifest.suites.length;
    await bed.waitFor(() => charger.station.registered && events.filter((e) => e.party === 'charger' && e.kind === 'check' && e.check === 'SECC OCSP status').length >= suites, {
      timeoutMs: 15_000,
      what: 'the charger registered with its SECC OCSP data stapled',
    });
    return bed;
  } catch (e) {
    await closeAll().catch(() => undefined);
    throw e;
  }
}

/** One line per event, for failure messages. */
export function describeEvents(list: readonly TimedEvent[]): string {
  return list
    .map((e) => {
      const what = e.kind === 'message' ? `${e.from}→${e.to} ${e.message}` : e.kind === 'check' ? `check ${e.check} ${e.ok ? 'ok' : 'FAILED'}` : e.kind === 'verdict' ? `verdict ${e.verdict}` : `error ${e.error}`;
      return `  [${e.party}] ${what}${e.detail ? `: ${e.detail}` : ''}`;
    })
    .join('\n');
}

// --- OCSP responder -------------------------------------------------------------------------------------------------

async function startOcsp(pkiDir: string, tracer: Tracer): Promise<{ handle: OcspHandle; close(): void }> {
  // The core needs the PKI, the PKI needs the responder's URL: the core is filled in once the PKI exists.
  const late: { core?: OcspResponderCore } = {};
  const make = (): FastifyInstance => createOcspServer({ core: { respond: (req) => late.core!.respond(req) }, tracer });
  let app: FastifyInstance | undefined = make();
  // The responder listens first, so the PKI is issued with its real URL in every AIA.
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const port = Number(new URL(address).port);
  initPki(pkiDir, { protocol: 'both', ocspUrl: `${address}/ocsp`, passphrase: BACKEND_PASSPHRASE, force: true });
  const pki = PkiDirectory.open(pkiDir);
  const statuses = new CaDatabaseStatus(pki.databasePath);
  late.core = new OcspResponderCore({ authorities: authoritiesFromPki(pki, BACKEND_PASSPHRASE), statuses });
  const handle: OcspHandle = {
    url: `${address}/ocsp`,
    origin: new URL(address).origin,
    get running() {
      return app !== undefined;
    },
    async stop() {
      const a = app;
      app = undefined;
      await a?.close();
    },
    async start() {
      if (app) return;
      const a = make();
      await a.listen({ host: '127.0.0.1', port });
      app = a;
    },
  };
  return { handle, close: () => statuses.close() };
}

// --- card processor and MSP -----------------------------------------------------------------------------------------

async function startProcessor(dbUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const store = await openProcessorStore(dbUrl);
  const app = createProcessorServer({ ledger: createProcessorLedger(store), secret: PROCESSOR_SECRET });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

async function startMsp(dbUrl: string, processorUrl: string, holdAmountMinor: number, tracer: Tracer): Promise<{ handle: MspHandle; close(): Promise<void> }> {
  const store = await openMspStore(dbUrl);
  const client: ProcessorClient = createProcessorClient({ url: processorUrl, secret: PROCESSOR_SECRET });
  const processorAdmin = createProcessorAdminClient({ url: processorUrl, secret: PROCESSOR_SECRET });
  const pncDirect = await createPncDirect({ processor: client, store: store.database, holdAmountMinor, currency: 'EUR', tracer });
  const make = (): MspServer => createMspServer({ store, party: MSP_PARTY, tracer, pncDirect, timeoutMs: 5000 });
  let server: MspServer | undefined = make();
  let silent: { server: Server; sockets: Set<Socket> } | undefined;
  const versionsUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  const port = Number(new URL(versionsUrl).port);

  const closeSilent = async (): Promise<void> => {
    const s = silent;
    silent = undefined;
    if (!s) return;
    for (const socket of s.sockets) socket.destroy();
    await new Promise<void>((resolve) => s.server.close(() => resolve()));
  };
  const handle: MspHandle = {
    store,
    versionsUrl,
    pncDirect,
    processorAdmin,
    get running() {
      return server !== undefined;
    },
    async stop() {
      const s = server;
      server = undefined;
      await s?.close();
    },
    async start() {
      await closeSilent();
      if (server) return;
      const s = make();
      await s.listen({ host: '127.0.0.1', port });
      server = s;
    },
    async swapInSilentServer() {
      await handle.stop();
      const sockets = new Set<Socket>();
      const s = createServer((socket) => {
        // Reads the request and never answers: the CSMS's own time-out must end the wait.
        sockets.add(socket);
        socket.on('data', () => undefined);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      silent = { server: s, sockets };
    },
    async processorAuthorizationId(reference) {
      const db = store.database.db as unknown as Kysely<PncDirectTables>;
      const row = await db.selectFrom('msp_payment_preauthorizations').select('processor_authorization_id').where('authorization_reference', '=', reference).executeTakeFirst();
      return row?.processor_authorization_id;
    },
  };
  return {
    handle,
    async close() {
      await closeSilent();
      await handle.stop();
      client.close();
      processorAdmin.close();
      await store.close();
    },
  };
}

// --- CSMS -----------------------------------------------------------------------------------------------------------

interface CsmsSetup {
  readonly url: string;
  readonly pkiDir: string;
  readonly ocspOrigin: string;
  readonly ocspCache: boolean;
  readonly tariff: Tariff;
  readonly tracer: Tracer;
}

async function startCsms(setup: CsmsSetup): Promise<{ handle: CsmsHandle; close(): Promise<void> }> {
  let ports: { ocpp: number; ocpi: number } | undefined;
  let current: { node: CsmsNode; database: StoreDatabase<unknown>; ledger: TransactionLedger } | undefined;

  const open = async (): Promise<void> => {
    const database = await openDatabase<unknown>(setup.url, {
      onBackgroundError: (e) => setup.tracer.emit({ kind: 'error', party: 'csms', error: 'database connection', detail: e.message }),
    });
    try {
      const node = await startCsmsNode({
        database,
        tracer: setup.tracer,
        nodeId: 'backend-testbed',
        ocpp: { host: '127.0.0.1', port: ports?.ocpp ?? 0, security: { profile: 1 }, heartbeatIntervalS: 300 },
        trust: { pkiDir: setup.pkiDir, passphrase: BACKEND_PASSPHRASE },
        ocsp: { allowedOrigins: [setup.ocspOrigin], allowPrivateAddresses: true, cache: setup.ocspCache, timeoutMs: 2000 },
        ocpi: { cpo: CPO_PARTY, tariff: setup.tariff, host: '127.0.0.1', port: ports?.ocpi ?? 0 },
        admin: { host: '127.0.0.1', port: 0, token: BACKEND_ADMIN_TOKEN },
        // Ended transactions kick the dispatcher; the periodic round would only add retries at unpredictable times.
        cdrIntervalMs: 3_600_000,
      });
      ports = { ocpp: node.server.port, ocpi: Number(new URL(node.ocpiVersionsUrl).port) };
      current = { node, database, ledger: await createTransactionLedger(database) };
    } catch (e) {
      await database.close();
      throw e;
    }
  };
  const live = (): NonNullable<typeof current> => {
    if (!current) throw new Error('backend testbed: the CSMS node is stopped');
    return current;
  };
  await open();
  const handle: CsmsHandle = {
    get node() {
      return live().node;
    },
    get database() {
      return live().database;
    },
    get ledger() {
      return live().ledger;
    },
    get running() {
      return current !== undefined;
    },
    async stop() {
      const c = current;
      current = undefined;
      if (!c) return;
      await c.node.close();
      await c.database.close();
    },
    async start() {
      if (!current) await open();
    },
    async dispatchCdrsAsIfLater(aheadMs) {
      const c = live();
      const sink: CdrSink = c.node.roaming.cdrSink;
      const later = await createCdrDispatcher({ store: c.database, sink, nodeId: 'backend-testbed-later', tracer: setup.tracer, clock: () => new Date(Date.now() + aheadMs) });
      try {
        return await later.runOnce();
      } finally {
        await later.stop();
      }
    },
  };
  return { handle, close: () => handle.stop() };
}

/** The OCPI registration as an operator does it: token A from the MSP, POST /roaming/register on the CSMS admin API. */
async function registerAtMsp(csms: CsmsHandle, msp: MspHandle): Promise<void> {
  const tokenA = await msp.store.peers.issueRegistrationToken('backend testbed CPO');
  const res = await fetch(`${csms.node.adminUrl!}/roaming/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BACKEND_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ versionsUrl: msp.versionsUrl, token: tokenA }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { registered?: { parties?: string[] }; message?: string };
  if (res.status !== 200 || !body.registered?.parties?.includes(`${MSP_PARTY.countryCode}*${MSP_PARTY.partyId}`)) {
    throw new Error(`backend testbed: OCPI registration failed: ${res.status} ${JSON.stringify(body)}`);
  }
}

// --- charger --------------------------------------------------------------------------------------------------------

interface ChargerSetup {
  readonly pkiDir: string;
  readonly dbFile: string;
  readonly csmsUrl: string;
  readonly tracer: Tracer;
  readonly variables: Partial<Record<keyof ChargerVariables, string>>;
  readonly meterPowerW: number;
  readonly authorizeTimeoutMs: number;
}

async function startCharger(setup: ChargerSetup): Promise<{ station: ChargingStation; store: SqlChargerStateStore; close(): Promise<void> }> {
  const pki = PkiDirectory.open(setup.pkiDir);
  const stores = (pki.manifest.suites as Suite[]).map((s) => chargerStore(setup.pkiDir, s));
  const seccLeaf = parseCertificate(stores[0]!.secc.chain[0]!);
  const store = await openChargerStateStore(`sqlite:${setup.dbFile}`, { passphrase: BACKEND_PASSPHRASE });
  try {
    const station = await ChargingStation.start({
      store,
      passphrase: BACKEND_PASSPHRASE,
      station: { model: 'pnc-backend-testbed', vendorName: 'pnc-stack' },
      csms: {
        url: setup.csmsUrl,
        identity: BACKEND_STATION_ID,
        security: { profile: 1, basicAuthPassword: BACKEND_STATION_PASSWORD },
        backOff: { waitMinimumMs: 100, randomRangeMs: 0, repeatTimes: 0 },
        callTimeoutMs: 10_000,
      },
      firstStart: {
        seccChains: stores.map((s) => ({ suite: s.suite, chain: s.secc.chain, keyPem: s.secc.keyPem })),
        roots: stores.flatMap((s) => s.contractRoots.map((r) => ({ use: r.source.includes('mo-root') ? ('MORootCertificate' as const) : ('V2GRootCertificate' as const), der: r.der }))),
        variables: {
          ...(seccLeaf.subject.commonName ? { seccId: seccLeaf.subject.commonName } : {}),
          ...(seccLeaf.subject.organization ? { organizationName: seccLeaf.subject.organization } : {}),
          ...(seccLeaf.subject.country ? { countryName: seccLeaf.subject.country } : {}),
          txUpdatedIntervalS: '0',
          messageAttemptIntervalTransactionEventS: '1',
          ...setup.variables,
        },
      },
      vehicleRoots: stores.flatMap((s) => s.vehicleRoots.map((r) => r.der)),
      secc: { host: '127.0.0.1', port: 0, protocols: ['iso2', 'iso20-ac', 'iso20-dc'], evse: testEvse() },
      meterPowerW: setup.meterPowerW,
      tracer: setup.tracer,
      authorizeTimeoutMs: setup.authorizeTimeoutMs,
    });
    return {
      station,
      store,
      async close() {
        await station.stop();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
