// A running simulated processor for tests: its store at `url` (SQLite file or PostgreSQL database), the HTTP server
// on a free loopback port, and raw access for hostile requests.
import type { FastifyInstance } from 'fastify';
import { createProcessorLedger, openProcessorStore, type ProcessorLedger } from '../../../src/msp/payment/processorLedger.js';
import { createProcessorServer, type ProcessorServerOptions } from '../../../src/msp/payment/processorServer.js';
import type { ProcessorTables } from '../../../src/msp/payment/processorTables.js';
import type { StoreDatabase } from '../../../src/store/index.js';

export const SECRET = 'test-processor-secret-0123456789';
/** 2026-06-15T12:00Z: cards expiring 2026-05 are expired, 2026-06 still good. */
export const NOW = Date.UTC(2026, 5, 15, 12);

export interface RunningProcessor {
  readonly url: string;
  readonly store: StoreDatabase<ProcessorTables>;
  readonly ledger: ProcessorLedger;
  readonly app: FastifyInstance;
  readonly internalErrors: Error[];
  /** fetch with the secret (unless headers say otherwise); JSON body. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown; headers: Headers }>;
  close(): Promise<void>;
}

export async function startProcessor(dbUrl: string, options: Partial<Omit<ProcessorServerOptions, 'ledger'>> & { clock?: () => number } = {}): Promise<RunningProcessor> {
  const store = await openProcessorStore(dbUrl);
  const ledger = createProcessorLedger(store, options.clock ?? (() => NOW));
  const internalErrors: Error[] = [];
  const app = createProcessorServer({ secret: SECRET, onInternalError: (e) => internalErrors.push(e), ...options, ledger });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    store,
    ledger,
    app,
    internalErrors,
    async api(method, path, body, headers = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${SECRET}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: res.headers };
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}

export async function addCard(p: RunningProcessor, token: string, balanceMinor: number, over: Record<string, unknown> = {}): Promise<void> {
  const r = await p.api('POST', '/admin/cards', { token, balanceMinor, currency: 'EUR', expires: '2027-01', ...over });
  if (r.status !== 201) throw new Error(`card ${token}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
}
