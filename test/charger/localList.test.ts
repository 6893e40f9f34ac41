// SendLocalList decisions (use case D01): status, and exactly what the store is told to do.
import { describe, expect, it } from 'vitest';
import { localListKey, sameIdToken } from '../../src/charger/localList/localListKey.js';
import { decideLocalListUpdate, type LocalListLimits, type LocalListState, type LocalListUpdateDecision } from '../../src/charger/localList/localListUpdate.js';
import type { AuthorizationData, AuthorizationStatusEnumType, IdTokenEnumType, IdTokenType, SendLocalListRequest } from '../../src/ocpp/generated/ocpp201.js';

const tok = (idToken: string, type: IdTokenEnumType = 'ISO14443'): IdTokenType => ({ idToken, type });
const add = (idToken: string, status: AuthorizationStatusEnumType = 'Accepted', type: IdTokenEnumType = 'ISO14443'): AuthorizationData => ({ idToken: tok(idToken, type), idTokenInfo: { status } });
const remove = (idToken: string, type: IdTokenEnumType = 'ISO14443'): AuthorizationData => ({ idToken: tok(idToken, type) });
const full = (versionNumber: number, list?: AuthorizationData[]): SendLocalListRequest => ({ versionNumber, updateType: 'Full', ...(list ? { localAuthorizationList: list } : {}) });
const diff = (versionNumber: number, list?: AuthorizationData[]): SendLocalListRequest => ({ versionNumber, updateType: 'Differential', ...(list ? { localAuthorizationList: list } : {}) });

const LIMITS: LocalListLimits = { enabled: true, itemsPerMessage: 3, bytesPerMessage: 4096, maxEntries: 5 };
const STATE: LocalListState = { version: 4, size: 3 };

interface Case {
  readonly label: string;
  readonly request: SendLocalListRequest;
  readonly current?: LocalListState;
  readonly limits?: Partial<LocalListLimits>;
  /** Tokens on the list now (any case). */
  readonly present?: string[];
  readonly status: LocalListUpdateDecision['status'];
  readonly reasonCode?: string;
  readonly apply?: { kind: 'replace' | 'update'; version: number; upserts: string[]; removals: string[] };
  readonly entriesAfter?: number;
}

const cases: Case[] = [
  // Preconditions.
  { label: 'list disabled', request: full(5, [add('A')]), limits: { enabled: false }, status: 'Failed', reasonCode: 'NotEnabled' },
  { label: 'disabled wins over a version mismatch', request: diff(1, [add('A')]), limits: { enabled: false }, status: 'Failed', reasonCode: 'NotEnabled' },
  { label: 'version 0 is reserved (Full)', request: full(0, [add('A')]), status: 'Failed', reasonCode: 'InvalidValue' },
  { label: 'version 0 is reserved (Differential)', request: diff(0, [add('A')]), current: { version: 0, size: 0 }, status: 'Failed', reasonCode: 'InvalidValue' },
  { label: 'negative version', request: full(-1, [add('A')]), status: 'Failed', reasonCode: 'InvalidValue' },
  { label: 'fractional version', request: full(5.5, [add('A')]), status: 'Failed', reasonCode: 'InvalidValue' },
  { label: 'unsafe integer version', request: full(2 ** 53, [add('A')]), status: 'Failed', reasonCode: 'InvalidValue' },

  // Full.
  { label: 'Full replaces', request: full(5, [add('A'), add('B', 'Blocked')]), status: 'Accepted', apply: { kind: 'replace', version: 5, upserts: ['A', 'B'], removals: [] }, entriesAfter: 2 },
  { label: 'Full may lower the version', request: full(2, [add('A')]), status: 'Accepted', apply: { kind: 'replace', version: 2, upserts: ['A'], removals: [] }, entriesAfter: 1 },
  { label: 'Full with the same version', request: full(4, [add('A')]), status: 'Accepted', apply: { kind: 'replace', version: 4, upserts: ['A'], removals: [] }, entriesAfter: 1 },
  { label: 'Full without a list empties it', request: full(5), status: 'Accepted', apply: { kind: 'replace', version: 5, upserts: [], removals: [] }, entriesAfter: 0 },
  { label: 'Full with an empty list empties it', request: full(5, []), status: 'Accepted', apply: { kind: 'replace', version: 5, upserts: [], removals: [] }, entriesAfter: 0 },
  { label: 'Full entry without idTokenInfo', request: full(5, [add('A'), remove('B')]), status: 'Failed', reasonCode: 'InvalidValue' },
  { label: 'Full over capacity', request: full(5, [add('A'), add('B'), add('C')]), limits: { maxEntries: 2 }, status: 'Failed', reasonCode: 'OutOfStorage' },
  { label: 'Full at capacity', request: full(5, [add('A'), add('B')]), limits: { maxEntries: 2 }, status: 'Accepted', apply: { kind: 'replace', version: 5, upserts: ['A', 'B'], removals: [] }, entriesAfter: 2 },

  // Differential.
  { label: 'Differential with the current version', request: diff(4, [add('A')]), status: 'VersionMismatch' },
  { label: 'Differential with an older version', request: diff(3, [add('A')]), status: 'VersionMismatch' },
  { label: 'Differential adds a new token', request: diff(5, [add('D')]), present: ['A', 'B', 'C'], status: 'Accepted', apply: { kind: 'update', version: 5, upserts: ['D'], removals: [] }, entriesAfter: 4 },
  { label: 'Differential overwrites a present token', request: diff(5, [add('A', 'Blocked')]), present: ['A', 'B', 'C'], status: 'Accepted', apply: { kind: 'update', version: 5, upserts: ['A'], removals: [] }, entriesAfter: 3 },
  { label: 'Differential removes a present token', request: diff(5, [remove('B')]), present: ['A', 'B', 'C'], status: 'Accepted', apply: { kind: 'update', version: 5, upserts: [], removals: ['B'] }, entriesAfter: 2 },
  { label: 'Differential removing an absent token is a no-op', request: diff(5, [remove('Z')]), present: ['A', 'B', 'C'], status: 'Accepted', apply: { kind: 'update', version: 5, upserts: [], removals: ['Z'] }, entriesAfter: 3 },
  { label: 'Differential mixes adds and removals', request: diff(9, [add('D'), remove('A'), add('B')]), present: ['A', 'B', 'C'], status: 'Accepted', apply: { kind: 'update', version: 9, upserts: ['D', 'B'], removals: ['A'] }, entriesAfter: 3 },
  { label: 'Differential without entries only moves the version', request: diff(5), status: 'Accepted', apply: { kind: 'update', version: 5, upserts: [], removals: [] }, entriesAfter: 3 },
  { label: 'Differential with an empty list only moves the version', request: diff(5, []), status: 'Accepted', apply: { kind: 'update', version: 5, upserts: [], removals: [] }, entriesAfter: 3 },
  { label: 'Differential onto no list (version 0)', request: diff(1, [add('A')]), current: { version: 0, size: 0 }, status: 'Accepted', apply: { kind: 'update', version: 1, upserts: ['A'], removals: [] }, entriesAfter: 1 },
  { label: 'Differential over capacity', request: diff(5, [add('D'), add('E'), add('F')]), present: ['A', 'B', 'C'], status: 'Failed', reasonCode: 'OutOfStorage' },
  { label: 'Differential at capacity: overwrite allowed', request: diff(5, [add('A')]), current: { version: 4, size: 5 }, present: ['A'], status: 'Accepted', apply: { kind: 'update', version: 5, upserts: ['A'], removals: [] }, entriesAfter: 5 },
  { label: 'Differential at capacity: swap one for one', request: diff(5, [remove('A'), add('F')]), current: { version: 4, size: 5 }, present: ['A'], status: 'Accepted', apply: { kind: 'update', version: 5, upserts: ['F'], removals: ['A'] }, entriesAfter: 5 },
  { label: 'Differential present set is case-insensitive', request: diff(5, [add('abc')]), current: { version: 4, size: 5 }, present: ['ABC'], status: 'Accepted', apply: { kind: 'update', version: 5, upserts: ['abc'], removals: [] }, entriesAfter: 5 },

  // Message limits and entry checks.
  { label: 'more entries than ItemsPerMessage', request: full(5, [add('A'), add('B'), add('C'), add('D')]), status: 'Failed', reasonCode: 'TooManyElements' },
  { label: 'exactly ItemsPerMessage', request: full(5, [add('A'), add('B'), add('C')]), status: 'Accepted', apply: { kind: 'replace', version: 5, upserts: ['A', 'B', 'C'], removals: [] }, entriesAfter: 3 },
  { label: 'larger than BytesPerMessage', request: full(5, [add('A'.repeat(36)), add('B'.repeat(36))]), limits: { bytesPerMessage: 100 }, status: 'Failed', reasonCode: 'TooLargeElement' },
  { label: 'no BytesPerMessage limit', request: full(5, [add('A'.repeat(36))]), limits: { bytesPerMessage: undefined }, status: 'Accepted', apply: { kind: 'replace', version: 5, upserts: ['A'.repeat(36)], removals: [] }, entriesAfter: 1 },
  { label: 'duplicate idToken', request: full(5, [add('A'), add('A', 'Blocked')]), status: 'Failed', reasonCode: 'InvalidValue' },
  { label: 'duplicate idToken differing in case', request: diff(5, [add('abc'), remove('ABC')]), status: 'Failed', reasonCode: 'InvalidValue' },
  { label: 'same token, another type, is no duplicate', request: full(5, [add('A', 'Accepted', 'ISO14443'), add('A', 'Accepted', 'ISO15693')]), status: 'Accepted', apply: { kind: 'replace', version: 5, upserts: ['A', 'A'], removals: [] }, entriesAfter: 2 },
  { label: 'empty idToken', request: full(5, [add('')]), status: 'Failed', reasonCode: 'InvalidValue' },
  { label: 'idToken over 36 characters', request: full(5, [add('T'.repeat(37))]), status: 'Failed', reasonCode: 'InvalidValue' },
];

describe('SendLocalList decision', () => {
  it.each(cases)('$label', (c) => {
    const limits: LocalListLimits = { ...LIMITS, ...c.limits };
    const d = decideLocalListUpdate({ request: c.request, current: c.current ?? STATE, limits, present: new Set((c.present ?? []).map((t) => localListKey(tok(t)))) });
    expect(d.status).toBe(c.status);
    if (d.status === 'Accepted') {
      expect(c.apply).toBeDefined();
      expect({ kind: d.apply.kind, version: d.apply.version, upserts: d.apply.upserts.map((e) => e.idToken.idToken), removals: d.apply.removals.map((t) => t.idToken) }).toEqual(c.apply);
      expect(d.entriesAfter).toBe(c.entriesAfter);
    } else {
      expect(c.apply).toBeUndefined();
      if (c.reasonCode) expect(d.statusInfo.reasonCode).toBe(c.reasonCode);
      expect(d.statusInfo.reasonCode.length).toBeLessThanOrEqual(20);
    }
  });

  it('keeps each entry’s idTokenInfo as sent', () => {
    const entry: AuthorizationData = { idToken: tok('AA11'), idTokenInfo: { status: 'Accepted', cacheExpiryDateTime: '2030-01-01T00:00:00Z', evseId: [1, 2], groupIdToken: tok('GROUP', 'Central') } };
    const d = decideLocalListUpdate({ request: diff(5, [entry]), current: STATE, limits: LIMITS, present: new Set() });
    expect(d.status === 'Accepted' && d.apply.upserts[0]).toEqual({ idToken: entry.idToken, idTokenInfo: entry.idTokenInfo });
  });

  it('refuses an unreadable cacheExpiryDateTime', () => {
    const d = decideLocalListUpdate({ request: full(5, [{ idToken: tok('A'), idTokenInfo: { status: 'Accepted', cacheExpiryDateTime: 'soon' } }]), current: STATE, limits: LIMITS, present: new Set() });
    expect(d).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'InvalidValue' } });
  });

  it('a version mismatch names both versions', () => {
    const d = decideLocalListUpdate({ request: diff(3, [add('A')]), current: STATE, limits: LIMITS, present: new Set() });
    expect(d.status !== 'Accepted' && d.statusInfo.additionalInfo).toMatch(/3.*4/);
  });
});

describe('local list keys', () => {
  it.each([
    [tok('abc'), tok('ABC'), true],
    [tok('AbC'), tok('aBc'), true],
    [tok('abc', 'ISO14443'), tok('abc', 'ISO15693'), false],
    [tok('abc'), tok('abcd'), false],
    [tok('04A2B3C4'), tok('04a2b3c4'), true],
  ])('%j vs %j → same %s', (a, b, same) => {
    expect(sameIdToken(a, b)).toBe(same);
    expect(localListKey(a) === localListKey(b)).toBe(same);
  });

  it('has the store’s key form', () => {
    expect(localListKey(tok('de*abc*c123', 'eMAID'))).toBe('eMAID:DE*ABC*C123');
  });
});
