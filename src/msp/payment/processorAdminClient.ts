// The processor's admin routes over HTTP, for `pnc msp processor card add`, the demo and tests.
import { parseAuthorizationAnswer, parseCardAnswer } from './processorAnswers.js';
import { ProcessorCallError } from './processorCallError.js';
import { ProcessorHttp, type ProcessorHttpOptions } from './processorHttp.js';
import type { AuthorizationView, CardView } from './processorLedger.js';
import { AUTHORIZATION_ID_PATTERN, PAYMENT_TOKEN_PATTERN } from './processorRequests.js';

export interface NewCard {
  readonly token: string;
  readonly balanceMinor: number;
  readonly currency: string;
  /** YYYY-MM */
  readonly expires: string;
  readonly blocked?: boolean;
}

export interface ProcessorAdminClient {
  /** ProcessorCallError 'refused' with apiCode 'card-exists' or 'invalid-request' when the processor says no. */
  addCard(card: NewCard): Promise<CardView>;
  /** undefined when the processor has no such card. */
  card(token: string): Promise<CardView | undefined>;
  /** undefined when the processor has no such authorization. */
  authorization(authorizationId: string): Promise<AuthorizationView | undefined>;
  close(): void;
}

export function createProcessorAdminClient(options: ProcessorHttpOptions): ProcessorAdminClient {
  const http = new ProcessorHttp(options);
  const orUndefined = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (e) {
      if (e instanceof ProcessorCallError && e.answer?.apiCode === 'not-found') return undefined;
      throw e;
    }
  };
  return {
    async addCard(card) {
      return parseCardAnswer(await http.call('POST', '/admin/cards', { ...card, blocked: card.blocked ?? false }, [201]));
    },
    card(token) {
      if (!PAYMENT_TOKEN_PATTERN.test(token)) return Promise.reject(new ProcessorCallError('bad-argument', 'card token: letters, digits and . _ : -, 1–64 characters'));
      return orUndefined(async () => parseCardAnswer(await http.call('GET', `/admin/cards/${token}`, undefined)));
    },
    authorization(authorizationId) {
      if (!AUTHORIZATION_ID_PATTERN.test(authorizationId)) return Promise.reject(new ProcessorCallError('bad-argument', 'not an authorization id of the processor'));
      return orUndefined(async () => parseAuthorizationAnswer(await http.call('GET', `/v1/authorizations/${authorizationId}`, undefined)));
    },
    close: () => http.close(),
  };
}
