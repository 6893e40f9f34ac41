// What one demo scenario produced: its steps (every party's trace events while it ran) and its outcome against the
// expected one. The demo's sequence table, its --json document and the dashboard all render these.
import type { TraceEvent } from '../trace/traceEvent.js';

/** A trace event of a scenario, `t` ms after the scenario started. */
export type DemoStep = TraceEvent & { readonly t: number };

export interface ScenarioResult {
  readonly name: string;
  readonly expected: string;
  readonly outcome: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly steps: readonly DemoStep[];
}

/** Facts about a scenario that a listing shows before it has run. */
export interface ScenarioInfo {
  readonly name: string;
  readonly description: string;
  readonly expected: string;
}

/** Follows scenarios while they run (the progress display, the dashboard). `id` is unique per run of a scenario. */
export interface DemoObserver {
  scenarioStarted(run: { readonly id: string; readonly scenario: ScenarioInfo; readonly startedAt: number }): void;
  step(id: string, step: DemoStep): void;
  scenarioEnded(id: string, result: ScenarioResult): void;
}
