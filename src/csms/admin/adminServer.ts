// The CSMS admin API: HTTP + JSON on loopback by default, for the CLI (`pnc csms install-certificate …`) and tooling.
// Each POST /stations/:id/<action> sends one OCPP 2.0.1 call to a station connected to this node and returns the
// station's response as is. A station connected elsewhere → 409 naming the node that has it; a station that fails
// the call (time-out, CALLERROR, connection lost) → 502 with the OCPP-J error code.
//
// Security: a bearer token compared in constant time; without a token the server only listens on loopback and only
// answers requests whose Host is a loopback name (a web page on this machine cannot reach it by DNS rebinding; JSON
// bodies need a CORS pre-flight nobody answers). Bodies are JSON only, schema-validated, and limited in size so
// that the OCPP frame they become stays under the 64 KiB stations accept.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Ocpp201Action, Ocpp201Actions, SetVariableDataType } from '../../ocpp/generated/ocpp201.js';
import type { Tracer } from '../../trace/tracer.js';
import { StationNotConnectedError, type StationCaller } from '../csmsTypes.js';
import {
  deleteCertificateBody,
  emptyBody,
  getInstalledCertificateIdsBody,
  getVariablesBody,
  installCertificateBody,
  ISO15118_VARIABLES,
  iso15118Body,
  sendLocalListBody,
  setVariablesBody,
  stationParams,
  triggerMessageBody,
  type Iso15118Variable,
} from './adminSchemas.js';
import { checkCertificatePem } from './certificatePemCheck.js';
import { stationCallFailure } from './stationCallFailure.js';

/** Below the 64 KiB OCPP frame limit with room for the frame's envelope. */
export const DEFAULT_ADMIN_BODY_LIMIT = 60 * 1024;
const MIN_TOKEN_CHARS = 16;

export type AdminRoute = (app: FastifyInstance) => void | Promise<void>;

export interface AdminServerOptions {
  readonly stations: StationCaller;
  readonly tracer: Tracer;
  /** Default 127.0.0.1. Any other than loopback needs a token. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Bearer token; at least 16 characters. */
  readonly token?: string;
  /** This CSMS node's id, reported in 409 answers and GET /stations. */
  readonly nodeId?: string;
  /** Which node holds a station's connection (the station registry), for the 409 answer. */
  readonly whereConnected?: (stationId: string) => Promise<string | undefined>;
  /** Identities connected to this node, for GET /stations (without it only the count is known). */
  readonly listConnected?: () => readonly string[];
  /** Further routes, e.g. the roaming helper's POST /roaming/register; they get the same auth and error handling. */
  readonly routes?: readonly AdminRoute[];
  /** Time-out of each station call; default 30 s. */
  readonly callTimeoutMs?: number;
  /** Request body limit; default DEFAULT_ADMIN_BODY_LIMIT. */
  readonly bodyLimit?: number;
  /** A request must arrive whole within this time (default 10 s). */
  readonly requestTimeoutMs?: number;
}

export interface AdminServer {
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export class AdminServerError extends Error {
  override readonly name = 'AdminServerError';
  constructor(
    readonly code: 'insecure' | 'token',
    message: string,
  ) {
    super(message);
  }
}

/** Loopback addresses and names (RFC 6761 §6.3 localhost; 127.0.0.0/8; ::1). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The host part of a Host header (`[::1]:8080`, `localhost:80`). */
function hostOfHeader(value: string | undefined): string {
  if (!value) return '';
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']'));
  return value.split(':')[0] ?? '';
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

function bearerCheck(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const m = /^Bearer ([\x21-\x7e]+)$/i.exec(header ?? '');
    // Hashing both sides gives equal lengths, so timingSafeEqual compares without leaking where they differ.
    return m !== null && timingSafeEqual(digest(m[1]!), expected);
  };
}

type Params = { id: string };

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const host = options.host ?? '127.0.0.1';
  const { token, tracer, stations } = options;
  if (token !== undefined && (token.length < MIN_TOKEN_CHARS || !/^[\x21-\x7e]+$/.test(token))) {
    throw new AdminServerError('token', `the admin token must be at least ${MIN_TOKEN_CHARS} printable characters without spaces`);
  }
  if (token === undefined && !isLoopbackHost(host)) {
    throw new AdminServerError('insecure', `refusing to serve the admin API on ${host} without a token (give --admin-token or PNC_CSMS_ADMIN_TOKEN, or listen on 127.0.0.1)`);
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_ADMIN_BODY_LIMIT,
    connectionTimeout: requestTimeoutMs,
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: 5000,
    // No type coercion, no silent removal: a body is what the schema says or it is a 400.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
  });
  app.server.maxConnections = 256;
  const authorized = token !== undefined ? bearerCheck(token) : undefined;

  app.addHook('onRequest', async (req, reply) => {
    if (authorized) {
      if (!authorized(req.headers.authorization)) {
        tracer.emit({ kind: 'check', party: 'csms', check: 'admin token', ok: false, detail: `${req.method} ${req.url.slice(0, 100)} from ${req.ip}` });
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'Unauthorized', message: 'a valid bearer token is required' });
      }
    } else if (!isLoopbackHost(hostOfHeader(req.headers.host))) {
      return reply.code(403).send({ error: 'Forbidden', message: 'without a token the admin API answers only requests addressed to a loopback host' });
    }
    return undefined;
  });

  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const error = status === 413 ? 'PayloadTooLarge' : status === 415 ? 'UnsupportedMediaType' : 'BadRequest';
      return reply.code(status).send({ error, message: err.message });
    }
    tracer.emit({ kind: 'error', party: 'csms', error: 'admin API', detail: `${req.method} ${req.url.slice(0, 100)}: ${err.message}` });
    return reply.code(500).send({ error: 'InternalError', message: 'the CSMS failed to handle the request' });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'NotFound', message: `no route ${req.method} ${req.url.slice(0, 100)}` }));

  async function notHere(stationId: string, reply: FastifyReply): Promise<FastifyReply> {
    let connectedNode: string | undefined;
    let lookup: 'ok' | 'failed' | 'unavailable' = options.whereConnected ? 'ok' : 'unavailable';
    if (options.whereConnected) {
      try {
        connectedNode = await options.whereConnected(stationId);
      } catch (e) {
        // The lookup only adds a hint to the 409; its failure is reported, not fatal.
        lookup = 'failed';
        tracer.emit({ kind: 'error', party: 'csms', session: stationId, error: 'station location lookup', detail: e instanceof Error ? e.message : String(e) });
      }
    }
    const where = connectedNode === undefined ? 'it is not connected to any node' : connectedNode === options.nodeId ? 'the registry says this node, but its connection is gone' : `it is connected to node ${connectedNode}`;
    return reply.code(409).send({
      error: 'NotConnectedHere',
      stationId,
      node: options.nodeId ?? null,
      connectedNode: connectedNode ?? null,
      lookup,
      message: `station ${stationId} is not connected to this CSMS node; ${lookup === 'ok' ? where : 'where it is is unknown'}`,
    });
  }

  async function callStation<A extends Ocpp201Action>(stationId: string, action: A, request: Ocpp201Actions[A]['request'], reply: FastifyReply): Promise<FastifyReply> {
    if (!stations.isConnected(stationId)) return notHere(stationId, reply);
    const t0 = performance.now();
    tracer.emit({ kind: 'message', party: 'csms', session: stationId, from: 'csms', to: 'charger', message: `${action}Request`, detail: 'from the admin API' });
    try {
      const response = await stations.call(stationId, action, request, { timeoutMs: options.callTimeoutMs ?? 30_000 });
      const status = (response as { status?: unknown }).status;
      tracer.emit({ kind: 'message', party: 'csms', session: stationId, from: 'charger', to: 'csms', message: `${action}Response`, ...(typeof status === 'string' ? { detail: status } : {}), ms: performance.now() - t0 });
      return reply.code(200).send(response);
    } catch (e) {
      if (e instanceof StationNotConnectedError) return notHere(stationId, reply);
      const failure = stationCallFailure(e);
      if (!failure) throw e;
      if (failure.kind === 'notConnected') return notHere(stationId, reply);
      tracer.emit({ kind: 'error', party: 'csms', session: stationId, error: `${action} failed`, detail: `${failure.code}: ${failure.message}` });
      return reply.code(502).send({ error: 'StationCallFailed', stationId, action, code: failure.code, message: failure.message });
    }
  }

  const route = <A extends Ocpp201Action, B>(path: string, action: A, body: object, toRequest: (body: B) => Ocpp201Actions[A]['request'] | { readonly invalid: string }) => {
    app.post<{ Params: Params; Body: B }>(`/stations/:id/${path}`, { schema: { params: stationParams, body } }, async (req, reply) => {
      // A POST without a body (get-local-list-version) is an empty object.
      const request = toRequest((req.body ?? {}) as B);
      if ('invalid' in request && typeof request.invalid === 'string') return reply.code(400).send({ error: 'BadRequest', message: request.invalid });
      return callStation(req.params.id, action, request as Ocpp201Actions[A]['request'], reply);
    });
  };

  type InstallBody = Ocpp201Actions['InstallCertificate']['request'];
  route('install-certificate', 'InstallCertificate', installCertificateBody, (b: InstallBody) => {
    const problem = checkCertificatePem(b.certificate);
    return problem ? { invalid: problem } : { certificateType: b.certificateType, certificate: b.certificate };
  });
  route('delete-certificate', 'DeleteCertificate', deleteCertificateBody, (b: Ocpp201Actions['DeleteCertificate']['request']) => b);
  route('get-installed-certificate-ids', 'GetInstalledCertificateIds', getInstalledCertificateIdsBody, (b: Ocpp201Actions['GetInstalledCertificateIds']['request']) => b);
  route('send-local-list', 'SendLocalList', sendLocalListBody, (b: Ocpp201Actions['SendLocalList']['request']) => b);
  route('get-local-list-version', 'GetLocalListVersion', emptyBody, () => ({}));
  route('set-variables', 'SetVariables', setVariablesBody, (b: Ocpp201Actions['SetVariables']['request']) => b);
  route('get-variables', 'GetVariables', getVariablesBody, (b: Ocpp201Actions['GetVariables']['request']) => b);
  route('trigger-message', 'TriggerMessage', triggerMessageBody, (b: Ocpp201Actions['TriggerMessage']['request']) => b);
  route('iso15118', 'SetVariables', iso15118Body, (b: Partial<Record<Iso15118Variable, boolean | string | number>> & { evse?: number }) => ({ setVariableData: iso15118Variables(b) }));

  app.get('/stations', (_req, reply) => {
    const ids = options.listConnected?.();
    return reply.send({ node: options.nodeId ?? null, connectedCount: stations.connectedCount, ...(ids ? { connected: [...ids].sort() } : {}) });
  });

  for (const extra of options.routes ?? []) await extra(app);

  await app.listen({ host, port: options.port ?? 0 });
  const port = (app.server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}`, port, app, close: () => app.close() };
}

/** The /iso15118 body as SetVariables on ISO15118Ctrlr (on one EVSE when `evse` is given). */
export function iso15118Variables(body: Partial<Record<Iso15118Variable, boolean | string | number>> & { evse?: number }): SetVariableDataType[] {
  const component = { name: 'ISO15118Ctrlr', ...(body.evse !== undefined ? { evse: { id: body.evse } } : {}) };
  return (Object.keys(ISO15118_VARIABLES) as Iso15118Variable[])
    .filter((name) => body[name] !== undefined)
    .map((name) => ({ component, variable: { name }, attributeValue: String(body[name]) }));
}
