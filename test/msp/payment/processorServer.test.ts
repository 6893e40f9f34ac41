// The simulated processor's HTTP API against a real store on both dialects: holds, captures, releases, each
// decline, idempotency, parallel holds that must not overdraw, and hostile or unauthenticated requests.
import { connect } from 'node:net';
import type { DeclineReason } from '../../../src/msp/payment/paymentProcessor.js';
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { useDatabaseTargets, type DatabaseTarget } from '../../helpers/databaseTargets.js';
import { addCard, SECRET, startProcessor, type RunningProcessor } from './processorTestbed.js';

const targets = useDatabaseTargets();
const running: RunningProcessor[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.close();
});

async function processor(target: DatabaseTarget, ctx: TestContext, url?: string): Promise<RunningProcessor> {
  const p = await startProcessor(url ?? (await target.newUrl(ctx)));
  running.push(p);
  return p;
}

const preauth = (p: RunningProcessor, paymentToken: string, amountMinor: number, reference: string, currency = 'EUR') =>
  p.api('POST', '/v1/preauthorizations', { paymentToken, amountMinor, currency, reference });

interface Approved {
  status: 'approved';
  authorizationId: string;
  amountMinor: number;
  currency: string;
}

describe.each(targets)('processor API on $dialect', (target) => {
  it('holds, captures part, releases the rest', async (ctx) => {
    const p = await processor(target, ctx);
    await addCard(p, 'tok_ok', 10_000);
    const r = await preauth(p, 'tok_ok', 5000, 'ref-1');
    expect(r.status).toBe(200);
    const approved = r.body as Approved;
    expect(approved).toEqual({ status: 'approved', authorizationId: expect.stringMatching(/^pa_[0-9a-f]{24}$/) as string, amountMinor: 5000, currency: 'EUR' });
    expect((await p.api('GET', '/admin/cards/tok_ok')).body).toMatchObject({ balanceMinor: 10_000, heldMinor: 5000, availableMinor: 5000 });

    const c = await p.api('POST', `/v1/authorizations/${approved.authorizationId}/capture`, { amountMinor: 3210 });
    expect(c).toMatchObject({ status: 200, body: { status: 'captured', authorizationId: approved.authorizationId, amountMinor: 3210, currency: 'EUR' } });
    expect((await p.api('GET', '/admin/cards/tok_ok')).body).toMatchObject({ balanceMinor: 6790, heldMinor: 0, availableMinor: 6790 });
    expect((await p.api('GET', `/v1/authorizations/${approved.authorizationId}`)).body).toMatchObject({ state: 'captured', capturedMinor: 3210, reference: 'ref-1' });
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it.for([
    ['expired_card', { expires: '2026-05' }, 10_000],
    ['insufficient_funds', {}, 4999],
    ['card_blocked', { blocked: true }, 10_000],
  ] satisfies [DeclineReason, Record<string, unknown>, number][])('declines %s and holds nothing', async ([reason, over, balance], ctx) => {
    const p = await processor(target, ctx);
    await addCard(p, 'tok_x', balance, over);
    expect(await preauth(p, 'tok_x', 5000, `ref-${reason}`)).toMatchObject({ status: 200, body: { status: 'declined', reason } });
    expect((await p.api('GET', '/admin/cards/tok_x')).body).toMatchObject({ balanceMinor: balance, heldMinor: 0 });
  });

  it('declines an unknown card; a card still valid in its last month is approved', async (ctx) => {
    const p = await processor(target, ctx);
    expect((await preauth(p, 'tok_nobody', 100, 'ref-u')).body).toEqual({ status: 'declined', reason: 'unknown_card' });
    await addCard(p, 'tok_june', 10_000, { expires: '2026-06' });
    expect((await preauth(p, 'tok_june', 100, 'ref-j')).body).toMatchObject({ status: 'approved' });
  });

  it('the same reference is the same authorization; other terms under it are a conflict', async (ctx) => {
    const p = await processor(target, ctx);
    await addCard(p, 'tok_ok', 10_000);
    const first = (await preauth(p, 'tok_ok', 3000, 'ref-same')).body as Approved;
    const again = (await preauth(p, 'tok_ok', 3000, 'ref-same')).body as Approved;
    expect(again).toEqual(first);
    expect((await p.api('GET', '/admin/cards/tok_ok')).body).toMatchObject({ heldMinor: 3000 });
    expect(await preauth(p, 'tok_ok', 3001, 'ref-same')).toMatchObject({ status: 409, body: { error: { code: 'idempotency-conflict' } } });
    // A declined reference keeps its answer too.
    expect((await preauth(p, 'tok_ok', 9000, 'ref-declined')).body).toEqual({ status: 'declined', reason: 'insufficient_funds' });
    await p.api('POST', `/v1/authorizations/${first.authorizationId}/release`, {});
    expect((await preauth(p, 'tok_ok', 9000, 'ref-declined')).body).toEqual({ status: 'declined', reason: 'insufficient_funds' });
  });

  it('captures once: same amount again is the same capture, another amount or more than held is refused', async (ctx) => {
    const p = await processor(target, ctx);
    await addCard(p, 'tok_ok', 10_000);
    const { authorizationId } = (await preauth(p, 'tok_ok', 5000, 'ref-c')).body as Approved;
    const path = `/v1/authorizations/${authorizationId}`;
    expect((await p.api('POST', `${path}/capture`, { amountMinor: 5001 })).body).toMatchObject({ status: 'refused', reason: expect.stringMatching(/exceeds/) as string });
    expect((await p.api('GET', path)).body).toMatchObject({ state: 'held' });
    const once = await p.api('POST', `${path}/capture`, { amountMinor: 4000 });
    const twice = await p.api('POST', `${path}/capture`, { amountMinor: 4000 });
    expect(twice.body).toEqual(once.body);
    expect((await p.api('POST', `${path}/capture`, { amountMinor: 1000 })).body).toMatchObject({ status: 'refused', reason: expect.stringMatching(/already captured 4000/) as string });
    expect((await p.api('GET', '/admin/cards/tok_ok')).body).toMatchObject({ balanceMinor: 6000, heldMinor: 0 });
    // Releasing a captured authorization changes nothing.
    expect((await p.api('POST', `${path}/release`, {})).body).toMatchObject({ state: 'captured', capturedMinor: 4000 });
    expect((await p.api('GET', '/admin/cards/tok_ok')).body).toMatchObject({ balanceMinor: 6000, heldMinor: 0 });
  });

  it('release gives the hold back, once; a released authorization cannot be captured', async (ctx) => {
    const p = await processor(target, ctx);
    await addCard(p, 'tok_ok', 10_000);
    const { authorizationId } = (await preauth(p, 'tok_ok', 5000, 'ref-r')).body as Approved;
    const path = `/v1/authorizations/${authorizationId}`;
    expect((await p.api('POST', `${path}/release`)).body).toMatchObject({ state: 'released' });
    expect((await p.api('POST', `${path}/release`, {})).body).toMatchObject({ state: 'released' });
    expect((await p.api('GET', '/admin/cards/tok_ok')).body).toMatchObject({ balanceMinor: 10_000, heldMinor: 0 });
    expect((await p.api('POST', `${path}/capture`, { amountMinor: 1 })).body).toEqual({ status: 'refused', reason: 'the authorization was released' });
    expect((await p.api('POST', '/v1/authorizations/pa_000000000000000000000000/capture', { amountMinor: 1 })).body).toEqual({ status: 'refused', reason: 'unknown authorization' });
    expect(await p.api('POST', '/v1/authorizations/pa_000000000000000000000000/release', {})).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } });
  });

  it('refuses a currency the card is not in (422), and a card that exists (409)', async (ctx) => {
    const p = await processor(target, ctx);
    await addCard(p, 'tok_ok', 10_000);
    expect(await preauth(p, 'tok_ok', 100, 'ref-chf', 'CHF')).toMatchObject({ status: 422, body: { error: { code: 'currency-mismatch' } } });
    expect(await p.api('POST', '/admin/cards', { token: 'tok_ok', balanceMinor: 1, currency: 'EUR', expires: '2027-01' })).toMatchObject({ status: 409, body: { error: { code: 'card-exists' } } });
    expect((await p.api('GET', '/admin/cards/tok_ok')).body).toMatchObject({ balanceMinor: 10_000 });
  });

  it('parallel holds never overdraw: 40 holds of 1000 on a balance of 10000 → 10 approved', async (ctx) => {
    const p = await processor(target, ctx);
    await addCard(p, 'tok_race', 10_000);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => preauth(p, 'tok_race', 1000, `race-${i}`)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const statuses = answers.map((a) => (a.body as { status: string }).status);
    expect(statuses.filter((s) => s === 'approved')).toHaveLength(10);
    expect(answers.filter((a) => (a.body as { reason?: string }).reason === 'insufficient_funds')).toHaveLength(30);
    expect((await p.api('GET', '/admin/cards/tok_race')).body).toMatchObject({ balanceMinor: 10_000, heldMinor: 10_000, availableMinor: 0 });
  });

  it('parallel requests with one reference make one hold; parallel captures capture once', async (ctx) => {
    const p = await processor(target, ctx);
    await addCard(p, 'tok_same', 10_000);
    const answers = await Promise.all(Array.from({ length: 20 }, () => preauth(p, 'tok_same', 2500, 'ref-parallel')));
    const ids = new Set(answers.map((a) => (a.body as Approved).authorizationId));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(ids.size).toBe(1);
    expect((await p.api('GET', '/admin/cards/tok_same')).body).toMatchObject({ heldMinor: 2500 });
    const [id] = [...ids];
    const captures = await Promise.all(Array.from({ length: 20 }, () => p.api('POST', `/v1/authorizations/${id}/capture`, { amountMinor: 2000 })));
    expect(captures.every((c) => (c.body as { status: string }).status === 'captured')).toBe(true);
    expect((await p.api('GET', '/admin/cards/tok_same')).body).toMatchObject({ balanceMinor: 8000, heldMinor: 0 });
  });
});

// Several processor nodes share a PostgreSQL database (two on one SQLite file in one process would share a thread
// and block each other's busy wait).
describe('processor nodes sharing PostgreSQL', () => {
  const postgres = targets.find((t) => t.dialect === 'postgres');
  it('two processor nodes on one database still cannot overdraw', async (ctx) => {
    const target = postgres!;
    const url = await target.newUrl(ctx);
    const a = await processor(target, ctx, url);
    const b = await processor(target, ctx, url);
    await addCard(a, 'tok_nodes', 7_000);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => preauth(i % 2 === 0 ? a : b, 'tok_nodes', 1000, `node-${i}`)));
    // Every answer a decision (200), none a constraint violation (500): the conditional hold did the work.
    expect(answers.map((x) => x.status)).toEqual(answers.map(() => 200));
    expect(answers.filter((x) => (x.body as { status: string }).status === 'approved')).toHaveLength(7);
    const same = await Promise.all(Array.from({ length: 10 }, (_, i) => preauth(i % 2 === 0 ? a : b, 'tok_nodes', 1, 'one-ref')));
    // The card is exhausted: one recorded decline, the same for every caller on either node.
    expect(new Set(same.map((x) => JSON.stringify(x.body)))).toEqual(new Set([JSON.stringify({ status: 'declined', reason: 'insufficient_funds' })]));
    expect((await b.api('GET', '/admin/cards/tok_nodes')).body).toMatchObject({ heldMinor: 7_000, availableMinor: 0 });
  });
});

describe('processor API: authentication and hostile requests', () => {
  const [sqlite] = targets;

  it('refuses a missing, wrong or differently written secret with 401 before reading the body', async (ctx) => {
    const p = await processor(sqlite!, ctx);
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-secret-0123456789' },
      { authorization: `Bearer ${SECRET}x` },
      { authorization: `bearer  ${SECRET}` },
      { authorization: `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}` },
      { authorization: SECRET },
    ];
    for (const headers of attempts) {
      const r = await fetch(`${p.url}/admin/cards`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: 'x'.repeat(100_000) });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await r.json()).toEqual({ error: { code: 'unauthorized', message: 'missing or wrong bearer secret' } });
    }
    expect((await fetch(`${p.url}/no/such/route`)).status).toBe(401);
  });

  it('answers every malformed body with a typed JSON error', async (ctx) => {
    const p = await processor(sqlite!, ctx);
    const cases: [string, string, Record<string, string>, number, string][] = [
      ['oversize', JSON.stringify({ paymentToken: 'tok', amountMinor: 1, currency: 'EUR', reference: 'r'.repeat(5000) }), {}, 413, 'body-too-large'],
      ['not JSON', '{"paymentToken":', {}, 400, 'invalid-json'],
      ['empty', '', {}, 400, 'invalid-json'],
      ['__proto__', '{"__proto__":{"admin":true},"paymentToken":"t","amountMinor":1,"currency":"EUR","reference":"r"}', {}, 400, 'invalid-json'],
      ['constructor.prototype', '{"constructor":{"prototype":{"x":1}}}', {}, 400, 'invalid-json'],
      ['text/plain', 'hello', { 'content-type': 'text/plain' }, 415, 'unsupported-media-type'],
      ['form', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported-media-type'],
      ['deep nesting', `${'['.repeat(1500)}${']'.repeat(1500)}`, {}, 400, 'invalid-request'],
      ['a JSON string', '"tok"', {}, 400, 'invalid-request'],
      ['wrong types', '{"paymentToken":1,"amountMinor":"1","currency":"EUR","reference":"r"}', {}, 400, 'invalid-request'],
      ['a float amount', '{"paymentToken":"t","amountMinor":1e400,"currency":"EUR","reference":"r"}', {}, 400, 'invalid-request'],
    ];
    for (const [name, body, headers, status, code] of cases) {
      const r = await p.api('POST', '/v1/preauthorizations', body, headers);
      expect({ name, status: r.status, code: (r.body as { error: { code: string } }).error.code }).toEqual({ name, status, code });
    }
    expect(await p.api('GET', '/v1/preauthorizations')).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } });
    expect(await p.api('GET', '/v1/authorizations/..%2Fadmin')).toMatchObject({ status: 400, body: { error: { code: 'invalid-request' } } });
    expect(await p.api('GET', '/admin/cards/%E0%A4%A')).toMatchObject({ status: 400, body: { error: { code: 'invalid-request' } } });
    expect(await p.api('GET', `/admin/cards/${'x'.repeat(300)}`)).toMatchObject({ status: 400, body: { error: { code: 'invalid-request' } } });
    expect(p.internalErrors).toEqual([]);
  });

  it('closes a connection whose request never completes', async (ctx) => {
    const p = await startProcessor(await sqlite!.newUrl(ctx), { timeoutMs: 500 });
    running.push(p);
    const { port } = new URL(p.url);
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(`POST /v1/preauthorizations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SECRET}\r\n`));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Date.now() - started));
      setTimeout(() => reject(new Error('still open after 5 s')), 5000).unref();
    });
    expect(closedAfter).toBeLessThan(3000);
  });

  it('a failing store is a 500 "internal" that names no internals, reported to its hook', async (ctx) => {
    const p = await startProcessor(await sqlite!.newUrl(ctx));
    await addCard(p, 'tok_ok', 10_000);
    await p.store.close();
    const r = await p.api('POST', '/v1/preauthorizations', { paymentToken: 'tok_ok', amountMinor: 1, currency: 'EUR', reference: 'r1' });
    expect(r).toMatchObject({ status: 500, body: { error: { code: 'internal', message: 'the processor failed; try again' } } });
    expect(p.internalErrors).toHaveLength(1);
    await p.app.close();
  });
});
