// `pnc dashboard`: the live dashboard with the loopback system behind it; scenarios are started from the page, one at a
// time, and every run stays listed and replayable until the process ends.
import { DemoRunner } from '../demo/demoRunner.js';
import { SCENARIO_CATALOGUE, findScenario } from '../demo/scenarioCatalogue.js';
import { startDashboard } from '../web/dashboardServer.js';
import { DashboardBusyError } from '../web/dashboardErrors.js';
import type { ScenarioLauncher } from '../web/dashboardTypes.js';
import { createSessionFeed } from '../web/sessionFeed.js';
import { Exit, UsageError, type CliIo } from './io.js';

export interface DashboardCommandOptions {
  readonly host?: string;
  readonly port?: string;
  readonly pki?: string;
  readonly passphrase?: string;
  /** Scenarios to run once the page is up (e.g. `--run all`). */
  readonly run?: string;
}

/** Starts catalogue scenarios on `runner`, one at a time. */
export function scenarioLauncher(runner: DemoRunner): ScenarioLauncher & { idle(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  return {
    scenarios: SCENARIO_CATALOGUE.map((s) => ({ name: s.name, description: s.description, expected: s.expected })),
    launch(name) {
      const scenario = findScenario(name);
      if (!scenario) return Promise.reject(new RangeError(`unknown scenario "${name}"`));
      if (running) return Promise.reject(new DashboardBusyError('a scenario is running; try again when it has ended'));
      return new Promise((resolve) => {
        const run = runner.run(scenario, (id) => resolve({ id }));
        running = run.finally(() => {
          running = undefined;
        });
      });
    },
    async idle() {
      await running;
    },
  };
}

export async function dashboard(a: DashboardCommandOptions, io: CliIo, until?: Promise<void>): Promise<number> {
  const port = Number(a.port ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a port number: ${a.port}`);
  if (a.pki !== undefined && !a.passphrase && !io.env.PNC_PKI_PASSPHRASE) throw new UsageError('--pki needs the passphrase of its keys: --passphrase or PNC_PKI_PASSPHRASE');
  const toRun = a.run === undefined ? [] : a.run === 'all' ? SCENARIO_CATALOGUE : a.run.split(',').map((n) => findScenario(n.trim()) ?? n);
  const unknown = toRun.filter((s) => typeof s === 'string');
  if (unknown.length > 0) throw new UsageError(`--run: unknown scenario ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${SCENARIO_CATALOGUE.map((s) => s.name).join(', ')}, all`);

  const feed = createSessionFeed();
  const passphrase = a.passphrase || io.env.PNC_PKI_PASSPHRASE || undefined;
  const runner = new DemoRunner({ observer: feed, ...(a.pki ? { pkiDir: a.pki } : {}), ...(passphrase ? { passphrase } : {}) });
  const launcher = scenarioLauncher(runner);
  const server = await startDashboard({ feed, launcher, port, ...(a.host ? { host: a.host } : {}) });
  io.out(`${JSON.stringify({ ready: true, dashboard: server.url })}\n`);
  io.err(`dashboard at ${server.url} — start scenarios from the page; Ctrl-C stops\n`);
  try {
    for (const s of toRun) if (typeof s !== 'string') await runner.run(s);
    await (until ?? new Promise<void>((resolve) => process.once('SIGINT', () => resolve())));
  } finally {
    await server.close();
    await runner.close();
  }
  return Exit.ok;
}
