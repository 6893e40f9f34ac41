// The guarded transport on real sockets: what it refuses never reaches a socket, what it fetches is bounded.
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RevocationFetchError, createGuardedHttp, type GuardedHttp, type GuardedHttpOptions, type Resolver } from '../../../src/csms/revocation/guardedHttp.js';
import { freePort } from '../../helpers/ocspTestbed.js';
import { afterBody, startRecordingServer, type RecordingServer } from './recordingServer.js';

const OCSP = { 'content-type': 'application/ocsp-response' };
const BODY = Buffer.from('3003 0a0101'.replace(/ /g, ''), 'hex'); // an OCSPResponse: malformedRequest

let v4: RecordingServer;
let v6: RecordingServer | undefined;
let mode: (res: ServerResponse) => void = (res) => res.writeHead(200, OCSP).end(BODY);

const clients: GuardedHttp[] = [];
function client(options: Omit<GuardedHttpOptions, 'policy'> & { allowed?: readonly string[]; allowPrivate?: boolean } = {}): GuardedHttp {
  const c = createGuardedHttp({
    policy: { allowedOrigins: options.allowed ?? [v4.origin, `http://localhost:${v4.port}`, ...(v6 ? [v6.origin] : [])], allowPrivateAddresses: options.allowPrivate ?? true },
    timeoutMs: 2000,
    ...options,
  });
  clients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<RevocationFetchError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RevocationFetchError) return e;
    throw e;
  }
  throw new Error('expected a RevocationFetchError');
}

beforeAll(async () => {
  v4 = await startRecordingServer((req, res) => afterBody(req, () => mode(res)));
  try {
    v6 = await startRecordingServer((req, res) => afterBody(req, () => mode(res)), '::1');
  } catch {
    v6 = undefined; // no IPv6 loopback on this host
  }
});
afterAll(async () => {
  await v4.close();
  await v6?.close();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  mode = (res) => res.writeHead(200, OCSP).end(BODY);
});

describe('SSRF: refused before any connection', () => {
  it.each([
    ['127.0.0.1', (): string => `${v4.origin}/ocsp`],
    ['localhost (resolved by the system resolver)', (): string => `http://localhost:${v4.port}/ocsp`],
    ['[::1]', (): string => (v6 ? `${v6.origin}/ocsp` : `${v4.origin}/ocsp`)],
  ])('%s with private addresses not allowed', async (_name, url) => {
    const before = v4.connections() + (v6?.connections() ?? 0);
    const e = await failure(client({ allowPrivate: false }).postOcsp(url(), BODY));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/loopback/);
    expect(v4.connections() + (v6?.connections() ?? 0)).toBe(before);
  });

  it('169.254.169.254 (cloud metadata) even when private addresses are allowed, at once', async () => {
    const started = performance.now();
    const e = await failure(client({ allowed: ['http://169.254.169.254'], allowPrivate: true }).postOcsp('http://169.254.169.254/latest/meta-data/', BODY));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/link-local/);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('an origin not on the allow-list, even a public one', async () => {
    const e = await failure(client().postOcsp('http://93.184.216.34/ocsp', BODY));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/allow-list/);
  });

  it('a name on the allow-list that resolves to loopback at connect time (DNS rebinding)', async () => {
    let asked = 0;
    const resolve: Resolver = () => {
      asked++;
      return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    };
    const before = v4.connections();
    const c = client({ allowed: [`http://ocsp.rebind.test:${v4.port}`], allowPrivate: false, resolve });
    const e = await failure(c.postOcsp(`http://ocsp.rebind.test:${v4.port}/ocsp`, BODY));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/ocsp\.rebind\.test resolves to 127\.0\.0\.1 is a loopback address/);
    expect(e.origin).toBe(`http://ocsp.rebind.test:${v4.port}`);
    expect(asked).toBe(1);
    expect(v4.connections()).toBe(before);
  });

  it('one private address among public ones refuses the name', async () => {
    const resolve: Resolver = () =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '::ffff:10.0.0.1', family: 6 },
      ]);
    const e = await failure(client({ allowed: ['http://mixed.test'], allowPrivate: false, resolve }).postOcsp('http://mixed.test/', BODY));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/IPv4-mapped 10\.0\.0\.1/);
  });

  it('the same name connects when private addresses are allowed (the check is at the socket)', async () => {
    const resolve: Resolver = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    const c = client({ allowed: [`http://ocsp.rebind.test:${v4.port}`], allowPrivate: true, resolve });
    const r = await c.postOcsp(`http://ocsp.rebind.test:${v4.port}/ocsp`, BODY);
    expect(r.body).toEqual(BODY);
    expect(r.origin).toBe(`http://ocsp.rebind.test:${v4.port}`);
  });
});

describe('bounded exchange', () => {
  it('POSTs application/ocsp-request and returns the body; keep-alive reuses one connection', async () => {
    let seen: { type?: string; length?: string; method?: string } = {};
    const server = await startRecordingServer((req, res) =>
      afterBody(req, () => {
        seen = { type: req.headers['content-type'], length: req.headers['content-length'], method: req.method };
        res.writeHead(200, OCSP).end(BODY);
      }),
    );
    try {
      const c = client({ allowed: [server.origin] });
      for (let i = 0; i < 5; i++) expect((await c.postOcsp(`${server.origin}/ocsp`, Buffer.alloc(80, 1))).body).toEqual(BODY);
      expect(seen).toEqual({ type: 'application/ocsp-request', length: '80', method: 'POST' });
      expect(server.requests()).toBe(5);
      expect(server.connections()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('a fresh connection after the server dropped idle keep-alive sockets', async () => {
    const server = await startRecordingServer((req, res) => afterBody(req, () => res.writeHead(200, OCSP).end(BODY)), '127.0.0.1', { keepAliveTimeout: 50 });
    try {
      const c = client({ allowed: [server.origin] });
      await c.postOcsp(server.origin, BODY);
      await new Promise((r) => setTimeout(r, 200));
      expect((await c.postOcsp(server.origin, BODY)).body).toEqual(BODY);
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('a redirect is refused, never followed', async () => {
    const target = await startRecordingServer((req, res) => afterBody(req, () => res.writeHead(200, OCSP).end(BODY)));
    try {
      mode = (res) => res.writeHead(302, { location: `${target.origin}/elsewhere` }).end();
      const e = await failure(client({ allowed: [v4.origin, target.origin] }).postOcsp(`${v4.origin}/ocsp`, BODY));
      expect(e.code).toBe('refused');
      expect(e.message).toMatch(/redirected \(HTTP 302\) to http:\/\/127\.0\.0\.1:\d+\/elsewhere; redirects are not followed/);
      expect(target.connections()).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('a 10 MB body with content-length is refused before it is read', async () => {
    mode = (res) => {
      res.writeHead(200, { ...OCSP, 'content-length': String(10 << 20) });
      res.end(Buffer.alloc(10 << 20));
    };
    const started = performance.now();
    const e = await failure(client().postOcsp(v4.origin, BODY));
    expect(e.code).toBe('too-large');
    expect(e.message).toMatch(/announced 10485760 bytes, limit 65536/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a 10 MB chunked body is cut off at the limit', async () => {
    mode = (res) => {
      res.writeHead(200, OCSP);
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const more = (): void => {
        while (sent < 10 << 20) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', more);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => undefined);
      more();
    };
    const started = performance.now();
    const e = await failure(client({ maxResponseBytes: 100_000 }).postOcsp(v4.origin, BODY));
    expect(e.code).toBe('too-large');
    expect(e.message).toMatch(/sent more than 100000 bytes/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a drip-fed body runs into the whole-exchange deadline', async () => {
    mode = (res) => {
      res.writeHead(200, OCSP);
      const timer = setInterval(() => res.write(Buffer.from([0x30])), 50);
      res.on('close', () => clearInterval(timer));
    };
    const started = performance.now();
    const e = await failure(client({ timeoutMs: 400 }).postOcsp(v4.origin, BODY));
    const ms = performance.now() - started;
    expect(e.code).toBe('timeout');
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(1500);
  });

  it('a server that never answers runs into the deadline', async () => {
    mode = () => undefined;
    const e = await failure(client({ timeoutMs: 300 }).postOcsp(v4.origin, BODY));
    expect(e.code).toBe('timeout');
  });

  it('a slow resolver runs into the same deadline', async () => {
    const resolve: Resolver = () => new Promise(() => undefined);
    const e = await failure(client({ timeoutMs: 300, allowed: ['http://slow.dns.test'], resolve }).postOcsp('http://slow.dns.test/', BODY));
    expect(e.code).toBe('timeout');
  });

  it.each([
    ['HTTP 500', (res: ServerResponse): void => void res.writeHead(500, OCSP).end(), 'http', /answered HTTP 500/],
    ['HTTP 404', (res: ServerResponse): void => void res.writeHead(404).end('not here'), 'http', /answered HTTP 404/],
    ['text/html', (res: ServerResponse): void => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'), 'content-type', /text\/html/],
    ['no content type', (res: ServerResponse): void => void res.writeHead(200).end(BODY), 'content-type', /content-type ""/],
    ['closed mid-body', (res: ServerResponse): void => {
      res.writeHead(200, { ...OCSP, 'content-length': '1000' });
      res.write(Buffer.alloc(10));
      setTimeout(() => res.socket?.destroy(), 20);
    }, 'network', /closed the connection mid-answer|aborted|ECONNRESET/],
  ] as const)('%s → %s', async (_name, answer, code, message) => {
    mode = answer;
    const e = await failure(client().postOcsp(v4.origin, BODY));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('content type with parameters and upper case is accepted', async () => {
    mode = (res) => res.writeHead(200, { 'content-type': 'Application/OCSP-Response; charset=binary' }).end(BODY);
    expect((await client().postOcsp(v4.origin, BODY)).body).toEqual(BODY);
  });

  it('a responder that is down → network', async () => {
    const port = await freePort();
    const e = await failure(client({ allowed: [`http://127.0.0.1:${port}`] }).postOcsp(`http://127.0.0.1:${port}/`, BODY));
    expect(e.code).toBe('network');
    expect(e.message).toMatch(/ECONNREFUSED/);
  });

  it('a name that does not resolve → network', async () => {
    const resolve: Resolver = () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' }));
    const e = await failure(client({ allowed: ['http://nowhere.test'], resolve }).postOcsp('http://nowhere.test/', BODY));
    expect(e.code).toBe('network');
    expect(e.message).toMatch(/ENOTFOUND/);
  });
});
