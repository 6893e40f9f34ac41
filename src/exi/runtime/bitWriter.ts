// Bit-packed writing of EXI 1.0 datatypes, the mirror of BitReader. Every value helper checks the JS value against
// its schema type first, so a wrong value ends in an ExiError instead of a wrong stream.
import { ExiError } from './exiError.js';

/**
 * One scratch buffer reused by consecutive writers: allocating an off-heap typed array costs far more than encoding
 * a small message. A writer takes it (or a new one if another writer holds it) and gives it back in finish().
 */
let spare: Uint8Array | undefined;
const SPARE_MAX = 1 << 20;

/**
 * Finished streams up to POOLED_MAX bytes are copied into a shared 32 KiB chunk and handed out as views of it, as
 * Node's Buffer pool does: one allocation per chunk instead of one per message (which costs more than encoding a
 * small message). The chunk holds nothing but finished EXI streams.
 */
const POOL_CHUNK = 32 * 1024;
const POOLED_MAX = 4096;
let pool = new Uint8Array(0);
let poolUsed = 0;

const EMPTY = new Uint8Array(0);

/** The first n bytes of `buf` as the finished stream. */
function output(buf: Uint8Array, n: number): Uint8Array {
  if (n <= 64) {
    // Small arrays live on the V8 heap: allocating one is cheap.
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = buf[i]!;
    return out;
  }
  if (n > POOLED_MAX) return buf.slice(0, n);
  if (poolUsed + n > pool.length) {
    pool = new Uint8Array(POOL_CHUNK);
    poolUsed = 0;
  }
  const out = pool.subarray(poolUsed, poolUsed + n);
  out.set(buf.subarray(0, n));
  // Keep the next view 8-byte aligned.
  poolUsed = (poolUsed + n + 7) & ~7;
  return out;
}

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
    // Most values (time stamps, meter readings) fit a double exactly: no bigint arithmetic then.
    if (v <= 0x1fffffffffffffn) {
      this.uint(Number(v));
      return;
    }
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
    // ASCII characters are one octet each, written in place; others go through uint (at most 3 octets per unit).
    if (this.byte + s.length * 3 + 4 > this.buf.length) this.grow(s.length * 3 + 4);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        const used = this.used;
        if (used === 0) this.buf[this.byte++] = c;
        else {
          this.buf[this.byte++] = ((this.cur << (8 - used)) | (c >>> used)) & 0xff;
          this.cur = c & ((1 << used) - 1);
        }
      } else if (c < 0xd800 || c > 0xdfff) this.uint(c);
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

  /** A simple element with a Boolean: CH, the value, EE in three bits. */
  boolElement(v: unknown): void {
    if (typeof v !== 'boolean') throw new ExiError('input', `expected a boolean, got ${typeof v}`);
    this.bits(v ? 2 : 0, 3);
  }

  /** A simple element with an n-bit integer: CH, the value, EE in one write. */
  nbitElement(v: unknown, n: number, min: number, max: number): void {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ExiError('input', `expected an integer, got ${typeof v} ${String(v)}`);
    if (v < min || v > max) throw new ExiError('facet', `${v} is outside ${min}…${max}`);
    this.bits((v - min) * 2, n + 2);
  }

  /** A simple element with an enumeration value: CH, the index, EE in one write. */
  enumElement(v: unknown, index: ReadonlyMap<string, number>, n: number): void {
    const i = typeof v === 'string' ? index.get(v) : undefined;
    if (i === undefined) throw new ExiError('facet', `${typeof v === 'string' ? JSON.stringify(v) : typeof v} is not one of ${[...index.keys()].join(', ')}`);
    this.bits(i * 2, n + 2);
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
    const out = output(this.buf, this.byte);
    if (this.buf.length <= SPARE_MAX) spare = this.buf;
    this.buf = EMPTY;
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
