// A strict OCPP 2.0.1 CSMS for the charger's integration tests: an independent ocpp-rpc server in strict mode (every
// frame validated against the official schemas), offering only `ocpp2.0.1`, listening in security profile 1, 2 or 3.
// It checks Basic auth per station (profile 1/2) or the client certificate (profile 3: issued by the trusted CA and
// CN = identity), records every frame each station sends, answers every station→CSMS action with a valid default that
// tests can override, lets tests call the station, and can drop a station or stop / restart listening on the same port.
import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { RPCNotImplementedError, RPCServer, type RPCClient } from 'ocpp-rpc';
import type { Ocpp201Action, Ocpp201Actions } from '../../src/ocpp/generated/ocpp201.js';
import { OCPP201_SUBPROTOCOL, ocppPeer, type OcppPeer } from '../../src/ocpp/ocppPeer.js';
import { MAX_OCPP_FRAME_BYTES } from '../../src/charger/station/ocppFrameLimit.js';

export type TestCsmsSecurity =
  | { readonly profile: 1; readonly passwords: Readonly<Record<string, string>> }
  | { readonly profile: 2; readonly passwords: Readonly<Record<string, string>>; readonly serverCertPem: string; readonly serverKeyPem: string }
  | { readonly profile: 3; readonly serverCertPem: string; readonly serverKeyPem: string; readonly clientCaPem: string };

export interface TestCsmsOptions {
  readonly security: TestCsmsSecurity;
  readonly host?: string;
  /** 0 (default): any free port, kept across stop()/start(). */
  readonly port?: number;
  /** BootNotificationResponse.interval; default 300 s. */
  readonly heartbeatIntervalS?: number;
  /** Largest message accepted from a station; default MAX_OCPP_FRAME_BYTES. Larger → close 1009. */
  readonly maxFrameBytes?: number;
  /** Time-out of calls to stations; default 5000 ms. */
  readonly callTimeoutMs?: number;
  /** WebSocket pings to stations; default 0 (none). */
  readonly pingIntervalMs?: number;
}

export interface AnswerContext {
  readonly identity: string;
  readonly messageId: string;
}

/** Answers one station→CSMS action; throw an ocpp-rpc RPCError (e.g. `createRPCError(code, text)`) to answer with a CALLERROR. */
export type CsmsAnswer<A extends Ocpp201Action> = (request: Ocpp201Actions[A]['request'], context: AnswerContext) => Ocpp201Actions[A]['response'] | Promise<Ocpp201Actions[A]['response']>;

export interface ReceivedFrame {
  /** Order of arrival across all stations. */
  readonly seq: number;
  readonly identity: string;
  /** Which connection of this station (1, 2, …). */
  readonly connection: number;
  readonly at: number;
  readonly bytes: number;
  readonly type: 'CALL' | 'CALLRESULT' | 'CALLERROR' | 'malformed';
  readonly messageId?: string;
  readonly action?: string;
  readonly payload?: unknown;
  readonly errorCode?: string;
  readonly errorDescription?: string;
  /** For a CALL the CSMS refused in strict mode: the OCPP-J error code it answered with. */
  readonly violation?: string;
}

export interface ReceivedCall<A extends Ocpp201Action> extends ReceivedFrame {
  readonly type: 'CALL';
  readonly messageId: string;
  readonly action: A;
  /** Schema-valid (strict mode accepted it). */
  readonly payload: Ocpp201Actions[A]['request'];
}

export interface HandshakeRecord {
  readonly identity: string;
  readonly at: number;
  readonly outcome: 'accepted' | 'rejected';
  readonly status?: number;
  readonly reason?: string;
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  /** Only frames with seq greater than this. */
  readonly afterSeq?: number;
}

export interface TestCsms {
  /** ws://host:port or wss://localhost:port (the name in the server certificate); stations append /<identity>. */
  readonly url: string;
  readonly port: number;
  answer<A extends Ocpp201Action>(action: A, answer: CsmsAnswer<A> | undefined): void;
  /** Makes upgrades of this station fail with the HTTP status (undefined: accept again). */
  refuseUpgrades(identity: string, status: number | undefined): void;
  setPassword(identity: string, password: string | undefined): void;
  call<A extends Ocpp201Action>(identity: string, action: A, request: Ocpp201Actions[A]['request'], options?: { readonly timeoutMs?: number }): Promise<Ocpp201Actions[A]['response']>;
  /** Sends a raw text frame to the station, bypassing strict mode (hostile-peer tests). */
  sendRaw(identity: string, frame: string): void;
  frames(identity?: string): readonly ReceivedFrame[];
  calls<A extends Ocpp201Action>(identity: string, action: A): ReceivedCall<A>[];
  readonly handshakes: readonly HandshakeRecord[];
  /** TLS handshakes that failed (e.g. a client certificate from an unknown CA). */
  readonly tlsErrors: readonly { readonly at: number; readonly message: string }[];
  waitFor<A extends Ocpp201Action>(identity: string, action: A, predicate?: (request: Ocpp201Actions[A]['request']) => boolean, options?: WaitOptions): Promise<ReceivedCall<A>>;
  waitForFrame(identity: string, predicate: (frame: ReceivedFrame) => boolean, options?: WaitOptions): Promise<ReceivedFrame>;
  /** Resolves once `count` connections of this station have been accepted in total (default 1) and it is connected. */
  waitForConnection(identity: string, options?: { readonly count?: number; readonly timeoutMs?: number }): Promise<void>;
  /** Resolves once the station's current connection is gone. */
  waitForDisconnect(identity: string, options?: { readonly timeoutMs?: number }): Promise<void>;
  isConnected(identity: string): boolean;
  connectionCount(identity: string): number;
  /** Terminates the station's WebSocket (no close frame: the station sees 1006). */
  drop(identity: string): Promise<void>;
  /** Stops listening and terminates every station connection (an outage). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export class TestCsmsError extends Error {
  override readonly name = 'TestCsmsError';
}

type Defaults = { readonly [A in Ocpp201Action]?: CsmsAnswer<A> };

function defaultAnswers(heartbeatIntervalS: number): Defaults {
  const now = (): string => new Date().toISOString();
  return {
    BootNotification: () => ({ currentTime: now(), interval: heartbeatIntervalS, status: 'Accepted' }),
    Heartbeat: () => ({ currentTime: now() }),
    StatusNotification: () => ({}),
    Authorize: (req) => ({ idTokenInfo: { status: 'Accepted' }, ...(req.iso15118CertificateHashData || req.certificate ? { certificateStatus: 'Accepted' as const } : {}) }),
    TransactionEvent: (req) => (req.idToken ? { idTokenInfo: { status: 'Accepted' } } : {}),
    GetCertificateStatus: () => ({ status: 'Failed' }),
    SignCertificate: () => ({ status: 'Accepted' }),
    Get15118EVCertificate: () => ({ status: 'Failed', exiResponse: '' }),
    NotifyEvent: () => ({}),
    SecurityEventNotification: () => ({}),
    MeterValues: () => ({}),
    FirmwareStatusNotification: () => ({}),
    LogStatusNotification: () => ({}),
    NotifyReport: () => ({}),
  };
}

function parseFrame(text: string): Pick<ReceivedFrame, 'type' | 'messageId' | 'action' | 'payload' | 'errorCode' | 'errorDescription'> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { type: 'malformed' };
  }
  if (!Array.isArray(value) || typeof value[1] !== 'string') return { type: 'malformed' };
  const [type, messageId, a, b] = value as unknown[];
  if (type === 2 && typeof a === 'string') return { type: 'CALL', messageId: messageId as string, action: a, payload: b };
  if (type === 3) return { type: 'CALLRESULT', messageId: messageId as string, payload: a };
  if (type === 4 && typeof a === 'string') return { type: 'CALLERROR', messageId: messageId as string, errorCode: a, ...(typeof b === 'string' ? { errorDescription: b } : {}) };
  return { type: 'malformed' };
}

function equalSecret(given: Buffer, expected: string): boolean {
  const e = Buffer.from(expected, 'utf8');
  return given.length === e.length && timingSafeEqual(given, e);
}

interface Waiter {
  check(): boolean;
}

export async function startTestCsms(options: TestCsmsOptions): Promise<TestCsms> {
  const security = options.security;
  const host = options.host ?? '127.0.0.1';
  const maxFrameBytes = options.maxFrameBytes ?? MAX_OCPP_FRAME_BYTES;
  const defaults = defaultAnswers(options.heartbeatIntervalS ?? 300);
  const overrides = new Map<Ocpp201Action, (request: unknown, context: AnswerContext) => unknown>();
  const passwords = new Map(security.profile === 3 ? [] : Object.entries(security.passwords));
  const refusals = new Map<string, number>();
  const clients = new Map<string, RPCClient>();
  const connectionCounts = new Map<string, number>();
  const received: ReceivedFrame[] = [];
  const handshakes: HandshakeRecord[] = [];
  const tlsErrors: { at: number; message: string }[] = [];
  const waiters = new Set<Waiter>();
  let seq = 0;

  const rpc = new RPCServer({
    protocols: [OCPP201_SUBPROTOCOL],
    strictMode: true,
    callTimeoutMs: options.callTimeoutMs ?? 5000,
    pingIntervalMs: options.pingIntervalMs ?? 0,
    respondWithDetailedErrors: false,
    wssOptions: { maxPayload: maxFrameBytes, perMessageDeflate: false },
  });

  const wake = (): void => {
    for (const w of [...waiters]) if (w.check()) waiters.delete(w);
  };

  const reject = (identity: string, fail: (code: number, message: string) => void, status: number, reason: string): void => {
    handshakes.push({ identity, at: Date.now(), outcome: 'rejected', status, reason });
    fail(status, reason);
  };

  rpc.auth((accept, fail, handshake) => {
    const identity = handshake.identity;
    // An upgrade that was under way when stop() ran.
    if (!http) return reject(identity, fail, 503, 'CSMS stopped');
    const refusal = refusals.get(identity);
    if (refusal !== undefined) return reject(identity, fail, refusal, 'refused by the test');
    if (security.profile === 3) {
      const socket = handshake.request.socket;
      if (!(socket instanceof TLSSocket) || !socket.authorized) return reject(identity, fail, 401, 'no trusted client certificate');
      const cn = socket.getPeerCertificate().subject?.CN;
      if (cn !== identity) return reject(identity, fail, 401, `client certificate CN ${String(cn)} is not the station identity`);
    } else {
      const expected = passwords.get(identity);
      if (expected === undefined || handshake.password === undefined || !equalSecret(handshake.password, expected)) return reject(identity, fail, 401, 'wrong Basic-auth credentials');
    }
    // No mutual subprotocol: complete the upgrade without one (the station must give up) and close at once.
    if (!handshake.protocols.has(OCPP201_SUBPROTOCOL)) {
      handshakes.push({ identity, at: Date.now(), outcome: 'rejected', reason: 'no ocpp2.0.1 subprotocol' });
      return accept({ identity }, false);
    }
    handshakes.push({ identity, at: Date.now(), outcome: 'accepted' });
    accept({ identity }, OCPP201_SUBPROTOCOL);
  });

  rpc.on('client', (client: RPCClient) => {
    const identity = client.identity ?? '';
    if (!http) {
      void client.close({ force: true });
      return;
    }
    if (client.protocol !== OCPP201_SUBPROTOCOL) {
      void client.close({ code: 1002, reason: 'ocpp2.0.1 required' });
      return;
    }
    // A station that reconnects replaces its previous connection.
    const previous = clients.get(identity);
    if (previous) void previous.close({ force: true });
    const connection = (connectionCounts.get(identity) ?? 0) + 1;
    connectionCounts.set(identity, connection);
    clients.set(identity, client);
    const byMessageId = new Map<string, number>();
    client.on('message', (e: { message: string | Buffer; outbound: boolean }) => {
      if (e.outbound) return;
      const text = e.message.toString();
      const frame: ReceivedFrame = { seq: ++seq, identity, connection, at: Date.now(), bytes: Buffer.byteLength(text), ...parseFrame(text) };
      received.push(frame);
      if (frame.type === 'CALL' && frame.messageId !== undefined) byMessageId.set(frame.messageId, received.length - 1);
      // Strict-mode validation of a CALL runs right after this event, in the same tick: wake waiters after it.
      queueMicrotask(wake);
    });
    client.on('strictValidationFailure', (e: { messageId: string; outbound: boolean; isCall: boolean; error: { rpcErrorCode?: string; message: string } }) => {
      if (e.outbound || !e.isCall) return;
      const index = byMessageId.get(e.messageId);
      const frame = index === undefined ? undefined : received[index];
      if (frame && index !== undefined) received[index] = { ...frame, violation: e.error.rpcErrorCode ?? 'FormatViolation' };
    });
    client.handle(async ({ method, params, messageId }) => {
      // Strict mode has validated params against `urn:<method>.req` before we get here.
      const action = method as Ocpp201Action;
      const context: AnswerContext = { identity, messageId: messageId ?? '' };
      const override = overrides.get(action);
      if (override) return (await override(params, context)) as Record<string, unknown>;
      const fallback = defaults[action] as ((request: unknown, context: AnswerContext) => unknown) | undefined;
      if (!fallback) throw new RPCNotImplementedError(`the test CSMS has no answer for ${method}`);
      return (await fallback(params, context)) as Record<string, unknown>;
    });
    client.once('close', () => {
      if (clients.get(identity) === client) clients.delete(identity);
      wake();
    });
    wake();
  });

  let http: HttpServer | undefined;
  let port = options.port ?? 0;
  // Every TCP connection, so that stop() can end them all: upgraded and half-upgraded sockets are no longer the HTTP
  // server's to close, yet they keep it from closing.
  const sockets = new Set<Socket>();

  const createServer = (): HttpServer => {
    if (security.profile === 1) return createHttpServer();
    const server = createHttpsServer({
      cert: security.serverCertPem,
      key: security.serverKeyPem,
      minVersion: 'TLSv1.2',
      // Verified below rather than with rejectUnauthorized, which drops the socket without saying why.
      ...(security.profile === 3 ? { requestCert: true, rejectUnauthorized: false, ca: security.clientCaPem } : {}),
    });
    server.on('tlsClientError', (e: Error) => tlsErrors.push({ at: Date.now(), message: e.message }));
    if (security.profile === 3) {
      server.on('secureConnection', (socket: TLSSocket) => {
        if (socket.authorized) return;
        tlsErrors.push({ at: Date.now(), message: `client certificate refused: ${String(socket.authorizationError)}` });
        socket.destroy();
      });
    }
    return server;
  };

  async function start(): Promise<void> {
    if (http) return;
    const server = createServer();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => void rpc.handleUpgrade(request, socket, head));
    server.on('request', (_req, res) => res.writeHead(426, { connection: 'close' }).end());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    port = (server.address() as AddressInfo).port;
    http = server;
  }

  async function stop(): Promise<void> {
    const server = http;
    http = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    await Promise.all([...clients.values()].map((c) => c.close({ force: true })));
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  const peerOf = (identity: string): OcppPeer => {
    const client = clients.get(identity);
    if (!client) throw new TestCsmsError(`station ${identity} is not connected`);
    return ocppPeer(client);
  };

  function waitUntil<T>(describe: string, find: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, rejectWait) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        rejectWait(new TestCsmsError(`timed out after ${timeoutMs} ms waiting for ${describe}`));
      }, timeoutMs);
      const waiter: Waiter = {
        check() {
          const found = find();
          if (found === undefined) return false;
          clearTimeout(timer);
          resolve(found);
          return true;
        },
      };
      if (!waiter.check()) waiters.add(waiter);
    });
  }

  await start();
  const scheme = security.profile === 1 ? 'ws' : 'wss';
  const urlHost = security.profile === 1 ? host : 'localhost';

  const csms: TestCsms = {
    url: `${scheme}://${urlHost}:${port}`,
    port,
    answer(action, answer) {
      if (answer) overrides.set(action, (request, context) => answer(request as Ocpp201Actions[typeof action]['request'], context));
      else overrides.delete(action);
    },
    refuseUpgrades(identity, status) {
      if (status === undefined) refusals.delete(identity);
      else refusals.set(identity, status);
    },
    setPassword(identity, password) {
      if (password === undefined) passwords.delete(identity);
      else passwords.set(identity, password);
    },
    call(identity, action, request, callOptions) {
      return peerOf(identity).call(action, request, callOptions?.timeoutMs !== undefined ? { timeoutMs: callOptions.timeoutMs } : undefined);
    },
    sendRaw(identity, frame) {
      const client = clients.get(identity);
      if (!client) throw new TestCsmsError(`station ${identity} is not connected`);
      client.sendRaw(frame);
    },
    frames: (identity) => (identity === undefined ? [...received] : received.filter((f) => f.identity === identity)),
    calls<A extends Ocpp201Action>(identity: string, action: A): ReceivedCall<A>[] {
      return received.filter((f): f is ReceivedCall<A> => f.identity === identity && f.type === 'CALL' && f.action === action && f.violation === undefined);
    },
    handshakes,
    tlsErrors,
    waitFor<A extends Ocpp201Action>(identity: string, action: A, predicate?: (request: Ocpp201Actions[A]['request']) => boolean, waitOptions: WaitOptions = {}): Promise<ReceivedCall<A>> {
      const after = waitOptions.afterSeq ?? 0;
      return waitUntil(
        `${action} from ${identity}`,
        () => csms.calls(identity, action).find((f) => f.seq > after && (predicate?.(f.payload) ?? true)),
        waitOptions.timeoutMs ?? 5000,
      );
    },
    waitForFrame(identity, predicate, waitOptions = {}) {
      const after = waitOptions.afterSeq ?? 0;
      return waitUntil(`a frame from ${identity}`, () => received.find((f) => f.identity === identity && f.seq > after && predicate(f)), waitOptions.timeoutMs ?? 5000);
    },
    async waitForConnection(identity, waitOptions = {}) {
      const count = waitOptions.count ?? 1;
      await waitUntil(`connection #${count} of ${identity}`, () => ((connectionCounts.get(identity) ?? 0) >= count && clients.has(identity) ? true : undefined), waitOptions.timeoutMs ?? 5000);
    },
    async waitForDisconnect(identity, waitOptions = {}) {
      await waitUntil(`${identity} to disconnect`, () => (clients.has(identity) ? undefined : true), waitOptions.timeoutMs ?? 5000);
    },
    isConnected: (identity) => clients.has(identity),
    connectionCount: (identity) => connectionCounts.get(identity) ?? 0,
    async drop(identity) {
      const client = clients.get(identity);
      if (!client) throw new TestCsmsError(`station ${identity} is not connected`);
      await client.close({ force: true });
    },
    stop,
    start,
    async close() {
      await stop();
      await rpc.close({ force: true });
    },
  };
  return csms;
}
