// One CSMS process ("node"): the OCPP 2.0.1 server with every handler, the revocation checks, roaming to eMSPs over
// OCPI (its own small OCPI server for the credentials handshake), the transaction ledger and CDR dispatch, and the
// admin API. Several nodes may share one PostgreSQL database and serve one fleet; everything that must happen once is
// decided by the database.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { decodePemCertificates } from '../pki/certificate/pem.js';
import { PkiDirectory } from '../pki/generator/pkiDirectory.js';
import { createTrustStore, type TrustStore } from '../pki/verdict/trustStore.js';
import type { StoreDatabase } from '../store/index.js';
import type { Tracer } from '../trace/tracer.js';
import { startAdminServer, type AdminServer } from './admin/adminServer.js';
import { authorizeHandler } from './authorize/authorizeHandler.js';
import { reuseRecentAuthorization } from './authorize/recentAuthorizationReuse.js';
import { createTokenAuthorizer } from './authorize/tokenAuthorizer.js';
import { BackgroundJobs } from './certificates/backgroundJobs.js';
import { caDatabaseRegistrar } from './certificates/caDatabaseRegistration.js';
import { IssuedCertificateStore } from './certificates/issuedCertificateStore.js';
import { signCertificateHandler } from './certificates/signCertificateHandler.js';
import { V2gCertificateSigner } from './certificates/v2gCertificateSigner.js';
import type { CsmsHandlers, StationCaller } from './csmsTypes.js';
import { getCertificateStatusHandler } from './revocation/certificateStatusRelay.js';
import { createContractRevocationChecker } from './revocation/contractRevocationChecker.js';
import { knownIssuersFromPemFiles, knownIssuersFromPkiDir, KnownIssuers } from './revocation/knownIssuers.js';
import { createOcspLookup } from './revocation/ocspLookup.js';
import type { Tariff } from './roaming/cdrBuilder.js';
import { createCpoOcpiServer } from './roaming/cpoOcpiRoutes.js';
import type { CpoParty } from './roaming/cpoParty.js';
import { createCsmsRoaming, type CsmsRoaming } from './roaming/csmsRoaming.js';
import { roamingAdminRoutes } from './roaming/roamingAdminRoutes.js';
import { startCsmsServer, type CsmsSecurity, type CsmsServer } from './server/csmsServer.js';
import { stationFactsWriter } from './stations/stationFactsWriter.js';
import { stationHandlers } from './stations/stationHandlers.js';
import { StationRegistry } from './stations/stationRegistry.js';
import { TokenList } from './tokens/tokenList.js';
import { createCdrDispatcher, type CdrDispatcher } from './transactions/cdrDispatcher.js';
import { createSqlAuthorizationLog } from './transactions/sqlAuthorizationLog.js';
import { transactionEventHandler } from './transactions/transactionEventHandler.js';
import { createTransactionLedger } from './transactions/transactionLedger.js';

export class CsmsConfigError extends Error {
  override readonly name = 'CsmsConfigError';
}

export interface CsmsNodeOptions {
  readonly database: StoreDatabase<unknown>;
  readonly tracer: Tracer;
  /** Default `<hostname>:<pid>`. Unique per node sharing the database. */
  readonly nodeId?: string;
  readonly ocpp: {
    readonly host?: string;
    readonly port?: number;
    readonly security: CsmsSecurity;
    readonly heartbeatIntervalS?: number;
    readonly callTimeoutMs?: number;
  };
  readonly trust: {
    /** A pnc-stack PKI directory: V2G and MO roots (csms/<suite>/truststore), its CAs as OCSP issuers, the CPO Sub-CA 2. */
    readonly pkiDir?: string;
    readonly passphrase?: string;
    /** More V2G/MO root PEM files (central contract validation). */
    readonly rootFiles?: readonly string[];
    /** More CA PEM files (sub-CAs) that OCSP answers for hash data may be anchored to. */
    readonly issuerFiles?: readonly string[];
  };
  readonly ocsp: {
    /** Origins (scheme://host:port) whose OCSP responders may be asked. */
    readonly allowedOrigins: readonly string[];
    /** Loopback/private responder addresses (tests, demo). Never in production. */
    readonly allowPrivateAddresses?: boolean;
    /** false: every lookup asks the responder (concurrent identical lookups still share one request). */
    readonly cache?: boolean;
    readonly timeoutMs?: number;
  };
  readonly ocpi: {
    readonly cpo: CpoParty;
    readonly tariff: Tariff;
    readonly host?: string;
    readonly port?: number;
    readonly publicUrl?: string;
  };
  readonly admin?: { readonly host?: string; readonly port?: number; readonly token?: string };
  /** Add CSMS-issued SECC leaves to the PKI directory's CA database, so its OCSP responder knows them (test PKI). */
  readonly registerIssuedInPki?: boolean;
  readonly cdrIntervalMs?: number;
}

export interface CsmsNode {
  readonly nodeId: string;
  readonly ocppUrl: string;
  readonly ocpiVersionsUrl: string;
  readonly adminUrl?: string;
  readonly server: CsmsServer;
  readonly registry: StationRegistry;
  readonly tokens: TokenList;
  readonly roaming: CsmsRoaming;
  readonly cdrs: CdrDispatcher;
  close(): Promise<void>;
}

function pemFiles(paths: readonly string[]): { der: Buffer; source: string }[] {
  return paths.flatMap((p) => decodePemCertificates(readFileSync(p, 'utf8')).map((der) => ({ der, source: p })));
}

function trustFrom(options: CsmsNodeOptions['trust']): { roots: TrustStore; issuers: KnownIssuers } {
  const roots: { der: Buffer; source: string }[] = [];
  const issuers = new KnownIssuers();
  if (options.pkiDir !== undefined) {
    const pki = PkiDirectory.open(options.pkiDir);
    for (const suite of pki.manifest.suites) {
      for (const name of ['v2g-root', 'mo-root']) {
        const path = join(options.pkiDir, 'csms', suite, 'truststore', `${name}.pem`);
        if (existsSync(path)) roots.push(...pemFiles([path]));
      }
    }
    knownIssuersFromPkiDir(options.pkiDir, issuers);
  }
  if (options.rootFiles) roots.push(...pemFiles(options.rootFiles));
  if (options.issuerFiles) knownIssuersFromPemFiles(options.issuerFiles, issuers);
  if (roots.length === 0) throw new CsmsConfigError('no V2G/MO roots: give a PKI directory or root files');
  return { roots: createTrustStore(roots), issuers };
}

export async function startCsmsNode(options: CsmsNodeOptions): Promise<CsmsNode> {
  const { database, tracer } = options;
  // One name for this node in the registry (where a station is connected) and on CDR claims.
  const nodeId = options.nodeId ?? `${hostname()}:${process.pid}`;
  const { roots, issuers } = trustFrom(options.trust);
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const registry = await StationRegistry.open(database);
    const tokens = await TokenList.open(database);
    const authorizationLog = await createSqlAuthorizationLog(database);
    const ledger = await createTransactionLedger(database);
    const issued = await IssuedCertificateStore.open(database);

    const lookup = createOcspLookup({
      policy: { allowedOrigins: options.ocsp.allowedOrigins, allowPrivateAddresses: options.ocsp.allowPrivateAddresses ?? false },
      ...(options.ocsp.timeoutMs !== undefined ? { timeoutMs: options.ocsp.timeoutMs } : {}),
      // Uncached: an answer is never reused, only shared by lookups that are in flight together.
      ...(options.ocsp.cache === false ? { maxCacheMs: 0, failureCacheMs: 0 } : {}),
    });
    closers.push(() => lookup.close());
    const revocation = createContractRevocationChecker({ issuers, roots, lookup, tracer });

    // The CPO's OCPI endpoints listen before any handshake: the eMSP calls our versions URL during it.
    // Roaming needs our versions URL, the OCPI server needs roaming's registry: the URL is read late.
    const late: { versionsUrl?: () => string; server?: CsmsServer } = {};
    const roaming = await createCsmsRoaming({ database, cpo: options.ocpi.cpo, tracer, tariff: options.ocpi.tariff, ourVersionsUrl: () => late.versionsUrl!() });
    closers.push(() => roaming.close());
    const ocpiServer = createCpoOcpiServer({ ...roaming.cpoOcpiDeps, ...(options.ocpi.publicUrl !== undefined ? { publicUrl: options.ocpi.publicUrl } : {}) });
    late.versionsUrl = () => ocpiServer.versionsUrl();
    const ocpiVersionsUrl = await ocpiServer.listen({ host: options.ocpi.host ?? '127.0.0.1', port: options.ocpi.port ?? 0 });
    closers.push(() => ocpiServer.close());

    const tokenAuthorizer = createTokenAuthorizer({ billing: roaming.billing, tokens, tracer });
    const facts = stationFactsWriter({
      registry,
      onError: (e, dropped) => tracer.emit({ kind: 'error', party: 'csms', error: 'station facts not written', detail: `${e instanceof Error ? e.message : String(e)} (${dropped} dropped)` }),
    });

    const cdrs = await createCdrDispatcher({ store: database, sink: roaming.cdrSink, nodeId, tracer });

    // The SignCertificate handler calls stations back; the server that knows them starts after the handlers exist.
    const stations: StationCaller = {
      call: (id, action, request, o) => late.server!.stations.call(id, action, request, o),
      isConnected: (id) => late.server?.stations.isConnected(id) ?? false,
      get connectedCount() {
        return late.server?.stations.connectedCount ?? 0;
      },
    };
    const jobs = new BackgroundJobs((e) => tracer.emit({ kind: 'error', party: 'csms', error: 'background job failed', detail: e instanceof Error ? e.message : String(e) }));
    closers.push(() => jobs.close());
    const pkiDir = options.trust.pkiDir;
    const v2gSigner = pkiDir !== undefined ? V2gCertificateSigner.fromPkiDirectory(pkiDir, options.trust.passphrase ?? '') : undefined;

    const handlers: CsmsHandlers = {
      ...stationHandlers({ registry, facts, tracer, ...(options.ocpp.heartbeatIntervalS !== undefined ? { heartbeatIntervalS: options.ocpp.heartbeatIntervalS } : {}) }),
      Authorize: authorizeHandler({ revocation, billing: roaming.billing, tokens: tokenAuthorizer, authorizationLog, tracer }),
      TransactionEvent: transactionEventHandler({
        ledger,
        authorizer: reuseRecentAuthorization(tokenAuthorizer, authorizationLog),
        authorizationLog,
        tracer,
        onEnded: () => cdrs.kick(),
      }),
      GetCertificateStatus: getCertificateStatusHandler({ lookup, issuers, tracer }),
      SignCertificate: signCertificateHandler({
        stations,
        store: issued,
        tracer,
        jobs,
        ...(v2gSigner ? { v2gSigner } : {}),
        ...(options.registerIssuedInPki && pkiDir !== undefined ? { onIssued: caDatabaseRegistrar(pkiDir) } : {}),
      }),
    };

    const started = await startCsmsServer({
      registry,
      facts,
      handlers,
      tracer,
      security: options.ocpp.security,
      ...(options.ocpp.host !== undefined ? { host: options.ocpp.host } : {}),
      ...(options.ocpp.port !== undefined ? { port: options.ocpp.port } : {}),
      nodeId,
      ...(options.ocpp.callTimeoutMs !== undefined ? { callTimeoutMs: options.ocpp.callTimeoutMs } : {}),
    });
    late.server = started;
    closers.push(async () => {
      await started.close();
      await facts.close();
    });
    cdrs.start(options.cdrIntervalMs ?? 15_000);
    closers.push(() => cdrs.stop());

    let admin: AdminServer | undefined;
    if (options.admin) {
      const registerDeps = roaming.registerDeps;
      admin = await startAdminServer({
        stations: started.stations,
        tracer,
        nodeId: started.nodeId,
        whereConnected: (id) => registry.whereConnected(id),
        listConnected: () => started.connectedIds(),
        routes: [(app) => roamingAdminRoutes(app, registerDeps)],
        ...(options.admin.host !== undefined ? { host: options.admin.host } : {}),
        ...(options.admin.port !== undefined ? { port: options.admin.port } : {}),
        ...(options.admin.token !== undefined ? { token: options.admin.token } : {}),
      });
      const a = admin;
      closers.push(() => a.close());
    }
    return {
      nodeId: started.nodeId,
      ocppUrl: started.url,
      ocpiVersionsUrl,
      ...(admin ? { adminUrl: admin.url } : {}),
      server: started,
      registry,
      tokens,
      roaming,
      cdrs,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
