// Every refusal of the simulated processor's HTTP API, as one typed error with the HTTP status it is answered with.
// The body is always `{ "error": { "code", "message" } }`.

export type ProcessorApiErrorCode =
  | 'invalid-request' // a body or path parameter of the wrong type, range or size, or an unknown field
  | 'invalid-json' // the body is not JSON (or empty)
  | 'unsupported-media-type' // a body that is not application/json
  | 'body-too-large'
  | 'unauthorized' // missing or wrong bearer secret
  | 'not-found' // no such route, card or authorization
  | 'card-exists'
  | 'idempotency-conflict' // a reference reused with another card, amount or currency
  | 'currency-mismatch' // asked in a currency the card is not in
  | 'internal';

const STATUS: Readonly<Record<ProcessorApiErrorCode, number>> = {
  'invalid-request': 400,
  'invalid-json': 400,
  'unsupported-media-type': 415,
  'body-too-large': 413,
  unauthorized: 401,
  'not-found': 404,
  'card-exists': 409,
  'idempotency-conflict': 409,
  'currency-mismatch': 422,
  internal: 500,
};

export class ProcessorApiError extends Error {
  override readonly name = 'ProcessorApiError';
  constructor(
    readonly code: ProcessorApiErrorCode,
    message: string,
  ) {
    super(message);
  }

  get statusCode(): number {
    return STATUS[this.code];
  }
}
