// V2GTP: header round trip for every payload type, each header refusal with its code, datagram decoding, and the TCP
// framer under partial, coalesced, byte-by-byte, oversize and random chunkings.
import { describe, expect, it } from 'vitest';
import {
  decodeV2gtp,
  encodeV2gtp,
  isKnownPayloadType,
  PAYLOAD_TYPE,
  parseV2gtpHeader,
  payloadTypeName,
  V2gtpError,
  V2gtpFramer,
  type V2gtpErrorCode,
  type V2gtpMessage,
} from '../../src/iso15118/transport/index.js';
import { prng, randomBytes } from '../helpers/prng.js';

const bytes = randomBytes;
const header = (version: number, inverse: number, type: number, length: number): Buffer => {
  const h = Buffer.alloc(8);
  h[0] = version;
  h[1] = inverse;
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(length, 4);
  return h;
};
const codeOf = (f: () => unknown): V2gtpErrorCode | 'no error' => {
  try {
    f();
  } catch (e) {
    if (e instanceof V2gtpError) return e.code;
    throw e;
  }
  return 'no error';
};
const MANUFACTURER = [0xa000, 0xbeef, 0xffff];
const hex = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;

describe('payload types', () => {
  const table: [number, string][] = [
    [0x8001, 'exi'],
    [0x8002, 'commonMessages'],
    [0x8003, 'ac'],
    [0x8004, 'dc'],
    [0x8005, 'acdp'],
    [0x8006, 'wpt'],
    [0x8101, 'scheduleRenegotiation'],
    [0x8102, 'meteringConfirmation'],
    [0x8103, 'acdpSystemStatus'],
    [0x8104, 'parkingStatus'],
    [0x9000, 'sdpRequest'],
    [0x9001, 'sdpResponse'],
    [0x9002, 'sdpRequestWireless'],
    [0x9003, 'sdpResponseWireless'],
    [0xa000, 'manufacturer-specific 0xA000'],
    [0xffff, 'manufacturer-specific 0xFFFF'],
  ];
  it.each(table.map(([v, name]) => [hex(v), v, name] as const))('%s is known as %s', (_hex, value, name) => {
    expect(isKnownPayloadType(value)).toBe(true);
    expect(payloadTypeName(value)).toBe(name);
  });
  it('the table lists exactly the defined types', () => {
    expect(Object.values(PAYLOAD_TYPE).sort()).toEqual(table.map(([v]) => v).filter((v) => v < 0xa000));
  });
  it.each([0x0000, 0x0001, 0x8000, 0x8007, 0x8100, 0x8105, 0x9004, 0x9fff].map((v) => [hex(v), v] as const))('%s is unknown', (_hex, value) => {
    expect(isKnownPayloadType(value)).toBe(false);
    expect(payloadTypeName(value)).toMatch(/^unknown 0x/);
  });
});

describe('V2GTP header', () => {
  const rand = prng(7);
  it.each([...Object.values(PAYLOAD_TYPE), ...MANUFACTURER].map((v) => [hex(v), v] as const))('round trip of payload type %s', (_hex, type) => {
    const payload = bytes(rand, 1 + rand(40));
    const frame = encodeV2gtp(type, payload);
    expect(frame.subarray(0, 8)).toEqual(header(0x01, 0xfe, type, payload.length));
    expect(parseV2gtpHeader(frame, 1024)).toEqual({ payloadType: type, length: payload.length });
    expect(decodeV2gtp(frame)).toEqual({ payloadType: type, payload });
  });

  it('encodes the example SDP request byte for byte', () => {
    expect(encodeV2gtp(0x9000, Uint8Array.of(0x00, 0x00)).toString('hex')).toBe('01fe9000000000020000');
  });

  it.each<[string, Buffer, V2gtpErrorCode | 'no error']>([
    ['bad version byte', header(0x02, 0xfe, 0x8001, 4), 'version'],
    ['version 0 / inverse 0xFF', header(0x00, 0xff, 0x8001, 4), 'version'],
    ['bad inverse version', header(0x01, 0xff, 0x8001, 4), 'version'],
    ['unknown type 0x0001', header(0x01, 0xfe, 0x0001, 4), 'payload-type'],
    ['unknown type 0x8007', header(0x01, 0xfe, 0x8007, 4), 'payload-type'],
    ['unknown type 0x9004', header(0x01, 0xfe, 0x9004, 4), 'payload-type'],
    ['length over max', header(0x01, 0xfe, 0x8001, 1001), 'too-large'],
    ['length 0xFFFFFFFF', header(0x01, 0xfe, 0x8002, 0xffff_ffff), 'too-large'],
    ['length exactly max', header(0x01, 0xfe, 0x8001, 1000), 'no error'],
    ['empty payload', header(0x01, 0xfe, 0x8001, 0), 'no error'],
    ['manufacturer 0xA000', header(0x01, 0xfe, 0xa000, 4), 'no error'],
    ['manufacturer 0xFFFF', header(0x01, 0xfe, 0xffff, 4), 'no error'],
    ['7 bytes', header(0x01, 0xfe, 0x8001, 4).subarray(0, 7), 'truncated'],
  ])('%s → %s', (_name, h, code) => {
    expect(codeOf(() => parseV2gtpHeader(h, 1000))).toBe(code);
  });

  it('version is judged before payload type, payload type before length', () => {
    expect(codeOf(() => parseV2gtpHeader(header(0x02, 0xfe, 0x0001, 0xffff_ffff), 10))).toBe('version');
    expect(codeOf(() => parseV2gtpHeader(header(0x01, 0xfe, 0x0001, 0xffff_ffff), 10))).toBe('payload-type');
  });

  it('allowedPayloadTypes refuses a valid type outside the set', () => {
    const allowed = new Set([0x9000]);
    expect(codeOf(() => parseV2gtpHeader(header(0x01, 0xfe, 0x8001, 2), 10, allowed))).toBe('payload-type');
    expect(parseV2gtpHeader(header(0x01, 0xfe, 0x9000, 2), 10, allowed)).toEqual({ payloadType: 0x9000, length: 2 });
  });

  it('encodeV2gtp refuses an undefined payload type', () => {
    expect(codeOf(() => encodeV2gtp(0x8007, new Uint8Array(1)))).toBe('payload-type');
    expect(codeOf(() => encodeV2gtp(0x1_0000, new Uint8Array(1)))).toBe('payload-type');
  });

  it('errors are typed', () => {
    const e = (() => {
      try {
        parseV2gtpHeader(header(0x02, 0xfe, 0x8001, 0), 10);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(V2gtpError);
    expect(e).toMatchObject({ name: 'V2gtpError', code: 'version' });
  });
});

describe('decodeV2gtp (one datagram)', () => {
  const frame = encodeV2gtp(0x9000, Uint8Array.of(0x10, 0x00));
  it.each<[string, Buffer, V2gtpErrorCode | 'no error']>([
    ['exact', frame, 'no error'],
    ['one byte missing', frame.subarray(0, 9), 'length-mismatch'],
    ['one byte extra', Buffer.concat([frame, Buffer.of(0)]), 'length-mismatch'],
    ['header only', frame.subarray(0, 8), 'length-mismatch'],
    ['shorter than a header', frame.subarray(0, 5), 'truncated'],
    ['empty', Buffer.alloc(0), 'truncated'],
    ['over maxPayloadBytes', encodeV2gtp(0x8001, new Uint8Array(11)), 'too-large'],
  ])('%s → %s', (_name, datagram, code) => {
    expect(codeOf(() => decodeV2gtp(datagram, { maxPayloadBytes: 10 }))).toBe(code);
  });

  it('returns a payload that does not alias the datagram', () => {
    const copy = Buffer.from(frame);
    const message = decodeV2gtp(copy);
    copy.fill(0);
    expect(message.payload).toEqual(Buffer.of(0x10, 0x00));
  });
});

describe('V2gtpFramer', () => {
  const rand = prng(2024);
  const m1 = encodeV2gtp(0x8001, bytes(rand, 37));
  const m2 = encodeV2gtp(0x8002, bytes(rand, 0));
  const m3 = encodeV2gtp(0xa123, bytes(rand, 300));
  const expected = (...frames: Buffer[]): V2gtpMessage[] => frames.map((f) => decodeV2gtp(f));
  const pushAll = (framer: V2gtpFramer, chunks: Uint8Array[]): V2gtpMessage[] => chunks.flatMap((c) => framer.push(c));

  it('reassembles a message split at every byte boundary', () => {
    for (let cut = 0; cut <= m1.length; cut++) {
      const framer = new V2gtpFramer();
      expect(framer.push(m1.subarray(0, cut))).toEqual(cut === m1.length ? expected(m1) : []);
      expect(framer.push(m1.subarray(cut))).toEqual(cut === m1.length ? [] : expected(m1));
      expect(framer.bufferedBytes).toBe(0);
    }
  });

  it('returns three messages coalesced in one chunk', () => {
    expect(new V2gtpFramer().push(Buffer.concat([m1, m2, m3]))).toEqual(expected(m1, m2, m3));
  });

  it('handles a chunk holding the end of one message and the start of the next', () => {
    const stream = Buffer.concat([m1, m3]);
    const framer = new V2gtpFramer();
    expect(framer.push(stream.subarray(0, 20))).toEqual([]);
    expect(framer.push(stream.subarray(20, m1.length + 5))).toEqual(expected(m1));
    expect(framer.bufferedBytes).toBe(5);
    expect(framer.push(stream.subarray(m1.length + 5))).toEqual(expected(m3));
  });

  it('takes a 100 kB payload in 1-byte chunks in linear time', () => {
    const big = encodeV2gtp(0x8004, bytes(prng(99), 100_000));
    const framer = new V2gtpFramer();
    const started = performance.now();
    const out: V2gtpMessage[] = [];
    for (let i = 0; i < big.length; i++) out.push(...framer.push(big.subarray(i, i + 1)));
    const elapsed = performance.now() - started;
    expect(out).toHaveLength(1);
    expect(out[0]?.payloadType).toBe(0x8004);
    expect(out[0]?.payload.equals(big.subarray(8))).toBe(true);
    // Linear work is a few tens of ms; concatenating per push would copy ~5 GB here and take seconds.
    expect(elapsed).toBeLessThan(1500);
  });

  it('does not keep references to the caller\'s chunk memory', () => {
    const framer = new V2gtpFramer();
    const scratch = Buffer.from(m1.subarray(0, 20));
    framer.push(scratch);
    scratch.fill(0xee);
    expect(framer.push(m1.subarray(20))).toEqual(expected(m1));
  });

  it('rejects an oversize length after only its 8 header bytes, then stays poisoned', () => {
    const framer = new V2gtpFramer({ maxPayloadBytes: 1024 });
    const hostile = header(0x01, 0xfe, 0x8001, 0xffff_0000);
    expect(framer.push(hostile.subarray(0, 7))).toEqual([]);
    let first: unknown;
    try {
      framer.push(hostile.subarray(7, 8));
    } catch (e) {
      first = e;
    }
    expect(first).toBeInstanceOf(V2gtpError);
    expect(first).toMatchObject({ code: 'too-large' });
    expect(framer.bufferedBytes).toBe(0);
    expect(() => framer.push(m1)).toThrow(first as Error);
    expect(() => framer.end()).toThrow(first as Error);
    expect(framer.error).toBe(first);
  });

  it('default maximum is 1 MiB', () => {
    expect(() => new V2gtpFramer().push(header(0x01, 0xfe, 0x8001, 1024 * 1024))).not.toThrow();
    expect(codeOf(() => new V2gtpFramer().push(header(0x01, 0xfe, 0x8001, 1024 * 1024 + 1)))).toBe('too-large');
  });

  it.each<[string, Buffer, V2gtpErrorCode]>([
    ['bad version', header(0x02, 0xfe, 0x8001, 1), 'version'],
    ['bad inverse', header(0x01, 0x01, 0x8001, 1), 'version'],
    ['unknown type', header(0x01, 0xfe, 0x8007, 1), 'payload-type'],
    ['type not allowed', header(0x01, 0xfe, 0x9000, 2), 'payload-type'],
  ])('poisons on %s after a good message', (_name, bad, code) => {
    const framer = new V2gtpFramer({ allowedPayloadTypes: [0x8001, 0x8002, 0xa123] });
    expect(framer.push(m1)).toEqual(expected(m1));
    expect(codeOf(() => framer.push(bad))).toBe(code);
    expect(codeOf(() => framer.push(m2))).toBe(code);
  });

  it('end() refuses a stream that stops inside a message', () => {
    const framer = new V2gtpFramer();
    framer.push(m1);
    expect(() => framer.end()).not.toThrow();
    framer.push(m3.subarray(0, 3));
    expect(codeOf(() => framer.end())).toBe('truncated');
    expect(codeOf(() => framer.push(m2))).toBe('truncated');
  });

  it('refuses a nonsensical maximum', () => {
    expect(() => new V2gtpFramer({ maxPayloadBytes: -1 })).toThrow(RangeError);
    expect(() => new V2gtpFramer({ maxPayloadBytes: 2 ** 32 })).toThrow(RangeError);
  });

  it('property: any chunking of any message sequence yields the same messages (seeded)', () => {
    const r = prng(0x15118);
    const types = [...Object.values(PAYLOAD_TYPE), ...MANUFACTURER];
    for (let round = 0; round < 300; round++) {
      const frames = Array.from({ length: 1 + r(6) }, () => encodeV2gtp(types[r(types.length)] ?? 0x8001, bytes(r, r(4) === 0 ? 0 : r(400))));
      const stream = Buffer.concat(frames);
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = r(3) === 0 ? 1 + r(4) : r(3) === 0 ? 0 : 1 + r(200);
        chunks.push(stream.subarray(at, at + size));
        at += size;
      }
      const framer = new V2gtpFramer();
      // Compared as hex strings: toEqual walks Buffers byte by byte and would dominate the run time.
      const flat = (ms: V2gtpMessage[]): string[] => ms.map((m) => `${hex(m.payloadType)}:${m.payload.toString('hex')}`);
      expect(flat(pushAll(framer, chunks)), `round ${round}`).toEqual(flat(expected(...frames)));
      expect(framer.bufferedBytes).toBe(0);
    }
  });
});
