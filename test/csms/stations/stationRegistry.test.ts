// The station registry on SQLite and PostgreSQL: registration and passwords, boot and connector facts, presence across
// nodes and connections, input limits.
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { StationRegistry } from '../../../src/csms/stations/stationRegistry.js';
import { StationRegistryError } from '../../../src/csms/stations/stationRegistryError.js';
import type { StationTables } from '../../../src/csms/stations/stationTables.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';

const targets = useDatabaseTargets();
const PASSWORD = 'station-password-0123456789';

describe.each(targets)('station registry on $dialect', (target) => {
  async function withRegistry(ctx: Parameters<typeof target.newUrl>[0], f: (registry: StationRegistry, store: StoreDatabase<unknown>) => Promise<void>, options: Parameters<typeof StationRegistry.open>[1] = {}): Promise<void> {
    const store = await openDatabase<unknown>(await target.newUrl(ctx));
    try {
      await f(await StationRegistry.open(store, options), store);
    } finally {
      await store.close();
    }
  }

  it('adds a station with a generated 32-character password and verifies it', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      const password = await registry.add('CS-1');
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(await registry.verifyPassword('CS-1', password)).toBe(true);
      expect(await registry.verifyPassword('CS-1', Buffer.from(password))).toBe(true);
      expect(await registry.verifyPassword('CS-1', `${password}x`)).toBe(false);
      expect(await registry.verifyPassword('CS-1', password.slice(1))).toBe(false);
      expect(await registry.verifyPassword('CS-2', password)).toBe(false);
      // Two generated passwords differ.
      expect(await registry.add('CS-2')).not.toBe(password);
      const record = await registry.get('CS-1');
      expect(record).toMatchObject({ id: 'CS-1', minSecurityProfile: 1 });
      expect(Date.parse(record?.createdAt ?? '')).toBeGreaterThan(0);
      expect(record?.boot).toBeUndefined();
    });
  });

  it('stores only a salted hash: equal passwords give different rows', async (ctx) => {
    await withRegistry(ctx, async (registry, store) => {
      await registry.add('CS-A', { password: PASSWORD });
      await registry.add('CS-B', { password: PASSWORD });
      const rows = await (store.db as unknown as Kysely<StationTables>)
        .selectFrom('csms_stations')
        .select(['id', 'password_hash'])
        .orderBy('id')
        .execute();
      expect(rows.map((r) => r.password_hash.split('$')[0])).toEqual(['sha256', 'sha256']);
      expect(rows[0]?.password_hash).not.toBe(rows[1]?.password_hash);
      expect(rows.some((r) => r.password_hash.includes(PASSWORD))).toBe(false);
    });
  });

  it('refuses a duplicate id, and unknown stations for password changes', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      await registry.add('CS-1', { password: PASSWORD });
      await expect(registry.add('CS-1')).rejects.toMatchObject({ name: 'StationRegistryError', code: 'exists' });
      expect(await registry.verifyPassword('CS-1', PASSWORD)).toBe(true);
      await expect(registry.setPassword('CS-404')).rejects.toMatchObject({ code: 'not-found' });
      await expect(registry.setMinSecurityProfile('CS-404', 2)).rejects.toMatchObject({ code: 'not-found' });
    });
  });

  it('setPassword replaces the password at once, also over a cached verification', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      await registry.add('CS-1', { password: PASSWORD });
      expect(await registry.verifyPassword('CS-1', PASSWORD)).toBe(true);
      const next = await registry.setPassword('CS-1');
      expect(next).toHaveLength(32);
      expect(await registry.verifyPassword('CS-1', PASSWORD)).toBe(false);
      expect(await registry.verifyPassword('CS-1', next)).toBe(true);
      await registry.setPassword('CS-1', 'chosen-password-0000');
      expect(await registry.verifyPassword('CS-1', 'chosen-password-0000')).toBe(true);
    });
  });

  it('a change made through another registry instance shows after the cache TTL (0 here)', async (ctx) => {
    await withRegistry(
      ctx,
      async (registry, store) => {
        await registry.add('CS-1', { password: PASSWORD });
        expect(await registry.verifyPassword('CS-1', PASSWORD)).toBe(true);
        const other = await StationRegistry.open(store);
        await other.setPassword('CS-1', 'another-password-1111');
        expect(await registry.verifyPassword('CS-1', PASSWORD)).toBe(false);
        expect(await registry.verifyPassword('CS-1', 'another-password-1111')).toBe(true);
      },
      { credentialCacheTtlMs: 0 },
    );
  });

  it('authenticate: unknown station, missing password, wrong password, certificate, minimum profile', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      await registry.add('CS-1', { password: PASSWORD, minSecurityProfile: 3 });
      expect(await registry.authenticate('CS-9', { kind: 'certificate' })).toEqual({ ok: false, reason: 'unknown-station' });
      expect(await registry.authenticate('CS-1', { kind: 'password', password: undefined })).toEqual({ ok: false, reason: 'no-password' });
      expect(await registry.authenticate('CS-1', { kind: 'password', password: Buffer.from('nope-nope-nope-nope') })).toEqual({ ok: false, reason: 'wrong-password' });
      expect(await registry.authenticate('CS-1', { kind: 'certificate' })).toEqual({ ok: true, minSecurityProfile: 3 });
      expect(await registry.authenticate('CS-1', { kind: 'password', password: Buffer.from(PASSWORD) })).toEqual({ ok: true, minSecurityProfile: 3 });
    });
  });

  it('remove deletes the station and its connector states', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      await registry.add('CS-1', { password: PASSWORD });
      await registry.recordStatus('CS-1', { evseId: 1, connectorId: 1, connectorStatus: 'Available', timestamp: new Date().toISOString() });
      expect(await registry.verifyPassword('CS-1', PASSWORD)).toBe(true);
      expect(await registry.remove('CS-1')).toBe(true);
      expect(await registry.remove('CS-1')).toBe(false);
      expect(await registry.get('CS-1')).toBeUndefined();
      expect(await registry.verifyPassword('CS-1', PASSWORD)).toBe(false);
      expect(await registry.connectorStatuses('CS-1')).toEqual([]);
      // The id can be registered again.
      await registry.add('CS-1', { password: PASSWORD });
      expect(await registry.connectorStatuses('CS-1')).toEqual([]);
    });
  });

  it('addMany registers prefix1…prefixN in batches and re-running it updates the password', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      await registry.add('LOAD-7', { password: 'old-password-0000000' });
      expect(await registry.addMany('LOAD-', 1203, PASSWORD)).toBe(1203);
      expect(await registry.count()).toBe(1203);
      expect(await registry.verifyPassword('LOAD-1', PASSWORD)).toBe(true);
      expect(await registry.verifyPassword('LOAD-1203', PASSWORD)).toBe(true);
      expect(await registry.verifyPassword('LOAD-7', PASSWORD)).toBe(true);
      expect(await registry.get('LOAD-0')).toBeUndefined();
      expect(await registry.get('LOAD-1204')).toBeUndefined();
      const listed = await registry.list({ prefix: 'LOAD-12' });
      expect(await registry.list({ prefix: 'load-12' })).toEqual([]);
      expect(listed.map((r) => r.id).sort()).toEqual(['LOAD-12', 'LOAD-120', 'LOAD-1200', 'LOAD-1201', 'LOAD-1202', 'LOAD-1203', 'LOAD-121', 'LOAD-122', 'LOAD-123', 'LOAD-124', 'LOAD-125', 'LOAD-126', 'LOAD-127', 'LOAD-128', 'LOAD-129']);
      expect(await registry.addMany('LOAD-', 2, 'new-password-11111111')).toBe(2);
      expect(await registry.verifyPassword('LOAD-2', 'new-password-11111111')).toBe(true);
      expect(await registry.verifyPassword('LOAD-3', PASSWORD)).toBe(true);
      expect(await registry.count()).toBe(1203);
    });
  });

  it('records BootNotification facts; an unknown station is reported', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      await registry.add('CS-1', { password: PASSWORD });
      expect(await registry.recordBoot('CS-1', { chargingStation: { vendorName: 'ACME', model: 'Wallbox 9', serialNumber: 'SN-77', firmwareVersion: '4.2' }, reason: 'PowerUp' })).toBe(true);
      const r = await registry.get('CS-1');
      expect(r?.boot).toMatchObject({ vendor: 'ACME', model: 'Wallbox 9', serialNumber: 'SN-77', firmwareVersion: '4.2', reason: 'PowerUp' });
      expect(r?.lastSeen).toBeDefined();
      // A later boot without serial / firmware clears them.
      await registry.recordBoot('CS-1', { chargingStation: { vendorName: 'ACME', model: 'Wallbox 9' }, reason: 'FirmwareUpdate' });
      const again = await registry.get('CS-1');
      expect(again?.boot).toEqual({ vendor: 'ACME', model: 'Wallbox 9', reason: 'FirmwareUpdate', at: again?.boot?.at });
      expect(await registry.recordBoot('CS-404', { chargingStation: { vendorName: 'x', model: 'y' }, reason: 'PowerUp' })).toBe(false);
    });
  });

  it('records connector status per EVSE/connector; an older report does not overwrite a newer one', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      await registry.add('CS-1', { password: PASSWORD });
      expect(await registry.recordStatus('CS-1', { evseId: 1, connectorId: 1, connectorStatus: 'Available', timestamp: '2030-01-01T10:00:00Z' })).toBe(true);
      await registry.recordStatus('CS-1', { evseId: 2, connectorId: 1, connectorStatus: 'Unavailable', timestamp: '2030-01-01T10:00:00Z' });
      await registry.recordStatus('CS-1', { evseId: 1, connectorId: 1, connectorStatus: 'Occupied', timestamp: '2030-01-01T10:05:00.000+00:00' });
      // Arrives late (queued while offline) but is older.
      expect(await registry.recordStatus('CS-1', { evseId: 1, connectorId: 1, connectorStatus: 'Faulted', timestamp: '2030-01-01T11:01:00+02:00' })).toBe(true);
      const statuses = await registry.connectorStatuses('CS-1');
      expect(statuses.map((s) => [s.evseId, s.connectorId, s.status, s.reportedAt])).toEqual([
        [1, 1, 'Occupied', '2030-01-01T10:05:00.000Z'],
        [2, 1, 'Unavailable', '2030-01-01T10:00:00.000Z'],
      ]);
      expect(await registry.recordStatus('CS-404', { evseId: 1, connectorId: 1, connectorStatus: 'Available', timestamp: '2030-01-01T10:00:00Z' })).toBe(false);
      expect(await registry.connectorStatuses('CS-404')).toEqual([]);
    });
  });

  it('presence: a disconnect clears only its own connection; clearNode clears one node', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      await registry.addMany('CS-', 3, PASSWORD);
      await registry.recordConnected('CS-1', 'node-A', 'c1');
      expect(await registry.whereConnected('CS-1')).toBe('node-A');
      // The station moves to node B; node A notices its old connection closing afterwards.
      await registry.recordConnected('CS-1', 'node-B', 'c2');
      await registry.recordDisconnected('CS-1', 'c1');
      expect(await registry.whereConnected('CS-1')).toBe('node-B');
      await registry.recordDisconnected('CS-1', 'c2');
      expect(await registry.whereConnected('CS-1')).toBeUndefined();
      expect((await registry.get('CS-1'))?.lastSeen).toBeDefined();

      await registry.recordFacts([
        { kind: 'connected', stationId: 'CS-2', nodeId: 'node-A', connectionId: 'x', at: '2030-01-01T00:00:00.000Z' },
        { kind: 'connected', stationId: 'CS-3', nodeId: 'node-B', connectionId: 'y', at: '2030-01-01T00:00:00.000Z' },
        { kind: 'seen', stationIds: ['CS-2', 'CS-3', 'CS-404'], at: '2030-01-01T00:01:00.000Z' },
        // An older "seen" never moves last_seen back.
        { kind: 'seen', stationIds: ['CS-2'], at: '2029-01-01T00:00:00.000Z' },
      ]);
      expect((await registry.get('CS-2'))?.lastSeen).toBe('2030-01-01T00:01:00.000Z');
      expect(await registry.clearNode('node-A')).toBe(1);
      expect(await registry.whereConnected('CS-2')).toBeUndefined();
      expect(await registry.whereConnected('CS-3')).toBe('node-B');
      expect((await registry.get('CS-3'))?.connectedAt).toBe('2030-01-01T00:00:00.000Z');
    });
  });

  it('reopening keeps the data (migrations run once)', async (ctx) => {
    await withRegistry(ctx, async (registry, store) => {
      await registry.add('CS-1', { password: PASSWORD, minSecurityProfile: 2 });
      const again = await StationRegistry.open(store);
      expect(await again.get('CS-1')).toMatchObject({ minSecurityProfile: 2 });
      expect(await again.list()).toHaveLength(1);
    });
  });

  it.for<[string, string, Record<string, unknown>]>([
    ['an empty id', '', {}],
    ['an id with a slash', 'CS/1', {}],
    ['an id with a colon', 'CS:1', {}],
    ['an id with a space', 'CS 1', {}],
    ['an id with non-ASCII', 'CS-ü', {}],
    ['an id of 49 characters', 'X'.repeat(49), {}],
    ['a 15-character password', 'CS-1', { password: 'x'.repeat(15) }],
    ['a 41-character password', 'CS-1', { password: 'x'.repeat(41) }],
    ['a password with a space', 'CS-1', { password: 'sixteen chars pw' }],
    ['profile 4', 'CS-1', { minSecurityProfile: 4 }],
  ])('refuses %s', async ([, id, options], ctx) => {
    await withRegistry(ctx, async (registry) => {
      await expect(registry.add(id, options as never)).rejects.toBeInstanceOf(StationRegistryError);
      expect(await registry.count()).toBe(0);
    });
  });

  it('accepts ids of 48 characters with every identity character', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      const id = `aZ09*-_=+|@.${'x'.repeat(36)}`;
      expect(id).toHaveLength(48);
      await registry.add(id, { password: PASSWORD });
      expect(await registry.verifyPassword(id, PASSWORD)).toBe(true);
      await registry.add('P', { password: 'p'.repeat(40) });
    });
  });

  it('addMany refuses bad counts and ids that would grow too long', async (ctx) => {
    await withRegistry(ctx, async (registry) => {
      await expect(registry.addMany('L-', 0, PASSWORD)).rejects.toMatchObject({ code: 'invalid-count' });
      await expect(registry.addMany('L-', 1.5, PASSWORD)).rejects.toMatchObject({ code: 'invalid-count' });
      await expect(registry.addMany('X'.repeat(46), 1000, PASSWORD)).rejects.toMatchObject({ code: 'invalid-id' });
      await expect(registry.addMany('L/', 10, PASSWORD)).rejects.toMatchObject({ code: 'invalid-id' });
      await expect(registry.addMany('L-', 10, 'short')).rejects.toMatchObject({ code: 'invalid-password' });
      expect(await registry.count()).toBe(0);
    });
  });
});
