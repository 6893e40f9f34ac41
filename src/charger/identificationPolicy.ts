// How one plug-in gets identified (seed step 2), as a pure state machine: events in (RFID tap, plug-in, the SECC
// asking for a contract decision, Authorize answers, unplug), actions out (send one Authorize, start or end the one
// transaction). Rules:
//   - EIM first → PnC is not offered for that plug-in; cable first → both are.
//   - One identification at a time and at most one per plug-in: a tap while PnC is pending is held, used only if PnC
//     fails (EIM as backup), dropped if PnC succeeds; a contract request after an identification is refused.
//   - One transaction per plug-in, started once, with the idToken that identified it.
export type IdentificationMethod = 'pnc' | 'eim';

export interface IdentificationState {
  readonly plugged: boolean;
  /** An identification began before the cable was plugged in. */
  readonly eimFirst: boolean;
  readonly pending?: { readonly method: IdentificationMethod; readonly idToken: string };
  /** A tap that came while PnC was pending. */
  readonly heldTap?: string;
  readonly authorized?: { readonly method: IdentificationMethod; readonly idToken: string };
  readonly transactionStarted: boolean;
  readonly pncFailed: boolean;
}

export type IdentificationEvent =
  | { readonly type: 'rfid'; readonly idToken: string }
  | { readonly type: 'plugIn' }
  | { readonly type: 'contractRequest'; readonly emaid: string }
  | { readonly type: 'authorizeResult'; readonly method: IdentificationMethod; readonly idToken: string; readonly accepted: boolean }
  | { readonly type: 'unplug' };

export type IdentificationAction =
  | { readonly type: 'authorize'; readonly method: IdentificationMethod; readonly idToken: string }
  | { readonly type: 'startTransaction'; readonly method: IdentificationMethod; readonly idToken: string }
  | { readonly type: 'endTransaction' }
  | { readonly type: 'refuseContract'; readonly reason: string }
  | { readonly type: 'ignore'; readonly reason: string };

export const INITIAL_IDENTIFICATION: IdentificationState = { plugged: false, eimFirst: false, transactionStarted: false, pncFailed: false };

/** What the SECC offers the EV for this plug-in. */
export function offeredMethods(s: IdentificationState): readonly IdentificationMethod[] {
  const eimChosen = s.eimFirst || s.authorized?.method === 'eim' || s.pending?.method === 'eim';
  return eimChosen ? ['eim'] : ['pnc', 'eim'];
}

export function identificationStep(s: IdentificationState, e: IdentificationEvent): { state: IdentificationState; actions: IdentificationAction[] } {
  switch (e.type) {
    case 'plugIn': {
      if (s.plugged) return { state: s, actions: [{ type: 'ignore', reason: 'already plugged in' }] };
      const state = { ...s, plugged: true };
      return s.authorized && !s.transactionStarted ? start(state, s.authorized) : { state, actions: [] };
    }
    case 'rfid': {
      if (s.authorized) return { state: s, actions: [{ type: 'ignore', reason: `already identified by ${s.authorized.method}` }] };
      if (s.pending?.method === 'pnc') return { state: { ...s, heldTap: e.idToken }, actions: [{ type: 'ignore', reason: 'PnC pending: tap held as backup' }] };
      if (s.pending) return { state: s, actions: [{ type: 'ignore', reason: 'an EIM identification is pending' }] };
      return { state: { ...s, eimFirst: s.eimFirst || !s.plugged, pending: { method: 'eim', idToken: e.idToken } }, actions: [{ type: 'authorize', method: 'eim', idToken: e.idToken }] };
    }
    case 'contractRequest': {
      if (s.authorized) return { state: s, actions: [{ type: 'refuseContract', reason: `already identified by ${s.authorized.method}` }] };
      if (s.pending) return { state: s, actions: [{ type: 'refuseContract', reason: `${s.pending.method} identification pending` }] };
      if (offeredMethods(s).every((m) => m !== 'pnc')) return { state: s, actions: [{ type: 'refuseContract', reason: 'PnC not offered (EIM first)' }] };
      return { state: { ...s, pending: { method: 'pnc', idToken: e.emaid } }, actions: [{ type: 'authorize', method: 'pnc', idToken: e.emaid }] };
    }
    case 'authorizeResult': {
      if (!s.pending || s.pending.method !== e.method || s.pending.idToken !== e.idToken) return { state: s, actions: [{ type: 'ignore', reason: 'answer to no pending identification' }] };
      const { pending: _done, ...rest } = s;
      if (e.accepted) {
        const { heldTap: _dropped, ...clean } = rest;
        const state: IdentificationState = { ...clean, authorized: { method: e.method, idToken: e.idToken } };
        return state.plugged ? start(state, state.authorized!) : { state, actions: [] };
      }
      const held = s.heldTap;
      if (e.method === 'pnc' && held !== undefined) {
        // PnC failed and the driver had tapped meanwhile: EIM is the backup, identified once.
        const { heldTap: _used, ...clean } = rest;
        return { state: { ...clean, pncFailed: true, pending: { method: 'eim', idToken: held } }, actions: [{ type: 'authorize', method: 'eim', idToken: held }] };
      }
      return { state: { ...rest, pncFailed: rest.pncFailed || e.method === 'pnc' }, actions: [] };
    }
    case 'unplug':
      return { state: INITIAL_IDENTIFICATION, actions: s.transactionStarted ? [{ type: 'endTransaction' }] : [] };
  }
}

function start(s: IdentificationState, by: { method: IdentificationMethod; idToken: string }): { state: IdentificationState; actions: IdentificationAction[] } {
  return { state: { ...s, transactionStarted: true }, actions: [{ type: 'startTransaction', method: by.method, idToken: by.idToken }] };
}
