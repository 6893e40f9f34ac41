// Throughput measurement shared by the benchmarks: calls per second over a time slice, and medians of rounds.

/** Runs `f` for `ms` and returns calls per second. */
export function rate(f: () => void, ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  let now = performance.now();
  const start = now;
  while (now < end) {
    for (let i = 0; i < 20; i++) f();
    n += 20;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
