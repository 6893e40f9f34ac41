// Splits a TCP byte stream into V2GTP messages. TCP has no message boundaries: one read may hold part of a header,
// several messages, or the end of one and the start of the next.
import { V2gtpError } from './v2gtpError.js';
import {
  checkMaxPayload,
  DEFAULT_MAX_PAYLOAD_BYTES,
  parseV2gtpHeader,
  V2GTP_HEADER_LENGTH,
  type V2gtpHeader,
  type V2gtpMessage,
} from './v2gtpHeader.js';

export interface V2gtpFramerOptions {
  /** Largest accepted payload; default 1 MiB. A larger declared length is refused as soon as its header is complete. */
  readonly maxPayloadBytes?: number;
  /** When given, any other (even valid) payload type is refused with code 'payload-type'. */
  readonly allowedPayloadTypes?: Iterable<number>;
}

/**
 * Pushed chunks are queued as they are (no concatenation per push, which is quadratic for many small reads) and
 * copied exactly once into each message's payload. Memory held is bounded by header + maxPayloadBytes: a message is
 * emitted the moment it is complete, and nothing is allocated from a declared length before its bytes have arrived.
 *
 * Any error poisons the framer: after a bad header the stream position is lost, so the only safe reaction is to close
 * the connection (Josev rejects invalid headers, notes §6). Messages completed earlier in the same push are discarded
 * too: the peer has broken the protocol and the session ends anyway.
 */
export class V2gtpFramer {
  readonly #maxPayloadBytes: number;
  readonly #allowed: ReadonlySet<number> | undefined;
  /** Unconsumed chunks; #chunks[0] starts at #offset. */
  #chunks: Buffer[] = [];
  #offset = 0;
  #buffered = 0;
  /** The header of the message whose payload is awaited. */
  #header: V2gtpHeader | undefined;
  #error: V2gtpError | undefined;

  constructor(options: V2gtpFramerOptions = {}) {
    this.#maxPayloadBytes = checkMaxPayload(options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES);
    this.#allowed = options.allowedPayloadTypes === undefined ? undefined : new Set(options.allowedPayloadTypes);
  }

  /** Bytes received but not yet part of an emitted message (header bytes included). */
  get bufferedBytes(): number {
    return this.#buffered + (this.#header === undefined ? 0 : V2GTP_HEADER_LENGTH);
  }

  /** The error that poisoned this framer, if any. */
  get error(): V2gtpError | undefined {
    return this.#error;
  }

  /** Adds one read; returns the messages it completed, in order. Throws (and keeps throwing) V2gtpError. */
  push(chunk: Uint8Array): V2gtpMessage[] {
    if (this.#error !== undefined) throw this.#error;
    if (chunk.length === 0) return [];
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#chunks.push(buf);
    this.#buffered += buf.length;

    const messages: V2gtpMessage[] = [];
    for (;;) {
      if (this.#header === undefined) {
        if (this.#buffered < V2GTP_HEADER_LENGTH) break;
        this.#header = this.#parseHeader(this.#take(V2GTP_HEADER_LENGTH));
      }
      if (this.#buffered < this.#header.length) break;
      messages.push({ payloadType: this.#header.payloadType, payload: this.#take(this.#header.length) });
      this.#header = undefined;
    }
    this.#retainTail(buf);
    return messages;
  }

  /** The stream ended (TCP FIN): anything still buffered is a truncated message. */
  end(): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.bufferedBytes > 0) {
      throw this.#poison(new V2gtpError('truncated', `stream ended inside a message (${this.bufferedBytes} bytes pending)`));
    }
  }

  #parseHeader(bytes: Buffer): V2gtpHeader {
    try {
      return parseV2gtpHeader(bytes, this.#maxPayloadBytes, this.#allowed);
    } catch (e) {
      // Only our own typed error poisons; anything else is a bug and propagates untouched.
      if (e instanceof V2gtpError) throw this.#poison(e);
      throw e;
    }
  }

  #poison(e: V2gtpError): V2gtpError {
    this.#error = e;
    this.#chunks = [];
    this.#offset = 0;
    this.#buffered = 0;
    this.#header = undefined;
    return e;
  }

  /** Copies the next n (≤ #buffered) bytes out of the queue; whole chunks are dropped with one splice at the end. */
  #take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    let index = 0;
    while (written < n) {
      const c = this.#chunks[index];
      if (c === undefined) throw new Error('V2gtpFramer: buffered byte count out of step with the queue');
      const k = Math.min(c.length - this.#offset, n - written);
      c.copy(out, written, this.#offset, this.#offset + k);
      written += k;
      this.#offset += k;
      if (this.#offset === c.length) {
        index++;
        this.#offset = 0;
      }
    }
    if (index > 0) this.#chunks.splice(0, index);
    this.#buffered -= n;
    return out;
  }

  /**
   * The caller may reuse the memory of a chunk after push returns, so the unconsumed part of this push's chunk is
   * copied (each byte at most once). Earlier chunks were copied by the push that brought them.
   */
  #retainTail(buf: Buffer): void {
    const last = this.#chunks.length - 1;
    if (last < 0 || this.#chunks[last] !== buf) return;
    if (last === 0) {
      this.#chunks[0] = Buffer.from(buf.subarray(this.#offset));
      this.#offset = 0;
    } else {
      this.#chunks[last] = Buffer.from(buf);
    }
  }
}
