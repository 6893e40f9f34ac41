// How the local authorization list identifies an idToken: its type plus the token, case-insensitively (IdTokenType:
// "IdToken is case insensitive"). The same form as the store's keys (`${type}:${idToken upper-cased}`).
import type { IdTokenType } from '../../ocpp/generated/ocpp201.js';

export function localListKey(idToken: Pick<IdTokenType, 'idToken' | 'type'>): string {
  return `${idToken.type}:${idToken.idToken.toUpperCase()}`;
}

export function sameIdToken(a: Pick<IdTokenType, 'idToken' | 'type'>, b: Pick<IdTokenType, 'idToken' | 'type'>): boolean {
  return localListKey(a) === localListKey(b);
}
