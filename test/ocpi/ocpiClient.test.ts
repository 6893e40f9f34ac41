// The OCPI HTTP client against raw node:http servers on 127.0.0.1: keep-alive reuse, the Authorization and request-id
// headers, each failure as its OcpiError code (refused, time-out, oversize announced and streamed, 401, HTTP errors,
// not JSON, no envelope, non-success status, bad data), pagination headers, and the one retry on a stale connection.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialsTokenCandidates } from '../../src/ocpi/ocpiAuthorization.js';
import { isUnknownTokenError, OcpiClient } from '../../src/ocpi/ocpiClient.js';
import { OcpiError } from '../../src/ocpi/ocpiError.js';
import { nextLink } from '../../src/ocpi/ocpiPagination.js';
import { highestMutualVersion } from '../../src/ocpi/ocpiVersions.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface TestServer {
  readonly url: string;
  readonly connections: () => number;
  readonly requests: { headers: IncomingMessage['headers']; url: string; body: string }[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(handler: Handler): Promise<TestServer> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const requests: TestServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ headers: req.headers, url: req.url ?? '', body });
      handler(req, res, body);
    });
  });
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const s: TestServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    requests,
    close: async () => {
      for (const x of sockets) x.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  servers.push(s);
  return s;
}

const ok = (data: unknown, extra: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', ...extra }).end(JSON.stringify({ data, status_code: 1000, timestamp: '2026-11-24T10:00:00Z' }));
};

const versions = [
  { version: '2.2.1', url: 'http://127.0.0.1:1/2.2.1' },
  { version: '2.3.0', url: 'http://127.0.0.1:1/2.3.0' },
];

async function failure(p: Promise<unknown>): Promise<OcpiError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OcpiError);
  return e as OcpiError;
}

describe('OCPI client', () => {
  it('reuses kept-alive connections and sends the OCPI headers', async () => {
    const s = await serve(ok(versions));
    const client = new OcpiClient({ timeoutMs: 2000 });
    for (let i = 0; i < 50; i++) expect(await client.getVersions(`${s.url}/ocpi/versions`, 'my-token')).toEqual(versions);
    expect(s.connections()).toBe(1);
    await Promise.all(Array.from({ length: 20 }, () => client.getVersions(`${s.url}/ocpi/versions`, 'my-token', { correlationId: 'corr-1', requestId: 'req-1' })));
    expect(s.connections()).toBeLessThanOrEqual(20);
    const last = s.requests.at(-1)!;
    expect(last.headers.authorization).toBe(`Token ${Buffer.from('my-token').toString('base64')}`);
    expect(last.headers['x-request-id']).toBe('req-1');
    expect(last.headers['x-correlation-id']).toBe('corr-1');
    expect(s.requests[0]!.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    client.close();
  });

  it('reports each failure with its code', async () => {
    const client = new OcpiClient({ timeoutMs: 400, maxResponseBytes: 4096 });
    const cases: [string, Handler, OcpiError['code'], Partial<OcpiError>?][] = [
      ['slow answer', () => undefined, 'timeout'],
      ['headers then silence', (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).write('{"data":'), 'timeout'],
      ['announced oversize', (_q, res) => res.writeHead(200, { 'content-length': '100000' }).end('x'.repeat(100000)), 'too-large'],
      ['streamed oversize', (_q, res) => { res.writeHead(200); res.write('x'.repeat(3000)); res.end('x'.repeat(3000)); }, 'too-large'],
      ['401', (_q, res) => res.writeHead(401).end('{"status_code":2000,"timestamp":"2026-11-24T10:00:00Z"}'), 'unauthorized', { httpStatus: 401, ocpiStatus: 2000 }],
      ['500 with envelope', (_q, res) => res.writeHead(500).end('{"status_code":3000,"status_message":"boom","timestamp":"2026-11-24T10:00:00Z"}'), 'http', { httpStatus: 500, ocpiStatus: 3000, statusMessage: 'boom' }],
      ['302 redirect (not followed)', (_q, res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end(), 'http', { httpStatus: 302 }],
      ['not JSON', (_q, res) => res.writeHead(200).end('<html>'), 'format'],
      ['no envelope', (_q, res) => res.writeHead(200).end('[{"version":"2.2.1","url":"http://x/y"}]'), 'format'],
      ['status 2001 in a 200', (_q, res) => res.writeHead(200).end('{"status_code":2001,"timestamp":"2026-11-24T10:00:00Z"}'), 'status', { ocpiStatus: 2001 }],
      ['data of the wrong shape', ok([{ version: 2 }]), 'format'],
      ['connection dropped', (q) => q.socket.destroy(), 'network'],
    ];
    for (const [name, handler, code, details] of cases) {
      const s = await serve(handler);
      const started = Date.now();
      const e = await failure(client.getVersions(`${s.url}/ocpi/versions`, 't'));
      expect(e.code, `${name}: ${e.message}`).toBe(code);
      if (details) expect(e, name).toMatchObject(details);
      expect(Date.now() - started, name).toBeLessThan(1500);
    }
    const refused = await failure(client.getVersions('http://127.0.0.1:9/ocpi/versions', 't'));
    expect(refused.code).toBe('network');
    expect((await failure(client.getVersions('ftp://127.0.0.1/x', 't'))).code).toBe('format');
    expect((await failure(client.getVersions('not a url', 't'))).code).toBe('format');
    client.close();
  });

  it('recognises an unknown token answer and reads pagination headers', async () => {
    const client = new OcpiClient({ timeoutMs: 1000 });
    const unknown = await serve((_q, res) => res.writeHead(404).end('{"status_code":2004,"timestamp":"2026-11-24T10:00:00Z"}'));
    const e = await failure(client.authorize(`${unknown.url}/tokens`, 't', '2.3.0', 'DEPNCC123456789', 'EMAID', { location_id: 'L1' }));
    expect(isUnknownTokenError(e)).toBe(true);
    expect(unknown.requests[0]!.url).toBe('/tokens/DEPNCC123456789/authorize?type=EMAID');
    expect(JSON.parse(unknown.requests[0]!.body)).toEqual({ location_id: 'L1' });
    const bare = await serve((_q, res) => res.writeHead(404).end('not found'));
    expect(isUnknownTokenError(await failure(client.authorize(`${bare.url}/tokens/`, 't', '2.3.0', 'X', 'EMAID')))).toBe(false);

    const list = await serve(ok([], { link: '<http://127.0.0.1:1/tokens?offset=2&limit=2>; rel="next"', 'x-total-count': '5', 'x-limit': '2' }));
    await expect(client.getTokens(`${list.url}/tokens`, 't', '2.2.1', { offset: 0, limit: 2, dateFrom: '2026-01-01T00:00:00Z' })).resolves.toEqual({
      tokens: [],
      totalCount: 5,
      limit: 2,
      next: 'http://127.0.0.1:1/tokens?offset=2&limit=2',
    });
    expect(list.requests[0]!.url).toBe('/tokens?date_from=2026-01-01T00%3A00%3A00Z&offset=0&limit=2');
    client.close();
  });

  it('sends once more when a reused idle connection turns out closed', async () => {
    let n = 0;
    const s = await serve((req, res, _body) => {
      n++;
      // The second request on the first connection: the server drops the connection without answering.
      if (n === 2) {
        req.socket.destroy();
        return;
      }
      ok(versions)(req, res, '');
    });
    const client = new OcpiClient({ timeoutMs: 2000 });
    await client.getVersions(`${s.url}/v`, 't');
    await expect(client.getVersions(`${s.url}/v`, 't')).resolves.toEqual(versions);
    expect(n).toBe(3);
    expect(s.connections()).toBe(2);
    client.close();
  });
});

describe('OCPI transport helpers', () => {
  it.each([
    [`Token ${Buffer.from('abc-123').toString('base64')}`, ['abc-123', Buffer.from('abc-123').toString('base64')]],
    ['Token raw-token_not-base64!', ['raw-token_not-base64!']],
    ['token YWJj', ['abc', 'YWJj']],
    ['Token', undefined],
    ['Bearer YWJj', undefined],
    [`Token ${'A'.repeat(600)}`, undefined],
    [undefined, undefined],
  ] as const)('reads the credentials token of %s', (header, expected) => {
    expect(credentialsTokenCandidates(header)).toEqual(expected);
  });

  it.each([
    ['<https://x/a?offset=2>; rel="next"', 'https://x/a?offset=2'],
    ['<https://x/p>; rel="prev", <https://x/n>; rel=next', 'https://x/n'],
    ['<https://x/p>; rel="prev"', undefined],
    ['garbage', undefined],
  ])('finds rel=next in %s', (header, expected) => {
    expect(nextLink(header)).toBe(expected);
  });

  it('picks the highest mutual version', () => {
    expect(highestMutualVersion(versions)).toEqual({ version: '2.3.0', url: 'http://127.0.0.1:1/2.3.0' });
    expect(highestMutualVersion(versions, ['2.2.1'])).toEqual({ version: '2.2.1', url: 'http://127.0.0.1:1/2.2.1' });
    expect(highestMutualVersion([{ version: '2.1.1', url: 'http://x' }])).toBeUndefined();
  });
});
