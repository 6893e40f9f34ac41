// Hostile and malformed input on every route of the MSP's OCPI server, over raw HTTP on 127.0.0.1: missing or
// forged credentials, malformed JSON, oversize bodies, wrong types, wrong content types, prototype poisoning, deep
// nesting, absurd parameters, a slow client. Every answer is an OCPI envelope with a 2xxx status (or the connection
// is closed for a stalled request), nothing is stored, token A stays usable, and the server keeps answering.
import { connect } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCpo, startMsp, type TestCpo, type TestMsp } from '../csms/roaming/roamingTestbed.js';
import type { EmspPeer } from '../../src/csms/roaming/emspPeer.js';

interface Raw {
  readonly status: number;
  readonly body: string;
  readonly json: { status_code?: number; status_message?: string; data?: unknown } | undefined;
}

function raw(url: string, method: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: Raw['json'];
        try {
          json = JSON.parse(body) as Raw['json'];
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = (token: string): Record<string, string> => ({ authorization: `Token ${Buffer.from(token).toString('base64')}` });
const jsonHeaders = (token: string): Record<string, string> => ({ ...auth(token), 'content-type': 'application/json' });

describe('MSP OCPI server under hostile input', () => {
  let dir: string;
  let msp: TestMsp;
  let cpo: TestCpo;
  let peer: EmspPeer;
  let base: string;
  let tokenA: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pnc-msp-hostile-'));
    msp = await startMsp(`sqlite:${join(dir, 'msp.sqlite')}`, { bodyLimitBytes: 64 * 1024, timeoutMs: 1000 });
    cpo = await startCpo(`sqlite:${join(dir, 'cpo.sqlite')}`);
    peer = await cpo.register(msp);
    base = msp.versionsUrl.replace(/\/ocpi\/versions$/, '');
    tokenA = await msp.store.peers.issueRegistrationToken('spare');
    await msp.store.accounts.add({ emaids: ['DE-PNC-C00000001'] });
  });
  afterAll(async () => {
    await cpo.close();
    await msp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const routes = (v: string): [string, string][] => [
    ['GET', '/ocpi/versions'],
    ['GET', `/ocpi/${v}`],
    ['GET', `/ocpi/${v}/credentials`],
    ['POST', `/ocpi/${v}/credentials`],
    ['PUT', `/ocpi/${v}/credentials`],
    ['DELETE', `/ocpi/${v}/credentials`],
    ['GET', `/ocpi/${v}/tokens`],
    ['POST', `/ocpi/${v}/tokens/DEPNCC00000001/authorize?type=EMAID`],
    ['POST', `/ocpi/${v}/cdrs`],
    ['GET', `/ocpi/${v}/cdrs/1`],
  ];

  it.for(['2.2.1', '2.3.0'])('every route refuses a missing, malformed or unknown credentials token with 401 + OCPI 2000 (%s)', async (v) => {
    const forged: Record<string, string>[] = [
      {},
      { authorization: 'Token' },
      { authorization: 'Bearer abc' },
      { authorization: `Token ${'A'.repeat(4000)}` },
      auth('made-up-token'),
      { authorization: 'Token %%%%' },
    ];
    for (const [method, path] of routes(v)) {
      for (const headers of forged) {
        const r = await raw(`${base}${path}`, method, { headers });
        expect(r.status, `${method} ${path} ${JSON.stringify(headers).slice(0, 40)}`).toBe(401);
        expect(r.json?.status_code).toBe(2000);
      }
    }
  });

  it('answers malformed JSON with 400, an oversize body with 413, a wrong content type with 415 — all OCPI envelopes', async () => {
    const cdrs = `${base}/ocpi/2.3.0/cdrs`;
    const cases: [string, Record<string, string>, string | Buffer, number][] = [
      ['truncated JSON', jsonHeaders(peer.tokenC), '{"country_code": "NL", ', 400],
      ['not JSON at all', jsonHeaders(peer.tokenC), 'hello', 400],
      ['prototype poisoning', jsonHeaders(peer.tokenC), '{"__proto__": {"polluted": true}}', 400],
      ['constructor poisoning', jsonHeaders(peer.tokenC), '{"constructor": {"prototype": {"polluted": true}}}', 400],
      ['oversize body', jsonHeaders(peer.tokenC), `{"x": "${'a'.repeat(100 * 1024)}"}`, 413],
      ['text/plain', { ...auth(peer.tokenC), 'content-type': 'text/plain' }, '{}', 415],
    ];
    for (const [name, headers, body, status] of cases) {
      const r = await raw(cdrs, 'POST', { headers, body });
      expect(r.status, name).toBe(status);
      expect(r.json?.status_code, name).toBe(2000);
      expect(typeof r.json?.status_message, name).toBe('string');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Deep nesting: refused or parsed, never a crash.
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const r = await raw(cdrs, 'POST', { headers: jsonHeaders(peer.tokenC), body: deep });
    expect([200, 400]).toContain(r.status);
    expect(r.json?.status_code).toBeGreaterThanOrEqual(2000);
    expect(await msp.store.cdrs.list()).toEqual([]);
  });

  it('answers JSON of the wrong shape with OCPI 2001 naming the field, and stores nothing', async () => {
    const v = '2.3.0';
    const cases: [string, string, string | Buffer, Record<string, string>][] = [
      ['POST', `/ocpi/${v}/cdrs`, '{"id": 5}', jsonHeaders(peer.tokenC)],
      ['POST', `/ocpi/${v}/cdrs`, '[]', jsonHeaders(peer.tokenC)],
      ['POST', `/ocpi/${v}/cdrs`, 'null', jsonHeaders(peer.tokenC)],
      // Invalid UTF-8 is decoded with replacement characters: valid JSON of the wrong shape.
      ['POST', `/ocpi/${v}/cdrs`, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), jsonHeaders(peer.tokenC)],
      ['POST', `/ocpi/${v}/tokens/DEPNCC00000001/authorize?type=EMAID`, '[1, 2]', jsonHeaders(peer.tokenC)],
      ['POST', `/ocpi/${v}/tokens/DEPNCC00000001/authorize?type=EMAID`, '{"location_id": 7}', jsonHeaders(peer.tokenC)],
      ['POST', `/ocpi/${v}/tokens/DEPNCC00000001/authorize?type=BOGUS`, '', auth(peer.tokenC)],
      ['POST', `/ocpi/${v}/tokens/DEPNCC00000001/authorize?type=EMAID&type=OTHER`, '', auth(peer.tokenC)],
      ['POST', `/ocpi/${v}/tokens/${'X'.repeat(40)}/authorize?type=EMAID`, '', auth(peer.tokenC)],
      ['POST', `/ocpi/${v}/tokens/%E2%82%AC/authorize?type=EMAID`, '', auth(peer.tokenC)],
      ['GET', `/ocpi/${v}/tokens?limit=abc`, '', auth(peer.tokenC)],
      ['GET', `/ocpi/${v}/tokens?offset=-5`, '', auth(peer.tokenC)],
      ['GET', `/ocpi/${v}/tokens?date_from=yesterday`, '', auth(peer.tokenC)],
      ['POST', `/ocpi/${v}/credentials`, '{"token": 1, "url": "x", "roles": "CPO"}', jsonHeaders(tokenA)],
      ['POST', `/ocpi/${v}/credentials`, '{"token": "t", "url": "http://127.0.0.1:1/v", "roles": [{"role": "EMSP", "business_details": {"name": "x"}, "party_id": "ABC", "country_code": "NL"}]}', jsonHeaders(tokenA)],
    ];
    for (const [method, path, body, headers] of cases) {
      const r = await raw(`${base}${path}`, method, { headers, ...(body !== '' ? { body } : {}) });
      expect(r.status, `${method} ${path} ${String(body)}`).toBe(200);
      expect(r.json?.status_code, `${method} ${path} ${String(body)}`).toBe(2001);
    }
    const r = await raw(`${base}/ocpi/${v}/cdrs`, 'POST', { headers: jsonHeaders(peer.tokenC), body: '{"country_code": 5}' });
    expect(r.json?.status_message).toContain('body.country_code');
    expect(await msp.store.cdrs.list()).toEqual([]);
    expect(await msp.store.peers.isUnusedRegistrationToken(tokenA)).toBe(true);
  });

  it('answers unknown paths and overlong parameters with an OCPI 404, and closes a stalled request', async () => {
    for (const path of ['/', '/ocpi', '/ocpi/2.1.1', '/ocpi/2.3.0/locations', `/ocpi/2.3.0/tokens/${'A'.repeat(500)}/authorize`, '/ocpi/2.3.0/cdrs/abc', '/ocpi/2.3.0/cdrs/99999999999999999999']) {
      const r = await raw(`${base}${path}`, 'GET', { headers: auth(peer.tokenC) });
      expect([401, 404], path).toContain(r.status);
      expect(r.json?.status_code, path).toBeGreaterThanOrEqual(2000);
    }
    // A client that sends half a request and stalls is cut off by the request time-out (1 s here).
    const url = new URL(base);
    const closed = await new Promise<number>((resolve) => {
      const started = Date.now();
      const s = connect(Number(url.port), url.hostname, () => s.write(`POST /ocpi/2.3.0/cdrs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`));
      s.on('data', () => undefined);
      s.on('close', () => resolve(Date.now() - started));
      s.on('error', () => undefined);
    });
    expect(closed).toBeLessThan(5000);
  });

  it('still works for a well-behaved peer afterwards', async () => {
    const r = await raw(`${base}/ocpi/2.3.0/tokens/DE-PNC-C00000001/authorize?type=EMAID`, 'POST', { headers: auth(peer.tokenC) });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status_code: 1000, data: { allowed: 'ALLOWED' } });
    // A JSON content type on an empty body is no body (some CPOs send it on authorize).
    const empty = await raw(`${base}/ocpi/2.2.1/tokens/DEPNCC00000001/authorize?type=OTHER`, 'POST', { headers: jsonHeaders(peer.tokenC), body: '' });
    expect(empty.json).toMatchObject({ status_code: 1000, data: { allowed: 'ALLOWED' } });
    const events = JSON.stringify(msp.events);
    expect(events).not.toContain('C00000001');
  });
});
