// The energy register (Energy.Active.Import.Register) in a TransactionEvent's meter values, in Wh, and which reading
// is a transaction's start and end. Pure. A sampled value without measurand is the register and without unit is Wh
// (OCPP 2.0.1 SampledValueType defaults); kWh and the power-of-ten multiplier are converted. Per-phase values and
// the EV's own reading are not the charging station's total and are skipped.
import type { LocationEnumType, MeterValueType, ReadingContextEnumType, UnitOfMeasureType } from '../../ocpp/generated/ocpp201.js';

export interface RegisterReading {
  readonly wh: number;
  readonly context: ReadingContextEnumType;
  readonly atMs: number;
}

/** A reading chosen from one event, with its rank against readings from other events of the same transaction. */
export interface RankedReading {
  readonly wh: number;
  readonly rank: number;
}

const UNIT_EXPONENT: Readonly<Record<string, number>> = { Wh: 0, kWh: 3 };
const MAX_MULTIPLIER = 9;
/** seqNo is below 2^31 (checked in transactionEventFacts); the context weight dominates it. */
const CONTEXT_WEIGHT = 2 ** 31;

/** The register value in Wh, or undefined for a unit that is not energy in Wh/kWh. */
export function registerWh(value: number, unit: UnitOfMeasureType | undefined): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const base = UNIT_EXPONENT[unit?.unit ?? 'Wh'];
  const multiplier = unit?.multiplier ?? 0;
  if (base === undefined || !Number.isInteger(multiplier) || Math.abs(multiplier) > MAX_MULTIPLIER) return undefined;
  const wh = value * 10 ** (base + multiplier);
  // 12.345 kWh is 12345.000000000002 in floating point; 15 significant digits drop that noise.
  return Number(wh.toPrecision(15));
}

function locationRank(location: LocationEnumType | undefined): number {
  if (location === undefined || location === 'Outlet') return 0;
  if (location === 'Inlet') return 1;
  return 2;
}

/** One register reading per meterValue (the outlet's, else the inlet's, else another non-EV location). */
export function energyRegisterReadings(meterValues: readonly MeterValueType[] | undefined): RegisterReading[] {
  const readings: RegisterReading[] = [];
  for (const mv of meterValues ?? []) {
    const atMs = Date.parse(mv.timestamp);
    if (Number.isNaN(atMs)) continue;
    let best: { wh: number; context: ReadingContextEnumType; location: number } | undefined;
    for (const sv of mv.sampledValue) {
      if ((sv.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register') continue;
      if (sv.phase !== undefined || sv.location === 'EV') continue;
      const wh = registerWh(sv.value, sv.unitOfMeasure);
      if (wh === undefined) continue;
      const location = locationRank(sv.location);
      if (best === undefined || location < best.location) best = { wh, context: sv.context ?? 'Sample.Periodic', location };
    }
    if (best) readings.push({ wh: best.wh, context: best.context, atMs });
  }
  return readings;
}

/**
 * The event's candidates for the transaction's start and end reading. Across events the start is the reading with the
 * lowest rank (a Transaction.Begin reading before any other, then the lowest seqNo), the end the one with the highest
 * rank (Transaction.End first, then the highest seqNo) — so arrival order does not matter, and a transaction ended
 * by PowerLoss without a final reading ends at its last periodic one.
 */
export function rankReadings(readings: readonly RegisterReading[], seqNo: number): { start?: RankedReading; end?: RankedReading } {
  if (readings.length === 0) return {};
  const begin = readings.filter((r) => r.context === 'Transaction.Begin');
  const end = readings.filter((r) => r.context === 'Transaction.End');
  const earliest = (rs: readonly RegisterReading[]) => rs.reduce((a, b) => (b.atMs < a.atMs ? b : a));
  const latest = (rs: readonly RegisterReading[]) => rs.reduce((a, b) => (b.atMs >= a.atMs ? b : a));
  const first = earliest(begin.length > 0 ? begin : readings);
  const last = latest(end.length > 0 ? end : readings);
  return {
    start: { wh: first.wh, rank: (begin.length > 0 ? 0 : CONTEXT_WEIGHT) + seqNo },
    end: { wh: last.wh, rank: (end.length > 0 ? CONTEXT_WEIGHT : 0) + seqNo },
  };
}

/** Delivered energy: end minus start, 0 without both readings or when the register went backwards (meter swap). */
export function deliveredWh(startWh: number | undefined, endWh: number | undefined): number {
  if (startWh === undefined || endWh === undefined || endWh < startWh) return 0;
  return Number((endWh - startWh).toPrecision(15));
}
