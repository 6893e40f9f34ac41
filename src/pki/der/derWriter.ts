// DER encoder: each function returns the complete TLV bytes, so structures are built by nesting calls.
import { Tag } from './derReader.js';

/** One allocation per TLV: header and parts are copied into a buffer of the final size. */
export function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  let length = 0;
  for (const p of parts) length += p.length;
  const lengthOctets = length < 0x80 ? 0 : length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
  const out = Buffer.allocUnsafe(2 + lengthOctets + length);
  out[0] = tag;
  if (lengthOctets === 0) out[1] = length;
  else {
    out[1] = 0x80 | lengthOctets;
    for (let i = 0; i < lengthOctets; i++) out[2 + i] = (length >>> (8 * (lengthOctets - 1 - i))) & 0xff;
  }
  let at = 2 + lengthOctets;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const sequence = (...parts: Uint8Array[]): Buffer => tlv(Tag.SEQUENCE, ...parts);

/** SET OF: DER sorts the encoded elements (X.690 §11.6). */
export function setOf(...parts: Uint8Array[]): Buffer {
  const sorted = [...parts].sort((a, b) => Buffer.compare(a, b));
  return tlv(Tag.SET, ...sorted);
}

/** [n] EXPLICIT wrapper. */
export const explicit = (n: number, inner: Uint8Array): Buffer => tlv(0xa0 | n, inner);

/** [n] IMPLICIT primitive with the given content bytes. */
export const implicitPrimitive = (n: number, contentBytes: Uint8Array): Buffer => tlv(0x80 | n, contentBytes);

/** [n] IMPLICIT constructed (replaces a SEQUENCE/SET tag). */
export const implicitConstructed = (n: number, ...parts: Uint8Array[]): Buffer => tlv(0xa0 | n, ...parts);

/** INTEGER from unsigned magnitude bytes (serials, key ids) or a safe integer. */
export function integer(value: number | bigint | Uint8Array, tag: number = Tag.INTEGER): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number' || typeof value === 'bigint') {
    let v = BigInt(value);
    if (v < 0n) throw new RangeError('negative INTEGER values are not used here');
    const out: number[] = [];
    do {
      out.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n);
    bytes = Buffer.from(out);
  } else {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    bytes = Buffer.from(value.subarray(start));
    if (bytes.length === 0) bytes = Buffer.from([0]);
  }
  if ((bytes[0]! & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(tag, bytes);
}

export const enumerated = (value: number): Buffer => integer(value, Tag.ENUMERATED);

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`bad OID ${dotted}`);
    return BigInt(a);
  });
  if (arcs.length < 2) throw new RangeError(`bad OID ${dotted}`);
  const first = arcs[0]! * 40n + arcs[1]!;
  const out: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  }
  return tlv(Tag.OID, Buffer.from(out));
}

export const nullValue = (): Buffer => Buffer.from([Tag.NULL, 0]);
export const boolean = (v: boolean): Buffer => Buffer.from([Tag.BOOLEAN, 1, v ? 0xff : 0]);
export const octetString = (bytes: Uint8Array): Buffer => tlv(Tag.OCTET_STRING, bytes);
export const bitString = (bytes: Uint8Array, unusedBits = 0): Buffer => tlv(Tag.BIT_STRING, Buffer.from([unusedBits]), bytes);
export const utf8String = (s: string): Buffer => tlv(Tag.UTF8_STRING, Buffer.from(s, 'utf8'));
export const ia5String = (s: string): Buffer => tlv(Tag.IA5_STRING, Buffer.from(s, 'latin1'));

export function printableString(s: string): Buffer {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)) throw new RangeError(`not a PrintableString: ${s}`);
  return tlv(Tag.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, Z. */
export function time(ms: number): Buffer {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const y = d.getUTCFullYear();
  const rest = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(Tag.UTC_TIME, Buffer.from(pad(y % 100) + rest, 'latin1'));
  return generalizedTime(ms);
}

export function generalizedTime(ms: number): Buffer {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const s = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return tlv(Tag.GENERALIZED_TIME, Buffer.from(s, 'latin1'));
}
