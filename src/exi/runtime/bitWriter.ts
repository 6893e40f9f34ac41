// Bit-packed writing of EXI 1.0 datatypes, the mirror of BitReader. Every value helper checks the JS value against
// its schema type first, so a wrong value ends in an ExiError instead of a wrong stream.
import { ExiError } from './exiError.js';

/**
 * One scratch buffer reused by consecutive writers: allocating an off-heap typed array costs far more than encoding
 * a small message. A writer takes it (or a new one if another writer holds it) and gives it back in finish().
 */
let spare: Uint8Array | undefined;
const SPARE_MAX = 1 << 20;

export class BitWriter {
  private buf: Uint8Array;
  private byte = 0;
  /** Bits already in `cur` (0–7). */
  private used = 0;
  private cur = 0;

  constructor() {
    this.buf = spare ?? new Uint8Array(4096);
    spare = undefined;
  }

  private grow(extra: number): void {
    let size = Math.max(64, this.buf.length * 2);
    while (size < this.byte + extra) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.byte));
    this.buf = bigger;
  }

  /** The n low bits of `value`, most significant first. */
  bits(value: number, n: number): void {
    if (n > 24) {
      this.bits(Math.floor(value / 0x1000000), n - 24);
      this.bits(value % 0x1000000, 24);
      return;
    }
    let acc = (this.cur << n) | (value & ((1 << n) - 1));
    let used = this.used + n;
    if (used >= 8) {
      if (this.byte + 4 > this.buf.length) this.grow(4);
      do {
        used -= 8;
        this.buf[this.byte++] = (acc >>> used) & 0xff;
      } while (used >= 8);
      acc &= (1 << used) - 1;
    }
    this.cur = acc;
    this.used = used;
  }

  uint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new ExiError('input', `${v} is not an unsigned integer`);
    while (v >= 128) {
      this.bits((v % 128) | 0x80, 8);
      v = Math.floor(v / 128);
    }
    this.bits(v, 8);
  }

  uintBig(v: bigint): void {
    if (v < 0n) throw new ExiError('input', `${v} is not an unsigned integer`);
    while (v >= 128n) {
      this.bits(Number(v & 0x7fn) | 0x80, 8);
      v >>= 7n;
    }
    this.bits(Number(v), 8);
  }

  int(v: number): void {
    if (v < 0) {
      this.bits(1, 1);
      this.uint(-v - 1);
    } else {
      this.bits(0, 1);
      this.uint(v);
    }
  }

  intBig(v: bigint): void {
    if (v < 0n) {
      this.bits(1, 1);
      this.uintBig(-v - 1n);
    } else {
      this.bits(0, 1);
      this.uintBig(v);
    }
  }

  binary(bytes: Uint8Array): void {
    const n = bytes.length;
    this.uint(n);
    if (this.byte + n + 1 > this.buf.length) this.grow(n + 1);
    const out = this.buf;
    if (this.used === 0) {
      out.set(bytes, this.byte);
      this.byte += n;
      return;
    }
    // Unaligned: every output byte takes the pending high bits and the top of the next input byte.
    const k = this.used;
    const back = 8 - k;
    let cur = this.cur;
    let at = this.byte;
    for (let j = 0; j < n; j++) {
      const b = bytes[j]!;
      out[at++] = ((cur << back) | (b >>> k)) & 0xff;
      cur = b & ((1 << k) - 1);
    }
    this.byte = at;
    this.cur = cur;
  }

  /** A string as a value-table miss: code-point length + 2, then the code points. */
  string(s: string): void {
    this.uint(codePointLength(s) + 2);
    this.chars(s);
  }

  chars(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) this.bits(c, 8);
      else if (c < 0xd800 || c > 0xdfff) this.uint(c);
      else {
        const cp = s.codePointAt(i)!;
        if (cp <= 0xffff) throw new ExiError('input', `lone surrogate at character ${i}`);
        i++;
        this.uint(cp);
      }
    }
  }

  // Value helpers with schema checks (EXI 1.0 §7.1; the facets of the type).

  binaryIn(v: unknown, min: number, max: number): void {
    if (!(v instanceof Uint8Array)) throw new ExiError('input', `expected bytes (Uint8Array), got ${typeof v}`);
    if (v.length < min || v.length > max) throw lengthError(v.length, min, max, 'bytes');
    this.binary(v);
  }

  nbit(v: unknown, n: number, min: number, max: number): void {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ExiError('input', `expected an integer, got ${typeof v} ${String(v)}`);
    if (v < min || v > max) throw new ExiError('facet', `${v} is outside ${min}…${max}`);
    this.bits(v - min, n);
  }

  uintIn(v: unknown, min: number, max: number): void {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ExiError('input', `expected an integer, got ${typeof v} ${String(v)}`);
    if (v < min || v > max) throw new ExiError('facet', `${v} is outside ${min}…${max}`);
    this.uint(v);
  }

  intIn(v: unknown, min: number, max: number): void {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ExiError('input', `expected an integer, got ${typeof v} ${String(v)}`);
    if (v < min || v > max) throw new ExiError('facet', `${v} is outside ${min}…${max}`);
    this.int(v);
  }

  uintBigIn(v: unknown, min: bigint | undefined, max: bigint | undefined): void {
    if (typeof v !== 'bigint') throw new ExiError('input', `expected a bigint, got ${typeof v} ${String(v)}`);
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) throw new ExiError('facet', `${v} is outside ${min ?? '−∞'}…${max ?? '∞'}`);
    this.uintBig(v);
  }

  intBigIn(v: unknown, min: bigint | undefined, max: bigint | undefined): void {
    if (typeof v !== 'bigint') throw new ExiError('input', `expected a bigint, got ${typeof v} ${String(v)}`);
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) throw new ExiError('facet', `${v} is outside ${min ?? '−∞'}…${max ?? '∞'}`);
    this.intBig(v);
  }

  stringIn(v: unknown, min: number, max: number): void {
    if (typeof v !== 'string') throw new ExiError('input', `expected a string, got ${typeof v}`);
    const n = codePointLength(v);
    if (n < min || n > max) throw lengthError(n, min, max, 'characters');
    this.uint(n + 2);
    this.chars(v);
  }

  boolIn(v: unknown): void {
    if (typeof v !== 'boolean') throw new ExiError('input', `expected a boolean, got ${typeof v}`);
    this.bits(v ? 1 : 0, 1);
  }

  /** The stream, padded with zero bits to a whole byte. The writer is done afterwards. */
  finish(): Uint8Array {
    if (this.used > 0) {
      this.bits(0, 8 - this.used);
    }
    const out = new Uint8Array(this.byte);
    out.set(this.buf.subarray(0, this.byte));
    if (this.buf.length <= SPARE_MAX) spare = this.buf;
    this.buf = new Uint8Array(0);
    this.byte = 0;
    return out;
  }
}

function lengthError(n: number, min: number, max: number, unit: string): ExiError {
  return new ExiError('facet', `${n} ${unit}, ${min === max ? `exactly ${min}` : n < min ? `at least ${min}` : `at most ${max}`} allowed`);
}

export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
