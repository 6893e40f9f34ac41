// Who may open an OCPP connection, decided from facts of the handshake (pure; the server gathers the facts and does
// the registry lookup). The security profiles (OCPP 2.0.1 Part 2, A00 / the security white paper):
//   1 — ws:// with HTTP Basic authentication (user = station identity, password = BasicAuthPassword);
//   2 — wss:// (TLS, server certificate only) with Basic authentication;
//   3 — wss:// with a client certificate issued by the CA we trust for stations, its CN the station identity.
// A server in profile 2 that is also given a client CA admits both: a station presenting a certificate is judged by
// it (profile 3), one without by its password (profile 2). A station registered with a higher minimum profile than
// the connection reached is refused.
import type { SecurityProfile } from '../stations/stationRegistry.js';
import { isStationId } from '../stations/stationCredentials.js';

export interface ClientCertificateFacts {
  /** The client sent a certificate at all. */
  readonly presented: boolean;
  /** TLS verified it against the configured station CA (issuer, signature, validity). */
  readonly authorized: boolean;
  /** Subject CN values (more than one is ambiguous and refused). */
  readonly commonNames: readonly string[];
  /** Subject O values. */
  readonly organizations: readonly string[];
}

export interface HandshakeFacts {
  readonly serverProfile: SecurityProfile;
  /** The server asks for client certificates (profile 3, or 2 with a client CA). */
  readonly requestsCertificates: boolean;
  readonly identity: string;
  /** Undefined on a plain (profile 1) connection. */
  readonly certificate?: ClientCertificateFacts;
  /** When set, a client certificate's subject must carry this O (the CSO name). */
  readonly expectedOrganization?: string;
}

export type CredentialPlan =
  | { readonly kind: 'certificate'; readonly profile: 3 }
  | { readonly kind: 'password'; readonly profile: 1 | 2 }
  | { readonly kind: 'refuse'; readonly status: number; readonly reason: string };

/** Which credential proves the station's identity on this connection, and at which profile. */
export function planAuthentication(facts: HandshakeFacts): CredentialPlan {
  if (!isStationId(facts.identity)) return { kind: 'refuse', status: 400, reason: 'malformed station identity' };
  if (facts.serverProfile === 1) return { kind: 'password', profile: 1 };
  const cert = facts.certificate;
  if (facts.requestsCertificates && cert?.presented === true) {
    if (!cert.authorized) return { kind: 'refuse', status: 401, reason: 'client certificate not issued by the trusted station CA' };
    if (cert.commonNames.length !== 1 || cert.commonNames[0] !== facts.identity) {
      return { kind: 'refuse', status: 401, reason: `client certificate CN ${JSON.stringify(cert.commonNames.join(','))} is not the station identity` };
    }
    if (facts.expectedOrganization !== undefined && !cert.organizations.includes(facts.expectedOrganization)) {
      return { kind: 'refuse', status: 401, reason: 'client certificate O is not the expected organization' };
    }
    return { kind: 'certificate', profile: 3 };
  }
  if (facts.serverProfile === 3) return { kind: 'refuse', status: 401, reason: 'security profile 3 needs a client certificate' };
  return { kind: 'password', profile: 2 };
}

export type ProfileVerdict = { readonly ok: true } | { readonly ok: false; readonly status: number; readonly reason: string };

/** A station registered for profile N may not connect at a lower one (no downgrade). */
export function admitProfile(connectionProfile: SecurityProfile, minSecurityProfile: SecurityProfile): ProfileVerdict {
  return connectionProfile >= minSecurityProfile
    ? { ok: true }
    : { ok: false, status: 401, reason: `station requires security profile ${minSecurityProfile}, connection is profile ${connectionProfile}` };
}

export type StationPath = { readonly ok: true; readonly identity: string } | { readonly ok: false; readonly status: number; readonly reason: string };

/**
 * The station identity from the upgrade request's URL: `${basePath}/<identity>`, percent-decoded. Parsed the way
 * ocpp-rpc parses it (URL pathname, last segment), so that what we check is what it uses; anything else — more
 * segments, a bad percent-escape, characters outside the identity alphabet — is refused here, before ocpp-rpc (whose
 * decodeURIComponent would otherwise throw out of the upgrade handler).
 */
export function parseStationPath(requestUrl: string | undefined, basePath: string): StationPath {
  let pathname: string;
  try {
    pathname = new URL(`http://localhost${requestUrl ?? '/'}`).pathname;
  } catch {
    return { ok: false, status: 400, reason: 'malformed request URL' };
  }
  const slash = pathname.lastIndexOf('/');
  if (pathname.slice(0, slash) !== basePath) return { ok: false, status: 404, reason: 'unknown endpoint' };
  let identity: string;
  try {
    identity = decodeURIComponent(pathname.slice(slash + 1));
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-escape in the station identity' };
  }
  if (!isStationId(identity)) return { ok: false, status: 400, reason: 'malformed station identity' };
  return { ok: true, identity };
}
