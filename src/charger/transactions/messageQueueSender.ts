// Delivers the durable queue (TransactionEvents) to the CSMS strictly in order, one at a time, while the station is
// connected and accepted. A message leaves the queue only after the CSMS answered it and the answer was handled, so a
// crash at any point re-sends at most the one message in flight (the CSMS sees it twice with the same seqNo and
// drops the repeat). A CALLERROR counts as an attempt; after OCPPCommCtrlr.MessageAttemptsTransactionEvent attempts
// the message is given up (the CSMS keeps refusing it), traced as an error — never silently.
import { RPCError, TimeoutError } from '../../ocpp/ocppRpc.js';
import type { TransactionEventRequest, TransactionEventResponse } from '../../ocpp/generated/ocpp201.js';
import type { OcppPeer } from '../../ocpp/ocppPeer.js';
import type { Tracer } from '../../trace/tracer.js';
import type { ChargerStateStore, QueuedMessage } from '../store/chargerStateStore.js';
import { ChargerStoreError } from '../store/chargerStoreError.js';

export interface MessageQueueSenderOptions {
  readonly store: Pick<ChargerStateStore, 'peekQueue' | 'ackQueued' | 'recordAttempt'>;
  /** The CSMS connection once BootNotification was accepted; undefined otherwise. */
  readonly peer: () => OcppPeer | undefined;
  readonly callTimeoutMs: () => number;
  readonly maxAttempts: () => number;
  readonly attemptIntervalMs: () => number;
  /** Handles the CSMS's answer before the message leaves the queue (reconciliation of offline transactions). */
  readonly onResponse: (request: TransactionEventRequest, response: TransactionEventResponse) => Promise<void>;
  readonly tracer: Tracer;
}

export class MessageQueueSender {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly o: MessageQueueSenderOptions) {}

  /** Something was queued or the connection came back: deliver what is waiting. */
  kick(): void {
    if (this.stopped) return;
    this.wake?.();
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when the current delivery round has ended (queue empty, or the CSMS unavailable). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.settled();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const peer = this.o.peer();
      if (!peer) return;
      let next: QueuedMessage | undefined;
      try {
        [next] = await this.o.store.peekQueue(1);
      } catch (e) {
        // A row that no longer opens (tampered, or sealed under another key) can never be sent; leaving it would stop
        // every later event. It is reported and dropped.
        if (!(e instanceof ChargerStoreError && e.code === 'unreadable-row' && typeof e.rowId === 'number')) throw e;
        this.o.tracer.emit({ kind: 'error', party: 'charger', error: 'queued message unreadable', detail: `row ${e.rowId}: ${e.message}; dropped` });
        await this.o.store.ackQueued(e.rowId);
        continue;
      }
      if (!next) return;
      const delivered = await this.deliver(peer, next);
      if (!delivered) return;
    }
  }

  /** True when the message left the queue (answered or given up); false when the CSMS could not be reached. */
  private async deliver(peer: OcppPeer, m: QueuedMessage): Promise<boolean> {
    const request = m.request as unknown as TransactionEventRequest;
    const label = `${request.eventType} seqNo ${request.seqNo}${request.offline ? ' (offline)' : ''}`;
    let response: TransactionEventResponse;
    const t0 = performance.now();
    try {
      response = await peer.call('TransactionEvent', request, { timeoutMs: this.o.callTimeoutMs() });
    } catch (e) {
      if (e instanceof RPCError) {
        const attempts = m.attempts + 1;
        await this.o.store.recordAttempt(m.id);
        if (attempts >= this.o.maxAttempts()) {
          this.o.tracer.emit({ kind: 'error', party: 'charger', error: 'TransactionEvent given up', detail: `${label}: ${e.rpcErrorCode} ${e.message} after ${attempts} attempts` });
          await this.o.store.ackQueued(m.id);
          return true;
        }
        this.o.tracer.emit({ kind: 'error', party: 'charger', error: 'TransactionEvent refused', detail: `${label}: ${e.rpcErrorCode} ${e.message}; attempt ${attempts} of ${this.o.maxAttempts()}` });
        await this.pause(this.o.attemptIntervalMs());
        return !this.stopped;
      }
      // Not answered (time-out, connection gone): keep it and wait for the connection to come back.
      if (e instanceof TimeoutError || (e instanceof Error && /closed|not open|disconnect/i.test(e.message))) return false;
      throw e;
    }
    this.o.tracer.emit({ kind: 'message', party: 'charger', from: 'csms', to: 'charger', message: 'TransactionEventResponse', detail: `${label}${response.idTokenInfo ? `: idToken ${response.idTokenInfo.status}` : ''}`, ms: performance.now() - t0 });
    await this.o.onResponse(request, response);
    await this.o.store.ackQueued(m.id);
    return true;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
