// The one JSON document the load generator prints on stdout, read back by the orchestrator.
import type { LatencySummary } from './latencyHistogram.js';

export interface RequestStats {
  /** CALLs sent inside the measured window. */
  readonly sent: number;
  /** Of those, answered with a CALLRESULT or a CALLERROR: exactly the latency samples. */
  readonly answered: number;
  /** Answered with a CALLRESULT the generator counts as accepted. */
  readonly accepted: number;
  /** answered ÷ measured seconds. */
  readonly perSecond: number;
  readonly latency: LatencySummary;
  /** Every status seen in a CALLRESULT, e.g. { "Accepted/Accepted": 9000, "Invalid/CertificateRevoked": 3 }. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: {
    /** No answer within requestTimeoutMs. */
    readonly timeouts: number;
    /** CALLERROR codes. */
    readonly callErrors: Readonly<Record<string, number>>;
    /** CALLRESULTs that are not accepted (non-Accepted statuses, malformed payloads). */
    readonly rejected: number;
    /** The connection closed while the CALL was outstanding. */
    readonly closed: number;
    /** Still outstanding when the generator gave up waiting at the end. */
    readonly unanswered: number;
  };
}

export interface LoadReport {
  readonly format: 'pnc-csms-load/1';
  readonly config: {
    readonly url: string;
    readonly stations: number;
    readonly tokens: number;
    readonly inflight: number;
    readonly ratePerSecond?: number;
    readonly durationS: number;
    readonly warmupS: number;
    readonly transactionEvery: number;
  };
  readonly connections: {
    readonly attempted: number;
    readonly opened: number;
    /** Failed handshakes by reason: `http-401`, `ECONNREFUSED`, `timeout`, `no-subprotocol` … */
    readonly failed: Readonly<Record<string, number>>;
    /** BootNotification statuses (or `timeout`, `callerror-<code>`, `closed`). */
    readonly boot: Readonly<Record<string, number>>;
    /** Stations that completed BootNotification Accepted and took part in the load. */
    readonly booted: number;
    /** Open WebSockets when the measured window ended. */
    readonly heldAtEnd: number;
    /** Open connections that closed before the end (by the CSMS, the network, or a frame over the size limit), by close code. */
    readonly closedDuringRun: Readonly<Record<string, number>>;
    readonly rampSeconds: number;
  };
  readonly measuredSeconds: number;
  readonly authorize: RequestStats;
  readonly transactionStarted: RequestStats;
  readonly transactionEnded: RequestStats;
  /** Started + Ended together. */
  readonly transactionEvent: RequestStats;
  /** Open loop: cycle starts due but skipped because every booted station was busy or inflight was reached. */
  readonly missedStarts: number;
  /** CSMS→station CALLs by action (answered by the load stations). */
  readonly csmsCalls: Readonly<Record<string, number>>;
  /** Frames that were not OCPP-J, and CALLRESULT/CALLERRORs for no outstanding CALL (late answers after a time-out). */
  readonly protocolErrors: { readonly malformed: number; readonly unexpected: number };
  /** The generator's own cost, to show it is not the bottleneck. */
  readonly generator: {
    readonly rssPeakMb: number;
    /** CPU of the generator during the measured window, % of one core. */
    readonly cpuPercent: number;
    readonly eventLoopDelayP99Ms: number;
  };
}
