// What a fleet of charging stations costs in SECC certificates per year, how many SignCertificate round trips their
// renewals take, and the charger-side storage of all of them.
import { exactProduct, SizingInputError } from './sizingInputError.js';

export interface FleetAssumptions {
  /** Price of the SECC certificates of one station for one year, in euro cents (default €0.99 = 99). */
  readonly seccPriceCentsPerStationYear: number;
  /** SECC certificate renewals per station per year, as a range (default 3–4). */
  readonly renewalsPerYear: { readonly min: number; readonly max: number };
}

export const DEFAULT_FLEET_ASSUMPTIONS: FleetAssumptions = {
  seccPriceCentsPerStationYear: 99,
  renewalsPerYear: { min: 3, max: 4 },
};

export interface FleetInput {
  readonly stations: number;
  readonly assumptions: FleetAssumptions;
  /** Charger-side storage of one station (StorageEstimate.totals.charger). */
  readonly chargerBytesPerStation: number;
}

export interface FleetEstimate {
  readonly stations: number;
  readonly seccPriceCentsPerStationYear: number;
  readonly yearlyCostCents: number;
  readonly renewalsPerStationYear: { readonly min: number; readonly max: number };
  /** One SignCertificate request and response (OCPP 2.0.1, then CertificateSigned) per renewal. */
  readonly signCertificateRoundTripsPerYear: { readonly min: number; readonly max: number };
  readonly chargerBytesPerStation: number;
  readonly chargerBytesAllStations: number;
}

export function estimateFleet(input: FleetInput): FleetEstimate {
  const { stations, assumptions: a } = input;
  const whole = (name: string, v: number): void => {
    if (!Number.isSafeInteger(v) || v < 0) throw new SizingInputError(`${name} must be a whole number ≥ 0, got ${v}`);
  };
  whole('stations', stations);
  whole('seccPriceCentsPerStationYear', a.seccPriceCentsPerStationYear);
  whole('renewalsPerYear.min', a.renewalsPerYear.min);
  whole('renewalsPerYear.max', a.renewalsPerYear.max);
  whole('chargerBytesPerStation', input.chargerBytesPerStation);
  if (a.renewalsPerYear.min > a.renewalsPerYear.max) throw new SizingInputError(`renewals per year: ${a.renewalsPerYear.min} is more than ${a.renewalsPerYear.max}`);
  return {
    stations,
    seccPriceCentsPerStationYear: a.seccPriceCentsPerStationYear,
    yearlyCostCents: exactProduct(stations, a.seccPriceCentsPerStationYear),
    renewalsPerStationYear: { ...a.renewalsPerYear },
    signCertificateRoundTripsPerYear: { min: exactProduct(stations, a.renewalsPerYear.min), max: exactProduct(stations, a.renewalsPerYear.max) },
    chargerBytesPerStation: input.chargerBytesPerStation,
    chargerBytesAllStations: exactProduct(stations, input.chargerBytesPerStation),
  };
}
