// Why an OCPI registration with an eMSP did not complete, typed for the admin API and the CLI.
export type RoamingErrorCode =
  | 'invalid-input' // the versions URL or token A given by the operator is unusable
  | 'unreachable' // the eMSP did not answer, or answered garbage
  | 'refused' // the eMSP refused token A or our credentials
  | 'no-mutual-version' // it speaks neither 2.2.1 nor 2.3.0
  | 'missing-endpoints' // no credentials or tokens module, or no eMSP role in its credentials
  | 'not-found'; // no such registered eMSP

export class RoamingError extends Error {
  override readonly name = 'RoamingError';
  constructor(
    readonly code: RoamingErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
