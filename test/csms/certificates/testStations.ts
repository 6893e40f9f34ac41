// StationCaller over the strict test CSMS (test/helpers/testCsms.ts), so that CSMS features run against real
// stations before the CSMS's own server exists; and a bare strict ocpp-rpc station for what our charger never sends.
import type { Ocpp201Action, Ocpp201Actions } from '../../../src/ocpp/generated/ocpp201.js';
import { ocppPeer, STRICT_OCPP201, type OcppHandler, type OcppPeer } from '../../../src/ocpp/ocppPeer.js';
import { RPCClient } from '../../../src/ocpp/ocppRpc.js';
import { StationNotConnectedError, type CsmsHandler, type StationCaller } from '../../../src/csms/csmsTypes.js';
import type { TestCsms } from '../../helpers/testCsms.js';

export function stationCallerOver(csms: TestCsms, identities: () => readonly string[]): StationCaller {
  return {
    call(stationId, action, request, options) {
      if (!csms.isConnected(stationId)) return Promise.reject(new StationNotConnectedError(stationId));
      return csms.call(stationId, action, request, options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : undefined);
    },
    isConnected: (stationId) => csms.isConnected(stationId),
    get connectedCount() {
      return identities().filter((id) => csms.isConnected(id)).length;
    },
  };
}

/** Routes a station→CSMS action of the test CSMS to a CSMS handler. */
export function serve<A extends Ocpp201Action>(csms: TestCsms, action: A, handler: CsmsHandler<A>): void {
  csms.answer(action, (request: Ocpp201Actions[A]['request'], context) => handler(request, { stationId: context.identity, messageId: context.messageId }));
}

type ClientOptions = ConstructorParameters<typeof RPCClient>[0];

export interface BareStation {
  readonly peer: OcppPeer;
  handle<A extends Ocpp201Action>(action: A, handler: OcppHandler<A>): void;
  close(): Promise<void>;
}

/** A strict OCPP 2.0.1 station client with Basic auth (security profile 1), no reconnect. */
export async function connectBareStation(csms: TestCsms, identity: string, password: string): Promise<BareStation> {
  csms.setPassword(identity, password);
  const client = new RPCClient({ endpoint: csms.url, identity, password, reconnect: false, ...STRICT_OCPP201, protocols: [...STRICT_OCPP201.protocols] } as ClientOptions);
  await client.connect();
  await csms.waitForConnection(identity);
  const peer = ocppPeer(client);
  return {
    peer,
    handle: (action, handler) => peer.handle(action, handler),
    close: async () => {
      await client.close({ force: true });
      await csms.waitForDisconnect(identity);
    },
  };
}
