// SDP: message encoding byte for byte, every malformed datagram refused with its code, the SECC response policy, and
// real UDP exchanges on loopback (discovery, retries, timeout, abort, garbage, multicast membership on this machine).
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeSdpRequest,
  decodeSdpResponse,
  discoverSecc,
  encodeSdpRequest,
  encodeSdpResponse,
  ipv6FromBytes,
  ipv6ToBytes,
  sdpAnswer,
  SdpError,
  startSdpServer,
  type SdpErrorCode,
  type SdpRequest,
  type SdpResponse,
  type SdpServer,
  type SdpServerEvent,
  type SdpServerOptions,
} from '../../src/iso15118/sdp/index.js';
import { encodeV2gtp, V2gtpError } from '../../src/iso15118/transport/index.js';
import { prng, randomBytes } from '../helpers/prng.js';


/** The SdpError code a call throws (another error fails the test). */
function codeOf(f: () => unknown): SdpErrorCode | 'no error' {
  try {
    f();
  } catch (e) {
    if (e instanceof SdpError) return e.code;
    throw e;
  }
  return 'no error';
}
async function rejection(p: Promise<unknown>): Promise<SdpError> {
  const outcome = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof SdpError)) throw new Error(`expected an SdpError, got ${String(outcome)}`);
  return outcome;
}

describe('SDP messages', () => {
  it.each<[SdpRequest, string]>([
    [{ security: 'tls', transport: 'tcp' }, '01fe900000000002' + '0000'],
    [{ security: 'none', transport: 'tcp' }, '01fe900000000002' + '1000'],
    [{ security: 'tls', transport: 'udp' }, '01fe900000000002' + '0010'],
    [{ security: 'none', transport: 'udp' }, '01fe900000000002' + '1010'],
  ])('request %o ⇄ %s', (request, hex) => {
    expect(encodeSdpRequest(request).toString('hex')).toBe(hex);
    expect(decodeSdpRequest(Buffer.from(hex, 'hex'))).toEqual(request);
  });

  it('response bytes: address, port u16 BE, security, transport', () => {
    const response: SdpResponse = { address: 'fe80::fc:ff:fe00:1', port: 0xc350, security: 'tls', transport: 'tcp' };
    expect(encodeSdpResponse(response).toString('hex')).toBe('01fe900100000014' + 'fe8000000000000000fc00fffe000001' + 'c350' + '00' + '00');
    expect(decodeSdpResponse(encodeSdpResponse(response))).toEqual(response);
  });

  it.each<[string, string]>([
    ['fe80::fc:ff:fe00:1', 'fe80::fc:ff:fe00:1'],
    ['fe80::1%eth0', 'fe80::1'], // the zone is local to the sender and not carried
    ['FE80:0:0:0:0:0:0:AB', 'fe80::ab'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1'],
    ['::ffff:7f00:1', '::ffff:127.0.0.1'],
    ['127.0.0.1', '::ffff:127.0.0.1'], // IPv4 travels IPv4-mapped
    ['::1', '::1'],
    ['::', '::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['fd00::2', 'fd00::2'],
  ])('response address %s decodes as %s', (address, decoded) => {
    for (const security of ['tls', 'none'] as const) {
      const response: SdpResponse = { address, port: 65535, security, transport: 'tcp' };
      expect(decodeSdpResponse(encodeSdpResponse(response))).toEqual({ ...response, address: decoded });
    }
  });

  it('address bytes: IPv4-mapped and link-local', () => {
    expect(ipv6ToBytes('127.0.0.1').toString('hex')).toBe('00000000000000000000ffff7f000001');
    expect(ipv6ToBytes('fe80::fc:ff:fe00:1').toString('hex')).toBe('fe8000000000000000fc00fffe000001');
    expect(ipv6ToBytes('1::').toString('hex')).toBe('00010000000000000000000000000000');
  });

  it('property: any 16 bytes format to valid IPv6 text that parses back (seeded)', () => {
    const r = prng(15118);
    for (let i = 0; i < 500; i++) {
      // Many zero words, so compression and the IPv4 forms are exercised.
      const b = Buffer.from(Array.from({ length: 16 }, (_, j) => (r(3) === 0 ? r(256) : j >= 10 && j < 12 && r(2) === 0 ? 0xff : 0)));
      const text = ipv6FromBytes(b);
      expect(isIPv6(text), text).toBe(true);
      expect(ipv6ToBytes(text).equals(b), text).toBe(true);
    }
  });

  const request = (payload: number[], type = 0x9000): Buffer => encodeV2gtp(type, Uint8Array.from(payload));
  const response20 = (patch: Record<number, number> = {}, length = 20, type = 0x9001): Buffer => {
    const p = Buffer.alloc(length);
    p[0] = 0xfe;
    p[1] = 0x80;
    p[15] = 1;
    p.writeUInt16BE(50000, 16);
    for (const [at, v] of Object.entries(patch)) p[Number(at)] = v;
    return encodeV2gtp(type, p);
  };
  it.each<[string, SdpErrorCode, () => unknown]>([
    ['request of 1 byte', 'length', () => decodeSdpRequest(request([0x00]))],
    ['request of 3 bytes', 'length', () => decodeSdpRequest(request([0x00, 0x00, 0x00]))],
    ['request of 0 bytes', 'length', () => decodeSdpRequest(request([]))],
    ['request security 0x01', 'security', () => decodeSdpRequest(request([0x01, 0x00]))],
    ['request security 0xFF', 'security', () => decodeSdpRequest(request([0xff, 0x00]))],
    ['request transport 0x01', 'transport', () => decodeSdpRequest(request([0x00, 0x01]))],
    ['request transport 0x11', 'transport', () => decodeSdpRequest(request([0x10, 0x11]))],
    ['request with type 0x9001', 'payload-type', () => decodeSdpRequest(request([0x00, 0x00], 0x9001))],
    ['request with type 0x8001', 'payload-type', () => decodeSdpRequest(request([0x00, 0x00], 0x8001))],
    ['request with type 0x9002 (wireless)', 'payload-type', () => decodeSdpRequest(request([0x00, 0x00], 0x9002))],
    ['request with bad version', 'header', () => decodeSdpRequest(Buffer.from('02fd9000000000020000', 'hex'))],
    ['request with unknown type 0x9004', 'header', () => decodeSdpRequest(Buffer.from('01fe9004000000020000', 'hex'))],
    ['request with length field 3, 2 bytes sent', 'header', () => decodeSdpRequest(Buffer.from('01fe9000000000030000', 'hex'))],
    ['request of 5 bytes in all', 'header', () => decodeSdpRequest(Buffer.from('01fe900000', 'hex'))],
    ['response of 19 bytes', 'length', () => decodeSdpResponse(response20({}, 19))],
    ['response of 21 bytes', 'length', () => decodeSdpResponse(response20({}, 21))],
    ['response security 0x01', 'security', () => decodeSdpResponse(response20({ 18: 0x01 }))],
    ['response transport 0x20', 'transport', () => decodeSdpResponse(response20({ 19: 0x20 }))],
    ['response port 0', 'port', () => decodeSdpResponse(response20({ 16: 0, 17: 0 }))],
    ['response with type 0x9000', 'payload-type', () => decodeSdpResponse(response20({}, 20, 0x9000))],
    ['encode: address not IP', 'address', () => encodeSdpResponse({ address: 'secc.local', port: 50000, security: 'tls', transport: 'tcp' })],
    ['encode: address 1::2::3', 'address', () => encodeSdpResponse({ address: '1::2::3', port: 50000, security: 'tls', transport: 'tcp' })],
    ['encode: port 0', 'port', () => encodeSdpResponse({ address: '::1', port: 0, security: 'tls', transport: 'tcp' })],
    ['encode: port 65536', 'port', () => encodeSdpResponse({ address: '::1', port: 65536, security: 'tls', transport: 'tcp' })],
  ])('%s → SdpError %s', (_name, code, f) => {
    expect(codeOf(f)).toBe(code);
  });

  it('a header error carries the V2gtpError as cause', () => {
    let error: unknown;
    try {
      decodeSdpRequest(Buffer.from('02fd9000000000020000', 'hex'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SdpError);
    expect(error).toMatchObject({ name: 'SdpError', code: 'header' });
    expect((error as SdpError).cause).toBeInstanceOf(V2gtpError);
    expect((error as SdpError).cause).toMatchObject({ code: 'version' });
  });
});

describe('sdpAnswer', () => {
  const offer = { address: 'fe80::1', port: 50000 };
  it.each<[SdpRequest['security'], SdpRequest['transport'], boolean, boolean, SdpResponse['security'] | undefined]>([
    ['tls', 'tcp', true, true, 'tls'],
    ['tls', 'tcp', true, false, 'tls'],
    ['tls', 'tcp', false, true, 'none'],
    ['tls', 'tcp', false, false, undefined],
    ['none', 'tcp', true, true, 'none'],
    ['none', 'tcp', false, true, 'none'],
    ['none', 'tcp', true, false, 'tls'],
    ['none', 'tcp', false, false, undefined],
    ['tls', 'udp', true, true, undefined],
    ['none', 'udp', true, true, undefined],
  ])('request %s/%s, tls %s, plain %s → %s', (security, transport, tlsAvailable, plainAvailable, answer) => {
    const response = sdpAnswer({ security, transport }, { ...offer, tlsAvailable, plainAvailable });
    expect(response).toEqual(answer === undefined ? undefined : { ...offer, security: answer, transport: 'tcp' });
  });
});

// ---- UDP on loopback ----------------------------------------------------------------------------------------------

interface Recorded {
  readonly server: SdpServer;
  readonly events: SdpServerEvent[];
  readonly port: number;
  /** Resolves with the next event of this type (registered before the action that causes it). */
  next(type: SdpServerEvent['type']): Promise<SdpServerEvent>;
}
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function recordedServer(options: Omit<SdpServerOptions, 'onEvent'>): Promise<Recorded> {
  const events: SdpServerEvent[] = [];
  const waiters: { type: SdpServerEvent['type']; resolve: (e: SdpServerEvent) => void }[] = [];
  const server = await startSdpServer({
    ...options,
    onEvent: (e) => {
      events.push(e);
      const i = waiters.findIndex((w) => w.type === e.type);
      if (i >= 0) waiters.splice(i, 1)[0]?.resolve(e);
    },
  } as SdpServerOptions);
  open.push(server);
  return {
    server,
    events,
    port: server.address().port,
    next: (type) => new Promise((resolve) => waiters.push({ type, resolve })),
  };
}

async function rawSocket(type: 'udp4' | 'udp6', address: string): Promise<Socket> {
  const socket = createSocket(type);
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  open.push({ close: () => new Promise<void>((resolve) => socket.close(() => resolve())) });
  return socket;
}
const sendTo = (socket: Socket, bytes: Uint8Array, port: number, host: string): Promise<void> =>
  new Promise((resolve, reject) => socket.send(bytes, port, host, (e) => (e ? reject(e) : resolve())));

const offer = { address: 'fe80::fc:ff:fe00:1', port: 50000, tlsAvailable: true, plainAvailable: true };
const answerAll = (request: SdpRequest): SdpResponse | undefined => sdpAnswer(request, offer);

describe('SDP over UDP (loopback)', () => {
  it('discovers a server on ::1 with port 0 (client unicast)', async () => {
    const rec = await recordedServer({ bindAddress: '::1', port: 0, decide: answerAll });
    const found = await discoverSecc({ host: '::1', port: rec.port, retryIntervalMs: 100 });
    expect(found.response).toEqual({ address: offer.address, port: 50000, security: 'tls', transport: 'tcp' });
    expect(found.requestsSent).toBe(1);
    expect(found.from).toMatchObject({ address: '::1', port: rec.port });
    expect(rec.events.map((e) => e.type)).toEqual(['request', 'response']);
    expect(rec.events[0]).toMatchObject({ type: 'request', request: { security: 'tls', transport: 'tcp' } });
  });

  it('works over IPv4 loopback (udp4) and carries the address IPv4-mapped', async () => {
    const rec = await recordedServer({
      bindAddress: '127.0.0.1',
      port: 0,
      decide: (request) => sdpAnswer(request, { ...offer, address: '127.0.0.1' }),
    });
    const found = await discoverSecc({ host: '127.0.0.1', port: rec.port, security: 'none', retryIntervalMs: 100 });
    expect(found.response).toEqual({ address: '::ffff:127.0.0.1', port: 50000, security: 'none', transport: 'tcp' });
  });

  it('client retries: the server declines twice, the 3rd request is answered', async () => {
    let calls = 0;
    const rec = await recordedServer({ bindAddress: '::1', port: 0, decide: (r) => (++calls <= 2 ? undefined : answerAll(r)) });
    const found = await discoverSecc({ host: '::1', port: rec.port, retryIntervalMs: 60 });
    expect(found.requestsSent).toBe(3);
    expect(calls).toBe(3);
    const drops = rec.events.filter((e) => e.type === 'dropped');
    expect(drops.map((e) => e.type === 'dropped' && e.reason)).toEqual(['no-answer', 'no-answer']);
  });

  it('times out with SdpError after maxRequests × retryIntervalMs against a silent server', async () => {
    const rec = await recordedServer({ bindAddress: '::1', port: 0, decide: () => undefined });
    const started = performance.now();
    const error = await rejection(discoverSecc({ host: '::1', port: rec.port, maxRequests: 3, retryIntervalMs: 20 }));
    const elapsed = performance.now() - started;
    expect(error.code).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(55);
    expect(elapsed).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rec.events.filter((e) => e.type === 'request')).toHaveLength(3);
  });

  it('aborts with SdpError aborted (signal fired mid-way, and already aborted)', async () => {
    const rec = await recordedServer({ bindAddress: '::1', port: 0, decide: () => undefined });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('EV unplugged')), 30);
    const error = await rejection(discoverSecc({ host: '::1', port: rec.port, retryIntervalMs: 1000, signal: controller.signal }));
    expect(error.code).toBe('aborted');
    expect(error.cause).toEqual(new Error('EV unplugged'));
    expect((await rejection(discoverSecc({ host: '::1', port: rec.port, signal: AbortSignal.abort() }))).code).toBe('aborted');
  });

  it('client ignores malformed and UDP-transport responses, then takes the valid one', async () => {
    const fake = await rawSocket('udp6', '::1');
    fake.on('message', (_m, from) => {
      const udp = encodeSdpResponse({ ...offer, security: 'tls', transport: 'udp' });
      const good = encodeSdpResponse({ ...offer, security: 'tls', transport: 'tcp' });
      void (async () => {
        for (const d of [Buffer.from('hello'), encodeSdpRequest({ security: 'tls', transport: 'tcp' }), udp, good]) {
          await sendTo(fake, d, from.port, from.address);
        }
      })();
    });
    const ignored: SdpErrorCode[] = [];
    const found = await discoverSecc({ host: '::1', port: fake.address().port, retryIntervalMs: 200, onIgnored: (e) => ignored.push(e.code) });
    expect(found.response.transport).toBe('tcp');
    expect(ignored).toEqual(['header', 'payload-type', 'transport']);
  });

  it('never answers a UDP-transport request, whatever the decision callback says', async () => {
    let calls = 0;
    const rec = await recordedServer({ bindAddress: '::1', port: 0, decide: (r) => (calls++, answerAll(r)) });
    const ev = await rawSocket('udp6', '::1');
    const replies: Buffer[] = [];
    ev.on('message', (m) => replies.push(m));
    const dropped = rec.next('dropped');
    await sendTo(ev, encodeSdpRequest({ security: 'tls', transport: 'udp' }), rec.port, '::1');
    expect(await dropped).toMatchObject({ type: 'dropped', reason: 'udp-transport' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(0);
    expect(replies).toEqual([]);
  });

  it('reports an unencodable decision as dropped, not thrown', async () => {
    const rec = await recordedServer({ bindAddress: '::1', port: 0, decide: () => ({ ...offer, address: 'secc.local', security: 'tls', transport: 'tcp' }) });
    const ev = await rawSocket('udp6', '::1');
    const dropped = rec.next('dropped');
    await sendTo(ev, encodeSdpRequest({ security: 'tls', transport: 'tcp' }), rec.port, '::1');
    const event = await dropped;
    expect(event).toMatchObject({ type: 'dropped', reason: 'invalid-response' });
    expect(event.type === 'dropped' && event.error?.code).toBe('address');
  });

  it('survives 1000 random datagrams and still answers a valid request', async () => {
    const rec = await recordedServer({ bindAddress: '::1', port: 0, decide: answerAll });
    const ev = await rawSocket('udp6', '::1');
    const r = prng(0x5d9);
    const validRequests = new Set(
      (['tls', 'none'] as const).flatMap((security) => (['tcp', 'udp'] as const).map((transport) => encodeSdpRequest({ security, transport }).toString('hex'))),
    );
    const codes = new Set<SdpErrorCode>();
    for (let sent = 0; sent < 1000; ) {
      const kind = r(5);
      const datagram =
        kind === 0
          ? randomBytes(r, r(40)) // noise, including the empty datagram
          : kind === 1
            ? encodeV2gtp(0x9000, randomBytes(r, r(24))) // a request header with a random payload
            : kind === 2
              ? encodeV2gtp([0x8001, 0x9001, 0x9002, 0xa000][r(4)] ?? 0x8001, randomBytes(r, r(24))) // another message
              : kind === 3
                ? Buffer.concat([encodeSdpRequest({ security: 'tls', transport: 'tcp' }).subarray(0, 8), randomBytes(r, r(5))]) // length field lies
                : encodeV2gtp(0x9000, Uint8Array.of([0x00, 0x10][r(2)] ?? 0, r(256))); // a valid security byte, any transport byte
      if (validRequests.has(datagram.toString('hex'))) continue;
      // One at a time, each awaited: UDP on loopback may drop bursts, and the count must be exact.
      const dropped = rec.next('dropped');
      await sendTo(ev, datagram, rec.port, '::1');
      const event = await dropped;
      if (event.type !== 'dropped' || event.reason !== 'malformed' || event.error === undefined) throw new Error(`unexpected ${JSON.stringify(event)}`);
      codes.add(event.error.code);
      sent++;
    }
    expect([...codes].sort()).toEqual(['header', 'length', 'payload-type', 'security', 'transport']);
    expect(rec.events.filter((e) => e.type === 'dropped')).toHaveLength(1000);
    const found = await discoverSecc({ host: '::1', port: rec.port, retryIntervalMs: 100 });
    expect(found.requestsSent).toBe(1);
  });

  it.each<[string, SdpErrorCode, () => Promise<unknown>]>([
    ['server: both bindAddress and multicastInterface', 'options', () => startSdpServer({ bindAddress: '::1', multicastInterface: 'lo', decide: answerAll } as unknown as SdpServerOptions)],
    ['server: neither', 'options', () => startSdpServer({ decide: answerAll } as unknown as SdpServerOptions)],
    ['server: port -1', 'options', () => startSdpServer({ bindAddress: '::1', port: -1, decide: answerAll })],
    ['server: bindAddress is a name', 'options', () => startSdpServer({ bindAddress: 'localhost', port: 0, decide: answerAll })],
    ['server: address not on this host', 'socket', () => startSdpServer({ bindAddress: '2001:db8::77', port: 0, decide: answerAll })],
    ['client: host is a name', 'options', () => discoverSecc({ host: 'localhost' })],
    ['client: no target', 'options', () => discoverSecc({})],
    ['client: maxRequests 0', 'options', () => discoverSecc({ host: '::1', maxRequests: 0 })],
    ['client: retryIntervalMs 0', 'options', () => discoverSecc({ host: '::1', retryIntervalMs: 0 })],
  ])('%s → SdpError %s', async (_name, code, start) => {
    expect((await rejection(start())).code).toBe(code);
  });

  it('a port already in use is a socket error with the system code as cause', async () => {
    const rec = await recordedServer({ bindAddress: '::1', port: 0, decide: answerAll });
    const error = await rejection(startSdpServer({ bindAddress: '::1', port: rec.port, decide: answerAll }));
    expect(error.code).toBe('socket');
    expect(error.cause).toMatchObject({ code: 'EADDRINUSE' });
  });
});

// ---- Multicast membership: what this machine (Linux) really does --------------------------------------------------

/** IFF_MULTICAST of an interface, from sysfs. */
const hasMulticastFlag = (iface: string): boolean => (parseInt(readFileSync(`/sys/class/net/${iface}/flags`, 'utf8'), 16) & 0x1000) !== 0;

describe.runIf(process.platform === 'linux')('SDP multicast (Linux)', () => {
  const NO_SUCH_INTERFACE = 'pnc-nosuch0';

  it('Node accepts an unknown interface name for IPv6 membership without error (why names are validated first)', async () => {
    const socket = createSocket({ type: 'udp6' });
    await new Promise<void>((resolve) => socket.bind(0, '::', resolve));
    expect(() => socket.addMembership('ff02::1', `::%${NO_SUCH_INTERFACE}`)).not.toThrow();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  });

  it('server and client refuse an unknown interface with SdpError interface', async () => {
    const server = await rejection(startSdpServer({ multicastInterface: NO_SUCH_INTERFACE, port: 0, decide: answerAll }));
    expect(server.code).toBe('interface');
    expect(server.message).toContain(NO_SUCH_INTERFACE);
    expect(server.message).toContain('lo');
    expect((await rejection(discoverSecc({ multicastInterface: NO_SUCH_INTERFACE }))).code).toBe('interface');
  });

  it('joins FF02::1 on lo; multicast discovery on lo matches the interface flags', async () => {
    // The kernel accepts the membership on lo, and the [::] socket answers unicast there too.
    const rec = await recordedServer({ multicastInterface: 'lo', port: 0, decide: answerAll });
    expect(rec.server.address()).toMatchObject({ address: '::', family: 'IPv6' });
    expect((await discoverSecc({ host: '::1', port: rec.port, retryIntervalMs: 100 })).response.port).toBe(50000);

    // Sending to ff02::1%lo needs IFF_MULTICAST on lo. Linux's lo normally lacks it (flags 0x9 here), so the send is
    // refused with ENETUNREACH and discovery fails at once with a typed socket error instead of 50 silent retries.
    const attempt = discoverSecc({ multicastInterface: 'lo', port: rec.port, retryIntervalMs: 100, maxRequests: 3 });
    if (hasMulticastFlag('lo')) {
      expect((await attempt).response.port).toBe(50000);
    } else {
      const error = await rejection(attempt);
      expect(error.code).toBe('socket');
      expect(error.cause).toMatchObject({ code: 'ENETUNREACH' });
    }
  });
});
