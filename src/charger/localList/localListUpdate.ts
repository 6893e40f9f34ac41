// SendLocalListRequest → SendLocalListResponse status and what to do to the stored list (use case D01):
//   - LocalAuthListCtrlr.Enabled false → Failed.
//   - versionNumber must be > 0: 0 means "no list" in GetLocalListVersion (D01.FR.18) → Failed.
//   - more entries than ItemsPerMessage, or a message larger than BytesPerMessage → Failed.
//   - the same idToken twice (type + token, case-insensitive) → Failed (D01.FR.06).
//   - Full: replaces the list (an empty or absent list empties it); every entry needs idTokenInfo → else Failed.
//   - Differential: versionNumber ≤ the current version → VersionMismatch (D01.FR.19); entries with idTokenInfo are
//     added or replaced, entries without it are removed (D01.FR.17); no entries: only the version changes.
//   - a list that would exceed the capacity (Entries maxLimit) → Failed.
// A refused message changes nothing, the version included.
import type { IdTokenType, SendLocalListRequest, StatusInfoType } from '../../ocpp/generated/ocpp201.js';
import type { LocalListEntry } from '../store/chargerStateStore.js';
import { localListKey } from './localListKey.js';

export interface LocalListState {
  /** GetLocalListVersion's answer now (0: no list). */
  readonly version: number;
  /** Entries on the list now. */
  readonly size: number;
}

export interface LocalListLimits {
  /** LocalAuthListCtrlr.Enabled */
  readonly enabled: boolean;
  /** LocalAuthListCtrlr.ItemsPerMessage */
  readonly itemsPerMessage: number;
  /** LocalAuthListCtrlr.BytesPerMessage (the request's JSON, UTF-8). */
  readonly bytesPerMessage?: number;
  /** LocalAuthListCtrlr.Entries maxLimit: the list's capacity. */
  readonly maxEntries: number;
}

export interface LocalListUpdateInput {
  readonly request: SendLocalListRequest;
  readonly current: LocalListState;
  readonly limits: LocalListLimits;
  /** localListKey() of those of the request's idTokens that are on the list now (others may be included): it makes
   *  the size after a Differential update exact. */
  readonly present: ReadonlySet<string>;
}

export interface LocalListApply {
  readonly kind: 'replace' | 'update';
  readonly version: number;
  /** replace: the whole new list; update: entries to add or overwrite. */
  readonly upserts: readonly LocalListEntry[];
  /** update only: idTokens to remove (absent ones are no-ops). */
  readonly removals: readonly IdTokenType[];
}

export type LocalListUpdateDecision =
  | { readonly status: 'Accepted'; readonly apply: LocalListApply; readonly entriesAfter: number }
  | { readonly status: 'Failed' | 'VersionMismatch'; readonly statusInfo: StatusInfoType };

/** IdTokenType.idToken: at most 36 characters. */
const MAX_ID_TOKEN_LENGTH = 36;

export function decideLocalListUpdate(input: LocalListUpdateInput): LocalListUpdateDecision {
  const { request, current, limits } = input;
  const failed = (reasonCode: string, additionalInfo: string): LocalListUpdateDecision => ({ status: 'Failed', statusInfo: { reasonCode, additionalInfo } });

  if (!limits.enabled) return failed('NotEnabled', 'the local authorization list is disabled (LocalAuthListCtrlr.Enabled)');
  const version = request.versionNumber;
  if (!Number.isSafeInteger(version) || version <= 0) return failed('InvalidValue', 'versionNumber must be an integer above 0');
  if (request.updateType === 'Differential' && version <= current.version) {
    return { status: 'VersionMismatch', statusInfo: { reasonCode: 'InvalidValue', additionalInfo: `versionNumber ${version} is not above the current version ${current.version}` } };
  }

  const list = request.localAuthorizationList ?? [];
  if (list.length > limits.itemsPerMessage) return failed('TooManyElements', `${list.length} entries, at most ${limits.itemsPerMessage} per message`);
  if (limits.bytesPerMessage !== undefined) {
    const bytes = Buffer.byteLength(JSON.stringify(request), 'utf8');
    if (bytes > limits.bytesPerMessage) return failed('TooLargeElement', `${bytes} bytes, at most ${limits.bytesPerMessage} per message`);
  }

  const keys = new Set<string>();
  for (const [i, entry] of list.entries()) {
    const token = entry.idToken.idToken;
    if (token.length === 0 || token.length > MAX_ID_TOKEN_LENGTH) return failed('InvalidValue', `entry ${i}: idToken must have 1 to ${MAX_ID_TOKEN_LENGTH} characters`);
    const expiry = entry.idTokenInfo?.cacheExpiryDateTime;
    if (expiry !== undefined && Number.isNaN(Date.parse(expiry))) return failed('InvalidValue', `entry ${i}: cacheExpiryDateTime is not a date-time`);
    const key = localListKey(entry.idToken);
    if (keys.has(key)) return failed('InvalidValue', `entry ${i}: idToken appears more than once`);
    keys.add(key);
  }

  if (request.updateType === 'Full') {
    const upserts: LocalListEntry[] = [];
    for (const [i, entry] of list.entries()) {
      if (!entry.idTokenInfo) return failed('InvalidValue', `entry ${i}: a Full list needs idTokenInfo for every entry`);
      upserts.push({ idToken: entry.idToken, idTokenInfo: entry.idTokenInfo });
    }
    if (upserts.length > limits.maxEntries) return failed('OutOfStorage', `${upserts.length} entries, the list holds at most ${limits.maxEntries}`);
    return { status: 'Accepted', apply: { kind: 'replace', version, upserts, removals: [] }, entriesAfter: upserts.length };
  }

  const upserts: LocalListEntry[] = [];
  const removals: IdTokenType[] = [];
  let entriesAfter = current.size;
  for (const entry of list) {
    const present = input.present.has(localListKey(entry.idToken));
    if (entry.idTokenInfo) {
      upserts.push({ idToken: entry.idToken, idTokenInfo: entry.idTokenInfo });
      if (!present) entriesAfter += 1;
    } else {
      removals.push(entry.idToken);
      if (present) entriesAfter -= 1;
    }
  }
  if (entriesAfter > limits.maxEntries) return failed('OutOfStorage', `the list would hold ${entriesAfter} entries, at most ${limits.maxEntries}`);
  return { status: 'Accepted', apply: { kind: 'update', version, upserts, removals }, entriesAfter };
}
