// A scenario's steps as the terminal shows them: one line per step (who → whom, message, check, verdict, ms); a run
// of passed checks by one party shares a line.
import type { TracedCertificate } from '../trace/traceEvent.js';
import type { DemoStep, ScenarioResult } from './scenarioResult.js';

type Line = DemoStep | { readonly kind: 'passed'; readonly party: string; readonly t: number; readonly checks: string[] };

const ms = (v: number | undefined): string => (v === undefined ? '' : ` (${v.toFixed(1)} ms)`);

export function sequenceText(steps: readonly DemoStep[]): string {
  const lines: Line[] = [];
  for (const s of steps) {
    const last = lines[lines.length - 1];
    if (s.kind === 'check' && s.ok && s.certificates === undefined) {
      if (last?.kind === 'passed' && last.party === s.party) last.checks.push(s.check);
      else lines.push({ kind: 'passed', party: s.party, t: s.t, checks: [s.check] });
    } else lines.push(s);
  }
  return lines
    .map((s) => {
      const t = `${String(s.t).padStart(6)} ms`;
      switch (s.kind) {
        case 'passed':
          return `  ${t}  ${s.party.padEnd(18)} ok   ${s.checks.join(', ')}`;
        case 'message':
          return `  ${t}  ${`${s.from} → ${s.to}`.padEnd(18)} ${s.message}${s.detail ? `  ${s.detail}` : ''}${ms(s.ms)}${chain(s.certificates)}`;
        case 'check':
          return `  ${t}  ${s.party.padEnd(18)} ${s.ok ? 'ok  ' : 'FAIL'} ${s.check}: ${s.detail ?? ''}${ms(s.ms)}${chain(s.certificates)}`;
        case 'verdict':
          return `  ${t}  ${s.party.padEnd(18)} verdict ${s.verdict}${s.detail ? `  ${s.detail}` : ''}${ms(s.ms)}`;
        default:
          return `  ${t}  ${s.party.padEnd(18)} error ${s.error}: ${s.detail ?? ''}`;
      }
    })
    .join('\n');
}

function chain(certificates: readonly TracedCertificate[] | undefined): string {
  if (!certificates || certificates.length === 0) return '';
  return `\n${certificates.map((c) => `${' '.repeat(31)}└ ${c.subject} (${c.bytes} B, until ${c.notAfter.slice(0, 10)})`).join('\n')}`;
}

export function summaryTable(results: readonly ScenarioResult[]): string {
  const w = Math.max(...results.map((r) => r.name.length), 8);
  const head = `${'scenario'.padEnd(w)}  ok    ms  outcome`;
  const rows = results.map((r) => `${r.name.padEnd(w)}  ${r.ok ? 'yes' : 'NO '} ${String(r.ms).padStart(5)}  ${r.outcome}${r.ok ? '' : `\n${' '.repeat(w + 13)}expected: ${r.expected}`}`);
  const passed = results.filter((r) => r.ok).length;
  return `${head}\n${'-'.repeat(Math.min(120, head.length + 60))}\n${rows.join('\n')}\n\n${passed} of ${results.length} scenarios ended as expected\n`;
}
