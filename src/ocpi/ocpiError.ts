// Every way an OCPI exchange with a peer can fail, as one typed error: callers (the billing check, the CDR sink, the
// handshake) switch on the code to decide between "the peer said no" and "the peer could not be asked".
export type OcpiErrorCode =
  | 'timeout' // no complete answer within the time limit (connect to last byte)
  | 'network' // connection refused, reset, DNS failure
  | 'http' // an HTTP status outside 2xx (other than 401), or a redirect
  | 'too-large' // the answer exceeds the size limit
  | 'format' // not JSON, not an OCPI envelope, or the data does not have the object's shape
  | 'status' // HTTP 2xx but an OCPI status_code outside 1xxx
  | 'unauthorized'; // HTTP 401: the peer refused our credentials token

export interface OcpiErrorDetails {
  readonly url?: string;
  readonly httpStatus?: number;
  /** The envelope's status_code, when the answer carried a readable envelope. */
  readonly ocpiStatus?: number;
  readonly statusMessage?: string;
}

export class OcpiError extends Error {
  override readonly name = 'OcpiError';
  readonly url?: string;
  readonly httpStatus?: number;
  readonly ocpiStatus?: number;
  readonly statusMessage?: string;
  constructor(
    readonly code: OcpiErrorCode,
    message: string,
    details: OcpiErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    if (details.url !== undefined) this.url = details.url;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    if (details.ocpiStatus !== undefined) this.ocpiStatus = details.ocpiStatus;
    if (details.statusMessage !== undefined) this.statusMessage = details.statusMessage;
  }
}
