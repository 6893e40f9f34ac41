// A node:http server on a loopback address that records every TCP connection and request it sees, so that tests can
// prove a refused URL was never connected to, and serve hostile answers (redirects, huge or dripping bodies).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordingServer {
  readonly port: number;
  /** e.g. http://127.0.0.1:40123 or http://[::1]:40123 */
  readonly origin: string;
  readonly connections: () => number;
  readonly requests: () => number;
  close(): Promise<void>;
}

export async function startRecordingServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = '127.0.0.1',
  options: { keepAliveTimeout?: number } = {},
): Promise<RecordingServer> {
  let connections = 0;
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`,
    connections: () => connections,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads and drops a request body, then answers. */
export function afterBody(req: IncomingMessage, answer: () => void): void {
  req.on('data', () => undefined);
  req.on('end', answer);
}
