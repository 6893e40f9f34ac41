// Write-behind for what stations tell the CSMS and where they are connected: connects, disconnects, "last seen",
// BootNotification and StatusNotification contents are queued and written to the registry as one transaction every
// flushMs, instead of one transaction each. On SQLite (better-sqlite3 is synchronous, and the store syncs every commit)
// each transaction blocks the event loop for an fsync — several milliseconds — so 10 000 stations booting and reporting
// their connectors would stall every other station for minutes; batched, it is a few dozen commits.
//
// These facts are soft state: the answers to the stations never depend on them being written. A batch the database
// refuses is kept (ahead of newer facts, within maxQueued) and retried; beyond the bound the oldest facts are dropped
// and reported — the next connect, boot or status report repairs them. "Seen" is a set of stations per flush.
import type { BootNotificationRequest } from '../../ocpp/generated/ocpp201.js';
import type { StationFact, StationRegistry, StatusReport } from './stationRegistry.js';

export interface StationFactsWriterOptions {
  readonly registry: Pick<StationRegistry, 'recordFacts'>;
  /** Default 200 ms. */
  readonly flushMs?: number;
  /** Facts kept while the database fails; the oldest are dropped beyond it. Default 100 000. */
  readonly maxQueued?: number;
  /** A batch could not be written (it is retried); `dropped` facts were given up for the bound. */
  readonly onError: (error: unknown, dropped: number) => void;
  readonly now?: () => Date;
}

export interface StationFactsWriter {
  connected(stationId: string, nodeId: string, connectionId: string): void;
  disconnected(stationId: string, connectionId: string): void;
  /** The station sent something. */
  seen(stationId: string): void;
  boot(stationId: string, request: BootNotificationRequest): void;
  status(stationId: string, report: StatusReport): void;
  /** Writes what is queued now (and waits for a write under way). */
  flush(): Promise<void>;
  /** Flushes and stops the timer; later facts are written only by an explicit flush(). */
  close(): Promise<void>;
}

type OrderedFact = Exclude<StationFact, { kind: 'seen' }>;

export function stationFactsWriter(options: StationFactsWriterOptions): StationFactsWriter {
  const flushMs = options.flushMs ?? 200;
  const maxQueued = options.maxQueued ?? 100_000;
  const now = options.now ?? (() => new Date());
  let queued: OrderedFact[] = [];
  let seen = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let tail: Promise<void> = Promise.resolve();
  let closed = false;

  const schedule = (): void => {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, flushMs);
    // Pending soft state never keeps the process alive.
    timer.unref();
  };

  const push = (fact: OrderedFact): void => {
    queued.push(fact);
    if (queued.length > maxQueued) {
      const dropped = queued.length - maxQueued;
      queued = queued.slice(dropped);
      options.onError(new Error('station facts queue full'), dropped);
    }
    schedule();
  };

  async function writeOnce(): Promise<void> {
    if (queued.length === 0 && seen.size === 0) return;
    const ordered = queued;
    // Seen first: a "disconnected" in the same batch then sets the final last_seen.
    const batch: StationFact[] = seen.size > 0 ? [{ kind: 'seen', stationIds: [...seen], at: now().toISOString() }, ...ordered] : ordered;
    queued = [];
    seen = new Set();
    try {
      await options.registry.recordFacts(batch);
    } catch (e) {
      queued = [...ordered, ...queued];
      const dropped = Math.max(0, queued.length - maxQueued);
      if (dropped > 0) queued = queued.slice(dropped);
      options.onError(e, dropped);
      schedule();
    }
  }

  function flush(): Promise<void> {
    // One write at a time, in order (writeOnce reports its failures through onError; the chain never stays rejected).
    tail = tail.catch(() => undefined).then(writeOnce);
    return tail;
  }

  const at = (): string => now().toISOString();
  return {
    connected: (stationId, nodeId, connectionId) => push({ kind: 'connected', stationId, nodeId, connectionId, at: at() }),
    disconnected: (stationId, connectionId) => push({ kind: 'disconnected', stationId, connectionId, at: at() }),
    seen(stationId) {
      seen.add(stationId);
      schedule();
    },
    boot: (stationId, request) => push({ kind: 'boot', stationId, request, at: at() }),
    status: (stationId, report) => push({ kind: 'status', stationId, report, at: at() }),
    flush,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await flush();
    },
  };
}
