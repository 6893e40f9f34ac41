// The dashboard: a local web page that draws the demo's sessions as sequence diagrams, live and replayable.
//
// Routes: GET / and the page's static files; GET /api/sessions (summaries), GET /api/sessions/:id (summary + diagram
// rows); GET /api/stream (Server-Sent Events: one JSON StreamMessage per event, heartbeats as comments); with a
// launcher also GET /api/scenarios and POST /api/sessions {"scenario": NAME}.
//
// Security: loopback by default, and then only requests addressed to a loopback host are answered (a web page cannot
// reach the dashboard by DNS rebinding); a POST from another origin is refused, and bodies are small JSON only. The
// page runs under a Content-Security-Policy without inline scripts or eval, and draws trace text only as text. JSON
// escapes <, > and & so that no response can be read as markup. Every stream client has a bounded send buffer: one
// that does not read is disconnected (its EventSource reconnects and resynchronises).
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Tracer } from '../trace/tracer.js';
import { loadDashboardAssets } from './dashboardAssets.js';
import { DashboardBusyError, DashboardStartError } from './dashboardErrors.js';
import type { ScenarioLauncher, SessionFeed } from './dashboardTypes.js';
import { sessionDetail, sessionSummary, streamMessage } from './dashboardWire.js';

export interface DashboardOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  readonly feed: SessionFeed;
  /** Lets the page start scenarios (`pnc dashboard`); without it the page only watches (`pnc demo --ui`). */
  readonly launcher?: ScenarioLauncher;
  /** Where server errors are reported. */
  readonly tracer?: Tracer;
  /** Comment lines on every stream this often so that proxies and browsers keep it open; default 15 s. */
  readonly heartbeatMs?: number;
  /** Stream clients at once; default 32. */
  readonly maxStreamClients?: number;
  /** Bytes a stream client may have waiting unsent before it is disconnected; default 1 MiB. */
  readonly maxClientBufferBytes?: number;
  /** A launch must have started within this time; default 30 s. */
  readonly launchTimeoutMs?: number;
  /** A request must arrive whole within this time; default 10 s. */
  readonly requestTimeoutMs?: number;
}

export interface Dashboard {
  readonly url: string;
  close(): Promise<void>;
}

/** The only body the API accepts is {"scenario": NAME}. */
export const DASHBOARD_BODY_LIMIT = 1024;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Loopback addresses and names (RFC 6761 §6.3 localhost; 127.0.0.0/8; ::1). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The host part of a Host header (`[::1]:8080`, `localhost:80`). */
export function hostOfHeader(value: string | undefined): string {
  if (!value) return '';
  if (value.startsWith('[')) return value.slice(1, Math.max(1, value.indexOf(']')));
  return value.split(':')[0] ?? '';
}

/** JSON that can never be read as HTML or end a script: <, >, & and the JS line separators are \u escapes. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new DashboardStartError(`${what} must be a positive number, not ${String(value)}`);
  return value;
}

class LaunchTimeoutError extends Error {
  override readonly name = 'LaunchTimeoutError';
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new LaunchTimeoutError(`${what} did not start within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sessionParams = {
  type: 'object',
  // Fastify answers 414 to longer path parameters before this schema sees them.
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
  required: ['id'],
} as const;

const launchBody = {
  type: 'object',
  properties: { scenario: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['scenario'],
  additionalProperties: false,
} as const;

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const host = o.host ?? '127.0.0.1';
  const { feed, launcher, tracer } = o;
  const heartbeatMs = positive(o.heartbeatMs, 15_000, 'heartbeatMs');
  const maxStreamClients = positive(o.maxStreamClients, 32, 'maxStreamClients');
  const maxClientBufferBytes = positive(o.maxClientBufferBytes, 1024 * 1024, 'maxClientBufferBytes');
  const launchTimeoutMs = positive(o.launchTimeoutMs, 30_000, 'launchTimeoutMs');
  const requestTimeoutMs = positive(o.requestTimeoutMs, 10_000, 'requestTimeoutMs');
  const loopbackOnly = isLoopbackHost(host);
  const assets = await loadDashboardAssets();

  const reportError = (what: string, detail: string): void => {
    tracer?.emit({ kind: 'error', party: tracer.party, error: `dashboard: ${what}`, detail });
  };

  const app = Fastify({
    logger: false,
    // HEAD would run the stream's handler too; the page needs only GET.
    exposeHeadRoutes: false,
    bodyLimit: DASHBOARD_BODY_LIMIT,
    connectionTimeout: requestTimeoutMs,
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: 5000,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
  });
  app.server.maxConnections = 256;
  app.setReplySerializer((payload) => safeJson(payload));
  // JSON only: a form or text/plain post (what a cross-site page can send without asking) is a 415.
  app.removeContentTypeParser(['text/plain']);

  app.addHook('onRequest', async (req, reply) => {
    if (loopbackOnly && !isLoopbackHost(hostOfHeader(req.headers.host))) {
      return reply.code(403).send({ error: 'Forbidden', message: 'the dashboard answers only requests addressed to a loopback host' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
        return reply.code(403).send({ error: 'Forbidden', message: 'requests from another origin are refused' });
      }
    }
    return undefined;
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const error = status === 413 ? 'PayloadTooLarge' : status === 415 ? 'UnsupportedMediaType' : 'BadRequest';
      return reply.code(status).send({ error, message: err.message });
    }
    reportError('request failed', `${req.method} ${req.url.slice(0, 100)}: ${err.message}`);
    return reply.code(500).send({ error: 'InternalError', message: 'the dashboard failed to handle the request' });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'NotFound', message: `no route ${req.method} ${req.url.slice(0, 100)}` }));

  for (const [path, asset] of assets) {
    app.get(path, (_req, reply) => reply.code(200).header('content-type', asset.contentType).header('cache-control', 'no-cache').send(asset.body));
  }

  app.get('/api/sessions', (_req, reply) => reply.send({ sessions: feed.sessions().map((s) => sessionSummary(s, feed.steps(s.id)?.length ?? 0)) }));

  app.get<{ Params: { id: string } }>('/api/sessions/:id', { schema: { params: sessionParams } }, (req, reply) => {
    const session = feed.sessions().find((s) => s.id === req.params.id);
    if (!session) return reply.code(404).send({ error: 'NotFound', message: 'no such session (it may have been dropped: the dashboard keeps the latest ones)' });
    return reply.send(sessionDetail(session, feed.steps(session.id) ?? []));
  });

  if (launcher) {
    app.get('/api/scenarios', (_req, reply) => reply.send({ scenarios: launcher.scenarios }));
    app.post<{ Body: { scenario: string } }>('/api/sessions', { schema: { body: launchBody } }, async (req, reply) => {
      const name = req.body.scenario;
      if (!launcher.scenarios.some((s) => s.name === name)) return reply.code(400).send({ error: 'UnknownScenario', message: 'no scenario of that name' });
      try {
        const { id } = await withTimeout(launcher.launch(name), launchTimeoutMs, 'the scenario');
        return reply.code(202).send({ id });
      } catch (e) {
        if (e instanceof DashboardBusyError) return reply.code(409).send({ error: 'Busy', message: e.message });
        if (e instanceof LaunchTimeoutError) {
          reportError('launch timed out', e.message);
          return reply.code(504).send({ error: 'LaunchTimeout', message: e.message });
        }
        throw e;
      }
    });
  }

  // The live stream: one feed subscription for all clients; each message is serialised once.
  const clients = new Set<ServerResponse>();
  const send = (res: ServerResponse, text: string): void => {
    if (res.writableLength + Buffer.byteLength(text) > maxClientBufferBytes) {
      // A client that does not keep up would make the server hold every update for it; it is cut off instead.
      clients.delete(res);
      res.destroy();
      return;
    }
    res.write(text);
  };
  const broadcast = (text: string): void => {
    for (const res of [...clients]) send(res, text);
  };
  const unsubscribe = feed.subscribe((update) => {
    if (clients.size > 0) broadcast(`data: ${safeJson(streamMessage(update, feed))}\n\n`);
  });
  const heartbeat = setInterval(() => broadcast(': heartbeat\n\n'), heartbeatMs);
  heartbeat.unref();

  app.get('/api/stream', (req, reply) => {
    if (clients.size >= maxStreamClients) return reply.code(503).send({ error: 'TooManyStreams', message: `at most ${maxStreamClients} live streams at once` });
    reply.hijack();
    const res = reply.raw;
    // The stream outlives the request time-outs; heartbeats show it is alive.
    req.raw.socket.setTimeout(0);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // Ending the stream ends the connection, so that close() is not held up by it.
      connection: 'close',
    });
    clients.add(res);
    res.on('close', () => clients.delete(res));
    res.write('retry: 2000\n\n');
    return undefined;
  });

  app.addHook('preClose', (done) => {
    clearInterval(heartbeat);
    unsubscribe();
    for (const res of clients) res.end();
    clients.clear();
    done();
  });

  try {
    await app.listen({ host, port: o.port ?? 0 });
  } catch (e) {
    clearInterval(heartbeat);
    unsubscribe();
    throw e;
  }
  const port = (app.server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}`, close: () => app.close() };
}
