// The CSMS load generator: N OCPP 2.0.1 stations on raw `ws` WebSockets (security profile 1, Basic auth, no
// compression), ramped up with bounded concurrency, each booted with BootNotification, then PnC cycles spread over the
// stations — Authorize with the contract chain's OCSP request data, and after an accepted one a TransactionEvent
// Started and Ended. Closed loop (`inflight` cycles at once) or open loop (`ratePerSecond` cycle starts, inflight as a
// cap). Each station has at most one CALL outstanding, as OCPP-J requires. Latencies from process.hrtime.bigint() go
// into fixed-size histograms; only CALLs sent inside the measured window (after the warm-up) count.
//
// Lean on purpose: per station one WebSocket and one small object; one timer sweeps time-outs for all of them.
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { OCPP201_SUBPROTOCOL } from '../../ocpp/ocppPeer.js';
import { LatencyHistogram } from './latencyHistogram.js';
import { stationIdentity, type LoadGeneratorConfig, type LoadToken } from './loadConfig.js';
import type { LoadReport, RequestStats } from './loadReport.js';
import {
  answerCsmsCall,
  authorizeRequest,
  authorizeVerdict,
  bootNotification,
  callFrame,
  parseIncomingFrame,
  rawText,
  transactionEnded,
  transactionStarted,
  transactionVerdict,
  type AnswerVerdict,
} from './ocppLoadMessages.js';

/** Progress for stderr: phase changes and periodic counters. */
export type LoadProgress = (event: Readonly<Record<string, unknown>>) => void;

type Outcome = { readonly kind: 'result'; readonly payload: unknown } | { readonly kind: 'error'; readonly code: string } | { readonly kind: 'timeout' | 'closed' | 'unanswered' };

interface CallResult {
  readonly outcome: Outcome;
  readonly sentNs: bigint;
  readonly endNs: bigint;
}

class Station {
  ws: WebSocket | undefined;
  open = false;
  /** BootNotification answered Accepted: the station takes part in the load. */
  booted = false;
  nextId = 0;
  transactions = 0;
  pendingId: string | undefined;
  pendingSince = 0n;
  pendingDone: ((outcome: Outcome, endNs: bigint) => void) | undefined;
  constructor(
    readonly index: number,
    readonly identity: string,
  ) {}
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

class RequestAccumulator {
  readonly histogram = new LatencyHistogram();
  sent = 0;
  answered = 0;
  accepted = 0;
  rejected = 0;
  timeouts = 0;
  closed = 0;
  unanswered = 0;
  readonly statuses: Record<string, number> = {};
  readonly callErrors: Record<string, number> = {};

  /** Returns whether the CSMS accepted. */
  account(r: CallResult, verdict: (payload: unknown) => AnswerVerdict): boolean {
    this.sent++;
    switch (r.outcome.kind) {
      case 'result': {
        this.answered++;
        this.histogram.recordSince(r.sentNs, r.endNs);
        const v = verdict(r.outcome.payload);
        bump(this.statuses, v.status);
        if (v.accepted) this.accepted++;
        else this.rejected++;
        return v.accepted;
      }
      case 'error':
        this.answered++;
        this.histogram.recordSince(r.sentNs, r.endNs);
        bump(this.callErrors, r.outcome.code);
        return false;
      case 'timeout':
        this.timeouts++;
        return false;
      case 'closed':
        this.closed++;
        return false;
      case 'unanswered':
        this.unanswered++;
        return false;
    }
  }

  merge(other: RequestAccumulator): RequestAccumulator {
    const m = new RequestAccumulator();
    for (const a of [this, other]) {
      m.histogram.add(a.histogram);
      m.sent += a.sent;
      m.answered += a.answered;
      m.accepted += a.accepted;
      m.rejected += a.rejected;
      m.timeouts += a.timeouts;
      m.closed += a.closed;
      m.unanswered += a.unanswered;
      for (const [k, v] of Object.entries(a.statuses)) m.statuses[k] = (m.statuses[k] ?? 0) + v;
      for (const [k, v] of Object.entries(a.callErrors)) m.callErrors[k] = (m.callErrors[k] ?? 0) + v;
    }
    return m;
  }

  stats(seconds: number): RequestStats {
    return {
      sent: this.sent,
      answered: this.answered,
      accepted: this.accepted,
      perSecond: seconds > 0 ? Math.round((this.answered / seconds) * 10) / 10 : 0,
      latency: this.histogram.summary(),
      statuses: { ...this.statuses },
      errors: { timeouts: this.timeouts, callErrors: { ...this.callErrors }, rejected: this.rejected, closed: this.closed, unanswered: this.unanswered },
    };
  }
}

/** FIFO of idle station indices (each booted station is in it at most once). */
class IdleQueue {
  private readonly slots: Int32Array;
  private head = 0;
  private size = 0;
  constructor(capacity: number) {
    this.slots = new Int32Array(Math.max(1, capacity));
  }
  get length(): number {
    return this.size;
  }
  push(i: number): void {
    this.slots[(this.head + this.size) % this.slots.length] = i;
    this.size++;
  }
  shift(): number | undefined {
    if (this.size === 0) return undefined;
    const i = this.slots[this.head]!;
    this.head = (this.head + 1) % this.slots.length;
    this.size--;
    return i;
  }
}

const NS_PER_MS = 1_000_000n;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runLoadGenerator(config: LoadGeneratorConfig, progress: LoadProgress = () => undefined): Promise<LoadReport> {
  const stations = Array.from({ length: config.stations.count }, (_, i) => new Station(i, stationIdentity(config.stations.prefix, config.stations.first + i)));
  const pending = new Set<Station>();
  const timeoutNs = BigInt(config.requestTimeoutMs) * NS_PER_MS;
  const csmsCalls: Record<string, number> = {};
  const protocolErrors = { malformed: 0, unexpected: 0 };
  const failed: Record<string, number> = {};
  const boot: Record<string, number> = {};
  const closedDuringRun: Record<string, number> = {};
  let opened = 0;
  let booted = 0;
  let ending = false;
  const now = (): bigint => process.hrtime.bigint();

  let rssPeak = process.memoryUsage.rss();
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 500);

  const finish = (s: Station, outcome: Outcome, endNs: bigint): void => {
    const done = s.pendingDone;
    s.pendingId = undefined;
    s.pendingDone = undefined;
    pending.delete(s);
    done?.(outcome, endNs);
  };

  const sweep = setInterval(() => {
    const t = now();
    for (const s of pending) if (t - s.pendingSince > timeoutNs) finish(s, { kind: 'timeout' }, t);
  }, Math.min(100, Math.max(5, Math.floor(config.requestTimeoutMs / 4))));

  /** One CALL from station `s`; never rejects. */
  const call = (s: Station, action: string, payload: object | string): Promise<CallResult> =>
    new Promise((resolve) => {
      const id = String(++s.nextId);
      const sentNs = now();
      // After the end nothing more is sent: cycles still under way stop at their next CALL.
      if (ending || !s.open || !s.ws) {
        resolve({ outcome: { kind: 'closed' }, sentNs, endNs: sentNs });
        return;
      }
      s.pendingId = id;
      s.pendingSince = sentNs;
      s.pendingDone = (outcome, endNs) => resolve({ outcome, sentNs, endNs });
      pending.add(s);
      s.ws.send(callFrame(id, action, payload));
    });

  const onMessage = (s: Station, data: WebSocket.RawData): void => {
    const endNs = now();
    const frame = parseIncomingFrame(rawText(data));
    if (!frame) {
      protocolErrors.malformed++;
      return;
    }
    if (frame.type === 2) {
      bump(csmsCalls, frame.action);
      const answer = answerCsmsCall(frame.action, frame.payload);
      s.ws?.send(JSON.stringify('result' in answer ? [3, frame.id, answer.result] : [4, frame.id, answer.error.code, answer.error.description, {}]));
      return;
    }
    if (frame.id !== s.pendingId) {
      protocolErrors.unexpected++;
      return;
    }
    finish(s, frame.type === 3 ? { kind: 'result', payload: frame.payload } : { kind: 'error', code: frame.code }, endNs);
  };

  // --- ramp-up: handshake + BootNotification, `connectConcurrency` at a time ---
  const authorization = (identity: string): string => `Basic ${Buffer.from(`${identity}:${config.stations.password}`).toString('base64')}`;

  const connect = (s: Station): Promise<void> =>
    new Promise((resolve) => {
      let settled = false;
      const fail = (reason: string): void => {
        if (settled) return;
        settled = true;
        bump(failed, reason);
        ws.terminate();
        resolve();
      };
      const ws = new WebSocket(`${config.url}/${encodeURIComponent(s.identity)}`, [OCPP201_SUBPROTOCOL], {
        headers: { authorization: authorization(s.identity) },
        perMessageDeflate: false,
        handshakeTimeout: config.connectTimeoutMs,
        maxPayload: config.maxFrameBytes,
        followRedirects: false,
      });
      s.ws = ws;
      ws.on('unexpected-response', (req, res) => {
        res.resume();
        req.destroy();
        fail(`http-${res.statusCode ?? 'unknown'}`);
      });
      ws.on('error', (e: NodeJS.ErrnoException) => {
        if (!settled) fail(e.code ?? (/timed? ?out/i.test(e.message) ? 'timeout' : e.message.slice(0, 60)));
      });
      ws.on('message', (data) => onMessage(s, data));
      ws.on('close', (code) => {
        const wasOpen = s.open;
        s.open = false;
        if (s.pendingId !== undefined) finish(s, { kind: 'closed' }, now());
        if (wasOpen && !ending) bump(closedDuringRun, String(code));
        // Closed after the handshake: the BootNotification under way ends `closed` and says so in `boot`.
        if (!settled && !wasOpen) fail(`closed-${code}`);
      });
      ws.on('open', () => {
        if (ws.protocol !== OCPP201_SUBPROTOCOL) {
          fail('no-subprotocol');
          return;
        }
        opened++;
        s.open = true;
        void call(s, 'BootNotification', bootNotification).then(({ outcome }) => {
          if (settled) return;
          settled = true;
          if (outcome.kind === 'result') {
            const status = (outcome.payload as { status?: unknown } | null)?.status;
            const label = typeof status === 'string' ? status : 'malformed';
            bump(boot, label);
            if (label === 'Accepted') {
              booted++;
              s.booted = true;
            }
          } else {
            bump(boot, outcome.kind === 'error' ? `callerror-${outcome.code}` : outcome.kind);
          }
          resolve();
        });
      });
    });

  const rampStart = now();
  progress({ phase: 'connect', stations: stations.length });
  let nextToConnect = 0;
  const rampProgress =
    config.progressIntervalMs > 0
      ? setInterval(() => progress({ phase: 'connect', opened, booted, failed: Object.values(failed).reduce((a, b) => a + b, 0), seconds: Number(now() - rampStart) / 1e9 }), config.progressIntervalMs)
      : undefined;
  await Promise.all(
    Array.from({ length: Math.min(config.connectConcurrency, stations.length) }, async () => {
      while (nextToConnect < stations.length) await connect(stations[nextToConnect++]!);
    }),
  );
  clearInterval(rampProgress);
  const rampSeconds = Number(now() - rampStart) / 1e9;
  const idle = new IdleQueue(stations.length);
  // Only stations the CSMS accepted take part; a station is idle when it has no cycle under way.
  let bootedOpen = 0;
  for (const s of stations) {
    if (!s.open || !s.booted) continue;
    bootedOpen++;
    idle.push(s.index);
  }
  progress({ phase: 'connected', opened, booted, failed, boot, rampSeconds: Math.round(rampSeconds * 10) / 10 });

  // --- load ---
  const authorize = new RequestAccumulator();
  const started = new RequestAccumulator();
  const ended = new RequestAccumulator();
  const runTag = randomBytes(3).toString('hex');
  const loadStart = now();
  const warmEnd = loadStart + BigInt(Math.round(config.warmupS * 1000)) * NS_PER_MS;
  const measureEnd = warmEnd + BigInt(Math.round(config.durationS * 1000)) * NS_PER_MS;
  const inWindow = (t: bigint): boolean => t >= warmEnd && t < measureEnd;
  let stopping = false;
  let active = 0;
  let tokenCursor = 0;
  let acceptedCycles = 0;
  let missedStarts = 0;
  let intervalAuthorizes = 0;
  const authorizeJson = config.tokens.map((t) => JSON.stringify(authorizeRequest(t)));
  let cycleDone: (() => void) | undefined;

  const cycle = async (s: Station): Promise<void> => {
    active++;
    const k = tokenCursor++ % config.tokens.length;
    const token: LoadToken = config.tokens[k]!;
    const a = await call(s, 'Authorize', authorizeJson[k]!);
    if (a.outcome.kind === 'result' || a.outcome.kind === 'error') intervalAuthorizes++;
    const recorded = inWindow(a.sentNs);
    const ok = recorded ? authorize.account(a, authorizeVerdict) : authorizeVerdict(a.outcome.kind === 'result' ? a.outcome.payload : undefined).accepted;
    if (ok && config.transactionEvery > 0 && ++acceptedCycles % config.transactionEvery === 0 && s.open) {
      const transactionId = `${runTag}-${s.index}-${++s.transactions}`;
      const st = await call(s, 'TransactionEvent', transactionStarted(transactionId, token.emaid, new Date().toISOString()));
      if (inWindow(st.sentNs)) started.account(st, transactionVerdict);
      // A station ends what it started, whatever the CSMS said about the start.
      if (s.open) {
        const en = await call(s, 'TransactionEvent', transactionEnded(transactionId, token.emaid, new Date().toISOString(), 7500 + (s.transactions % 100)));
        if (inWindow(en.sentNs)) ended.account(en, transactionVerdict);
      }
    }
    active--;
    if (s.open) idle.push(s.index);
    if (stopping) {
      if (active === 0) cycleDone?.();
    } else if (config.ratePerSecond === undefined) {
      pump();
    }
  };

  /** Closed loop: keep `inflight` cycles under way. */
  const pump = (): void => {
    while (!stopping && active < config.inflight && idle.length > 0) void cycle(stations[idle.shift()!]!);
  };

  let cpuAtWarmEnd: NodeJS.CpuUsage | undefined;
  let cpuPercent = 0;
  let heldAtEnd = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let loopDelayP99Ms = 0;
  const windowTimers: NodeJS.Timeout[] = [];
  progress({ phase: config.warmupS > 0 ? 'warmup' : 'measure', booted: bootedOpen });
  windowTimers.push(
    setTimeout(() => {
      cpuAtWarmEnd = process.cpuUsage();
      loopDelay.enable();
      if (config.warmupS > 0) progress({ phase: 'measure' });
    }, config.warmupS * 1000),
  );

  let starts = 0;
  let rateTimer: NodeJS.Timeout | undefined;
  if (config.ratePerSecond !== undefined) {
    const rate = config.ratePerSecond;
    const rateStart = now();
    rateTimer = setInterval(() => {
      const t = now();
      const due = Math.floor((Number(t - rateStart) / 1e9) * rate);
      for (; starts < due; starts++) {
        if (stopping) return;
        if (active >= config.inflight || idle.length === 0) {
          if (inWindow(t)) missedStarts++;
          continue;
        }
        void cycle(stations[idle.shift()!]!);
      }
    }, 1);
  } else {
    pump();
  }

  let lastProgress = now();
  const loadProgress =
    config.progressIntervalMs > 0
      ? setInterval(() => {
          const t = now();
          const seconds = Number(t - lastProgress) / 1e9;
          progress({ phase: t < warmEnd ? 'warmup' : 'measure', authorizePerSecond: Math.round(intervalAuthorizes / seconds), inflight: active, open: stations.reduce((n, s) => n + (s.open ? 1 : 0), 0) });
          intervalAuthorizes = 0;
          lastProgress = t;
        }, config.progressIntervalMs)
      : undefined;

  await new Promise<void>((resolve) => windowTimers.push(setTimeout(resolve, Math.max(0, Number(measureEnd - now()) / 1e6))));
  stopping = true;
  clearInterval(rateTimer);
  clearInterval(loadProgress);
  const measuredSeconds = config.durationS;
  heldAtEnd = stations.reduce((n, s) => n + (s.open ? 1 : 0), 0);
  if (cpuAtWarmEnd) {
    const used = process.cpuUsage(cpuAtWarmEnd);
    cpuPercent = Math.round(((used.user + used.system) / 1e6 / config.durationS) * 1000) / 10;
  }
  loopDelay.disable();
  loopDelayP99Ms = loopDelay.count > 0 ? Math.round(loopDelay.percentile(99) / 1e4) / 100 : 0;
  progress({ phase: 'drain', inflight: active });

  // Cycles under way complete (their transactions end); after three time-outs the rest count as unanswered.
  if (active > 0) {
    let drainTimer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      cycleDone = resolve;
      drainTimer = setTimeout(resolve, 3 * config.requestTimeoutMs + 1000);
    });
    clearTimeout(drainTimer);
  }
  ending = true;
  const t = now();
  for (const s of [...pending]) finish(s, { kind: 'unanswered' }, t);
  await sleep(0);

  clearInterval(sweep);
  clearInterval(rssTimer);
  for (const timer of windowTimers) clearTimeout(timer);
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  for (const s of stations) s.ws?.terminate();
  progress({ phase: 'done' });

  return {
    format: 'pnc-csms-load/1',
    config: {
      url: config.url,
      stations: stations.length,
      tokens: config.tokens.length,
      inflight: config.inflight,
      ...(config.ratePerSecond !== undefined ? { ratePerSecond: config.ratePerSecond } : {}),
      durationS: config.durationS,
      warmupS: config.warmupS,
      transactionEvery: config.transactionEvery,
    },
    connections: { attempted: stations.length, opened, failed, boot, booted, heldAtEnd, closedDuringRun, rampSeconds: Math.round(rampSeconds * 100) / 100 },
    measuredSeconds,
    authorize: authorize.stats(measuredSeconds),
    transactionStarted: started.stats(measuredSeconds),
    transactionEnded: ended.stats(measuredSeconds),
    transactionEvent: started.merge(ended).stats(measuredSeconds),
    missedStarts,
    csmsCalls,
    protocolErrors,
    generator: { rssPeakMb: Math.round(rssPeak / 1048576), cpuPercent, eventLoopDelayP99Ms: loopDelayP99Ms },
  };
}
