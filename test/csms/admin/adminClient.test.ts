// The admin client against hostile or broken servers: oversize, endless, slow and non-JSON answers, redirects.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, AdminClientError } from '../../../src/csms/admin/adminClient.js';

let server: Server;
let url = '';
const seen: { auth?: string; body: string; path: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ body, path: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      const path = req.url ?? '';
      if (path.endsWith('/echo')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'Accepted' }));
      if (path.endsWith('/huge-declared')) return res.writeHead(200, { 'content-length': String(10 << 20) }).end();
      if (path.endsWith('/endless')) {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (res.write(chunk));
          res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        return pump();
      }
      if (path.endsWith('/slow')) return void setTimeout(() => res.end('{}'), 2000);
      if (path.endsWith('/html')) return res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
      if (path.endsWith('/redirect')) return res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      return res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('AdminClient', () => {
  it('sends the JSON body and the bearer token to /stations/<id>/<route>, the id escaped', async () => {
    const c = new AdminClient({ url: `${url}/base`, token: 'tok-0123456789abcdef' });
    // The route name is the last segment; the server echoes on /echo only, so ask a custom path.
    const r = await c.request('POST', 'stations/CS%2F1/echo', { a: 1 });
    expect(r).toEqual({ status: 200, body: { status: 'Accepted' } });
    expect(seen.at(-1)).toEqual({ path: '/base/stations/CS%2F1/echo', body: '{"a":1}', auth: 'Bearer tok-0123456789abcdef' });
    await c.station('CS/1', 'trigger-message', { requestedMessage: 'Heartbeat' });
    expect(seen.at(-1)?.path).toBe('/base/stations/CS%2F1/trigger-message');
  });

  it('a declared oversize answer and an endless one are cut off', async () => {
    const c = new AdminClient({ url, maxAnswerBytes: 1 << 20 });
    await expect(c.request('GET', 'huge-declared')).rejects.toMatchObject({ code: 'badAnswer' });
    await expect(c.request('GET', 'endless')).rejects.toMatchObject({ code: 'badAnswer' });
  });

  it('a slow server → timeout; non-JSON → badAnswer; a redirect is not followed; nobody listening → network', async () => {
    await expect(new AdminClient({ url, timeoutMs: 300 }).request('GET', 'slow')).rejects.toMatchObject({ code: 'timeout' });
    await expect(new AdminClient({ url }).request('GET', 'html')).rejects.toMatchObject({ code: 'badAnswer' });
    await expect(new AdminClient({ url }).request('GET', 'redirect')).rejects.toMatchObject({ code: 'network' });
    await expect(new AdminClient({ url: 'http://127.0.0.1:1' }).request('GET', 'x')).rejects.toMatchObject({ code: 'network' });
  });

  it('refuses unusable configuration', () => {
    expect(() => new AdminClient({ url: 'nope' })).toThrow(AdminClientError);
    expect(() => new AdminClient({ url: 'file:///etc/passwd' })).toThrow(/http/);
    expect(() => new AdminClient({ url, token: 'with space' })).toThrow(/token/);
  });
});
