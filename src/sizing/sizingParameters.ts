// The parameters of `pnc sizing`: each with its flag, its default and what it means, and the parsing of the command
// line's strings into a typed request. Wrong values are SizingInputErrors that name the flag.
import type { Protocol } from '../pki/profile/protocolProfile.js';
import { PRIVATE_KEY_BYTES } from './privateKeySizes.js';
import { SizingInputError } from './sizingInputError.js';
import { DEFAULT_FLEET_ASSUMPTIONS, type FleetAssumptions } from './stationFleet.js';
import {
  DEFAULT_STORAGE_ASSUMPTIONS,
  ISO20_SUITES,
  KEY_FORMATS,
  MAX_SUB_CAS,
  type Iso20Suite,
  type KeyFormat,
  type StorageAssumptions,
} from './storageAssumptions.js';

/** The options as commander hands them over (strings; --json a flag). */
export interface SizingOptions {
  readonly contracts?: string;
  readonly protocols?: string;
  readonly pki?: string;
  readonly json?: boolean;
  readonly iso2CertBytes?: string;
  readonly iso20CertBytes?: string;
  readonly subCas?: string;
  readonly rootGenerations?: string;
  readonly moRoots?: string;
  readonly oemRoots?: string;
  readonly ocspResponseBytes?: string;
  readonly iso20Suite?: string;
  readonly keyFormat?: string;
  readonly stations?: string;
  readonly seccPrice?: string;
  readonly renewalsPerYear?: string;
}

export type ParameterName = Exclude<keyof SizingOptions, 'json'>;

export interface SizingParameter {
  readonly name: ParameterName;
  /** As written on the command line, with its argument: `--contracts <N>`. */
  readonly flag: string;
  readonly description: string;
  /** The default as written on the command line; undefined: off unless given. */
  readonly defaultValue: string | undefined;
  /** An assumption (as opposed to the question asked: contracts, protocols, PKI, stations). */
  readonly assumption: boolean;
}

export const DEFAULT_CONTRACTS = 5;
const LIMITS = { count: 100_000, bytes: 65_535, generations: 10, stations: 10_000_000, renewals: 365, priceEuro: 1_000_000 } as const;

const s = DEFAULT_STORAGE_ASSUMPTIONS;
const keySizes = (format: KeyFormat): string =>
  Object.entries(PRIVATE_KEY_BYTES)
    .map(([type, bytes]) => `${type} ${bytes[format]} B`)
    .join(', ');
const f = DEFAULT_FLEET_ASSUMPTIONS;

export const SIZING_PARAMETERS: readonly SizingParameter[] = [
  { name: 'contracts', flag: '--contracts <N>', description: 'MSP contracts installed in the EV', defaultValue: String(DEFAULT_CONTRACTS), assumption: false },
  { name: 'protocols', flag: '--protocols <P>', description: 'iso2, iso20 or both', defaultValue: 'both', assumption: false },
  { name: 'pki', flag: '--pki <DIR>', description: 'use the real DER sizes of this pnc test PKI instead of the protocol maxima', defaultValue: undefined, assumption: false },
  { name: 'stations', flag: '--stations <N>', description: 'add the yearly SECC certificate cost and renewals of N stations', defaultValue: undefined, assumption: false },
  { name: 'iso2CertBytes', flag: '--iso2-cert-bytes <B>', description: 'ISO 15118-2 certificate size: the XSD certificateType maximum', defaultValue: String(s.iso2CertificateBytes), assumption: true },
  { name: 'iso20CertBytes', flag: '--iso20-cert-bytes <B>', description: 'ISO 15118-20 certificate size: the XSD certificateType maximum', defaultValue: String(s.iso20CertificateBytes), assumption: true },
  { name: 'subCas', flag: '--sub-cas <N>', description: `Sub-CAs in every chain below the root (0–${MAX_SUB_CAS})`, defaultValue: String(s.subCas), assumption: true },
  { name: 'rootGenerations', flag: '--root-generations <N>', description: 'V2G root generations held at once (old + new during the one-year transition)', defaultValue: String(s.rootGenerations), assumption: true },
  { name: 'moRoots', flag: '--mo-roots <N>', description: 'MO roots a charger trusts per protocol', defaultValue: String(s.moRoots), assumption: true },
  { name: 'oemRoots', flag: '--oem-roots <N>', description: 'OEM roots a charger trusts for -20 mutual TLS', defaultValue: String(s.oemRoots), assumption: true },
  { name: 'ocspResponseBytes', flag: '--ocsp-response-bytes <B>', description: 'one stapled OCSP response (measured ~1.3–1.5 kB)', defaultValue: String(s.ocspResponseBytes), assumption: true },
  { name: 'iso20Suite', flag: '--iso20-suite <S>', description: '-20 keys (and --pki certificates): p521 or ed448', defaultValue: s.iso20Suite, assumption: true },
  { name: 'keyFormat', flag: '--key-format <F>', description: `private keys as pkcs8 (DER with public key: ${keySizes('pkcs8')}) or raw (scalar: ${keySizes('raw')})`, defaultValue: s.keyFormat, assumption: true },
  { name: 'seccPrice', flag: '--secc-price <EUR>', description: 'SECC certificates of one station per year, in euro', defaultValue: (f.seccPriceCentsPerStationYear / 100).toFixed(2), assumption: true },
  { name: 'renewalsPerYear', flag: '--renewals-per-year <R>', description: 'SECC renewals per station per year, N or MIN-MAX', defaultValue: `${f.renewalsPerYear.min}-${f.renewalsPerYear.max}`, assumption: true },
];

export interface SizingRequest {
  readonly contracts: number;
  readonly protocols: readonly Protocol[];
  readonly pkiDir?: string;
  readonly json: boolean;
  readonly assumptions: StorageAssumptions;
  /** Present with --stations. */
  readonly stations?: number;
  readonly fleetAssumptions: FleetAssumptions;
  /** The parameters given on the command line; the others took their defaults. */
  readonly given: readonly ParameterName[];
}

function flagOf(name: ParameterName): string {
  const p = SIZING_PARAMETERS.find((x) => x.name === name);
  return p ? p.flag.split(' ')[0]! : name;
}

function wholeNumber(name: ParameterName, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const v = /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new SizingInputError(`${flagOf(name)} expects a whole number from ${min} to ${max}, got "${raw}"`);
  return v;
}

function choice<T extends string>(name: ParameterName, raw: string | undefined, fallback: T, choices: readonly T[]): T {
  if (raw === undefined) return fallback;
  const v = choices.find((c) => c === raw.trim());
  if (v === undefined) throw new SizingInputError(`${flagOf(name)} must be ${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}; got "${raw}"`);
  return v;
}

export function parseProtocols(raw: string | undefined): Protocol[] {
  const v = choice('protocols', raw, 'both', ['iso2', 'iso20', 'both'] as const);
  return v === 'both' ? ['iso2', 'iso20'] : [v];
}

/** Euro with at most two decimals, to whole cents (no floating-point money). */
export function parseEuroCents(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(raw.trim());
  const cents = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : NaN;
  if (!Number.isSafeInteger(cents) || cents > LIMITS.priceEuro * 100) {
    throw new SizingInputError(`--secc-price expects euro with at most two decimals from 0 to ${LIMITS.priceEuro}, e.g. 0.99; got "${raw}"`);
  }
  return cents;
}

/** `3-4` (or `3–4`) for a range, `3` for one value. */
export function parseRenewals(raw: string | undefined, fallback: FleetAssumptions['renewalsPerYear']): FleetAssumptions['renewalsPerYear'] {
  if (raw === undefined) return fallback;
  const m = /^(\d{1,3})(?:\s*[-–]\s*(\d{1,3}))?$/.exec(raw.trim());
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || min > max || max > LIMITS.renewals) {
    throw new SizingInputError(`--renewals-per-year expects N or MIN-MAX, whole numbers from 0 to ${LIMITS.renewals} with MIN ≤ MAX, e.g. 3-4; got "${raw}"`);
  }
  return { min, max };
}

export function parseSizingOptions(o: SizingOptions): SizingRequest {
  const assumptions: StorageAssumptions = {
    iso2CertificateBytes: wholeNumber('iso2CertBytes', o.iso2CertBytes, s.iso2CertificateBytes, 1, LIMITS.bytes),
    iso20CertificateBytes: wholeNumber('iso20CertBytes', o.iso20CertBytes, s.iso20CertificateBytes, 1, LIMITS.bytes),
    subCas: wholeNumber('subCas', o.subCas, s.subCas, 0, MAX_SUB_CAS),
    rootGenerations: wholeNumber('rootGenerations', o.rootGenerations, s.rootGenerations, 1, LIMITS.generations),
    moRoots: wholeNumber('moRoots', o.moRoots, s.moRoots, 0, LIMITS.count),
    oemRoots: wholeNumber('oemRoots', o.oemRoots, s.oemRoots, 0, LIMITS.count),
    ocspResponseBytes: wholeNumber('ocspResponseBytes', o.ocspResponseBytes, s.ocspResponseBytes, 0, LIMITS.bytes),
    iso20Suite: choice<Iso20Suite>('iso20Suite', o.iso20Suite, s.iso20Suite, ISO20_SUITES),
    keyFormat: choice<KeyFormat>('keyFormat', o.keyFormat, s.keyFormat, KEY_FORMATS),
  };
  if (o.pki !== undefined && o.pki.trim() === '') throw new SizingInputError('--pki expects a PKI directory');
  const stations = o.stations === undefined ? undefined : wholeNumber('stations', o.stations, 0, 0, LIMITS.stations);
  return {
    contracts: wholeNumber('contracts', o.contracts, DEFAULT_CONTRACTS, 0, LIMITS.count),
    protocols: parseProtocols(o.protocols),
    ...(o.pki !== undefined ? { pkiDir: o.pki } : {}),
    json: o.json === true,
    assumptions,
    ...(stations !== undefined ? { stations } : {}),
    fleetAssumptions: {
      seccPriceCentsPerStationYear: parseEuroCents(o.seccPrice, f.seccPriceCentsPerStationYear),
      renewalsPerYear: parseRenewals(o.renewalsPerYear, f.renewalsPerYear),
    },
    given: SIZING_PARAMETERS.filter((p) => o[p.name] !== undefined).map((p) => p.name),
  };
}
