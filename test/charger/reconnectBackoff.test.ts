// The OCPP reconnect back-off as a table: minimum + random part, doubled RepeatTimes times, then constant.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_BACK_OFF,
  MAX_RETRY_WAIT_MS,
  nextRetryBackOff,
  retryBackOffFromSeconds,
  retryBackOffSchedule,
  RetryBackOffConfigError,
  type RetryBackOffConfig,
} from '../../src/charger/station/reconnectBackoff.js';

/** A random source that returns the given values in turn (and fails the test if asked for more). */
function randoms(...values: number[]): () => number {
  let i = 0;
  return () => {
    const v = values[i++];
    if (v === undefined) throw new Error(`random source asked ${i} times, only ${values.length} values given`);
    return v;
  };
}

const cfg = (waitMinimumMs: number, randomRangeMs: number, repeatTimes: number): RetryBackOffConfig => ({ waitMinimumMs, randomRangeMs, repeatTimes });

describe('nextRetryBackOff', () => {
  const cases: { name: string; config: RetryBackOffConfig; random: number[]; count: number; expected: number[] }[] = [
    // TC_B_57_CS-like: no random range, doubled twice, then the same wait.
    { name: 'no random range, repeat 2', config: cfg(1000, 0, 2), random: [0, 0, 0], count: 6, expected: [1000, 2000, 4000, 4000, 4000, 4000] },
    { name: 'repeat 0: never doubles', config: cfg(500, 0, 0), random: [0], count: 4, expected: [500, 500, 500, 500] },
    { name: 'random part at its lower end', config: cfg(1000, 1000, 3), random: [0, 0, 0, 0], count: 5, expected: [1000, 2000, 4000, 8000, 8000] },
    // floor(r × (range + 1)): 0.999… reaches the whole range, both ends included.
    { name: 'random part at its upper end', config: cfg(1000, 1000, 1), random: [0.9999999, 0.9999999], count: 3, expected: [2000, 5000, 5000] },
    // The previous wait (random part included) is doubled and a new random part added; once constant, no new random.
    { name: 'new random part on every increase', config: cfg(100, 10, 3), random: [0.5, 0.1, 0.0, 0.95], count: 6, expected: [105, 211, 422, 854, 854, 854] },
    { name: 'zero minimum', config: cfg(0, 100, 2), random: [0.5, 0.5, 0.5], count: 4, expected: [50, 150, 350, 350] },
    { name: 'capped at a day', config: cfg(MAX_RETRY_WAIT_MS, 0, 5), random: [0, 0, 0, 0, 0, 0], count: 3, expected: [MAX_RETRY_WAIT_MS, MAX_RETRY_WAIT_MS, MAX_RETRY_WAIT_MS] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(retryBackOffSchedule(c.config, c.count, randoms(...c.random))).toEqual(c.expected);
    });
  }

  it('counts attempts from 0 and carries the wait', () => {
    const r = randoms(0, 0, 0);
    const s0 = nextRetryBackOff(cfg(10, 0, 1), undefined, r);
    const s1 = nextRetryBackOff(cfg(10, 0, 1), s0, r);
    const s2 = nextRetryBackOff(cfg(10, 0, 1), s1, r);
    expect([s0, s1, s2]).toEqual([
      { attempt: 0, waitMs: 10 },
      { attempt: 1, waitMs: 20 },
      { attempt: 2, waitMs: 20 },
    ]);
  });

  it('the default is 10 s + up to 10 s, doubled 3 times', () => {
    expect(retryBackOffSchedule(DEFAULT_RETRY_BACK_OFF, 5, () => 0)).toEqual([10_000, 20_000, 40_000, 80_000, 80_000]);
  });

  const bad: { name: string; config: RetryBackOffConfig }[] = [
    { name: 'negative minimum', config: cfg(-1, 0, 1) },
    { name: 'fractional range', config: cfg(10, 0.5, 1) },
    { name: 'NaN repeat', config: cfg(10, 0, Number.NaN) },
    { name: 'minimum beyond a day', config: cfg(MAX_RETRY_WAIT_MS + 1, 0, 1) },
    { name: 'absurd repeat count', config: cfg(10, 0, 1001) },
  ];
  for (const b of bad) {
    it(`refuses ${b.name}`, () => {
      expect(() => nextRetryBackOff(b.config, undefined, () => 0)).toThrow(RetryBackOffConfigError);
    });
  }

  for (const r of [1, -0.1, Number.NaN, 2]) {
    it(`refuses a random source returning ${r}`, () => {
      expect(() => nextRetryBackOff(cfg(10, 10, 1), undefined, () => r)).toThrow(RetryBackOffConfigError);
    });
  }
});

describe('retryBackOffFromSeconds', () => {
  it('converts the OCPPCommCtrlr values from seconds', () => {
    expect(retryBackOffFromSeconds({ RetryBackOffWaitMinimum: 3, RetryBackOffRandomRange: 2, RetryBackOffRepeatTimes: 4 })).toEqual(cfg(3000, 2000, 4));
  });
  it('refuses negative seconds', () => {
    expect(() => retryBackOffFromSeconds({ RetryBackOffWaitMinimum: -3, RetryBackOffRandomRange: 2, RetryBackOffRepeatTimes: 4 })).toThrow(RetryBackOffConfigError);
  });
});
