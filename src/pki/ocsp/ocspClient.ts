// OCSP over HTTP (RFC 6960 Appendix A): POST or GET, bounded in time and size, verified, cached until nextUpdate.
import { randomBytes } from 'node:crypto';
import type { Certificate } from '../certificate/certificate.js';
import { certIdFor, certIdKey, type CertId, type OcspHashAlgorithm } from './certId.js';
import { encodeOcspRequest, type SingleStatus } from './ocspMessages.js';
import { OcspError } from './ocspError.js';
import { verifyOcspResponse } from './ocspVerify.js';

export interface OcspClientOptions {
  /** Whole exchange, connect to last byte (default 5 s). */
  readonly timeoutMs?: number;
  /** Larger responses are refused (default 64 KiB; a P-521 response with signer certificate is ~1 kB). */
  readonly maxResponseBytes?: number;
  /** GET for requests up to 255 bytes as RFC 5019 §5 suggests ('auto'), or always POST/GET. Default POST. */
  readonly method?: 'POST' | 'GET' | 'auto';
  /**
   * Send a 16-byte nonce (RFC 8954) and: `true`/'require' — refuse an answer without it (default); 'prefer' — accept an
   * answer without any nonce (responders that pre-produce, RFC 5019), never one with another nonce; `false` — send none.
   */
  readonly nonce?: boolean | 'prefer';
  readonly hashAlgorithm?: OcspHashAlgorithm;
  readonly now?: () => number;
  /** SSRF guard: return a reason to refuse a responder URL (the CSMS limits responders to an allow-list). */
  readonly refuseUrl?: (url: URL) => string | undefined;
}

export interface OcspCheckResult {
  readonly status: SingleStatus;
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
  readonly url: string;
  readonly fromCache: boolean;
  readonly signedBy: string;
  readonly ms: number;
}

interface CacheEntry {
  readonly result: Omit<OcspCheckResult, 'fromCache' | 'ms'>;
  readonly expires: number;
}

export class OcspClient {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(private readonly options: OcspClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxBytes = options.maxResponseBytes ?? 64 * 1024;
    this.now = options.now ?? Date.now;
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  /** Status of `cert` (issued by `issuer`) from `url` or the certificate's AIA OCSP URL. */
  async check(cert: Certificate, issuer: Certificate, url?: string): Promise<OcspCheckResult> {
    const target = url ?? cert.ocspUrls[0];
    if (target === undefined) throw new OcspError('no-url', `certificate ${cert.serialHex} has no OCSP URL in its AIA`);
    return this.checkCertId(certIdFor(cert, issuer, this.options.hashAlgorithm ?? 'SHA256'), issuer, target);
  }

  /** Status of a CertID (e.g. from OCPP OCSPRequestData) at `url`; `issuer` authorises the signer. */
  async checkCertId(certId: CertId, issuer: Certificate, url: string): Promise<OcspCheckResult> {
    const started = performance.now();
    const key = certIdKey(certId);
    const hit = this.cache.get(key);
    if (hit && hit.expires > this.now()) return { ...hit.result, fromCache: true, ms: performance.now() - started };

    const nonce = this.options.nonce === false ? undefined : randomBytes(16);
    const request = encodeOcspRequest([certId], nonce);
    const body = await this.exchange(url, request);
    const verified = verifyOcspResponse(body, {
      requests: [{ certId, issuer }],
      now: this.now(),
      ...(nonce ? { nonce, requireNonce: this.options.nonce !== 'prefer' } : {}),
    });
    const single = verified.results[0]!;
    const result = {
      status: single.status,
      thisUpdate: single.thisUpdate,
      ...(single.nextUpdate !== undefined ? { nextUpdate: single.nextUpdate } : {}),
      url,
      signedBy: verified.signedBy,
    };
    // RFC 6960 §4.2.2.1: a response may be relied on until nextUpdate; without one there is nothing to cache by.
    if (single.nextUpdate !== undefined) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { result, expires: single.nextUpdate });
    }
    return { ...result, fromCache: false, ms: performance.now() - started };
  }

  /** Sends DER and returns the DER response: typed OcspError on refusal, time-out, HTTP error or oversize body. */
  async exchange(url: string, request: Buffer): Promise<Buffer> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OcspError('url-not-allowed', `"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new OcspError('url-not-allowed', `OCSP over ${parsed.protocol} is not supported`);
    const refusal = this.options.refuseUrl?.(parsed);
    if (refusal !== undefined) throw new OcspError('url-not-allowed', refusal);

    const method = this.options.method === 'auto' ? (request.length <= 255 ? 'GET' : 'POST') : (this.options.method ?? 'POST');
    const target = method === 'GET' ? getUrl(parsed, request) : parsed.href;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        signal,
        // A redirect could lead anywhere, past the URL policy: refuse it.
        redirect: 'manual',
        ...(method === 'POST' ? { body: request, headers: { 'content-type': 'application/ocsp-request' } } : {}),
      });
    } catch (e) {
      if (signal.aborted) throw new OcspError('timeout', `no answer from ${parsed.origin} within ${this.timeoutMs} ms`);
      throw new OcspError('network', `${parsed.origin}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new OcspError('http', `${parsed.origin} answered HTTP ${res.status}`);
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/ocsp-response')) {
      await res.body?.cancel();
      throw new OcspError('http', `${parsed.origin} answered content-type "${type}"`);
    }
    return readLimited(res, this.maxBytes, signal, this.timeoutMs, parsed.origin);
  }
}

/** RFC 6960 Appendix A.1: GET {url}/{url-encoding of base64 of the DER request}. */
function getUrl(base: URL, request: Buffer): string {
  const path = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return `${base.origin}${path}${encodeURIComponent(request.toString('base64'))}`;
}

async function readLimited(res: Response, max: number, signal: AbortSignal, timeoutMs: number, origin: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel();
    throw new OcspError('too-large', `${origin} announced ${declared} bytes, limit ${max}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel();
        throw new OcspError('too-large', `${origin} sent more than ${max} bytes`);
      }
      chunks.push(Buffer.from(value));
    }
  } catch (e) {
    if (e instanceof OcspError) throw e;
    if (signal.aborted) throw new OcspError('timeout', `${origin} did not finish the response within ${timeoutMs} ms`);
    throw new OcspError('network', `${origin}: ${(e as Error).message}`);
  }
  return Buffer.concat(chunks);
}
