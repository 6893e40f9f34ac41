// The AuthorizationLog on both dialects: the newest answer per station and token, found whatever the token's case or
// dashes, and not replaced by an older answer recorded late (another node, a slow call).
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthorizationLogEntry } from '../../../src/csms/authorize/authorizeTypes.js';
import { AuthorizationLogError, createSqlAuthorizationLog } from '../../../src/csms/transactions/sqlAuthorizationLog.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';

const targets = useDatabaseTargets();
let stores: StoreDatabase<unknown>[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

async function logAt(url: string) {
  const store = await openDatabase<unknown>(url);
  stores.push(store);
  return createSqlAuthorizationLog(store);
}

const entry = (over: Partial<AuthorizationLogEntry> = {}): AuthorizationLogEntry => ({
  stationId: 'CS-1',
  idToken: 'DE-PNC-C00000001-A',
  tokenType: 'eMAID',
  status: 'Accepted',
  authorizationReference: 'REF-1',
  at: '2026-03-01T10:00:00.000Z',
  ...over,
});

describe.each(targets)('SQL authorization log on $dialect', (target) => {
  it('finds the newest entry by station and token, case and dashes ignored', async (ctx) => {
    const log = await logAt(await target.newUrl(ctx));
    expect(await log.latest('CS-1', 'DEPNCC00000001A')).toBeUndefined();
    await log.record(entry());
    expect(await log.latest('CS-1', 'depncc00000001a')).toEqual(entry());
    await log.record(entry({ idToken: 'DEPNCC00000001A', authorizationReference: 'REF-2', at: '2026-03-01T10:05:00+01:00' }));
    // 10:05+01:00 is 09:05Z: older than REF-1, so REF-1 stays.
    expect((await log.latest('CS-1', 'DE-PNC-C00000001-A'))?.authorizationReference).toBe('REF-1');
    await log.record(entry({ idToken: 'DEPNCC00000001A', status: 'Blocked', authorizationReference: undefined, at: '2026-03-01T10:06:00Z' }));
    expect(await log.latest('CS-1', 'DEPNCC00000001A')).toEqual({ stationId: 'CS-1', idToken: 'DEPNCC00000001A', tokenType: 'eMAID', status: 'Blocked', at: '2026-03-01T10:06:00.000Z' });
    expect(await log.latest('CS-2', 'DEPNCC00000001A')).toBeUndefined();
    expect(await log.latest('CS-1', '')).toBeUndefined();
  });

  it('group commit: 300 records at once are written in batches, each resolving once durable; the newest per token wins', async (ctx) => {
    const url = await target.newUrl(ctx);
    const log = await logAt(url);
    const minutes = (m: number) => new Date(Date.parse('2026-03-01T10:00:00Z') + m * 60_000).toISOString();
    // 30 stations × 10 answers each for one token, shuffled so a batch holds several answers for one key.
    const all = Array.from({ length: 300 }, (_, i) => entry({ stationId: `CS-${i % 30}`, authorizationReference: `REF-${i}`, at: minutes(Math.floor(i / 30)) }));
    const shuffled = [...all].sort((a, b) => (a.authorizationReference! < b.authorizationReference! ? 1 : -1));
    await Promise.all(shuffled.map((e) => log.record(e)));
    // A fresh connection sees everything: each record() resolved after its batch committed.
    const reader = await logAt(url);
    for (let station = 0; station < 30; station++) {
      expect((await reader.latest(`CS-${station}`, 'DEPNCC00000001A'))?.authorizationReference).toBe(`REF-${270 + station}`);
    }
  });

  it('an empty idToken (NoAuthorization) is not recorded and never found', async (ctx) => {
    const log = await logAt(await target.newUrl(ctx));
    await log.record(entry({ idToken: '', tokenType: 'NoAuthorization' }));
    expect(await log.latest('CS-1', '')).toBeUndefined();
  });

  it('two nodes recording at once keep the newest', async (ctx) => {
    const url = await target.newUrl(ctx);
    const a = await logAt(url);
    const b = target.dialect === 'postgres' ? await logAt(url) : a;
    const writes = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).record(entry({ authorizationReference: `REF-${i}`, at: new Date(Date.UTC(2026, 2, 1, 10, 0, i)).toISOString() })));
    await Promise.all(writes.reverse());
    expect((await a.latest('CS-1', 'DEPNCC00000001A'))?.authorizationReference).toBe('REF-39');
  });

  const refused: [string, Partial<AuthorizationLogEntry>][] = [
    ['empty station', { stationId: '' }],
    ['station id too long', { stationId: 'x'.repeat(256) }],
    ['token too long', { idToken: 'x'.repeat(37) }],
    ['empty reference', { authorizationReference: '' }],
    ['reference too long', { authorizationReference: 'r'.repeat(37) }],
    ['bad time', { at: 'soon' }],
    ['time out of range', { at: '+020000-01-01T00:00:00Z' }],
  ];
  for (const [name, over] of refused) {
    it(`refuses ${name}`, async (ctx) => {
      const log = await logAt(await target.newUrl(ctx));
      await expect(log.record(entry(over))).rejects.toBeInstanceOf(AuthorizationLogError);
    });
  }
});
