// The dashboard's memory of the demo: sessions and their steps as the runner reports them, bounded so that a long
// `pnc dashboard` run cannot grow without limit. Subscribers (the server's live stream) get every update in order,
// synchronously, right after the feed has recorded it.
import type { DemoStep, ScenarioInfo, ScenarioResult } from '../demo/scenarioResult.js';
import type { DashboardSession, FeedUpdate, SessionFeed } from './dashboardTypes.js';

export const DEFAULT_MAX_SESSIONS = 200;
export const DEFAULT_MAX_STEPS_PER_SESSION = 2000;

export interface SessionFeedOptions {
  /** Sessions kept; beyond it the oldest finished ones are dropped (running ones never are). */
  readonly maxSessions?: number;
  /** Steps kept per session; beyond it one marker step says how many were kept and the rest are dropped. */
  readonly maxStepsPerSession?: number;
}

export class SessionFeedError extends Error {
  override readonly name = 'SessionFeedError';
}

interface Entry {
  session: DashboardSession;
  readonly steps: DemoStep[];
  truncated: boolean;
}

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new SessionFeedError(`${what} must be a positive integer, not ${String(value)}`);
  return value;
}

export function createSessionFeed(options: SessionFeedOptions = {}): SessionFeed {
  const maxSessions = positiveInteger(options.maxSessions, DEFAULT_MAX_SESSIONS, 'maxSessions');
  const maxSteps = positiveInteger(options.maxStepsPerSession, DEFAULT_MAX_STEPS_PER_SESSION, 'maxStepsPerSession');
  const entries = new Map<string, Entry>();
  const listeners = new Set<(update: FeedUpdate) => void>();

  const publish = (update: FeedUpdate): void => {
    // A listener that unsubscribes (or subscribes another) during the call does not change who gets this update.
    for (const l of [...listeners]) l(update);
  };

  const evict = (): void => {
    for (const [id, e] of entries) {
      if (entries.size <= maxSessions) return;
      if (e.session.state === 'done') entries.delete(id);
    }
  };

  return {
    scenarioStarted(run: { readonly id: string; readonly scenario: ScenarioInfo; readonly startedAt: number }): void {
      // Two runs under one id would mix their steps; the runner's ids are unique, so this is a bug worth hearing of.
      if (entries.has(run.id)) throw new SessionFeedError(`session ${run.id} has already started`);
      const session: DashboardSession = { id: run.id, scenario: run.scenario, startedAt: run.startedAt, state: 'running' };
      entries.set(run.id, { session, steps: [], truncated: false });
      evict();
      publish({ type: 'session', session });
    },

    step(id: string, step: DemoStep): void {
      // Steps of a session the feed does not hold (never started, or dropped long ago) have nowhere to go. Steps that
      // arrive after the end (a late trace event of a server) are still part of the session and kept.
      const e = entries.get(id);
      if (!e || e.truncated) return;
      if (e.steps.length >= maxSteps) {
        e.truncated = true;
        const marker: DemoStep = { kind: 'error', party: 'demo', error: 'steps left off', detail: `the dashboard keeps the first ${maxSteps} steps of a session`, t: step.t };
        e.steps.push(marker);
        publish({ type: 'step', sessionId: id, step: marker });
        return;
      }
      e.steps.push(step);
      publish({ type: 'step', sessionId: id, step });
    },

    scenarioEnded(id: string, result: ScenarioResult): void {
      const e = entries.get(id);
      if (!e || e.session.state === 'done') return;
      const { steps: _steps, ...rest } = result;
      e.session = { ...e.session, state: 'done', result: rest };
      const session = e.session;
      evict();
      publish({ type: 'session', session });
    },

    sessions(): readonly DashboardSession[] {
      return [...entries.values()].map((e) => e.session);
    },

    steps(id: string): readonly DemoStep[] | undefined {
      const e = entries.get(id);
      return e ? [...e.steps] : undefined;
    },

    subscribe(listener: (update: FeedUpdate) => void): () => void {
      // Wrapped so that one function subscribed twice is two subscriptions, each ended by its own unsubscribe.
      const own = (update: FeedUpdate): void => listener(update);
      listeners.add(own);
      return () => {
        listeners.delete(own);
      };
    },
  };
}
