// Deterministic xorshift32 for property tests: random inputs reproduce from their seed.
export function prng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

export const randomBytes = (rand: (n: number) => number, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => rand(256)));
