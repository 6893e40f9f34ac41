// The SECC's look at a ClientHello before the handshake (which profile answers it), on hand-built hellos: versions,
// signature schemes, GREASE, records split anywhere, and malformed input.
import { describe, expect, it } from 'vitest';
import { ClientHelloError, clientHelloBytesMissing, highestVersion, parseClientHello } from '../../src/iso15118/tls/clientHello.js';
import { chooseTlsSuite } from '../../src/iso15118/tls/tlsSuiteChoice.js';
import type { TlsSuite } from '../../src/iso15118/tls/tlsProfile.js';

const u16 = (n: number): number[] => [n >> 8, n & 0xff];
const vec16 = (b: number[]): number[] => [...u16(b.length), ...b];
const vec8 = (b: number[]): number[] => [b.length, ...b];
const ext = (type: number, body: number[]): number[] => [...u16(type), ...vec16(body)];

function hello(o: { readonly versions?: readonly number[]; readonly sigalgs?: readonly number[]; readonly recordSplit?: number } = {}): Buffer {
  const extensions = [
    ...(o.versions ? ext(43, vec8(o.versions.flatMap(u16))) : []),
    ...(o.sigalgs ? ext(13, vec16(o.sigalgs.flatMap(u16))) : []),
    ...ext(0, vec16([0, ...vec16([...Buffer.from('secc.local')])])),
  ];
  const body = [...u16(0x0303), ...new Array<number>(32).fill(7), ...vec8([]), ...vec16([0xc0, 0x23]), ...vec8([0]), ...vec16(extensions)];
  const handshake = [1, 0, ...u16(body.length), ...body];
  const split = o.recordSplit ?? handshake.length;
  const record = (part: number[]): number[] => [22, 3, 1, ...u16(part.length), ...part];
  return Buffer.from([...record(handshake.slice(0, split)), ...(split < handshake.length ? record(handshake.slice(split)) : [])]);
}

const TLS12 = 0x0303;
const TLS13 = 0x0304;
const ED448 = 0x0808;
const P521 = 0x0603;
const P256 = 0x0403;
const ALL: TlsSuite[] = ['iso2', 'iso20-p521', 'iso20-ed448'];

describe('ClientHello', () => {
  it('parses versions, signature schemes and the server name', () => {
    const h = parseClientHello(hello({ versions: [0x0a0a, TLS13, TLS12], sigalgs: [ED448, P521] }));
    expect(h).toMatchObject({ legacyVersion: TLS12, supportedVersions: [0x0a0a, TLS13, TLS12], signatureAlgorithms: [ED448, P521], serverName: 'secc.local', cipherSuites: [0xc023] });
    expect(highestVersion(h)).toBe(TLS13); // GREASE 0x0a0a is not a version
  });

  it('a hello split across two records, fed byte by byte, is complete only at its last byte', () => {
    const bytes = hello({ versions: [TLS13], sigalgs: [ED448], recordSplit: 20 });
    for (let n = 1; n < bytes.length; n++) expect(clientHelloBytesMissing(bytes.subarray(0, n)), `${n}`).toBeGreaterThan(0);
    expect(clientHelloBytesMissing(bytes)).toBe(0);
    expect(parseClientHello(bytes).signatureAlgorithms).toEqual([ED448]);
  });

  it.each([
    ['not TLS', Buffer.from('GET / HTTP/1.1'), 'not-tls'],
    ['a record that is not a handshake', Buffer.from('170303000501000001ff', 'hex'), 'not-tls'],
    ['a handshake that is not a ClientHello', Buffer.from('16030300050200000100', 'hex'), 'not-client-hello'],
    ['a ClientHello over 16 kB', Buffer.from('1603010005010100ff00', 'hex'), 'too-large'],
  ])('%s → %s', (_n, bytes, code) => {
    expect(() => clientHelloBytesMissing(bytes)).toThrow(ClientHelloError);
    try {
      clientHelloBytesMissing(bytes);
    } catch (e) {
      expect((e as ClientHelloError).code).toBe(code);
    }
  });

  it('lengths that point past the end are malformed, never an exception of another kind', () => {
    const good = hello({ versions: [TLS13], sigalgs: [ED448] });
    for (let i = 9; i < good.length; i++) {
      const bad = Buffer.from(good);
      bad[i] = 0xff;
      try {
        if (clientHelloBytesMissing(bad) === 0) parseClientHello(bad);
      } catch (e) {
        expect(e, `byte ${i}`).toBeInstanceOf(ClientHelloError);
      }
    }
  });
});

describe('which profile answers', () => {
  it.each([
    ['TLS 1.2 only', { sigalgs: [P256] }, ALL, 'iso2'],
    ['TLS 1.3 accepting Ed448 and P-521 (Ed448 preferred)', { versions: [TLS13], sigalgs: [P521, ED448] }, ALL, 'iso20-ed448'],
    ['TLS 1.3 accepting only P-521', { versions: [TLS13], sigalgs: [P521] }, ALL, 'iso20-p521'],
    ['TLS 1.3 accepting neither, TLS 1.2 also offered', { versions: [TLS13, TLS12], sigalgs: [P256] }, ALL, 'iso2'],
    ['TLS 1.3 only, accepting neither: a -20 profile refuses it', { versions: [TLS13], sigalgs: [P256] }, ALL, 'iso20-ed448'],
    ['TLS 1.3 offered to a -2-only charger', { versions: [TLS13, TLS12], sigalgs: [ED448] }, ['iso2'], 'iso2'],
    ['TLS 1.0: the -2 profile answers with a protocol_version alert', {}, ALL, 'iso2'],
    ['no credentials at all', { versions: [TLS13], sigalgs: [ED448] }, [], undefined],
  ] as const)('%s → %s', (_n, o, available, suite) => {
    const h = parseClientHello(hello(o));
    const legacy = 'versions' in o ? h : { ...h, legacyVersion: _n.startsWith('TLS 1.0') ? 0x0301 : TLS12 };
    expect(chooseTlsSuite(legacy, available).suite).toBe(suite);
  });
});
