// The EV's SDP client: asks for the SECC's TCP/TLS endpoint and repeats the request until an answer comes.
//
// Timing (notes §5, as Josev and RISE-V2G code it): wait 0.25 s for a response, send at most 50 requests.
// EVerest's libiso15118 EV timeouts quote the 50 as SDP_max_request [V2G2-161] / [V2G-DC-849].
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { SdpError } from './sdpError.js';
import { multicastInterfaceAddress, SDP_MULTICAST_GROUP, SDP_SERVER_PORT } from './sdpInterface.js';
import { decodeSdpResponse, encodeSdpRequest, type SdpResponse, type SdpSecurity } from './sdpMessages.js';

export const SDP_RETRY_INTERVAL_MS = 250;
export const SDP_MAX_REQUESTS = 50;

export interface DiscoverSeccOptions {
  /** Multicast to FF02::1 on this interface (a real EV). Exclusive with `host`. */
  readonly multicastInterface?: string;
  /** Unicast to this IP address instead (tests, loopback). An IPv4 address uses a udp4 socket. */
  readonly host?: string;
  /** Target UDP port; default 15118. */
  readonly port?: number;
  /** Security the EV asks for; default 'tls'. The client always asks for TCP (UDP is reserved). */
  readonly security?: SdpSecurity;
  /** Wait per request; default 250 ms. */
  readonly retryIntervalMs?: number;
  /** Requests sent before giving up; default 50. */
  readonly maxRequests?: number;
  readonly signal?: AbortSignal;
  /** Datagrams that arrived but were not a usable SDP response (malformed, or announcing UDP transport). */
  readonly onIgnored?: (error: SdpError, from: RemoteInfo) => void;
}

export interface SdpDiscovery {
  readonly response: SdpResponse;
  /** Requests sent until the response arrived (1 = the first one was answered). */
  readonly requestsSent: number;
  /** Where the response came from. */
  readonly from: RemoteInfo;
}

/**
 * Resolves with the first usable SDP response, or rejects with SdpError: 'timeout' once `maxRequests` requests went
 * unanswered for `retryIntervalMs` each, 'aborted' on the signal, 'socket' if a send is refused (e.g. no route for
 * multicast on that interface), 'interface' / 'options' for bad options.
 */
export async function discoverSecc(options: DiscoverSeccOptions): Promise<SdpDiscovery> {
  const target = resolveTarget(options);
  const retryIntervalMs = options.retryIntervalMs ?? SDP_RETRY_INTERVAL_MS;
  const maxRequests = options.maxRequests ?? SDP_MAX_REQUESTS;
  if (!Number.isFinite(retryIntervalMs) || retryIntervalMs <= 0) {
    throw new SdpError('options', `retryIntervalMs must be > 0, got ${retryIntervalMs}`);
  }
  if (!Number.isInteger(maxRequests) || maxRequests < 1) {
    throw new SdpError('options', `maxRequests must be an integer ≥ 1, got ${maxRequests}`);
  }
  const signal = options.signal;
  if (signal?.aborted) throw aborted(signal);

  const socket = createSocket(target.family === 4 ? 'udp4' : 'udp6');
  try {
    await bindAny(socket, target.family);
    if (target.multicastInterface !== undefined) socket.setMulticastInterface(target.multicastInterface);
  } catch (e) {
    // bind and setMulticastInterface fail only with system errors (kept as cause).
    socket.close();
    throw new SdpError('socket', `cannot prepare the SDP client socket: ${messageOf(e)}`, { cause: e });
  }
  const request = encodeSdpRequest({ security: options.security ?? 'tls', transport: 'tcp' });

  return new Promise<SdpDiscovery>((resolve, reject) => {
    let requestsSent = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (outcome: { ok: SdpDiscovery } | { error: SdpError }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.close();
      if ('ok' in outcome) resolve(outcome.ok);
      else reject(outcome.error);
    };
    const onAbort = (): void => finish({ error: aborted(signal) });
    const send = (): void => {
      requestsSent++;
      socket.send(request, target.port, target.host, (e) => {
        if (e) {
          const message = `cannot send the SDP request to [${target.host}]:${target.port}: ${e.message}`;
          finish({ error: new SdpError('socket', message, { cause: e }) });
        }
      });
      timer = setTimeout(() => {
        if (requestsSent < maxRequests) send();
        else finish({ error: new SdpError('timeout', `no SDP response after ${requestsSent} requests ${retryIntervalMs} ms apart`) });
      }, retryIntervalMs);
    };

    socket.on('message', (datagram, from) => {
      let response: SdpResponse;
      try {
        response = decodeSdpResponse(datagram);
      } catch (e) {
        if (!(e instanceof SdpError)) throw e;
        options.onIgnored?.(e, from);
        return;
      }
      if (response.transport !== 'tcp') {
        options.onIgnored?.(new SdpError('transport', 'the response announces UDP transport, a V2G session needs TCP'), from);
        return;
      }
      finish({ ok: { response, requestsSent, from } });
    });
    socket.on('error', (e) => finish({ error: new SdpError('socket', `SDP client socket: ${e.message}`, { cause: e }) }));
    signal?.addEventListener('abort', onAbort, { once: true });
    // The signal may have fired while the socket was binding; an 'abort' listener added afterwards never runs.
    if (signal?.aborted) onAbort();
    else send();
  });
}

interface Target {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** `::%iface` for setMulticastInterface in multicast mode. */
  readonly multicastInterface?: string;
}

function resolveTarget(options: DiscoverSeccOptions): Target {
  const port = options.port ?? SDP_SERVER_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) throw new SdpError('options', `not a UDP port: ${port}`);
  const { multicastInterface, host } = options;
  if ((multicastInterface === undefined) === (host === undefined)) throw new SdpError('options', 'give exactly one of multicastInterface and host');
  if (multicastInterface !== undefined) {
    // The zone in the destination picks the link; setMulticastInterface makes the choice explicit for the socket.
    const scoped = multicastInterfaceAddress(multicastInterface);
    return { host: `${SDP_MULTICAST_GROUP}%${multicastInterface}`, port, family: 6, multicastInterface: scoped };
  }
  const family = isIP(host ?? '');
  if (family === 0) throw new SdpError('options', `host must be an IP address, got ${JSON.stringify(host)}`);
  return { host: host ?? '', port, family: family === 4 ? 4 : 6 };
}

function bindAny(socket: Socket, family: 4 | 6): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: 0, address: family === 4 ? '0.0.0.0' : '::' }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function aborted(signal: AbortSignal | undefined): SdpError {
  return new SdpError('aborted', 'SDP discovery aborted', { cause: signal?.reason });
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
