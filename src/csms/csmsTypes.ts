// The seams between the CSMS's parts: how OCPP actions from stations reach handlers, and how CSMS code calls a
// connected station. The server (server/) implements StationCaller; each feature exports handlers.
import type { Ocpp201Action, Ocpp201Actions } from '../ocpp/generated/ocpp201.js';

export interface StationContext {
  /** The OCPP identity of the station the call came from (authenticated by the security profile). */
  readonly stationId: string;
  readonly messageId?: string;
}

/** Handles one station→CSMS action. The request was validated against the official schema (strict mode). */
export type CsmsHandler<A extends Ocpp201Action> = (request: Ocpp201Actions[A]['request'], station: StationContext) => Promise<Ocpp201Actions[A]['response']>;

export type CsmsHandlers = { readonly [A in Ocpp201Action]?: CsmsHandler<A> };

export interface StationCallOptions {
  readonly timeoutMs?: number;
}

/** Calls a station connected to this CSMS node. */
export interface StationCaller {
  call<A extends Ocpp201Action>(stationId: string, action: A, request: Ocpp201Actions[A]['request'], options?: StationCallOptions): Promise<Ocpp201Actions[A]['response']>;
  isConnected(stationId: string): boolean;
  readonly connectedCount: number;
}

export class StationNotConnectedError extends Error {
  override readonly name = 'StationNotConnectedError';
  constructor(readonly stationId: string) {
    super(`station ${stationId} is not connected to this CSMS node`);
  }
}
