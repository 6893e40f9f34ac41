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
}

const OCSP_RESPONSE = 'application/ocsp-response';

export function createOcspServer(options: OcspServerOptions): FastifyInstance {
  const maxBytes = options.maxRequestBytes ?? 16 * 1024;
  const app = Fastify({
    logger: false,
    bodyLimit: maxBytes,
    routerOptions: { maxParamLength: Math.ceil((maxBytes * 4) / 3) * 3 },
    // A URL the router cannot decode (bad %-escape) is still an OCSP request: answer malformedRequest, not JSON.
    frameworkErrors: (err, _req, reply) => {
      options.tracer.emit({ kind: 'error', party: 'ocsp', error: 'malformedRequest', detail: err.message });
      void (reply as FastifyReply).status(400).header('content-type', OCSP_RESPONSE).send(encodeOcspError('malformedRequest'));
    },
  });
  app.removeAllContentTypeParsers();
  // RFC 6960 A.1 names application/ocsp-request; any other body is read as bytes too and judged by the DER parser.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const answer = (request: Buffer, method: string): Buffer => {
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
    return a.response;
  };

  app.post('/*', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    return reply.header('content-type', OCSP_RESPONSE).send(answer(body, 'POST'));
  });

  app.get('/*', async (req, reply) => {
    // The raw URL: the router's decoded parameter has already turned an escaped '/' of the base64 into a separator.
    const request = requestFromGetPath(req.raw.url ?? '');
    return reply
      .header('content-type', OCSP_RESPONSE)
      // RFC 5019 §6.2: let HTTP caches keep a GET answer no longer than the response itself is fresh.
      .header('cache-control', 'max-age=60, public, no-transform, must-revalidate')
      .send(answer(request, 'GET'));
  });

  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    // Oversize or unreadable bodies: still an OCSP answer, with the HTTP status fastify chose.
    options.tracer.emit({ kind: 'error', party: 'ocsp', error: 'malformedRequest', detail: err.message });
    void reply.status(err.statusCode ?? 400).header('content-type', OCSP_RESPONSE).send(encodeOcspError('malformedRequest'));
  });
  return app;
}
