// What the dashboard server sends to the page: session summaries for the list, a session with its diagram rows, and
// the live stream's messages. The page renders these as they are.
import type { DemoStep } from '../demo/scenarioResult.js';
import type { DashboardSession, FeedUpdate, SessionFeed } from './dashboardTypes.js';
import { clipText, diagramRow, diagramRows, LANE_TITLES, LANES, MAX_LABEL_CHARS, sessionVerdict, type DiagramRow, type Lane, type SessionVerdict } from './sequenceDiagram.js';

export interface SessionSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly expected: string;
  readonly startedAt: number;
  readonly state: DashboardSession['state'];
  readonly steps: number;
  readonly verdict: SessionVerdict;
}

export interface SessionDetail {
  readonly session: SessionSummary;
  readonly lanes: readonly { readonly id: Lane; readonly title: string }[];
  readonly rows: readonly DiagramRow[];
}

export type StreamMessage =
  | { readonly type: 'session'; readonly session: SessionSummary }
  | { readonly type: 'row'; readonly sessionId: string; readonly row: DiagramRow };

export function sessionSummary(session: DashboardSession, steps: number): SessionSummary {
  return {
    id: session.id,
    name: clipText(session.scenario.name, MAX_LABEL_CHARS),
    description: clipText(session.scenario.description, 1000),
    expected: clipText(session.scenario.expected, MAX_LABEL_CHARS),
    startedAt: session.startedAt,
    state: session.state,
    steps,
    verdict: sessionVerdict(session),
  };
}

export function sessionDetail(session: DashboardSession, steps: readonly DemoStep[]): SessionDetail {
  return {
    session: sessionSummary(session, steps.length),
    lanes: LANES.map((id) => ({ id, title: LANE_TITLES[id] })),
    rows: diagramRows(steps),
  };
}

/** The stream message of a feed update, read right when the feed reports it (the step is then in the feed). */
export function streamMessage(update: FeedUpdate, feed: Pick<SessionFeed, 'steps'>): StreamMessage {
  if (update.type === 'session') return { type: 'session', session: sessionSummary(update.session, feed.steps(update.session.id)?.length ?? 0) };
  const steps = feed.steps(update.sessionId) ?? [];
  const found = steps.lastIndexOf(update.step);
  return { type: 'row', sessionId: update.sessionId, row: diagramRow(update.step, found >= 0 ? found : steps.length) };
}
