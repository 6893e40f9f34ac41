// `pnc ocsp serve`: RFC 6960 Appendix A over HTTP with fastify. POST with application/ocsp-request on any path, GET
// with the base64 request as the last path segment. Every request is answered with an OCSPResponse; malformed
// input gets malformedRequest, never a crash.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { encodeOcspError } from '../pki/ocsp/ocspMessages.js';
import type { OcspAnswer } from '../pki/ocsp/ocspResponderCore.js';
import type { Tracer } from '../trace/tracer.js';
import { requestFromGetPath } from './getRequestPath.js';

export interface OcspResponder {
  respond(request: Buffer): OcspAnswer;
}

export interface OcspServerOptions {
  readonly core: OcspResponder;
  readonly tracer: Tracer;
  /** Largest request body accepted (default 16 KiB; a 32-certificate request is ~3 kB). */
  readonly maxRequestBytes?: number;
  /** A request must arrive whole within this time, and an idle connection is closed after it (default 10 s). */
  readonly timeoutMs?: number;
  /** Open connections at most (default 4096): a slow or idle client cannot exhaust file descriptors. */
  readonly maxConnections?: number;
}

const OCSP_RESPONSE = 'application/ocsp-response';

export function createOcspServer(options: OcspServerOptions): FastifyInstance {
  const maxBytes = options.maxRequestBytes ?? 16 * 1024;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const app = Fastify({
    logger: false,
    bodyLimit: maxBytes,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    keepAliveTimeout: timeoutMs,
    routerOptions: { maxParamLength: Math.ceil((maxBytes * 4) / 3) * 3 },
    // A URL the router cannot decode (bad %-escape) is still an OCSP request: answer malformedRequest, not JSON.
    frameworkErrors: (err, _req, reply) => {
      options.tracer.emit({ kind: 'error', party: 'ocsp', error: 'malformedRequest', detail: err.message });
      void (reply as FastifyReply).status(400).header('content-type', OCSP_RESPONSE).send(encodeOcspError('malformedRequest'));
    },
  });
  app.server.maxConnections = options.maxConnections ?? 4096;
  app.removeAllContentTypeParsers();
  // RFC 6960 A.1 names application/ocsp-request; any other body is read as bytes too and judged by the DER parser.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const answer = (request: Buffer, method: string): OcspAnswer => {
    const started = performance.now();
    const a = options.core.respond(request);
    const ms = performance.now() - started;
    if (a.status !== 'successful') {
      options.tracer.emit({ kind: 'error', party: 'ocsp', error: a.status, detail: `${method}: ${a.error ?? ''}` });
    } else {
      for (const x of a.answers) {
        options.tracer.emit({ kind: 'verdict', party: 'ocsp', verdict: x.status, detail: `serial ${x.serialHex} of ${x.authorityId}${a.reused ? ' (pre-produced)' : ''}`, ms });
      }
    }
    return a;
  };

  app.post('/*', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    return reply.header('content-type', OCSP_RESPONSE).send(answer(body, 'POST').response);
  });

  app.get('/*', async (req, reply) => {
    // The raw URL: the router's decoded parameter has already turned an escaped '/' of the base64 into a separator.
    const a = answer(requestFromGetPath(req.raw.url ?? '', maxBytes), 'GET');
    // RFC 5019 §6.2: HTTP caches may keep a GET answer only while the response itself is fresh; errors not at all.
    const cache = a.cacheSeconds > 0 ? `max-age=${a.cacheSeconds}, public, no-transform, must-revalidate` : 'no-store';
    return reply.header('content-type', OCSP_RESPONSE).header('cache-control', cache).send(a.response);
  });

  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    // Oversize or unreadable bodies: still an OCSP answer, with the HTTP status fastify chose.
    options.tracer.emit({ kind: 'error', party: 'ocsp', error: 'malformedRequest', detail: err.message });
    void reply.status(err.statusCode ?? 400).header('content-type', OCSP_RESPONSE).send(encodeOcspError('malformedRequest'));
  });
  return app;
}
