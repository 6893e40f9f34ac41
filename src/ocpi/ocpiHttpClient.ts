// HTTP for OCPI on node:http/https with keep-alive agents: the billing check sends thousands of authorize requests a
// second to a handful of eMSPs, so connections are reused rather than opened per request (fetch/undici would also
// pool, but costs more per request). Every exchange is bounded: one timer covers queueing, connect, request and the
// whole response; the body is refused beyond a size limit. Redirects are not followed. Idle pooled connections are
// dropped after 4 s, before servers close them (Node's default keep-alive is 5 s); if a server closes a reused idle
// connection just as a request goes out (reset before any answer), that request is sent once more on a new connection.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { authorizationHeader } from './ocpiAuthorization.js';
import { OcpiError } from './ocpiError.js';

export interface OcpiHttpClientOptions {
  /** Whole exchange, from the call to the last byte (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Largest response body accepted (default 1 MiB). */
  readonly maxResponseBytes?: number;
  /** Connections per peer origin at most (default 256). */
  readonly maxSockets?: number;
  /** Idle keep-alive connections kept per origin (default 64). */
  readonly maxFreeSockets?: number;
  /** An idle pooled connection is closed after this (default 4000 ms). */
  readonly idleSocketMs?: number;
  /** TLS for https peers: extra trust anchors (PEM), and client certificate if the peer wants mutual TLS. */
  readonly tls?: { readonly ca?: string | Buffer | readonly (string | Buffer)[]; readonly cert?: string | Buffer; readonly key?: string | Buffer };
}

export type OcpiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OcpiHttpRequest {
  readonly method: OcpiMethod;
  readonly url: string;
  /** The credentials token (sent base64-encoded); absent only for the rare unauthenticated call. */
  readonly token?: string;
  /** Serialised as JSON. */
  readonly body?: unknown;
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface OcpiHttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly url: string;
  readonly requestId: string;
}

export class OcpiHttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(options: OcpiHttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxBytes = options.maxResponseBytes ?? 1024 * 1024;
    const pool = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 256,
      maxFreeSockets: options.maxFreeSockets ?? 64,
      scheduling: 'lifo' as const,
      // The socket time-out: the agent destroys a free (idle) socket when it fires; busy ones are bounded by our timer.
      timeout: options.idleSocketMs ?? 4000,
    };
    this.httpAgent = new http.Agent(pool);
    const tls = options.tls;
    this.httpsAgent = new https.Agent({
      ...pool,
      ...(tls?.ca !== undefined ? { ca: tls.ca as string | Buffer | (string | Buffer)[] } : {}),
      ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls?.key !== undefined ? { key: tls.key } : {}),
    });
  }

  request(r: OcpiHttpRequest): Promise<OcpiHttpResponse> {
    let url: URL;
    try {
      url = new URL(r.url);
    } catch {
      return Promise.reject(new OcpiError('format', `"${r.url.slice(0, 200)}" is not a URL`, { url: r.url }));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(new OcpiError('format', `OCPI over ${url.protocol} is not supported`, { url: r.url }));
    }
    const secure = url.protocol === 'https:';
    const timeoutMs = r.timeoutMs ?? this.timeoutMs;
    const maxBytes = r.maxResponseBytes ?? this.maxBytes;
    const requestId = r.requestId ?? randomUUID();
    const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body), 'utf8');
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-request-id': requestId,
      'x-correlation-id': r.correlationId ?? requestId,
      ...(r.token !== undefined ? { authorization: authorizationHeader(r.token) } : {}),
      ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
      ...r.headers,
    };
    const origin = url.origin;

    return new Promise<OcpiHttpResponse>((resolve, reject) => {
      let done = false;
      let req: http.ClientRequest | undefined;
      const timer = setTimeout(() => fail(new OcpiError('timeout', `no complete answer from ${origin} within ${timeoutMs} ms`, { url: r.url })), timeoutMs);
      const fail = (e: OcpiError): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req?.destroy();
        reject(e);
      };
      const options: http.RequestOptions = {
        agent: secure ? this.httpsAgent : this.httpAgent,
        method: r.method,
        protocol: url.protocol,
        // URL.hostname keeps the brackets of an IPv6 literal; the socket wants the bare address.
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers,
      };
      let responded = false;
      const onResponse = (res: http.IncomingMessage): void => {
        responded = true;
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (declared > maxBytes) {
          fail(new OcpiError('too-large', `${origin} announced ${declared} bytes, limit ${maxBytes}`, { url: r.url, httpStatus: res.statusCode ?? 0 }));
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > maxBytes) {
            fail(new OcpiError('too-large', `${origin} sent more than ${maxBytes} bytes`, { url: r.url, httpStatus: res.statusCode ?? 0 }));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: r.url, requestId });
        });
        res.on('error', (e) => fail(new OcpiError('network', `${origin}: ${e.message}`, { url: r.url }, { cause: e })));
        res.on('aborted', () => fail(new OcpiError('network', `${origin} closed the connection mid-response`, { url: r.url })));
      };
      let retried = false;
      const send = (): void => {
        let current: http.ClientRequest;
        try {
          current = (secure ? https : http).request(options, onResponse);
        } catch (e) {
          // Synchronous refusals: a header value with characters HTTP cannot carry, an invalid port.
          fail(new OcpiError('format', `cannot send to ${origin}: ${(e as Error).message}`, { url: r.url }, { cause: e }));
          return;
        }
        req = current;
        current.on('error', (e: NodeJS.ErrnoException) => {
          if (done || current !== req) return;
          // A pooled connection the server closed while idle (reset before any answer): almost surely the request
          // never reached the server, so send it once more.
          if (!retried && current.reusedSocket && !responded && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
            retried = true;
            send();
            return;
          }
          fail(new OcpiError('network', `${origin}: ${e.code ?? e.message}`, { url: r.url }, { cause: e }));
        });
        current.end(payload);
      };
      send();
    });
  }

  /** Closes the pooled connections (idle ones at once). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
