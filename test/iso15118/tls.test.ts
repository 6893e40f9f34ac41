// The ISO 15118 TLS profiles over real sockets on loopback: one SECC port for TLS 1.2 (-2), TLS 1.3 (-20, mutual) and
// plain TCP; the EV's judgement of the SECC chain and of a stapled OCSP response; refusals of other versions and
// ciphers; interop with the real `openssl s_client`.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToSecc, EvccTlsError, type EvccConnectOptions } from '../../src/iso15118/tls/evccConnect.js';
import { startSeccListener, type SeccConnection, type SeccListener, type SeccRejection } from '../../src/iso15118/tls/seccListener.js';
import { signedResponse } from '../helpers/ocspTestbed.js';
import { cert, DAY, NOW } from '../helpers/fixtures.js';
import { scratch, spawnOpenssl, pemOf } from '../helpers/openssl.js';
import { evTrust, seccCredential, trustOf, vehicleCredential, vehicleTrust } from '../helpers/tlsTestbed.js';
import { certIdFor } from '../../src/pki/ocsp/certId.js';
import type { TlsSuite } from '../../src/iso15118/tls/tlsProfile.js';

const clock = (): number => NOW;
const files = scratch('pnc-tls-');
const keyLog = files.file('keys.log', '');

let listener: SeccListener;
const connections: SeccConnection[] = [];
const rejections: SeccRejection[] = [];
let staple: ((suite: TlsSuite) => Buffer | undefined) = () => undefined;

beforeAll(async () => {
  listener = await startSeccListener({
    host: '127.0.0.1',
    credentials: [seccCredential('iso2'), seccCredential('iso20-p521'), seccCredential('iso20-ed448')],
    vehicleTrust: vehicleTrust(),
    allowPlain: true,
    keyLogFile: keyLog,
    clock,
    handshakeTimeoutMs: 2000,
    ocspStaple: (suite) => staple(suite),
    onConnection: (c) => {
      connections.push(c);
      // Echo one line so that the EV sees a working channel.
      c.socket.on('data', (d: Buffer) => c.socket.write(d));
      c.socket.on('error', () => undefined);
    },
    onRejection: (r) => rejections.push(r),
  });
});

afterAll(async () => {
  await listener.close();
  files.cleanup();
});

const base = (security: EvccConnectOptions['security'], suite: 'iso2' | 'iso20-p521' | 'iso20-ed448' = 'iso2'): EvccConnectOptions => ({
  host: '127.0.0.1',
  port: listener.port,
  security,
  seccTrust: evTrust(suite),
  clock,
  timeoutMs: 3000,
});

async function echo(socket: NodeJS.ReadWriteStream): Promise<string> {
  socket.write('ping');
  const [data] = (await once(socket, 'data')) as [Buffer];
  return data.toString();
}

async function lastRejection(count: number): Promise<SeccRejection> {
  for (let i = 0; i < 100 && rejections.length <= count; i++) await new Promise((r) => setTimeout(r, 20));
  expect(rejections.length).toBeGreaterThan(count);
  return rejections[rejections.length - 1]!;
}

describe('profiles on one port', () => {
  it('-2: TLS 1.2, ECDHE-ECDSA-AES128-SHA256, P-256 SECC chain judged valid by the EV', async () => {
    const c = await connectToSecc(base('iso2'));
    if (!c.secure) throw new Error('not secure');
    expect(c.tlsVersion).toBe('TLSv1.2');
    expect(c.cipher).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256');
    expect(c.suite).toBe('iso2');
    expect(c.secc.valid).toBe(true);
    expect(c.secc.path[0]!.subject.commonName).toBe(cert('iso2/secc').cert.subject.commonName);
    expect(await echo(c.socket)).toBe('ping');
    const server = connections.at(-1)!;
    expect(server.secure && server.suite).toBe('iso2');
    c.socket.destroy();
  });

  it.each([
    ['iso20-ed448', 'ed448'],
    ['iso20-p521', 'ecdsa_secp521r1_sha512'],
  ] as const)('-20 %s: TLS 1.3, mutual, the vehicle chain judged by the charger', async (suite, sigalgs) => {
    const c = await connectToSecc({ ...base('iso20', suite), vehicle: vehicleCredential(suite), tlsOverrides: { sigalgs } });
    if (!c.secure) throw new Error('not secure');
    expect(c.tlsVersion).toBe('TLSv1.3');
    expect(['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']).toContain(c.cipher);
    expect(c.suite).toBe(suite);
    expect(c.secc.valid).toBe(true);
    expect(await echo(c.socket)).toBe('ping');
    const server = connections.at(-1)!;
    if (!server.secure) throw new Error('server side not secure');
    expect(server.suite).toBe(suite);
    expect(server.vehicle?.valid).toBe(true);
    expect(server.vehicle?.path[0]!.subject.commonName).toBe('PNCVIN00000000001');
    c.socket.destroy();
  });

  it('plain TCP when allowed: a V2GTP header as the first bytes', async () => {
    const c = await connectToSecc(base('none'));
    expect(c.secure).toBe(false);
    c.socket.write(Buffer.from('01fe', 'hex'));
    const [data] = (await once(c.socket, 'data')) as [Buffer];
    expect(data.toString('hex')).toBe('01fe');
    expect(connections.at(-1)!.secure).toBe(false);
    c.socket.destroy();
  });

  it('the key log holds TLS 1.2 and TLS 1.3 secrets in SSLKEYLOGFILE format', () => {
    const log = readFileSync(keyLog, 'utf8');
    expect(log).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/m);
    expect(log).toMatch(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]{96}$/m);
  });
});

describe('refusals', () => {
  it('-20 without a vehicle certificate: the charger closes the connection', async () => {
    const before = rejections.length;
    const c = await connectToSecc(base('iso20', 'iso20-ed448')).catch((e: unknown) => e as Error);
    if (!(c instanceof Error)) {
      if (!c.secure) throw new Error('not secure');
      // TLS 1.3: the client finishes before the server judged its (empty) Certificate; the server then closes.
      c.socket.on('error', () => undefined);
      c.socket.write('ping');
      await once(c.socket, 'close');
    }
    const r = await lastRejection(before);
    expect(r.stage).toBe('vehicle-certificate');
    expect(r.reason).toMatch(/no vehicle certificate/);
  });

  it('-20 with a vehicle chain the verdict refuses (a SECC chain: DC=CPO, under the V2G root): closed', async () => {
    const before = rejections.length;
    const p521 = seccCredential('iso20-p521');
    const c = await connectToSecc({ ...base('iso20', 'iso20-p521'), vehicle: p521, tlsOverrides: { sigalgs: 'ecdsa_secp521r1_sha512' } }).catch((e: unknown) => e as Error);
    if (!(c instanceof Error) && c.secure) {
      c.socket.on('error', () => undefined);
      c.socket.write('ping');
      await once(c.socket, 'close');
    }
    const r = await lastRejection(before);
    expect(r.stage).toBe('vehicle-certificate');
    expect(r.reason).toMatch(/domainComponent/);
    expect(r.reason).toMatch(/trustAnchor|untrusted|root/i);
  });

  it('the EV refuses a SECC chain under a root it does not hold', async () => {
    const e = await connectToSecc({ ...base('iso2'), seccTrust: trustOf(['iso2/mo-root']) }).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(EvccTlsError);
    expect((e as EvccTlsError).code).toBe('secc-certificate');
    expect((e as EvccTlsError).verdict?.valid).toBe(false);
  });

  it('the EV refuses a SECC leaf without DC=CPO ([V2G2-875])', async () => {
    // A charger that presents the CPS leaf (DC=CPS, same V2G root) as its TLS certificate.
    const wrong = await startSeccListener({ host: '127.0.0.1', credentials: [seccCredential('iso2', 'cps', ['cps-sub2', 'cps-sub1'])], clock, onConnection: (c) => c.socket.on('error', () => undefined) });
    try {
      const e = await connectToSecc({ ...base('iso2'), port: wrong.port }).catch((x: unknown) => x as Error);
      expect((e as EvccTlsError).code).toBe('secc-certificate');
      expect((e as EvccTlsError).verdict?.checks.find((c) => c.name === 'domainComponent')?.ok).toBe(false);
    } finally {
      await wrong.close();
    }
  });

  it.each([
    ['TLS 1.2 with only another ECDSA cipher', { ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }],
    ['TLS 1.2 with only an RSA cipher', { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }],
    ['TLS 1.1', { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'ECDHE-ECDSA-AES128-SHA@SECLEVEL=0' }],
    ['TLS 1.0', { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'ECDHE-ECDSA-AES128-SHA@SECLEVEL=0' }],
  ])('%s: no handshake', async (_name, overrides) => {
    const e = await connectToSecc({ ...base('iso2'), tlsOverrides: overrides }).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(EvccTlsError);
    expect((e as EvccTlsError).code).toBe('handshake');
  });

  it.each([
    ['garbage first byte', Buffer.from('GET / HTTP/1.1\r\n\r\n')],
    ['TLS record that is not a ClientHello', Buffer.from('160303000502000001', 'hex')],
    ['ClientHello longer than 16 kB', Buffer.from('16030100050100ffff00', 'hex')],
    ['ClientHello that ends inside its cipher suites', Buffer.from(`1603010031010000${'2d0303'}${'00'.repeat(32)}00ffff`.padEnd(2 * 54, '0'), 'hex')],
  ])('hostile preamble (%s): refused, and the SECC keeps serving', async (_name, bytes) => {
    const before = rejections.length;
    const s = netConnect({ host: '127.0.0.1', port: listener.port });
    s.on('error', () => undefined);
    await once(s, 'connect');
    s.write(bytes);
    await once(s, 'close');
    const r = await lastRejection(before);
    expect(r.stage).toBe('preamble');
    const ok = await connectToSecc(base('iso2'));
    ok.socket.destroy();
  });

  it('a plain connection is refused when the SECC is TLS only', async () => {
    const tlsOnly = await startSeccListener({ host: '127.0.0.1', credentials: [seccCredential('iso2')], clock, onConnection: () => undefined, onRejection: (r) => rejections.push(r) });
    try {
      const before = rejections.length;
      const c = await connectToSecc({ ...base('none'), port: tlsOnly.port });
      c.socket.on('error', () => undefined);
      c.socket.write(Buffer.from('01fe8001000000', 'hex'));
      await once(c.socket, 'close');
      expect((await lastRejection(before)).reason).toMatch(/TLS only/);
    } finally {
      await tlsOnly.close();
    }
  });

  it('a silent client is dropped after the handshake time-out', async () => {
    const before = rejections.length;
    const s = netConnect({ host: '127.0.0.1', port: listener.port });
    s.on('error', () => undefined);
    await once(s, 'close');
    expect((await lastRejection(before)).reason).toMatch(/in time/);
  });
});

describe('stapled OCSP (status_request)', () => {
  const leaf = cert('iso2/secc');
  const issuer = cert('iso2/cpo-sub2');
  const response = (status: 'good' | 'revoked'): Buffer =>
    signedResponse({
      signer: cert('iso2/cpo-sub2-ocsp'),
      certs: [cert('iso2/cpo-sub2-ocsp').der],
      producedAt: NOW - 60_000,
      singles: [
        {
          certId: certIdFor(leaf.cert, issuer.cert),
          status: status === 'good' ? { status: 'good' } : { status: 'revoked', revokedAt: NOW - DAY },
          thisUpdate: NOW - 60_000,
          nextUpdate: NOW + DAY,
        },
      ],
    });

  afterAll(() => {
    staple = () => undefined;
  });

  it('a good response is checked and reported', async () => {
    staple = () => response('good');
    const c = await connectToSecc(base('iso2'));
    expect(c.secure && c.ocsp).toBe('good');
    c.socket.destroy();
  });

  it('a revoked SECC certificate: the EV refuses the charger', async () => {
    staple = () => response('revoked');
    const e = await connectToSecc(base('iso2')).catch((x: unknown) => x as Error);
    expect((e as EvccTlsError).code).toBe('ocsp-revoked');
  });

  it('a response signed by someone else: refused as invalid', async () => {
    staple = () => signedResponse({ signer: cert('iso2/mo-sub2-ocsp'), certs: [cert('iso2/mo-sub2-ocsp').der], producedAt: NOW, singles: [{ certId: certIdFor(leaf.cert, issuer.cert), status: { status: 'good' }, thisUpdate: NOW, nextUpdate: NOW + DAY }] });
    const e = await connectToSecc(base('iso2')).catch((x: unknown) => x as Error);
    expect((e as EvccTlsError).code).toBe('ocsp-invalid');
  });

  it('no response when one is required', async () => {
    staple = () => undefined;
    const e = await connectToSecc({ ...base('iso2'), requireStapledOcsp: true }).catch((x: unknown) => x as Error);
    expect((e as EvccTlsError).code).toBe('ocsp-missing');
  });
});

describe('interop with openssl s_client', () => {
  async function sClient(args: readonly string[]): Promise<{ code: number | null; out: string }> {
    const child = spawnOpenssl(['s_client', '-connect', `127.0.0.1:${listener.port}`, '-brief', ...args]);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill(), 5000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    return { code, out };
  }
  // `-brief` prints the negotiated parameters; stdin is closed, so s_client ends right after the handshake.

  it('-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256 completes a handshake', async () => {
    const r = await sClient(['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA256']);
    expect(r.out).toMatch(/Protocol version: TLSv1.2/);
    expect(r.out).toMatch(/Ciphersuite: ECDHE-ECDSA-AES128-SHA256/);
  });

  it.each([
    ['-tls1_2 with another cipher', ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384']],
    ['-tls1_1', ['-tls1_1', '-cipher', 'ALL@SECLEVEL=0']],
  ])('%s is refused', async (_name, args) => {
    const r = await sClient(args);
    expect(r.out).not.toMatch(/Protocol version/);
    expect(r.code).not.toBe(0);
  });

  it('-tls1_3 with the vehicle certificate completes a mutual handshake', async () => {
    const v = vehicleCredential('iso20-p521');
    const key = files.file('vehicle.key.pem', v.keyPem);
    const chain = files.file('vehicle.chain.pem', pemOf(v.chain));
    const before = connections.length;
    const r = await sClient(['-tls1_3', '-cert', key.replace('vehicle.key.pem', 'vehicle.chain.pem'), '-cert_chain', chain, '-key', key, '-pass', `pass:${v.passphrase}`, '-sigalgs', 'ecdsa_secp521r1_sha512']);
    expect(r.out).toMatch(/Protocol version: TLSv1.3/);
    for (let i = 0; i < 50 && connections.length === before; i++) await new Promise((x) => setTimeout(x, 20));
    const server = connections.at(-1)!;
    expect(server.secure && server.suite).toBe('iso20-p521');
    expect(server.secure && server.vehicle?.valid).toBe(true);
  });

  it('-tls1_3 without a client certificate: the charger refuses the vehicle', async () => {
    const before = rejections.length;
    await sClient(['-tls1_3']);
    const r = await lastRejection(before);
    expect(r.stage).toBe('vehicle-certificate');
  });
});
