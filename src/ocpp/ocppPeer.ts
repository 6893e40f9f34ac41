// Typed OCPP 2.0.1 calls over ocpp-rpc (OCPP-J: RPC over WebSocket). ocpp-rpc runs in strict mode: every call and
// every response, in both directions, is validated against the OCPP 2.0.1 schemas before it is sent or handled, and a
// violation comes back as the OCPP-J CALLERROR the standard names (FormatViolation, OccurrenceConstraintViolation…).
// This file adds the types generated from the official schemas: an action's request and response are checked by tsc.
import type { RPCClient, RPCServer } from 'ocpp-rpc';
import type { Ocpp201Action, Ocpp201Actions } from './generated/ocpp201.js';

export const OCPP201_SUBPROTOCOL = 'ocpp2.0.1';

type RpcEndpoint = Pick<RPCClient, 'call' | 'handle' | 'removeHandler'>;

export interface CallContext {
  readonly messageId?: string;
  readonly signal?: AbortSignal;
}

export type OcppHandler<A extends Ocpp201Action> = (request: Ocpp201Actions[A]['request'], context: CallContext) => Promise<Ocpp201Actions[A]['response']> | Ocpp201Actions[A]['response'];

/** One side of an OCPP 2.0.1 connection (a charging station's client, or the CSMS's per-station client). */
export interface OcppPeer {
  call<A extends Ocpp201Action>(action: A, request: Ocpp201Actions[A]['request'], options?: { readonly timeoutMs?: number; readonly signal?: AbortSignal }): Promise<Ocpp201Actions[A]['response']>;
  handle<A extends Ocpp201Action>(action: A, handler: OcppHandler<A>): void;
  unhandle(action: Ocpp201Action): void;
}

export function ocppPeer(endpoint: RpcEndpoint): OcppPeer {
  return {
    async call(action, request, options) {
      const response = await endpoint.call(action, request, {
        ...(options?.timeoutMs !== undefined ? { callTimeoutMs: options.timeoutMs } : {}),
        ...(options?.signal ? { signal: options.signal } : {}),
      });
      // Strict mode validated the response against the action's response schema before it got here.
      return response as Ocpp201Actions[typeof action]['response'];
    },
    handle(action, handler) {
      endpoint.handle(action, async ({ params, messageId, signal }) => {
        // Strict mode validated params against the action's request schema before calling us.
        const response = await handler(params as Ocpp201Actions[typeof action]['request'], { ...(messageId ? { messageId } : {}), ...(signal ? { signal } : {}) });
        return response as Record<string, unknown>;
      });
    },
    unhandle(action) {
      endpoint.removeHandler(action);
    },
  };
}

/** Options every pnc-stack OCPP endpoint uses: OCPP 2.0.1 only, strict validation of every frame. */
export const STRICT_OCPP201 = { protocols: [OCPP201_SUBPROTOCOL], strictMode: true } as const;

export type { RPCServer };
