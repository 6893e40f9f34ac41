// OCPP Authorize for contract authorization: one call with a time limit; a CSMS that is not connected, does not answer
// in time or answers with a CALLERROR counts as unavailable (the offline rules decide then).
import { RPCError, TimeoutError } from '../ocpp/ocppRpc.js';
import type { AuthorizeRequest, AuthorizeResponse } from '../ocpp/generated/ocpp201.js';
import type { OcppPeer } from '../ocpp/ocppPeer.js';
import { CsmsUnavailable } from './contractAuthorization.js';

export function ocppAuthorizer(peer: () => OcppPeer | undefined, timeoutMs: number): (request: AuthorizeRequest) => Promise<AuthorizeResponse> {
  return async (request) => {
    const p = peer();
    if (!p) throw new CsmsUnavailable('not connected to the CSMS');
    try {
      return await p.call('Authorize', request, { timeoutMs });
    } catch (e) {
      if (e instanceof TimeoutError) throw new CsmsUnavailable(`no AuthorizeResponse within ${timeoutMs} ms`);
      if (e instanceof RPCError) throw new CsmsUnavailable(`CSMS answered ${e.rpcErrorCode}: ${e.message}`);
      // ocpp-rpc rejects calls on a closed connection with a plain Error.
      if (e instanceof Error && /closed|not open|disconnect/i.test(e.message)) throw new CsmsUnavailable(e.message);
      throw e;
    }
  };
}
