// The CSMS roaming registry on SQLite and PostgreSQL: tokens B of registrations in progress (accepted until they
// expire), registered platforms and their parties (a party moving to a new platform leaves no orphan), removal, and
// the last-known-token store (upsert; read back through a fresh in-memory layer).
import { describe, expect, it } from 'vitest';
import { LastKnownTokens } from '../../../src/csms/roaming/lastKnownTokens.js';
import { openRoamingStore } from '../../../src/csms/roaming/roamingRegistry.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';

const targets = useDatabaseTargets();

const peer = (tokenB: string, parties: { countryCode: string; partyId: string }[]) => ({
  name: 'eMSP',
  version: '2.3.0' as const,
  versionsUrl: 'http://127.0.0.1:1/ocpi/versions',
  endpoints: [{ identifier: 'tokens', role: 'SENDER' as const, url: 'http://127.0.0.1:1/ocpi/2.3.0/tokens' }],
  roles: [],
  tokenC: `c-${tokenB}`,
  tokenB,
  parties,
});

describe.each(targets)('roaming registry ($dialect)', (target) => {
  it('accepts a pending token B until it expires, then the registered peer by its token B', async (ctx) => {
    let now = new Date('2026-11-24T10:00:00Z');
    const store = await openRoamingStore(await target.newUrl(ctx), { now: () => now });
    try {
      await store.registry.addPendingToken('b-1', 60_000);
      expect(await store.registry.identify('b-1')).toEqual({ kind: 'pending' });
      expect(await store.registry.identify('other')).toBeUndefined();
      now = new Date('2026-11-24T10:02:00Z');
      expect(await store.registry.identify('b-1')).toBeUndefined();

      await store.registry.addPendingToken('b-2', 60_000);
      const saved = await store.registry.savePeer(peer('b-2', [{ countryCode: 'DE', partyId: 'PNC' }, { countryCode: 'DE', partyId: 'ABC' }]));
      const who = await store.registry.identify('b-2');
      expect(who?.kind).toBe('peer');
      expect(who?.kind === 'peer' ? who.peer.id : undefined).toBe(saved.id);
      expect(saved.parties).toHaveLength(2);

      // DE*PNC and DE*ABC move to a new platform: the old one, left without parties, disappears.
      await store.registry.savePeer(peer('b-3', [{ countryCode: 'DE', partyId: 'PNC' }]));
      let peers = await store.registry.listPeers();
      expect(peers.map((p) => p.parties.map((x) => x.partyId))).toEqual([['ABC'], ['PNC']]);
      await store.registry.savePeer(peer('b-4', [{ countryCode: 'DE', partyId: 'ABC' }]));
      peers = await store.registry.listPeers();
      expect(peers).toHaveLength(2);
      expect(await store.registry.identify('b-2')).toBeUndefined();

      expect(await store.registry.removePeer(peers[0]!.id)).toBe(true);
      expect(await store.registry.removePeer(peers[0]!.id)).toBe(false);
      expect(await store.registry.listPeers()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('keeps the last known state of tokens, written only on change', async (ctx) => {
    const store = await openRoamingStore(await target.newUrl(ctx));
    try {
      const tokens = new LastKnownTokens(store.registry);
      tokens.remember('DE', 'PNC', 'DEPNCC00000001', 'ALLOWED_OFFLINE', true);
      tokens.remember('DE', 'PNC', 'DEPNCC00000001', 'ALLOWED_OFFLINE', true);
      await new Promise((r) => setTimeout(r, 50));
      while (tokens.pending > 0) await new Promise((r) => setTimeout(r, 10));
      expect(await store.registry.lastKnownToken('DE', 'PNC', 'DEPNCC00000001')).toMatchObject({ whitelist: 'ALLOWED_OFFLINE', valid: true });
      tokens.remember('DE', 'PNC', 'DEPNCC00000001', 'NEVER', false);
      while (tokens.pending > 0) await new Promise((r) => setTimeout(r, 10));
      expect(await new LastKnownTokens(store.registry).get('DE', 'PNC', 'DEPNCC00000001')).toMatchObject({ whitelist: 'NEVER', valid: false });
      await tokens.rememberAll([
        { countryCode: 'DE', partyId: 'PNC', uid: 'A', whitelist: 'ALWAYS', valid: true },
        { countryCode: 'DE', partyId: 'PNC', uid: 'B', whitelist: 'ALLOWED', valid: true },
      ]);
      expect(await store.registry.lastKnownToken('DE', 'PNC', 'A')).toMatchObject({ whitelist: 'ALWAYS' });
      expect(await store.registry.lastKnownToken('DE', 'PNC', 'C')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
