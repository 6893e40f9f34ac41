// The yearly SECC certificate cost and renewal round trips of a fleet of stations, as a table of cases.
import { describe, expect, it } from 'vitest';
import { SizingInputError } from '../../src/sizing/sizingInputError.js';
import { DEFAULT_FLEET_ASSUMPTIONS, estimateFleet, type FleetAssumptions } from '../../src/sizing/stationFleet.js';

describe('estimateFleet', () => {
  it.each([
    { stations: 1000, over: {}, cents: 99_000, trips: { min: 3000, max: 4000 }, bytes: 1000 * 49_379 },
    { stations: 1, over: {}, cents: 99, trips: { min: 3, max: 4 }, bytes: 49_379 },
    { stations: 0, over: {}, cents: 0, trips: { min: 0, max: 0 }, bytes: 0 },
    { stations: 250, over: { seccPriceCentsPerStationYear: 150, renewalsPerYear: { min: 6, max: 6 } }, cents: 37_500, trips: { min: 1500, max: 1500 }, bytes: 250 * 49_379 },
    { stations: 10_000_000, over: {}, cents: 990_000_000, trips: { min: 30_000_000, max: 40_000_000 }, bytes: 493_790_000_000 },
  ] as { stations: number; over: Partial<FleetAssumptions>; cents: number; trips: { min: number; max: number }; bytes: number }[])(
    '$stations stations',
    ({ stations, over, cents, trips, bytes }) => {
      const f = estimateFleet({ stations, assumptions: { ...DEFAULT_FLEET_ASSUMPTIONS, ...over }, chargerBytesPerStation: 49_379 });
      expect(f.yearlyCostCents).toBe(cents);
      expect(f.signCertificateRoundTripsPerYear).toEqual(trips);
      expect(f.chargerBytesAllStations).toBe(bytes);
      expect(f.stations).toBe(stations);
    },
  );

  it('defaults to €0.99 per station and year and 3–4 renewals', () => {
    expect(DEFAULT_FLEET_ASSUMPTIONS).toEqual({ seccPriceCentsPerStationYear: 99, renewalsPerYear: { min: 3, max: 4 } });
  });

  it.each([
    ['negative stations', { stations: -1 }],
    ['fractional stations', { stations: 2.5 }],
    ['a fractional price in cents', { assumptions: { ...DEFAULT_FLEET_ASSUMPTIONS, seccPriceCentsPerStationYear: 0.5 } }],
    ['renewals min above max', { assumptions: { ...DEFAULT_FLEET_ASSUMPTIONS, renewalsPerYear: { min: 5, max: 4 } } }],
    ['storage too large to count exactly', { stations: 10_000_000, chargerBytesPerStation: 2 ** 40 }],
  ])('refuses %s', (_name, over) => {
    expect(() => estimateFleet({ stations: 10, assumptions: DEFAULT_FLEET_ASSUMPTIONS, chargerBytesPerStation: 1000, ...over })).toThrow(SizingInputError);
  });
});
