// The SECC's SDP server: answers EV discovery requests on UDP port 15118 (notes §6). It never throws for what arrives
// on the wire; every datagram it does not answer is reported through onEvent.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP, type AddressInfo } from 'node:net';
import { SdpError } from './sdpError.js';
import { multicastInterfaceAddress, SDP_MULTICAST_GROUP, SDP_SERVER_PORT } from './sdpInterface.js';
import { decodeSdpRequest, encodeSdpResponse, type SdpRequest, type SdpResponse } from './sdpMessages.js';

/** Why a datagram got no answer. */
export type SdpDropReason =
  | 'malformed' // not a valid SDP request (error says why)
  | 'udp-transport' // a valid request for UDP transport, which no SECC serves
  | 'no-answer' // the decision callback returned undefined
  | 'invalid-response'; // the decision callback returned a response that cannot be encoded (error says why)

export type SdpServerEvent =
  | { readonly type: 'request'; readonly request: SdpRequest; readonly from: RemoteInfo }
  | { readonly type: 'response'; readonly response: SdpResponse; readonly to: RemoteInfo }
  | { readonly type: 'dropped'; readonly reason: SdpDropReason; readonly from: RemoteInfo; readonly error?: SdpError }
  /** The socket failed after start (e.g. a send was refused); the server keeps running. */
  | { readonly type: 'error'; readonly error: SdpError };

export type SdpDecision = (request: SdpRequest, from: RemoteInfo) => SdpResponse | undefined;

interface SdpServerCommon {
  /** UDP port; default 15118. 0 picks a free port (tests). */
  readonly port?: number;
  /** Decides the response (address, port, security), e.g. with sdpAnswer. Must not throw. */
  readonly decide: SdpDecision;
  /** Reports requests, responses and drops. Must not throw. */
  readonly onEvent?: (event: SdpServerEvent) => void;
  /** SO_REUSEADDR, for a server that shares port 15118 with another listener. Default false. */
  readonly reuseAddr?: boolean;
}

/**
 * Multicast mode (a real SECC): bind [::]:port and join FF02::1 on `multicastInterface`.
 * Unicast mode (tests, loopback): bind `bindAddress` (IPv6 → udp6, IPv4 → udp4), no multicast.
 */
export type SdpServerOptions = SdpServerCommon &
  ({ readonly multicastInterface: string; readonly bindAddress?: never } | { readonly bindAddress: string; readonly multicastInterface?: never });

export interface SdpServer {
  address(): AddressInfo;
  /** Stops listening (and leaves the group); resolves once the socket is closed. Idempotent. */
  close(): Promise<void>;
}

/** Binds, joins the group in multicast mode, and resolves once datagrams can arrive. Rejects with SdpError. */
export async function startSdpServer(options: SdpServerOptions): Promise<SdpServer> {
  const port = options.port ?? SDP_SERVER_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new SdpError('options', `not a UDP port: ${port}`);
  const multicast = options.multicastInterface;
  const bindAddress = options.bindAddress;
  if ((multicast === undefined) === (bindAddress === undefined)) {
    throw new SdpError('options', 'give exactly one of multicastInterface and bindAddress');
  }
  // Checked before any socket exists: Node would accept an unknown name silently (see sdpInterface.ts).
  const membershipInterface = multicast === undefined ? undefined : multicastInterfaceAddress(multicast);
  const family = bindAddress === undefined ? 6 : isIP(bindAddress);
  if (family === 0) throw new SdpError('options', `bindAddress is not an IP address: ${JSON.stringify(bindAddress)}`);

  // SDP itself is IPv6-only; in multicast mode ipv6Only keeps the [::] socket from also taking IPv4 traffic.
  const socket = createSocket({
    type: family === 4 ? 'udp4' : 'udp6',
    ipv6Only: membershipInterface !== undefined,
    reuseAddr: options.reuseAddr ?? false,
  });
  await bind(socket, port, bindAddress ?? '::');
  if (membershipInterface !== undefined) {
    try {
      socket.addMembership(SDP_MULTICAST_GROUP, membershipInterface);
    } catch (e) {
      socket.close();
      throw new SdpError('socket', `cannot join ${SDP_MULTICAST_GROUP} on ${membershipInterface}: ${messageOf(e)}`, { cause: e });
    }
  }

  const emit = options.onEvent ?? ((): void => undefined);
  socket.on('error', (e) => emit({ type: 'error', error: new SdpError('socket', `SDP server socket: ${e.message}`, { cause: e }) }));
  socket.on('message', (datagram, from) => answer(socket, datagram, from, options.decide, emit));

  let closed: Promise<void> | undefined;
  return {
    address: () => socket.address(),
    close: () => (closed ??= new Promise<void>((resolve) => socket.close(() => resolve()))),
  };
}

function answer(socket: Socket, datagram: Buffer, from: RemoteInfo, decide: SdpDecision, emit: (event: SdpServerEvent) => void): void {
  let request: SdpRequest;
  try {
    request = decodeSdpRequest(datagram);
  } catch (e) {
    if (!(e instanceof SdpError)) throw e;
    emit({ type: 'dropped', reason: 'malformed', from, error: e });
    return;
  }
  emit({ type: 'request', request, from });
  // UDP transport is reserved: a V2G session needs TCP, whatever the decision callback would say (notes §6).
  if (request.transport !== 'tcp') {
    emit({ type: 'dropped', reason: 'udp-transport', from });
    return;
  }
  const response = decide(request, from);
  if (response === undefined) {
    emit({ type: 'dropped', reason: 'no-answer', from });
    return;
  }
  let bytes: Buffer;
  try {
    bytes = encodeSdpResponse(response);
  } catch (e) {
    if (!(e instanceof SdpError)) throw e;
    emit({ type: 'dropped', reason: 'invalid-response', from, error: e });
    return;
  }
  // Unicast back to the requester; for a link-local source rinfo.address carries the zone (fe80::…%eth0).
  socket.send(bytes, from.port, from.address, (e) => {
    if (e) emit({ type: 'error', error: new SdpError('socket', `cannot answer ${from.address}:${from.port}: ${e.message}`, { cause: e }) });
    else emit({ type: 'response', response, to: from });
  });
}

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => {
      socket.close();
      reject(new SdpError('socket', `cannot bind UDP [${address}]:${port}: ${e.message}`, { cause: e }));
    };
    socket.once('error', onError);
    socket.bind({ port, address }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
