import { describe, expect, it } from 'vitest';
import {
  parseAuthorizationAnswer,
  parseCaptureAnswer,
  parseCardAnswer,
  parseErrorAnswer,
  parsePreauthorizationAnswer,
} from '../../../src/msp/payment/processorAnswers.js';
import { ProcessorCallError } from '../../../src/msp/payment/processorCallError.js';
import { PaymentProcessorError } from '../../../src/msp/payment/paymentProcessor.js';

const ID = 'pa_0123456789abcdef01234567';

function garbage(f: () => unknown): ProcessorCallError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProcessorCallError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('parsePreauthorizationAnswer', () => {
  it.each<[unknown]>([
    [{ status: 'approved', authorizationId: ID, amountMinor: 5000, currency: 'EUR' }],
    [{ status: 'declined', reason: 'expired_card' }],
    [{ status: 'declined', reason: 'insufficient_funds' }],
    [{ status: 'declined', reason: 'card_blocked' }],
    [{ status: 'declined', reason: 'unknown_card' }],
  ])('accepts %j', (body) => {
    expect(parsePreauthorizationAnswer(body)).toEqual(body);
  });
  it.each<[string, unknown]>([
    ['null', null],
    ['a list', []],
    ['a string', 'approved'],
    ['an unknown status', { status: 'maybe' }],
    ['no status', { authorizationId: ID, amountMinor: 5000, currency: 'EUR' }],
    ['an extra field', { status: 'approved', authorizationId: ID, amountMinor: 5000, currency: 'EUR', note: 'x' }],
    ['a missing id', { status: 'approved', amountMinor: 5000, currency: 'EUR' }],
    ['a foreign id', { status: 'approved', authorizationId: '../x', amountMinor: 5000, currency: 'EUR' }],
    ['a string amount', { status: 'approved', authorizationId: ID, amountMinor: '5000', currency: 'EUR' }],
    ['a negative amount', { status: 'approved', authorizationId: ID, amountMinor: -5, currency: 'EUR' }],
    ['a fractional amount', { status: 'approved', authorizationId: ID, amountMinor: 0.5, currency: 'EUR' }],
    ['a bad currency', { status: 'approved', authorizationId: ID, amountMinor: 5, currency: 'euro' }],
    ['an unknown decline reason', { status: 'declined', reason: 'fraud' }],
    ['a decline without reason', { status: 'declined' }],
  ])('refuses %s', (_name, body) => {
    const e = garbage(() => parsePreauthorizationAnswer(body));
    expect(e).toBeInstanceOf(PaymentProcessorError);
    expect(e.code).toBe('bad-answer');
  });
});

describe('parseCaptureAnswer', () => {
  it('accepts captured and refused', () => {
    expect(parseCaptureAnswer({ status: 'captured', authorizationId: ID, amountMinor: 0, currency: 'EUR' }).status).toBe('captured');
    expect(parseCaptureAnswer({ status: 'refused', reason: 'the authorization was released' })).toEqual({ status: 'refused', reason: 'the authorization was released' });
  });
  it.each<[string, unknown]>([
    ['an empty reason', { status: 'refused', reason: '' }],
    ['a huge reason', { status: 'refused', reason: 'x'.repeat(501) }],
    ['an approval shape', { status: 'approved', authorizationId: ID, amountMinor: 1, currency: 'EUR' }],
  ])('refuses %s', (_name, body) => {
    expect(garbage(() => parseCaptureAnswer(body)).code).toBe('bad-answer');
  });
});

describe('parseAuthorizationAnswer and parseCardAnswer', () => {
  const auth = { authorizationId: ID, reference: 'R1', state: 'released', amountMinor: 5000, currency: 'EUR', capturedMinor: null, declineReason: null };
  it('accepts the documented shapes', () => {
    expect(parseAuthorizationAnswer(auth)).toEqual(auth);
    const card = { token: 'tok_1', currency: 'EUR', balanceMinor: 100, heldMinor: 40, availableMinor: 60, expires: '2027-01', blocked: false };
    expect(parseCardAnswer(card)).toEqual(card);
    expect(garbage(() => parseCardAnswer({ ...card, availableMinor: 61 })).message).toMatch(/available/);
  });
  it.each<[string, unknown]>([
    ['an unknown state', { ...auth, state: 'pending' }],
    ['a string capturedMinor', { ...auth, capturedMinor: '1' }],
    ['a bad decline reason', { ...auth, declineReason: 'nope' }],
    ['a missing reference', { ...auth, reference: undefined }],
  ])('refuses an authorization with %s', (_name, body) => {
    expect(garbage(() => parseAuthorizationAnswer(JSON.parse(JSON.stringify(body)))).code).toBe('bad-answer');
  });
});

describe('parseErrorAnswer', () => {
  it.each<[unknown, ReturnType<typeof parseErrorAnswer>]>([
    [{ error: { code: 'unauthorized', message: 'missing or wrong bearer secret' } }, { code: 'unauthorized', message: 'missing or wrong bearer secret' }],
    [{ error: { code: 'Unauthorized', message: 'x' } }, undefined],
    [{ error: { code: 'x', message: 1 } }, undefined],
    [{ error: 'x' }, undefined],
    [{ error: { code: 'x', message: 'y' }, more: 1 }, undefined],
    ['<html>', undefined],
  ])('%j', (body, expected) => {
    expect(parseErrorAnswer(body)).toEqual(expected);
  });
});
