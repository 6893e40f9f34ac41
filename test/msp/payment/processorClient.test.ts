// The MSP's HTTP client against the real processor, and against servers that are down, slow, or answer garbage.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PaymentProcessorError } from '../../../src/msp/payment/paymentProcessor.js';
import { createProcessorAdminClient } from '../../../src/msp/payment/processorAdminClient.js';
import { ProcessorCallError, type ProcessorCallErrorCode } from '../../../src/msp/payment/processorCallError.js';
import { createProcessorClient, type ProcessorClient } from '../../../src/msp/payment/processorClient.js';
import { ProcessorConfigError } from '../../../src/msp/payment/processorSecret.js';
import { freePort } from '../../helpers/ocspTestbed.js';
import { addCard, SECRET, startProcessor, type RunningProcessor } from './processorTestbed.js';

const ID = 'pa_0123456789abcdef01234567';
let real: RunningProcessor;
const clients: { close(): void }[] = [];
const fakes: Server[] = [];

beforeAll(async () => {
  // The store layer's in-memory SQLite: the store itself is tested on both dialects in processorServer.test.ts.
  real = await startProcessor('sqlite::memory:');
  await addCard(real, 'tok_ok', 10_000);
  await addCard(real, 'tok_old', 10_000, { expires: '2026-05' });
  await addCard(real, 'tok_poor', 100);
});
afterAll(async () => {
  await real.close();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of fakes.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

function client(url: string, over: { secret?: string; timeoutMs?: number; maxResponseBytes?: number } = {}): ProcessorClient {
  const c = createProcessorClient({ url, secret: SECRET, timeoutMs: 2000, ...over });
  clients.push(c);
  return c;
}

async function fake(handler: (req: IncomingMessage, res: ServerResponse, socket: Socket) => void): Promise<string> {
  const server = createServer((req, res) => handler(req, res, req.socket));
  fakes.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
};

async function failure(p: Promise<unknown>): Promise<ProcessorCallError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PaymentProcessorError);
    if (e instanceof ProcessorCallError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('against the real processor', () => {
  it('preauthorises, captures (idempotently) and releases', async () => {
    const c = client(real.url);
    const approved = await c.preauthorize('tok_ok', 4000, 'EUR', 'client-1');
    expect(approved).toMatchObject({ status: 'approved', amountMinor: 4000, currency: 'EUR' });
    if (approved.status !== 'approved') throw new Error('not approved');
    expect(await c.preauthorize('tok_ok', 4000, 'EUR', 'client-1')).toEqual(approved);
    const captured = await c.capture(approved.authorizationId, 1500);
    expect(captured).toEqual({ status: 'captured', authorizationId: approved.authorizationId, amountMinor: 1500, currency: 'EUR' });
    expect(await c.capture(approved.authorizationId, 1500)).toEqual(captured);
    expect(await c.capture(approved.authorizationId, 1600)).toMatchObject({ status: 'refused' });
    await c.release(approved.authorizationId);

    const held = await c.preauthorize('tok_ok', 1000, 'EUR', 'client-2');
    if (held.status !== 'approved') throw new Error('not approved');
    await c.release(held.authorizationId);
    const admin = createProcessorAdminClient({ url: real.url, secret: SECRET });
    clients.push(admin);
    expect(await admin.authorization(held.authorizationId)).toMatchObject({ state: 'released', amountMinor: 1000 });
    expect(await admin.card('tok_ok')).toMatchObject({ balanceMinor: 8500, heldMinor: 0 });
    expect(await admin.card('tok_nobody')).toBeUndefined();
  });

  it('passes declines through as results, not errors', async () => {
    const c = client(real.url);
    expect(await c.preauthorize('tok_old', 100, 'EUR', 'client-d1')).toEqual({ status: 'declined', reason: 'expired_card' });
    expect(await c.preauthorize('tok_poor', 101, 'EUR', 'client-d2')).toEqual({ status: 'declined', reason: 'insufficient_funds' });
    expect(await c.preauthorize('tok_nobody', 1, 'EUR', 'client-d3')).toEqual({ status: 'declined', reason: 'unknown_card' });
  });

  it('a refusal of the API is a typed error with the API code', async () => {
    const wrong = client(real.url, { secret: 'not-the-secret-0123456789' });
    const e = await failure(wrong.preauthorize('tok_ok', 1, 'EUR', 'client-x'));
    expect(e.code).toBe('refused');
    expect(e.answer).toEqual({ httpStatus: 401, apiCode: 'unauthorized' });
    const bad = await failure(client(real.url).preauthorize('tok ok', 1, 'EUR', 'client-y'));
    expect(bad.answer).toEqual({ httpStatus: 400, apiCode: 'invalid-request' });
    expect((await failure(client(real.url).capture('../admin/cards', 1))).code).toBe('bad-argument');
  });

  it('reuses its connections (keep-alive)', async () => {
    let connections = 0;
    const count = (): void => void connections++;
    real.app.server.on('connection', count);
    try {
      const c = client(real.url);
      for (let i = 0; i < 30; i++) await c.preauthorize('tok_nobody', 1, 'EUR', `keepalive-${i}`);
      expect(connections).toBe(1);
    } finally {
      real.app.server.off('connection', count);
    }
  });
});

describe('against a processor that is down, slow or broken', () => {
  it('unreachable port → unreachable', async () => {
    const port = await freePort();
    const started = Date.now();
    expect((await failure(client(`http://127.0.0.1:${port}`).preauthorize('tok', 1, 'EUR', 'r'))).code).toBe('unreachable');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('no answer → timeout within the limit', async () => {
    const url = await fake(() => undefined);
    const started = Date.now();
    expect((await failure(client(url, { timeoutMs: 300 }).preauthorize('tok', 1, 'EUR', 'r'))).code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('an answer that trickles → timeout, not a hang', async () => {
    const url = await fake((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
      const t = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(t));
    });
    expect((await failure(client(url, { timeoutMs: 400 }).capture(ID, 1))).code).toBe('timeout');
  });

  const garbage: [string, (req: IncomingMessage, res: ServerResponse) => void, ProcessorCallErrorCode][] = [
    ['HTML', (_q, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>ok</html>'), 'bad-answer'],
    ['no content-type', (_q, res) => void res.writeHead(200).end('{"status":"approved"}'), 'bad-answer'],
    ['broken JSON', json(200, '{"status":"appr'), 'bad-answer'],
    ['empty body', json(200, ''), 'bad-answer'],
    ['an array', json(200, []), 'bad-answer'],
    ['an unknown status', json(200, { status: 'approved-ish' }), 'bad-answer'],
    ['an approval of another amount', json(200, { status: 'approved', authorizationId: ID, amountMinor: 999, currency: 'EUR' }), 'bad-answer'],
    ['an approval in another currency', json(200, { status: 'approved', authorizationId: ID, amountMinor: 1, currency: 'USD' }), 'bad-answer'],
    ['a 500 without an error body', (_q, res) => void res.writeHead(500, { 'content-type': 'text/plain' }).end('oops'), 'bad-answer'],
    ['a 503 with an error body', json(503, { error: { code: 'internal', message: 'down' } }), 'refused'],
    ['a redirect', (_q, res) => void res.writeHead(302, { location: 'http://169.254.169.254/' }).end(), 'bad-answer'],
    ['a huge announced body', (_q, res) => void res.writeHead(200, { 'content-type': 'application/json', 'content-length': 10_000_000 }).end(), 'too-large'],
    [
      'a huge chunked body',
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`{"status":"declined","reason":"${'x'.repeat(64 * 1024)}`);
        res.end('"}');
      },
      'too-large',
    ],
    ['a cut connection', (_q, res) => res.socket?.destroy(), 'unreachable'],
  ];
  it.each(garbage)('%s → %s', async (_name, handler, code) => {
    const url = await fake(handler);
    expect((await failure(client(url).preauthorize('tok', 1, 'EUR', 'r'))).code).toBe(code);
  });

  it('a capture answer about another authorization is garbage', async () => {
    const url = await fake(json(200, { status: 'captured', authorizationId: 'pa_ffffffffffffffffffffffff', amountMinor: 1, currency: 'EUR' }));
    expect((await failure(client(url).capture(ID, 1))).code).toBe('bad-answer');
  });

  it('a release that leaves the hold in place is garbage', async () => {
    const url = await fake(json(200, { authorizationId: ID, reference: 'r', state: 'held', amountMinor: 1, currency: 'EUR', capturedMinor: null, declineReason: null }));
    expect((await failure(client(url).release(ID))).code).toBe('bad-answer');
  });

  it('sends a request again once when its kept-alive socket turns out dead', async () => {
    let requests = 0;
    const url = await fake((req, res, socket) => {
      requests++;
      const seen = ((socket as Socket & { served?: number }).served ?? 0) + 1;
      (socket as Socket & { served?: number }).served = seen;
      // The second request on a socket: the server "had closed" it — reset without answering.
      if (seen > 1) return void socket.destroy();
      json(200, { status: 'declined', reason: 'unknown_card' })(req, res);
    });
    const c = client(url);
    expect(await c.preauthorize('tok', 1, 'EUR', 'r1')).toEqual({ status: 'declined', reason: 'unknown_card' });
    expect(await c.preauthorize('tok', 1, 'EUR', 'r2')).toEqual({ status: 'declined', reason: 'unknown_card' });
    expect(requests).toBe(3);
  });

  it('refuses a URL or secret it cannot use', () => {
    expect(() => createProcessorClient({ url: 'ftp://127.0.0.1/', secret: SECRET })).toThrow(ProcessorConfigError);
    expect(() => createProcessorClient({ url: 'not a url', secret: SECRET })).toThrow(ProcessorConfigError);
    expect(() => createProcessorClient({ url: `http://u:${SECRET}@127.0.0.1/`, secret: SECRET })).toThrow(ProcessorConfigError);
    expect(() => createProcessorClient({ url: 'http://127.0.0.1/', secret: 'short' })).toThrow(ProcessorConfigError);
    expect(() => createProcessorClient({ url: 'http://127.0.0.1/', secret: `${SECRET}\r\nX-Injected: 1` })).toThrow(ProcessorConfigError);
  });
});
