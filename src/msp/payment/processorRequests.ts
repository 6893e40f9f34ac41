// What the simulated processor accepts, checked field by field before anything touches the store: JSON objects with
// exactly the known fields, strings of bounded size and alphabet, integers in range. Pure, so table-tested.
import { CURRENCY_PATTERN, MAX_AMOUNT_MINOR } from './money.js';
import { EXPIRES_PATTERN } from './cardDecisions.js';
import { ProcessorApiError } from './processorApiError.js';

export interface PreauthorizationRequest {
  readonly paymentToken: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** The caller's idempotency key. */
  readonly reference: string;
}

export interface CaptureRequest {
  readonly amountMinor: number;
}

export interface NewCardRequest {
  readonly token: string;
  readonly balanceMinor: number;
  readonly currency: string;
  readonly expires: string;
  readonly blocked: boolean;
}

/** Card tokens: what a tokenising wallet hands out — letters, digits and . _ : - (never a PAN with spaces). */
export const PAYMENT_TOKEN_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/** References: printable ASCII without spaces, at most 64 (an OCPI authorization_reference is at most 36). */
export const REFERENCE_PATTERN = /^[\x21-\x7e]{1,64}$/;
/** What the processor hands out: "pa_" and 24 hex digits. */
export const AUTHORIZATION_ID_PATTERN = /^pa_[0-9a-f]{24}$/;

export function parsePreauthorizationRequest(body: unknown): PreauthorizationRequest {
  const o = objectWith(body, ['paymentToken', 'amountMinor', 'currency', 'reference'], []);
  return {
    paymentToken: matching(o, 'paymentToken', PAYMENT_TOKEN_PATTERN, 'letters, digits and . _ : -, 1–64 characters'),
    amountMinor: integerIn(o, 'amountMinor', 1, MAX_AMOUNT_MINOR),
    currency: matching(o, 'currency', CURRENCY_PATTERN, 'an ISO 4217 code such as EUR'),
    reference: matching(o, 'reference', REFERENCE_PATTERN, 'printable ASCII without spaces, 1–64 characters'),
  };
}

export function parseCaptureRequest(body: unknown): CaptureRequest {
  const o = objectWith(body, ['amountMinor'], []);
  // Zero is allowed: nothing was charged, the whole hold is released.
  return { amountMinor: integerIn(o, 'amountMinor', 0, MAX_AMOUNT_MINOR) };
}

/** Release takes no parameters; an empty object (or no body) only. */
export function parseReleaseRequest(body: unknown): void {
  if (body === undefined) return;
  objectWith(body, [], []);
}

export function parseNewCardRequest(body: unknown): NewCardRequest {
  const o = objectWith(body, ['token', 'balanceMinor', 'currency', 'expires'], ['blocked']);
  const blocked = o.blocked ?? false;
  if (typeof blocked !== 'boolean') throw invalid('blocked must be true or false');
  return {
    token: matching(o, 'token', PAYMENT_TOKEN_PATTERN, 'letters, digits and . _ : -, 1–64 characters'),
    balanceMinor: integerIn(o, 'balanceMinor', 0, MAX_AMOUNT_MINOR),
    currency: matching(o, 'currency', CURRENCY_PATTERN, 'an ISO 4217 code such as EUR'),
    expires: matching(o, 'expires', EXPIRES_PATTERN, 'YYYY-MM'),
    blocked,
  };
}

export function parseAuthorizationId(value: unknown): string {
  if (typeof value !== 'string' || !AUTHORIZATION_ID_PATTERN.test(value)) throw invalid('authorization id must look like pa_ and 24 hex digits');
  return value;
}

export function parseCardToken(value: unknown): string {
  if (typeof value !== 'string' || !PAYMENT_TOKEN_PATTERN.test(value)) throw invalid('card token: letters, digits and . _ : -, 1–64 characters');
  return value;
}

function objectWith(body: unknown, required: readonly string[], optional: readonly string[]): Readonly<Record<string, unknown>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object');
  const o = body as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!required.includes(key) && !optional.includes(key)) throw invalid(`unknown field ${JSON.stringify(key.slice(0, 40))}`);
  }
  for (const key of required) {
    if (!Object.hasOwn(o, key)) throw invalid(`${key} is missing`);
  }
  return o;
}

function matching(o: Readonly<Record<string, unknown>>, key: string, pattern: RegExp, expected: string): string {
  const v = o[key];
  if (typeof v !== 'string' || !pattern.test(v)) throw invalid(`${key} must be ${expected}`);
  return v;
}

function integerIn(o: Readonly<Record<string, unknown>>, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw invalid(`${key} must be an integer from ${min} to ${max}`);
  return v;
}

function invalid(message: string): ProcessorApiError {
  return new ProcessorApiError('invalid-request', message);
}
