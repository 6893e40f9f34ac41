// SDP request and response as complete V2GTP datagrams (notes §6). Request payload: security, transport (2 bytes).
// Response payload: SECC IPv6 address (16), TCP port (u16 BE), security, transport (20 bytes).
import { decodeV2gtp, encodeV2gtp, PAYLOAD_TYPE, payloadTypeName, V2gtpError } from '../transport/index.js';
import { ipv6FromBytes, ipv6ToBytes } from './ipv6Address.js';
import { SdpError } from './sdpError.js';

/** 'tls' = byte 0x00 (secured with TLS), 'none' = byte 0x10 (no transport layer security). */
export type SdpSecurity = 'tls' | 'none';
/** 'tcp' = byte 0x00; 'udp' = byte 0x10 is defined but reserved: a V2G session needs TCP, so no SECC answers it. */
export type SdpTransport = 'tcp' | 'udp';

export interface SdpRequest {
  readonly security: SdpSecurity;
  readonly transport: SdpTransport;
}

export interface SdpResponse {
  /** SECC address as Node formats IPv6; an IPv4 address is carried (and decoded) as IPv4-mapped, e.g. ::ffff:127.0.0.1. */
  readonly address: string;
  /** The SECC's TCP (or TLS) server port; deployments take it from the dynamic range 49152–65535 (notes §6). */
  readonly port: number;
  readonly security: SdpSecurity;
  readonly transport: SdpTransport;
}

export const SDP_REQUEST_PAYLOAD_LENGTH = 2;
export const SDP_RESPONSE_PAYLOAD_LENGTH = 20;

const SECURITY_BYTE: Readonly<Record<SdpSecurity, number>> = { tls: 0x00, none: 0x10 };
const TRANSPORT_BYTE: Readonly<Record<SdpTransport, number>> = { tcp: 0x00, udp: 0x10 };

export function encodeSdpRequest(request: SdpRequest): Buffer {
  return encodeV2gtp(PAYLOAD_TYPE.sdpRequest, Uint8Array.of(SECURITY_BYTE[request.security], TRANSPORT_BYTE[request.transport]));
}

export function decodeSdpRequest(datagram: Uint8Array): SdpRequest {
  const payload = sdpPayload(datagram, PAYLOAD_TYPE.sdpRequest, SDP_REQUEST_PAYLOAD_LENGTH);
  return { security: securityOf(payload[0]), transport: transportOf(payload[1]) };
}

export function encodeSdpResponse(response: SdpResponse): Buffer {
  checkPort(response.port);
  const payload = Buffer.alloc(SDP_RESPONSE_PAYLOAD_LENGTH);
  ipv6ToBytes(response.address).copy(payload, 0);
  payload.writeUInt16BE(response.port, 16);
  payload[18] = SECURITY_BYTE[response.security];
  payload[19] = TRANSPORT_BYTE[response.transport];
  return encodeV2gtp(PAYLOAD_TYPE.sdpResponse, payload);
}

export function decodeSdpResponse(datagram: Uint8Array): SdpResponse {
  const payload = sdpPayload(datagram, PAYLOAD_TYPE.sdpResponse, SDP_RESPONSE_PAYLOAD_LENGTH);
  const port = payload.readUInt16BE(16);
  checkPort(port);
  return {
    address: ipv6FromBytes(payload.subarray(0, 16)),
    port,
    security: securityOf(payload[18]),
    transport: transportOf(payload[19]),
  };
}

/** The payload of a datagram of the expected type and exact length; every V2GTP-level failure becomes SdpError('header'). */
function sdpPayload(datagram: Uint8Array, expectedType: number, expectedLength: number): Buffer {
  let message;
  try {
    // The length cap only guards the header check; the exact SDP length is judged below with its own code.
    message = decodeV2gtp(datagram, { maxPayloadBytes: 0xffff });
  } catch (e) {
    if (e instanceof V2gtpError) throw new SdpError('header', `invalid V2GTP header: ${e.message}`, { cause: e });
    throw e;
  }
  if (message.payloadType !== expectedType) {
    throw new SdpError('payload-type', `expected ${payloadTypeName(expectedType)}, got ${payloadTypeName(message.payloadType)}`);
  }
  if (message.payload.length !== expectedLength) {
    throw new SdpError('length', `${payloadTypeName(expectedType)} payload has ${message.payload.length} bytes, expected ${expectedLength}`);
  }
  return message.payload;
}

function securityOf(byte: number | undefined): SdpSecurity {
  if (byte === SECURITY_BYTE.tls) return 'tls';
  if (byte === SECURITY_BYTE.none) return 'none';
  throw new SdpError('security', `unknown security byte ${hexByte(byte)} (0x00 = TLS, 0x10 = no TLS)`);
}

function transportOf(byte: number | undefined): SdpTransport {
  if (byte === TRANSPORT_BYTE.tcp) return 'tcp';
  if (byte === TRANSPORT_BYTE.udp) return 'udp';
  throw new SdpError('transport', `unknown transport byte ${hexByte(byte)} (0x00 = TCP, 0x10 = UDP)`);
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) throw new SdpError('port', `not a TCP port: ${port}`);
}

const hexByte = (b: number | undefined): string => (b === undefined ? 'missing' : `0x${b.toString(16).toUpperCase().padStart(2, '0')}`);
