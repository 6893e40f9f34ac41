// What the processor's answers must look like, checked strictly: exactly the documented fields with the documented
// types. Anything else is garbage (ProcessorCallError 'bad-answer'), never half-trusted. Pure, so table-tested.
import type { AuthorizationState } from './cardDecisions.js';
import { CURRENCY_PATTERN, MAX_AMOUNT_MINOR } from './money.js';
import type { CaptureResult, DeclineReason, PreauthorizationResult } from './paymentProcessor.js';
import { ProcessorCallError } from './processorCallError.js';
import type { AuthorizationView, CardView } from './processorLedger.js';
import { AUTHORIZATION_ID_PATTERN, PAYMENT_TOKEN_PATTERN, REFERENCE_PATTERN } from './processorRequests.js';
import { EXPIRES_PATTERN } from './cardDecisions.js';

const DECLINE_REASONS: readonly DeclineReason[] = ['expired_card', 'insufficient_funds', 'card_blocked', 'unknown_card'];
const STATES: readonly AuthorizationState[] = ['held', 'captured', 'released', 'declined'];
const MAX_TEXT = 500;

type Fields = Readonly<Record<string, unknown>>;

export function parsePreauthorizationAnswer(body: unknown): PreauthorizationResult {
  const status = statusOf(body);
  if (status === 'approved') {
    const o = exactly(body, ['status', 'authorizationId', 'amountMinor', 'currency']);
    return { status, authorizationId: authorizationId(o), amountMinor: amount(o, 'amountMinor'), currency: currency(o) };
  }
  if (status === 'declined') {
    const o = exactly(body, ['status', 'reason']);
    return { status, reason: declineReason(o.reason) };
  }
  throw bad(`preauthorization status ${JSON.stringify(status)}`);
}

export function parseCaptureAnswer(body: unknown): CaptureResult {
  const status = statusOf(body);
  if (status === 'captured') {
    const o = exactly(body, ['status', 'authorizationId', 'amountMinor', 'currency']);
    return { status, authorizationId: authorizationId(o), amountMinor: amount(o, 'amountMinor'), currency: currency(o) };
  }
  if (status === 'refused') {
    const o = exactly(body, ['status', 'reason']);
    return { status, reason: text(o, 'reason') };
  }
  throw bad(`capture status ${JSON.stringify(status)}`);
}

export function parseAuthorizationAnswer(body: unknown): AuthorizationView {
  const o = exactly(body, ['authorizationId', 'reference', 'state', 'amountMinor', 'currency', 'capturedMinor', 'declineReason']);
  const state = o.state;
  if (typeof state !== 'string' || !(STATES as readonly string[]).includes(state)) throw bad('authorization state');
  const reference = o.reference;
  if (typeof reference !== 'string' || !REFERENCE_PATTERN.test(reference)) throw bad('authorization reference');
  return {
    authorizationId: authorizationId(o),
    reference,
    state: state as AuthorizationState,
    amountMinor: amount(o, 'amountMinor'),
    currency: currency(o),
    capturedMinor: o.capturedMinor === null ? null : amount(o, 'capturedMinor'),
    declineReason: o.declineReason === null ? null : declineReason(o.declineReason),
  };
}

export function parseCardAnswer(body: unknown): CardView {
  const o = exactly(body, ['token', 'currency', 'balanceMinor', 'heldMinor', 'availableMinor', 'expires', 'blocked']);
  const token = o.token;
  if (typeof token !== 'string' || !PAYMENT_TOKEN_PATTERN.test(token)) throw bad('card token');
  const expires = o.expires;
  if (typeof expires !== 'string' || !EXPIRES_PATTERN.test(expires)) throw bad('card expiry');
  if (typeof o.blocked !== 'boolean') throw bad('card blocked flag');
  const card = {
    token,
    currency: currency(o),
    balanceMinor: amount(o, 'balanceMinor'),
    heldMinor: amount(o, 'heldMinor'),
    availableMinor: amount(o, 'availableMinor'),
    expires,
    blocked: o.blocked,
  };
  if (card.availableMinor !== card.balanceMinor - card.heldMinor) throw bad('card: available ≠ balance − held');
  return card;
}

/** The typed error body of a refusal, or undefined when the body is not one. */
export function parseErrorAnswer(body: unknown): { readonly code: string; readonly message: string } | undefined {
  if (!isRecord(body) || Object.keys(body).length !== 1 || !isRecord(body.error)) return undefined;
  const { code, message } = body.error;
  if (typeof code !== 'string' || !/^[a-z-]{1,40}$/.test(code)) return undefined;
  if (typeof message !== 'string' || message.length > MAX_TEXT) return undefined;
  return { code, message };
}

function statusOf(body: unknown): unknown {
  return isRecord(body) ? body.status : undefined;
}

function exactly(body: unknown, keys: readonly string[]): Fields {
  if (!isRecord(body)) throw bad('not a JSON object');
  const present = Object.keys(body);
  for (const k of present) if (!keys.includes(k)) throw bad(`unexpected field ${JSON.stringify(k.slice(0, 40))}`);
  for (const k of keys) if (!Object.hasOwn(body, k)) throw bad(`missing field ${k}`);
  return body;
}

function authorizationId(o: Fields): string {
  const v = o.authorizationId;
  if (typeof v !== 'string' || !AUTHORIZATION_ID_PATTERN.test(v)) throw bad('authorizationId');
  return v;
}

function amount(o: Fields, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_AMOUNT_MINOR) throw bad(key);
  return v;
}

function currency(o: Fields): string {
  const v = o.currency;
  if (typeof v !== 'string' || !CURRENCY_PATTERN.test(v)) throw bad('currency');
  return v;
}

function declineReason(v: unknown): DeclineReason {
  if (typeof v !== 'string' || !(DECLINE_REASONS as readonly string[]).includes(v)) throw bad('decline reason');
  return v as DeclineReason;
}

function text(o: Fields, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TEXT) throw bad(key);
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(what: string): ProcessorCallError {
  return new ProcessorCallError('bad-answer', `the processor's answer is malformed: ${what}`);
}
