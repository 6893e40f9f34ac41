// A PnC session asks the eMSP once. The station sends Authorize (contract checked, eMSP asked), then TransactionEvent
// Started with the same eMAID, which must be answered with idTokenInfo too. Asking the eMSP again there would be a
// second OCPI real-time authorization — with PnC Direct a second hold on the driver's card. So an online event for a
// token this station had Accepted moments ago reuses that answer and its authorization_reference. An offline-started
// transaction is always asked afresh: that is the re-check after the fact.
import type { AuthorizationLog, TokenAuthorizer } from './authorizeTypes.js';

export interface RecentAuthorizationReuseOptions {
  /** How old an Accepted Authorize may be to be reused (default 120 s: plug-in to Started takes seconds). */
  readonly windowMs?: number;
  readonly clock?: () => number;
}

export function reuseRecentAuthorization(inner: TokenAuthorizer, log: AuthorizationLog, options: RecentAuthorizationReuseOptions = {}): TokenAuthorizer {
  const windowMs = options.windowMs ?? 120_000;
  const clock = options.clock ?? Date.now;
  return {
    async authorizeToken(idToken, location, context) {
      if (context.offline !== true && idToken.idToken.length > 0) {
        const recent = await log.latest(location.stationId, idToken.idToken);
        const age = recent ? clock() - Date.parse(recent.at) : Number.POSITIVE_INFINITY;
        if (recent?.status === 'Accepted' && recent.tokenType === idToken.type && age >= -5_000 && age <= windowMs) {
          return { idTokenInfo: { status: 'Accepted' }, ...(recent.authorizationReference !== undefined ? { authorizationReference: recent.authorizationReference } : {}) };
        }
      }
      return inner.authorizeToken(idToken, location, context);
    },
  };
}
