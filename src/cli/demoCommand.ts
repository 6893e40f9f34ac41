// `pnc demo`: every scenario of the catalogue on the loopback system (all five parties as real servers), each one's
// sequence of messages and checks, and a summary table. `--ui` also serves the dashboard while it runs.
import { DemoRunner } from '../demo/demoRunner.js';
import { SCENARIO_CATALOGUE, findScenario } from '../demo/scenarioCatalogue.js';
import type { ScenarioResult } from '../demo/scenarioResult.js';
import { sequenceText, summaryTable } from '../demo/sequenceText.js';
import { startDashboard } from '../web/dashboardServer.js';
import { createSessionFeed } from '../web/sessionFeed.js';
import { Exit, UsageError, type CliIo } from './io.js';

export interface DemoCommandOptions {
  readonly scenario?: string;
  readonly json?: boolean;
  readonly ui?: boolean;
  readonly uiPort?: string;
  readonly pki?: string;
  readonly passphrase?: string;
}

export async function demo(a: DemoCommandOptions, io: CliIo, until?: Promise<void>): Promise<number> {
  const wanted = a.scenario ?? 'all';
  const one = wanted === 'all' ? undefined : findScenario(wanted);
  if (wanted !== 'all' && !one) throw new UsageError(`unknown scenario "${wanted}"; known: ${SCENARIO_CATALOGUE.map((s) => s.name).join(', ')}, all`);
  const scenarios = one ? [one] : SCENARIO_CATALOGUE;
  const port = a.uiPort === undefined ? 0 : Number(a.uiPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--ui-port: not a port number: ${a.uiPort}`);
  if (a.pki !== undefined && !a.passphrase && !io.env.PNC_PKI_PASSPHRASE) throw new UsageError('--pki needs the passphrase of its keys: --passphrase or PNC_PKI_PASSPHRASE');

  // Progress goes to stderr with --json, so that stdout is the one JSON document.
  const progress = a.json ? io.err : io.out;
  const feed = a.ui ? createSessionFeed() : undefined;
  const dashboard = feed ? await startDashboard({ feed, ...(port ? { port } : {}) }) : undefined;
  if (dashboard) io.err(`dashboard: ${dashboard.url}\n`);
  const passphrase = a.passphrase || io.env.PNC_PKI_PASSPHRASE || undefined;
  const runner = new DemoRunner({ ...(feed ? { observer: feed } : {}), ...(a.pki ? { pkiDir: a.pki } : {}), ...(passphrase ? { passphrase } : {}) });
  const results: ScenarioResult[] = [];
  try {
    progress(`pnc demo: ${scenarios.length} scenario${scenarios.length > 1 ? 's' : ''}; starting the OCSP responder, MSP, card processor, CSMS and charger on 127.0.0.1\n\n`);
    for (const [i, s] of scenarios.entries()) {
      progress(`▶ [${i + 1}/${scenarios.length}] ${s.name} — ${s.description}\n`);
      const r = await runner.run(s);
      results.push(r);
      if (a.json) progress(`  → ${r.ok ? 'ok' : 'NOT AS EXPECTED'}: ${r.outcome}\n`);
      else progress(`${sequenceText(r.steps)}\n  → ${r.outcome}\n  ${r.ok ? '✔ as expected' : `✘ EXPECTED ${r.expected}`}, ${r.ms} ms\n\n`);
    }
  } finally {
    await runner.close();
  }
  if (a.json) io.out(`${JSON.stringify({ scenarios: results }, null, 2)}\n`);
  else io.out(summaryTable(results));
  if (dashboard) {
    io.err(`dashboard still at ${dashboard.url} — press Ctrl-C to stop\n`);
    await (until ?? new Promise<void>((resolve) => process.once('SIGINT', () => resolve())));
    await dashboard.close();
  }
  return results.every((r) => r.ok) ? Exit.ok : Exit.failed;
}
