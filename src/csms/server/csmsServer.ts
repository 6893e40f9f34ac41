// The CSMS's OCPP 2.0.1 endpoint: an ocpp-rpc server in strict mode (every frame in both directions validated against
// the OCPP 2.0.1 schemas) offering only the `ocpp2.0.1` subprotocol, on an HTTP server (security profile 1) or an
// HTTPS server (profiles 2 and 3). Stations are authenticated against the station registry during the WebSocket
// handshake; each accepted connection gets the CSMS's handlers, and CSMS code calls stations through `stations`.
//
// Sized for 10 000 stations in one process: per connection we keep the ocpp-rpc client and a small record — one
// dispatch closure shared by all actions of the connection, no server pings by default (stations ping; the kernel's
// TCP keep-alive finds dead peers), no per-message deflate (zlib contexts cost ~100 KiB+ per connection), station facts
// written to the database in batches. ocpp-rpc compiles each schema once per process, not per client.
//
// Hostile input: a path that is not `/<identity>` is refused before ocpp-rpc sees it; frames above maxFrameBytes close
// the connection with 1009 (the WebSocket layer refuses them); malformed frames get a CALLERROR and, after
// maxBadMessages in a row, the connection is closed (1002); a handler that throws answers InternalError and is traced;
// TLS handshakes, HTTP headers and registry look-ups are bounded by handshakeTimeoutMs.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { hostname } from 'node:os';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { Ocpp201Action } from '../../ocpp/generated/ocpp201.js';
import { OCPP201_SUBPROTOCOL, ocppPeer, STRICT_OCPP201 } from '../../ocpp/ocppPeer.js';
import { createRPCError, RPCError, RPCServer, TimeoutError, type RPCClient } from '../../ocpp/ocppRpc.js';
import type { Tracer } from '../../trace/tracer.js';
import { StationNotConnectedError, type CsmsHandlers, type StationCaller, type StationContext } from '../csmsTypes.js';
import { stationFactsWriter, type StationFactsWriter } from '../stations/stationFactsWriter.js';
import type { SecurityProfile, StationRegistry } from '../stations/stationRegistry.js';
import { callFrameBytes, callResultFrameBytes, MAX_OCPP_FRAME_BYTES } from './ocppFrameLimit.js';
import { StationCallError } from './stationCallError.js';
import { admitProfile, parseStationPath, planAuthentication, type ClientCertificateFacts } from './stationAdmission.js';

export type CsmsSecurity =
  | { readonly profile: 1 }
  | {
      readonly profile: 2;
      readonly serverCertPem: string;
      readonly serverKeyPem: string;
      readonly serverKeyPassphrase?: string;
      /** Also admit stations by client certificate (profile 3) on this server; stations without one use Basic auth. */
      readonly clientCaPem?: string;
    }
  | {
      readonly profile: 3;
      readonly serverCertPem: string;
      readonly serverKeyPem: string;
      readonly serverKeyPassphrase?: string;
      /** The CA(s) issuing station certificates; a station certificate's CN must be its identity. */
      readonly clientCaPem: string;
    };

/** What the server needs of the station registry. */
export type CsmsStationDirectory = Pick<StationRegistry, 'authenticate' | 'recordFacts' | 'clearNode'>;

export interface StationConnectionInfo {
  readonly connectionId: string;
  readonly securityProfile: SecurityProfile;
}

export interface CsmsServerOptions {
  readonly registry: CsmsStationDirectory;
  /** Station→CSMS actions; an action without a handler is answered NotImplemented. */
  readonly handlers: CsmsHandlers;
  readonly tracer: Tracer;
  readonly security: CsmsSecurity;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Path before `/<identity>`, e.g. '/ocpp'; default '' (stations connect to `/<identity>`). */
  readonly basePath?: string;
  /** This process among the CSMS nodes sharing the database; default `<hostname>:<port>`. */
  readonly nodeId?: string;
  /** Largest WebSocket message accepted (larger → close 1009) or sent; default 64 KiB. */
  readonly maxFrameBytes?: number;
  /** Default time-out of calls to stations; default 30 000 ms. */
  readonly callTimeoutMs?: number;
  /** WebSocket pings to stations (a missing pong drops the connection); default 0 = none (stations ping us). */
  readonly pingIntervalMs?: number;
  /** Bound on TLS handshake, HTTP upgrade headers and the registry look-up; default 10 000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Upgrades being authenticated at once; more are answered 503. Default 1000. */
  readonly maxPendingHandshakes?: number;
  /** TCP connections at once (HTTP server maxConnections); default 20 000. */
  readonly maxConnections?: number;
  /** Malformed frames in a row before the connection is closed (1002); default 10. */
  readonly maxBadMessages?: number;
  /** CALLs of one station being handled at once; more are answered GenericError (OCPP-J: one at a time). Default 4. */
  readonly maxConcurrentCallsPerStation?: number;
  /**
   * Where connects, disconnects and "last seen" go (write-behind). Share it with stationHandlers({ facts }) so boot
   * and connector facts are batched too; the server flushes it at close(). Default: one of its own over `registry`,
   * flushed every presenceFlushMs and closed at close().
   */
  readonly facts?: StationFactsWriter;
  /** Flush interval of the server's own facts writer; default 200 ms. */
  readonly presenceFlushMs?: number;
  /** Least time between two "last seen" updates of one station; default 60 000 ms. */
  readonly seenIntervalMs?: number;
  /** When set, a station certificate's subject must also carry this O (the charging station operator's name). */
  readonly clientCertificateOrganization?: string;
  /** Trace each call and answer as message events; default true. */
  readonly traceMessages?: boolean;
  /** A station's connection was accepted (after the previous one, if any, was replaced). */
  readonly onStationConnected?: (stationId: string, info: StationConnectionInfo) => void;
  readonly onStationDisconnected?: (stationId: string, info: StationConnectionInfo & { readonly code: number; readonly reason: string }) => void;
}

export interface CsmsServer {
  /** ws://host:port[basePath] (profile 1) or wss://…; stations append /<identity>. */
  readonly url: string;
  readonly port: number;
  readonly nodeId: string;
  readonly stations: StationCaller;
  connectedIds(): string[];
  /** Closes every station connection, stops listening, writes the last presence facts. Idempotent. */
  close(): Promise<void>;
}

export class CsmsServerConfigError extends Error {
  override readonly name = 'CsmsServerConfigError';
}

interface Connection {
  readonly client: RPCClient;
  readonly connectionId: string;
  readonly securityProfile: SecurityProfile;
  inFlight: number;
  seenAt: number;
}

type AnyHandler = (request: unknown, station: StationContext) => Promise<unknown>;

function positiveInt(name: string, value: number, allowZero = false): number {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1) || value > 2_147_483_647) {
    throw new CsmsServerConfigError(`${name} must be an integer in [${allowZero ? 0 : 1}, 2147483647], got ${value}`);
  }
  return value;
}

/** An OCPP-J CALLERROR to answer with (ocpp-rpc's typings give createRPCError's RPCError subclasses no Error type). */
function rpcError(code: 'NotImplemented' | 'GenericError' | 'InternalError', message: string): Error {
  return createRPCError(code, message) as unknown as Error;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function fieldOf(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined;
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function certificateFacts(socket: unknown): ClientCertificateFacts | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  const peer = socket.getPeerCertificate();
  const presented = peer !== null && typeof peer === 'object' && Object.keys(peer).length > 0;
  return {
    presented,
    authorized: socket.authorized,
    commonNames: presented ? asList(fieldOf(peer.subject, 'CN')) : [],
    organizations: presented ? asList(fieldOf(peer.subject, 'O')) : [],
  };
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad Request', 404: 'Not Found', 408: 'Request Timeout', 431: 'Request Header Fields Too Large', 503: 'Service Unavailable' };

/** An HTTP refusal written on a socket that is not (yet) a WebSocket. */
function refuseSocket(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) {
    const text = reason.replace(/[^\x20-\x7e]/g, '?');
    socket.write(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  }
  socket.destroy();
}

function validateBasePath(path: string): string {
  if (path === '') return path;
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) throw new CsmsServerConfigError(`basePath must look like /segment[/segment…], got ${JSON.stringify(path)}`);
  return path;
}

export async function startCsmsServer(options: CsmsServerOptions): Promise<CsmsServer> {
  const { registry, tracer, security } = options;
  const host = options.host ?? '127.0.0.1';
  const basePath = validateBasePath(options.basePath ?? '');
  const maxFrameBytes = positiveInt('maxFrameBytes', options.maxFrameBytes ?? MAX_OCPP_FRAME_BYTES);
  const callTimeoutMs = positiveInt('callTimeoutMs', options.callTimeoutMs ?? 30_000);
  const pingIntervalMs = positiveInt('pingIntervalMs', options.pingIntervalMs ?? 0, true);
  const handshakeTimeoutMs = positiveInt('handshakeTimeoutMs', options.handshakeTimeoutMs ?? 10_000);
  const maxPendingHandshakes = positiveInt('maxPendingHandshakes', options.maxPendingHandshakes ?? 1000);
  const maxConnections = positiveInt('maxConnections', options.maxConnections ?? 20_000);
  const maxBadMessages = positiveInt('maxBadMessages', options.maxBadMessages ?? 10);
  const maxConcurrentCalls = positiveInt('maxConcurrentCallsPerStation', options.maxConcurrentCallsPerStation ?? 4);
  const seenIntervalMs = positiveInt('seenIntervalMs', options.seenIntervalMs ?? 60_000, true);
  const traceMessages = options.traceMessages ?? true;
  const requestsCertificates = security.profile === 3 || (security.profile === 2 && security.clientCaPem !== undefined);
  const expectedOrganization = options.clientCertificateOrganization;

  const handlers = new Map<string, AnyHandler>();
  for (const [action, handler] of Object.entries(options.handlers)) {
    if (typeof handler === 'function') handlers.set(action, handler as AnyHandler);
  }
  const handledActions = [...handlers.keys()];

  const connections = new Map<string, Connection>();
  let pendingHandshakes = 0;
  let ready = false;
  let closing: Promise<void> | undefined;
  const sockets = new Set<Socket>();

  const traceError = (error: string, detail: string, session?: string): void => {
    tracer.emit({ kind: 'error', party: 'csms', error, detail, ...(session !== undefined ? { session } : {}) });
  };

  const rpc = new RPCServer({
    ...STRICT_OCPP201,
    protocols: [OCPP201_SUBPROTOCOL],
    callTimeoutMs,
    pingIntervalMs,
    respondWithDetailedErrors: false,
    // OCPP-J: one outstanding CALL per direction; further calls to a station wait in its queue.
    callConcurrency: 1,
    maxBadMessages,
    wssOptions: { maxPayload: maxFrameBytes, perMessageDeflate: false, clientTracking: false },
  });
  // The WebSocket server's own errors (never expected) must not become an uncaught 'error' event.
  rpc.on('error', (e: unknown) => traceError('websocket server error', messageOf(e)));

  // Known once listening (the default names the port).
  let nodeId = options.nodeId ?? '';
  const ownFacts = options.facts === undefined;
  const facts: StationFactsWriter =
    options.facts ??
    stationFactsWriter({
      registry,
      ...(options.presenceFlushMs !== undefined ? { flushMs: options.presenceFlushMs } : {}),
      onError: (e, dropped) => traceError('station facts not recorded', `${messageOf(e)}${dropped > 0 ? `; ${dropped} facts dropped` : ''}`),
    });

  rpc.auth((accept, reject, handshake) => {
    const identity = handshake.identity;
    const refuse = (status: number, reason: string): void => {
      tracer.emit({ kind: 'check', party: 'csms', session: identity, check: 'station authentication', ok: false, detail: `${status} ${reason}` });
      reject(status, reason);
    };
    if (!ready || closing !== undefined) return refuse(503, 'CSMS not accepting connections');
    if (pendingHandshakes >= maxPendingHandshakes) return refuse(503, 'too many connections being authenticated');
    const plan = planAuthentication({
      serverProfile: security.profile,
      requestsCertificates,
      identity,
      ...(security.profile !== 1 ? { certificate: certificateFacts(handshake.request.socket) } : {}),
      ...(expectedOrganization !== undefined ? { expectedOrganization } : {}),
    });
    if (plan.kind === 'refuse') return refuse(plan.status, plan.reason);
    pendingHandshakes++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), handshakeTimeoutMs);
    });
    const lookup = registry.authenticate(identity, plan.kind === 'certificate' ? { kind: 'certificate' } : { kind: 'password', password: handshake.password });
    void Promise.race([lookup, timeout])
      .then((result) => {
        if (result === 'timeout') return refuse(503, 'station registry did not answer in time');
        if (!result.ok) return refuse(401, result.reason === 'unknown-station' ? 'unknown station' : result.reason === 'no-password' ? 'Basic authentication required' : 'wrong password');
        const admitted = admitProfile(plan.profile, result.minSecurityProfile);
        if (!admitted.ok) return refuse(admitted.status, admitted.reason);
        // OCPP-J: without a subprotocol we both speak, complete the handshake without one and close at once.
        const protocol = handshake.protocols.has(OCPP201_SUBPROTOCOL) ? OCPP201_SUBPROTOCOL : false;
        tracer.emit({ kind: 'check', party: 'csms', session: identity, check: 'station authentication', ok: protocol !== false, detail: protocol === false ? 'no ocpp2.0.1 subprotocol offered' : `security profile ${plan.profile} (${plan.kind})` });
        accept({ securityProfile: plan.profile }, protocol);
      })
      .catch((e: unknown) => {
        traceError('station registry unavailable', messageOf(e), identity);
        reject(503, 'station registry unavailable');
      })
      .finally(() => {
        clearTimeout(timer);
        pendingHandshakes--;
      });
  });

  function attach(client: RPCClient): void {
    const stationId = client.identity ?? '';
    if (closing !== undefined) {
      void client.close({ force: true });
      return;
    }
    if (client.protocol !== OCPP201_SUBPROTOCOL) {
      void client.close({ code: 1002, reason: 'ocpp2.0.1 subprotocol required' });
      return;
    }
    const securityProfile = (fieldOf((client as RPCClient & { session?: unknown }).session, 'securityProfile') ?? 1) as SecurityProfile;
    const connection: Connection = { client, connectionId: randomUUID(), securityProfile, inFlight: 0, seenAt: Date.now() };
    const previous = connections.get(stationId);
    connections.set(stationId, connection);
    if (previous) {
      tracer.emit({ kind: 'check', party: 'csms', session: stationId, check: 'station connection', ok: true, detail: 'new connection replaces the previous one' });
      void previous.client.close({ force: true });
    }
    facts.connected(stationId, nodeId, connection.connectionId);
    tracer.emit({ kind: 'check', party: 'csms', session: stationId, check: 'station connected', ok: true, detail: `security profile ${securityProfile}, node ${nodeId}` });

    // One closure per connection, registered under every handled action (unhandled ones stay NotImplemented).
    const dispatch = async ({ method, params, messageId }: { method?: string; params?: Record<string, unknown>; messageId?: string }): Promise<Record<string, unknown>> => {
      const action = method ?? '';
      const handler = handlers.get(action);
      if (handler === undefined) throw rpcError('NotImplemented', `Unable to handle '${action}' calls`);
      if (connection.inFlight >= maxConcurrentCalls) {
        traceError('too many concurrent calls', `${action}: ${connection.inFlight} calls of this station already being handled`, stationId);
        throw rpcError('GenericError', 'too many outstanding calls');
      }
      const now = Date.now();
      if (now - connection.seenAt >= seenIntervalMs) {
        connection.seenAt = now;
        facts.seen(stationId);
      }
      if (traceMessages) tracer.emit({ kind: 'message', party: 'csms', session: stationId, from: 'charger', to: 'csms', message: action });
      connection.inFlight++;
      const started = performance.now();
      let response: unknown;
      try {
        response = await handler(params, { stationId, ...(messageId !== undefined ? { messageId } : {}) });
      } catch (e) {
        // A CALLERROR the handler chose (an ocpp-rpc RPCError) goes out as it is; anything else is our fault: the
        // station learns only "InternalError", the trace gets the detail.
        if (e instanceof RPCError) throw e;
        traceError(`${action} handler failed`, messageOf(e), stationId);
        throw rpcError('InternalError', 'internal error');
      } finally {
        connection.inFlight--;
      }
      const bytes = callResultFrameBytes(messageId, response);
      if (bytes > maxFrameBytes) {
        traceError(`${action} response too large`, `${bytes} bytes > ${maxFrameBytes}`, stationId);
        throw rpcError('GenericError', 'response exceeds the message size limit');
      }
      if (traceMessages) tracer.emit({ kind: 'message', party: 'csms', session: stationId, from: 'csms', to: 'charger', message: `${action}Response`, ms: performance.now() - started });
      return response as Record<string, unknown>;
    };
    for (const action of handledActions) client.handle(action, dispatch);

    client.on('strictValidationFailure', (e: unknown) => {
      const inbound = fieldOf(e, 'outbound') !== true;
      const isCall = fieldOf(e, 'isCall') === true;
      const error = fieldOf(e, 'error');
      const code = fieldOf(error, 'rpcErrorCode');
      traceError(
        inbound ? (isCall ? 'schema-invalid CALL from station' : 'schema-invalid answer from station') : isCall ? 'schema-invalid CALL to station' : 'schema-invalid answer to station (sent InternalError)',
        `${String(fieldOf(e, 'method'))}: ${typeof code === 'string' ? code : 'FormatViolation'}: ${messageOf(error).slice(0, 300)}`,
        stationId,
      );
    });
    client.on('badMessage', (e: unknown) => {
      const buffer = fieldOf(e, 'buffer');
      traceError('malformed frame from station', `${Buffer.isBuffer(buffer) ? buffer.length : 0} bytes: ${messageOf(fieldOf(e, 'error')).slice(0, 200)}`, stationId);
    });
    client.on('socketError', (e: unknown) => traceError('station socket error', messageOf(e), stationId));
    client.once('close', (e: unknown) => {
      if (connections.get(stationId) === connection) connections.delete(stationId);
      const code = fieldOf(e, 'code');
      const reason = fieldOf(e, 'reason');
      const info = { connectionId: connection.connectionId, securityProfile, code: typeof code === 'number' ? code : 1006, reason: typeof reason === 'string' ? reason : '' };
      facts.disconnected(stationId, connection.connectionId);
      tracer.emit({ kind: 'check', party: 'csms', session: stationId, check: 'station disconnected', ok: true, detail: `${info.code}${info.reason !== '' ? ` ${info.reason}` : ''}` });
      options.onStationDisconnected?.(stationId, info);
    });
    options.onStationConnected?.(stationId, { connectionId: connection.connectionId, securityProfile });
  }

  rpc.on('client', (client: RPCClient) => attach(client));

  // How often Node looks for HTTP requests past headersTimeout / requestTimeout (upgraded sockets are no longer on
  // its list, so this walks only connections still in their handshake).
  const connectionsCheckingInterval = Math.min(1000, handshakeTimeoutMs);
  const http: HttpServer =
    security.profile === 1
      ? createHttpServer({ noDelay: true, connectionsCheckingInterval })
      : createHttpsServer({
          connectionsCheckingInterval,
          cert: security.serverCertPem,
          key: security.serverKeyPem,
          ...(security.serverKeyPassphrase !== undefined ? { passphrase: security.serverKeyPassphrase } : {}),
          minVersion: 'TLSv1.2',
          handshakeTimeout: handshakeTimeoutMs,
          noDelay: true,
          ...(requestsCertificates
            ? {
                requestCert: true,
                ca: security.clientCaPem,
                // Profile 3 only: TLS itself refuses a missing or untrusted certificate. A profile-2 server that also
                // admits certificates must let certificate-less stations through to Basic auth.
                rejectUnauthorized: security.profile === 3,
              }
            : {}),
        });
  http.headersTimeout = handshakeTimeoutMs;
  http.requestTimeout = handshakeTimeoutMs;
  http.maxConnections = maxConnections;

  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Finds peers that vanished without a FIN, at no cost per connection in user space.
    socket.setKeepAlive(true, 60_000);
  });
  if (security.profile !== 1) {
    http.on('tlsClientError', (e: Error) => traceError('TLS handshake failed', messageOf(e)));
    if (requestsCertificates && security.profile === 2) {
      http.on('secureConnection', (socket: TLSSocket) => {
        // Mixed mode: a certificate that was presented must be good; no certificate means Basic auth.
        if (socket.authorized || Object.keys(socket.getPeerCertificate()).length === 0) return;
        traceError('client certificate refused', String(socket.authorizationError));
        socket.destroy();
      });
    }
  }
  http.on('clientError', (e: Error & { code?: string }, socket: Duplex) => {
    const timedOut = e.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const tooLarge = e.code === 'HPE_HEADER_OVERFLOW';
    traceError(timedOut ? 'HTTP request too slow' : tooLarge ? 'HTTP headers too large' : 'malformed HTTP request', messageOf(e));
    refuseSocket(socket, timedOut ? 408 : tooLarge ? 431 : 400, timedOut ? 'request timeout' : tooLarge ? 'headers too large' : 'bad request');
  });
  http.on('request', (_req, res) => {
    res.writeHead(426, { connection: 'close', upgrade: 'websocket', 'content-type': 'text/plain' }).end('OCPP 2.0.1 WebSocket endpoint: connect to /<station identity>');
  });
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!ready || closing !== undefined) return refuseSocket(socket, 503, 'CSMS not accepting connections');
    const path = parseStationPath(request.url, basePath);
    if (!path.ok) {
      tracer.emit({ kind: 'check', party: 'csms', check: 'station authentication', ok: false, detail: `${path.status} ${path.reason}` });
      return refuseSocket(socket, path.status, path.reason);
    }
    rpc.handleUpgrade(request, socket as Socket, head).catch((e: unknown) => {
      traceError('WebSocket upgrade failed', messageOf(e), path.identity);
      socket.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  http.on('error', (e: Error) => traceError('CSMS server error', messageOf(e)));
  const port = (http.address() as AddressInfo).port;
  if (nodeId === '') nodeId = `${hostname()}:${port}`;
  try {
    // Connections recorded for this node belong to an earlier run of it.
    await registry.clearNode(nodeId);
  } catch (e) {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    throw e;
  }
  ready = true;

  const scheme = security.profile === 1 ? 'ws' : 'wss';
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const stations: StationCaller = {
    async call(stationId, action, request, callOptions) {
      const connection = connections.get(stationId);
      if (connection === undefined) throw new StationNotConnectedError(stationId);
      const bytes = callFrameBytes(action, request);
      if (bytes > maxFrameBytes) throw new StationCallError('too-large', stationId, action, `${action} request of ${bytes} bytes exceeds the ${maxFrameBytes}-byte message limit`);
      if (traceMessages) tracer.emit({ kind: 'message', party: 'csms', session: stationId, from: 'csms', to: 'charger', message: action });
      const started = performance.now();
      try {
        const response = await ocppPeer(connection.client).call(action, request, { timeoutMs: callOptions?.timeoutMs ?? callTimeoutMs });
        if (traceMessages) tracer.emit({ kind: 'message', party: 'csms', session: stationId, from: 'charger', to: 'csms', message: `${action}Response`, ms: performance.now() - started });
        return response;
      } catch (e) {
        const error = classifyCallError(e, stationId, action, connection);
        traceError(`${action} to station failed`, error.message, stationId);
        throw error;
      }
    },
    isConnected: (stationId) => connections.has(stationId),
    get connectedCount() {
      return connections.size;
    },
  };

  async function shutdown(): Promise<void> {
    ready = false;
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    await Promise.all([...connections.values()].map((c) => c.client.close({ force: true })));
    await rpc.close({ force: true });
    for (const socket of sockets) socket.destroy();
    await closed;
    if (ownFacts) await facts.close();
    else await facts.flush();
    try {
      await registry.clearNode(nodeId);
    } catch (e) {
      traceError('station presence not cleared at shutdown', messageOf(e));
    }
  }

  return {
    url: `${scheme}://${security.profile === 1 ? urlHost : host === '127.0.0.1' || host === '::1' ? 'localhost' : urlHost}:${port}${basePath}`,
    port,
    nodeId,
    stations,
    connectedIds: () => [...connections.keys()],
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}

function classifyCallError(e: unknown, stationId: string, action: Ocpp201Action, connection: Connection): Error {
  if (e instanceof TimeoutError) return new StationCallError('timeout', stationId, action, `${action}: station did not answer in time`, undefined, { cause: e });
  if (e instanceof RPCError) {
    const code = typeof e.rpcErrorCode === 'string' ? e.rpcErrorCode : 'GenericError';
    return new StationCallError('rejected', stationId, action, `${action}: ${code}${e.message !== '' ? `: ${e.message.slice(0, 300)}` : ''}`, code, { cause: e });
  }
  if ((e instanceof Error && e.name === 'AbortError') || connection.client.state !== WS_OPEN) {
    return new StationCallError('disconnected', stationId, action, `${action}: connection closed before the answer`, undefined, { cause: e });
  }
  return e instanceof Error ? e : new Error(String(e));
}

// ws readyState OPEN (ocpp-rpc client states are ws's).
const WS_OPEN = 1;
