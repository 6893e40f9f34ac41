// The OCPI calls this project makes, typed: each sends one request through the keep-alive HTTP client, reads the
// envelope, checks the status, parses the data strictly, and fails with an OcpiError whose code says what went wrong.
import type { IncomingHttpHeaders } from 'node:http';
import { OcpiError } from './ocpiError.js';
import { OcpiFormatError } from './ocpiFormatError.js';
import { OcpiHttpClient, type OcpiHttpClientOptions, type OcpiHttpRequest, type OcpiHttpResponse } from './ocpiHttpClient.js';
import { nextLink, pageUrl, type PageRequest } from './ocpiPagination.js';
import { parseAuthorizationInfo, parseCdr, parseCredentials, parseEnvelope, parseTokenList, parseVersionDetails, parseVersions, type OcpiEnvelope } from './ocpiParsers.js';
import { isSuccessStatus, OcpiStatus } from './ocpiStatus.js';
import type { AuthorizationInfo, Cdr, Credentials, LocationReferences, OcpiToken, OcpiVersion, OcpiVersionDetails, OcpiVersionNumber, TokenType } from './ocpiTypes.js';

export interface OcpiCallOptions {
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly timeoutMs?: number;
}

export interface TokenPage {
  readonly tokens: readonly OcpiToken[];
  /** X-Total-Count, when the server sent it. */
  readonly totalCount?: number;
  /** X-Limit, when the server sent it. */
  readonly limit?: number;
  /** The Link rel="next" URL; absent on the last page. */
  readonly next?: string;
}

export interface PostCdrResult {
  /** The Location header: where the eMSP keeps the CDR (GET-able). */
  readonly location?: string;
}

/** True when the eMSP answered that it does not know the token (tokens module: HTTP 404, status 2004). */
export function isUnknownTokenError(e: unknown): boolean {
  if (!(e instanceof OcpiError)) return false;
  if (e.ocpiStatus === OcpiStatus.unknownToken) return true;
  // A 404 carrying a readable OCPI envelope is the module's "unknown token" even with another status code; a bare 404
  // (an HTML page, no envelope) is a wrong URL, i.e. a broken peer.
  return e.code === 'http' && e.httpStatus === 404 && e.ocpiStatus !== undefined;
}

export class OcpiClient {
  readonly http: OcpiHttpClient;
  private readonly ownsHttp: boolean;

  constructor(http: OcpiHttpClient | OcpiHttpClientOptions = {}) {
    this.ownsHttp = !(http instanceof OcpiHttpClient);
    this.http = http instanceof OcpiHttpClient ? http : new OcpiHttpClient(http);
  }

  async getVersions(url: string, token: string, o: OcpiCallOptions = {}): Promise<OcpiVersion[]> {
    const { envelope } = await this.exchange({ method: 'GET', url, token, ...o });
    return this.data(envelope, url, (d) => parseVersions(d));
  }

  async getVersionDetails(url: string, token: string, o: OcpiCallOptions = {}): Promise<OcpiVersionDetails> {
    const { envelope } = await this.exchange({ method: 'GET', url, token, ...o });
    return this.data(envelope, url, (d) => parseVersionDetails(d));
  }

  async getCredentials(url: string, token: string, o: OcpiCallOptions = {}): Promise<Credentials> {
    const { envelope } = await this.exchange({ method: 'GET', url, token, ...o });
    return this.data(envelope, url, (d) => parseCredentials(d));
  }

  /** Registration: our credentials (with the token the peer shall use) for theirs. */
  async postCredentials(url: string, token: string, credentials: Credentials, o: OcpiCallOptions = {}): Promise<Credentials> {
    const { envelope } = await this.exchange({ method: 'POST', url, token, body: credentials, ...o });
    return this.data(envelope, url, (d) => parseCredentials(d));
  }

  async putCredentials(url: string, token: string, credentials: Credentials, o: OcpiCallOptions = {}): Promise<Credentials> {
    const { envelope } = await this.exchange({ method: 'PUT', url, token, body: credentials, ...o });
    return this.data(envelope, url, (d) => parseCredentials(d));
  }

  async deleteCredentials(url: string, token: string, o: OcpiCallOptions = {}): Promise<void> {
    await this.exchange({ method: 'DELETE', url, token, ...o });
  }

  /**
   * Real-time authorization (tokens module, eMSP interface): POST {tokens}/{uid}/authorize?type=…, body the
   * LocationReferences when given. An unknown token fails with an OcpiError that isUnknownTokenError recognises.
   */
  async authorize(
    tokensUrl: string,
    token: string,
    version: OcpiVersionNumber,
    uid: string,
    type: TokenType,
    location?: LocationReferences,
    o: OcpiCallOptions = {},
  ): Promise<AuthorizationInfo> {
    const url = `${withSlash(tokensUrl)}${encodeURIComponent(uid)}/authorize?type=${encodeURIComponent(type)}`;
    const { envelope } = await this.exchange({ method: 'POST', url, token, ...(location ? { body: location } : {}), ...o });
    return this.data(envelope, url, (d) => parseAuthorizationInfo(d, version));
  }

  /** POST a CDR to the eMSP's cdrs endpoint; the answer's Location header says where it lives. */
  async postCdr(cdrsUrl: string, token: string, cdr: Cdr, o: OcpiCallOptions = {}): Promise<PostCdrResult> {
    const { response } = await this.exchange({ method: 'POST', url: cdrsUrl, token, body: cdr, ...o });
    const location = header(response.headers, 'location');
    return location !== undefined ? { location } : {};
  }

  async getCdr(url: string, token: string, version: OcpiVersionNumber, o: OcpiCallOptions = {}): Promise<Cdr> {
    const { envelope } = await this.exchange({ method: 'GET', url, token, ...o });
    return this.data(envelope, url, (d) => parseCdr(d, version, 'data'));
  }

  /** One page of the eMSP's tokens. Follow `next` (a full URL) with getTokensPage to continue. */
  async getTokens(tokensUrl: string, token: string, version: OcpiVersionNumber, page: PageRequest = {}, o: OcpiCallOptions = {}): Promise<TokenPage> {
    return this.getTokensPage(pageUrl(tokensUrl, page), token, version, o);
  }

  async getTokensPage(url: string, token: string, version: OcpiVersionNumber, o: OcpiCallOptions = {}): Promise<TokenPage> {
    const { envelope, response } = await this.exchange({ method: 'GET', url, token, ...o });
    const tokens = this.data(envelope, url, (d) => parseTokenList(d ?? [], version));
    const totalCount = intHeader(response.headers, 'x-total-count');
    const limit = intHeader(response.headers, 'x-limit');
    const next = nextLink(response.headers.link);
    if (next !== undefined && !/^https?:\/\//i.test(next)) throw new OcpiError('format', `Link rel="next" "${next.slice(0, 100)}" is not an absolute URL`, { url });
    return { tokens, ...(totalCount !== undefined ? { totalCount } : {}), ...(limit !== undefined ? { limit } : {}), ...(next !== undefined ? { next } : {}) };
  }

  close(): void {
    if (this.ownsHttp) this.http.close();
  }

  /** One request: HTTP and envelope checks. Non-2xx → http (401 → unauthorized); 2xx without 1xxx → status. */
  private async exchange(r: OcpiHttpRequest): Promise<{ envelope: OcpiEnvelope; response: OcpiHttpResponse }> {
    const response = await this.http.request(r);
    const envelope = readEnvelope(response.body);
    const ok = response.status >= 200 && response.status < 300;
    const details = {
      url: r.url,
      httpStatus: response.status,
      ...(envelope.ok ? { ocpiStatus: envelope.value.statusCode } : {}),
      ...(envelope.ok && envelope.value.statusMessage !== undefined ? { statusMessage: envelope.value.statusMessage } : {}),
    };
    const said = envelope.ok ? ` (OCPI ${envelope.value.statusCode}${envelope.value.statusMessage ? `: ${envelope.value.statusMessage.slice(0, 200)}` : ''})` : '';
    if (response.status === 401) throw new OcpiError('unauthorized', `${r.method} ${r.url} refused our credentials token: HTTP 401${said}`, details);
    if (!ok) throw new OcpiError('http', `${r.method} ${r.url} answered HTTP ${response.status}${said}`, details);
    if (!envelope.ok) throw new OcpiError('format', `${r.method} ${r.url}: ${envelope.error}`, details);
    if (!isSuccessStatus(envelope.value.statusCode)) throw new OcpiError('status', `${r.method} ${r.url} answered${said}`, details);
    return { envelope: envelope.value, response };
  }

  private data<T>(envelope: OcpiEnvelope, url: string, parse: (data: unknown) => T): T {
    try {
      return parse(envelope.data);
    } catch (e) {
      if (e instanceof OcpiFormatError) throw new OcpiError('format', `${url}: ${e.message}`, { url, ocpiStatus: envelope.statusCode }, { cause: e });
      throw e;
    }
  }
}

type EnvelopeRead = { readonly ok: true; readonly value: OcpiEnvelope } | { readonly ok: false; readonly error: string };

function readEnvelope(body: Buffer): EnvelopeRead {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, error: `the answer is not JSON (${body.length} bytes)` };
  }
  try {
    return { ok: true, value: parseEnvelope(json) };
  } catch (e) {
    if (e instanceof OcpiFormatError) return { ok: false, error: `the answer is not an OCPI response: ${e.message}` };
    throw e;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function intHeader(headers: IncomingHttpHeaders, name: string): number | undefined {
  const v = header(headers, name);
  if (v === undefined || !/^\d{1,15}$/.test(v.trim())) return undefined;
  return Number(v.trim());
}
