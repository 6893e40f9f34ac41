// The OCPP 2.0.1 security profiles (Part 2 A00 / the OCPP security whitepaper) as the station's transport settings:
//   1 — ws:// with HTTP Basic authentication (user = station identity, password = SecurityCtrlr.BasicAuthPassword);
//   2 — wss:// (server-authenticated TLS: the CSMS certificate is checked against the CSMS root CAs we hold) + Basic;
//   3 — wss:// with mutual TLS (our ChargingStationCertificate and key), no password.
// TLS is 1.2 or newer only. Pure: validates the configuration and returns what the WebSocket client needs.
import { CsmsConnectionConfigError } from './csmsConnectionError.js';

export type SecurityProfile = 1 | 2 | 3;

export type SecurityProfileConfig =
  | { readonly profile: 1; readonly basicAuthPassword: string }
  | { readonly profile: 2; readonly basicAuthPassword: string; readonly csmsRootCertificates: string }
  | {
      readonly profile: 3;
      readonly csmsRootCertificates: string;
      /** PEM: our ChargingStationCertificate first, then any sub-CAs the CSMS needs to build the chain. */
      readonly clientCertificateChain: string;
      /** PEM private key of the certificate (PKCS#8; encrypted when `clientKeyPassphrase` is given). */
      readonly clientPrivateKey: string;
      readonly clientKeyPassphrase?: string;
    };

/** TLS options for the WebSocket client (a subset of tls.ConnectionOptions). */
export interface StationTlsOptions {
  readonly minVersion: 'TLSv1.2';
  readonly rejectUnauthorized: true;
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  readonly passphrase?: string;
}

export interface StationTransport {
  readonly secure: boolean;
  /** Basic-auth password (profiles 1 and 2). */
  readonly password?: string;
  readonly tls?: StationTlsOptions;
}

/** OCPP identifierString characters, minus ':' which cannot appear in a Basic-auth user-id (RFC 7617 §2). */
const IDENTITY = /^[A-Za-z0-9*\-_=+|@.]{1,48}$/;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PEM_KEY = /-----BEGIN (?:ENCRYPTED |EC |RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:ENCRYPTED |EC |RSA )?PRIVATE KEY-----/;

export function validateStationIdentity(identity: string): string {
  if (!IDENTITY.test(identity)) throw new CsmsConnectionConfigError(`station identity must be 1–48 characters of [A-Za-z0-9*-_=+|@.], got ${JSON.stringify(identity)}`);
  return identity;
}

// BasicAuthPassword is a passwordString of 16 to 40 characters; we also refuse control characters and non-ASCII,
// which Basic authentication cannot carry unambiguously.
function validatePassword(password: string): string {
  if (password.length < 16 || password.length > 40) throw new CsmsConnectionConfigError(`BasicAuthPassword must have 16–40 characters, got ${password.length}`);
  if (!/^[\x21-\x7e]+$/.test(password)) throw new CsmsConnectionConfigError('BasicAuthPassword must be printable ASCII without spaces');
  return password;
}

function requirePem(what: string, pem: string, pattern: RegExp): string {
  if (!pattern.test(pem)) throw new CsmsConnectionConfigError(`${what} is not PEM`);
  return pem;
}

/** The CSMS URL as configured: ws:// for profile 1, wss:// for 2 and 3; no credentials, query or fragment. */
export function validateCsmsUrl(url: string, profile: SecurityProfile): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (e) {
    throw new CsmsConnectionConfigError(`CSMS URL ${JSON.stringify(url)} is not a URL`, { cause: e });
  }
  const wanted = profile === 1 ? 'ws:' : 'wss:';
  if (parsed.protocol !== wanted) throw new CsmsConnectionConfigError(`security profile ${profile} needs a ${wanted}// CSMS URL, got ${parsed.protocol}//`);
  if (parsed.username || parsed.password) throw new CsmsConnectionConfigError('CSMS URL must not carry credentials');
  if (parsed.search || parsed.hash) throw new CsmsConnectionConfigError('CSMS URL must not have a query or fragment');
  return parsed;
}

export function stationTransport(url: string, security: SecurityProfileConfig): StationTransport {
  validateCsmsUrl(url, security.profile);
  switch (security.profile) {
    case 1:
      return { secure: false, password: validatePassword(security.basicAuthPassword) };
    case 2:
      return {
        secure: true,
        password: validatePassword(security.basicAuthPassword),
        tls: { minVersion: 'TLSv1.2', rejectUnauthorized: true, ca: requirePem('csmsRootCertificates', security.csmsRootCertificates, PEM_CERT) },
      };
    case 3:
      return {
        secure: true,
        tls: {
          minVersion: 'TLSv1.2',
          rejectUnauthorized: true,
          ca: requirePem('csmsRootCertificates', security.csmsRootCertificates, PEM_CERT),
          cert: requirePem('clientCertificateChain', security.clientCertificateChain, PEM_CERT),
          key: requirePem('clientPrivateKey', security.clientPrivateKey, PEM_KEY),
          ...(security.clientKeyPassphrase !== undefined ? { passphrase: security.clientKeyPassphrase } : {}),
        },
      };
  }
}
