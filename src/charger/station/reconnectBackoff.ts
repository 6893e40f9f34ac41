// The reconnect back-off of an OCPP 2.0.1 charging station (Part 4 §5.3 "Reconnecting", driven by the OCPPCommCtrlr
// variables RetryBackOffWaitMinimum, RetryBackOffRandomRange and RetryBackOffRepeatTimes). As the variables describe it:
// the first reconnect waits the minimum plus a random part in [0, RandomRange]; after every failed attempt the previous
// back-off time is doubled and a new random part added, RepeatTimes times; after that the station keeps reconnecting
// with the same back-off time. A successful connection starts the schedule again. Pure: the random source is injected.

/** The three OCPPCommCtrlr variables, in milliseconds (the device model holds seconds; see `retryBackOffFromSeconds`). */
export interface RetryBackOffConfig {
  readonly waitMinimumMs: number;
  readonly randomRangeMs: number;
  readonly repeatTimes: number;
}

/** Returns a number in [0, 1), like Math.random. */
export type RandomSource = () => number;

/** One scheduled wait; pass it back to get the next one. */
export interface RetryBackOffStep {
  /** 0 for the first reconnect after a loss (or after a failed first connect), then 1, 2, … */
  readonly attempt: number;
  readonly waitMs: number;
}

export class RetryBackOffConfigError extends Error {
  override readonly name = 'RetryBackOffConfigError';
}

/** Our defaults (the specification leaves the values to the device model): 10 s + up to 10 s, doubled 3 times. */
export const DEFAULT_RETRY_BACK_OFF: RetryBackOffConfig = { waitMinimumMs: 10_000, randomRangeMs: 10_000, repeatTimes: 3 };

/** No wait may exceed this (a day): doubling a large minimum must not overflow timers (setTimeout caps at 2^31-1 ms). */
export const MAX_RETRY_WAIT_MS = 86_400_000;

export function validateRetryBackOff(config: RetryBackOffConfig): RetryBackOffConfig {
  const check = (name: string, value: number, max: number): void => {
    if (!Number.isSafeInteger(value) || value < 0 || value > max) throw new RetryBackOffConfigError(`${name} must be an integer in [0, ${max}], got ${value}`);
  };
  check('waitMinimumMs', config.waitMinimumMs, MAX_RETRY_WAIT_MS);
  check('randomRangeMs', config.randomRangeMs, MAX_RETRY_WAIT_MS);
  check('repeatTimes', config.repeatTimes, 1000);
  return config;
}

/** From the device-model values, which are in seconds. */
export function retryBackOffFromSeconds(v: { readonly RetryBackOffWaitMinimum: number; readonly RetryBackOffRandomRange: number; readonly RetryBackOffRepeatTimes: number }): RetryBackOffConfig {
  return validateRetryBackOff({ waitMinimumMs: v.RetryBackOffWaitMinimum * 1000, randomRangeMs: v.RetryBackOffRandomRange * 1000, repeatTimes: v.RetryBackOffRepeatTimes });
}

function randomPart(config: RetryBackOffConfig, random: RandomSource): number {
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RetryBackOffConfigError(`random source returned ${r}, expected a number in [0, 1)`);
  // Uniform over the whole milliseconds 0..randomRangeMs, both ends included.
  return Math.floor(r * (config.randomRangeMs + 1));
}

/** The wait before the next connection attempt, given the previous step of this outage (undefined: the first). */
export function nextRetryBackOff(config: RetryBackOffConfig, previous: RetryBackOffStep | undefined, random: RandomSource): RetryBackOffStep {
  validateRetryBackOff(config);
  if (previous === undefined) return { attempt: 0, waitMs: Math.min(MAX_RETRY_WAIT_MS, config.waitMinimumMs + randomPart(config, random)) };
  const attempt = previous.attempt + 1;
  // Doubled RepeatTimes times (attempts 1..RepeatTimes), then the same back-off time for ever.
  if (attempt > config.repeatTimes) return { attempt, waitMs: previous.waitMs };
  return { attempt, waitMs: Math.min(MAX_RETRY_WAIT_MS, 2 * previous.waitMs + randomPart(config, random)) };
}

/** The first `count` waits of one outage (for tests and for showing the schedule). */
export function retryBackOffSchedule(config: RetryBackOffConfig, count: number, random: RandomSource): number[] {
  const waits: number[] = [];
  let step: RetryBackOffStep | undefined;
  for (let i = 0; i < count; i++) {
    step = nextRetryBackOff(config, step, random);
    waits.push(step.waitMs);
  }
  return waits;
}
