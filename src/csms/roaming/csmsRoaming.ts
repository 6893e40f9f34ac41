// The CSMS's roaming side in one piece, for the process that composes the CSMS: the registry (in the CSMS database,
// scope "csms-roaming"), its cached directory, the last-known-token store, the OCPI client, the BillingChecker and
// the CdrSink, and the dependencies of the CPO's OCPI routes and of the admin roaming routes.
import type { Kysely } from 'kysely';
import { OcpiClient } from '../../ocpi/ocpiClient.js';
import type { OcpiVersionNumber } from '../../ocpi/ocpiTypes.js';
import type { StoreDatabase } from '../../store/index.js';
import type { Tracer } from '../../trace/tracer.js';
import type { BillingChecker } from '../authorize/authorizeTypes.js';
import type { CdrSink } from '../transactions/completedTransaction.js';
import type { CdrSite, Tariff } from './cdrBuilder.js';
import type { CpoOcpiDeps } from './cpoOcpiRoutes.js';
import type { CpoParty } from './cpoParty.js';
import { CachedEmspDirectory } from './emspDirectory.js';
import { LastKnownTokens } from './lastKnownTokens.js';
import { OcpiBillingChecker } from './ocpiBillingChecker.js';
import { OcpiCdrSink } from './ocpiCdrSink.js';
import type { RegisterEmspDeps } from './registerEmsp.js';
import { migrateRoaming, RoamingRegistry } from './roamingRegistry.js';
import type { RoamingTables } from './roamingTables.js';

export interface CsmsRoamingOptions<DB = unknown> {
  /** The CSMS database (SQLite or PostgreSQL), already open; the roaming migrations are applied to it. */
  readonly database: StoreDatabase<DB>;
  readonly cpo: CpoParty;
  readonly tracer: Tracer;
  readonly tariff: Tariff;
  /** Our OCPI versions URL, e.g. createCpoOcpiServer(...).versionsUrl (known once that server listens). */
  readonly ourVersionsUrl: string | (() => string);
  readonly site?: CdrSite;
  readonly versions?: readonly OcpiVersionNumber[];
  /** Shared OCPI client (default: keep-alive, 512 sockets per eMSP, all kept open between bursts: a new TCP
   *  connection per authorization costs more CPU than the authorization). */
  readonly client?: OcpiClient;
  /** How long the in-memory view of the registry is used (default 5000 ms). */
  readonly directoryTtlMs?: number;
  /** Time limit of one real-time authorization (default 2000 ms). */
  readonly authorizeTimeoutMs?: number;
}

export interface CsmsRoaming {
  readonly registry: RoamingRegistry;
  readonly directory: CachedEmspDirectory;
  readonly tokens: LastKnownTokens;
  readonly client: OcpiClient;
  readonly billing: BillingChecker;
  readonly cdrSink: CdrSink;
  /** For roamingAdminRoutes(app, deps) and registerEmsp(deps, …). */
  readonly registerDeps: RegisterEmspDeps;
  /** For registerCpoOcpiRoutes / createCpoOcpiServer (add baseUrl for the former). */
  readonly cpoOcpiDeps: Omit<CpoOcpiDeps, 'baseUrl'>;
  close(): void;
}

export async function createCsmsRoaming<DB>(options: CsmsRoamingOptions<DB>): Promise<CsmsRoaming> {
  await migrateRoaming(options.database);
  const registry = new RoamingRegistry(options.database.db as unknown as Kysely<RoamingTables>);
  const { tracer } = options;
  const ownClient = options.client === undefined;
  const client = options.client ?? new OcpiClient({ timeoutMs: 5000, maxResponseBytes: 1024 * 1024, maxSockets: 512, maxFreeSockets: 512 });
  const directory = new CachedEmspDirectory(() => registry.listPeers(), {
    ttlMs: options.directoryTtlMs ?? 5000,
    onReloadError: (e) => tracer.emit({ kind: 'error', party: 'csms', error: 'roaming registry reload failed', detail: e instanceof Error ? e.message : String(e) }),
  });
  const tokens = new LastKnownTokens(registry, {
    onWriteError: (e) => tracer.emit({ kind: 'error', party: 'csms', error: 'last known token not stored', detail: e instanceof Error ? e.message : String(e) }),
  });
  const billing = new OcpiBillingChecker({ directory, client, tokens, tracer, timeoutMs: options.authorizeTimeoutMs ?? 2000 });
  const cdrSink = new OcpiCdrSink({ directory, client, cpo: options.cpo, tariff: options.tariff, tracer, ...(options.site ? { site: options.site } : {}) });
  const versions = options.versions !== undefined ? { versions: options.versions } : {};
  return {
    registry,
    directory,
    tokens,
    client,
    billing,
    cdrSink,
    registerDeps: { registry, client, ourVersionsUrl: options.ourVersionsUrl, cpo: options.cpo, directory, tracer, ...versions },
    cpoOcpiDeps: { registry, cpo: options.cpo, tracer, directory, ...versions },
    close: () => {
      if (ownClient) client.close();
    },
  };
}
