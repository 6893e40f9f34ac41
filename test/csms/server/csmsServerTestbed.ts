// A CSMS server on loopback for the server tests: a real SQLite station registry in a temp dir, the station handlers
// plus any the test adds, every trace event recorded; and strict ocpp-rpc station clients to connect to it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCsmsServer, type CsmsServer, type CsmsServerOptions } from '../../../src/csms/server/csmsServer.js';
import type { CsmsHandlers } from '../../../src/csms/csmsTypes.js';
import { stationFactsWriter, type StationFactsWriter } from '../../../src/csms/stations/stationFactsWriter.js';
import { stationHandlers } from '../../../src/csms/stations/stationHandlers.js';
import { StationRegistry } from '../../../src/csms/stations/stationRegistry.js';
import { OCPP201_SUBPROTOCOL, STRICT_OCPP201 } from '../../../src/ocpp/ocppPeer.js';
import { RPCClient } from '../../../src/ocpp/ocppRpc.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { silentTracer } from '../../../src/trace/tracer.js';

export type RecordedEvent = TraceEvent & { readonly time: number };

export interface ServerBed {
  readonly server: CsmsServer;
  readonly registry: StationRegistry;
  readonly store: StoreDatabase<unknown>;
  /** Shared by the server and the station handlers, as in production. */
  readonly facts: StationFactsWriter;
  readonly events: RecordedEvent[];
  close(): Promise<void>;
}

export interface ServerBedOptions extends Partial<Omit<CsmsServerOptions, 'registry' | 'tracer' | 'handlers'>> {
  readonly handlers?: CsmsHandlers;
  /** Stations to register before the server starts: id → password. */
  readonly stations?: Readonly<Record<string, string>>;
  readonly registryFor?: (registry: StationRegistry) => CsmsServerOptions['registry'];
}

export async function startServerBed(options: ServerBedOptions = {}): Promise<ServerBed> {
  const dir = mkdtempSync(join(tmpdir(), 'pnc-csms-server-'));
  const store = await openDatabase<unknown>(`sqlite:${join(dir, 'csms.db')}`);
  const registry = await StationRegistry.open(store);
  for (const [id, password] of Object.entries(options.stations ?? {})) await registry.add(id, { password });
  const events: RecordedEvent[] = [];
  const tracer = silentTracer('csms', [(e) => events.push(e)]);
  const { handlers, stations: _stations, registryFor, ...rest } = options;
  const facts = stationFactsWriter({ registry, flushMs: 20, onError: (e) => tracer.emit({ kind: 'error', party: 'csms', error: 'facts', detail: String(e) }) });
  const server = await startCsmsServer({
    security: { profile: 1 },
    facts,
    ...rest,
    registry: registryFor ? registryFor(registry) : registry,
    tracer,
    handlers: { ...stationHandlers({ registry, facts, tracer, heartbeatIntervalS: 120 }), ...handlers },
  });
  return {
    server,
    registry,
    store,
    facts,
    events,
    async close() {
      await server.close();
      await facts.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface StationClientOptions {
  readonly password?: string;
  readonly protocols?: readonly string[];
  readonly wsOpts?: Record<string, unknown>;
  readonly callTimeoutMs?: number;
}

/** A strict OCPP 2.0.1 station client (not yet connected). */
export function stationClient(url: string, identity: string, options: StationClientOptions = {}): RPCClient {
  return new RPCClient({
    endpoint: url,
    identity,
    password: options.password ?? null,
    ...STRICT_OCPP201,
    protocols: [...(options.protocols ?? [OCPP201_SUBPROTOCOL])],
    reconnect: false,
    callTimeoutMs: options.callTimeoutMs ?? 5000,
    pingIntervalMs: 0,
    respondWithDetailedErrors: false,
    callConcurrency: 1,
    wsOpts: { perMessageDeflate: false, ...options.wsOpts },
  } as ConstructorParameters<typeof RPCClient>[0]);
}

/** Resolves with the client's close event. */
export function closeOf(client: RPCClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.once('close', (e: { code: number; reason: string }) => resolve(e)));
}

/** The HTTP status an upgrade was refused with (connect() rejects with ocpp-rpc's UnexpectedHttpResponse). */
export async function refusalStatus(client: RPCClient): Promise<number | string> {
  try {
    await client.connect();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'number' || typeof code === 'string' ? code : (e as Error).message;
  }
  await client.close({ force: true });
  throw new Error('connect() succeeded where a refusal was expected');
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const BOOT = { chargingStation: { vendorName: 'pnc-stack', model: 'test-station', serialNumber: 'SN-1', firmwareVersion: '1.2.3' }, reason: 'PowerUp' } as const;
