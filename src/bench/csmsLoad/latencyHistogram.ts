// A fixed-size latency histogram in the HDR style: exact buckets below 256 µs, then 128 linear sub-buckets per power of
// two, so any recorded value is reported within 1/128 (< 0.8 %) of itself, whatever the count. 3200 counters cover
// 0 µs … 2^31 µs (35 minutes); larger values land in the last bucket. Recording is O(1) and allocates nothing.

const EXACT = 256;
const SUB = 128;
/** Largest value with its own bucket: 2^31 − 1 µs. */
export const HISTOGRAM_MAX_US = 0x7fffffff;
const BUCKETS = EXACT + 23 * SUB;

export interface LatencySummary {
  readonly count: number;
  /** Milliseconds (microsecond resolution); 0 when count is 0. */
  readonly minMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

/** Bucket of a value in whole microseconds (clamped to 0 … HISTOGRAM_MAX_US). */
export function bucketIndex(us: number): number {
  const v = us <= 0 ? 0 : us >= HISTOGRAM_MAX_US ? HISTOGRAM_MAX_US : Math.floor(us);
  if (v < EXACT) return v;
  const msb = 31 - Math.clz32(v);
  const shift = msb - 7;
  return EXACT + (shift - 1) * SUB + ((v >>> shift) - SUB);
}

/** Smallest and largest microsecond value of a bucket. */
export function bucketRange(index: number): { readonly low: number; readonly high: number } {
  if (index < EXACT) return { low: index, high: index };
  const shift = Math.floor((index - EXACT) / SUB) + 1;
  const top = SUB + ((index - EXACT) % SUB);
  return { low: top * 2 ** shift, high: (top + 1) * 2 ** shift - 1 };
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private n = 0;
  private sumUs = 0;
  private minUs = Infinity;
  private maxUs = 0;

  /** Records one latency given in microseconds. */
  recordMicros(us: number): void {
    const v = us < 0 ? 0 : us;
    this.counts[bucketIndex(v)]! += 1;
    this.n++;
    this.sumUs += v;
    if (v < this.minUs) this.minUs = v;
    if (v > this.maxUs) this.maxUs = v;
  }

  /** Records the time from `startNs` (process.hrtime.bigint()) to `endNs`. */
  recordSince(startNs: bigint, endNs: bigint): void {
    this.recordMicros(Number(endNs - startNs) / 1000);
  }

  get count(): number {
    return this.n;
  }

  /**
   * Nearest-rank percentile in milliseconds: the smallest recorded value v such that at least p % of the samples are
   * ≤ v, reported as the upper edge of v's bucket (never above the exact maximum). 0 when empty.
   */
  percentileMs(p: number): number {
    if (this.n === 0) return 0;
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is not within 0…100`);
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.round(Math.min(bucketRange(i).high, this.maxUs)) / 1000;
    }
    return Math.round(this.maxUs) / 1000;
  }

  /** Adds another histogram's samples to this one. */
  add(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.n += other.n;
    this.sumUs += other.sumUs;
    if (other.n > 0) {
      this.minUs = Math.min(this.minUs, other.minUs);
      this.maxUs = Math.max(this.maxUs, other.maxUs);
    }
  }

  summary(): LatencySummary {
    const ms = (us: number): number => Math.round(us) / 1000;
    return {
      count: this.n,
      minMs: this.n ? ms(this.minUs) : 0,
      meanMs: this.n ? ms(this.sumUs / this.n) : 0,
      p50Ms: this.percentileMs(50),
      p90Ms: this.percentileMs(90),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      maxMs: this.n ? ms(this.maxUs) : 0,
    };
  }
}
