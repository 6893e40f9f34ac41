// The dashboard's view of the demo: sessions (one per scenario run) and their steps, live and replayable.
import type { DemoObserver, DemoStep, ScenarioInfo, ScenarioResult } from '../demo/scenarioResult.js';

export interface DashboardSession {
  readonly id: string;
  readonly scenario: ScenarioInfo;
  readonly startedAt: number;
  readonly state: 'running' | 'done';
  /** Set once done. */
  readonly result?: Omit<ScenarioResult, 'steps'>;
}

export type FeedUpdate =
  | { readonly type: 'session'; readonly session: DashboardSession }
  | { readonly type: 'step'; readonly sessionId: string; readonly step: DemoStep };

/** Collects what the demo runner reports; the dashboard server reads and streams it. */
export interface SessionFeed extends DemoObserver {
  sessions(): readonly DashboardSession[];
  steps(id: string): readonly DemoStep[] | undefined;
  /** Returns the unsubscribe function. */
  subscribe(listener: (update: FeedUpdate) => void): () => void;
}

/** Runs scenarios on request from the page (`pnc dashboard`); absent when the page only watches (`pnc demo --ui`). */
export interface ScenarioLauncher {
  readonly scenarios: readonly ScenarioInfo[];
  /** Starts a run; resolves when it has started (rejects with a DashboardBusyError while another one runs). */
  launch(name: string): Promise<{ readonly id: string }>;
}
