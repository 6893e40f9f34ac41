// A real MSP (OCPI server on 127.0.0.1 over its own database) and a real CPO roaming side (registry in a CSMS
// database, its OCPI endpoints on 127.0.0.1), for tests of the OCPI exchanges between them.
import { createMspServer, type MspServer } from '../../../src/msp/server/mspServer.js';
import { openMspStore, type MspStore } from '../../../src/msp/store/mspStore.js';
import type { PncDirect } from '../../../src/msp/payment/paymentProcessor.js';
import { createCpoOcpiServer, type CpoOcpiServer } from '../../../src/csms/roaming/cpoOcpiRoutes.js';
import { createCsmsRoaming, type CsmsRoaming, type CsmsRoamingOptions } from '../../../src/csms/roaming/csmsRoaming.js';
import { registerEmsp } from '../../../src/csms/roaming/registerEmsp.js';
import type { EmspPeer } from '../../../src/csms/roaming/emspPeer.js';
import type { OcpiVersionNumber } from '../../../src/ocpi/ocpiTypes.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';

export const MSP_PARTY = { countryCode: 'DE', partyId: 'PNC', name: 'PnC Mobility' } as const;
export const CPO_PARTY = { countryCode: 'NL', partyId: 'CPO', name: 'Charge Point Co' } as const;

export interface TestMsp {
  readonly store: MspStore;
  readonly server: MspServer;
  readonly versionsUrl: string;
  readonly events: TraceEvent[];
  close(): Promise<void>;
}

export async function startMsp(dbUrl: string, options: { versions?: readonly OcpiVersionNumber[]; pncDirect?: PncDirect; maxPageSize?: number; bodyLimitBytes?: number; timeoutMs?: number } = {}): Promise<TestMsp> {
  const store = await openMspStore(dbUrl);
  const events: TraceEvent[] = [];
  const server = createMspServer({
    store,
    party: MSP_PARTY,
    tracer: silentTracer('msp', [(e) => events.push(e)]),
    ...(options.versions ? { versions: options.versions } : {}),
    ...(options.pncDirect ? { pncDirect: options.pncDirect } : {}),
    ...(options.maxPageSize ? { maxPageSize: options.maxPageSize } : {}),
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const versionsUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    store,
    server,
    versionsUrl,
    events,
    async close() {
      await server.close();
      await store.close();
    },
  };
}

export interface TestCpo {
  readonly database: StoreDatabase<unknown>;
  readonly roaming: CsmsRoaming;
  readonly ocpi: CpoOcpiServer;
  readonly versionsUrl: string;
  readonly events: TraceEvent[];
  register(msp: TestMsp): Promise<EmspPeer>;
  close(): Promise<void>;
}

export async function startCpo(
  dbUrl: string,
  options: { versions?: readonly OcpiVersionNumber[]; tariff?: CsmsRoamingOptions['tariff']; directoryTtlMs?: number; authorizeTimeoutMs?: number } = {},
): Promise<TestCpo> {
  const database = await openDatabase<unknown>(dbUrl);
  const events: TraceEvent[] = [];
  const tracer = silentTracer('csms', [(e) => events.push(e)]);
  const roaming = await createCsmsRoaming({
    database,
    cpo: CPO_PARTY,
    tracer,
    tariff: options.tariff ?? { pricePerKwh: 0.4, currency: 'EUR' },
    // Called during a registration, after the server below listens.
    ourVersionsUrl: () => ocpi.versionsUrl(),
    ...(options.versions ? { versions: options.versions } : {}),
    ...(options.directoryTtlMs !== undefined ? { directoryTtlMs: options.directoryTtlMs } : {}),
    ...(options.authorizeTimeoutMs !== undefined ? { authorizeTimeoutMs: options.authorizeTimeoutMs } : {}),
  });
  const ocpi: CpoOcpiServer = createCpoOcpiServer({ ...roaming.cpoOcpiDeps });
  const versionsUrl = await ocpi.listen({ host: '127.0.0.1', port: 0 });
  return {
    database,
    roaming,
    ocpi,
    versionsUrl,
    events,
    async register(msp) {
      const tokenA = await msp.store.peers.issueRegistrationToken('test CPO');
      return registerEmsp(roaming.registerDeps, { versionsUrl: msp.versionsUrl, tokenA });
    },
    async close() {
      await ocpi.close();
      roaming.close();
      await database.close();
    },
  };
}

/** A valid eMAID with its check digit: DE-PNC-C<8 digits>-<digit>. */
export { computeCheckDigit } from '../../../src/pki/emaid/emaid.js';
