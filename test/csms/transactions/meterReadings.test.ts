import { describe, expect, it } from 'vitest';
import { deliveredWh, energyRegisterReadings, rankReadings, registerWh } from '../../../src/csms/transactions/meterReadings.js';
import type { MeterValueType, SampledValueType, UnitOfMeasureType } from '../../../src/ocpp/generated/ocpp201.js';

describe('registerWh', () => {
  const rows: [number, UnitOfMeasureType | undefined, number | undefined][] = [
    [1234, undefined, 1234],
    [1234, { unit: 'Wh' }, 1234],
    [12.345, { unit: 'kWh' }, 12345],
    [0.1, { unit: 'kWh' }, 100],
    [15.5, { unit: 'Wh', multiplier: 3 }, 15500],
    [15500, { unit: 'kWh', multiplier: -3 }, 15500],
    [7, { multiplier: 6 }, 7_000_000],
    [5, { unit: 'varh' }, undefined],
    [5, { unit: 'kwh' }, undefined],
    [5, { unit: 'Wh', multiplier: 1.5 }, undefined],
    [5, { unit: 'Wh', multiplier: 10 }, undefined],
    [Number.NaN, undefined, undefined],
    [Number.POSITIVE_INFINITY, undefined, undefined],
  ];
  it.each(rows)('%s %j → %s', (value, unit, wh) => {
    expect(registerWh(value, unit)).toBe(wh);
  });
});

function mv(timestamp: string, ...sampledValue: SampledValueType[]): MeterValueType {
  return { timestamp, sampledValue };
}

describe('energyRegisterReadings', () => {
  it('takes the total register only: no phases, no other measurand, not the EV; the outlet before the inlet', () => {
    const readings = energyRegisterReadings([
      mv(
        '2026-01-01T00:00:00Z',
        { value: 1, measurand: 'Power.Active.Import' },
        { value: 2, phase: 'L1' },
        { value: 3, location: 'EV' },
        { value: 4, location: 'Inlet' },
        { value: 5, location: 'Outlet', context: 'Transaction.Begin' },
      ),
      mv('2026-01-01T00:05:00Z', { value: 9, location: 'Inlet' }),
      mv('2026-01-01T00:06:00Z', { value: 9, measurand: 'SoC' }),
      mv('not a time', { value: 11 }),
    ]);
    expect(readings).toEqual([
      { wh: 5, context: 'Transaction.Begin', atMs: Date.parse('2026-01-01T00:00:00Z') },
      { wh: 9, context: 'Sample.Periodic', atMs: Date.parse('2026-01-01T00:05:00Z') },
    ]);
  });

  it('no meter values → no readings', () => {
    expect(energyRegisterReadings(undefined)).toEqual([]);
  });
});

describe('rankReadings', () => {
  const at = (m: number) => Date.parse('2026-01-01T00:00:00Z') + m * 60_000;
  it('Transaction.Begin / End win over samples; otherwise earliest and latest', () => {
    const r = rankReadings(
      [
        { wh: 10, context: 'Sample.Periodic', atMs: at(0) },
        { wh: 12, context: 'Transaction.Begin', atMs: at(1) },
        { wh: 30, context: 'Transaction.End', atMs: at(2) },
        { wh: 40, context: 'Sample.Periodic', atMs: at(3) },
      ],
      7,
    );
    expect(r.start?.wh).toBe(12);
    expect(r.end?.wh).toBe(30);
    const plain = rankReadings([{ wh: 40, context: 'Sample.Clock', atMs: at(3) }, { wh: 10, context: 'Sample.Periodic', atMs: at(0) }], 7);
    expect(plain.start?.wh).toBe(10);
    expect(plain.end?.wh).toBe(40);
    // A Begin reading of a later event still ranks before a sample of an earlier one; an End after any sample.
    expect(r.start!.rank).toBeLessThan(plain.start!.rank);
    expect(r.end!.rank).toBeGreaterThan(rankReadings([{ wh: 1, context: 'Sample.Periodic', atMs: at(0) }], 2 ** 31 - 1).end!.rank);
  });
  it('no readings → nothing', () => {
    expect(rankReadings([], 0)).toEqual({});
  });
});

describe('deliveredWh', () => {
  it.each([
    [100, 350, 250],
    [12345, 15500, 3155],
    [0.1, 0.3, 0.2],
    [500, 400, 0],
    [undefined, 400, 0],
    [100, undefined, 0],
  ])('%s → %s = %s', (start, end, wh) => {
    expect(deliveredWh(start, end)).toBe(wh);
  });
});
