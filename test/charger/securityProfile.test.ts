// Security-profile configuration and connection-failure classification as tables: what the station accepts as its
// CSMS connection settings, and which typed error each handshake failure becomes.
import { describe, expect, it } from 'vitest';
import { connectToCsms } from '../../src/charger/station/csmsConnection.js';
import { classifyConnectError, CsmsConnectionConfigError, type CsmsConnectionErrorKind } from '../../src/charger/station/csmsConnectionError.js';
import { RetryBackOffConfigError } from '../../src/charger/station/reconnectBackoff.js';
import { stationTransport, validateStationIdentity, type SecurityProfileConfig } from '../../src/charger/station/securityProfile.js';

const PASSWORD = 'sixteen-chars-ok';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const ENCRYPTED_KEY = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n';

describe('stationTransport', () => {
  it('profile 1: plain ws with the password', () => {
    expect(stationTransport('ws://csms.example:8080/ocpp', { profile: 1, basicAuthPassword: PASSWORD })).toEqual({ secure: false, password: PASSWORD });
  });
  it('profile 2: TLS 1.2+ against the CSMS roots, with the password', () => {
    expect(stationTransport('wss://csms.example/ocpp', { profile: 2, basicAuthPassword: PASSWORD, csmsRootCertificates: CERT })).toEqual({
      secure: true,
      password: PASSWORD,
      tls: { minVersion: 'TLSv1.2', rejectUnauthorized: true, ca: CERT },
    });
  });
  it('profile 3: TLS 1.2+ with our certificate and key, no password', () => {
    expect(stationTransport('wss://csms.example/ocpp', { profile: 3, csmsRootCertificates: CERT, clientCertificateChain: CERT, clientPrivateKey: ENCRYPTED_KEY, clientKeyPassphrase: 'pw' })).toEqual({
      secure: true,
      tls: { minVersion: 'TLSv1.2', rejectUnauthorized: true, ca: CERT, cert: CERT, key: ENCRYPTED_KEY, passphrase: 'pw' },
    });
  });

  const bad: { name: string; url: string; security: SecurityProfileConfig; message: RegExp }[] = [
    { name: 'profile 1 on wss', url: 'wss://csms.example', security: { profile: 1, basicAuthPassword: PASSWORD }, message: /profile 1 needs a ws:/ },
    { name: 'profile 2 on ws', url: 'ws://csms.example', security: { profile: 2, basicAuthPassword: PASSWORD, csmsRootCertificates: CERT }, message: /profile 2 needs a wss:/ },
    { name: 'profile 3 on http', url: 'https://csms.example', security: { profile: 3, csmsRootCertificates: CERT, clientCertificateChain: CERT, clientPrivateKey: KEY }, message: /profile 3 needs a wss:/ },
    { name: 'not a URL', url: 'csms.example:80', security: { profile: 1, basicAuthPassword: PASSWORD }, message: /needs a ws:|not a URL/ },
    { name: 'credentials in the URL', url: 'ws://u:p@csms.example', security: { profile: 1, basicAuthPassword: PASSWORD }, message: /credentials/ },
    { name: 'a query', url: 'ws://csms.example/?x=1', security: { profile: 1, basicAuthPassword: PASSWORD }, message: /query/ },
    { name: 'a 15-character password', url: 'ws://csms.example', security: { profile: 1, basicAuthPassword: 'fifteen-chars-x' }, message: /16–40/ },
    { name: 'a 41-character password', url: 'ws://csms.example', security: { profile: 1, basicAuthPassword: 'x'.repeat(41) }, message: /16–40/ },
    { name: 'a password with a space', url: 'ws://csms.example', security: { profile: 1, basicAuthPassword: 'sixteen chars ok' }, message: /printable ASCII/ },
    { name: 'a password with a control character', url: 'ws://csms.example', security: { profile: 1, basicAuthPassword: 'sixteen-chars-o\n' }, message: /printable ASCII/ },
    { name: 'a non-ASCII password', url: 'ws://csms.example', security: { profile: 1, basicAuthPassword: 'sixteen-chars-öö' }, message: /printable ASCII/ },
    { name: 'CSMS roots not PEM', url: 'wss://csms.example', security: { profile: 2, basicAuthPassword: PASSWORD, csmsRootCertificates: 'MIIB' }, message: /csmsRootCertificates is not PEM/ },
    { name: 'client chain not PEM', url: 'wss://csms.example', security: { profile: 3, csmsRootCertificates: CERT, clientCertificateChain: '', clientPrivateKey: KEY }, message: /clientCertificateChain is not PEM/ },
    { name: 'client key not PEM', url: 'wss://csms.example', security: { profile: 3, csmsRootCertificates: CERT, clientCertificateChain: CERT, clientPrivateKey: CERT }, message: /clientPrivateKey is not PEM/ },
  ];
  for (const b of bad) {
    it(`refuses ${b.name}`, () => {
      expect(() => stationTransport(b.url, b.security)).toThrow(CsmsConnectionConfigError);
      expect(() => stationTransport(b.url, b.security)).toThrow(b.message);
    });
  }
});

describe('validateStationIdentity', () => {
  for (const ok of ['CS001', 'DE*PNC*E1234', 'a.b-c_d=e+f|g@h', 'x'.repeat(48)]) {
    it(`accepts ${ok.slice(0, 20)}`, () => expect(validateStationIdentity(ok)).toBe(ok));
  }
  // ':' would make the Basic-auth user-id ambiguous; '/' and '%' would change the URL path.
  for (const bad of ['', 'CS:001', 'CS/001', 'CS%2F1', 'CS 001', 'x'.repeat(49), 'CSé']) {
    it(`refuses ${JSON.stringify(bad.slice(0, 20))}`, () => expect(() => validateStationIdentity(bad)).toThrow(CsmsConnectionConfigError));
  }
});

describe('connectToCsms option checks (before any socket is opened)', () => {
  const base = { url: 'ws://127.0.0.1:1', identity: 'CS001', security: { profile: 1, basicAuthPassword: PASSWORD } } as const;
  const cases: { name: string; options: Parameters<typeof connectToCsms>[0]; error: new (...args: never[]) => Error }[] = [
    { name: 'zero attempt time-out', options: { ...base, connectTimeoutMs: 0 }, error: CsmsConnectionConfigError },
    { name: 'fractional call time-out', options: { ...base, callTimeoutMs: 1.5 }, error: CsmsConnectionConfigError },
    { name: 'negative ping interval', options: { ...base, pingIntervalMs: -1 }, error: CsmsConnectionConfigError },
    { name: 'zero frame limit', options: { ...base, maxFrameBytes: 0 }, error: CsmsConnectionConfigError },
    { name: 'a bad identity', options: { ...base, identity: 'a:b' }, error: CsmsConnectionConfigError },
    { name: 'a negative back-off', options: { ...base, backOff: { waitMinimumMs: -1, randomRangeMs: 0, repeatTimes: 1 } }, error: RetryBackOffConfigError },
  ];
  for (const c of cases) {
    it(`throws for ${c.name}`, () => expect(() => connectToCsms(c.options)).toThrow(c.error));
  }
});

function errnoError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyConnectError', () => {
  const http = (status: number): Error => Object.assign(new Error('Unexpected server response'), { code: status });
  const cases: { name: string; error: unknown; timedOut?: boolean; secure?: boolean; kind: CsmsConnectionErrorKind; httpStatus?: number; code?: string }[] = [
    { name: 'our timer fired', error: new Error('Connection aborted'), timedOut: true, kind: 'timeout' },
    { name: 'ws handshake timeout', error: new Error('Opening handshake has timed out'), kind: 'timeout' },
    { name: 'HTTP 401', error: http(401), kind: 'auth-rejected', httpStatus: 401 },
    { name: 'HTTP 403', error: http(403), kind: 'http-rejected', httpStatus: 403 },
    { name: 'HTTP 404', error: http(404), kind: 'http-rejected', httpStatus: 404 },
    { name: 'no subprotocol', error: new Error('Server sent no subprotocol'), kind: 'protocol-mismatch' },
    { name: 'a subprotocol not offered', error: new Error('Server sent an invalid subprotocol'), kind: 'protocol-mismatch' },
    { name: 'connection refused', error: errnoError('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), kind: 'refused', code: 'ECONNREFUSED' },
    { name: 'unknown host', error: errnoError('getaddrinfo ENOTFOUND csms.invalid', 'ENOTFOUND'), kind: 'network', code: 'ENOTFOUND' },
    { name: 'a reset on ws://', error: errnoError('socket hang up', 'ECONNRESET'), kind: 'network', code: 'ECONNRESET' },
    { name: 'a reset on wss://', error: errnoError('socket hang up', 'ECONNRESET'), secure: true, kind: 'tls', code: 'ECONNRESET' },
    { name: 'untrusted CSMS certificate', error: errnoError('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), secure: true, kind: 'tls' },
    { name: 'self-signed CSMS certificate', error: errnoError('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'), secure: true, kind: 'tls' },
    { name: 'expired CSMS certificate', error: errnoError('certificate has expired', 'CERT_HAS_EXPIRED'), secure: true, kind: 'tls' },
    { name: 'wrong host name', error: errnoError("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'), secure: true, kind: 'tls' },
    { name: 'a TLS alert', error: errnoError('tlsv1 alert unknown ca', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), secure: true, kind: 'tls' },
    { name: 'TLS on a plain port', error: errnoError('wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'), secure: true, kind: 'tls' },
    { name: 'something unknown', error: 'a string', kind: 'network' },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.kind}`, () => {
      const e = classifyConnectError(c.error, { timedOut: c.timedOut ?? false, secure: c.secure ?? false });
      expect(e.kind).toBe(c.kind);
      expect(e.name).toBe('CsmsConnectionError');
      expect(e.cause).toBe(c.error);
      if (c.httpStatus !== undefined) expect(e.detail.httpStatus).toBe(c.httpStatus);
      if (c.code !== undefined) expect(e.detail.code).toBe(c.code);
    });
  }
});
