// Which OCSP responder URLs the CSMS may fetch. Responder URLs come from stations (Authorize hash data,
// GetCertificateStatus) and from certificates a station sent (AIA): untrusted input that must not turn the CSMS into a
// proxy into its own network (SSRF, CitrineOS PR #929). A URL is fetched only when its origin is on the operator's
// allow-list AND every address its host resolves to is public unicast. The address rule is applied again at connect
// time by guardedHttp.ts (DNS rebinding), so this module is pure: URL and addresses in, decision out.
import { classifyAddress, isIpLiteral, type AddressKind } from './addressRanges.js';

export interface ResponderUrlPolicyOptions {
  /** Origins the CSMS may ask, e.g. `http://ocsp.example.com:80` (scheme, host and port; compared exactly after URL
   *  normalisation, so `:80` and no port are the same origin for http). */
  readonly allowedOrigins: readonly string[];
  /** Let loopback, RFC 1918, CGNAT and unique-local addresses through: for tests and a demo on one machine only. */
  readonly allowPrivateAddresses?: boolean;
}

export interface ResponderUrlPolicy {
  readonly allowedOrigins: ReadonlySet<string>;
  readonly allowPrivateAddresses: boolean;
}

export type UrlDecision =
  | { readonly allowed: true; readonly url: URL; readonly origin: string }
  | { readonly allowed: false; readonly reason: string; readonly origin?: string };

/** A configured allow-list entry that is not an origin. */
export class ResponderUrlPolicyError extends Error {
  override readonly name = 'ResponderUrlPolicyError';
}

/** Longest URL looked at; OCPP limits responderURL to 512 characters. */
export const MAX_URL_LENGTH = 2048;

/** Reachable only when the operator allows private addresses. Link-local stays refused even then: 169.254.169.254 is
 *  the cloud metadata service, the classic SSRF target, and no test or demo needs it. */
const PRIVATE_KINDS: ReadonlySet<AddressKind> = new Set(['loopback', 'private', 'cgnat', 'unique-local', 'site-local']);

export function compileResponderUrlPolicy(options: ResponderUrlPolicyOptions): ResponderUrlPolicy {
  const origins = new Set<string>();
  for (const entry of options.allowedOrigins) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ResponderUrlPolicyError(`allowed OCSP origin "${entry}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ResponderUrlPolicyError(`allowed OCSP origin "${entry}" is not http or https`);
    if (url.username || url.password) throw new ResponderUrlPolicyError(`allowed OCSP origin "${entry}" carries credentials`);
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
      throw new ResponderUrlPolicyError(`allowed OCSP origin "${entry}" has a path: give scheme://host[:port] only`);
    }
    origins.add(url.origin);
  }
  return { allowedOrigins: origins, allowPrivateAddresses: options.allowPrivateAddresses ?? false };
}

/** Reason to refuse one resolved address, or undefined when it may be connected to. */
export function refuseAddress(address: string, policy: ResponderUrlPolicy): string | undefined {
  const c = classifyAddress(address);
  if (c.kind === 'public') return undefined;
  if (policy.allowPrivateAddresses && PRIVATE_KINDS.has(c.kind)) return undefined;
  if (c.kind === 'invalid') return `"${address}" is not an IP address`;
  return `${address} is ${/^[aeiou]/.test(c.kind) ? 'an' : 'a'} ${c.kind} address${c.via ? ` (${c.via})` : ''}`;
}

/** Hostname without the brackets of an IPv6 literal. */
export function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * The checks that need no DNS: scheme, credentials, allow-list, and the address itself when the host is an IP
 * literal. The WHATWG URL parser has already turned decimal, octal and hex IPv4 forms (2130706433, 0177.0.0.1) into
 * dotted quads and compressed IPv6, so the literal checked is the one that would be connected to.
 */
export function checkResponderUrl(raw: string, policy: ResponderUrlPolicy): UrlDecision {
  if (typeof raw !== 'string' || raw.length === 0) return { allowed: false, reason: 'no responder URL' };
  if (raw.length > MAX_URL_LENGTH) return { allowed: false, reason: `responder URL of ${raw.length} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: `"${raw.slice(0, 80)}" is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { allowed: false, reason: `scheme ${url.protocol} is not http or https` };
  const origin = url.origin;
  if (url.username || url.password) return { allowed: false, reason: 'responder URL carries credentials', origin };
  if (!policy.allowedOrigins.has(origin)) return { allowed: false, reason: `origin ${origin} is not on the OCSP allow-list`, origin };
  if (isIpLiteral(url.hostname)) {
    const refusal = refuseAddress(bareHost(url), policy);
    if (refusal) return { allowed: false, reason: refusal, origin };
  }
  return { allowed: true, url, origin };
}

/** The whole decision: the URL checks, then every address the host resolved to (one bad address refuses all). */
export function decideResponderUrl(raw: string, addresses: readonly string[], policy: ResponderUrlPolicy): UrlDecision {
  const first = checkResponderUrl(raw, policy);
  if (!first.allowed) return first;
  if (addresses.length === 0 && !isIpLiteral(first.url.hostname)) return { allowed: false, reason: `${first.url.hostname} resolved to no address`, origin: first.origin };
  for (const a of addresses) {
    const refusal = refuseAddress(a, policy);
    if (refusal) return { allowed: false, reason: `${first.url.hostname} resolves to ${refusal}`, origin: first.origin };
  }
  return first;
}
