// The only way the CSMS reaches an OCSP responder. The URL policy (responderUrlPolicy.ts) is checked before the
// request, and again inside the socket's DNS lookup: the addresses checked are the addresses connected to, so a name
// that resolves to a public address for the check and to 127.0.0.1 a moment later (DNS rebinding) gets nowhere.
// Keep-alive sockets (3000 Authorize/s must not open 3000 connections/s), no redirects, one deadline for the whole
// exchange (DNS, connect, request, last byte), a size limit on the answer and its content type.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  bareHost,
  checkResponderUrl,
  compileResponderUrlPolicy,
  refuseAddress,
  type ResponderUrlPolicy,
  type ResponderUrlPolicyOptions,
} from './responderUrlPolicy.js';

export type RevocationFetchErrorCode = 'refused' | 'timeout' | 'network' | 'http' | 'too-large' | 'content-type';

export class RevocationFetchError extends Error {
  override readonly name = 'RevocationFetchError';
  constructor(
    readonly code: RevocationFetchErrorCode,
    /** The responder's origin when the URL parsed. */
    readonly origin: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Name → addresses. Default: the system resolver (dns.lookup, all addresses). Tests inject one to play DNS tricks. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface GuardedHttpOptions {
  readonly policy: ResponderUrlPolicy | ResponderUrlPolicyOptions;
  /** Whole exchange, DNS to last byte (default 5 s). */
  readonly timeoutMs?: number;
  /** Larger answers are refused (default 64 KiB; an OCSP response with its signer certificate is ~1–2 kB). */
  readonly maxResponseBytes?: number;
  /** Connections per responder origin (default 32). */
  readonly maxSocketsPerOrigin?: number;
  readonly resolve?: Resolver;
  /** Extra trust anchors (PEM) for https responders; default: Node's CA bundle. */
  readonly ca?: string | readonly string[];
}

export interface GuardedResponse {
  readonly body: Buffer;
  readonly origin: string;
  readonly ms: number;
}

export interface GuardedHttp {
  readonly policy: ResponderUrlPolicy;
  /** POST a DER OCSPRequest (RFC 6960 Appendix A.1) and return the DER answer; RevocationFetchError on any failure. */
  postOcsp(url: string, request: Buffer): Promise<GuardedResponse>;
  /** Closes the idle keep-alive sockets. */
  close(): void;
}

const OCSP_RESPONSE = 'application/ocsp-response';

const defaultResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
      if (err) reject(err);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });

function isPolicy(p: ResponderUrlPolicy | ResponderUrlPolicyOptions): p is ResponderUrlPolicy {
  return p.allowedOrigins instanceof Set;
}

export function createGuardedHttp(options: GuardedHttpOptions): GuardedHttp {
  const policy = isPolicy(options.policy) ? options.policy : compileResponderUrlPolicy(options.policy);
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  const resolver = options.resolve ?? defaultResolver;

  // Called by net.connect for every new socket (never for IP literals: those were checked by checkResponderUrl).
  const guardedLookup: LookupFunction = (hostname: string, lookupOptions: LookupOptions, callback) => {
    resolver(hostname).then(
      (found) => {
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined;
        const addresses = family ? found.filter((a) => a.family === family) : [...found];
        for (const a of addresses) {
          const refusal = refuseAddress(a.address, policy);
          if (refusal) {
            callback(new RevocationFetchError('refused', undefined, `${hostname} resolves to ${refusal}`), '');
            return;
          }
        }
        const first = addresses[0];
        if (!first) {
          callback(new RevocationFetchError('network', undefined, `${hostname} has no ${family ? `IPv${family} ` : ''}address`), '');
          return;
        }
        if (lookupOptions.all) callback(null, addresses.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };

  const agentOptions = { keepAlive: true, maxSockets: options.maxSocketsPerOrigin ?? 32, maxFreeSockets: 32, timeout: 30_000, lookup: guardedLookup };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent({ ...agentOptions, ...(options.ca ? { ca: typeof options.ca === 'string' ? options.ca : [...options.ca] } : {}) });

  function exchange(url: URL, origin: string, body: Buffer, deadline: number, started: number, retried: boolean): Promise<GuardedResponse> {
    return new Promise<GuardedResponse>((resolve, reject) => {
      let settled = false;
      let responded = false;
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req: ClientRequest = send({
        protocol: url.protocol,
        hostname: bareHost(url),
        ...(url.port ? { port: Number(url.port) } : {}),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
        headers: { 'content-type': 'application/ocsp-request', 'content-length': body.length, accept: OCSP_RESPONSE },
      });
      const finish = (): void => {
        settled = true;
        clearTimeout(timer);
      };
      const fail = (e: RevocationFetchError): void => {
        if (settled) return;
        finish();
        // Destroying the request destroys its socket: a half-read answer never goes back into the keep-alive pool.
        req.destroy();
        reject(e);
      };
      const timer = setTimeout(
        () => fail(new RevocationFetchError('timeout', origin, `no complete answer from ${origin} within ${timeoutMs} ms`)),
        Math.max(0, deadline - performance.now()),
      );

      req.on('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        if (e instanceof RevocationFetchError) {
          fail(new RevocationFetchError(e.code, origin, e.message));
          return;
        }
        // A pooled socket the server closed while idle: one fresh attempt, within the same deadline.
        if (!responded && !retried && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
          finish();
          exchange(url, origin, body, deadline, started, true).then(resolve, reject);
          return;
        }
        fail(new RevocationFetchError('network', origin, `${origin}: ${e.code ?? e.message}`));
      });

      req.on('response', (res: IncomingMessage) => {
        responded = true;
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          const location = typeof res.headers.location === 'string' ? ` to ${res.headers.location.slice(0, 120)}` : '';
          fail(new RevocationFetchError('refused', origin, `${origin} redirected (HTTP ${status})${location}; redirects are not followed`));
          return;
        }
        if (status !== 200) {
          fail(new RevocationFetchError('http', origin, `${origin} answered HTTP ${status}`));
          return;
        }
        const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== OCSP_RESPONSE) {
          fail(new RevocationFetchError('content-type', origin, `${origin} answered content-type "${String(res.headers['content-type'] ?? '').slice(0, 80)}", not ${OCSP_RESPONSE}`));
          return;
        }
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (declared > maxBytes) {
          fail(new RevocationFetchError('too-large', origin, `${origin} announced ${declared} bytes, limit ${maxBytes}`));
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > maxBytes) fail(new RevocationFetchError('too-large', origin, `${origin} sent more than ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          finish();
          resolve({ body: Buffer.concat(chunks), origin, ms: performance.now() - started });
        });
        res.on('error', (e: Error) => fail(new RevocationFetchError('network', origin, `${origin}: ${e.message}`)));
        res.on('close', () => {
          if (!res.complete) fail(new RevocationFetchError('network', origin, `${origin} closed the connection mid-answer`));
        });
      });
      req.end(body);
    });
  }

  return {
    policy,
    async postOcsp(rawUrl, request) {
      const started = performance.now();
      const decision = checkResponderUrl(rawUrl, policy);
      if (!decision.allowed) throw new RevocationFetchError('refused', decision.origin, decision.reason);
      return exchange(decision.url, decision.origin, request, started + timeoutMs, started, false);
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
