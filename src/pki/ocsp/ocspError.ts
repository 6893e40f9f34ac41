// Every way an OCSP exchange can fail, as one typed error the callers switch on.

export type OcspErrorCode =
  | 'malformed'
  | 'responder-status'
  | 'unauthorized-signer'
  | 'bad-signature'
  | 'certid-mismatch'
  | 'not-yet-valid'
  | 'stale'
  | 'nonce-mismatch'
  | 'no-url'
  | 'url-not-allowed'
  | 'timeout'
  | 'http'
  | 'too-large'
  | 'network';

export class OcspError extends Error {
  override readonly name = 'OcspError';
  constructor(
    readonly code: OcspErrorCode,
    message: string,
  ) {
    super(message);
  }
}
