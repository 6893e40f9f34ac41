import { describe, expect, it } from 'vitest';
import type { DemoStep, ScenarioInfo, ScenarioResult } from '../../src/demo/scenarioResult.js';
import type { FeedUpdate, SessionFeed } from '../../src/web/dashboardTypes.js';
import { createSessionFeed, DEFAULT_MAX_SESSIONS, SessionFeedError } from '../../src/web/sessionFeed.js';

const scenario = (name: string): ScenarioInfo => ({ name, description: `the ${name} scenario`, expected: 'Accepted' });
const step = (n: number): DemoStep => ({ kind: 'check', party: 'charger', check: `check ${n}`, ok: true, t: n });
const result = (name: string, steps: readonly DemoStep[] = []): ScenarioResult => ({ name, expected: 'Accepted', outcome: 'Accepted', ok: true, ms: 12, steps });

function run(feed: SessionFeed, id: string, steps = 0, end = true): void {
  feed.scenarioStarted({ id, scenario: scenario(id), startedAt: Date.now() });
  for (let i = 0; i < steps; i++) feed.step(id, step(i));
  if (end) feed.scenarioEnded(id, result(id));
}

describe('createSessionFeed: options', () => {
  it.each([{ maxSessions: 0 }, { maxSessions: -1 }, { maxSessions: 1.5 }, { maxStepsPerSession: 0 }, { maxStepsPerSession: Number.NaN }])('rejects %j', (options) => {
    expect(() => createSessionFeed(options)).toThrow(SessionFeedError);
  });
});

describe('createSessionFeed: sessions and steps', () => {
  it('records a run: running, its steps in order, then done with the result (without its steps)', () => {
    const feed = createSessionFeed();
    feed.scenarioStarted({ id: 'r1', scenario: scenario('iso2-pnc-ac'), startedAt: 1000 });
    expect(feed.sessions()).toEqual([{ id: 'r1', scenario: scenario('iso2-pnc-ac'), startedAt: 1000, state: 'running' }]);
    feed.step('r1', step(0));
    feed.step('r1', step(1));
    feed.scenarioEnded('r1', result('iso2-pnc-ac', [step(0), step(1), step(2)]));
    expect(feed.steps('r1')).toEqual([step(0), step(1)]);
    const [s] = feed.sessions();
    expect(s?.state).toBe('done');
    expect(s?.result).toEqual({ name: 'iso2-pnc-ac', expected: 'Accepted', outcome: 'Accepted', ok: true, ms: 12 });
    expect(s?.result).not.toHaveProperty('steps');
  });

  it('refuses a second start under one id', () => {
    const feed = createSessionFeed();
    run(feed, 'r1', 0, false);
    expect(() => feed.scenarioStarted({ id: 'r1', scenario: scenario('x'), startedAt: 0 })).toThrow(SessionFeedError);
  });

  it('ignores steps and ends of unknown sessions, and a second end', () => {
    const feed = createSessionFeed();
    const updates: FeedUpdate[] = [];
    feed.subscribe((u) => updates.push(u));
    feed.step('nope', step(0));
    feed.scenarioEnded('nope', result('nope'));
    run(feed, 'r1');
    feed.scenarioEnded('r1', { ...result('r1'), outcome: 'changed', ok: false });
    expect(feed.steps('nope')).toBeUndefined();
    expect(feed.sessions()[0]?.result?.outcome).toBe('Accepted');
    expect(updates.map((u) => u.type)).toEqual(['session', 'session']);
  });

  it('keeps a late step that arrives after the end', () => {
    const feed = createSessionFeed();
    run(feed, 'r1', 1);
    feed.step('r1', step(9));
    expect(feed.steps('r1')).toHaveLength(2);
  });

  it('returns a copy of the steps', () => {
    const feed = createSessionFeed();
    run(feed, 'r1', 2, false);
    const before = feed.steps('r1');
    feed.step('r1', step(2));
    expect(before).toHaveLength(2);
  });
});

describe('createSessionFeed: bounds', () => {
  const cases: { name: string; maxSessions: number; runs: { id: string; end: boolean }[]; kept: string[] }[] = [
    { name: 'under the limit keeps all', maxSessions: 3, runs: [{ id: 'a', end: true }, { id: 'b', end: true }], kept: ['a', 'b'] },
    { name: 'at the limit keeps all', maxSessions: 2, runs: [{ id: 'a', end: true }, { id: 'b', end: true }], kept: ['a', 'b'] },
    { name: 'over the limit drops the oldest finished', maxSessions: 2, runs: [{ id: 'a', end: true }, { id: 'b', end: true }, { id: 'c', end: true }], kept: ['b', 'c'] },
    {
      name: 'a running session is never dropped; the oldest finished one goes',
      maxSessions: 2,
      runs: [{ id: 'a', end: false }, { id: 'b', end: true }, { id: 'c', end: true }],
      kept: ['a', 'c'],
    },
    {
      name: 'all running: over the limit until one ends',
      maxSessions: 1,
      runs: [{ id: 'a', end: false }, { id: 'b', end: false }],
      kept: ['a', 'b'],
    },
    { name: 'limit 1 keeps the latest', maxSessions: 1, runs: [{ id: 'a', end: true }, { id: 'b', end: true }, { id: 'c', end: true }], kept: ['c'] },
  ];
  it.each(cases)('$name', ({ maxSessions, runs, kept }) => {
    const feed = createSessionFeed({ maxSessions });
    for (const r of runs) run(feed, r.id, 1, r.end);
    expect(feed.sessions().map((s) => s.id)).toEqual(kept);
    for (const r of runs) expect(feed.steps(r.id) !== undefined).toBe(kept.includes(r.id));
  });

  it('drops running sessions only once they end', () => {
    const feed = createSessionFeed({ maxSessions: 1 });
    run(feed, 'a', 0, false);
    run(feed, 'b', 0, false);
    feed.scenarioEnded('a', result('a'));
    expect(feed.sessions().map((s) => s.id)).toEqual(['b']);
  });

  it('keeps the default number of sessions', () => {
    const feed = createSessionFeed();
    for (let i = 0; i < DEFAULT_MAX_SESSIONS + 10; i++) run(feed, `r${i}`);
    expect(feed.sessions()).toHaveLength(DEFAULT_MAX_SESSIONS);
    expect(feed.sessions()[0]?.id).toBe('r10');
  });

  it.each([
    { max: 3, sent: 2, kept: 2, marker: false },
    { max: 3, sent: 3, kept: 3, marker: false },
    { max: 3, sent: 4, kept: 4, marker: true },
    { max: 3, sent: 100, kept: 4, marker: true },
    { max: 1, sent: 5, kept: 2, marker: true },
  ])('max $max steps, $sent sent → $kept kept (marker: $marker)', ({ max, sent, kept, marker }) => {
    const feed = createSessionFeed({ maxStepsPerSession: max });
    const updates: FeedUpdate[] = [];
    feed.subscribe((u) => updates.push(u));
    run(feed, 'r', sent, false);
    const steps = feed.steps('r') ?? [];
    expect(steps).toHaveLength(kept);
    const last = steps.at(-1);
    expect(last?.kind === 'error' && last.error === 'steps left off').toBe(marker);
    // Subscribers see exactly what is kept.
    expect(updates.filter((u) => u.type === 'step').map((u) => (u.type === 'step' ? u.step : undefined))).toEqual(steps);
  });
});

describe('createSessionFeed: subscribers', () => {
  it('get every update in order', () => {
    const feed = createSessionFeed();
    const seen: string[] = [];
    feed.subscribe((u) => seen.push(u.type === 'session' ? `${u.session.id}:${u.session.state}` : `${u.sessionId}:${u.step.kind === 'check' ? u.step.check : ''}`));
    run(feed, 'a', 2);
    run(feed, 'b', 1);
    expect(seen).toEqual(['a:running', 'a:check 0', 'a:check 1', 'a:done', 'b:running', 'b:check 0', 'b:done']);
  });

  it('see the feed already updated when they are called', () => {
    const feed = createSessionFeed();
    const counts: number[] = [];
    feed.subscribe((u) => {
      if (u.type === 'step') counts.push(feed.steps(u.sessionId)?.length ?? -1);
    });
    run(feed, 'a', 3);
    expect(counts).toEqual([1, 2, 3]);
  });

  it('stop getting updates after unsubscribing; others go on', () => {
    const feed = createSessionFeed();
    const a: FeedUpdate[] = [];
    const b: FeedUpdate[] = [];
    const stopA = feed.subscribe((u) => a.push(u));
    feed.subscribe((u) => b.push(u));
    run(feed, 'x', 1, false);
    stopA();
    stopA();
    feed.step('x', step(1));
    expect(a).toHaveLength(2);
    expect(b).toHaveLength(3);
  });

  it('one function subscribed twice is called twice, and each unsubscribe ends one', () => {
    const feed = createSessionFeed();
    let calls = 0;
    const listener = (): void => {
      calls++;
    };
    const stop1 = feed.subscribe(listener);
    feed.subscribe(listener);
    run(feed, 'x', 0, false);
    stop1();
    feed.step('x', step(0));
    expect(calls).toBe(3);
  });

  it('a listener that unsubscribes during an update does not keep another from getting it', () => {
    const feed = createSessionFeed();
    const got: string[] = [];
    const stop = feed.subscribe(() => {
      got.push('first');
      stop();
    });
    feed.subscribe(() => got.push('second'));
    run(feed, 'x', 0, false);
    feed.step('x', step(0));
    expect(got).toEqual(['first', 'second', 'second']);
  });
});
