// One answer for any idToken outside a certificate check: an eMAID goes to its eMSP (OCPI real-time authorization),
// the CPO's own tokens come from its token list, NoAuthorization is free charging.
import type { IdTokenInfoType, IdTokenType } from '../../ocpp/generated/ocpp201.js';
import type { Tracer } from '../../trace/tracer.js';
import { maskEmaid } from '../../pki/emaid/maskEmaid.js';
import type { TokenList } from '../tokens/tokenList.js';
import type { BillingChecker, ChargingLocation, CheckContext, TokenAuthorizationResult, TokenAuthorizer } from './authorizeTypes.js';

export interface TokenAuthorizerDeps {
  readonly billing: BillingChecker;
  readonly tokens: TokenList;
  readonly tracer: Tracer;
}

export function createTokenAuthorizer(deps: TokenAuthorizerDeps): TokenAuthorizer {
  return {
    async authorizeToken(idToken: IdTokenType, location: ChargingLocation, context: CheckContext & { readonly offline?: boolean }): Promise<TokenAuthorizationResult> {
      const started = performance.now();
      if (idToken.type === 'NoAuthorization') return { idTokenInfo: { status: 'Accepted' } };
      if (idToken.type === 'eMAID') {
        const billing = await deps.billing.authorizeEmaid(idToken.idToken, location, context);
        const idTokenInfo: IdTokenInfoType = { status: billing.status };
        deps.tracer.emit({
          kind: 'check',
          party: 'csms',
          ...(context.session ? { session: context.session } : {}),
          check: context.offline ? 'offline transaction re-check' : 'token',
          ok: billing.status === 'Accepted',
          detail: `${maskEmaid(idToken.idToken)}: ${billing.status} (${billing.detail})`,
          ms: performance.now() - started,
        });
        return { idTokenInfo, ...(billing.authorizationReference ? { authorizationReference: billing.authorizationReference } : {}) };
      }
      const listed = await deps.tokens.get(idToken.idToken, idToken.type);
      const status = listed?.status ?? 'Unknown';
      deps.tracer.emit({
        kind: 'check',
        party: 'csms',
        ...(context.session ? { session: context.session } : {}),
        check: context.offline ? 'offline transaction re-check' : 'token',
        ok: status === 'Accepted',
        detail: `${idToken.type} token: ${status}${listed ? '' : ' (not in the token list)'}`,
        ms: performance.now() - started,
      });
      return { idTokenInfo: { status } };
    },
  };
}
