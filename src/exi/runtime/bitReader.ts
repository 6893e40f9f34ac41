// Bit-packed reading of EXI 1.0 datatypes (§7.1): n-bit unsigned integers, unsigned and signed integers, booleans,
// binary and strings coded as table misses (valuePartitionCapacity 0: length + 2, then code points).
import { ExiError } from './exiError.js';

export class BitReader {
  private pos: number;
  private readonly endBit: number;
  /** Below this bit position a 32-bit window starting at any byte lies inside the buffer. */
  private readonly fastEnd: number;

  constructor(
    readonly buf: Uint8Array,
    byteOffset = 0,
  ) {
    this.pos = byteOffset * 8;
    this.endBit = buf.length * 8;
    this.fastEnd = Math.max(0, buf.length - 3) * 8;
  }

  get bitPosition(): number {
    return this.pos;
  }

  get remainingBits(): number {
    return this.endBit - this.pos;
  }

  /** Unsigned integer of n ≤ 24 bits (event codes and n-bit integers never exceed 13). */
  bits(n: number): number {
    const p = this.pos;
    // One compare keeps the hot path free of bounds checks: below fastEnd the window and the n bits are in the buffer.
    if (p >= this.fastEnd) return this.bitsNearEnd(n);
    const b = this.buf;
    const i = p >>> 3;
    this.pos = p + n;
    const window = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
    // Two shifts so that n = 0 yields 0 without a branch.
    return ((window << (p & 7)) >>> (31 - n)) >>> 1;
  }

  /** The next n ≤ 24 bits without consuming them, or -1 near the end of the stream (callers then take the slow way). */
  peek(n: number): number {
    const p = this.pos;
    if (p >= this.fastEnd) return -1;
    const b = this.buf;
    const i = p >>> 3;
    const window = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
    return ((window << (p & 7)) >>> (31 - n)) >>> 1;
  }

  skip(n: number): void {
    this.pos += n;
  }

  private bitsNearEnd(n: number): number {
    const p = this.pos;
    if (p + n > this.endBit) throw new ExiError('eof', `stream ends inside a ${n}-bit field`);
    let v = 0;
    for (let k = 0; k < n; k++) {
      const q = p + k;
      v = v * 2 + ((this.buf[q >>> 3]! >>> (7 - (q & 7))) & 1);
    }
    this.pos = p + n;
    return v;
  }

  /**
   * An event code of `n` bits. `count` (the productions before the escape code), `ee` (the EE production, or -1) and
   * `abstract` (codes of abstract elements) are for readers that choose events instead of reading them: the random
   * instance generator of the tests.
   */
  code(n: number, _count: number, _ee: number, _abstract?: readonly number[]): number {
    return this.bits(n);
  }

  bool(): boolean {
    return this.bits(1) === 1;
  }

  /** EXI Unsigned Integer (7-bit groups, least significant first) as a number; refuses values above `max`. */
  uint(max = Number.MAX_SAFE_INTEGER): number {
    let value = 0;
    let factor = 1;
    for (let i = 0; ; i++) {
      const b = this.bits(8);
      value += (b & 0x7f) * factor;
      if ((b & 0x80) === 0) break;
      factor *= 128;
      if (i >= 7) throw new ExiError('value', 'unsigned integer longer than 8 octets');
    }
    if (value > max) throw new ExiError('value', `unsigned integer ${value} above ${max}`);
    return value;
  }

  /** EXI Unsigned Integer of up to `maxOctets` 7-bit groups as a bigint. */
  uintBig(maxOctets = 20): bigint {
    // The first 7 groups (49 bits) accumulate in a double; bigint arithmetic only beyond.
    let low = 0;
    let factor = 1;
    for (let i = 0; i < 7; i++) {
      if (i >= maxOctets) throw new ExiError('value', `unsigned integer longer than ${maxOctets} octets`);
      const b = this.bits(8);
      low += (b & 0x7f) * factor;
      if ((b & 0x80) === 0) return BigInt(low);
      factor *= 128;
    }
    let value = BigInt(low);
    let shift = 49n;
    for (let i = 7; ; i++) {
      if (i >= maxOctets) throw new ExiError('value', `unsigned integer longer than ${maxOctets} octets`);
      const b = this.bits(8);
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
      shift += 7n;
    }
  }

  /** EXI Integer: sign bit, then the magnitude (negative values store −v − 1). */
  int(): number {
    const negative = this.bits(1) === 1;
    const m = this.uint();
    return negative ? -m - 1 : m;
  }

  intBig(maxOctets = 20): bigint {
    const negative = this.bits(1) === 1;
    const m = this.uintBig(maxOctets);
    return negative ? -m - 1n : m;
  }

  /** EXI Binary: length, then the bytes. The length facets are checked before anything is allocated. */
  binaryIn(min: number, max: number): Uint8Array {
    const n = this.uint();
    if (n < min || n > max) throw new ExiError('facet', `${n} bytes, ${min === max ? `exactly ${min}` : n < min ? `at least ${min}` : `at most ${max}`} allowed`);
    if (n * 8 > this.remainingBits) throw new ExiError('eof', `binary of ${n} bytes longer than the rest of the stream`);
    const out = this.allocate(n);
    const p = this.pos;
    const i = p >>> 3;
    const k = p & 7;
    const b = this.buf;
    if (k === 0) {
      out.set(b.subarray(i, i + n));
    } else {
      // Unaligned: each output byte is the low bits of one input byte and the high bits of the next.
      const back = 8 - k;
      for (let j = 0; j < n; j++) out[j] = ((b[i + j]! << k) | (b[i + j + 1]! >>> back)) & 0xff;
    }
    this.pos = p + n * 8;
    return out;
  }

  /**
   * Memory for a decoded binary value. Small values get their own (on-heap, cheap) array; larger ones share one
   * arena per stream, sized to the rest of the input — every binary value's bytes come from it, so one arena holds
   * them all and nothing larger than the input is ever allocated.
   */
  private arena?: Uint8Array;
  private arenaUsed = 0;

  private allocate(n: number): Uint8Array {
    if (n <= 64) return new Uint8Array(n);
    if (!this.arena || this.arenaUsed + n > this.arena.length) {
      this.arena = new Uint8Array(Math.max(n, this.remainingBits >>> 3));
      this.arenaUsed = 0;
    }
    const out = this.arena.subarray(this.arenaUsed, this.arenaUsed + n);
    this.arenaUsed += n;
    return out;
  }

  /** n-bit unsigned offset from `min` (EXI 1.0 §7.1.9 bounded integers); values above `max` are refused. */
  nbit(n: number, min: number, max: number): number {
    const v = this.bits(n) + min;
    if (v > max) throw new ExiError('facet', `${v} is outside ${min}…${max}`);
    return v;
  }

  uintIn(min: number, max: number): number {
    const v = this.uint();
    if (v < min || v > max) throw new ExiError('facet', `${v} is outside ${min}…${max}`);
    return v;
  }

  intIn(min: number, max: number): number {
    const v = this.int();
    if (v < min || v > max) throw new ExiError('facet', `${v} is outside ${min}…${max}`);
    return v;
  }

  uintBigIn(octets: number, min: bigint | undefined, max: bigint | undefined): bigint {
    const v = this.uintBig(octets);
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) throw new ExiError('facet', `${v} is outside ${min ?? '−∞'}…${max ?? '∞'}`);
    return v;
  }

  intBigIn(octets: number, min: bigint | undefined, max: bigint | undefined): bigint {
    const v = this.intBig(octets);
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) throw new ExiError('facet', `${v} is outside ${min ?? '−∞'}…${max ?? '∞'}`);
    return v;
  }

  /** n-bit index into an enumeration of `count` values (EXI 1.0 §7.2). */
  enumIndex(n: number, count: number): number {
    const i = this.bits(n);
    if (i >= count) throw new ExiError('value', `enumeration index ${i} beyond the ${count} values`);
    return i;
  }

  /** EXI String as a value-table miss: length + 2, then each character as an Unsigned Integer code point. */
  stringIn(min: number, max: number): string {
    const coded = this.uint();
    if (coded < 2) throw new ExiError('value', 'string value refers to the value string table, which this profile has not (valuePartitionCapacity 0)');
    const n = coded - 2;
    if (n < min) throw new ExiError('facet', `${n} characters, at least ${min} allowed`);
    return this.chars(n, max);
  }

  /** `n` characters (a string literal whose length is already read). */
  chars(n: number, maxLength: number): string {
    if (n > maxLength) throw new ExiError('facet', `${n} characters, at most ${maxLength} allowed`);
    if (n * 8 > this.remainingBits) throw new ExiError('eof', `string of ${n} characters longer than the rest of the stream`);
    const b = this.buf;
    let s = '';
    for (let j = 0; j < n; j++) {
      // One octet per character on the fast path: an ASCII code point is an Unsigned Integer of one octet.
      const p = this.pos;
      if (p + 8 > this.endBit) throw new ExiError('eof', 'stream ends inside a string');
      const i = p >>> 3;
      const k = p & 7;
      const c = k === 0 ? b[i]! : ((b[i]! << k) | (b[i + 1]! >>> (8 - k))) & 0xff;
      if (c < 0x80) {
        this.pos = p + 8;
        s += String.fromCharCode(c);
      } else {
        const cp = this.uint(0x10ffff);
        if (cp >= 0xd800 && cp <= 0xdfff) throw new ExiError('value', `invalid code point ${cp}`);
        s += String.fromCodePoint(cp);
      }
    }
    return s;
  }
}
