// The 16-byte SECC address of an SDP response and its text form. SDP carries IPv6 only (ISO 15118 runs on IPv6
// link-local addresses); an IPv4 address (handy for loopback tests) travels as IPv4-mapped IPv6, ::ffff:a.b.c.d.
import { isIPv4, isIPv6, SocketAddress } from 'node:net';
import { SdpError } from './sdpError.js';

/**
 * Text to 16 bytes. A zone (`fe80::1%eth0`) is dropped: it names an interface of the sender, which means nothing to the
 * receiver, who reaches a link-local address through its own interface.
 */
export function ipv6ToBytes(text: string): Buffer {
  const zone = text.indexOf('%');
  const bare = zone === -1 ? text : text.slice(0, zone);
  if (isIPv4(bare)) return ipv6ToBytes(`::ffff:${bare}`);
  if (!isIPv6(bare)) throw new SdpError('address', `not an IPv6 or IPv4 address: ${JSON.stringify(text)}`);

  const [headText = '', tailText] = bare.split('::');
  const head = groups(headText);
  const tail = tailText === undefined ? [] : groups(tailText);
  const words = tailText === undefined ? head : [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, 2 * i));
  return out;
}

/** One side of `::` as 16-bit words; a dotted IPv4 tail counts as two. Input is already validated by isIPv6. */
function groups(text: string): number[] {
  if (text === '') return [];
  return text.split(':').flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)];
    const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
    return [(a << 8) | b, (c << 8) | d];
  });
}

/**
 * 16 bytes to text, formatted by Node itself (SocketAddress goes through libuv's inet_ntop), so it compares equal to
 * what dgram reports in rinfo and address(): lower case, longest zero run as `::`, `::ffff:127.0.0.1` for mapped IPv4.
 */
export function ipv6FromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new SdpError('address', `an IPv6 address has 16 bytes, got ${bytes.length}`);
  const full = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) * 256 + (bytes[2 * i + 1] ?? 0)).toString(16)).join(':');
  return new SocketAddress({ address: full, family: 'ipv6' }).address;
}
