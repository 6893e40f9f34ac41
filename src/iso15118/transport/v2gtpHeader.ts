// The 8-byte V2GTP header (notes §6): version 0x01, inverse version 0xFE, payload type u16 BE, payload length u32 BE
// (the length excludes the header). Encoding, header validation, and decoding of one complete datagram (SDP over UDP).
import { isKnownPayloadType, payloadTypeName } from './payloadType.js';
import { V2gtpError } from './v2gtpError.js';

export const V2GTP_VERSION = 0x01;
export const V2GTP_INVERSE_VERSION = 0xfe;
export const V2GTP_HEADER_LENGTH = 8;
/** Default cap on a payload: far above any ISO 15118 message (certificate chains stay in the kB range), far below memory trouble. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
const MAX_U32 = 0xffff_ffff;

export interface V2gtpHeader {
  readonly payloadType: number;
  /** Payload length in bytes, header excluded. */
  readonly length: number;
}

export interface V2gtpMessage {
  readonly payloadType: number;
  /** The payload in memory of its own (never a view on a caller's buffer). */
  readonly payload: Buffer;
}

export interface V2gtpLimits {
  /** Largest accepted payload length; default DEFAULT_MAX_PAYLOAD_BYTES. */
  readonly maxPayloadBytes?: number;
  /** When given, only these payload types are accepted (e.g. only 0x9000 on the SDP server). */
  readonly allowedPayloadTypes?: ReadonlySet<number>;
}

/** Throws a RangeError for a maximum that is not a length a u32 header can declare (a programming error, not peer input). */
export function checkMaxPayload(maxPayloadBytes: number): number {
  if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 0 || maxPayloadBytes > MAX_U32) {
    throw new RangeError(`maxPayloadBytes must be an integer in 0..${MAX_U32}, got ${maxPayloadBytes}`);
  }
  return maxPayloadBytes;
}

/** Header + payload. Refuses to put an undefined payload type on the wire, so we never send what a peer must reject. */
export function encodeV2gtp(payloadType: number, payload: Uint8Array): Buffer {
  if (!isKnownPayloadType(payloadType)) throw new V2gtpError('payload-type', `cannot encode ${payloadTypeName(payloadType)}`);
  if (payload.length > MAX_U32) throw new V2gtpError('too-large', `payload of ${payload.length} bytes exceeds the u32 length field`);
  const out = Buffer.allocUnsafe(V2GTP_HEADER_LENGTH + payload.length);
  out[0] = V2GTP_VERSION;
  out[1] = V2GTP_INVERSE_VERSION;
  out.writeUInt16BE(payloadType, 2);
  out.writeUInt32BE(payload.length, 4);
  out.set(payload, V2GTP_HEADER_LENGTH);
  return out;
}

/**
 * Validates the first 8 bytes in the order a receiver can judge them: version, payload type, length. Only the header is
 * read, so a stream can refuse a hostile length before a single payload byte is buffered.
 */
export function parseV2gtpHeader(bytes: Uint8Array, maxPayload: number, allowedPayloadTypes?: ReadonlySet<number>): V2gtpHeader {
  if (bytes.length < V2GTP_HEADER_LENGTH) {
    throw new V2gtpError('truncated', `${bytes.length} bytes, a V2GTP header needs ${V2GTP_HEADER_LENGTH}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, V2GTP_HEADER_LENGTH);
  const version = view.getUint8(0);
  const inverse = view.getUint8(1);
  if (version !== V2GTP_VERSION || inverse !== V2GTP_INVERSE_VERSION) {
    throw new V2gtpError('version', `protocol version 0x${hex2(version)}/0x${hex2(inverse)}, expected 0x01/0xFE`);
  }
  const payloadType = view.getUint16(2);
  if (!isKnownPayloadType(payloadType)) throw new V2gtpError('payload-type', `payload type ${payloadTypeName(payloadType)}`);
  if (allowedPayloadTypes !== undefined && !allowedPayloadTypes.has(payloadType)) {
    throw new V2gtpError('payload-type', `payload type ${payloadTypeName(payloadType)} is not allowed here`);
  }
  const length = view.getUint32(4);
  if (length > maxPayload) throw new V2gtpError('too-large', `payload length ${length} exceeds the maximum of ${maxPayload}`);
  return { payloadType, length };
}

/**
 * One complete datagram (SDP over UDP): UDP keeps message boundaries, so the declared length must match the bytes
 * after the header exactly; trailing or missing bytes mean a malformed datagram, not a partial read.
 */
export function decodeV2gtp(buffer: Uint8Array, options: V2gtpLimits = {}): V2gtpMessage {
  const max = checkMaxPayload(options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES);
  const header = parseV2gtpHeader(buffer, max, options.allowedPayloadTypes);
  const remaining = buffer.length - V2GTP_HEADER_LENGTH;
  if (header.length !== remaining) {
    throw new V2gtpError('length-mismatch', `header declares ${header.length} payload bytes, datagram carries ${remaining}`);
  }
  return { payloadType: header.payloadType, payload: Buffer.from(buffer.subarray(V2GTP_HEADER_LENGTH)) };
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
