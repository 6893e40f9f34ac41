// The station-lifecycle handlers against a real SQLite registry: what they answer, record and trace.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stationFactsWriter } from '../../../src/csms/stations/stationFactsWriter.js';
import { stationHandlers } from '../../../src/csms/stations/stationHandlers.js';
import { StationRegistry } from '../../../src/csms/stations/stationRegistry.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { silentTracer } from '../../../src/trace/tracer.js';

const AT = new Date('2030-06-01T12:00:00.000Z');
let dir = '';
let store: StoreDatabase<unknown>;
let registry: StationRegistry;
let events: TraceEvent[];
let handlers: ReturnType<typeof stationHandlers>;
const station = { stationId: 'CS-1', messageId: 'm' };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pnc-station-handlers-'));
  store = await openDatabase<unknown>(`sqlite:${join(dir, 'csms.db')}`);
  registry = await StationRegistry.open(store, { now: () => AT });
  await registry.add('CS-1', { password: 'station-password-0001' });
  events = [];
  handlers = stationHandlers({ registry, tracer: silentTracer('csms', [(e) => events.push(e)]), heartbeatIntervalS: 90, retryIntervalS: 30, now: () => AT });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('station handlers', () => {
  it('BootNotification: Accepted with the heartbeat interval for a registered station, boot facts recorded', async () => {
    const r = await handlers.BootNotification({ chargingStation: { vendorName: 'ACME', model: 'W1', firmwareVersion: '9.9' }, reason: 'PowerUp' }, station);
    expect(r).toEqual({ currentTime: AT.toISOString(), interval: 90, status: 'Accepted' });
    expect((await registry.get('CS-1'))?.boot).toEqual({ vendor: 'ACME', model: 'W1', firmwareVersion: '9.9', reason: 'PowerUp', at: AT.toISOString() });
    expect(events).toContainEqual(expect.objectContaining({ kind: 'verdict', session: 'CS-1', verdict: 'BootNotification Accepted' }));
  });

  it('BootNotification: Rejected with the retry interval for a station removed since it connected', async () => {
    await registry.remove('CS-1');
    const r = await handlers.BootNotification({ chargingStation: { vendorName: 'ACME', model: 'W1' }, reason: 'PowerUp' }, station);
    expect(r).toEqual({ currentTime: AT.toISOString(), interval: 30, status: 'Rejected' });
    expect(events).toContainEqual(expect.objectContaining({ kind: 'verdict', verdict: 'BootNotification Rejected' }));
  });

  it('Heartbeat answers the current time', async () => {
    expect(await handlers.Heartbeat({}, station)).toEqual({ currentTime: AT.toISOString() });
  });

  it('StatusNotification is recorded per connector', async () => {
    expect(await handlers.StatusNotification({ timestamp: '2030-06-01T11:59:00Z', connectorStatus: 'Occupied', evseId: 2, connectorId: 1 }, station)).toEqual({});
    expect(await registry.connectorStatuses('CS-1')).toEqual([{ evseId: 2, connectorId: 1, status: 'Occupied', reportedAt: '2030-06-01T11:59:00.000Z', receivedAt: AT.toISOString() }]);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'check', check: 'connector status', detail: 'EVSE 2 connector 1: Occupied' }));
  });

  it('with a facts writer: boot and status are queued and land with the next flush; an unknown station is Rejected', async () => {
    const facts = stationFactsWriter({ registry, flushMs: 10_000, onError: (e) => expect.fail(String(e)), now: () => AT });
    const batched = stationHandlers({ registry, facts, tracer: silentTracer('csms'), now: () => AT });
    expect(await batched.BootNotification({ chargingStation: { vendorName: 'ACME', model: 'W2' }, reason: 'Triggered' }, station)).toMatchObject({ status: 'Accepted' });
    await batched.StatusNotification({ timestamp: '2030-06-01T11:59:00Z', connectorStatus: 'Faulted', evseId: 1, connectorId: 1 }, station);
    expect((await registry.get('CS-1'))?.boot).toBeUndefined();
    await facts.flush();
    expect((await registry.get('CS-1'))?.boot).toMatchObject({ model: 'W2', reason: 'Triggered' });
    expect(await registry.connectorStatuses('CS-1')).toMatchObject([{ status: 'Faulted' }]);
    expect(await batched.BootNotification({ chargingStation: { vendorName: 'x', model: 'y' }, reason: 'PowerUp' }, { stationId: 'CS-404' })).toMatchObject({ status: 'Rejected' });
    await facts.close();
  });

  it('NotifyEvent, SecurityEventNotification, MeterValues and NotifyReport are accepted and traced', async () => {
    const ts = AT.toISOString();
    expect(await handlers.NotifyEvent({ generatedAt: ts, seqNo: 0, eventData: [{ eventId: 1, timestamp: ts, trigger: 'Alerting', actualValue: 'x', eventNotificationType: 'HardWiredNotification', component: { name: 'C' }, variable: { name: 'V' } }] }, station)).toEqual({});
    expect(await handlers.SecurityEventNotification({ type: 'InvalidCsmsCertificate', timestamp: ts, techInfo: 'x'.repeat(1000) }, station)).toEqual({});
    expect(await handlers.MeterValues({ evseId: 1, meterValue: [{ timestamp: ts, sampledValue: [{ value: 12.5 }] }] }, station)).toEqual({});
    expect(await handlers.NotifyReport({ requestId: 7, generatedAt: ts, seqNo: 0, tbc: true }, station)).toEqual({});
    const security = events.find((e) => e.kind === 'error' && e.error === 'security event InvalidCsmsCertificate');
    expect(security?.kind === 'error' && (security.detail ?? '').length).toBeLessThan(300);
    expect(events.filter((e) => e.kind === 'check').map((e) => (e.kind === 'check' ? e.check : ''))).toEqual(['NotifyEvent', 'MeterValues', 'NotifyReport']);
    expect(events.every((e) => e.session === 'CS-1')).toBe(true);
  });
});
