// What the load generator process is told to do: one JSON document (a file named by --config), checked here, since
// it crosses a process boundary. The station naming convention lives here too, shared with the orchestrator.
import type { OCSPRequestDataType } from '../../ocpp/generated/ocpp201.js';

/** One PnC contract the stations present: the eMAID and the OCSP request data of its chain (leaf first). */
export interface LoadToken {
  readonly emaid: string;
  readonly hashData: readonly OCSPRequestDataType[];
}

export interface LoadGeneratorConfig {
  /** ws://host:port[/path]; each station connects to `${url}/${identity}`. */
  readonly url: string;
  readonly stations: {
    readonly prefix: string;
    /** Number of the first station (identities prefix+first … prefix+(first+count−1)). */
    readonly first: number;
    readonly count: number;
    /** Security profile 1 Basic-auth password, the same for every station. */
    readonly password: string;
  };
  readonly tokens: readonly LoadToken[];
  /** Closed loop: PnC cycles in flight at once (each station has at most one CALL outstanding, OCPP-J §4.1.1). */
  readonly inflight: number;
  /** Open loop: Authorize cycles started per second (inflight then caps the cycles under way). */
  readonly ratePerSecond?: number;
  readonly durationS: number;
  /** Load before the measured window; nothing sent in it is recorded. */
  readonly warmupS: number;
  /** WebSocket handshakes (with their BootNotification) under way at once during ramp-up. */
  readonly connectConcurrency: number;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** A TransactionEvent Started + Ended after every n-th accepted Authorize; 0 = never. */
  readonly transactionEvery: number;
  /** Largest frame accepted from the CSMS. */
  readonly maxFrameBytes: number;
  /** Progress lines on stderr every this many ms (0: only phase changes). */
  readonly progressIntervalMs: number;
}

export class LoadConfigError extends Error {
  override readonly name = 'LoadConfigError';
}

export const LOAD_DEFAULTS = {
  inflight: 256,
  durationS: 30,
  warmupS: 5,
  connectConcurrency: 64,
  connectTimeoutMs: 30_000,
  requestTimeoutMs: 10_000,
  transactionEvery: 1,
  maxFrameBytes: 65_536,
  progressIntervalMs: 2000,
} as const;

/** The station naming convention the CSMS registry and the generator share: `LOAD-1`, `LOAD-2`, … */
export function stationIdentity(prefix: string, n: number): string {
  return `${prefix}${n}`;
}

const IDENTITY = /^[A-Za-z0-9*\-_=:+|@.]{1,48}$/;

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LoadConfigError(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function integer(o: Record<string, unknown>, key: string, min: number, max: number, fallback?: number): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new LoadConfigError(`${key} must be a whole number from ${min} to ${max}`);
  return v;
}

function positive(o: Record<string, unknown>, key: string, min: number, max: number, fallback?: number): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new LoadConfigError(`${key} must be a number from ${min} to ${max}`);
  return v;
}

function text(o: Record<string, unknown>, key: string, max: number): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new LoadConfigError(`${key} must be a string of 1 to ${max} characters`);
  return v;
}

const HASH_ALGORITHMS = new Set(['SHA256', 'SHA384', 'SHA512']);

function hashData(value: unknown, at: string): OCSPRequestDataType {
  const o = record(value, at);
  const alg = o.hashAlgorithm;
  if (typeof alg !== 'string' || !HASH_ALGORITHMS.has(alg)) throw new LoadConfigError(`${at}.hashAlgorithm must be SHA256, SHA384 or SHA512`);
  return {
    hashAlgorithm: alg as OCSPRequestDataType['hashAlgorithm'],
    issuerNameHash: text(o, 'issuerNameHash', 128),
    issuerKeyHash: text(o, 'issuerKeyHash', 128),
    serialNumber: text(o, 'serialNumber', 40),
    responderURL: text(o, 'responderURL', 512),
  };
}

function token(value: unknown, i: number): LoadToken {
  const o = record(value, `tokens[${i}]`);
  const list = o.hashData;
  // OCPP 2.0.1 AuthorizeRequest: iso15118CertificateHashData holds 1 to 4 entries.
  if (!Array.isArray(list) || list.length < 1 || list.length > 4) throw new LoadConfigError(`tokens[${i}].hashData must hold 1 to 4 entries`);
  return { emaid: text(o, 'emaid', 36), hashData: list.map((d, j) => hashData(d, `tokens[${i}].hashData[${j}]`)) };
}

/** Checks an untrusted config document and fills defaults. */
export function parseLoadGeneratorConfig(value: unknown): LoadGeneratorConfig {
  const o = record(value, 'the config');
  const url = text(o, 'url', 2048);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LoadConfigError(`url ${url} is not a URL`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new LoadConfigError('url must be ws:// or wss://');
  const s = record(o.stations, 'stations');
  const stations = {
    prefix: typeof s.prefix === 'string' ? s.prefix : '',
    first: integer(s, 'first', 0, 1e9, 1),
    count: integer(s, 'count', 1, 1_000_000),
    password: text(s, 'password', 64),
  };
  if (!IDENTITY.test(stationIdentity(stations.prefix, stations.first + stations.count - 1))) {
    throw new LoadConfigError(`stations.prefix ${JSON.stringify(stations.prefix)} makes identities that are not OCPP identifiers`);
  }
  if (!Array.isArray(o.tokens) || o.tokens.length === 0) throw new LoadConfigError('tokens must be a non-empty list');
  const rate = o.ratePerSecond;
  return {
    url: url.replace(/\/+$/, ''),
    stations,
    tokens: o.tokens.map(token),
    inflight: integer(o, 'inflight', 1, 1_000_000, LOAD_DEFAULTS.inflight),
    ...(rate !== undefined ? { ratePerSecond: positive(o, 'ratePerSecond', 0.1, 1_000_000) } : {}),
    durationS: positive(o, 'durationS', 0.05, 86_400, LOAD_DEFAULTS.durationS),
    warmupS: positive(o, 'warmupS', 0, 3600, LOAD_DEFAULTS.warmupS),
    connectConcurrency: integer(o, 'connectConcurrency', 1, 10_000, LOAD_DEFAULTS.connectConcurrency),
    connectTimeoutMs: integer(o, 'connectTimeoutMs', 100, 600_000, LOAD_DEFAULTS.connectTimeoutMs),
    requestTimeoutMs: integer(o, 'requestTimeoutMs', 10, 600_000, LOAD_DEFAULTS.requestTimeoutMs),
    transactionEvery: integer(o, 'transactionEvery', 0, 1_000_000, LOAD_DEFAULTS.transactionEvery),
    maxFrameBytes: integer(o, 'maxFrameBytes', 1024, 16 * 1024 * 1024, LOAD_DEFAULTS.maxFrameBytes),
    progressIntervalMs: integer(o, 'progressIntervalMs', 0, 3_600_000, LOAD_DEFAULTS.progressIntervalMs),
  };
}
