// All five parties in one process, every one a real server on 127.0.0.1 speaking its real protocol: a test PKI whose
// AIA names a real OCSP responder (stoppable and restartable on the same port), the MSP (OCPI server over its own
// database) with PnC Direct against the simulated card processor, a CSMS node (security profile 1) registered with the
// MSP through the real OCPI credentials handshake, one ChargingStation connected to it over OCPP-J, and the EV that
// plugs in over ISO 15118 (TLS, EXI). `pnc demo`, the dashboard and the end-to-end tests run on this.
// Every party's trace events land in one list, in order, so a scenario's sequence can be drawn across parties.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { ChargingStation } from '../charger/chargingStation.js';
import { maskEmaid } from '../pki/emaid/maskEmaid.js';
import type { ChargerVariables } from '../charger/deviceModel/chargerVariables.js';
import { openChargerStateStore, type SqlChargerStateStore } from '../charger/store/sqlChargerStateStore.js';
import { startCsmsNode, type CsmsNode } from '../csms/csmsNode.js';
import type { Tariff } from '../csms/roaming/cdrBuilder.js';
import type { CdrSink } from '../csms/transactions/completedTransaction.js';
import { createCdrDispatcher, type CdrRoundResult } from '../csms/transactions/cdrDispatcher.js';
import { createTransactionLedger, type LedgerTransaction, type TransactionLedger } from '../csms/transactions/transactionLedger.js';
import { runEvSession, type EvMisbehaviour, type EvSessionOptions, type EvSessionResult } from '../ev/evSession.js';
import { testEvse } from '../iso15118/session/evseModel.js';
import { createPncDirect } from '../msp/payment/pncDirect.js';
import type { PncDirectTables } from '../msp/payment/pncDirectTables.js';
import type { PncDirect } from '../msp/payment/paymentProcessor.js';
import { createProcessorAdminClient, type ProcessorAdminClient } from '../msp/payment/processorAdminClient.js';
import { createProcessorClient, type ProcessorClient } from '../msp/payment/processorClient.js';
import { createProcessorLedger, openProcessorStore } from '../msp/payment/processorLedger.js';
import { createProcessorServer } from '../msp/payment/processorServer.js';
import { createMspServer, type MspServer } from '../msp/server/mspServer.js';
import type { WhitelistType } from '../ocpi/ocpiTypes.js';
import { openMspStore, type MspStore } from '../msp/store/mspStore.js';
import { CaDatabaseStatus } from '../ocsp/caDatabaseStatus.js';
import { createOcspServer } from '../ocsp/ocspServer.js';
import { authoritiesFromPki } from '../ocsp/pkiAuthorities.js';
import { parseCertificate } from '../pki/certificate/certificate.js';
import { chargerStore, evStore } from '../pki/generator/partyStores.js';
import { initPki, issueContractInPki, MANIFEST, PkiDirectory, revokeInPki } from '../pki/generator/pkiDirectory.js';
import type { Suite } from '../pki/generator/testPki.js';
import { OcspResponderCore } from '../pki/ocsp/ocspResponderCore.js';
import { createTrustStore } from '../pki/verdict/trustStore.js';
import { openDatabase, type StoreDatabase } from '../store/index.js';
import type { Party, TraceEvent } from '../trace/traceEvent.js';
import { silentTracer, type Tracer } from '../trace/tracer.js';

export const LOOPBACK_STATION_ID = 'CS-LOOPBACK-1';
export const MSP_PARTY = { countryCode: 'DE', partyId: 'PNC', name: 'PnC Mobility' } as const;
export const CPO_PARTY = { countryCode: 'DE', partyId: 'CPO', name: 'PnC Charge Point Operator' } as const;
/** The EVSE the EV plugs into. */
export const LOOPBACK_EVSE = 1;

/** Secrets of one run: fresh random values, so nothing reachable on the loopback ports has a published password. */
interface RunSecrets {
  readonly passphrase: string;
  readonly stationPassword: string;
  readonly adminToken: string;
  readonly processorSecret: string;
}
const secret = (): string => randomBytes(18).toString('base64url');

export type TimedEvent = TraceEvent & { readonly time: number };
export type EventListener = (event: TimedEvent) => void;

export interface LoopbackSystemOptions {
  /** Passphrase of the PKI's keys (default: a random one; required to reuse a kept `pkiDir`). */
  readonly passphrase?: string;
  /** Where the PKI lives: generated there if absent, reused if present (default: a temporary directory). */
  readonly pkiDir?: string;
  /** Called with every party's trace event as it happens (besides the `events` list). */
  readonly onEvent?: EventListener;
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
  /** The certificate suite (overrides `protocol`): iso2, iso20-p521 or iso20-ed448. */
  readonly suite?: Suite;
  /** PnC (default) or EIM (the driver identifies at the charger, e.g. an RFID tap). */
  readonly auth?: 'pnc' | 'eim';
  readonly misbehave?: EvMisbehaviour;
  /** The contract (default: the PKI's first one). */
  readonly emaid?: string;
  readonly energy?: 'ac' | 'dc';
  readonly chargeLoops?: number;
  readonly chargeLoopPauseMs?: number;
}

export interface SessionRun {
  readonly result: EvSessionResult;
  readonly suite: Suite;
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

export interface LoopbackSystem {
  readonly dir: string;
  readonly pkiDir: string;
  readonly pki: PkiDirectory;
  readonly passphrase: string;
  readonly stationId: string;
  readonly events: TimedEvent[];
  readonly ocsp: OcspHandle;
  readonly msp: MspHandle;
  readonly csms: CsmsHandle;
  readonly station: ChargingStation;
  readonly stationStore: SqlChargerStateStore;
  /** The eMAID of the PKI's first contract (issued by initPki). */
  readonly defaultEmaid: string;
  /** A new contract certificate in every suite of the PKI; returns its eMAID as the certificate CN carries it. */
  issueContract(emaid: string, validity?: { readonly notBefore: number; readonly notAfter: number }): string;
  /** Revokes every contract certificate of the eMAID at the OCSP responder's CA database. */
  revokeContract(emaid: string): void;
  /** SHA-256 (hex) of the contract leaf the EV presents for `emaid` (the charger's block-list key). */
  contractFingerprint(emaid: string, suite?: Suite): string;
  addAccount(emaid: string, options?: { readonly paymentToken?: string; readonly whitelist?: WhitelistType }): Promise<void>;
  /** Records an event of the operator or the PKI (party 'pki' / 'demo') with the parties' events. */
  emit(event: TraceEvent): void;
  /** Adds a listener for every trace event from now on; returns the function that removes it. */
  onEvent(listener: EventListener): () => void;
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

export async function startLoopbackSystem(options: LoopbackSystemOptions = {}): Promise<LoopbackSystem> {
  const dir = mkdtempSync(join(tmpdir(), 'pnc-loopback-'));
  const pkiDir = options.pkiDir ?? join(dir, 'pki');
  const secrets: RunSecrets = { passphrase: options.passphrase ?? secret(), stationPassword: secret(), adminToken: secret(), processorSecret: secret() };
  const events: TimedEvent[] = [];
  const listeners = new Set<EventListener>(options.onEvent ? [options.onEvent] : []);
  const record: EventListener = (e) => {
    events.push(e);
    for (const l of listeners) l(e);
  };
  const tracerOf = (party: Party): Tracer => silentTracer(party, [record]);
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
    if (errors.length > 0) throw new AggregateError(errors, 'loopback system: closing failed');
  };
  try {
    const ocsp = await startOcsp(pkiDir, secrets.passphrase, tracerOf('ocsp'));
    closers.push(() => ocsp.handle.stop());
    closers.push(() => ocsp.close());
    const pki = PkiDirectory.open(pkiDir);

    const processor = await startProcessor(options.processorDatabaseUrl ?? `sqlite:${join(dir, 'processor.db')}`, secrets.processorSecret);
    closers.push(() => processor.close());

    const msp = await startMsp(options.mspDatabaseUrl ?? `sqlite:${join(dir, 'msp.db')}`, processor.url, secrets.processorSecret, options.holdAmountMinor ?? 5000, tracerOf('msp'));
    closers.push(() => msp.close());

    const csms = await startCsms({
      url: options.csmsDatabaseUrl ?? `sqlite:${join(dir, 'csms.db')}`,
      pkiDir,
      ocspOrigin: ocsp.handle.origin,
      ocspCache: options.ocspCache ?? true,
      tariff: options.tariff ?? { pricePerKwh: 10, currency: 'EUR' },
      tracer: tracerOf('csms'),
      secrets,
    });
    closers.push(() => csms.close());
    await csms.handle.node.registry.add(LOOPBACK_STATION_ID, { password: secrets.stationPassword });
    await registerAtMsp(csms.handle, msp.handle, secrets.adminToken);

    const charger = await startCharger({
      pkiDir,
      dbFile: join(dir, 'charger.db'),
      csmsUrl: csms.handle.node.ocppUrl,
      tracer: tracerOf('charger'),
      variables: options.stationVariables ?? {},
      meterPowerW: options.meterPowerW ?? 350_000,
      authorizeTimeoutMs: options.stationAuthorizeTimeoutMs ?? 8000,
      secrets,
    });
    closers.push(() => charger.close());

    const bed: LoopbackSystem = {
      dir,
      pkiDir,
      pki,
      passphrase: secrets.passphrase,
      stationId: LOOPBACK_STATION_ID,
      events,
      ocsp: ocsp.handle,
      msp: msp.handle,
      csms: csms.handle,
      station: charger.station,
      stationStore: charger.store,
      defaultEmaid: evStore(pkiDir, 'iso2').contracts[0]!,
      issueContract(emaid, validity) {
        const entries = issueContractInPki(pkiDir, { emaid, passphrase: secrets.passphrase, ...(validity ?? {}) });
        return entries[0]!.name.slice('contract/'.length);
      },
      revokeContract(emaid) {
        revokeInPki(pkiDir, emaid, { reason: 'keyCompromise' });
        record({ kind: 'message', party: 'pki', from: 'pki', to: 'ocsp', message: 'revoke', detail: `contract ${maskEmaid(emaid)} (keyCompromise)`, time: Date.now() });
      },
      contractFingerprint(emaid, suite = 'iso2') {
        const c = evStore(pkiDir, suite).contract(emaid, secrets.passphrase);
        return createHash('sha256').update(c.chain[0]!).digest('hex');
      },
      emit(event) {
        record({ ...event, time: Date.now() });
      },
      onEvent(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async addAccount(emaid, o = {}) {
        await msp.handle.store.accounts.add({ emaids: [emaid], ...(o.paymentToken !== undefined ? { paymentToken: o.paymentToken } : {}), ...(o.whitelist ? { whitelist: o.whitelist } : {}) });
      },
      async session(o = {}) {
        const from = events.length;
        const suite: Suite = o.suite ?? (o.protocol === 'iso20' ? 'iso20-p521' : 'iso2');
        const protocol = suite === 'iso2' ? 'iso2' : 'iso20';
        const ev = evStore(pkiDir, suite);
        const contract = ev.contract(o.emaid, secrets.passphrase);
        const vehicle = ev.vehicle();
        const auth = o.auth ?? 'pnc';
        const sessionOptions: EvSessionOptions = {
          secc: { host: '127.0.0.1', port: charger.station.seccPort },
          protocol,
          security: 'tls',
          auth,
          energy: o.energy ?? 'ac',
          ...(auth === 'pnc' ? { contract } : {}),
          ...(protocol === 'iso20' && vehicle ? { vehicle: { keyPem: vehicle.keyPem, passphrase: secrets.passphrase, chain: vehicle.chain } } : {}),
          // -20: the signature algorithm the EV offers picks the SECC's credential of that suite.
          ...(suite === 'iso20-p521' ? { tlsOverrides: { sigalgs: 'ecdsa_secp521r1_sha512' } } : suite === 'iso20-ed448' ? { tlsOverrides: { sigalgs: 'ed448' } } : {}),
          ...(o.misbehave ? { misbehave: o.misbehave } : {}),
          seccTrust: createTrustStore(ev.v2gRoots),
          tracer: tracerOf('ev'),
          ongoingPollMs: 50,
          chargeLoops: o.chargeLoops ?? 4,
          chargeLoopPauseMs: o.chargeLoopPauseMs ?? 150,
        };
        const result = await runEvSession(sessionOptions);
        return { result, suite, emaid: contract.emaid, from, events: () => events.slice(from) };
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
              reject(new LoopbackSystemError(`no event ${o.what ?? 'matching'} within ${timeoutMs} ms; last events:\n${describeEvents(events.slice(Math.max(from, events.length - 15)))}`));
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
        return all.filter((t) => t.stationId === LOOPBACK_STATION_ID && !known.has(`${t.stationId}/${t.transactionId}`));
      },
      async admin(path, body) {
        const adminUrl = csms.handle.node.adminUrl;
        if (adminUrl === undefined) throw new Error('loopback system: the CSMS runs without its admin API');
        const res = await fetch(`${adminUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secrets.adminToken}`, 'content-type': 'application/json' },
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

export class LoopbackSystemError extends Error {
  override readonly name = 'LoopbackSystemError';
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

async function startOcsp(pkiDir: string, passphrase: string, tracer: Tracer): Promise<{ handle: OcspHandle; close(): void }> {
  // The core needs the PKI, the PKI needs the responder's URL: the core is filled in once the PKI exists.
  const late: { core?: OcspResponderCore } = {};
  const make = (): FastifyInstance => createOcspServer({ core: { respond: (req) => late.core!.respond(req) }, tracer });
  let app: FastifyInstance | undefined = make();
  let address: string;
  if (existsSync(join(pkiDir, MANIFEST))) {
    // A kept PKI names its responder in every AIA: listen exactly there.
    const named = new URL(PkiDirectory.open(pkiDir).manifest.ocspUrl);
    if (!['127.0.0.1', 'localhost'].includes(named.hostname) || named.port === '') {
      throw new LoopbackSystemError(`the PKI in ${pkiDir} names its OCSP responder at ${named.href}; the loopback system can only serve one at http://127.0.0.1:PORT/…`);
    }
    address = await app.listen({ host: '127.0.0.1', port: Number(named.port) }).catch((e: unknown) => {
      throw new LoopbackSystemError(`cannot serve the OCSP responder the PKI in ${pkiDir} names (${named.href}): ${e instanceof Error ? e.message : String(e)}`);
    });
  } else {
    // The responder listens first, so a new PKI is issued with its real URL in every AIA.
    address = await app.listen({ host: '127.0.0.1', port: 0 });
    mkdirSync(pkiDir, { recursive: true });
    initPki(pkiDir, { protocol: 'both', ocspUrl: `${address}/ocsp`, passphrase, force: true });
  }
  const port = Number(new URL(address).port);
  const pki = PkiDirectory.open(pkiDir);
  const statuses = new CaDatabaseStatus(pki.databasePath);
  late.core = new OcspResponderCore({ authorities: authoritiesFromPki(pki, passphrase), statuses });
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

async function startProcessor(dbUrl: string, processorSecret: string): Promise<{ url: string; close(): Promise<void> }> {
  const store = await openProcessorStore(dbUrl);
  const app = createProcessorServer({ ledger: createProcessorLedger(store), secret: processorSecret });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

async function startMsp(dbUrl: string, processorUrl: string, processorSecret: string, holdAmountMinor: number, tracer: Tracer): Promise<{ handle: MspHandle; close(): Promise<void> }> {
  const store = await openMspStore(dbUrl);
  const client: ProcessorClient = createProcessorClient({ url: processorUrl, secret: processorSecret });
  const processorAdmin = createProcessorAdminClient({ url: processorUrl, secret: processorSecret });
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
  readonly secrets: RunSecrets;
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
        nodeId: 'loopback',
        ocpp: { host: '127.0.0.1', port: ports?.ocpp ?? 0, security: { profile: 1 }, heartbeatIntervalS: 300 },
        trust: { pkiDir: setup.pkiDir, passphrase: setup.secrets.passphrase },
        ocsp: { allowedOrigins: [setup.ocspOrigin], allowPrivateAddresses: true, cache: setup.ocspCache, timeoutMs: 2000 },
        ocpi: { cpo: CPO_PARTY, tariff: setup.tariff, host: '127.0.0.1', port: ports?.ocpi ?? 0 },
        admin: { host: '127.0.0.1', port: 0, token: setup.secrets.adminToken },
        // SECC leaves the CSMS signs (renewal) go into the test PKI's CA database, so the responder can vouch for them.
        registerIssuedInPki: true,
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
    if (!current) throw new LoopbackSystemError('the CSMS node is stopped');
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
      const later = await createCdrDispatcher({ store: c.database, sink, nodeId: 'loopback-later', tracer: setup.tracer, clock: () => new Date(Date.now() + aheadMs) });
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
async function registerAtMsp(csms: CsmsHandle, msp: MspHandle, adminToken: string): Promise<void> {
  const tokenA = await msp.store.peers.issueRegistrationToken('loopback CPO');
  const res = await fetch(`${csms.node.adminUrl!}/roaming/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ versionsUrl: msp.versionsUrl, token: tokenA }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { registered?: { parties?: string[] }; message?: string };
  if (res.status !== 200 || !body.registered?.parties?.includes(`${MSP_PARTY.countryCode}*${MSP_PARTY.partyId}`)) {
    throw new LoopbackSystemError(`OCPI registration failed: ${res.status} ${JSON.stringify(body)}`);
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
  readonly secrets: RunSecrets;
}

async function startCharger(setup: ChargerSetup): Promise<{ station: ChargingStation; store: SqlChargerStateStore; close(): Promise<void> }> {
  const pki = PkiDirectory.open(setup.pkiDir);
  const stores = (pki.manifest.suites as Suite[]).map((s) => chargerStore(setup.pkiDir, s));
  const seccLeaf = parseCertificate(stores[0]!.secc.chain[0]!);
  const store = await openChargerStateStore(`sqlite:${setup.dbFile}`, { passphrase: setup.secrets.passphrase });
  try {
    const station = await ChargingStation.start({
      store,
      passphrase: setup.secrets.passphrase,
      station: { model: 'pnc-loopback', vendorName: 'pnc-stack' },
      csms: {
        url: setup.csmsUrl,
        identity: LOOPBACK_STATION_ID,
        security: { profile: 1, basicAuthPassword: setup.secrets.stationPassword },
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
