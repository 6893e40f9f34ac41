// What kind of IP address a responder URL leads to: public unicast, or one of the special-purpose ranges (RFC 6890
// registries) a station must never make the CSMS reach — its own loopback, the operator's private networks, the cloud
// metadata service on 169.254.169.254, multicast… IPv6 forms that embed an IPv4 address (IPv4-mapped, -compatible,
// NAT64, 6to4) are judged by the embedded address, so that [::ffff:127.0.0.1] is loopback as 127.0.0.1 is.

export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'invalid';

export interface AddressClass {
  readonly kind: AddressKind;
  /** How the kind was found when the address embeds another one, e.g. "IPv4-mapped 127.0.0.1". */
  readonly via?: string;
}

interface Range {
  readonly prefix: readonly number[];
  readonly bits: number;
  readonly kind: AddressKind;
}

// Most specific first: the first match decides.
const IPV4_RANGES: readonly Range[] = [
  { prefix: [255, 255, 255, 255], bits: 32, kind: 'broadcast' },
  { prefix: [0, 0, 0, 0], bits: 8, kind: 'unspecified' }, // "this network" (RFC 791); connecting to it reaches the host itself
  { prefix: [10, 0, 0, 0], bits: 8, kind: 'private' },
  { prefix: [100, 64, 0, 0], bits: 10, kind: 'cgnat' },
  { prefix: [127, 0, 0, 0], bits: 8, kind: 'loopback' },
  { prefix: [169, 254, 0, 0], bits: 16, kind: 'link-local' },
  { prefix: [172, 16, 0, 0], bits: 12, kind: 'private' },
  { prefix: [192, 0, 0, 0], bits: 24, kind: 'reserved' }, // IETF protocol assignments
  { prefix: [192, 0, 2, 0], bits: 24, kind: 'documentation' },
  { prefix: [192, 88, 99, 0], bits: 24, kind: 'reserved' }, // 6to4 relay anycast (deprecated)
  { prefix: [192, 168, 0, 0], bits: 16, kind: 'private' },
  { prefix: [198, 18, 0, 0], bits: 15, kind: 'benchmarking' },
  { prefix: [198, 51, 100, 0], bits: 24, kind: 'documentation' },
  { prefix: [203, 0, 113, 0], bits: 24, kind: 'documentation' },
  { prefix: [224, 0, 0, 0], bits: 4, kind: 'multicast' },
  { prefix: [240, 0, 0, 0], bits: 4, kind: 'reserved' },
];

// As bytes of the 16-byte address. Embedding forms are handled before this table.
const IPV6_RANGES: readonly Range[] = [
  { prefix: [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], bits: 48, kind: 'private' }, // local-use NAT64 (RFC 8215)
  { prefix: [0x01, 0x00, 0, 0, 0, 0, 0, 0], bits: 64, kind: 'reserved' }, // discard-only
  { prefix: [0x20, 0x01, 0x0d, 0xb8], bits: 32, kind: 'documentation' },
  { prefix: [0x20, 0x01, 0x00, 0x02, 0x00, 0x00], bits: 48, kind: 'benchmarking' },
  { prefix: [0x20, 0x01, 0x00, 0x00], bits: 23, kind: 'reserved' }, // IETF protocol assignments, Teredo 2001::/32 among them
  { prefix: [0x3f, 0xff], bits: 20, kind: 'documentation' },
  { prefix: [0xfc], bits: 7, kind: 'unique-local' },
  { prefix: [0xfe, 0x80], bits: 10, kind: 'link-local' },
  { prefix: [0xfe, 0xc0], bits: 10, kind: 'site-local' },
  { prefix: [0xff], bits: 8, kind: 'multicast' },
];

function inRange(bytes: readonly number[], range: Range): boolean {
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((range.prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Canonical dotted quad only (what DNS answers and the WHATWG URL parser produce); anything else is not an IPv4 address here. */
export function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out.push(v);
  }
  return out;
}

/** 16 bytes of an IPv6 address in any RFC 4291 §2.2 text form (with '::' and a dotted IPv4 tail), zone id ignored. */
export function parseIpv6(text: string): number[] | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.length === 0 || s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  if (s.includes('.')) {
    // A dotted IPv4 tail stands for the last two groups.
    const lastColon = s.lastIndexOf(':');
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (lastColon < 0 || !v4) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...rest];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

function classifyV4(bytes: readonly number[]): AddressKind {
  return IPV4_RANGES.find((r) => inRange(bytes, r))?.kind ?? 'public';
}

const dotted = (b: readonly number[]): string => b.join('.');
const zeros = (b: readonly number[], from: number, to: number): boolean => b.slice(from, to).every((x) => x === 0);

function classifyV6(b: readonly number[]): AddressClass {
  if (zeros(b, 0, 16)) return { kind: 'unspecified' };
  if (zeros(b, 0, 15) && b[15] === 1) return { kind: 'loopback' };
  const v4 = b.slice(12, 16);
  if (zeros(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return { kind: classifyV4(v4), via: `IPv4-mapped ${dotted(v4)}` };
  // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1): some stacks still route it to the embedded IPv4 address.
  if (zeros(b, 0, 12)) return { kind: classifyV4(v4), via: `IPv4-compatible ${dotted(v4)}` };
  if (inRange(b, { prefix: [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], bits: 96, kind: 'public' })) {
    return { kind: classifyV4(v4), via: `NAT64 ${dotted(v4)}` };
  }
  if (b[0] === 0x20 && b[1] === 0x02) {
    const embedded = b.slice(2, 6);
    return { kind: classifyV4(embedded), via: `6to4 ${dotted(embedded)}` };
  }
  return { kind: IPV6_RANGES.find((r) => inRange(b, r))?.kind ?? 'public' };
}

/** The kind of an IP address given as text (IPv4 dotted quad, IPv6 with or without brackets). Not an address → 'invalid'. */
export function classifyAddress(text: string): AddressClass {
  const v4 = parseIpv4(text);
  if (v4) return { kind: classifyV4(v4) };
  const v6 = parseIpv6(text);
  if (v6) return classifyV6(v6);
  return { kind: 'invalid' };
}

/** The text is an IP literal (as a URL hostname: IPv6 in brackets). */
export function isIpLiteral(hostname: string): boolean {
  return parseIpv4(hostname) !== undefined || (hostname.startsWith('[') && parseIpv6(hostname) !== undefined);
}
