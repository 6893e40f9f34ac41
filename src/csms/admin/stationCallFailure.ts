// What went wrong when the CSMS called a station (StationCaller.call): the failures a network peer can cause, each
// with the OCPP-J error code it amounts to. Anything else is a bug of ours and is not classified (the caller rethrows).
import { RPCError, TimeoutError } from '../../ocpp/ocppRpc.js';
import { StationNotConnectedError } from '../csmsTypes.js';
import { StationCallError } from '../server/stationCallError.js';

export type StationCallFailure =
  /** Not connected to this node. */
  | { readonly kind: 'notConnected'; readonly code: 'NotConnected'; readonly message: string }
  /** No answer within the time-out. */
  | { readonly kind: 'timeout'; readonly code: 'Timeout'; readonly message: string }
  /** The connection closed while the call was open. */
  | { readonly kind: 'disconnected'; readonly code: 'Disconnected'; readonly message: string }
  /** The station answered with a CALLERROR, or strict mode refused the request or the response. */
  | { readonly kind: 'callError'; readonly code: string; readonly message: string };

export function stationCallFailure(e: unknown): StationCallFailure | undefined {
  if (e instanceof StationNotConnectedError) return { kind: 'notConnected', code: 'NotConnected', message: e.message };
  // The CSMS server's own error (server/stationCallError.ts).
  if (e instanceof StationCallError) {
    switch (e.code) {
      case 'timeout':
        return { kind: 'timeout', code: 'Timeout', message: e.message };
      case 'disconnected':
        return { kind: 'disconnected', code: 'Disconnected', message: e.message };
      case 'too-large':
        return { kind: 'callError', code: 'TooLarge', message: e.message };
      case 'rejected':
        return { kind: 'callError', code: e.rpcErrorCode ?? 'GenericError', message: e.message };
    }
  }
  // ocpp-rpc's errors, when the caller hands them through unwrapped.
  if (e instanceof TimeoutError) return { kind: 'timeout', code: 'Timeout', message: 'the station did not answer in time' };
  if (e instanceof RPCError) return { kind: 'callError', code: e.rpcErrorCode || 'GenericError', message: e.message || e.rpcErrorMessage };
  if (e instanceof Error) {
    // ocpp-rpc rejects open calls with an AbortError when the socket closes, and refuses calls on a closed socket.
    if (e.name === 'AbortError') return { kind: 'disconnected', code: 'Disconnected', message: e.message };
    if (/socket not open/i.test(e.message)) return { kind: 'disconnected', code: 'Disconnected', message: e.message };
  }
  return undefined;
}
