import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../../src/msp/payment/money.js';
import { maskPaymentIdentifier } from '../../../src/msp/payment/maskPaymentIdentifier.js';
import { planSettlement, shortfallReason, type SettlementPlan } from '../../../src/msp/payment/settlementDecision.js';

describe('planSettlement: capture the total, at most the hold', () => {
  const hold = { amountMinor: 5000, currency: 'EUR' };
  const cases: [string, number, string, SettlementPlan][] = [
    ['under the hold', 1234, 'EUR', { kind: 'capture', captureMinor: 1234, shortfallMinor: 0 }],
    ['exactly the hold', 5000, 'EUR', { kind: 'capture', captureMinor: 5000, shortfallMinor: 0 }],
    ['nothing charged', 0, 'EUR', { kind: 'capture', captureMinor: 0, shortfallMinor: 0 }],
    ['over the hold', 6250, 'EUR', { kind: 'capture', captureMinor: 5000, shortfallMinor: 1250 }],
    ['another currency', 1234, 'CHF', { kind: 'refuse', reason: 'the CDR is in CHF, the pre-authorization in EUR: nothing captured' }],
  ];
  it.each(cases)('%s', (_name, total, currency, expected) => {
    expect(planSettlement(hold, { totalCostMinor: total, currency })).toEqual(expected);
  });

  it('names the captured amount and the shortfall', () => {
    expect(shortfallReason(5000, 1250, 'EUR')).toBe('the total exceeds the pre-authorised amount: captured EUR 50.00, shortfall EUR 12.50 not collected');
  });
});

describe('formatMinor', () => {
  const cases: [number, string, string][] = [
    [1234, 'EUR', 'EUR 12.34'],
    [5, 'EUR', 'EUR 0.05'],
    [0, 'EUR', 'EUR 0.00'],
    [-5, 'EUR', 'EUR -0.05'],
    [500, 'JPY', 'JPY 500'],
    [1234, 'KWD', 'KWD 1.234'],
    [100_000_000, 'USD', 'USD 1000000.00'],
  ];
  it.each(cases)('%d %s → %s', (amount, currency, text) => {
    expect(formatMinor(amount, currency)).toBe(text);
  });
});

describe('maskPaymentIdentifier', () => {
  const cases: [string, string][] = [
    ['tok_visa_4242424242', 'tok_v*************2'],
    ['DE-PNC-C12345678-X', 'DEPNC*********X'],
    ['short', '*****'],
    ['', ''],
  ];
  it.each(cases)('%s → %s', (id, masked) => {
    expect(maskPaymentIdentifier(id)).toBe(masked);
  });
});
