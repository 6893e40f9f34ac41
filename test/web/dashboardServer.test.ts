import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DemoStep, ScenarioInfo } from '../../src/demo/scenarioResult.js';
import type { TraceEvent } from '../../src/trace/traceEvent.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { DASHBOARD_ASSET_FILES, loadDashboardAssets, publicDirCandidates } from '../../src/web/dashboardAssets.js';
import { DashboardBusyError, DashboardStartError } from '../../src/web/dashboardErrors.js';
import { DASHBOARD_BODY_LIMIT, hostOfHeader, isLoopbackHost, safeJson, startDashboard, type Dashboard, type DashboardOptions } from '../../src/web/dashboardServer.js';
import type { ScenarioLauncher, SessionFeed } from '../../src/web/dashboardTypes.js';
import type { SessionDetail, SessionSummary, StreamMessage } from '../../src/web/dashboardWire.js';
import { LANES } from '../../src/web/sequenceDiagram.js';
import { createSessionFeed } from '../../src/web/sessionFeed.js';
import { httpRequest, SseClient } from './httpClient.js';

const HOSTILE = '</script><img src=x onerror="alert(1)">&amp;\u2028';
const SCENARIOS: ScenarioInfo[] = [
  { name: 'iso2-pnc-ac', description: 'PnC AC accepted', expected: 'Accepted' },
  { name: 'revoked-contract', description: 'contract revoked at the OCSP responder', expected: 'CertificateRevoked' },
];

const open: { dashboards: Dashboard[]; streams: SseClient[] } = { dashboards: [], streams: [] };
afterEach(async () => {
  for (const s of open.streams.splice(0)) s.close();
  await Promise.all(open.dashboards.splice(0).map((d) => d.close()));
});

async function start(o: Partial<DashboardOptions> = {}): Promise<{ dashboard: Dashboard; feed: SessionFeed }> {
  const feed = o.feed ?? createSessionFeed();
  const dashboard = await startDashboard({ ...o, feed });
  open.dashboards.push(dashboard);
  return { dashboard, feed };
}

async function stream(url: string): Promise<SseClient> {
  const s = await SseClient.open(`${url}/api/stream`);
  open.streams.push(s);
  // The stream's first block (retry) shows the server has registered the client.
  await s.waitFor((c) => c.events.length > 0);
  return s;
}

const steps: DemoStep[] = [
  { kind: 'message', party: 'charger', from: 'ev', to: 'charger', message: 'PaymentDetailsReq', t: 1 },
  { kind: 'check', party: 'charger', check: 'contract chain', ok: true, ms: 0.3, t: 2 },
  { kind: 'message', party: 'csms', from: 'charger', to: 'csms', message: 'AuthorizeRequest', t: 3 },
  { kind: 'verdict', party: 'csms', verdict: 'Accepted', t: 9 },
];

function playSession(feed: SessionFeed, id: string, ok = true): void {
  feed.scenarioStarted({ id, scenario: SCENARIOS[0]!, startedAt: Date.now() });
  for (const s of steps) feed.step(id, s);
  feed.scenarioEnded(id, { name: 'iso2-pnc-ac', expected: 'Accepted', outcome: ok ? 'Accepted' : 'Rejected', ok, ms: 10, steps });
}

/** A launcher as `pnc dashboard` gives one: one run at a time, recorded in the feed. */
function testLauncher(feed: SessionFeed, launch?: (name: string) => Promise<{ id: string }>): ScenarioLauncher & { finish(): void; launched: string[] } {
  let running: string | undefined;
  let n = 0;
  const launched: string[] = [];
  return {
    scenarios: SCENARIOS,
    launched,
    launch:
      launch ??
      ((name) => {
        if (running) return Promise.reject(new DashboardBusyError(`${running} is running`));
        running = `${name}#${++n}`;
        launched.push(name);
        feed.scenarioStarted({ id: running, scenario: SCENARIOS.find((s) => s.name === name)!, startedAt: Date.now() });
        return Promise.resolve({ id: running });
      }),
    finish() {
      if (!running) return;
      feed.scenarioEnded(running, { name: 'x', expected: 'Accepted', outcome: 'Accepted', ok: true, ms: 1, steps: [] });
      running = undefined;
    },
  };
}

const json = (body: unknown): { method: string; headers: Record<string, string>; body: string } => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('dashboard: the page and its files', () => {
  it('serves the page with a strict Content-Security-Policy and the five lane headers in order', async () => {
    const { dashboard } = await start();
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await httpRequest(`${dashboard.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    const lanes = [...res.body.matchAll(/data-lane="([a-z]+)"/g)].map((m) => m[1]);
    expect(lanes).toEqual([...LANES]);
    // No inline script or style: everything the page runs comes from its own files.
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).not.toMatch(/\sstyle=|\son[a-z]+=/i);
  });

  it.each([
    ['/dashboard.js', 'text/javascript; charset=utf-8'],
    ['/diagramView.js', 'text/javascript; charset=utf-8'],
    ['/dashboard.css', 'text/css; charset=utf-8'],
    ['/favicon.svg', 'image/svg+xml'],
  ])('serves %s as %s', async (path, type) => {
    const { dashboard } = await start();
    const res = await httpRequest(`${dashboard.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.body.length).toBeGreaterThan(100);
  });

  it.each(['/nope', '/../package.json', '/%2e%2e/package.json', '/public/index.html', '/dashboardServer.ts', '/api/nope'])('answers %s with 404 JSON', async (path) => {
    const { dashboard } = await start();
    const res = await httpRequest(`${dashboard.url}${path}`);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).not.toContain('<');
  });

  it('page scripts never write markup or evaluate strings', async () => {
    for (const file of ['dashboard.js', 'diagramView.js']) {
      const source = await readFile(new URL(`../../src/web/public/${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(\s*['"]style/);
    }
  });

  it('finds the page files next to the module or, from dist, in src', () => {
    expect(publicDirCandidates('/x/dist/web')).toEqual(['/x/dist/web/public', '/x/src/web/public']);
    expect(publicDirCandidates('/x/src/web')[0]).toBe('/x/src/web/public');
  });

  it('fails to start with a typed error when the page files are missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pnc-dashboard-'));
    try {
      await expect(loadDashboardAssets(join(dir, 'a', 'b'))).rejects.toThrow(DashboardStartError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const assets = await loadDashboardAssets();
    expect([...assets.keys()].sort()).toEqual(Object.keys(DASHBOARD_ASSET_FILES).sort());
  });

  it.each([{ heartbeatMs: 0 }, { maxStreamClients: -1 }, { maxClientBufferBytes: Number.NaN }])('refuses option %j', async (bad) => {
    await expect(startDashboard({ feed: createSessionFeed(), ...bad })).rejects.toThrow(DashboardStartError);
  });

  it('rejects when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startDashboard({ feed: createSessionFeed(), port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('dashboard: loopback only', () => {
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['evil.example', false],
    ['127.0.0.1.evil.example', false],
    ['', false],
  ])('isLoopbackHost(%j) = %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it.each([
    ['127.0.0.1:8080', '127.0.0.1'],
    ['[::1]:80', '::1'],
    ['localhost', 'localhost'],
    [undefined, ''],
    ['[broken', ''],
  ])('hostOfHeader(%j) = %j', (header, host) => {
    expect(hostOfHeader(header)).toBe(host);
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    const { dashboard } = await start();
    const res = await httpRequest(`${dashboard.url}/api/sessions`, { headers: { host: 'attacker.example:80' } });
    expect(res.status).toBe(403);
    const page = await httpRequest(`${dashboard.url}/`, { headers: { host: 'attacker.example' } });
    expect(page.status).toBe(403);
    expect(page.body).not.toContain('<html');
  });

  it('answers requests addressed to localhost', async () => {
    const { dashboard } = await start();
    const res = await httpRequest(`${dashboard.url}/api/sessions`, { headers: { host: 'localhost' } });
    expect(res.status).toBe(200);
  });
});

describe('dashboard: sessions API', () => {
  it('lists sessions with their state and verdict', async () => {
    const { dashboard, feed } = await start();
    playSession(feed, 'a', true);
    playSession(feed, 'b', false);
    feed.scenarioStarted({ id: 'c', scenario: SCENARIOS[1]!, startedAt: 5 });
    const res = await httpRequest(`${dashboard.url}/api/sessions`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body) as { sessions: SessionSummary[] };
    expect(body.sessions.map((s) => [s.id, s.state, s.steps, s.verdict.state === 'done' ? s.verdict.ok : 'running'])).toEqual([
      ['a', 'done', 4, true],
      ['b', 'done', 4, false],
      ['c', 'running', 0, 'running'],
    ]);
    expect(body.sessions[1]?.verdict).toEqual({ state: 'done', outcome: 'Rejected', expected: 'Accepted', ok: false, ms: 10 });
  });

  it('gives a session with its lanes and rows', async () => {
    const { dashboard, feed } = await start();
    playSession(feed, 'a');
    const res = await httpRequest(`${dashboard.url}/api/sessions/a`);
    expect(res.status).toBe(200);
    const detail = JSON.parse(res.body) as SessionDetail;
    expect(detail.lanes.map((l) => l.id)).toEqual([...LANES]);
    expect(detail.rows.map((r) => r.kind)).toEqual(['arrow', 'check', 'arrow', 'verdict']);
    expect(detail.rows.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(detail.session.verdict).toMatchObject({ state: 'done', outcome: 'Accepted', ok: true });
  });

  it.each([
    ['/api/sessions/unknown', 404],
    [`/api/sessions/${'x'.repeat(101)}`, 414],
    ['/api/sessions/', 400],
  ])('GET %s → %i', async (path, status) => {
    const { dashboard } = await start();
    const res = await httpRequest(`${dashboard.url}${path}`);
    expect(res.status).toBe(status);
  });

  it('serves hostile trace text escaped in JSON, never as markup', async () => {
    const { dashboard, feed } = await start();
    feed.scenarioStarted({ id: 'h', scenario: { name: HOSTILE, description: HOSTILE, expected: HOSTILE }, startedAt: 1 });
    feed.step('h', { kind: 'check', party: 'csms', check: HOSTILE, ok: false, detail: HOSTILE, t: 1 });
    const res = await httpRequest(`${dashboard.url}/api/sessions/h`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).not.toMatch(/[<>&\u2028]/);
    const detail = JSON.parse(res.body) as SessionDetail;
    const row = detail.rows[0];
    expect(row?.kind === 'check' && row.name).toBe(HOSTILE);
    expect(detail.session.name).toBe(HOSTILE);
  });

  it('safeJson parses back to the same value', () => {
    const value = { a: HOSTILE, b: [1, '<>&'], c: null };
    expect(JSON.parse(safeJson(value))).toEqual(value);
    expect(safeJson(value)).not.toMatch(/[<>&\u2028\u2029]/);
  });
});

describe('dashboard: scenario launcher', () => {
  it('without a launcher has no scenarios and starts nothing', async () => {
    const { dashboard } = await start();
    expect((await httpRequest(`${dashboard.url}/api/scenarios`)).status).toBe(404);
    expect((await httpRequest(`${dashboard.url}/api/sessions`, json({ scenario: 'iso2-pnc-ac' }))).status).toBe(404);
  });

  it('lists the scenarios, starts one, and answers 409 while it runs', async () => {
    const feed = createSessionFeed();
    const launcher = testLauncher(feed);
    const { dashboard } = await start({ feed, launcher });
    const list = await httpRequest(`${dashboard.url}/api/scenarios`);
    expect(JSON.parse(list.body)).toEqual({ scenarios: SCENARIOS });

    const first = await httpRequest(`${dashboard.url}/api/sessions`, json({ scenario: 'revoked-contract' }));
    expect(first.status).toBe(202);
    const { id } = JSON.parse(first.body) as { id: string };
    expect(feed.sessions().map((s) => s.id)).toEqual([id]);

    const busy = await httpRequest(`${dashboard.url}/api/sessions`, json({ scenario: 'iso2-pnc-ac' }));
    expect(busy.status).toBe(409);
    expect(JSON.parse(busy.body)).toMatchObject({ error: 'Busy' });

    launcher.finish();
    const second = await httpRequest(`${dashboard.url}/api/sessions`, json({ scenario: 'iso2-pnc-ac' }));
    expect(second.status).toBe(202);
    expect(launcher.launched).toEqual(['revoked-contract', 'iso2-pnc-ac']);
  });

  it.each([
    ['an unknown scenario', json({ scenario: 'no-such-scenario' }), 400],
    ['an empty scenario name', json({ scenario: '' }), 400],
    ['a scenario that is not a string', json({ scenario: 42 }), 400],
    ['a missing scenario', json({}), 400],
    ['an extra property', json({ scenario: 'iso2-pnc-ac', more: 1 }), 400],
    ['an array', json([]), 400],
    ['malformed JSON', json('{"scenario": "iso2-pnc-ac"'), 400],
    ['an empty body', json(''), 400],
    ['a prototype-polluting body', json('{"__proto__": {"x": 1}, "scenario": "iso2-pnc-ac"}'), 400],
    ['an oversize body', json({ scenario: 'x'.repeat(DASHBOARD_BODY_LIMIT) }), 413],
    ['a form post', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'scenario=iso2-pnc-ac' }, 415],
    ['a text/plain post', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"scenario":"iso2-pnc-ac"}' }, 415],
    ['a post from another origin', { ...json({ scenario: 'iso2-pnc-ac' }), headers: { 'content-type': 'application/json', origin: 'http://attacker.example' } }, 403],
  ])('refuses %s', async (_what, init, status) => {
    const feed = createSessionFeed();
    const launcher = testLauncher(feed);
    const { dashboard } = await start({ feed, launcher });
    const res = await httpRequest(`${dashboard.url}/api/sessions`, init);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(launcher.launched).toEqual([]);
    expect(feed.sessions()).toEqual([]);
  });

  it('accepts a post from its own origin', async () => {
    const feed = createSessionFeed();
    const { dashboard } = await start({ feed, launcher: testLauncher(feed) });
    const res = await httpRequest(`${dashboard.url}/api/sessions`, { ...json({ scenario: 'iso2-pnc-ac' }), headers: { 'content-type': 'application/json', origin: dashboard.url } });
    expect(res.status).toBe(202);
  });

  it('reports a launcher failure as 500 and through the tracer', async () => {
    const errors: TraceEvent[] = [];
    const feed = createSessionFeed();
    const { dashboard } = await start({
      feed,
      launcher: testLauncher(feed, () => Promise.reject(new Error('bench would not start'))),
      tracer: silentTracer('demo', [(e) => errors.push(e)]),
    });
    const res = await httpRequest(`${dashboard.url}/api/sessions`, json({ scenario: 'iso2-pnc-ac' }));
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('bench would not start');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'error', party: 'demo' });
    expect(errors[0]?.detail).toContain('bench would not start');
  });

  it('answers 504 when a launch does not start in time', async () => {
    const feed = createSessionFeed();
    const { dashboard } = await start({ feed, launcher: testLauncher(feed, () => new Promise(() => undefined)), launchTimeoutMs: 100 });
    const res = await httpRequest(`${dashboard.url}/api/sessions`, json({ scenario: 'iso2-pnc-ac' }));
    expect(res.status).toBe(504);
  });
});

describe('dashboard: live stream', () => {
  it('delivers a session as it runs, in order, as diagram rows', async () => {
    const { dashboard, feed } = await start();
    const s = await stream(dashboard.url);
    expect(s.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.response.headers['content-security-policy']).toBeDefined();
    playSession(feed, 'live-1');
    playSession(feed, 'live-2', false);
    await s.waitFor((c) => c.messages().length === 12);
    const messages = s.messages<StreamMessage>();
    expect(messages.map((m) => (m.type === 'session' ? `${m.session.id}:${m.session.state}` : `${m.sessionId}:${m.row.index}:${m.row.kind}`))).toEqual([
      'live-1:running',
      'live-1:0:arrow',
      'live-1:1:check',
      'live-1:2:arrow',
      'live-1:3:verdict',
      'live-1:done',
      'live-2:running',
      'live-2:0:arrow',
      'live-2:1:check',
      'live-2:2:arrow',
      'live-2:3:verdict',
      'live-2:done',
    ]);
    const last = messages.at(-1);
    expect(last?.type === 'session' && last.session.verdict).toEqual({ state: 'done', outcome: 'Rejected', expected: 'Accepted', ok: false, ms: 10 });
  });

  it('gives every client the same updates', async () => {
    const { dashboard, feed } = await start();
    const a = await stream(dashboard.url);
    const b = await stream(dashboard.url);
    playSession(feed, 'x');
    await a.waitFor((c) => c.messages().length === 6);
    await b.waitFor((c) => c.messages().length === 6);
    expect(b.messages()).toEqual(a.messages());
  });

  it('sends hostile text escaped', async () => {
    const { dashboard, feed } = await start();
    const s = await stream(dashboard.url);
    feed.scenarioStarted({ id: 'h', scenario: { name: HOSTILE, description: '', expected: '' }, startedAt: 1 });
    feed.step('h', { kind: 'message', party: 'ev', from: 'ev', to: 'charger', message: `${HOSTILE}\n\ndata: {"type":"forged"}`, t: 1 });
    await s.waitFor((c) => c.messages().length === 2);
    expect(s.raw).not.toMatch(/[<>&\u2028]/);
    const [, row] = s.messages<StreamMessage>();
    expect(row?.type === 'row' && row.row.kind === 'arrow' && row.row.label).toBe(`${HOSTILE}  data: {"type":"forged"}`);
    expect(s.messages<StreamMessage>().map((m) => m.type)).toEqual(['session', 'row']);
  });

  it('sends heartbeats', async () => {
    const { dashboard } = await start({ heartbeatMs: 40 });
    const s = await stream(dashboard.url);
    await s.waitFor((c) => c.events.filter((e) => e.comment === 'heartbeat').length >= 2);
  });

  it('refuses stream clients beyond the limit', async () => {
    const { dashboard } = await start({ maxStreamClients: 2 });
    await stream(dashboard.url);
    const second = await stream(dashboard.url);
    const third = await httpRequest(`${dashboard.url}/api/stream`);
    expect(third.status).toBe(503);
    second.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stream(dashboard.url);
  });

  it('close() ends open streams and resolves', async () => {
    const { dashboard, feed } = await start();
    const a = await stream(dashboard.url);
    const b = await stream(dashboard.url);
    const t0 = Date.now();
    await dashboard.close();
    open.dashboards.splice(open.dashboards.indexOf(dashboard), 1);
    expect(Date.now() - t0).toBeLessThan(3000);
    await a.waitFor((c) => c.ended, 2000);
    await b.waitFor((c) => c.ended, 2000);
    // The feed goes on without the server.
    playSession(feed, 'after');
    expect(feed.sessions()).toHaveLength(1);
  });

  it('cuts off a client that does not read, and keeps serving the others', async () => {
    const { dashboard, feed } = await start({ maxClientBufferBytes: 64 * 1024, feed: createSessionFeed({ maxStepsPerSession: 10_000 }) });
    const { port } = new URL(dashboard.url);
    // A client that asks for the stream and then never reads.
    const stuck = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => stuck.once('connect', () => resolve()));
    stuck.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
    stuck.pause();
    const reader = await stream(dashboard.url);
    await new Promise((resolve) => setTimeout(resolve, 100));

    feed.scenarioStarted({ id: 'big', scenario: SCENARIOS[0]!, startedAt: 1 });
    const detail = 'd'.repeat(1900);
    const total = 4000; // ~8 MB: more than the socket buffers hold
    for (let i = 0; i < total; i++) {
      feed.step('big', { kind: 'check', party: 'charger', check: `c${i}`, ok: true, detail, t: i });
      // Small bursts, so that the reader in this same process gets to read between them.
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    feed.scenarioEnded('big', { name: 'big', expected: 'Accepted', outcome: 'Accepted', ok: true, ms: 1, steps: [] });
    // The reader that keeps up gets everything.
    await reader.waitFor((c) => c.messages().length === total + 2, 20_000);

    // The stuck one now reads what reached it: far less, and then the end.
    let received = '';
    const ended = new Promise<void>((resolve) => {
      stuck.on('close', () => resolve());
      stuck.on('error', () => resolve());
    });
    stuck.setEncoding('utf8');
    stuck.on('data', (c: string) => {
      received += c;
    });
    stuck.resume();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ended,
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('the client that did not read was never cut off')), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));
    // (The raw body is chunked: count the events, not the blocks.)
    const rows = received.split('data: {"type":"row"').length - 1;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(total);
    expect(received).not.toContain('"state":"done"');
  }, 40_000);
});
