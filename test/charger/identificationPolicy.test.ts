// Identification of one plug-in: table cases for each rule, and an exhaustive race of EIM and PnC (every order of
// tap, plug-in, contract request and the Authorize answers, accepted or refused) proving no double identification and
// no double billing.
import { describe, expect, it } from 'vitest';
import {
  identificationStep,
  INITIAL_IDENTIFICATION,
  offeredMethods,
  type IdentificationAction,
  type IdentificationEvent,
  type IdentificationState,
} from '../../src/charger/identificationPolicy.js';

const EMAID = 'DEPNCC00000001A';
const TAG = 'RFID-0001';

function runEvents(events: readonly IdentificationEvent[]): { state: IdentificationState; actions: IdentificationAction[] } {
  let state = INITIAL_IDENTIFICATION;
  const actions: IdentificationAction[] = [];
  for (const e of events) {
    const r = identificationStep(state, e);
    state = r.state;
    actions.push(...r.actions);
  }
  return { state, actions };
}

const tap: IdentificationEvent = { type: 'rfid', idToken: TAG };
const plug: IdentificationEvent = { type: 'plugIn' };
const contract: IdentificationEvent = { type: 'contractRequest', emaid: EMAID };
const pnc = (accepted: boolean): IdentificationEvent => ({ type: 'authorizeResult', method: 'pnc', idToken: EMAID, accepted });
const eim = (accepted: boolean): IdentificationEvent => ({ type: 'authorizeResult', method: 'eim', idToken: TAG, accepted });
const kinds = (a: IdentificationAction[]): string[] => a.map((x) => (x.type === 'authorize' || x.type === 'startTransaction' ? `${x.type}:${x.method}` : x.type));

describe('identification rules', () => {
  it.each([
    ['cable first: both offered', [plug], ['pnc', 'eim']],
    ['EIM first: PnC not offered', [tap, plug], ['eim']],
    ['EIM accepted before plug-in: still EIM only', [tap, eim(true), plug], ['eim']],
    ['tap after plug-in (while nothing pending): EIM chosen, PnC withdrawn', [plug, tap], ['eim']],
  ] as const)('%s', (_n, events, offered) => {
    expect(offeredMethods(runEvents(events).state)).toEqual(offered);
  });

  it.each([
    ['cable first, PnC accepted: one Authorize, one transaction by PnC', [plug, contract, pnc(true)], ['authorize:pnc', 'startTransaction:pnc']],
    ['EIM first: authorized before the cable, transaction at plug-in', [tap, eim(true), plug], ['authorize:eim', 'startTransaction:eim']],
    ['contract request after EIM first: refused, no Authorize', [tap, plug, contract], ['authorize:eim', 'refuseContract']],
    ['tap while PnC pending, PnC accepted: the tap is dropped', [plug, contract, tap, pnc(true)], ['authorize:pnc', 'ignore', 'startTransaction:pnc']],
    ['tap while PnC pending, PnC refused: EIM as backup, one transaction', [plug, contract, tap, pnc(false), eim(true)], ['authorize:pnc', 'ignore', 'authorize:eim', 'startTransaction:eim']],
    ['PnC refused, no tap: nothing started, the EV may retry', [plug, contract, pnc(false)], ['authorize:pnc']],
    ['PnC refused, then a new session asks again', [plug, contract, pnc(false), contract, pnc(true)], ['authorize:pnc', 'authorize:pnc', 'startTransaction:pnc']],
    ['a second tap after identification is ignored', [plug, contract, pnc(true), tap], ['authorize:pnc', 'startTransaction:pnc', 'ignore']],
    ['a stale answer is ignored', [plug, eim(true)], ['ignore']],
    ['unplug ends the one transaction', [plug, contract, pnc(true), { type: 'unplug' }], ['authorize:pnc', 'startTransaction:pnc', 'endTransaction']],
  ] as const)('%s', (_n, events, expected) => {
    expect(kinds(runEvents(events).actions)).toEqual(expected);
  });

  it('after unplug the next plug-in starts fresh (cable first again)', () => {
    const { state } = runEvents([tap, eim(true), plug, { type: 'unplug' }, plug]);
    expect(offeredMethods(state)).toEqual(['pnc', 'eim']);
  });
});

describe('EIM and PnC racing: every order, every answer', () => {
  interface Node {
    readonly state: IdentificationState;
    readonly actions: IdentificationAction[];
    readonly remaining: readonly IdentificationEvent[];
    readonly deliverable: readonly IdentificationEvent[];
    readonly trail: string[];
  }

  function explore(): Node[] {
    const finals: Node[] = [];
    const walk = (n: Node): void => {
      const next = [...n.remaining.map((e, i) => ({ e, external: i })), ...n.deliverable.map((e, i) => ({ e, result: i }))];
      if (next.length === 0) return void finals.push(n);
      for (const step of next) {
        const variants: IdentificationEvent[] = 'result' in step && step.e.type === 'authorizeResult' ? [{ ...step.e, accepted: true }, { ...step.e, accepted: false }] : [step.e];
        for (const e of variants) {
          const r = identificationStep(n.state, e);
          // Each Authorize the policy sends gets exactly one answer later.
          const answers = r.actions.flatMap((a): IdentificationEvent[] => (a.type === 'authorize' ? [{ type: 'authorizeResult', method: a.method, idToken: a.idToken, accepted: true }] : []));
          walk({
            state: r.state,
            actions: [...n.actions, ...r.actions],
            remaining: 'external' in step ? n.remaining.filter((_, i) => i !== step.external) : n.remaining,
            deliverable: [...('result' in step ? n.deliverable.filter((_, i) => i !== step.result) : n.deliverable), ...answers],
            trail: [...n.trail, e.type === 'authorizeResult' ? `${e.method}:${e.accepted ? 'ok' : 'no'}` : e.type],
          });
        }
      }
    };
    walk({ state: INITIAL_IDENTIFICATION, actions: [], remaining: [tap, plug, contract], deliverable: [], trail: [] });
    return finals;
  }

  const finals = explore();

  it('explores every interleaving', () => {
    expect(finals.length).toBeGreaterThan(30);
  });

  it('never two transactions, never two identifications, at most one Authorize per method', () => {
    for (const f of finals) {
      const starts = f.actions.filter((a) => a.type === 'startTransaction');
      expect(starts.length, f.trail.join(' → ')).toBeLessThanOrEqual(1);
      for (const m of ['pnc', 'eim'] as const) {
        expect(f.actions.filter((a) => a.type === 'authorize' && a.method === m).length, f.trail.join(' → ')).toBeLessThanOrEqual(1);
      }
      // The transaction is started by whoever identified the plug-in, and only that identity.
      if (starts[0]?.type === 'startTransaction') expect(f.state.authorized).toMatchObject({ method: starts[0].method, idToken: starts[0].idToken });
    }
  });

  it('a plugged-in, identified session always gets its transaction', () => {
    for (const f of finals) if (f.state.authorized && f.state.plugged) expect(f.state.transactionStarted, f.trail.join(' → ')).toBe(true);
  });

  it('both orders occur: EIM identifies in some, PnC in others', () => {
    const by = new Set(finals.flatMap((f) => (f.state.authorized ? [f.state.authorized.method] : [])));
    expect([...by].sort()).toEqual(['eim', 'pnc']);
  });
});
