// EIM (RFID, app) while the CSMS cannot be reached:
//   - a token on the local list whose entry is not Accepted is refused with that status (known bad stays bad, whatever
//     else is configured); an Accepted entry past its cacheExpiryDateTime ("after which the token must be considered
//     invalid": at exactly that instant it still holds) is refused as Expired; one limited to other EVSEs is refused;
//   - an Accepted, current entry is accepted when AuthCtrlr.LocalAuthorizeOffline is true;
//   - anything else (not on the list, the list disabled, or LocalAuthorizeOffline false) is an unknown id:
//     AuthCtrlr.OfflineTxForUnknownIdEnabled decides.
import type { AuthorizationStatusEnumType, IdTokenInfoType, IdTokenType } from '../../ocpp/generated/ocpp201.js';
import type { LocalListEntry } from '../store/chargerStateStore.js';
import { sameIdToken } from '../localList/localListKey.js';

export interface OfflineIdTokenSettings {
  /** AuthCtrlr.LocalAuthorizeOffline */
  readonly localAuthorizeOffline: boolean;
  /** AuthCtrlr.OfflineTxForUnknownIdEnabled */
  readonly offlineTxForUnknownIdEnabled: boolean;
  /** LocalAuthListCtrlr.Enabled */
  readonly localAuthListEnabled: boolean;
}

export interface OfflineIdTokenInput {
  readonly idToken: IdTokenType;
  /** The local list's entry for this token (the store's localListEntry), if any. */
  readonly entry?: LocalListEntry;
  /** Epoch milliseconds. */
  readonly now: number;
  readonly settings: OfflineIdTokenSettings;
  /** The EVSE the driver is at, checked against an entry's evseId restriction when both are known. */
  readonly evseId?: number;
}

export type OfflineIdTokenDecision =
  | { readonly accepted: true; readonly source: 'localList' | 'unknownIdAllowed'; readonly idTokenInfo: IdTokenInfoType }
  | { readonly accepted: false; readonly status: AuthorizationStatusEnumType; readonly reason: string };

/** The caller looked up one token and passed another's entry. */
export class LocalListEntryMismatchError extends Error {
  override readonly name = 'LocalListEntryMismatchError';
}

export function decideOfflineIdToken(input: OfflineIdTokenInput): OfflineIdTokenDecision {
  const { entry, settings } = input;
  if (entry && !sameIdToken(entry.idToken, input.idToken)) {
    throw new LocalListEntryMismatchError(`local list entry ${entry.idToken.type} does not belong to the presented ${input.idToken.type} token`);
  }
  if (entry && settings.localAuthListEnabled) {
    const info = entry.idTokenInfo;
    if (info.status !== 'Accepted') return { accepted: false, status: info.status, reason: `local list entry is ${info.status}` };
    if (info.cacheExpiryDateTime !== undefined) {
      const expiry = Date.parse(info.cacheExpiryDateTime);
      // An unreadable expiry cannot prove the entry current.
      if (Number.isNaN(expiry)) return { accepted: false, status: 'Invalid', reason: 'local list entry has an unreadable cacheExpiryDateTime' };
      if (input.now > expiry) return { accepted: false, status: 'Expired', reason: `local list entry expired at ${info.cacheExpiryDateTime}` };
    }
    if (info.evseId !== undefined && input.evseId !== undefined && !info.evseId.includes(input.evseId)) {
      return { accepted: false, status: 'NotAtThisLocation', reason: `local list entry is valid only at EVSE ${info.evseId.join(', ')}` };
    }
    if (settings.localAuthorizeOffline) return { accepted: true, source: 'localList', idTokenInfo: info };
  }
  const why = !settings.localAuthListEnabled ? 'local list disabled' : !entry ? 'not on the local list' : 'LocalAuthorizeOffline is false';
  return settings.offlineTxForUnknownIdEnabled
    ? { accepted: true, source: 'unknownIdAllowed', idTokenInfo: { status: 'Accepted' } }
    : { accepted: false, status: 'Unknown', reason: `${why} and OfflineTxForUnknownIdEnabled is false` };
}
