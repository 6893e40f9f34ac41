// The charging station's OCPP-J connection to its CSMS: one WebSocket at a time (ocpp-rpc, strict OCPP 2.0.1), in the
// configured security profile, re-established after every loss with the OCPP reconnect back-off.
//
// We run the reconnect loop ourselves around ocpp-rpc clients created with `reconnect: false`: ocpp-rpc's own loop
// (the `backoff` package) multiplies a delay with a proportional jitter and caps it, which cannot express "minimum +
// uniform random range, doubled RepeatTimes times, then constant"; it also gives up silently on some handshake errors
// and reports no typed reason. A fresh RPCClient per attempt starts with no stale calls; the handlers registered on the
// connection are installed on each new client, so they survive reconnects.
import { TLSSocket } from 'node:tls';
import { RPCClient, RPCGenericError } from '../../ocpp/ocppRpc.js';
import type { Ocpp201Action } from '../../ocpp/generated/ocpp201.js';
import { OCPP201_SUBPROTOCOL, ocppPeer, STRICT_OCPP201, type OcppHandler, type OcppPeer } from '../../ocpp/ocppPeer.js';
import { classifyConnectError, CsmsConnectionConfigError, CsmsOfflineError, OcppFrameTooLargeError, type CsmsConnectionError, type CsmsConnectionErrorKind } from './csmsConnectionError.js';
import { callFrameBytes, callResultFrameBytes, MAX_OCPP_FRAME_BYTES } from './ocppFrameLimit.js';
import { DEFAULT_RETRY_BACK_OFF, nextRetryBackOff, validateRetryBackOff, type RandomSource, type RetryBackOffConfig, type RetryBackOffStep } from './reconnectBackoff.js';
import { stationTransport, validateStationIdentity, type SecurityProfile, type SecurityProfileConfig } from './securityProfile.js';

export interface CsmsConnectionOptions {
  /** The CSMS endpoint without the identity (ocpp-rpc appends `/<identity>`): ws:// for profile 1, wss:// for 2 and 3. */
  readonly url: string;
  readonly identity: string;
  readonly security: SecurityProfileConfig;
  /** OCPPCommCtrlr RetryBackOff* values; default DEFAULT_RETRY_BACK_OFF. */
  readonly backOff?: RetryBackOffConfig;
  /** Random part of the back-off; default Math.random. */
  readonly random?: RandomSource;
  /** One connection attempt (TCP + TLS + WebSocket upgrade) may take this long; default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Default time-out of a call to the CSMS; default 30 000 ms. */
  readonly callTimeoutMs?: number;
  /** WebSocket ping interval (OCPPCommCtrlr.WebSocketPingInterval); a missing pong drops the connection. 0 = no pings. Default 30 000 ms. */
  readonly pingIntervalMs?: number;
  /** Largest OCPP-J message accepted or sent; default MAX_OCPP_FRAME_BYTES (64 KiB). */
  readonly maxFrameBytes?: number;
  /** Structured trace events (the caller forwards them to pino). They never carry payloads or credentials. */
  readonly onEvent?: (event: CsmsConnectionEvent) => void;
}

export interface CsmsDisconnectReason {
  /** WebSocket close code (1000 normal, 1006 abnormal; 1009 when we refused a too-big message, 1007/1002 for other refused frames). */
  readonly code: number;
  readonly reason: string;
  /** When the next attempt starts; undefined after `close()`. */
  readonly retryInMs: number | undefined;
}

export type CsmsConnectionEvent =
  | { readonly type: 'connecting'; readonly identity: string; readonly url: string; readonly securityProfile: SecurityProfile; readonly attempt: number }
  | { readonly type: 'connected'; readonly identity: string; readonly attempt: number; readonly ms: number; readonly tlsVersion?: string }
  | { readonly type: 'connect-failed'; readonly identity: string; readonly attempt: number; readonly ms: number; readonly kind: CsmsConnectionErrorKind; readonly message: string; readonly httpStatus?: number; readonly retryInMs: number }
  | { readonly type: 'disconnected'; readonly identity: string; readonly code: number; readonly reason: string; readonly retryInMs: number | undefined }
  | { readonly type: 'strict-validation-failure'; readonly identity: string; readonly action: string; readonly messageId: string; readonly direction: 'inbound' | 'outbound'; readonly isCall: boolean; readonly rpcErrorCode?: string; readonly message: string }
  | { readonly type: 'bad-message'; readonly identity: string; readonly bytes: number; readonly message: string; readonly answered: boolean }
  | { readonly type: 'frame-too-large'; readonly identity: string; readonly action: string; readonly direction: 'outbound'; readonly isCall: boolean; readonly bytes: number; readonly limit: number }
  | { readonly type: 'socket-error'; readonly identity: string; readonly message: string }
  | { readonly type: 'closed'; readonly identity: string };

export interface CsmsConnection {
  readonly identity: string;
  /** The live connection, or undefined while disconnected. Handlers registered through it are the connection's (they survive reconnects). */
  peer(): OcppPeer | undefined;
  /** Registers a CSMS→station handler for this and every later connection. */
  handle<A extends Ocpp201Action>(action: A, handler: OcppHandler<A>): void;
  unhandle(action: Ocpp201Action): void;
  /** Listeners; each returns its unsubscribe function. They run after the state changed (peer() already reflects it). */
  onConnected(listener: (peer: OcppPeer) => void): () => void;
  onDisconnected(listener: (reason: CsmsDisconnectReason) => void): () => void;
  onAttemptFailed(listener: (error: CsmsConnectionError, retryInMs: number) => void): () => void;
  /** The live peer, or the next one; rejects with CsmsOfflineError on time-out, abort or close. */
  waitForConnection(options?: { readonly timeoutMs?: number; readonly signal?: AbortSignal }): Promise<OcppPeer>;
  /** Why the latest attempt failed (undefined after a success). */
  lastError(): CsmsConnectionError | undefined;
  /** Stops reconnecting and closes the WebSocket (code 1000, or at once with `force`). */
  close(options?: { readonly force?: boolean }): Promise<void>;
}

type RpcClientOptions = ConstructorParameters<typeof RPCClient>[0];

// The close code ws sends when it refuses an incoming frame (RFC 6455 §7.4.1).
const WS_REFUSAL_CODES: Readonly<Record<string, number>> = { WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009, WS_ERR_INVALID_UTF8: 1007 };

function positiveInt(name: string, value: number, allowZero = false): number {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1) || value > 2_147_483_647) throw new CsmsConnectionConfigError(`${name} must be an integer in [${allowZero ? 0 : 1}, 2147483647], got ${value}`);
  return value;
}

function errorMessage(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}

function fieldOf(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined;
}

function tlsVersionOf(opened: unknown): string | undefined {
  const socket = fieldOf(fieldOf(opened, 'response'), 'socket');
  return socket instanceof TLSSocket ? (socket.getProtocol() ?? undefined) : undefined;
}

export function connectToCsms(options: CsmsConnectionOptions): CsmsConnection {
  const identity = validateStationIdentity(options.identity);
  const transport = stationTransport(options.url, options.security);
  const endpoint = options.url.replace(/\/+$/, '');
  const backOff = validateRetryBackOff(options.backOff ?? DEFAULT_RETRY_BACK_OFF);
  const random = options.random ?? Math.random;
  const connectTimeoutMs = positiveInt('connectTimeoutMs', options.connectTimeoutMs ?? 10_000);
  const callTimeoutMs = positiveInt('callTimeoutMs', options.callTimeoutMs ?? 30_000);
  const pingIntervalMs = positiveInt('pingIntervalMs', options.pingIntervalMs ?? 30_000, true);
  const maxFrameBytes = positiveInt('maxFrameBytes', options.maxFrameBytes ?? MAX_OCPP_FRAME_BYTES);
  const emit = (event: CsmsConnectionEvent): void => options.onEvent?.(event);

  const installers = new Map<Ocpp201Action, (raw: OcppPeer) => void>();
  const connectedListeners = new Set<(peer: OcppPeer) => void>();
  const disconnectedListeners = new Set<(reason: CsmsDisconnectReason) => void>();
  const failedListeners = new Set<(error: CsmsConnectionError, retryInMs: number) => void>();
  const waiters = new Set<{ resolve(peer: OcppPeer): void; reject(error: CsmsOfflineError): void }>();

  let closed = false;
  let current: { readonly client: RPCClient; readonly raw: OcppPeer; readonly peer: OcppPeer } | undefined;
  let connecting: { readonly client: RPCClient; readonly raw: OcppPeer } | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let step: RetryBackOffStep | undefined;
  let attempts = 0;
  let latestError: CsmsConnectionError | undefined;
  const refusedFrame = new WeakMap<RPCClient, { readonly code: number; readonly reason: string }>();

  // Listeners run outside our state machine: an exception in one surfaces as the caller's bug, not as a stuck loop.
  const notify = <T extends unknown[]>(listeners: Iterable<(...args: T) => void>, ...args: T): void => {
    for (const listener of [...listeners]) queueMicrotask(() => listener(...args));
  };

  function guardedHandler<A extends Ocpp201Action>(action: A, handler: OcppHandler<A>): OcppHandler<A> {
    return async (request, context) => {
      const response = await handler(request, context);
      const bytes = callResultFrameBytes(context.messageId, response);
      if (bytes > maxFrameBytes) {
        emit({ type: 'frame-too-large', identity, action, direction: 'outbound', isCall: false, bytes, limit: maxFrameBytes });
        // Answered with a CALLERROR instead of a frame the CSMS would refuse (and drop the connection for).
        throw new RPCGenericError(`response of ${bytes} bytes exceeds the ${maxFrameBytes}-byte message limit`);
      }
      return response;
    };
  }

  const connection: CsmsConnection = {
    identity,
    peer: () => current?.peer,
    handle(action, handler) {
      const install = (raw: OcppPeer): void => raw.handle(action, guardedHandler(action, handler));
      installers.set(action, install);
      if (current) install(current.raw);
      if (connecting) install(connecting.raw);
    },
    unhandle(action) {
      installers.delete(action);
      current?.raw.unhandle(action);
      connecting?.raw.unhandle(action);
    },
    onConnected(listener) {
      connectedListeners.add(listener);
      return () => void connectedListeners.delete(listener);
    },
    onDisconnected(listener) {
      disconnectedListeners.add(listener);
      return () => void disconnectedListeners.delete(listener);
    },
    onAttemptFailed(listener) {
      failedListeners.add(listener);
      return () => void failedListeners.delete(listener);
    },
    waitForConnection(waitOptions = {}) {
      if (current) return Promise.resolve(current.peer);
      if (closed) return Promise.reject(new CsmsOfflineError('closed', 'the CSMS connection is closed', latestError));
      return new Promise<OcppPeer>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const done = (): void => {
          waiters.delete(waiter);
          if (timer) clearTimeout(timer);
          waitOptions.signal?.removeEventListener('abort', onAbort);
        };
        const waiter = {
          resolve: (peer: OcppPeer) => (done(), resolve(peer)),
          reject: (error: CsmsOfflineError) => (done(), reject(error)),
        };
        const onAbort = (): void => waiter.reject(new CsmsOfflineError('aborted', 'waiting for the CSMS connection was aborted', latestError));
        if (waitOptions.signal?.aborted) return onAbort();
        waitOptions.signal?.addEventListener('abort', onAbort, { once: true });
        if (waitOptions.timeoutMs !== undefined) {
          const ms = waitOptions.timeoutMs;
          timer = setTimeout(() => waiter.reject(new CsmsOfflineError('timeout', `no CSMS connection within ${ms} ms${latestError ? ` (last attempt: ${latestError.message})` : ''}`, latestError)), ms);
        }
        waiters.add(waiter);
      });
    },
    lastError: () => latestError,
    async close(closeOptions = {}) {
      if (closed) return;
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      for (const w of [...waiters]) w.reject(new CsmsOfflineError('closed', 'the CSMS connection was closed', latestError));
      if (connecting) await connecting.client.close({ force: true });
      if (current) await current.client.close(closeOptions.force ? { force: true } : { code: 1000, reason: 'station closing the connection' });
      emit({ type: 'closed', identity });
    },
  };

  function exposedPeer(raw: OcppPeer): OcppPeer {
    return {
      call(action, request, callOptions) {
        const bytes = callFrameBytes(action, request);
        if (bytes > maxFrameBytes) {
          emit({ type: 'frame-too-large', identity, action, direction: 'outbound', isCall: true, bytes, limit: maxFrameBytes });
          return Promise.reject(new OcppFrameTooLargeError(action, bytes, maxFrameBytes));
        }
        return raw.call(action, request, callOptions);
      },
      handle: (action, handler) => connection.handle(action, handler),
      unhandle: (action) => connection.unhandle(action),
    };
  }

  function scheduleRetry(): number {
    step = nextRetryBackOff(backOff, step, random);
    retryTimer = setTimeout(() => void attempt(), step.waitMs);
    return step.waitMs;
  }

  function watch(client: RPCClient): void {
    client.on('strictValidationFailure', (e: unknown) => {
      const error = fieldOf(e, 'error');
      const rpcErrorCode = fieldOf(error, 'rpcErrorCode');
      emit({
        type: 'strict-validation-failure',
        identity,
        action: String(fieldOf(e, 'method')),
        messageId: String(fieldOf(e, 'messageId')),
        direction: fieldOf(e, 'outbound') === true ? 'outbound' : 'inbound',
        isCall: fieldOf(e, 'isCall') === true,
        ...(typeof rpcErrorCode === 'string' ? { rpcErrorCode } : {}),
        message: errorMessage(error),
      });
    });
    client.on('badMessage', (e: unknown) => {
      const buffer = fieldOf(e, 'buffer');
      emit({ type: 'bad-message', identity, bytes: Buffer.isBuffer(buffer) ? buffer.length : 0, message: errorMessage(fieldOf(e, 'error')), answered: fieldOf(e, 'response') != null });
    });
    client.on('socketError', (e: unknown) => {
      // ws refused a frame (too big, bad UTF-8, protocol violation) and closed with the matching code; remember it for
      // the disconnect reason, since the local close event only reports 1006 when the peer's close frame is not read.
      const code = fieldOf(e, 'code');
      if (typeof code === 'string' && code.startsWith('WS_ERR_')) refusedFrame.set(client, { code: WS_REFUSAL_CODES[code] ?? 1002, reason: errorMessage(e) });
      emit({ type: 'socket-error', identity, message: errorMessage(e) });
    });
  }

  function clientOptions(): RpcClientOptions {
    return {
      endpoint,
      identity,
      password: transport.password ?? null,
      ...STRICT_OCPP201,
      protocols: [OCPP201_SUBPROTOCOL],
      reconnect: false,
      callTimeoutMs,
      pingIntervalMs,
      respondWithDetailedErrors: false,
      // OCPP-J: one outstanding CALL per direction.
      callConcurrency: 1,
      wsOpts: { ...(transport.tls ?? {}), maxPayload: maxFrameBytes, perMessageDeflate: false, followRedirects: false },
    } as RpcClientOptions;
  }

  function lost(client: RPCClient, event: unknown): void {
    if (current?.client !== client) return;
    current = undefined;
    const code = fieldOf(event, 'code');
    const reason = fieldOf(event, 'reason');
    const refused = refusedFrame.get(client);
    const retryInMs = closed ? undefined : scheduleRetry();
    const disconnect: CsmsDisconnectReason = refused
      ? { ...refused, retryInMs }
      : { code: typeof code === 'number' ? code : 1006, reason: typeof reason === 'string' ? reason : '', retryInMs };
    emit({ type: 'disconnected', identity, ...disconnect });
    notify(disconnectedListeners, disconnect);
  }

  async function attempt(): Promise<void> {
    retryTimer = undefined;
    if (closed) return;
    const n = ++attempts;
    const started = Date.now();
    emit({ type: 'connecting', identity, url: endpoint, securityProfile: options.security.profile, attempt: n });
    const client = new RPCClient(clientOptions());
    watch(client);
    const raw = ocppPeer(client);
    for (const install of installers.values()) install(raw);
    connecting = { client, raw };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void client.close({ force: true });
    }, connectTimeoutMs);
    let opened: unknown;
    try {
      opened = await client.connect();
    } catch (e) {
      if (closed) return;
      const error = classifyConnectError(e, { timedOut, secure: transport.secure });
      latestError = error;
      const retryInMs = scheduleRetry();
      emit({ type: 'connect-failed', identity, attempt: n, ms: Date.now() - started, kind: error.kind, message: error.message, ...(error.detail.httpStatus !== undefined ? { httpStatus: error.detail.httpStatus } : {}), retryInMs });
      notify(failedListeners, error, retryInMs);
      return;
    } finally {
      clearTimeout(timer);
      connecting = undefined;
    }
    if (closed) {
      await client.close({ force: true });
      return;
    }
    step = undefined;
    latestError = undefined;
    const peer = exposedPeer(raw);
    current = { client, raw, peer };
    client.once('close', (event: unknown) => lost(client, event));
    const tlsVersion = tlsVersionOf(opened);
    emit({ type: 'connected', identity, attempt: n, ms: Date.now() - started, ...(tlsVersion ? { tlsVersion } : {}) });
    for (const w of [...waiters]) w.resolve(peer);
    notify(connectedListeners, peer);
  }

  // The first attempt starts at once; the back-off applies from its failure on.
  void attempt();
  return connection;
}
