// What the SECC needs to know from a TLS ClientHello before the handshake starts: which protocol profile the EV asks
// for (TLS 1.3 → ISO 15118-20, TLS 1.2 → -2) and which signature algorithms it accepts (P-521 or Ed448 leaf). Node
// cannot switch certificates by version, so the charger reads the first record itself, then hands the untouched bytes
// to the TLS server of that profile (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).

export class ClientHelloError extends Error {
  override readonly name = 'ClientHelloError';
  constructor(
    readonly code: 'not-tls' | 'not-client-hello' | 'malformed' | 'too-large',
    message: string,
  ) {
    super(message);
  }
}

export interface ClientHello {
  /** legacy_version of the ClientHello body (0x0303 for TLS 1.2 and 1.3). */
  readonly legacyVersion: number;
  /** supported_versions (RFC 8446 §4.2.1); empty when the extension is absent (a TLS ≤ 1.2 client). */
  readonly supportedVersions: readonly number[];
  readonly cipherSuites: readonly number[];
  /** signature_algorithms (RFC 8446 §4.2.3). */
  readonly signatureAlgorithms: readonly number[];
  readonly extensionTypes: readonly number[];
  readonly serverName?: string;
}

export const TLS_VERSION = { TLS1_0: 0x0301, TLS1_1: 0x0302, TLS1_2: 0x0303, TLS1_3: 0x0304 } as const;
export const SIGNATURE_SCHEME = { ecdsa_secp256r1_sha256: 0x0403, ecdsa_secp521r1_sha512: 0x0603, ed448: 0x0808 } as const;
export const EXTENSION = {
  server_name: 0,
  status_request: 5,
  signature_algorithms: 13,
  trusted_ca_keys: 3,
  status_request_v2: 17,
  supported_versions: 43,
} as const;

/** A ClientHello larger than this is refused (ISO 15118 hellos are well under 1 kB; RFC 8446 allows 2^24). */
export const MAX_CLIENT_HELLO_BYTES = 16_384;

const RECORD_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;

/**
 * How many bytes of the stream the first ClientHello needs: 0 when `bytes` already holds it, otherwise a lower bound of
 * what is missing. Throws when the stream cannot be a TLS ClientHello.
 */
export function clientHelloBytesMissing(bytes: Uint8Array): number {
  if (bytes.length >= 1 && bytes[0] !== RECORD_HANDSHAKE) throw new ClientHelloError('not-tls', `first byte 0x${bytes[0]!.toString(16)} is not a TLS handshake record`);
  if (bytes.length < 9) return 9 - bytes.length;
  if (bytes[1] !== 3) throw new ClientHelloError('not-tls', `record version ${bytes[1]}.${bytes[2]} is not TLS`);
  if (bytes[5] !== HANDSHAKE_CLIENT_HELLO) throw new ClientHelloError('not-client-hello', `handshake type ${bytes[5]} is not ClientHello`);
  const bodyLength = (bytes[6]! << 16) | (bytes[7]! << 8) | bytes[8]!;
  if (bodyLength + 4 > MAX_CLIENT_HELLO_BYTES) throw new ClientHelloError('too-large', `ClientHello of ${bodyLength} bytes exceeds ${MAX_CLIENT_HELLO_BYTES}`);
  return handshakeBytesAvailable(bytes, bodyLength + 4);
}

/** Reassembles the handshake across records (a ClientHello may be fragmented, RFC 8446 §5.1): bytes still missing. */
function handshakeBytesAvailable(bytes: Uint8Array, handshakeLength: number): number {
  let offset = 0;
  let have = 0;
  while (have < handshakeLength) {
    if (offset + 5 > bytes.length) return offset + 5 - bytes.length;
    if (bytes[offset] !== RECORD_HANDSHAKE) throw new ClientHelloError('malformed', 'ClientHello interrupted by a non-handshake record');
    const recordLength = (bytes[offset + 3]! << 8) | bytes[offset + 4]!;
    if (recordLength === 0 || recordLength > 16_384) throw new ClientHelloError('malformed', `record length ${recordLength}`);
    const end = offset + 5 + recordLength;
    if (end > bytes.length) return end - bytes.length;
    have += recordLength;
    offset = end;
  }
  return 0;
}

function handshakeMessage(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  let total = 0;
  const length = ((bytes[6]! << 16) | (bytes[7]! << 8) | bytes[8]!) + 4;
  while (total < length) {
    const recordLength = (bytes[offset + 3]! << 8) | bytes[offset + 4]!;
    parts.push(bytes.subarray(offset + 5, offset + 5 + recordLength));
    total += recordLength;
    offset += 5 + recordLength;
  }
  return Buffer.concat(parts).subarray(4, length);
}

class Cursor {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  private need(n: number, what: string): void {
    if (this.offset + n > this.bytes.length) throw new ClientHelloError('malformed', `ClientHello ends inside ${what}`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }
  u16(what: string): number {
    this.need(2, what);
    const v = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return v;
  }
  take(n: number, what: string): Cursor {
    this.need(n, what);
    const c = new Cursor(this.bytes.subarray(this.offset, this.offset + n));
    this.offset += n;
    return c;
  }
  vector8(what: string): Cursor {
    return this.take(this.u8(what), what);
  }
  vector16(what: string): Cursor {
    return this.take(this.u16(what), what);
  }
  get done(): boolean {
    return this.offset >= this.bytes.length;
  }
  get rest(): Uint8Array {
    return this.bytes.subarray(this.offset);
  }
  u16List(what: string): number[] {
    if (this.bytes.length % 2 !== 0) throw new ClientHelloError('malformed', `${what} has an odd length`);
    const out: number[] = [];
    while (!this.done) out.push(this.u16(what));
    return out;
  }
}

/** Parses the first ClientHello of a stream (`bytes` must hold all of it: clientHelloBytesMissing() === 0). */
export function parseClientHello(bytes: Uint8Array): ClientHello {
  if (clientHelloBytesMissing(bytes) !== 0) throw new ClientHelloError('malformed', 'ClientHello is incomplete');
  const c = new Cursor(handshakeMessage(bytes));
  const legacyVersion = c.u16('legacy_version');
  c.take(32, 'random');
  c.vector8('legacy_session_id');
  const cipherSuites = c.vector16('cipher_suites').u16List('cipher_suites');
  c.vector8('legacy_compression_methods');
  let supportedVersions: number[] = [];
  let signatureAlgorithms: number[] = [];
  let serverName: string | undefined;
  const extensionTypes: number[] = [];
  if (!c.done) {
    const extensions = c.vector16('extensions');
    while (!extensions.done) {
      const type = extensions.u16('extension type');
      const body = extensions.vector16('extension body');
      if (extensionTypes.includes(type)) throw new ClientHelloError('malformed', `extension ${type} appears twice`);
      extensionTypes.push(type);
      if (type === EXTENSION.supported_versions) {
        supportedVersions = body.vector8('supported_versions').u16List('supported_versions');
      } else if (type === EXTENSION.signature_algorithms) {
        signatureAlgorithms = body.vector16('signature_algorithms').u16List('signature_algorithms');
      } else if (type === EXTENSION.server_name) {
        serverName = hostName(body.vector16('server_name_list'));
      }
    }
  }
  return { legacyVersion, supportedVersions, cipherSuites, signatureAlgorithms, extensionTypes, ...(serverName !== undefined ? { serverName } : {}) };
}

function hostName(list: Cursor): string | undefined {
  while (!list.done) {
    const type = list.u8('server name type');
    const name = list.vector16('server name');
    if (type === 0) return Buffer.from(name.rest).toString('latin1');
  }
  return undefined;
}

/** The highest TLS version the client offers. */
export function highestVersion(hello: ClientHello): number {
  // GREASE values (RFC 8701, 0x?A?A) are not versions.
  const real = hello.supportedVersions.filter((v) => v >= 0x0300 && v <= 0x03ff);
  return real.length > 0 ? Math.max(...real) : hello.legacyVersion;
}
