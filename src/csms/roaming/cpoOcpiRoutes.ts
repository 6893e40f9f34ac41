// The CPO's own OCPI endpoints, what a registering eMSP calls with the token B we gave it: versions, version details
// and credentials (GET: ours; DELETE: the eMSP unregisters). POST and PUT are HTTP 405 — registrations start from
// our side (pnc csms roaming register). Every answer is an OCPI envelope; unknown tokens get HTTP 401.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { credentialsTokenCandidates } from '../../ocpi/ocpiAuthorization.js';
import { OcpiStatus, ocpiResponse } from '../../ocpi/ocpiStatus.js';
import { OCPI_VERSIONS, type OcpiEndpoint, type OcpiVersionNumber } from '../../ocpi/ocpiTypes.js';
import type { Tracer } from '../../trace/tracer.js';
import { cpoCredentials, type CpoParty } from './cpoParty.js';
import type { EmspDirectory } from './emspDirectory.js';
import { partyLabel } from './emspPeer.js';
import type { IncomingToken, RoamingRegistry } from './roamingRegistry.js';

export interface CpoOcpiDeps {
  readonly registry: RoamingRegistry;
  readonly cpo: CpoParty;
  /** Our public base URL (scheme://host:port[/prefix], no trailing '/'); the routes live under {base}/ocpi. */
  readonly baseUrl: () => string;
  readonly tracer: Tracer;
  readonly versions?: readonly OcpiVersionNumber[];
  /** Told when an eMSP unregisters. */
  readonly directory?: EmspDirectory;
}

export function cpoVersionsUrl(baseUrl: string): string {
  return `${baseUrl}/ocpi/versions`;
}

class CpoOcpiReply extends Error {
  override readonly name = 'CpoOcpiReply';
  constructor(
    readonly httpStatus: number,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function send(reply: FastifyReply, httpStatus: number, statusCode: number, data?: unknown, message?: string): FastifyReply {
  return reply.status(httpStatus).header('content-type', 'application/json; charset=utf-8').send(ocpiResponse(statusCode, data, message));
}

/** Registers the routes in their own encapsulated context (own error and not-found handling under /ocpi). */
export async function registerCpoOcpiRoutes(app: FastifyInstance, deps: CpoOcpiDeps): Promise<void> {
  await app.register((child, _options, done) => {
    cpoOcpiRoutes(child, deps);
    done();
  });
}

function cpoOcpiRoutes(app: FastifyInstance, deps: CpoOcpiDeps): void {
  const versions = deps.versions ?? OCPI_VERSIONS;
  // OCPI bodies are application/json; a plain-text body is 415 here rather than a string to misread.
  app.removeContentTypeParser('text/plain');

  const caller = async (req: FastifyRequest): Promise<{ incoming: IncomingToken; token: string }> => {
    for (const token of credentialsTokenCandidates(req.headers.authorization) ?? []) {
      const incoming = await deps.registry.identify(token);
      if (incoming) return { incoming, token };
    }
    deps.tracer.emit({ kind: 'error', party: 'csms', error: 'OCPI unauthorized', detail: `${req.method} ${req.url.slice(0, 120)}: missing or unknown credentials token` });
    throw new CpoOcpiReply(401, OcpiStatus.clientError, 'missing or unknown credentials token');
  };

  app.get('/ocpi/versions', async (req, reply) => {
    await caller(req);
    return send(reply, 200, OcpiStatus.success, versions.map((version) => ({ version, url: `${deps.baseUrl()}/ocpi/${version}` })));
  });

  for (const version of versions) {
    app.get(`/ocpi/${version}`, async (req, reply) => {
      await caller(req);
      const endpoints: OcpiEndpoint[] = [{ identifier: 'credentials', role: 'SENDER', url: `${deps.baseUrl()}/ocpi/${version}/credentials` }];
      return send(reply, 200, OcpiStatus.success, { version, endpoints });
    });

    app.get(`/ocpi/${version}/credentials`, async (req, reply) => {
      const { token } = await caller(req);
      // The token the caller presented is the one it uses with us: echo it (we keep only its hash).
      return send(reply, 200, OcpiStatus.success, cpoCredentials(deps.cpo, token, cpoVersionsUrl(deps.baseUrl())));
    });

    app.delete(`/ocpi/${version}/credentials`, async (req, reply) => {
      const { incoming } = await caller(req);
      if (incoming.kind !== 'peer') throw new CpoOcpiReply(405, OcpiStatus.clientError, 'not registered');
      await deps.registry.removePeer(incoming.peer.id);
      deps.directory?.invalidate();
      deps.tracer.emit({ kind: 'verdict', party: 'csms', verdict: 'eMSP unregistered', detail: incoming.peer.parties.map(partyLabel).join(', ') });
      return send(reply, 200, OcpiStatus.success);
    });

    for (const method of ['POST', 'PUT'] as const) {
      app.route({
        method,
        url: `/ocpi/${version}/credentials`,
        handler: async (req) => {
          await caller(req);
          throw new CpoOcpiReply(405, OcpiStatus.clientError, 'registration is initiated by this CPO; credentials updates are not supported');
        },
      });
    }
  }

  app.setNotFoundHandler((req, reply) => send(reply, 404, OcpiStatus.clientError, undefined, `no OCPI endpoint ${req.method} ${req.url.slice(0, 100)}`));
  app.setErrorHandler((err: FastifyError | CpoOcpiReply, req, reply) => {
    if (err instanceof CpoOcpiReply) return send(reply, err.httpStatus, err.statusCode, undefined, err.message);
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    deps.tracer.emit({ kind: 'error', party: 'csms', error: status < 500 ? 'OCPI bad request' : 'OCPI internal error', detail: `${req.method} ${req.url.slice(0, 100)}: ${err.message}` });
    return status < 500 ? send(reply, status, OcpiStatus.clientError, undefined, err.message) : send(reply, 500, OcpiStatus.serverError, undefined, 'internal error');
  });
}

export interface CpoOcpiServerOptions extends Omit<CpoOcpiDeps, 'baseUrl'> {
  /** Public base URL (default: the listening address). */
  readonly publicUrl?: string;
  readonly timeoutMs?: number;
  readonly bodyLimitBytes?: number;
}

export interface CpoOcpiServer {
  readonly app: FastifyInstance;
  /** Returns our versions URL. */
  listen(options: { readonly host?: string; readonly port?: number }): Promise<string>;
  versionsUrl(): string;
  close(): Promise<void>;
}

/** A small server of its own for the CPO's OCPI endpoints (pnc csms serve --ocpi-port). */
export function createCpoOcpiServer(options: CpoOcpiServerOptions): CpoOcpiServer {
  let base = options.publicUrl?.replace(/\/+$/, '');
  const baseUrl = (): string => {
    if (base === undefined) throw new Error('the CPO OCPI server has no public URL before it listens');
    return base;
  };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimitBytes ?? 64 * 1024, connectionTimeout: timeoutMs, requestTimeout: timeoutMs, keepAliveTimeout: timeoutMs, return503OnClosing: true });
  const ready = registerCpoOcpiRoutes(app, { ...options, baseUrl });
  return {
    app,
    async listen({ host = '127.0.0.1', port = 0 }) {
      await ready;
      const address = await app.listen({ host, port });
      if (base === undefined) base = address.replace(/\/+$/, '');
      return cpoVersionsUrl(baseUrl());
    },
    versionsUrl: () => cpoVersionsUrl(baseUrl()),
    close: () => app.close(),
  };
}
