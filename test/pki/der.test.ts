// Strict DER (X.690 §10) reader: every malformed input ends in DerError and nothing else; the writer's output reads back.
import { describe, expect, it } from 'vitest';
import {
  DerCursor,
  DerError,
  MAX_DER_LENGTH,
  Tag,
  checkString,
  children,
  content,
  readBitString,
  readBoolean,
  readIntegerBytes,
  readOid,
  readRoot,
  readSmallInteger,
  readString,
  readTime,
  readTlv,
} from '../../src/pki/der/derReader.js';
import * as w from '../../src/pki/der/derWriter.js';

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');
/** A primitive TLV with short-form length. */
const prim = (tag: number, body: Buffer | string): Buffer => {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  return Buffer.concat([Buffer.from([tag, b.length]), b]);
};

type Reader = (buf: Buffer) => unknown;
const root: Reader = (b) => readRoot(b);
const boolean: Reader = (b) => readBoolean(b, readRoot(b));
const integer: Reader = (b) => readIntegerBytes(b, readRoot(b));
const smallInteger: Reader = (b) => readSmallInteger(b, readRoot(b));
const oid: Reader = (b) => readOid(b, readRoot(b));
const time: Reader = (b) => readTime(b, readRoot(b));
const bits: Reader = (b) => readBitString(b, readRoot(b));
const namedBits: Reader = (b) => readBitString(b, readRoot(b), true);
const str: Reader = (b) => readString(b, readRoot(b));
const constructed: Reader = (b) => children(b, readRoot(b));

/** Runs `read` and reports how it ended: 'DerError', another exception (a bug) or success. */
function outcome(read: Reader, input: Buffer): string {
  try {
    read(input);
    return 'accepted';
  } catch (e) {
    if (e instanceof DerError) return 'DerError';
    return `other: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}

describe('DER reader refuses malformed input with DerError', () => {
  it.each<[string, Buffer, Reader]>([
    // header
    ['empty input', Buffer.alloc(0), root],
    ['tag only', hex('30'), root],
    ['high-tag-number form (tag 0x1f)', hex('1f 81 00 00'), root],
    ['high-tag-number form, context class (0xbf)', hex('bf 01 00'), root],
    ['indefinite length 0x80', hex('30 80 05 00 00 00'), root],
    ['indefinite length nested inside a definite SEQUENCE', hex('30 04 30 80 00 00'), constructed],
    ['non-minimal long length 0x81 0x05', hex('04 81 05 0102030405'), root],
    ['non-minimal long length 0x81 0x7f', Buffer.concat([hex('04 81 7f'), Buffer.alloc(0x7f)]), root],
    ['long length with a leading zero byte (0x82 0x00 0x80)', Buffer.concat([hex('04 82 00 80'), Buffer.alloc(0x80)]), root],
    ['4 length bytes', Buffer.concat([hex('04 84 00 00 01 00'), Buffer.alloc(0x100)]), root],
    ['8 length bytes', hex('04 88 00 00 00 00 00 00 00 01 00'), root],
    ['0xff length byte (reserved)', hex('04 ff 00'), root],
    ['length bytes cut off', hex('04 82 01'), root],
    ['length above MAX_DER_LENGTH', hex('04 83 20 00 00'), root],
    ['length running past the end', hex('04 05 01 02'), root],
    ['long length running past the end', Buffer.concat([hex('04 81 90'), Buffer.alloc(0x8f)]), root],
    ['child running past its parent', hex('30 03 04 05 00 00 00 00 00'), constructed],
    ['trailing bytes after the root', hex('05 00 00'), root],
    ['two roots', hex('05 00 05 00'), root],
    ['constructed parent that is primitive', hex('04 02 05 00'), constructed],
    // BOOLEAN
    ['BOOLEAN of 2 bytes', hex('01 02 ff ff'), boolean],
    ['BOOLEAN of 0 bytes', hex('01 00'), boolean],
    ['BOOLEAN value 0x01', hex('01 01 01'), boolean],
    ['BOOLEAN value 0x7f', hex('01 01 7f'), boolean],
    ['BOOLEAN with the INTEGER tag', hex('02 01 ff'), boolean],
    // INTEGER
    ['INTEGER with no content', hex('02 00'), integer],
    ['non-minimal INTEGER 00 01', hex('02 02 00 01'), integer],
    ['non-minimal INTEGER 00 00', hex('02 02 00 00'), integer],
    ['non-minimal INTEGER FF 80', hex('02 02 ff 80'), integer],
    ['non-minimal INTEGER FF FF', hex('02 02 ff ff'), integer],
    ['small INTEGER that is negative', hex('02 01 ff'), smallInteger],
    ['small INTEGER of 5 bytes', hex('02 05 01 00 00 00 00'), smallInteger],
    ['INTEGER with the OCTET STRING tag', hex('04 01 01'), integer],
    // OBJECT IDENTIFIER
    ['OID with no content', hex('06 00'), oid],
    ['OID with 0x80 leading the first arc', hex('06 02 80 01'), oid],
    ['OID with 0x80 leading a later arc', hex('06 03 2a 80 01'), oid],
    ['OID ending inside an arc', hex('06 02 2a 86'), oid],
    ['OID of a single continuation byte', hex('06 01 81'), oid],
    ['OID arc beyond 2^53', hex('06 0a 2a ff ff ff ff ff ff ff ff 7f'), oid],
    ['OID of 65 bytes', prim(Tag.OID, Buffer.alloc(65, 0x01)), oid],
    // times
    ['UTCTime without Z', prim(Tag.UTC_TIME, '2611241200000'), time],
    ['UTCTime with a time-zone offset', prim(Tag.UTC_TIME, '261124120000+0100'), time],
    ['UTCTime without seconds', prim(Tag.UTC_TIME, '2611241200Z'), time],
    ['UTCTime with fractional seconds', prim(Tag.UTC_TIME, '261124120000.5Z'), time],
    ['UTCTime month 13', prim(Tag.UTC_TIME, '261324120000Z'), time],
    ['UTCTime month 00', prim(Tag.UTC_TIME, '260024120000Z'), time],
    ['UTCTime day 00', prim(Tag.UTC_TIME, '261100120000Z'), time],
    ['UTCTime Feb 30', prim(Tag.UTC_TIME, '260230120000Z'), time],
    ['UTCTime Feb 29 in a common year', prim(Tag.UTC_TIME, '250229120000Z'), time],
    ['UTCTime Apr 31', prim(Tag.UTC_TIME, '260431120000Z'), time],
    ['UTCTime hour 24', prim(Tag.UTC_TIME, '261124240000Z'), time],
    ['UTCTime minute 60', prim(Tag.UTC_TIME, '261124126000Z'), time],
    ['UTCTime second 60 (no leap seconds)', prim(Tag.UTC_TIME, '261124120060Z'), time],
    ['UTCTime with a letter', prim(Tag.UTC_TIME, '26112412000aZ'), time],
    ['UTCTime with a space', prim(Tag.UTC_TIME, '2611 4120000Z'), time],
    ['UTCTime with a sign', prim(Tag.UTC_TIME, '-61124120000Z'), time],
    ['UTCTime lowercase z', prim(Tag.UTC_TIME, '261124120000z'), time],
    ['GeneralizedTime without Z', prim(Tag.GENERALIZED_TIME, '205011241200000'), time],
    ['GeneralizedTime with fractional seconds', prim(Tag.GENERALIZED_TIME, '20501124120000.5Z'), time],
    ['GeneralizedTime without seconds', prim(Tag.GENERALIZED_TIME, '205011241200Z'), time],
    ['GeneralizedTime month 13', prim(Tag.GENERALIZED_TIME, '20501324120000Z'), time],
    ['GeneralizedTime Feb 30', prim(Tag.GENERALIZED_TIME, '20500230120000Z'), time],
    ['GeneralizedTime Feb 29 in 2100 (not a leap year)', prim(Tag.GENERALIZED_TIME, '21000229120000Z'), time],
    ['GeneralizedTime with a letter in the year', prim(Tag.GENERALIZED_TIME, '2O5011241200 0Z'), time],
    ['GeneralizedTime of UTCTime length', prim(Tag.GENERALIZED_TIME, '501124120000Z'), time],
    ['time with the OCTET STRING tag', prim(Tag.OCTET_STRING, '261124120000Z'), time],
    // BIT STRING
    ['BIT STRING with no content', hex('03 00'), bits],
    ['BIT STRING with unused bits 8', hex('03 02 08 00'), bits],
    ['BIT STRING with unused bits 0xff (named bits allowed)', hex('03 02 ff 00'), namedBits],
    ['BIT STRING with unused bits where whole bytes are required', hex('03 02 01 00'), bits],
    ['empty BIT STRING claiming unused bits', hex('03 01 03'), namedBits],
    // strings
    ['invalid UTF8String (C3 28)', hex('0c 02 c3 28'), str],
    ['UTF8String with an overlong encoding (C0 AF)', hex('0c 02 c0 af'), str],
    ['UTF8String with a UTF-16 surrogate (ED A0 80)', hex('0c 03 ed a0 80'), str],
    ['UTF8String beyond U+10FFFF (F4 90 80 80)', hex('0c 04 f4 90 80 80'), str],
    ['UTF8String cut inside a sequence (E2 82)', hex('0c 02 e2 82'), str],
    ['IA5String with byte 0x80', hex('16 03 41 80 42'), str],
    ['IA5String with byte 0xff', hex('16 01 ff'), str],
    ['odd BMPString', hex('1e 03 00 41 00'), str],
    ['UniversalString not a multiple of 4', hex('1c 03 00 00 41'), str],
    ['UniversalString beyond U+10FFFF', hex('1c 04 00 11 00 00'), str],
    ['string with the OCTET STRING tag', hex('04 01 41'), str],
    ['string with the INTEGER tag', hex('02 01 41'), str],
  ])('%s', (_name, input, read) => {
    expect(outcome(read, input)).toBe('DerError');
  });

  it('DerError carries the offending offset', () => {
    try {
      readRoot(hex('30 03 02 01 05 00'));
      expect.unreachable('trailing bytes must be refused');
    } catch (e) {
      expect(e).toBeInstanceOf(DerError);
      expect((e as DerError).offset).toBe(5);
      expect((e as DerError).message).toMatch(/trailing/);
    }
  });

  it('refuses every truncation of a nested structure with DerError', () => {
    const full = w.sequence(w.integer(123456789), w.sequence(w.oid('1.2.840.10045.4.3.2')), w.utf8String('x'.repeat(200)), w.explicit(3, w.boolean(true)));
    for (let n = 0; n < full.length; n++) expect(outcome(constructed, full.subarray(0, n))).toBe('DerError');
    expect(outcome(constructed, full)).toBe('accepted');
  });

  it('cursor: missing element, wrong tag and extra elements are DerErrors', () => {
    const b = w.sequence(w.integer(1), w.nullValue());
    const c1 = new DerCursor(b, readRoot(b));
    expect(() => c1.next('serial', Tag.OID)).toThrow(DerError);
    const c2 = new DerCursor(b, readRoot(b));
    c2.next('a');
    expect(() => c2.finish('SEQUENCE')).toThrow(DerError);
    c2.next('b');
    expect(c2.done).toBe(true);
    expect(() => c2.next('c')).toThrow(DerError);
    expect(c2.optional(Tag.INTEGER)).toBeUndefined();
  });

  it('never reads beyond the limit it is given', () => {
    // A TLV that would fit the buffer but not the enclosing element.
    const b = hex('30 02 04 03 01 02 03');
    expect(() => readTlv(b, 2, 4)).toThrow(DerError);
    expect(readTlv(b, 2, b.length)).toEqual({ tag: 0x04, start: 2, contentStart: 4, end: 7 });
  });
});

describe('DER reader accepts the well-formed edge cases', () => {
  it.each<[string, Buffer, Reader, unknown]>([
    ['BOOLEAN TRUE', hex('01 01 ff'), boolean, true],
    ['BOOLEAN FALSE', hex('01 01 00'), boolean, false],
    ['small INTEGER 0', hex('02 01 00'), smallInteger, 0],
    ['small INTEGER 128 (00 80)', hex('02 02 00 80'), smallInteger, 128],
    ['small INTEGER 2^31-1', hex('02 04 7f ff ff ff'), smallInteger, 0x7fffffff],
    ['OID 1.2.840.10045.3.1.7', hex('06 08 2a 86 48 ce 3d 03 01 07'), oid, '1.2.840.10045.3.1.7'],
    ['OID 0.9.2342.19200300.100.1.25', hex('06 0a 09 92 26 89 93 f2 2c 64 01 19'), oid, '0.9.2342.19200300.100.1.25'],
    ['OID 2.999.3 (first subidentifier > 127)', hex('06 03 88 37 03'), oid, '2.999.3'],
    ['UTCTime 50 → 1950', prim(Tag.UTC_TIME, '500101000000Z'), time, Date.UTC(1950, 0, 1)],
    ['UTCTime 49 → 2049', prim(Tag.UTC_TIME, '491231235959Z'), time, Date.UTC(2049, 11, 31, 23, 59, 59)],
    ['UTCTime Feb 29 2024', prim(Tag.UTC_TIME, '240229000000Z'), time, Date.UTC(2024, 1, 29)],
    ['GeneralizedTime Feb 29 2000', prim(Tag.GENERALIZED_TIME, '20000229000000Z'), time, Date.UTC(2000, 1, 29)],
    ['GeneralizedTime 9999-12-31', prim(Tag.GENERALIZED_TIME, '99991231235959Z'), time, Date.UTC(9999, 11, 31, 23, 59, 59)],
    ['UTF8String with U+10FFFF', hex('0c 04 f4 8f bf bf'), str, '\u{10ffff}'],
    ['BMPString "Ab"', hex('1e 04 00 41 00 62'), str, 'Ab'],
    ['UniversalString "€"', hex('1c 04 00 00 20 ac'), str, '€'],
    ['PrintableString', prim(Tag.PRINTABLE_STRING, 'DE'), str, 'DE'],
    ['empty IA5String', hex('16 00'), str, ''],
  ])('%s', (_name, input, read, expected) => {
    expect(read(input)).toEqual(expected);
  });

  it('long-form lengths of 1, 2 and 3 bytes up to MAX_DER_LENGTH', () => {
    for (const n of [0x80, 0xff, 0x100, 0xffff, 0x10000, MAX_DER_LENGTH]) {
      const b = w.octetString(Buffer.alloc(n, 0xab));
      const tlv = readRoot(b, Tag.OCTET_STRING);
      expect(tlv.end - tlv.contentStart).toBe(n);
      expect(content(b, tlv).length).toBe(n);
    }
  });

  it('keyUsage-style BIT STRING with unused bits when allowed', () => {
    expect(readBitString(hex('03 02 01 86'), readRoot(hex('03 02 01 86')), true)).toEqual({ bytes: hex('86'), unusedBits: 1 });
  });

  it('checkString accepts TeletexString bytes as they are', () => {
    const b = hex('14 02 41 e9');
    expect(() => checkString(b, readRoot(b))).not.toThrow();
    expect(readString(b, readRoot(b))).toBe('Aé');
  });
});

describe('DER strictness beyond the basic table', () => {
  // X.690 §11.2.1: "Each unused bit in the final octet of the encoding of a bit string value shall be set to zero."
  it('refuses a BIT STRING whose unused (padding) bits are not zero', () => {
    expect(outcome(namedBits, hex('03 02 07 ff'))).toBe('DerError');
    expect(outcome(namedBits, hex('03 02 01 87'))).toBe('DerError');
  });

  // readTime returns epoch ms; Date.UTC maps years 0–99 to 1900–1999, so a GeneralizedTime in year 0049 must not be
  // read as 1949 (it may be refused outright, or decoded as year 49).
  it('does not read GeneralizedTime year 0049 as 1949', () => {
    const b = prim(Tag.GENERALIZED_TIME, '00490101000000Z');
    let year: number | 'DerError';
    try {
      year = new Date(readTime(b, readRoot(b))).getUTCFullYear();
    } catch (e) {
      if (!(e instanceof DerError)) throw e;
      year = 'DerError';
    }
    expect([49, 'DerError']).toContain(year);
  });
});

describe('DER writer output reads back', () => {
  it.each<[string, number | bigint | Uint8Array, string]>([
    ['0', 0, '020100'],
    ['127', 127, '02017f'],
    ['128 (high bit gets a 00)', 128, '02020080'],
    ['255', 255, '020200ff'],
    ['256', 256, '02020100'],
    ['32768', 32768, '0203008000'],
    ['2^53 - 1', Number.MAX_SAFE_INTEGER, '02071fffffffffffff'],
    ['2^64 as bigint', 2n ** 64n, '0209010000000000000000'],
    ['bytes 00 00 01 (leading zeros dropped)', Uint8Array.from([0, 0, 1]), '020101'],
    ['bytes 00 00 80 (one zero kept)', Uint8Array.from([0, 0, 0x80]), '02020080'],
    ['bytes 80 00 (00 prepended)', Uint8Array.from([0x80, 0]), '0203008000'],
    ['bytes 00 00 00', Uint8Array.from([0, 0, 0]), '020100'],
    ['no bytes', new Uint8Array(0), '020100'],
    ['16-byte serial with the high bit set', Buffer.alloc(16, 0xff), `0211 00${'ff'.repeat(16)}`],
  ])('integer %s', (_name, value, expectedHex) => {
    const der = w.integer(value);
    expect(der.toString('hex')).toBe(expectedHex.replace(/\s+/g, ''));
    const bytes = readIntegerBytes(der, readRoot(der));
    const magnitude = typeof value === 'number' || typeof value === 'bigint' ? BigInt(value) : BigInt(`0x0${Buffer.from(value).toString('hex')}`);
    expect(BigInt(`0x0${bytes.toString('hex')}`)).toBe(magnitude);
  });

  it('integer refuses negative numbers', () => {
    expect(() => w.integer(-1)).toThrow(RangeError);
    expect(() => w.integer(-1n)).toThrow(RangeError);
  });

  it('enumerated uses the ENUMERATED tag and reads back', () => {
    const der = w.enumerated(6);
    expect(der.toString('hex')).toBe('0a0106');
    expect(readSmallInteger(der, readRoot(der), Tag.ENUMERATED)).toBe(6);
  });

  it.each([
    '1.2.840.10045.4.3.2',
    '1.2.840.10045.3.1.7',
    '1.3.132.0.35',
    '1.3.101.113',
    '2.5.29.19',
    '0.9.2342.19200300.100.1.25',
    '1.3.6.1.5.5.7.48.1.5',
    '2.999.3',
  ])('oid %s', (dotted) => {
    const der = w.oid(dotted);
    expect(readOid(der, readRoot(der))).toBe(dotted);
    // a second read comes from the memo and is the same
    expect(readOid(der, readRoot(der))).toBe(dotted);
  });

  it('an OID arc beyond what the reader decodes (2.25.<128-bit UUID>) is written but refused with DerError on reading', () => {
    const der = w.oid('2.25.329800735698586629295641978511506172918');
    expect(outcome(oid, der)).toBe('DerError');
  });

  it('oid refuses malformed dotted strings', () => {
    for (const bad of ['1', '', '1..2', '1.2.a', '1.-2']) expect(() => w.oid(bad)).toThrow(RangeError);
  });

  it.each<[string, number, number, string]>([
    ['1950-01-01 (first UTCTime year)', Date.UTC(1950, 0, 1), Tag.UTC_TIME, '500101000000Z'],
    ['2026-11-24 12:00:00', Date.UTC(2026, 10, 24, 12), Tag.UTC_TIME, '261124120000Z'],
    ['2049-12-31 23:59:59 (last UTCTime second)', Date.UTC(2049, 11, 31, 23, 59, 59), Tag.UTC_TIME, '491231235959Z'],
    ['2050-01-01 (first GeneralizedTime year)', Date.UTC(2050, 0, 1), Tag.GENERALIZED_TIME, '20500101000000Z'],
    ['2100-02-28', Date.UTC(2100, 1, 28, 6, 7, 8), Tag.GENERALIZED_TIME, '21000228060708Z'],
    ['1949-12-31 (before UTCTime)', Date.UTC(1949, 11, 31, 23, 59, 59), Tag.GENERALIZED_TIME, '19491231235959Z'],
  ])('time %s', (_name, ms, tag, text) => {
    const der = w.time(ms);
    expect(der[0]).toBe(tag);
    expect(content(der, readRoot(der)).toString('latin1')).toBe(text);
    expect(readTime(der, readRoot(der))).toBe(ms);
  });

  it('time drops milliseconds (whole seconds, RFC 5280 §4.1.2.5)', () => {
    const ms = Date.UTC(2030, 5, 1, 10, 20, 30);
    const der = w.time(ms + 999);
    expect(readTime(der, readRoot(der))).toBe(ms);
    const g = w.generalizedTime(ms + 1);
    expect(g[0]).toBe(Tag.GENERALIZED_TIME);
    expect(readTime(g, readRoot(g))).toBe(ms);
  });

  it('setOf sorts the encoded elements (X.690 §11.6) and leaves its arguments alone', () => {
    const a = w.utf8String('b');
    const b = w.utf8String('a');
    const c = w.printableString('Z');
    const d = w.utf8String('aa');
    const parts = [c, a, d, b];
    const set = w.setOf(...parts);
    expect(parts).toEqual([c, a, d, b]);
    expect(set[0]).toBe(Tag.SET);
    const elements = children(set, readRoot(set, Tag.SET)).map((t) => set.subarray(t.start, t.end).toString('hex'));
    // 0c 01 'a' < 0c 01 'b' < 0c 02 'aa' < 13 01 'Z'
    expect(elements).toEqual([b, a, d, c].map((x) => x.toString('hex')));
    expect(w.setOf(c, a, d, b).equals(w.setOf(b, d, a, c))).toBe(true);
  });

  it('nested structures with long lengths read back element by element', () => {
    const big = w.octetString(Buffer.alloc(300, 1));
    const der = w.sequence(w.integer(7), big, w.explicit(0, w.boolean(true)), w.implicitPrimitive(6, Buffer.from('http://x', 'latin1')), w.nullValue());
    const kids = children(der, readRoot(der, Tag.SEQUENCE));
    expect(kids.map((k) => k.tag)).toEqual([Tag.INTEGER, Tag.OCTET_STRING, 0xa0, 0x86, Tag.NULL]);
    expect(kids[1]!.end - kids[1]!.contentStart).toBe(300);
    expect(der.subarray(kids[1]!.start, kids[1]!.start + 4).toString('hex')).toBe('0482012c');
    const inner = readTlv(der, kids[2]!.contentStart, kids[2]!.end);
    expect(readBoolean(der, inner)).toBe(true);
  });

  it('strings and bit strings read back', () => {
    const u = w.utf8String('Grüße €');
    expect(readString(u, readRoot(u))).toBe('Grüße €');
    const i = w.ia5String('DE*PNC*E1');
    expect(readString(i, readRoot(i))).toBe('DE*PNC*E1');
    const bs = w.bitString(Buffer.from([0x86]), 1);
    expect(readBitString(bs, readRoot(bs), true)).toEqual({ bytes: Buffer.from([0x86]), unusedBits: 1 });
    expect(() => w.printableString('a*b')).toThrow(RangeError);
    expect(() => w.printableString('ü')).toThrow(RangeError);
  });
});
