// The client side of the CSMS admin API (what `pnc csms install-certificate …` uses): one JSON request, a time-out,
// a cap on the answer's size, and every failure as a typed AdminClientError.
import type { ReadableStream } from 'node:stream/web';
import type { Ocpp201Action, Ocpp201Actions } from '../../ocpp/generated/ocpp201.js';

export type AdminClientErrorCode =
  /** The URL or token cannot be used. */
  | 'config'
  /** No connection (refused, DNS, reset). */
  | 'network'
  /** No complete answer within the time-out. */
  | 'timeout'
  /** The answer is larger than the limit, or not JSON. */
  | 'badAnswer';

export class AdminClientError extends Error {
  override readonly name = 'AdminClientError';
  constructor(
    readonly code: AdminClientErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface AdminClientOptions {
  /** Base URL, e.g. http://127.0.0.1:9001 */
  readonly url: string;
  readonly token?: string;
  /** Whole request; default 60 s (the server gives a station 30 s). */
  readonly timeoutMs?: number;
  /** Largest answer read; default 4 MiB. */
  readonly maxAnswerBytes?: number;
}

export interface AdminAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** The path of each station route and the OCPP action behind it. */
export const ADMIN_ROUTES = {
  'install-certificate': 'InstallCertificate',
  'delete-certificate': 'DeleteCertificate',
  'get-installed-certificate-ids': 'GetInstalledCertificateIds',
  'send-local-list': 'SendLocalList',
  'get-local-list-version': 'GetLocalListVersion',
  'set-variables': 'SetVariables',
  'get-variables': 'GetVariables',
  'trigger-message': 'TriggerMessage',
  iso15118: 'SetVariables',
} as const satisfies Record<string, Ocpp201Action>;
export type AdminRouteName = keyof typeof ADMIN_ROUTES;
/** The body of each station route: the OCPP request, or for /iso15118 the ISO15118Ctrlr variables by name. */
export type AdminBody<R extends AdminRouteName> = R extends 'iso15118' ? Record<string, unknown> : Ocpp201Actions[(typeof ADMIN_ROUTES)[R]]['request'];

async function readCapped(res: Response, max: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) throw new AdminClientError('badAnswer', `the answer of ${declared} bytes exceeds ${max}`);
  if (!res.body) return Buffer.alloc(0);
  // fetch's body is a web stream of Uint8Array (the Node typings leave its chunk type open).
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new AdminClientError('badAnswer', `the answer exceeds ${max} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

export class AdminClient {
  private readonly base: URL;

  constructor(private readonly options: AdminClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new AdminClientError('config', `--admin ${options.url} is not a URL`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new AdminClientError('config', `--admin must be an http(s) URL, not ${base.protocol}`);
    if (options.token !== undefined && !/^[\x21-\x7e]+$/.test(options.token)) throw new AdminClientError('config', 'the admin token holds spaces or non-ASCII characters');
    this.base = base;
  }

  /** POST /stations/:id/<route> with the OCPP request body; the answer is the station's response or an error body. */
  station<R extends AdminRouteName>(stationId: string, route: R, body: AdminBody<R>): Promise<AdminAnswer> {
    return this.request('POST', `stations/${encodeURIComponent(stationId)}/${route}`, body);
  }

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<AdminAnswer> {
    const url = new URL(path, this.base.href.endsWith('/') ? this.base : new URL(`${this.base.href}/`));
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const signal = AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        signal,
        redirect: 'error',
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.options.token !== undefined ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      if (signal.aborted) throw new AdminClientError('timeout', `no answer from ${url.origin} within ${timeoutMs} ms`, { cause: e });
      if (e instanceof TypeError) throw new AdminClientError('network', `cannot reach ${url.origin}: ${(e.cause as Error | undefined)?.message ?? e.message}`, { cause: e });
      throw e;
    }
    let raw: Buffer;
    try {
      raw = await readCapped(res, this.options.maxAnswerBytes ?? 4 << 20);
    } catch (e) {
      if (e instanceof AdminClientError) throw e;
      if (signal.aborted) throw new AdminClientError('timeout', `the answer from ${url.origin} did not complete within ${timeoutMs} ms`, { cause: e });
      if (e instanceof TypeError) throw new AdminClientError('network', `the answer from ${url.origin} broke off: ${e.message}`, { cause: e });
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = raw.length ? JSON.parse(raw.toString('utf8')) : null;
    } catch {
      throw new AdminClientError('badAnswer', `${url.origin} answered HTTP ${res.status} with something that is not JSON`);
    }
    return { status: res.status, body: parsed };
  }
}
