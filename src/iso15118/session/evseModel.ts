// The charger's electrical side as the SECC describes it to the EV: energy transfer modes, limits and the meter. The
// charger application supplies the real values; the defaults are a 22 kW AC / 50 kW DC test charger.
export interface EvseModel {
  /** ISO 15118-2 SECC EVSEID (7–37 characters), e.g. DE*PNC*E00001*1. */
  readonly evseId: string;
  readonly energyModes: readonly ('AC_single_phase_core' | 'AC_three_phase_core' | 'DC_core' | 'DC_extended' | 'DC_combo_core' | 'DC_unique')[];
  readonly acNominalVoltage: number;
  readonly acMaxCurrent: number;
  readonly dcMaxCurrent: number;
  readonly dcMaxVoltage: number;
  readonly dcMinVoltage: number;
  readonly dcMaxPower: number;
  readonly meterId: string;
  /** Wh delivered so far, read at each charge-loop message. */
  meterReadingWh(sessionId: string): bigint;
}

export function testEvse(evseId = 'DE*PNC*E00001*1'): EvseModel {
  const started = new Map<string, number>();
  return {
    evseId,
    energyModes: ['AC_three_phase_core', 'DC_extended'],
    acNominalVoltage: 230,
    acMaxCurrent: 32,
    dcMaxCurrent: 125,
    dcMaxVoltage: 500,
    dcMinVoltage: 150,
    dcMaxPower: 50_000,
    meterId: 'PNC-METER-1',
    meterReadingWh(sessionId) {
      // 10 Wh per reading: monotonic and deterministic per session.
      const n = (started.get(sessionId) ?? 0) + 1;
      started.set(sessionId, n);
      return BigInt(n * 10);
    },
  };
}

/** A value in ISO 15118-2 PhysicalValueType form (Value × 10^Multiplier), Value within xs:short. */
export function physical(value: number, unit: 'h' | 'm' | 's' | 'A' | 'V' | 'W' | 'Wh'): { Multiplier: number; Unit: typeof unit; Value: number } {
  let multiplier = 0;
  let v = value;
  while (Math.abs(v) > 32767 && multiplier < 3) {
    v /= 10;
    multiplier++;
  }
  return { Multiplier: multiplier, Unit: unit, Value: Math.round(v) };
}

export function physicalNumber(p: { Multiplier: number; Value: number }): number {
  return p.Value * 10 ** p.Multiplier;
}
