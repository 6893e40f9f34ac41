// Why a call to the payment processor failed, for logs and tests. It is a PaymentProcessorError, so the MSP's code
// that only asks "could the processor answer?" catches it as that.
import { PaymentProcessorError } from './paymentProcessor.js';

export type ProcessorCallErrorCode =
  | 'bad-argument' // the caller handed the client something it refuses to send (a malformed authorization id)
  | 'unreachable' // connection refused, reset, DNS…
  | 'timeout' // no complete answer within the time-out
  | 'too-large' // the answer is larger than the limit
  | 'bad-answer' // not JSON, not the shape the API promises, or not what was asked for
  | 'refused'; // the processor answered with an error (HTTP 4xx/5xx and its typed error body)

export class ProcessorCallError extends PaymentProcessorError {
  constructor(
    readonly code: ProcessorCallErrorCode,
    message: string,
    /** For 'refused': the HTTP status and the API's error code. */
    readonly answer?: { readonly httpStatus: number; readonly apiCode: string },
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
