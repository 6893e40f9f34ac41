// The dashboard in a real headless Chromium (Debian's chromium, driven by playwright-core): the diagram of a session
// fed as the demo runner feeds it, the live path, replay, the scenario buttons, hostile text, and a screenshot.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemoStep, ScenarioInfo } from '../../src/demo/scenarioResult.js';
import { DashboardBusyError } from '../../src/web/dashboardErrors.js';
import { startDashboard, type Dashboard } from '../../src/web/dashboardServer.js';
import type { ScenarioLauncher, SessionFeed } from '../../src/web/dashboardTypes.js';
import { LANES } from '../../src/web/sequenceDiagram.js';
import { createSessionFeed } from '../../src/web/sessionFeed.js';
import { acceptedPncSteps, CONTRACT_ID, tracedChain } from './sampleSession.js';

const CHROMIUM = process.env.PNC_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const required = process.env.PNC_REQUIRE_CHROMIUM === '1';
const SCREENSHOT = 'test-results/dashboard.png';

const PNC_AC: ScenarioInfo = { name: 'iso2-pnc-ac', description: 'ISO 15118-2 Plug & Charge, AC: accepted', expected: 'Accepted' };
const REVOKED: ScenarioInfo = { name: 'revoked-contract', description: 'contract revoked at the OCSP responder: no charging', expected: 'CertificateRevoked' };

/** Feeds a whole session the way the demo runner does. */
function feedSession(feed: SessionFeed, id: string, scenario: ScenarioInfo, steps: readonly DemoStep[], outcome: string): void {
  const startedAt = Date.now();
  feed.scenarioStarted({ id, scenario, startedAt });
  for (const s of steps) feed.step(id, s);
  feed.scenarioEnded(id, { name: scenario.name, expected: scenario.expected, outcome, ok: outcome === scenario.expected, ms: 31.4, steps });
}

// Playwright's own expect belongs to @playwright/test; these poll the DOM with vitest's expect.poll instead.
const POLL = { timeout: 10_000, interval: 40 };
const count = (l: Locator) => expect.poll(() => l.count(), POLL);
/** An attribute of every element the locator matches, in order. */
async function attributes(l: Locator, name: string): Promise<(string | null)[]> {
  return Promise.all((await l.all()).map((e) => e.getAttribute(name)));
}
const attr = (l: Locator, name: string) => expect.poll(async () => (await attributes(l, name))[0] ?? null, POLL);
const text = (l: Locator) => expect.poll(async () => (await l.allTextContents()).join(''), POLL);
/** The shape of a DOM element that background() uses (this project compiles without the DOM library). */
interface StyledElement {
  readonly ownerDocument: { readonly defaultView: { getComputedStyle(e: StyledElement): { readonly backgroundColor: string } } | null };
}
const background = (l: Locator): Promise<string | undefined> => l.evaluate((e: StyledElement) => e.ownerDocument.defaultView?.getComputedStyle(e).backgroundColor);
const texts = (l: Locator) => expect.poll(() => l.allTextContents(), POLL);
const visible = (l: Locator) => expect.poll(() => l.isVisible(), POLL);
const disabled = (l: Locator) => expect.poll(() => l.isDisabled(), POLL);

const arrowsIn = (steps: readonly DemoStep[]): number => steps.filter((s) => s.kind === 'message' && s.from !== 'pki' && s.from !== 'demo' && s.to !== 'pki' && s.to !== 'demo').length;

describe.runIf(required && !available)('dashboard in Chromium: required', () => {
  it(`needs ${CHROMIUM} (PNC_REQUIRE_CHROMIUM=1)`, () => {
    expect.fail(`${CHROMIUM} is missing; install Debian's chromium or set PNC_CHROMIUM`);
  });
});

describe.skipIf(!available)(`dashboard in Chromium${available ? '' : ` (skipped: ${CHROMIUM} not found; set PNC_CHROMIUM or install chromium)`}`, () => {
  let browser: Browser;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  /** A dashboard and a page on it; page errors (script errors, CSP violations) are collected. */
  async function setUp(o: { feed?: SessionFeed; launcher?: ScenarioLauncher } = {}): Promise<{ dashboard: Dashboard; feed: SessionFeed; page: Page; problems: string[] }> {
    const feed = o.feed ?? createSessionFeed();
    const dashboard = await startDashboard({ feed, ...(o.launcher ? { launcher: o.launcher } : {}) });
    cleanup.push(() => dashboard.close());
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    // Short: a wait inside expect.poll must fail and retry, not outlast the poll.
    context.setDefaultTimeout(3000);
    cleanup.push(() => context.close());
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // Answers the page expects (404 without a launcher, 409 while busy) are logged by Chromium too; those are
      // checked by status below. Everything else logged as an error (script errors, CSP refusals) is a problem.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 500 || (r.status() >= 400 && ![404, 409].includes(r.status()))) problems.push(`HTTP ${r.status()} ${r.url()}`);
    });
    return { dashboard, feed, page, problems };
  }

  it('draws a finished session: five lanes, arrows, checks, certificate chains, the final verdict; saves a screenshot', async () => {
    const { dashboard, feed, page, problems } = await setUp();
    const steps = acceptedPncSteps();
    feedSession(feed, 'run-1', REVOKED, steps.slice(0, 12), 'Accepted');
    feedSession(feed, 'run-2', PNC_AC, steps, 'Accepted');

    await page.goto(dashboard.url);
    // The page opens the latest session by itself.
    await page.locator('.final-verdict[data-verdict]').waitFor({ timeout: 10_000 });

    const laneHeads = page.locator('.lane-head [data-lane]');
    expect(await attributes(laneHeads, 'data-lane')).toEqual([...LANES]);
    expect((await laneHeads.allTextContents()).map((t) => t.trim())).toEqual(['EV', 'Charger', 'CSMS', 'OCSP', 'MSP']);

    expect(await page.locator('#rows [data-row-kind]').count()).toBe(steps.length);
    expect(await page.locator('[data-row-kind="arrow"]').count()).toBe(arrowsIn(steps));
    const arrows = page.locator('[data-row-kind="arrow"] .arrow');
    const from = await attributes(arrows, 'data-from');
    const to = await attributes(arrows, 'data-to');
    expect(from.map((f, i) => `${f}>${to[i]}`)).toEqual(steps.flatMap((s) => (s.kind === 'message' ? [`${s.from}>${s.to}`] : [])));
    // An arrow from the EV to the charger points right and spans one lane; MSP → CSMS points left over two.
    await attr(page.locator('.arrow[data-from="ev"][data-to="charger"]').first(), 'class').toMatch(/to-right/);
    await attr(page.locator('.arrow[data-from="msp"][data-to="csms"]'), 'class').toMatch(/start-2 span-2 to-left/);

    const failed = page.locator('[data-row-kind="check"] .box[data-ok="false"]');
    expect(await failed.count()).toBe(1);
    expect(await failed.textContent()).toContain('local authorization cache');
    expect(await background(failed)).toBe('rgb(253, 238, 238)');
    expect(await page.locator('[data-row-kind="check"] .box[data-ok="true"]').count()).toBe(steps.filter((s) => s.kind === 'check' && s.ok).length);
    const passed = page.locator('[data-row-kind="check"] .box[data-ok="true"]').first();
    expect(await background(passed)).toBe('rgb(233, 247, 238)');
    expect(await passed.textContent()).toContain('0.9 ms');

    // The contract chain on PaymentDetailsReq: subject, issuer, validity and DER size of each certificate.
    const contract = tracedChain(CONTRACT_ID);
    const chain = page.locator('[data-row-kind="arrow"]', { hasText: 'PaymentDetailsReq' }).locator('.chain');
    const chainText = (await chain.textContent()) ?? '';
    for (const c of contract) {
      expect(chainText).toContain(c.subject);
      expect(chainText).toContain(`issued by ${c.issuer}`);
      expect(chainText).toContain(`${c.bytes} bytes`);
      expect(chainText).toContain(`valid ${c.notBefore.slice(0, 10)} → ${c.notAfter.slice(0, 10)}`);
    }
    expect(await chain.locator('.cert').count()).toBe(contract.length);
    expect(await page.locator('.chain').count()).toBe(steps.filter((s) => (s.kind === 'message' || s.kind === 'check') && s.certificates).length);

    const verdict = page.locator('.final-verdict');
    expect(await verdict.getAttribute('data-verdict')).toBe('Accepted');
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    await count(page.locator('[data-row-kind="verdict"]')).toBe(1);

    // The list: both sessions, newest first, with their state, outcome and ok.
    const list = page.locator('#session-list [data-session-id]');
    const names = await list.locator('.session-name').allTextContents();
    const items = (await attributes(list, 'data-session-id')).map(async (id, i) => [id, await list.nth(i).getAttribute('data-state'), await list.nth(i).getAttribute('data-ok'), names[i]]);
    expect(await Promise.all(items)).toEqual([
      ['run-2', 'done', 'true', 'iso2-pnc-ac'],
      ['run-1', 'done', 'false', 'revoked-contract'],
    ]);

    // Clicking the other session opens it.
    await page.locator('[data-session-id="run-1"] button').click();
    await attr(page.locator('#diagram'), 'data-session-id').toBe('run-1');
    await count(page.locator('#rows [data-row-kind]')).toBe(12);
    await attr(page.locator('.final-verdict'), 'data-ok').toBe('false');
    await text(page.locator('.final-verdict')).toContain('expected CertificateRevoked');

    await page.locator('[data-session-id="run-2"] button').click();
    await count(page.locator('#rows [data-row-kind]')).toBe(steps.length);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('shows a running session live, step by step, and its verdict when it ends', async () => {
    const { dashboard, feed, page, problems } = await setUp();
    await page.goto(dashboard.url);
    await attr(page.locator('#connection'), 'data-state').toBe('live');
    await visible(page.locator('#no-sessions')).toBe(true);

    const steps = acceptedPncSteps();
    feed.scenarioStarted({ id: 'live', scenario: PNC_AC, startedAt: Date.now() });
    await attr(page.locator('[data-session-id="live"]'), 'data-state').toBe('running');
    await attr(page.locator('.final-verdict'), 'data-state').toBe('running');
    for (let i = 0; i < steps.length; i++) {
      feed.step('live', steps[i]!);
      // Each step shows up while the session runs.
      if (i % 6 === 0) await count(page.locator('#rows [data-row-kind]')).toBe(i + 1);
    }
    await count(page.locator('#rows [data-row-kind]')).toBe(steps.length);
    expect(await page.locator('.final-verdict[data-verdict]').count()).toBe(0);

    feed.scenarioEnded('live', { name: PNC_AC.name, expected: 'Accepted', outcome: 'Accepted', ok: true, ms: 30, steps });
    await attr(page.locator('.final-verdict'), 'data-verdict').toBe('Accepted');
    await attr(page.locator('.final-verdict'), 'data-ok').toBe('true');
    await attr(page.locator('[data-session-id="live"]'), 'data-state').toBe('done');
    expect(await attributes(page.locator('#rows [data-row-kind]'), 'data-index')).toEqual(steps.map((_, i) => String(i)));
    expect(problems).toEqual([]);
  });

  it('replays a finished session step by step', async () => {
    const { dashboard, feed, page, problems } = await setUp();
    const steps = acceptedPncSteps();
    feedSession(feed, 'done-1', PNC_AC, steps, 'Accepted');
    await page.goto(dashboard.url);
    await count(page.locator('#rows [data-row-kind]')).toBe(steps.length);
    const before = await page.locator('#rows').textContent();

    await page.locator('#replay').click();
    await attr(page.locator('#diagram'), 'data-replaying').toBe('true');
    await disabled(page.locator('#replay')).toBe(true);
    // Part way: some rows, not all, and no verdict yet.
    await count(page.locator('#rows [data-row-kind]')).toBe(3);
    expect(await page.locator('#rows [data-row-kind]').count()).toBeLessThan(steps.length);
    expect(await page.locator('.final-verdict').count()).toBe(0);
    // At the end: everything again, the verdict last.
    await attr(page.locator('#diagram'), 'data-replaying').not.toBe('true');
    await count(page.locator('#rows [data-row-kind]')).toBe(steps.length);
    expect(await page.locator('#rows').textContent()).toBe(before);
    await attr(page.locator('.final-verdict'), 'data-verdict').toBe('Accepted');
    await disabled(page.locator('#replay')).toBe(false);
    expect(problems).toEqual([]);
  });

  it('runs a scenario from its button, and says when another one is running', async () => {
    const feed = createSessionFeed();
    let running: string | undefined;
    let n = 0;
    const launcher: ScenarioLauncher = {
      scenarios: [PNC_AC, REVOKED],
      launch(name) {
        if (running) return Promise.reject(new DashboardBusyError(`${running} is running`));
        const scenario = name === PNC_AC.name ? PNC_AC : REVOKED;
        const id = `${name}-${++n}`;
        running = id;
        feed.scenarioStarted({ id, scenario, startedAt: Date.now() });
        return Promise.resolve({ id });
      },
    };
    const { dashboard, page, problems } = await setUp({ feed, launcher });
    await page.goto(dashboard.url);
    await visible(page.locator('#launcher')).toBe(true);
    await texts(page.locator('[data-scenario]')).toEqual([PNC_AC.name, REVOKED.name]);

    await page.locator(`[data-scenario="${PNC_AC.name}"]`).click();
    await attr(page.locator('[data-session-id="iso2-pnc-ac-1"]'), 'data-state').toBe('running');
    await attr(page.locator('#diagram'), 'data-session-id').toBe('iso2-pnc-ac-1');

    await page.locator(`[data-scenario="${REVOKED.name}"]`).click();
    await text(page.locator('#launch-status')).toMatch(/another scenario is running/);

    for (const s of acceptedPncSteps()) feed.step('iso2-pnc-ac-1', s);
    feed.scenarioEnded('iso2-pnc-ac-1', { name: PNC_AC.name, expected: 'Accepted', outcome: 'Accepted', ok: true, ms: 30, steps: [] });
    running = undefined;
    await attr(page.locator('.final-verdict'), 'data-ok').toBe('true');
    expect(problems).toEqual([]);
  });

  it('has no scenario buttons without a launcher', async () => {
    const { dashboard, page } = await setUp();
    await page.goto(dashboard.url);
    await attr(page.locator('#connection'), 'data-state').toBe('live');
    await visible(page.locator('#launcher')).toBe(false);
  });

  it('draws hostile trace text as text', async () => {
    const { dashboard, feed, page, problems } = await setUp();
    const hostile = '<img src=x onerror="document.body.dataset.pwned=1"><script>document.body.dataset.pwned=2</script>';
    feedSession(
      feed,
      'hostile',
      { name: hostile, description: hostile, expected: hostile },
      [
        { kind: 'message', party: 'ev', from: 'ev', to: 'charger', message: hostile, detail: hostile, t: 1 },
        { kind: 'check', party: 'charger', check: hostile, ok: false, detail: hostile, certificates: [{ subject: hostile, issuer: hostile, notBefore: hostile, notAfter: hostile, bytes: 1, serialHex: hostile }], t: 2 },
        { kind: 'error', party: 'pki', error: hostile, t: 3 },
      ],
      hostile,
    );
    await page.goto(dashboard.url);
    await page.locator('.final-verdict[data-verdict]').waitFor();
    await page.waitForTimeout(200);
    expect(await page.locator('#view img, #session-list img, #view script').count()).toBe(0);
    expect(await page.locator('body').getAttribute('data-pwned')).toBeNull();
    await text(page.locator('[data-row-kind="check"] .name')).toBe(hostile);
    await attr(page.locator('.final-verdict'), 'data-verdict').toBe(hostile);
    await text(page.locator('#session-title')).toBe(hostile);
    expect(problems).toEqual([]);
  });
});
