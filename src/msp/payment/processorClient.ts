// The MSP's PaymentProcessor over HTTP: the simulated processor's API (processorServer.ts) through one keep-alive
// agent. Answers are parsed strictly and must be about what was asked (same authorization, amount, currency);
// anything else — unreachable, slow, oversize, garbage, refused — is a PaymentProcessorError (ProcessorCallError).
import type { CaptureResult, PaymentProcessor, PreauthorizationResult } from './paymentProcessor.js';
import { parseAuthorizationAnswer, parseCaptureAnswer, parsePreauthorizationAnswer } from './processorAnswers.js';
import { ProcessorCallError } from './processorCallError.js';
import { ProcessorHttp, type ProcessorHttpOptions } from './processorHttp.js';
import { AUTHORIZATION_ID_PATTERN } from './processorRequests.js';

export type ProcessorClientOptions = ProcessorHttpOptions;

export interface ProcessorClient extends PaymentProcessor {
  /** Closes the idle keep-alive connections. */
  close(): void;
}

/** Throws ProcessorConfigError for a URL that is not http(s) or a secret that cannot be one. */
export function createProcessorClient(options: ProcessorClientOptions): ProcessorClient {
  const http = new ProcessorHttp(options);

  return {
    async preauthorize(paymentToken, amountMinor, currency, reference): Promise<PreauthorizationResult> {
      const body = await http.call('POST', '/v1/preauthorizations', { paymentToken, amountMinor, currency, reference });
      const result = parsePreauthorizationAnswer(body);
      if (result.status === 'approved' && (result.amountMinor !== amountMinor || result.currency !== currency)) {
        throw new ProcessorCallError('bad-answer', `${http.origin} approved ${result.amountMinor} ${result.currency} when asked for ${amountMinor} ${currency}`);
      }
      return result;
    },

    async capture(authorizationId, amountMinor): Promise<CaptureResult> {
      const body = await http.call('POST', `/v1/authorizations/${pathId(authorizationId)}/capture`, { amountMinor });
      const result = parseCaptureAnswer(body);
      if (result.status === 'captured' && (result.authorizationId !== authorizationId || result.amountMinor !== amountMinor)) {
        throw new ProcessorCallError('bad-answer', `${http.origin} answered a capture of another authorization or amount`);
      }
      return result;
    },

    async release(authorizationId): Promise<void> {
      const body = await http.call('POST', `/v1/authorizations/${pathId(authorizationId)}/release`, {});
      const auth = parseAuthorizationAnswer(body);
      if (auth.authorizationId !== authorizationId) throw new ProcessorCallError('bad-answer', `${http.origin} answered about another authorization`);
      // A captured or declined authorization has nothing held any more: released is what was asked.
      if (auth.state === 'held') throw new ProcessorCallError('bad-answer', `${http.origin} still holds ${authorizationId} after a release`);
    },

    close: () => http.close(),
  };
}

/** Authorization ids go into a URL path: only the processor's own format is sent. */
function pathId(authorizationId: string): string {
  if (!AUTHORIZATION_ID_PATTERN.test(authorizationId)) {
    throw new ProcessorCallError('bad-argument', `authorization id ${JSON.stringify(authorizationId.slice(0, 40))} is not one the processor hands out`);
  }
  return authorizationId;
}
