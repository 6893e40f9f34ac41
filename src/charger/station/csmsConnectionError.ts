// Why a connection attempt to the CSMS failed, as a typed error, and the pure mapping from what ws / Node / ocpp-rpc
// throw during the opening handshake to that type.

export type CsmsConnectionErrorKind =
  /** Nothing listens at the CSMS address (TCP RST). */
  | 'refused'
  /** Any other network failure before the WebSocket opened: DNS, unreachable host, reset, hang-up. */
  | 'network'
  /** The TLS handshake failed: CSMS certificate not trusted / wrong name / expired, our client certificate refused, version or cipher mismatch. */
  | 'tls'
  /** The CSMS answered the upgrade with HTTP 401: wrong basic-auth password or unknown station. */
  | 'auth-rejected'
  /** The CSMS answered the upgrade with another HTTP status than 101 (403, 404, 503…). */
  | 'http-rejected'
  /** The CSMS did not select the `ocpp2.0.1` WebSocket subprotocol. */
  | 'protocol-mismatch'
  /** No open WebSocket within the connection attempt time-out. */
  | 'timeout';

export class CsmsConnectionError extends Error {
  override readonly name = 'CsmsConnectionError';
  constructor(
    readonly kind: CsmsConnectionErrorKind,
    message: string,
    readonly detail: { readonly httpStatus?: number; readonly code?: string } = {},
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The connection options are unusable (wrong scheme for the profile, missing certificate, bad password…). */
export class CsmsConnectionConfigError extends Error {
  override readonly name = 'CsmsConnectionConfigError';
}

/** Waiting for a CSMS connection ended without one. */
export class CsmsOfflineError extends Error {
  override readonly name = 'CsmsOfflineError';
  constructor(
    readonly reason: 'timeout' | 'closed' | 'aborted',
    message: string,
    readonly lastError?: CsmsConnectionError,
  ) {
    super(message);
  }
}

/** An OCPP-J frame we were about to send is larger than the agreed limit; it was not sent. */
export class OcppFrameTooLargeError extends Error {
  override readonly name = 'OcppFrameTooLargeError';
  constructor(
    readonly action: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`${action} frame of ${bytes} bytes exceeds the ${limit}-byte limit; not sent`);
  }
}

// OpenSSL certificate verification results as Node reports them in `error.code` (tls.TLSSocket 'error').
const X509_VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

const SUBPROTOCOL_MESSAGES = ['Server sent no subprotocol', 'Server sent an invalid subprotocol', 'Server sent a subprotocol but none was requested'];

function field(e: unknown, name: string): unknown {
  return typeof e === 'object' && e !== null && name in e ? (e as Record<string, unknown>)[name] : undefined;
}

/**
 * Maps a failed opening handshake to its kind. `timedOut`: our own attempt timer aborted it; `secure`: a wss:// URL,
 * where a reset before the upgrade answer is taken as the TLS peer refusing us.
 * Anything unrecognised is a 'network' failure that keeps the original error as `cause`.
 */
export function classifyConnectError(error: unknown, context: { readonly timedOut: boolean; readonly secure: boolean }): CsmsConnectionError {
  const kind = classify(error, context);
  const message = error instanceof Error ? error.message : String(error);
  const code = field(error, 'code');
  return new CsmsConnectionError(kind, describe(kind, message, code), { ...(typeof code === 'number' ? { httpStatus: code } : {}), ...(typeof code === 'string' ? { code } : {}) }, { cause: error });
}

function describe(kind: CsmsConnectionErrorKind, message: string, code: unknown): string {
  switch (kind) {
    case 'timeout':
      return `no WebSocket connection within the attempt time-out (${message})`;
    case 'auth-rejected':
      return 'CSMS rejected the credentials (HTTP 401)';
    case 'http-rejected':
      return typeof code === 'number' ? `CSMS answered the WebSocket upgrade with HTTP ${code}` : `CSMS refused the WebSocket upgrade: ${message}`;
    case 'protocol-mismatch':
      return `CSMS did not select the ocpp2.0.1 subprotocol: ${message}`;
    case 'refused':
      return `connection refused: ${message}`;
    case 'tls':
      // A TLS server that refuses our client certificate often just closes the connection (TLS 1.3: after our side
      // already finished the handshake), so a reset on wss:// before the upgrade counts as a TLS refusal.
      return code === 'ECONNRESET' || message === 'socket hang up' ? `TLS connection reset by the CSMS before the WebSocket upgrade (client certificate refused?): ${message}` : `TLS handshake failed: ${message}`;
    case 'network':
      return `network error: ${message}`;
  }
}

function classify(error: unknown, context: { readonly timedOut: boolean; readonly secure: boolean }): CsmsConnectionErrorKind {
  const message = error instanceof Error ? error.message : String(error);
  if (context.timedOut) return 'timeout';
  const code = field(error, 'code');
  // ocpp-rpc's UnexpectedHttpResponse carries the HTTP status in `code`.
  if (typeof code === 'number') return code === 401 ? 'auth-rejected' : 'http-rejected';
  if (SUBPROTOCOL_MESSAGES.includes(message)) return 'protocol-mismatch';
  if (typeof code === 'string') {
    if (code === 'ECONNREFUSED') return 'refused';
    if (X509_VERIFY_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code === 'EPROTO') return 'tls';
    if (code === 'ECONNRESET' && context.secure) return 'tls';
  }
  if (message === 'Opening handshake has timed out') return 'timeout';
  if (message === 'socket hang up' && context.secure) return 'tls';
  if (/^(Unexpected server response|Invalid Sec-WebSocket|Maximum redirects)/.test(message)) return 'http-rejected';
  return 'network';
}
