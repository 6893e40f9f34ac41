import { isUtf8 } from 'node:buffer';

// Strict DER reader (X.690 §10): definite, minimal lengths; low tag numbers only; no trailing bytes.
// Every certificate, OCSP message and CSR that reaches us from a peer goes through here first, so it must
// never throw anything but DerError, never allocate more than its input and never recurse without bound.

export class DerError extends Error {
  override readonly name = 'DerError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag byte: [n] constructed (EXPLICIT or constructed IMPLICIT) or primitive. */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

/** One TLV: `start` is the tag byte, content is [contentStart, end). */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** Largest DER object we accept anywhere; certificates and OCSP messages are far smaller. */
export const MAX_DER_LENGTH = 1 << 20;

export function readTlv(buf: Uint8Array, pos: number, limit: number): Tlv {
  if (pos >= limit) throw new DerError('unexpected end of data, expected a tag', pos);
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used in these structures', pos);
  if (pos + 1 >= limit) throw new DerError('unexpected end of data, expected a length', pos + 1);
  const first = buf[pos + 1]!;
  let length: number;
  let contentStart: number;
  if (first < 0x80) {
    length = first;
    contentStart = pos + 2;
  } else if (first === 0x80) {
    throw new DerError('indefinite length is not DER', pos + 1);
  } else {
    const n = first & 0x7f;
    if (n > 3) throw new DerError(`length of ${n} bytes is too large`, pos + 1);
    if (pos + 2 + n > limit) throw new DerError('unexpected end of data inside a length', pos + 2);
    if (buf[pos + 2] === 0) throw new DerError('length has a leading zero byte (not minimal)', pos + 2);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos + 2 + i]!;
    if (length < 0x80) throw new DerError('long-form length below 128 (not minimal)', pos + 1);
    contentStart = pos + 2 + n;
  }
  if (length > MAX_DER_LENGTH) throw new DerError(`length ${length} exceeds the limit ${MAX_DER_LENGTH}`, pos + 1);
  const end = contentStart + length;
  if (end > limit) throw new DerError(`length ${length} runs past the end of the enclosing data`, pos + 1);
  return { tag, start: pos, contentStart, end };
}

/** Reads the single TLV that must fill `buf` exactly. */
export function readRoot(buf: Uint8Array, expectedTag?: number, what = 'structure'): Tlv {
  const tlv = readTlv(buf, 0, buf.length);
  if (tlv.end !== buf.length) throw new DerError(`${buf.length - tlv.end} trailing bytes after the ${what}`, tlv.end);
  if (expectedTag !== undefined) expectTag(tlv, expectedTag, what);
  return tlv;
}

export function expectTag(tlv: Tlv, tag: number, what: string): Tlv {
  if (tlv.tag !== tag) {
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`, tlv.start);
  }
  return tlv;
}

/** Sequential reader over the content of a constructed TLV. */
export class DerCursor {
  private pos: number;
  constructor(
    readonly buf: Uint8Array,
    parent: Tlv,
  ) {
    if ((parent.tag & 0x20) === 0) throw new DerError('expected a constructed value', parent.start);
    this.pos = parent.contentStart;
    this.end = parent.end;
  }
  readonly end: number;

  get done(): boolean {
    return this.pos >= this.end;
  }

  peekTag(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined;
  }

  next(what: string, tag?: number): Tlv {
    if (this.pos >= this.end) throw new DerError(`${what}: missing`, this.pos);
    const tlv = readTlv(this.buf, this.pos, this.end);
    if (tag !== undefined) expectTag(tlv, tag, what);
    this.pos = tlv.end;
    return tlv;
  }

  /** Reads the next element only if it carries `tag` (OPTIONAL / DEFAULT fields). */
  optional(tag: number): Tlv | undefined {
    if (this.peekTag() !== tag) return undefined;
    const tlv = readTlv(this.buf, this.pos, this.end);
    this.pos = tlv.end;
    return tlv;
  }

  finish(what: string): void {
    if (this.pos !== this.end) throw new DerError(`${what}: unexpected extra element`, this.pos);
  }
}

export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  const cursor = new DerCursor(buf, parent);
  while (!cursor.done) out.push(cursor.next('element'));
  return out;
}

/** Content bytes of a TLV, as a view (no copy). */
export function content(buf: Uint8Array, tlv: Tlv): Buffer {
  return asBuffer(buf).subarray(tlv.contentStart, tlv.end);
}

/** Tag, length and content of a TLV, as a view (no copy). */
export function whole(buf: Uint8Array, tlv: Tlv): Buffer {
  return asBuffer(buf).subarray(tlv.start, tlv.end);
}

function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function readBoolean(buf: Uint8Array, tlv: Tlv): boolean {
  expectTag(tlv, Tag.BOOLEAN, 'BOOLEAN');
  if (tlv.end - tlv.contentStart !== 1) throw new DerError('BOOLEAN must be one byte', tlv.start);
  const v = buf[tlv.contentStart]!;
  if (v !== 0x00 && v !== 0xff) throw new DerError('BOOLEAN must be 0x00 or 0xFF in DER', tlv.contentStart);
  return v === 0xff;
}

/** INTEGER content bytes, checked for minimal two's-complement encoding. */
export function readIntegerBytes(buf: Uint8Array, tlv: Tlv, tag: number = Tag.INTEGER): Buffer {
  expectTag(tlv, tag, tag === Tag.ENUMERATED ? 'ENUMERATED' : 'INTEGER');
  const len = tlv.end - tlv.contentStart;
  if (len === 0) throw new DerError('INTEGER with no content', tlv.start);
  if (len > 1) {
    const a = buf[tlv.contentStart]!;
    const b = buf[tlv.contentStart + 1]!;
    if ((a === 0x00 && (b & 0x80) === 0) || (a === 0xff && (b & 0x80) !== 0)) {
      throw new DerError('INTEGER is not minimally encoded', tlv.contentStart);
    }
  }
  return content(buf, tlv);
}

/** Small non-negative INTEGER/ENUMERATED (versions, pathLen, reasons). */
export function readSmallInteger(buf: Uint8Array, tlv: Tlv, tag: number = Tag.INTEGER): number {
  const bytes = readIntegerBytes(buf, tlv, tag);
  if (bytes.length > 4 || (bytes[0]! & 0x80) !== 0) throw new DerError('expected a small non-negative integer', tlv.start);
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

/** Validates an OBJECT IDENTIFIER's encoding without building its dotted form (for OIDs only checked, not read). */
export function checkOid(buf: Uint8Array, tlv: Tlv): void {
  expectTag(tlv, Tag.OID, 'OBJECT IDENTIFIER');
  const len = tlv.end - tlv.contentStart;
  if (len === 0 || len > 64) throw new DerError('OBJECT IDENTIFIER length out of range', tlv.start);
  if ((buf[tlv.end - 1]! & 0x80) !== 0) throw new DerError('OID ends inside an arc', tlv.end);
  let arcBytes = 0;
  for (let i = tlv.contentStart; i < tlv.end; i++) {
    const b = buf[i]!;
    if (arcBytes === 0 && b === 0x80) throw new DerError('OID arc has a leading 0x80 (not minimal)', i);
    // Same bound as readOid: an arc of more than 7 base-128 digits does not fit a safe integer.
    if (++arcBytes > MAX_OID_ARC_BYTES) throw new DerError('OID arc too large', i);
    if ((b & 0x80) === 0) arcBytes = 0;
  }
}

/** 7 × 7 bits = 49 bits: every arc readOid can represent exactly. */
const MAX_OID_ARC_BYTES = 7;

const oidNames = new Map<string, string>();

/** OID in dotted form. Decoded strings are memoised by their content bytes: certificates repeat a few dozen OIDs. */
export function readOid(buf: Uint8Array, tlv: Tlv): string {
  expectTag(tlv, Tag.OID, 'OBJECT IDENTIFIER');
  const len = tlv.end - tlv.contentStart;
  if (len === 0 || len > 64) throw new DerError('OBJECT IDENTIFIER length out of range', tlv.start);
  let key = '';
  for (let i = tlv.contentStart; i < tlv.end; i++) key += String.fromCharCode(buf[i]!);
  const known = oidNames.get(key);
  if (known !== undefined) return known;
  const arcs: number[] = [];
  let value = 0;
  let started = false;
  let arcBytes = 0;
  for (let i = tlv.contentStart; i < tlv.end; i++) {
    const b = buf[i]!;
    if (!started && b === 0x80) throw new DerError('OID arc has a leading 0x80 (not minimal)', i);
    started = true;
    value = value * 128 + (b & 0x7f);
    if (++arcBytes > MAX_OID_ARC_BYTES) throw new DerError('OID arc too large', i);
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0;
      started = false;
      arcBytes = 0;
    }
  }
  if (started) throw new DerError('OID ends inside an arc', tlv.end);
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  const dotted = [...head, ...arcs.slice(1)].join('.');
  if (oidNames.size < 4096) oidNames.set(key, dotted);
  return dotted;
}

/** BIT STRING content without the unused-bits byte; `unusedBits` must be 0 unless allowed. */
export function readBitString(buf: Uint8Array, tlv: Tlv, allowUnused = false): { bytes: Buffer; unusedBits: number } {
  expectTag(tlv, Tag.BIT_STRING, 'BIT STRING');
  if (tlv.end - tlv.contentStart < 1) throw new DerError('BIT STRING with no content', tlv.start);
  const unusedBits = buf[tlv.contentStart]!;
  if (unusedBits > 7) throw new DerError('BIT STRING unused-bits count above 7', tlv.contentStart);
  if (unusedBits !== 0 && !allowUnused) throw new DerError('BIT STRING must have whole bytes here', tlv.contentStart);
  if (unusedBits !== 0 && tlv.end - tlv.contentStart === 1) throw new DerError('empty BIT STRING with unused bits', tlv.start);
  // X.690 §11.2.1: the unused bits of the last byte are zero in DER.
  if ((buf[tlv.end - 1]! & ((1 << unusedBits) - 1)) !== 0) throw new DerError('BIT STRING padding bits are not zero', tlv.end - 1);
  const bytes = Buffer.from(buf.buffer, buf.byteOffset + tlv.contentStart + 1, tlv.end - tlv.contentStart - 1);
  return { bytes, unusedBits };
}

function digits(buf: Uint8Array, from: number, count: number, at: number): number {
  let v = 0;
  for (let i = 0; i < count; i++) {
    const c = buf[from + i]! - 0x30;
    if (c < 0 || c > 9) throw new DerError('time value holds a non-digit', at);
    v = v * 10 + c;
  }
  return v;
}

/** UTCTime (RFC 5280 §4.1.2.5.1: YY ≥ 50 → 19YY) or GeneralizedTime, both `...SSZ`, as epoch milliseconds. */
export function readTime(buf: Uint8Array, tlv: Tlv): number {
  const s = tlv.contentStart;
  const len = tlv.end - s;
  let year: number;
  let p: number;
  if (tlv.tag === Tag.UTC_TIME) {
    if (len !== 13) throw new DerError('UTCTime must be YYMMDDHHMMSSZ', tlv.start);
    const yy = digits(buf, s, 2, s);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    p = s + 2;
  } else if (tlv.tag === Tag.GENERALIZED_TIME) {
    if (len !== 15) throw new DerError('GeneralizedTime must be YYYYMMDDHHMMSSZ', tlv.start);
    year = digits(buf, s, 4, s);
    p = s + 4;
  } else {
    throw new DerError(`expected UTCTime or GeneralizedTime, found tag 0x${tlv.tag.toString(16)}`, tlv.start);
  }
  if (buf[tlv.end - 1] !== 0x5a) throw new DerError('time must end in Z (UTC)', tlv.end - 1);
  const month = digits(buf, p, 2, p);
  const day = digits(buf, p + 2, 2, p);
  const hour = digits(buf, p + 4, 2, p);
  const minute = digits(buf, p + 6, 2, p);
  const second = digits(buf, p + 8, 2, p);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new DerError('time field out of range', s);
  }
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) throw new DerError('day does not exist in that month', s);
  return date.getTime();
}

const latin1Tags = new Set<number>([Tag.PRINTABLE_STRING, Tag.IA5_STRING, Tag.TELETEX_STRING]);

/** Validates a directory string without decoding it; after this, readString on the same TLV cannot fail. */
export function checkString(buf: Uint8Array, tlv: Tlv): void {
  const bytes = content(buf, tlv);
  switch (tlv.tag) {
    case Tag.UTF8_STRING:
      if (!isUtf8(bytes)) throw new DerError('UTF8String is not valid UTF-8', tlv.contentStart);
      return;
    case Tag.PRINTABLE_STRING:
    case Tag.TELETEX_STRING:
      return;
    case Tag.IA5_STRING:
      for (const b of bytes) if (b > 0x7f) throw new DerError('IA5String holds a non-ASCII byte', tlv.contentStart);
      return;
    case Tag.BMP_STRING:
      if (bytes.length % 2 !== 0) throw new DerError('BMPString of odd length', tlv.contentStart);
      return;
    case Tag.UNIVERSAL_STRING:
      if (bytes.length % 4 !== 0) throw new DerError('UniversalString length not a multiple of 4', tlv.contentStart);
      for (let i = 0; i < bytes.length; i += 4) {
        if (bytes.readUInt32BE(i) > 0x10ffff) throw new DerError('UniversalString code point out of range', tlv.contentStart + i);
      }
      return;
    default:
      throw new DerError(`expected a string, found tag 0x${tlv.tag.toString(16)}`, tlv.start);
  }
}

/** Directory strings used in names and URIs. */
export function readString(buf: Uint8Array, tlv: Tlv): string {
  checkString(buf, tlv);
  const bytes = content(buf, tlv);
  if (tlv.tag === Tag.UTF8_STRING) return bytes.toString('utf8');
  if (latin1Tags.has(tlv.tag)) return bytes.toString('latin1');
  if (tlv.tag === Tag.BMP_STRING) return Buffer.from(bytes).swap16().toString('utf16le');
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) out += String.fromCodePoint(bytes.readUInt32BE(i));
  return out;
}
