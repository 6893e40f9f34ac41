// The simulated card processor's HTTP JSON API (PnC Direct), so that the MSP pays through a real network edge that
// can decline, stall or fail. Every route needs the bearer secret; every body is checked by processorRequests.ts;
// every refusal is `{ "error": { "code", "message" } }` with the status of its ProcessorApiError code.
//
//   POST /v1/preauthorizations                 { paymentToken, amountMinor, currency, reference }
//        → { status: 'approved', authorizationId, amountMinor, currency } | { status: 'declined', reason }
//   POST /v1/authorizations/:id/capture        { amountMinor } → { status: 'captured', … } | { status: 'refused', reason }
//   POST /v1/authorizations/:id/release        {} → the authorization
//   GET  /v1/authorizations/:id                → the authorization
//   POST /admin/cards                          { token, balanceMinor, currency, expires: 'YYYY-MM', blocked? } → the card (201)
//   GET  /admin/cards/:token                   → the card
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { ProcessorApiError, type ProcessorApiErrorCode } from './processorApiError.js';
import type { ProcessorLedger } from './processorLedger.js';
import {
  parseAuthorizationId,
  parseCaptureRequest,
  parseCardToken,
  parseNewCardRequest,
  parsePreauthorizationRequest,
  parseReleaseRequest,
} from './processorRequests.js';
import { checkProcessorSecret } from './processorSecret.js';

export interface ProcessorServerOptions {
  readonly ledger: ProcessorLedger;
  /** The bearer secret every request must carry (at least 16 characters). */
  readonly secret: string;
  /** Largest request body (default 4 KiB; the largest valid body is under 300 bytes). */
  readonly maxBodyBytes?: number;
  /** A request must arrive whole within this time; idle connections close after it (default 10 s). */
  readonly timeoutMs?: number;
  /** Open connections at most (default 1024). */
  readonly maxConnections?: number;
  /** A failure that is ours, not the caller's (the store down…): answered 500 'internal', reported here. */
  readonly onInternalError?: (error: Error) => void;
}

export function createProcessorServer(options: ProcessorServerOptions): FastifyInstance {
  checkProcessorSecret(options.secret);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { ledger } = options;
  // Compared as digests of equal length in constant time: neither the secret's content nor its length leaks.
  const expected = digest(`Bearer ${options.secret}`);

  const app = Fastify({
    logger: false,
    bodyLimit: options.maxBodyBytes ?? 4096,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    keepAliveTimeout: timeoutMs,
    routerOptions: { maxParamLength: 128 },
    frameworkErrors: (err, _req, reply) => {
      void send(reply, new ProcessorApiError('invalid-request', err.message));
    },
  });
  app.server.maxConnections = options.maxConnections ?? 1024;
  // JSON only: fastify would otherwise hand text/plain bodies through as strings.
  app.removeContentTypeParser('text/plain');

  // Before the body is read: an unauthenticated client never makes us parse anything.
  app.addHook('onRequest', (req, reply, done) => {
    // Balances and authorizations are nobody's to cache.
    void reply.header('cache-control', 'no-store');
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !timingSafeEqual(digest(header), expected)) {
      done(new ProcessorApiError('unauthorized', 'missing or wrong bearer secret'));
      return;
    }
    done();
  });

  app.post('/v1/preauthorizations', async (req) => ledger.preauthorize(parsePreauthorizationRequest(req.body)));

  app.post('/v1/authorizations/:id/capture', async (req) => {
    const id = parseAuthorizationId((req.params as { id?: unknown }).id);
    const { amountMinor } = parseCaptureRequest(req.body);
    return ledger.capture(id, amountMinor);
  });

  app.post('/v1/authorizations/:id/release', async (req) => {
    const id = parseAuthorizationId((req.params as { id?: unknown }).id);
    parseReleaseRequest(req.body);
    const auth = await ledger.release(id);
    if (auth === undefined) throw new ProcessorApiError('not-found', 'no such authorization');
    return auth;
  });

  app.get('/v1/authorizations/:id', async (req) => {
    const auth = await ledger.authorization(parseAuthorizationId((req.params as { id?: unknown }).id));
    if (auth === undefined) throw new ProcessorApiError('not-found', 'no such authorization');
    return auth;
  });

  app.post('/admin/cards', async (req, reply) => {
    const card = await ledger.addCard(parseNewCardRequest(req.body));
    return reply.status(201).send(card);
  });

  app.get('/admin/cards/:token', async (req) => {
    const card = await ledger.card(parseCardToken((req.params as { token?: unknown }).token));
    if (card === undefined) throw new ProcessorApiError('not-found', 'no such card');
    return card;
  });

  app.setNotFoundHandler((_req, reply) => send(reply, new ProcessorApiError('not-found', 'no such route')));

  app.setErrorHandler((err: FastifyError | ProcessorApiError | Error, _req, reply) => {
    if (err instanceof ProcessorApiError) return send(reply, err);
    const known = fastifyErrorCode(err);
    if (known !== undefined) return send(reply, new ProcessorApiError(known, err.message));
    options.onInternalError?.(err);
    // Our failure: the caller learns that, not our internals.
    return send(reply, new ProcessorApiError('internal', 'the processor failed; try again'));
  });

  return app;
}

function send(reply: FastifyReply, error: ProcessorApiError): FastifyReply {
  if (error.code === 'unauthorized') void reply.header('www-authenticate', 'Bearer realm="payment-processor"');
  return reply.status(error.statusCode).send({ error: { code: error.code, message: error.message } });
}

/** The caller's mistakes fastify finds before our handlers run (body size, media type, JSON syntax). */
function fastifyErrorCode(err: Error): ProcessorApiErrorCode | undefined {
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  if (statusCode === 413) return 'body-too-large';
  if (statusCode === 415) return 'unsupported-media-type';
  const code = (err as { code?: unknown }).code;
  return code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'invalid-json' : 'invalid-request';
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
