// A small closed-loop HTTP/1.1 load generator on raw sockets: `connections` clients, each sending the next request as
// soon as the previous answer is complete, for `durationMs`. It keeps a connection when the server allows and
// reconnects when the server closes; it never opens a connection without sending a request (OpenSSL's single-threaded
// `openssl ocsp` responder hangs on such empty connections).
import { connect, type Socket } from 'node:net';

export interface LoadOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly connections: number;
  readonly durationMs: number;
  /** Per-request time-out; a request that exceeds it counts as an error and its connection is replaced. */
  readonly timeoutMs?: number;
}

export interface LoadResult {
  readonly ok: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly reconnects: number;
  /** One response body, for checking that the server did real work. */
  readonly sample?: Buffer;
}

interface Response {
  readonly status: number;
  readonly keepAlive: boolean;
  readonly body: Buffer;
}

/** Parses one complete HTTP/1.x response from the front of `buf`; undefined when more bytes are needed. */
export function parseResponse(buf: Buffer): { response: Response; used: number } | undefined {
  const headerEnd = buf.indexOf('\r\n\r\n');
  if (headerEnd < 0) return undefined;
  const head = buf.toString('latin1', 0, headerEnd).split('\r\n');
  const [version, code] = (head[0] ?? '').split(' ');
  const headers = new Map(
    head.slice(1).map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim().toLowerCase()] as const;
    }),
  );
  const length = Number(headers.get('content-length') ?? NaN);
  if (!Number.isInteger(length)) throw new Error('response without content-length');
  if (buf.length < headerEnd + 4 + length) return undefined;
  const connection = headers.get('connection');
  const keepAlive = version === 'HTTP/1.1' ? connection !== 'close' : connection === 'keep-alive';
  return {
    response: { status: Number(code), keepAlive, body: buf.subarray(headerEnd + 4, headerEnd + 4 + length) },
    used: headerEnd + 4 + length,
  };
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const request = Buffer.concat([
    Buffer.from(
      `POST ${o.path} HTTP/1.1\r\nHost: ${o.host}:${o.port}\r\nContent-Type: ${o.contentType}\r\nContent-Length: ${o.body.length}\r\n\r\n`,
      'latin1',
    ),
    o.body,
  ]);
  const end = performance.now() + o.durationMs;
  const started = performance.now();
  let ok = 0;
  let errors = 0;
  let reconnects = 0;
  let sample: Buffer | undefined;

  const client = (): Promise<void> =>
    new Promise((done) => {
      let socket: Socket | undefined;
      let pending: Buffer = Buffer.alloc(0);
      let timer: NodeJS.Timeout | undefined;
      const send = (): void => {
        if (performance.now() >= end) {
          socket?.destroy();
          done();
          return;
        }
        if (!socket || socket.destroyed) {
          reconnects++;
          socket = connect({ host: o.host, port: o.port, noDelay: true });
          socket.on('data', onData);
          socket.on('error', onError);
          socket.on('close', () => {
            if (timer) onError();
          });
        }
        pending = Buffer.alloc(0);
        timer = setTimeout(onError, o.timeoutMs ?? 10_000);
        socket.write(request);
      };
      const finish = (success: boolean, keep: boolean): void => {
        clearTimeout(timer);
        timer = undefined;
        if (success) ok++;
        else errors++;
        if (!keep) {
          socket?.removeAllListeners();
          socket?.destroy();
          socket = undefined;
        }
        send();
      };
      const onError = (): void => {
        if (timer === undefined) return;
        finish(false, false);
      };
      function onData(chunk: Buffer): void {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        const parsed = parseResponse(pending);
        if (!parsed) return;
        sample ??= Buffer.from(parsed.response.body);
        finish(parsed.response.status === 200, parsed.response.keepAlive);
      }
      send();
    });

  await Promise.all(Array.from({ length: o.connections }, client));
  const seconds = (performance.now() - started) / 1000;
  return { ok, errors, seconds, perSecond: ok / seconds, reconnects, ...(sample ? { sample } : {}) };
}
