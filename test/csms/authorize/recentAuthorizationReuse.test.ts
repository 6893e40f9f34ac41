// One eMSP authorization per PnC session: TransactionEvent Started right after an Accepted Authorize reuses it.
import { describe, expect, it } from 'vitest';
import type { AuthorizationLogEntry, TokenAuthorizer } from '../../../src/csms/authorize/authorizeTypes.js';
import { reuseRecentAuthorization } from '../../../src/csms/authorize/recentAuthorizationReuse.js';
import type { AuthorizationStatusEnumType, IdTokenEnumType } from '../../../src/ocpp/generated/ocpp201.js';

const NOW = Date.parse('2026-11-24T10:00:00Z');
const EMAID = 'DEPNCC00000001A';

type Row = [string, { status: AuthorizationStatusEnumType; agoMs: number; type?: IdTokenEnumType } | undefined, boolean, boolean];
const rows: Row[] = [
  ['Accepted 5 s ago, online → reused', { status: 'Accepted', agoMs: 5_000 }, false, true],
  ['Accepted 5 s ago, offline-started → asked again', { status: 'Accepted', agoMs: 5_000 }, true, false],
  ['Accepted 10 min ago → asked again', { status: 'Accepted', agoMs: 600_000 }, false, false],
  ['Blocked 5 s ago → asked again', { status: 'Blocked', agoMs: 5_000 }, false, false],
  ['no Authorize before → asked', undefined, false, false],
  ['Accepted for another token type → asked', { status: 'Accepted', agoMs: 1_000, type: 'ISO14443' }, false, false],
  ['an entry from the future (clock skew > 5 s) → asked', { status: 'Accepted', agoMs: -60_000 }, false, false],
];

describe('reuseRecentAuthorization', () => {
  it.each(rows)('%s', async (_name, entry, offline, reused) => {
    const asked: string[] = [];
    const inner: TokenAuthorizer = {
      authorizeToken: (idToken) => {
        asked.push(idToken.idToken);
        return Promise.resolve({ idTokenInfo: { status: 'Accepted' }, authorizationReference: 'FRESH' });
      },
    };
    const logged: AuthorizationLogEntry | undefined = entry && {
      stationId: 'CS-1',
      idToken: EMAID,
      tokenType: entry.type ?? 'eMAID',
      status: entry.status,
      authorizationReference: 'FROM-AUTHORIZE',
      at: new Date(NOW - entry.agoMs).toISOString(),
    };
    const authorizer = reuseRecentAuthorization(inner, { record: () => Promise.resolve(), latest: () => Promise.resolve(logged) }, { clock: () => NOW });
    const result = await authorizer.authorizeToken({ idToken: EMAID, type: 'eMAID' }, { stationId: 'CS-1' }, { offline });
    expect(asked.length).toBe(reused ? 0 : 1);
    expect(result.authorizationReference).toBe(reused ? 'FROM-AUTHORIZE' : 'FRESH');
  });
});
