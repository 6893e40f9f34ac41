// The ceiling of the CSMS load benchmark: a WebSocket server that answers every OCPP 2.0.1 CALL with a prepared
// CALLRESULT and does nothing else — no authentication, no schema validation, no OCSP, no database. What the load
// generator reaches against it is the transport limit of this machine (and proves the generator is not what limits a
// real CSMS). Not an OCPP server for anything but this measurement.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { rawText } from './ocppLoadMessages.js';
import { OCPP201_SUBPROTOCOL } from '../../ocpp/ocppPeer.js';

export interface CannedCsms {
  readonly url: string;
  readonly port: number;
  /** CALLs answered so far. */
  readonly answered: number;
  readonly connections: number;
  close(): Promise<void>;
}

const HEAD = /^\[\s*2\s*,\s*"([^"\\]{1,64})"\s*,\s*"([A-Za-z0-9]{1,64})"/;
const MAX_FRAME = 65_536;

function answerFor(action: string, frame: string): string {
  switch (action) {
    case 'BootNotification':
      return `{"currentTime":"${new Date().toISOString()}","interval":300,"status":"Accepted"}`;
    case 'Authorize':
      return '{"idTokenInfo":{"status":"Accepted"},"certificateStatus":"Accepted"}';
    case 'TransactionEvent':
      return frame.includes('"idToken"') ? '{"idTokenInfo":{"status":"Accepted"}}' : '{}';
    default:
      return '{}';
  }
}

export async function startCannedCsms(options: { readonly host?: string; readonly port?: number } = {}): Promise<CannedCsms> {
  const http: Server = createServer((_req, res) => res.writeHead(426, { connection: 'close' }).end());
  const wss = new WebSocketServer({
    server: http,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME,
    handleProtocols: (protocols) => (protocols.has(OCPP201_SUBPROTOCOL) ? OCPP201_SUBPROTOCOL : false),
  });
  let answered = 0;
  wss.on('connection', (ws) => {
    ws.on('error', () => ws.terminate());
    ws.on('message', (data) => {
      const frame = rawText(data);
      const m = HEAD.exec(frame);
      if (!m) return;
      answered++;
      ws.send(`[3,"${m[1]!}",${answerFor(m[2]!, frame)}]`);
    });
  });
  // A connection storm outgrows the default accept backlog of 511.
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, backlog: 4096 }, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    get answered() {
      return answered;
    },
    get connections() {
      return wss.clients.size;
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
