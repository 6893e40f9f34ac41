// The CDR id, the retry schedule and the hand-off record: pure functions, table-tested.
import { describe, expect, it } from 'vitest';
import { cdrIdOf } from '../../../src/csms/transactions/cdrId.js';
import { CdrRetryPolicyError, cdrRetryDecision, checkCdrRetryPolicy, DEFAULT_CDR_RETRY_POLICY } from '../../../src/csms/transactions/cdrRetryPolicy.js';
import { transactionEventFacts } from '../../../src/csms/transactions/transactionEventFacts.js';
import { TransactionLedgerError } from '../../../src/csms/transactions/transactionLedgerError.js';
import { te } from './eventSequences.js';

describe('cdrIdOf', () => {
  it('is stable, fits OCPI CiString(39), and separators cannot make two transactions collide', () => {
    const a = cdrIdOf('CS-1', 'TX-1');
    expect(cdrIdOf('CS-1', 'TX-1')).toBe(a);
    expect(a).toMatch(/^[0-9A-F]{32}$/);
    expect(cdrIdOf('CS-1', 'TX-2')).not.toBe(a);
    expect(cdrIdOf('CS-2', 'TX-1')).not.toBe(a);
    expect(cdrIdOf('a|b', 'c')).not.toBe(cdrIdOf('a', 'b|c'));
    expect(cdrIdOf('ab', 'c')).not.toBe(cdrIdOf('a', 'bc'));
  });
});

describe('cdrRetryDecision', () => {
  const policy = { initialDelayMs: 1000, maxDelayMs: 10_000, factor: 2, maxAttempts: 6 };
  it.each([
    [1, { kind: 'retry', delayMs: 1000 }],
    [2, { kind: 'retry', delayMs: 2000 }],
    [3, { kind: 'retry', delayMs: 4000 }],
    [4, { kind: 'retry', delayMs: 8000 }],
    [5, { kind: 'retry', delayMs: 10_000 }],
    [6, { kind: 'give-up' }],
    [60, { kind: 'give-up' }],
  ])('after attempt %s → %j', (attempts, decision) => {
    expect(cdrRetryDecision(attempts, policy)).toEqual(decision);
  });
  it('the default gives up only after many attempts over hours', () => {
    let total = 0;
    for (let a = 1; a < DEFAULT_CDR_RETRY_POLICY.maxAttempts; a++) {
      const d = cdrRetryDecision(a, DEFAULT_CDR_RETRY_POLICY);
      if (d.kind !== 'retry') throw new Error('gave up early');
      total += d.delayMs;
    }
    expect(total).toBeGreaterThan(12 * 3_600_000);
  });
  it.each([
    { initialDelayMs: -1 },
    { maxDelayMs: 1, initialDelayMs: 5 },
    { factor: 0.5 },
    { maxAttempts: 0 },
    { maxAttempts: 1.5 },
    { initialDelayMs: Number.NaN },
  ])('refuses %j', (bad) => {
    expect(() => checkCdrRetryPolicy({ ...DEFAULT_CDR_RETRY_POLICY, ...bad })).toThrow(CdrRetryPolicyError);
  });
});

describe('transactionEventFacts refuses what the schema lets through', () => {
  const base = te({ type: 'Started', seq: 0, min: 0 });
  it.each([
    ['negative seqNo', { ...base, seqNo: -1 }],
    ['seqNo beyond 2^31-1', { ...base, seqNo: 2 ** 31 }],
    ['fractional seqNo', { ...base, seqNo: 1.5 }],
    ['unparseable timestamp', { ...base, timestamp: 'yesterday' }],
    ['year 10000', { ...base, timestamp: '+010000-01-01T00:00:00.000Z' }],
    ['empty transactionId', { ...base, transactionInfo: { transactionId: '' } }],
    ['transactionId longer than 36', { ...base, transactionInfo: { transactionId: 'x'.repeat(37) } }],
    ['idToken longer than 36', { ...base, idToken: { idToken: 'x'.repeat(37), type: 'ISO14443' as const } }],
    ['empty idToken of a type that names someone', { ...base, idToken: { idToken: '', type: 'eMAID' as const } }],
  ])('%s', (_name, request) => {
    expect(() => transactionEventFacts(request)).toThrow(TransactionLedgerError);
  });
  it('normalises the timestamp and defaults an Ended stoppedReason to Local', () => {
    const f = transactionEventFacts({ ...te({ type: 'Ended', seq: 3, min: 0 }), timestamp: '2026-03-01T12:00:00+02:00' });
    expect(f.timestamp).toBe('2026-03-01T10:00:00.000Z');
    expect(f.stoppedReason).toBe('Local');
    expect(f.offline).toBe(false);
  });
  it('NoAuthorization carries an empty idToken', () => {
    expect(transactionEventFacts({ ...base, idToken: { idToken: '', type: 'NoAuthorization' } }).idToken).toEqual({ idToken: '', type: 'NoAuthorization' });
  });
});
