// A TCP switch for tests: it stands for the load balancer in front of several server processes. Every new client
// connection is forwarded to the current target port on 127.0.0.1; `switchTo` changes the target for new connections
// only (as a balancer does once a node is drained or found dead), `dropAll` cuts every live connection (both sides
// destroyed, like a balancer restart or a network cut), and `loseReplies` makes the live connections swallow what
// the servers send from then on — an answer lost on the way back, while the request did arrive. A target that refuses
// or does not answer within the connect time-out closes the client's connection, as a balancer with a dead backend does.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpSwitch {
  /** The port clients connect to. */
  readonly port: number;
  /** Where new connections go. */
  readonly target: number;
  /** Connections forwarded so far, per target port (counted when the target accepted them). */
  readonly forwarded: ReadonlyMap<number, number>;
  /** Client connections alive now. */
  readonly liveConnections: number;
  /** New connections go to `port` from now on; live ones stay where they are. */
  switchTo(port: number): void;
  /** Destroys every live connection (client and target side). Returns how many there were. */
  dropAll(): number;
  /** From now on the live connections discard every byte their targets send; new connections are not affected. */
  loseReplies(): number;
  close(): Promise<void>;
}

export interface TcpSwitchOptions {
  readonly target: number;
  /** Default 0: any free port. */
  readonly port?: number;
  /** How long a target may take to accept a connection (default 3000 ms). */
  readonly connectTimeoutMs?: number;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  losing: boolean;
}

export async function startTcpSwitch(options: TcpSwitchOptions): Promise<TcpSwitch> {
  let target = checkPort(options.target);
  const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  const pairs = new Set<Pair>();
  const forwarded = new Map<number, number>();

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    const to = target;
    const upstream = connect({ host: '127.0.0.1', port: to });
    const pair: Pair = { client, upstream, losing: false };
    pairs.add(pair);
    const destroy = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.setTimeout(connectTimeoutMs, destroy);
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      forwarded.set(to, (forwarded.get(to) ?? 0) + 1);
      client.resume();
    });
    // Either side ending or failing ends the pair: the WebSocket close handshake travels in-band, so nothing is lost
    // that the peers did not already give up on.
    for (const s of [client, upstream]) {
      s.once('error', destroy);
      s.once('end', destroy);
      s.once('close', destroy);
    }
    forward(client, upstream, () => false);
    forward(upstream, client, () => pair.losing);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp switch: no port');

  return {
    port: address.port,
    get target() {
      return target;
    },
    forwarded,
    get liveConnections() {
      return pairs.size;
    },
    switchTo(port) {
      target = checkPort(port);
    },
    dropAll() {
      const n = pairs.size;
      for (const p of [...pairs]) {
        pairs.delete(p);
        p.client.destroy();
        p.upstream.destroy();
      }
      return n;
    },
    loseReplies() {
      for (const p of pairs) p.losing = true;
      return pairs.size;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const p of [...pairs]) {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.clear();
      await closed;
    },
  };
}

/** Copies `from` to `to` with back-pressure; while `discard()` holds, the bytes are read and dropped. */
function forward(from: Socket, to: Socket, discard: () => boolean): void {
  from.on('data', (chunk: Buffer) => {
    if (discard() || to.destroyed) return;
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`tcp switch: port must be 1–65535, got ${port}`);
  return port;
}
