// `pnc demo`: every scenario on loopback, its sequence of messages and checks, and a summary table.
import { runDemo, type DemoStep, type ScenarioResult } from '../demo/runDemo.js';
import { SESSION_SCENARIOS } from '../demo/sessionScenarios.js';
import { TRUST_SCENARIOS } from '../demo/trustScenarios.js';

const ALL_SCENARIOS = [...TRUST_SCENARIOS, ...SESSION_SCENARIOS];
import { Exit, UsageError, type CliIo } from './io.js';
import { randomBytes } from 'node:crypto';

export async function demo(a: { scenario?: string; json?: boolean }, io: CliIo): Promise<number> {
  const wanted = a.scenario ?? 'all';
  const scenarios = wanted === 'all' ? ALL_SCENARIOS : ALL_SCENARIOS.filter((s) => s.name === wanted);
  if (scenarios.length === 0) throw new UsageError(`unknown scenario "${wanted}"; known: ${ALL_SCENARIOS.map((s) => s.name).join(', ')}, all`);
  const progress = a.json ? io.err : io.out;
  const results = await runDemo({
    scenarios,
    // The demo PKI lives in a temporary directory for one run; its keys get a throwaway passphrase.
    passphrase: randomBytes(12).toString('base64url'),
    onProgress: (p) => {
      if (p.phase === 'start') progress(`▶ ${p.scenario}\n`);
      else if (p.result && !a.json) progress(`${formatSteps(p.result.steps)}\n  → ${p.result.outcome} ${p.result.ok ? '(as expected)' : `(EXPECTED ${p.result.expected})`}, ${p.result.ms} ms\n\n`);
      else if (p.result) progress(`  → ${p.result.outcome}\n`);
    },
  });
  if (a.json) io.out(`${JSON.stringify({ scenarios: results }, null, 2)}\n`);
  else io.out(formatSummary(results));
  return results.every((r) => r.ok) ? Exit.ok : Exit.failed;
}

/** One line per step; a run of passed checks by the same party shares a line. */
function formatSteps(steps: readonly DemoStep[]): string {
  const merged: (DemoStep | { kind: 'passed'; party: string; t: number; checks: string[] })[] = [];
  for (const s of steps) {
    const last = merged[merged.length - 1];
    if (s.kind === 'check' && s.ok) {
      if (last?.kind === 'passed' && last.party === s.party) last.checks.push(s.check);
      else merged.push({ kind: 'passed', party: s.party, t: s.t, checks: [s.check] });
    } else merged.push(s);
  }
  return merged
    .map((s) => {
      if (s.kind === 'passed') return `  ${String(s.t).padStart(5)} ms  ${s.party.padEnd(18)} ok   ${s.checks.join(', ')}`;
      const t = `${String(s.t).padStart(5)} ms`;
      const ms = 'ms' in s && s.ms !== undefined ? ` (${s.ms.toFixed(1)} ms)` : '';
      switch (s.kind) {
        case 'message':
          return `  ${t}  ${`${s.from} → ${s.to}`.padEnd(18)} ${s.message}${s.detail ? `  ${s.detail}` : ''}${ms}`;
        case 'check':
          return `  ${t}  ${s.party.padEnd(18)} ${s.ok ? 'ok  ' : 'FAIL'} ${s.check}: ${s.detail ?? ''}`;
        case 'verdict':
          return `  ${t}  ${s.party.padEnd(18)} verdict ${s.verdict}${s.detail ? `  ${s.detail}` : ''}${ms}`;
        default:
          return `  ${t}  ${s.party.padEnd(18)} error ${s.error}: ${s.detail ?? ''}`;
      }
    })
    .join('\n');
}

function formatSummary(results: readonly ScenarioResult[]): string {
  const w = Math.max(...results.map((r) => r.name.length), 8);
  const o = Math.max(...results.map((r) => r.outcome.length), 7);
  const head = `${'scenario'.padEnd(w)}  ${'outcome'.padEnd(o)}  ok   ms`;
  const rows = results.map((r) => `${r.name.padEnd(w)}  ${r.outcome.padEnd(o)}  ${r.ok ? 'yes' : 'NO '}  ${String(r.ms).padStart(4)}`);
  const passed = results.filter((r) => r.ok).length;
  return `${head}\n${'-'.repeat(head.length)}\n${rows.join('\n')}\n\n${passed} of ${results.length} scenarios ended as expected\n`;
}
