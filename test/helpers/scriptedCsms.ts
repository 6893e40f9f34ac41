// A stand-in CSMS for charger tests: a real OCPP 2.0.1 server (ocpp-rpc, strict mode: every frame validated against
// the schemas) whose Authorize answers the test scripts, recording what the station sent.
import type { AddressInfo } from 'node:net';
import { RPCClient, RPCServer } from 'ocpp-rpc';
import type { AuthorizeRequest, AuthorizeResponse } from '../../src/ocpp/generated/ocpp201.js';
import { ocppPeer, STRICT_OCPP201, type OcppPeer } from '../../src/ocpp/ocppPeer.js';

type ClientOptions = ConstructorParameters<typeof RPCClient>[0];

export interface ScriptedCsms {
  readonly url: string;
  readonly authorizeRequests: AuthorizeRequest[];
  answer: (request: AuthorizeRequest) => AuthorizeResponse | Promise<AuthorizeResponse>;
  /** A station connection to this CSMS. */
  connectStation(identity: string): Promise<{ peer: OcppPeer; close(): Promise<void> }>;
  close(): Promise<void>;
}

export async function startScriptedCsms(): Promise<ScriptedCsms> {
  const server = new RPCServer({ ...STRICT_OCPP201, protocols: [...STRICT_OCPP201.protocols] });
  server.auth((accept) => accept({}, 'ocpp2.0.1'));
  const csms: ScriptedCsms = {
    url: '',
    authorizeRequests: [],
    answer: () => ({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' }),
    async connectStation(identity) {
      const client = new RPCClient({ endpoint: csms.url, identity, reconnect: false, ...STRICT_OCPP201, protocols: [...STRICT_OCPP201.protocols] } as ClientOptions);
      await client.connect();
      return { peer: ocppPeer(client), close: async () => void (await client.close({ force: true })) };
    },
    close: () => server.close({ force: true }),
  };
  server.on('client', (client: RPCClient) => {
    ocppPeer(client).handle('Authorize', (req) => {
      csms.authorizeRequests.push(req);
      return csms.answer(req);
    });
  });
  const http = await server.listen(0, '127.0.0.1');
  (csms as { url: string }).url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return csms;
}
