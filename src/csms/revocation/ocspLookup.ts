// One verified OCSP answer per CertID, shared by Authorize (revocation) and GetCertificateStatus (relay): the request
// is built here, sent through the guarded transport, verified against the issuing CA (RFC 6960 §4.2.2.2: signer,
// signature, CertID, freshness) and kept until its nextUpdate in a bounded LRU. Identical lookups that arrive while
// one is in flight wait for it (single flight): 3000 Authorize/s for contracts of one sub-CA cost one fetch.
import { randomBytes } from 'node:crypto';
import type { Certificate } from '../../pki/certificate/certificate.js';
import { certIdKey, type CertId } from '../../pki/ocsp/certId.js';
import { OcspError, type OcspErrorCode } from '../../pki/ocsp/ocspError.js';
import { encodeOcspRequest, type SingleStatus } from '../../pki/ocsp/ocspMessages.js';
import { verifyOcspResponse } from '../../pki/ocsp/ocspVerify.js';
import { BoundedLru } from './boundedLru.js';
import { RevocationFetchError, createGuardedHttp, type GuardedHttp, type GuardedHttpOptions, type RevocationFetchErrorCode } from './guardedHttp.js';

export interface OcspLookupOptions {
  readonly http: GuardedHttp;
  /** Epoch ms; judges freshness and cache expiry. */
  readonly clock?: () => number;
  /** Verified answers kept (default 10 000). */
  readonly cacheSize?: number;
  /** 'prefer' (default): send a nonce, accept an answer without one (pre-produced responses, RFC 5019), refuse one
   *  with another nonce. false: send none. Freshness rests on thisUpdate/nextUpdate either way. */
  readonly nonce?: 'prefer' | false;
  /** Upper bound on reuse, whatever nextUpdate says (default 24 h). */
  readonly maxCacheMs?: number;
  /** A failed fetch or verification of the same CertID at the same URL is answered from memory this long (default
   *  1 s), so that a dead responder is not asked thousands of times a second. 0 disables. */
  readonly failureCacheMs?: number;
}

export interface VerifiedOcsp {
  readonly certId: CertId;
  readonly status: SingleStatus;
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
  /** The DER OCSPResponse exactly as the responder sent it (verified). */
  readonly response: Buffer;
  /** Origin of the responder that answered. */
  readonly responder: string;
  /** "issuer" or the delegated signer's CN. */
  readonly signedBy: string;
  readonly fromCache: boolean;
  /** Answered by a fetch another caller had started. */
  readonly coalesced: boolean;
  readonly ms: number;
}

export type OcspLookupErrorCode = RevocationFetchErrorCode | OcspErrorCode;

export class OcspLookupError extends Error {
  override readonly name = 'OcspLookupError';
  constructor(
    readonly code: OcspLookupErrorCode,
    readonly responder: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

type Answer = Omit<VerifiedOcsp, 'fromCache' | 'coalesced' | 'ms'>;

export class OcspLookup {
  private readonly cache: BoundedLru<string, { readonly answer: Answer; readonly expires: number }>;
  private readonly failures: BoundedLru<string, { readonly error: OcspLookupError; readonly until: number }>;
  private readonly inFlight = new Map<string, Promise<Answer>>();
  private readonly clock: () => number;
  private readonly maxCacheMs: number;
  private readonly failureCacheMs: number;
  private fetchCount = 0;

  constructor(private readonly options: OcspLookupOptions) {
    this.clock = options.clock ?? Date.now;
    this.cache = new BoundedLru(options.cacheSize ?? 10_000);
    this.failures = new BoundedLru(Math.min(options.cacheSize ?? 10_000, 4096));
    this.maxCacheMs = options.maxCacheMs ?? 24 * 3_600_000;
    this.failureCacheMs = options.failureCacheMs ?? 1000;
  }

  /** HTTP exchanges made so far. */
  get fetches(): number {
    return this.fetchCount;
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  get http(): GuardedHttp {
    return this.options.http;
  }

  /** The verified status of `certId` from `url`; `issuer` is the CA the CertID names. OcspLookupError otherwise. */
  async lookup(certId: CertId, issuer: Certificate, url: string): Promise<VerifiedOcsp> {
    const started = performance.now();
    const key = certIdKey(certId);
    const now = this.clock();
    const hit = this.cache.get(key);
    if (hit) {
      if (hit.expires > now) return { ...hit.answer, fromCache: true, coalesced: false, ms: performance.now() - started };
      this.cache.delete(key);
    }
    // A verified answer is the CA's statement whoever relayed it; failures belong to one responder URL.
    const flightKey = `${key}\u0000${url}`;
    const failed = this.failures.get(flightKey);
    if (failed) {
      if (failed.until > now) throw failed.error;
      this.failures.delete(flightKey);
    }
    const pending = this.inFlight.get(flightKey);
    if (pending) return { ...(await pending), fromCache: false, coalesced: true, ms: performance.now() - started };

    const flight = this.fetch(certId, issuer, url);
    this.inFlight.set(flightKey, flight);
    try {
      const answer = await flight;
      // RFC 6960 §4.2.2.1: an answer may be relied on until nextUpdate; without one there is nothing to keep it by.
      if (answer.nextUpdate !== undefined) {
        this.cache.set(key, { answer, expires: Math.min(answer.nextUpdate, this.clock() + this.maxCacheMs) });
      }
      return { ...answer, fromCache: false, coalesced: false, ms: performance.now() - started };
    } catch (e) {
      // A refusal by the URL policy costs nothing to repeat; the rest is remembered briefly.
      if (e instanceof OcspLookupError && e.code !== 'refused' && this.failureCacheMs > 0) {
        this.failures.set(flightKey, { error: e, until: this.clock() + this.failureCacheMs });
      }
      throw e;
    } finally {
      this.inFlight.delete(flightKey);
    }
  }

  private async fetch(certId: CertId, issuer: Certificate, url: string): Promise<Answer> {
    const nonce = this.options.nonce === false ? undefined : randomBytes(16);
    const request = encodeOcspRequest([certId], nonce);
    this.fetchCount++;
    let body: Buffer;
    let responder: string;
    try {
      ({ body, origin: responder } = await this.options.http.postOcsp(url, request));
    } catch (e) {
      if (e instanceof RevocationFetchError) throw new OcspLookupError(e.code, e.origin, e.message);
      throw e;
    }
    try {
      const verified = verifyOcspResponse(body, { requests: [{ certId, issuer }], now: this.clock(), ...(nonce ? { nonce, requireNonce: false } : {}) });
      const single = verified.results[0]!;
      return {
        certId,
        status: single.status,
        thisUpdate: single.thisUpdate,
        ...(single.nextUpdate !== undefined ? { nextUpdate: single.nextUpdate } : {}),
        response: body,
        responder,
        signedBy: verified.signedBy,
      };
    } catch (e) {
      if (e instanceof OcspError) throw new OcspLookupError(e.code, responder, `${responder}: ${e.message}`);
      throw e;
    }
  }

  clearCache(): void {
    this.cache.clear();
    this.failures.clear();
  }

  close(): void {
    this.options.http.close();
  }
}

/** Transport and cache in one: what the revocation checker and the GetCertificateStatus relay share. */
export type RevocationTransportOptions = Omit<GuardedHttpOptions, 'maxSocketsPerOrigin'> & Omit<OcspLookupOptions, 'http'>;

export function createOcspLookup(options: RevocationTransportOptions): OcspLookup {
  const http = createGuardedHttp({
    policy: options.policy,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxResponseBytes !== undefined ? { maxResponseBytes: options.maxResponseBytes } : {}),
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
  });
  return new OcspLookup({ ...options, http });
}
