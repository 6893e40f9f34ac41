import { describe, expect, it } from 'vitest';
import {
  cardExpired,
  decideCapture,
  decidePreauthorization,
  type AuthorizationRecord,
  type CardState,
  type CaptureDecision,
  type PreauthorizationDecision,
} from '../../../src/msp/payment/cardDecisions.js';

const NOW = Date.UTC(2026, 5, 15, 12); // 2026-06-15
const card = (over: Partial<CardState> = {}): CardState => ({ currency: 'EUR', balanceMinor: 10_000, heldMinor: 0, expires: '2027-01', blocked: false, ...over });

describe('cardExpired: a card is good through the end of its month (UTC)', () => {
  const cases: [string, number, boolean][] = [
    ['2026-06', NOW, false],
    ['2026-06', Date.UTC(2026, 5, 30, 23, 59, 59, 999), false],
    ['2026-06', Date.UTC(2026, 6, 1), true],
    ['2026-05', NOW, true],
    ['2025-12', Date.UTC(2025, 11, 31, 23), false],
    ['2025-12', Date.UTC(2026, 0, 1), true],
    ['2030-01', NOW, false],
    ['2026-13', NOW, true],
    ['2026-00', NOW, true],
    ['26-06', NOW, true],
    ['', NOW, true],
  ];
  it.each(cases)('%s at %d → expired %s', (expires, now, expired) => {
    expect(cardExpired(expires, now)).toBe(expired);
  });
});

describe('decidePreauthorization', () => {
  const cases: [string, CardState | undefined, number, string, PreauthorizationDecision][] = [
    ['approved with room to spare', card(), 5000, 'EUR', { kind: 'approve' }],
    ['approved for exactly the available amount', card({ heldMinor: 5000 }), 5000, 'EUR', { kind: 'approve' }],
    ['unknown card', undefined, 5000, 'EUR', { kind: 'decline', reason: 'unknown_card' }],
    ['blocked', card({ blocked: true }), 5000, 'EUR', { kind: 'decline', reason: 'card_blocked' }],
    ['blocked wins over expired', card({ blocked: true, expires: '2020-01' }), 5000, 'EUR', { kind: 'decline', reason: 'card_blocked' }],
    ['expired', card({ expires: '2026-05' }), 5000, 'EUR', { kind: 'decline', reason: 'expired_card' }],
    ['expired wins over funds', card({ expires: '2026-05', balanceMinor: 0 }), 5000, 'EUR', { kind: 'decline', reason: 'expired_card' }],
    ['one cent short', card({ balanceMinor: 4999 }), 5000, 'EUR', { kind: 'decline', reason: 'insufficient_funds' }],
    ['balance held by other authorizations', card({ heldMinor: 5001 }), 5000, 'EUR', { kind: 'decline', reason: 'insufficient_funds' }],
    ['empty card', card({ balanceMinor: 0 }), 1, 'EUR', { kind: 'decline', reason: 'insufficient_funds' }],
    ['another currency', card({ currency: 'CHF' }), 5000, 'EUR', { kind: 'currency-mismatch', cardCurrency: 'CHF' }],
  ];
  it.each(cases)('%s', (_name, c, amount, currency, expected) => {
    expect(decidePreauthorization(c, amount, currency, NOW)).toEqual(expected);
  });
});

describe('decideCapture', () => {
  const auth = (over: Partial<AuthorizationRecord> = {}): AuthorizationRecord => ({ id: 'pa_1', state: 'held', amountMinor: 5000, currency: 'EUR', capturedMinor: null, ...over });
  const refused = (pattern: RegExp) => expect.objectContaining({ kind: 'answer', result: { status: 'refused', reason: expect.stringMatching(pattern) as string } }) as CaptureDecision;
  const cases: [string, AuthorizationRecord | undefined, number, CaptureDecision][] = [
    ['less than held', auth(), 1234, { kind: 'capture' }],
    ['exactly the hold', auth(), 5000, { kind: 'capture' }],
    ['zero (releases everything)', auth(), 0, { kind: 'capture' }],
    ['more than held', auth(), 5001, refused(/exceeds the held 5000/)],
    ['unknown', undefined, 100, refused(/unknown authorization/)],
    ['declined', auth({ state: 'declined' }), 100, refused(/declined/)],
    ['released', auth({ state: 'released' }), 100, refused(/released/)],
    [
      'the same capture again',
      auth({ state: 'captured', capturedMinor: 1234 }),
      1234,
      { kind: 'answer', result: { status: 'captured', authorizationId: 'pa_1', amountMinor: 1234, currency: 'EUR' } },
    ],
    ['another amount after a capture', auth({ state: 'captured', capturedMinor: 1234 }), 1000, refused(/already captured 1234/)],
  ];
  it.each(cases)('%s', (_name, a, amount, expected) => {
    expect(decideCapture(a, amount)).toEqual(expected);
  });
});
