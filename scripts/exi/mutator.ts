// Mutations of valid EXI streams for fuzzing the decoders: bit flips, byte changes, truncation, insertion, deletion,
// duplication and splicing of two streams, plus length prefixes blown up to huge values. Deterministic per seed.

export interface Seed {
  readonly schema: string;
  readonly fragment: boolean;
  readonly bytes: Uint8Array;
}

export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mutate(input: Uint8Array, other: Uint8Array, random: Random): Uint8Array {
  const below = (n: number): number => Math.floor(random() * n);
  let b: Uint8Array = Uint8Array.from(input);
  const rounds = 1 + below(4);
  for (let k = 0; k < rounds; k++) {
    const at = b.length ? below(b.length) : 0;
    switch (below(9)) {
      case 0:
      case 1: {
        // flip 1–3 bits, keeping the header byte most of the time so the decoder gets past it
        const i = b.length > 1 && random() < 0.95 ? 1 + below(b.length - 1) : at;
        if (b.length) b[i]! ^= 1 << below(8);
        break;
      }
      case 2:
        if (b.length) b[at] = below(256);
        break;
      case 3:
        b = b.slice(0, at);
        break;
      case 4: {
        const ins = Uint8Array.from({ length: 1 + below(8) }, () => below(256));
        b = concat(b.slice(0, at), ins, b.slice(at));
        break;
      }
      case 5:
        b = concat(b.slice(0, at), b.slice(at + 1 + below(8)));
        break;
      case 6: {
        const len = 1 + below(16);
        b = concat(b.slice(0, at), b.slice(at, at + len), b.slice(at));
        break;
      }
      case 7: {
        const cut = below(other.length + 1);
        b = concat(b.slice(0, at), other.slice(cut));
        break;
      }
      default: {
        // a run of 0xff: continuation bits of Unsigned Integers, i.e. enormous lengths and values
        const run = new Uint8Array(1 + below(12)).fill(0xff);
        b = concat(b.slice(0, at), run, b.slice(at));
      }
    }
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
