// A real scenario on the dashboard, in headless Chromium: the page's button starts `iso2-pnc-ac` on the loopback
// system (all five parties as real servers), and the diagram that appears is that run's, lane by lane.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioLauncher } from '../../src/cli/dashboardCommand.js';
import { DemoRunner } from '../../src/demo/demoRunner.js';
import { findScenario } from '../../src/demo/scenarioCatalogue.js';
import { startDashboard, type Dashboard } from '../../src/web/dashboardServer.js';
import { LANES } from '../../src/web/sequenceDiagram.js';
import { createSessionFeed } from '../../src/web/sessionFeed.js';

const CHROMIUM = process.env.PNC_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const SCREENSHOT = 'test-results/dashboard-iso2-pnc-ac.png';

// dashboardBrowser.test.ts fails when Chromium is required and missing; this file only skips.
describe.skipIf(!available)(`a real scenario on the dashboard${available ? '' : ` (skipped: ${CHROMIUM} not found)`}`, () => {
  let browser: Browser;
  let runner: DemoRunner;
  let dashboard: Dashboard;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const feed = createSessionFeed();
    runner = new DemoRunner({ passphrase: 'dashboard-scenario-test', observer: feed });
    dashboard = await startDashboard({ feed, launcher: scenarioLauncher(runner) });
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await runner?.close();
  });

  it('the iso2-pnc-ac button runs the scenario; its diagram has the five lanes, the run’s messages and checks, and the verdict', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(dashboard.url);
    await page.locator('button.scenario-button[data-scenario="iso2-pnc-ac"]').click();
    // The first run also starts the five parties: allow for that.
    const verdict = page.locator('.final-verdict[data-verdict]');
    await verdict.waitFor({ timeout: 60_000 });

    const expected = findScenario('iso2-pnc-ac')!.expected;
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    expect(await verdict.textContent()).toContain(expected);
    const lanes = await Promise.all((await page.locator('.lane-head [data-lane]').all()).map((e) => e.getAttribute('data-lane')));
    expect(lanes).toEqual([...LANES]);

    // Arrows between every pair of lanes the PnC flow uses, in both directions where there is an answer.
    const arrow = (from: string, to: string) => page.locator(`[data-row-kind="arrow"] .arrow[data-from="${from}"][data-to="${to}"]`);
    for (const [from, to] of [
      ['ev', 'charger'],
      ['charger', 'ev'],
      ['charger', 'csms'],
      ['csms', 'charger'],
      ['csms', 'msp'],
    ] as const) {
      expect(await arrow(from, to).count(), `${from} → ${to}`).toBeGreaterThan(0);
    }
    const rowText = async (kind: string, party: string): Promise<string> => (await page.locator(`[data-row-kind="${kind}"][data-party="${party}"]`).allTextContents()).join('\n');
    expect(await rowText('arrow', 'csms')).toContain('AuthorizeRequest');
    expect(await rowText('verdict', 'ocsp')).toContain('good');
    expect(await rowText('verdict', 'csms')).toContain('Accepted / Accepted');
    expect(await rowText('verdict', 'msp')).toContain('ALLOWED');
    // No check failed in an accepted session; the contract and SECC chains are shown with their sizes.
    expect(await page.locator('.box[data-ok="false"]').count()).toBe(0);
    expect(await page.locator('.chain').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.chain').first().textContent()).toMatch(/\d+ bytes/);

    // The run is listed, done and ok.
    const item = page.locator('#session-list [data-session-id]').first();
    expect(await item.getAttribute('data-state')).toBe('done');
    expect(await item.getAttribute('data-ok')).toBe('true');
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
  }, 90_000);
});
