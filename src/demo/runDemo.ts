// Runs scenarios on a live loopback bench and records each one's trace as steps.
import { silentTracer, type TraceListener, type Tracer } from '../trace/tracer.js';
import type { TraceEvent } from '../trace/traceEvent.js';
import { startTrustTestbed } from './trustTestbed.js';
import type { Scenario } from './trustScenarios.js';

export type DemoStep = TraceEvent & { readonly t: number };

export interface ScenarioResult {
  readonly name: string;
  readonly expected: string;
  readonly outcome: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly steps: readonly DemoStep[];
}

export interface DemoOptions {
  readonly scenarios: readonly Scenario[];
  readonly passphrase: string;
  /** Called when a scenario starts and ends (progress display). */
  readonly onProgress?: (event: { readonly scenario: string; readonly phase: 'start' | 'end'; readonly result?: ScenarioResult }) => void;
  /** Trace log destination; default: none (the steps are returned). */
  readonly tracer?: Tracer;
}

export async function runDemo(options: DemoOptions): Promise<ScenarioResult[]> {
  let current: { session: string; started: number; steps: DemoStep[] } | undefined;
  const collect: TraceListener = (e) => {
    if (current && (e.session === undefined || e.session === current.session)) current.steps.push({ ...e, t: e.time - current.started });
  };
  const tracer = options.tracer ?? silentTracer('demo');
  tracer.onEvent(collect);
  const bench = await startTrustTestbed({ tracer, passphrase: options.passphrase });
  const results: ScenarioResult[] = [];
  try {
    for (const s of options.scenarios) {
      options.onProgress?.({ scenario: s.name, phase: 'start' });
      current = { session: s.name, started: Date.now(), steps: [] };
      const t0 = performance.now();
      let outcome: string;
      try {
        outcome = await s.run(bench, tracer, s.name);
      } catch (e) {
        // A scenario that throws has failed; the error is its outcome, and the next scenario still runs.
        outcome = `error: ${e instanceof Error ? e.message : String(e)}`;
      }
      const result = { name: s.name, expected: s.expected, outcome, ok: outcome === s.expected, ms: Math.round(performance.now() - t0), steps: current.steps };
      results.push(result);
      options.onProgress?.({ scenario: s.name, phase: 'end', result });
    }
  } finally {
    current = undefined;
    await bench.close();
  }
  return results;
}
