// One V2G communication session's byte channel: V2GTP messages in and out of a TCP or TLS socket, one request or
// response at a time, with a time limit on every wait. A framing error or an oversize payload ends the channel.
import type { Socket } from 'node:net';
import { encodeV2gtp, V2gtpError, V2gtpFramer, type V2gtpMessage } from '../transport/index.js';

export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    readonly code: 'timeout' | 'closed' | 'framing',
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export interface V2gChannelOptions {
  /** Largest V2GTP payload accepted (a -2 CertificateInstallationRes is ~5 kB; default 64 KiB). */
  readonly maxPayloadBytes?: number;
  readonly allowedPayloadTypes?: Iterable<number>;
}

export class V2gChannel {
  private readonly framer: V2gtpFramer;
  private readonly queue: V2gtpMessage[] = [];
  private waiter: { resolve: (m: V2gtpMessage) => void; reject: (e: Error) => void } | undefined;
  private failure: ChannelError | undefined;

  constructor(
    readonly socket: Socket,
    options: V2gChannelOptions = {},
  ) {
    this.framer = new V2gtpFramer({
      maxPayloadBytes: options.maxPayloadBytes ?? 65_536,
      ...(options.allowedPayloadTypes ? { allowedPayloadTypes: options.allowedPayloadTypes } : {}),
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new ChannelError('closed', `connection error: ${e.message}`, e)));
    socket.on('close', () => this.fail(new ChannelError('closed', 'the peer closed the connection')));
    socket.on('end', () => this.fail(new ChannelError('closed', 'the peer ended the connection')));
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    let messages: V2gtpMessage[];
    try {
      messages = this.framer.push(chunk);
    } catch (e) {
      if (!(e instanceof V2gtpError)) throw e;
      this.fail(new ChannelError('framing', `V2GTP ${e.code}: ${e.message}`, e));
      return;
    }
    for (const m of messages) {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve(m);
      } else this.queue.push(m);
    }
  }

  private fail(error: ChannelError): void {
    if (this.failure) return;
    this.failure = error;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(error);
    }
  }

  /** The next message, or a ChannelError when none arrives within `timeoutMs` or the channel broke. */
  receive(timeoutMs: number): Promise<V2gtpMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new Error('V2gChannel.receive: a receive is already pending'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new ChannelError('timeout', `no message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  send(payloadType: number, payload: Uint8Array): void {
    if (this.failure) return;
    this.socket.write(encodeV2gtp(payloadType, payload));
  }

  /** Ends the session: flush what was written, then close. */
  close(): void {
    this.fail(new ChannelError('closed', 'the session ended'));
    this.socket.end();
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  get broken(): ChannelError | undefined {
    return this.failure;
  }
}
