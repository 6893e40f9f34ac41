// Runs catalogue scenarios on the loopback system and records each one's steps: every party's trace events while it
// ran. Scenarios run one at a time on one shared system; a scenario with isolation 'own' gets a fresh system.
import { randomBytes } from 'node:crypto';
import { startLoopbackSystem, type LoopbackSystem, type TimedEvent } from './loopbackSystem.js';
import type { Scenario } from './scenario.js';
import type { DemoObserver, DemoStep, ScenarioResult } from './scenarioResult.js';
import { createStepFilter } from './shownSteps.js';

export interface DemoRunnerOptions {
  /** Passphrase of the PKI keys (default: random; a kept `pkiDir` needs the one it was made with). */
  readonly passphrase?: string;
  /** Where the shared system's PKI lives (generated if absent; default a temporary directory). */
  readonly pkiDir?: string;
  readonly observer?: DemoObserver;
}

export class DemoRunner {
  private shared: Promise<LoopbackSystem> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private current: { id: string; started: number; steps: DemoStep[] } | undefined;
  private runs = 0;
  private readonly shown = createStepFilter();
  private readonly passphrase: string;

  constructor(private readonly options: DemoRunnerOptions = {}) {
    this.passphrase = options.passphrase ?? randomBytes(12).toString('base64url');
  }

  /** Runs one scenario after those already queued; a scenario that throws ends with its error as the outcome. */
  run(scenario: Scenario, onStart?: (id: string) => void): Promise<ScenarioResult> {
    const next = this.queue.then(() => this.runNow(scenario, onStart));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    const s = this.shared;
    this.shared = undefined;
    if (s) await (await s).close();
  }

  private listen = (e: TimedEvent): void => {
    const c = this.current;
    if (!this.shown(e) || !c) return;
    const { time, ...event } = e;
    const step: DemoStep = { ...event, t: Math.max(0, time - c.started) };
    c.steps.push(step);
    this.options.observer?.step(c.id, step);
  };

  private system(scenario: Scenario): { system: Promise<LoopbackSystem>; own: boolean } {
    if (scenario.isolation === 'own') {
      return { system: startLoopbackSystem({ ...scenario.systemOptions, passphrase: this.passphrase, onEvent: this.listen }), own: true };
    }
    this.shared ??= startLoopbackSystem({ passphrase: this.passphrase, onEvent: this.listen, ...(this.options.pkiDir ? { pkiDir: this.options.pkiDir } : {}) });
    return { system: this.shared, own: false };
  }

  private async runNow(scenario: Scenario, onStart?: (id: string) => void): Promise<ScenarioResult> {
    const id = `${scenario.name}-${++this.runs}`;
    onStart?.(id);
    this.options.observer?.scenarioStarted({ id, scenario: { name: scenario.name, description: scenario.description, expected: scenario.expected }, startedAt: Date.now() });
    const { system, own } = this.system(scenario);
    let outcome: string;
    let steps: DemoStep[] = [];
    let t0 = performance.now();
    const failed = (e: unknown): string => `error: ${e instanceof Error ? e.message : String(e)}`;
    try {
      const ready = await system;
      // Steps are collected from here: the system's start-up (registration, stapling) is not the scenario's.
      this.current = { id, started: Date.now(), steps };
      t0 = performance.now();
      try {
        outcome = await scenario.run(ready);
      } catch (e) {
        // A scenario that throws has failed; the error is its outcome, and the next scenario still runs.
        outcome = failed(e);
      } finally {
        this.current = undefined;
        if (own) await ready.close();
      }
    } catch (e) {
      outcome = failed(e);
      if (!own) this.shared = undefined;
      steps = [];
    }
    const result: ScenarioResult = { name: scenario.name, expected: scenario.expected, outcome, ok: outcome === scenario.expected, ms: Math.round(performance.now() - t0), steps };
    this.options.observer?.scenarioEnded(id, result);
    return result;
  }
}
