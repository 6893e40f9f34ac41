// The write-behind station facts writer: batching, order, the "seen" set, retry after a database failure, the bound —
// against a recording fake, and once end to end against a real SQLite registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stationFactsWriter } from '../../../src/csms/stations/stationFactsWriter.js';
import { StationRegistry, type StationFact } from '../../../src/csms/stations/stationRegistry.js';
import { openDatabase } from '../../../src/store/index.js';

const at = '2030-01-01T00:00:00.000Z';
const now = (): Date => new Date(at);
const label = (f: StationFact): string => (f.kind === 'seen' ? `seen:${f.stationIds.join('+')}` : `${f.kind}:${f.stationId}`);

describe('station facts writer', () => {
  it('writes queued facts in one batch, in order, with the seen set first', async () => {
    const batches: StationFact[][] = [];
    const w = stationFactsWriter({ registry: { recordFacts: (c) => (batches.push([...c]), Promise.resolve()) }, flushMs: 10_000, onError: () => undefined, now });
    w.connected('A', 'node', 'c1');
    w.seen('B');
    w.seen('B');
    w.boot('A', { chargingStation: { vendorName: 'v', model: 'm' }, reason: 'PowerUp' });
    w.seen('C');
    w.status('A', { evseId: 1, connectorId: 1, connectorStatus: 'Available', timestamp: at });
    w.disconnected('A', 'c1');
    await w.flush();
    expect(batches.map((b) => b.map(label))).toEqual([['seen:B+C', 'connected:A', 'boot:A', 'status:A', 'disconnected:A']]);
    expect(batches[0]?.[1]).toEqual({ kind: 'connected', stationId: 'A', nodeId: 'node', connectionId: 'c1', at });
    await w.flush();
    expect(batches).toHaveLength(1);
    await w.close();
  });

  it('flushes by itself after flushMs, once per burst', async () => {
    const batches: StationFact[][] = [];
    const w = stationFactsWriter({ registry: { recordFacts: (c) => (batches.push([...c]), Promise.resolve()) }, flushMs: 20, onError: () => undefined });
    for (let i = 0; i < 100; i++) w.connected(`S${i}`, 'n', 'c');
    await new Promise((r) => setTimeout(r, 150));
    expect(batches.map((b) => b.length)).toEqual([100]);
    await w.close();
  });

  it('keeps facts across a failed write, ahead of newer ones, and drops the oldest beyond the bound', async () => {
    const batches: StationFact[][] = [];
    let fail = true;
    const errors: number[] = [];
    const w = stationFactsWriter({
      registry: {
        recordFacts: (c) => {
          if (fail) return Promise.reject(new Error('database down'));
          batches.push([...c]);
          return Promise.resolve();
        },
      },
      flushMs: 10_000,
      maxQueued: 3,
      onError: (_e, dropped) => errors.push(dropped),
    });
    w.connected('A', 'n', 'c');
    w.connected('B', 'n', 'c');
    await w.flush();
    w.connected('C', 'n', 'c');
    w.connected('D', 'n', 'c');
    expect(errors).toEqual([0, 1]);
    await w.flush();
    expect(errors).toEqual([0, 1, 0]);
    fail = false;
    await w.close();
    expect(batches.map((b) => b.map(label))).toEqual([['connected:B', 'connected:C', 'connected:D']]);
  });

  it('end to end on SQLite: presence, boot and status land in one flush; unknown stations change nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnc-facts-'));
    const store = await openDatabase<unknown>(`sqlite:${join(dir, 'csms.db')}`);
    try {
      const registry = await StationRegistry.open(store);
      await registry.add('CS-1', { password: 'station-password-0001' });
      const w = stationFactsWriter({ registry, flushMs: 10_000, onError: (e) => expect.fail(String(e)) });
      w.connected('CS-1', 'node-A', 'c1');
      w.boot('CS-1', { chargingStation: { vendorName: 'ACME', model: 'W' }, reason: 'PowerUp' });
      w.status('CS-1', { evseId: 1, connectorId: 1, connectorStatus: 'Occupied', timestamp: at });
      w.boot('CS-404', { chargingStation: { vendorName: 'x', model: 'y' }, reason: 'PowerUp' });
      w.status('CS-404', { evseId: 1, connectorId: 1, connectorStatus: 'Occupied', timestamp: at });
      expect(await registry.whereConnected('CS-1')).toBeUndefined();
      await w.close();
      expect(await registry.whereConnected('CS-1')).toBe('node-A');
      expect((await registry.get('CS-1'))?.boot).toMatchObject({ vendor: 'ACME', reason: 'PowerUp' });
      expect(await registry.connectorStatuses('CS-1')).toMatchObject([{ status: 'Occupied' }]);
      expect(await registry.get('CS-404')).toBeUndefined();
      expect(await registry.connectorStatuses('CS-404')).toEqual([]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
