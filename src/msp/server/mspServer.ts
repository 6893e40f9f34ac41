// The eMSP's OCPI server (2.2.1 and 2.3.0): versions, credentials (receiver side of the registration), tokens
// (real-time authorization, token list) and cdrs (receiver). Every answer is an OCPI envelope — malformed JSON,
// oversize bodies, unknown paths and internal failures included — and no input can take the server down.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { OcpiClient } from '../../ocpi/ocpiClient.js';
import { OcpiStatus } from '../../ocpi/ocpiStatus.js';
import { OCPI_VERSIONS, type OcpiVersionNumber } from '../../ocpi/ocpiTypes.js';
import type { Tracer } from '../../trace/tracer.js';
import type { MspParty } from '../mspTokenObject.js';
import type { PncDirect } from '../payment/paymentProcessor.js';
import type { MspStore } from '../store/mspStore.js';
import { registerCdrsRoutes, retryFailedSettlements } from './cdrsRoutes.js';
import { registerCredentialsRoutes } from './credentialsRoutes.js';
import { tracePath, versionsUrl, type MspOcpiContext } from './mspOcpiContext.js';
import { OcpiReplyError, sendOcpi } from './ocpiReply.js';
import { PeerAuthenticator } from './peerAuthentication.js';
import { registerTokensRoutes } from './tokensRoutes.js';
import { registerVersionsRoutes } from './versionsRoutes.js';

export interface MspServerOptions {
  readonly store: MspStore;
  readonly party: MspParty;
  readonly tracer: Tracer;
  /** PnC Direct (card pre-authorization and capture); without it, payment-token accounts get NO_CREDIT. */
  readonly pncDirect?: PncDirect;
  /** Public base URL (e.g. https://msp.example.com); default: the listening address. */
  readonly publicUrl?: string;
  /** Versions offered (default both 2.2.1 and 2.3.0). */
  readonly versions?: readonly OcpiVersionNumber[];
  /** For the handshake GETs to the CPO (default: 5 s time-out, 256 KiB answers). */
  readonly client?: OcpiClient;
  /** Largest request body (default 1 MiB: a CDR with many charging periods). */
  readonly bodyLimitBytes?: number;
  /** A request must arrive whole within this time; idle connections close after it (default 10 s). */
  readonly timeoutMs?: number;
  /** Open connections at most (default 4096). */
  readonly maxConnections?: number;
  /** Tokens per page at most (default 100). */
  readonly maxPageSize?: number;
  /** How long a token C lookup is cached (default 2000 ms). */
  readonly peerCacheMs?: number;
}

export interface MspServer {
  readonly app: FastifyInstance;
  /** Starts listening; returns the versions URL (what a CPO is given with its token A). */
  listen(options: { readonly host?: string; readonly port?: number }): Promise<string>;
  /** The versions URL (after listen, when no publicUrl was given). */
  versionsUrl(): string;
  /** Captures again the PnC Direct CDRs whose settlement failed (processor was down); returns how many were tried. */
  retryFailedSettlements(limit?: number): Promise<number>;
  close(): Promise<void>;
}

export function createMspServer(options: MspServerOptions): MspServer {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let base = options.publicUrl?.replace(/\/+$/, '');
  const ownClient = options.client === undefined;
  const client = options.client ?? new OcpiClient({ timeoutMs: 5000, maxResponseBytes: 256 * 1024, maxSockets: 16 });
  const ctx: MspOcpiContext = {
    store: options.store,
    party: options.party,
    tracer: options.tracer,
    pncDirect: options.pncDirect,
    client,
    versions: options.versions ?? OCPI_VERSIONS,
    auth: new PeerAuthenticator(options.store.peers, options.peerCacheMs ?? 2000),
    maxPageSize: options.maxPageSize ?? 100,
    baseUrl: () => {
      if (base === undefined) throw new Error('the MSP server has no public URL before it listens');
      return base;
    },
  };

  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    // Idle keep-alive connections close after this too (our OCPI client drops idle ones sooner, at 4 s).
    keepAliveTimeout: timeoutMs,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  app.server.maxConnections = options.maxConnections ?? 4096;
  // OCPI bodies are application/json (transport_and_format); anything else is 415, not a string to misread.
  app.removeContentTypeParser('text/plain');
  // An empty JSON body (some CPOs send the content type on a body-less authorize) is no body, not a 400; anything
  // else goes through fastify's own parser with its prototype-poisoning checks.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void jsonParser(req, text, done);
  });

  // Echo the request and correlation ids (transport_and_format: the answer carries them back).
  app.addHook('onSend', async (req, reply) => {
    for (const name of ['x-request-id', 'x-correlation-id']) {
      const v = req.headers[name];
      if (typeof v === 'string' && /^[\x21-\x7e]{1,255}$/.test(v)) void reply.header(name, v);
    }
  });

  registerVersionsRoutes(app, ctx);
  registerCredentialsRoutes(app, ctx);
  registerTokensRoutes(app, ctx);
  registerCdrsRoutes(app, ctx);

  app.setNotFoundHandler((req, reply) => sendOcpi(reply, 404, OcpiStatus.clientError, undefined, `no OCPI endpoint ${tracePath(req)}`));

  app.setErrorHandler((err: FastifyError | OcpiReplyError, req, reply) => {
    if (err instanceof OcpiReplyError) {
      for (const [k, v] of Object.entries(err.headers)) void reply.header(k, v);
      return sendOcpi(reply, err.httpStatus, err.statusCode, undefined, err.message);
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status < 500) {
      // Fastify's own refusals: malformed JSON (400), oversize body (413), wrong content type (415)…
      options.tracer.emit({ kind: 'error', party: 'msp', error: 'OCPI bad request', detail: `${tracePath(req)}: ${err.message}` });
      return sendOcpi(reply, status, OcpiStatus.clientError, undefined, err.message);
    }
    options.tracer.emit({ kind: 'error', party: 'msp', error: 'OCPI internal error', detail: `${tracePath(req)}: ${err.name}: ${err.message}` });
    return sendOcpi(reply, 500, OcpiStatus.serverError, undefined, 'internal error');
  });

  return {
    app,
    async listen({ host = '127.0.0.1', port = 0 }) {
      const address = await app.listen({ host, port });
      if (base === undefined) base = address.replace(/\/+$/, '');
      return versionsUrl(ctx);
    },
    versionsUrl: () => versionsUrl(ctx),
    retryFailedSettlements: (limit) => retryFailedSettlements(ctx, limit),
    async close() {
      await app.close();
      if (ownClient) client.close();
    },
  };
}
