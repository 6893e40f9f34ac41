// OCPP idTokens compare case-insensitively; eMAIDs are written with or without '-' separators (DE-PNC-C00000001-A is
// DEPNCC00000001A). One key for both rules, used wherever a stored token is looked up again.
export function authorizationTokenKey(idToken: string): string {
  return idToken.replace(/-/g, '').toUpperCase();
}
