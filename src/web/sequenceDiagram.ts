// Turns a session's steps into the rows of a sequence diagram with five lanes (EV, Charger, CSMS, OCSP, MSP). The page
// only draws these rows: every layout decision (which lane, which direction, what text) is made here, where it can be
// tested. Trace text comes from peers and can be hostile or huge: it is clipped here and only ever drawn as text.
import type { DemoStep } from '../demo/scenarioResult.js';
import type { Party, TraceEvent, TracedCertificate } from '../trace/traceEvent.js';
import type { DashboardSession } from './dashboardTypes.js';

export const LANES = ['ev', 'charger', 'csms', 'ocsp', 'msp'] as const;
export type Lane = (typeof LANES)[number];

export const LANE_TITLES: Readonly<Record<Lane, string>> = { ev: 'EV', charger: 'Charger', csms: 'CSMS', ocsp: 'OCSP', msp: 'MSP' };

/** Text limits: a row stays readable, and a hostile peer cannot make the page or the stream carry megabytes per row. */
export const MAX_LABEL_CHARS = 200;
export const MAX_DETAIL_CHARS = 2000;
export const MAX_CHAIN_LENGTH = 8;

interface RowBase {
  /** Position of the step in its session (the page uses it to join the initial fetch and the live stream). */
  readonly index: number;
  /** Milliseconds since the session started. */
  readonly t: number;
  /** The party whose trace reported the step. */
  readonly party: Party;
  readonly detail?: string;
  /** Certificate chain the step carries, leaf first. */
  readonly certificates?: readonly TracedCertificate[];
  /** How many certificates of the chain were left off (beyond MAX_CHAIN_LENGTH). */
  readonly certificatesLeftOff?: number;
}

/** A box on one lane; `column` is the lane's 0-based position. */
interface LaneBox {
  readonly lane: Lane;
  readonly column: number;
}

export type ArrowRow = RowBase & {
  readonly kind: 'arrow';
  readonly from: Lane;
  readonly to: Lane;
  readonly fromColumn: number;
  readonly toColumn: number;
  readonly direction: 'right' | 'left' | 'self';
  readonly label: string;
  readonly ms?: number;
};
export type CheckRow = RowBase & LaneBox & { readonly kind: 'check'; readonly name: string; readonly ok: boolean; readonly ms?: number };
export type VerdictRow = RowBase & LaneBox & { readonly kind: 'verdict'; readonly verdict: string; readonly ms?: number };
export type ErrorRow = RowBase & LaneBox & { readonly kind: 'error'; readonly error: string };
/** A step of a party without a lane (the PKI, the demo itself), or a message to or from one: spans all lanes. */
export type NoteRow = RowBase & {
  readonly kind: 'note';
  readonly of: TraceEvent['kind'];
  readonly text: string;
  /** For a check: its result. For an error: false. */
  readonly ok?: boolean;
  readonly ms?: number;
};

export type DiagramRow = ArrowRow | CheckRow | VerdictRow | ErrorRow | NoteRow;

/** The session's final verdict: its outcome against the expected one, once it has ended. */
export type SessionVerdict =
  | { readonly state: 'running' }
  | { readonly state: 'done'; readonly outcome: string; readonly expected: string; readonly ok: boolean; readonly ms: number };

const PARTY_TITLES: Readonly<Record<Party, string>> = { ...LANE_TITLES, pki: 'PKI', demo: 'Demo' };

export function isLane(party: Party): party is Lane {
  return (LANES as readonly string[]).includes(party);
}

export function laneColumn(lane: Lane): number {
  return LANES.indexOf(lane);
}

/** Shortens a text to `max` characters (an ellipsis marks the cut); control characters other than tab become spaces. */
export function clipText(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  const clean = text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ');
  return clean.length <= max ? clean : `${clean.slice(0, Math.max(0, max - 1))}…`;
}

/** A duration worth showing: finite and not negative, rounded to 0.1 ms. */
function duration(ms: number | undefined): { ms?: number } {
  return ms !== undefined && Number.isFinite(ms) && ms >= 0 ? { ms: Math.round(ms * 10) / 10 } : {};
}

function detailOf(detail: string | undefined): { detail?: string } {
  return detail !== undefined && detail !== '' ? { detail: clipText(detail, MAX_DETAIL_CHARS) } : {};
}

function chainOf(certificates: readonly TracedCertificate[] | undefined): { certificates?: TracedCertificate[]; certificatesLeftOff?: number } {
  if (!certificates || certificates.length === 0) return {};
  const shown = certificates.slice(0, MAX_CHAIN_LENGTH).map((c) => ({
    subject: clipText(c.subject, MAX_LABEL_CHARS),
    issuer: clipText(c.issuer, MAX_LABEL_CHARS),
    notBefore: clipText(c.notBefore, 40),
    notAfter: clipText(c.notAfter, 40),
    bytes: Number.isFinite(c.bytes) && c.bytes >= 0 ? Math.round(c.bytes) : 0,
    serialHex: clipText(c.serialHex, 80),
  }));
  const leftOff = certificates.length - shown.length;
  return { certificates: shown, ...(leftOff > 0 ? { certificatesLeftOff: leftOff } : {}) };
}

function partyTitle(party: Party): string {
  return PARTY_TITLES[party] ?? clipText(String(party), 20);
}

/** The diagram row of one step. */
export function diagramRow(step: DemoStep, index: number): DiagramRow {
  const base = { index, t: Number.isFinite(step.t) ? Math.max(0, Math.round(step.t)) : 0, party: step.party, ...detailOf(step.detail) };
  switch (step.kind) {
    case 'message': {
      const label = clipText(step.message, MAX_LABEL_CHARS);
      const chain = chainOf(step.certificates);
      if (isLane(step.from) && isLane(step.to)) {
        const fromColumn = laneColumn(step.from);
        const toColumn = laneColumn(step.to);
        const direction = fromColumn === toColumn ? 'self' : toColumn > fromColumn ? 'right' : 'left';
        return { kind: 'arrow', ...base, from: step.from, to: step.to, fromColumn, toColumn, direction, label, ...duration(step.ms), ...chain };
      }
      return { kind: 'note', of: 'message', ...base, text: `${partyTitle(step.from)} → ${partyTitle(step.to)}: ${label}`, ...duration(step.ms), ...chain };
    }
    case 'check': {
      const name = clipText(step.check, MAX_LABEL_CHARS);
      const chain = chainOf(step.certificates);
      if (isLane(step.party)) return { kind: 'check', ...base, lane: step.party, column: laneColumn(step.party), name, ok: step.ok === true, ...duration(step.ms), ...chain };
      return { kind: 'note', of: 'check', ...base, text: `${partyTitle(step.party)} check: ${name}`, ok: step.ok === true, ...duration(step.ms), ...chain };
    }
    case 'verdict': {
      const verdict = clipText(step.verdict, MAX_LABEL_CHARS);
      if (isLane(step.party)) return { kind: 'verdict', ...base, lane: step.party, column: laneColumn(step.party), verdict, ...duration(step.ms) };
      return { kind: 'note', of: 'verdict', ...base, text: `${partyTitle(step.party)} verdict: ${verdict}`, ...duration(step.ms) };
    }
    case 'error': {
      const error = clipText(step.error, MAX_LABEL_CHARS);
      if (isLane(step.party)) return { kind: 'error', ...base, lane: step.party, column: laneColumn(step.party), error };
      return { kind: 'note', of: 'error', ...base, text: `${partyTitle(step.party)} error: ${error}`, ok: false };
    }
  }
}

export function diagramRows(steps: readonly DemoStep[]): DiagramRow[] {
  return steps.map((s, i) => diagramRow(s, i));
}

/** The final verdict of a session: its outcome and whether that is the expected one. */
export function sessionVerdict(session: DashboardSession): SessionVerdict {
  if (session.state === 'running') return { state: 'running' };
  const r = session.result;
  // A session marked done without a result did not report an outcome: that is a failure, not a pass.
  if (!r) return { state: 'done', outcome: '(no result)', expected: session.scenario.expected, ok: false, ms: 0 };
  return {
    state: 'done',
    outcome: clipText(r.outcome, MAX_LABEL_CHARS),
    expected: clipText(r.expected, MAX_LABEL_CHARS),
    ok: r.ok === true,
    ms: Number.isFinite(r.ms) ? Math.max(0, Math.round(r.ms)) : 0,
  };
}
