// One `pnc sizing` result: the question, the assumptions used (value, default, flag), the certificate sizes, the EV
// and charger estimates and the optional fleet section. `--json` prints it as is; the table renders it.
import type { Suite } from '../pki/generator/testPki.js';
import type { Protocol } from '../pki/profile/protocolProfile.js';
import type { CertificateSizes, SizedCertificate, SizeSource } from './certificateSizes.js';
import type { PkiCertificateSizes } from './pkiCertificateSizes.js';
import { SIZING_PARAMETERS, type ParameterName, type SizingRequest } from './sizingParameters.js';
import { estimateFleet, type FleetEstimate } from './stationFleet.js';
import { estimateStorage, type Side, type StorageRow, type StorageSubtotal } from './storageEstimate.js';

export type AssumptionValue = number | string | { readonly min: number; readonly max: number };

export interface AssumptionUsed {
  readonly flag: string;
  readonly description: string;
  readonly value: AssumptionValue;
  readonly isDefault: boolean;
  /** False when it did not enter the numbers (fleet parameters without --stations). */
  readonly used: boolean;
}

export interface SideReport {
  readonly rows: readonly StorageRow[];
  readonly subtotals: readonly StorageSubtotal[];
  readonly totalBytes: number;
}

export interface SizingReport {
  readonly mode: SizeSource;
  /** With --pki: the directory and the suite each protocol was sized from. */
  readonly pki?: { readonly dir: string; readonly suites: Readonly<Partial<Record<Protocol, Suite>>> };
  readonly units: { readonly kB: 1000; readonly MB: 1_000_000 };
  readonly contracts: number;
  readonly protocols: readonly Protocol[];
  readonly assumptions: Readonly<Partial<Record<ParameterName, AssumptionUsed>>>;
  /** Bytes per certificate and protocol as used: the maxima, or the PKI's real DER sizes. */
  readonly certificateBytes: Readonly<Partial<Record<Protocol, Readonly<Partial<Record<SizedCertificate, number>>>>>>;
  readonly ev: SideReport;
  readonly charger: SideReport;
  readonly contractCertificateBytes: number;
  readonly fleet?: FleetEstimate;
  readonly warnings: readonly string[];
}

function isPkiSizes(sizes: CertificateSizes): sizes is PkiCertificateSizes {
  return sizes.source === 'pki' && 'dir' in sizes;
}

function assumptionValue(name: ParameterName, r: SizingRequest): AssumptionValue | undefined {
  const a = r.assumptions;
  switch (name) {
    case 'iso2CertBytes':
      return a.iso2CertificateBytes;
    case 'iso20CertBytes':
      return a.iso20CertificateBytes;
    case 'subCas':
      return a.subCas;
    case 'rootGenerations':
      return a.rootGenerations;
    case 'moRoots':
      return a.moRoots;
    case 'oemRoots':
      return a.oemRoots;
    case 'ocspResponseBytes':
      return a.ocspResponseBytes;
    case 'iso20Suite':
      return a.iso20Suite;
    case 'keyFormat':
      return a.keyFormat;
    case 'seccPrice':
      return r.fleetAssumptions.seccPriceCentsPerStationYear / 100;
    case 'renewalsPerYear':
      return r.fleetAssumptions.renewalsPerYear;
    default:
      return undefined;
  }
}

function isUsed(name: ParameterName, r: SizingRequest): boolean {
  if (name === 'seccPrice' || name === 'renewalsPerYear') return r.stations !== undefined;
  if (name === 'iso2CertBytes') return r.protocols.includes('iso2');
  if (name === 'iso20CertBytes' || name === 'iso20Suite' || name === 'oemRoots') return r.protocols.includes('iso20');
  return true;
}

export function buildSizingReport(request: SizingRequest, sizes: CertificateSizes): SizingReport {
  const estimate = estimateStorage({ contracts: request.contracts, protocols: request.protocols, assumptions: request.assumptions, sizes });
  const side = (s: Side): SideReport => ({
    rows: estimate.rows.filter((r) => r.side === s),
    subtotals: estimate.subtotals.filter((t) => t.side === s),
    totalBytes: estimate.totals[s],
  });
  const assumptions: Partial<Record<ParameterName, AssumptionUsed>> = {};
  for (const p of SIZING_PARAMETERS) {
    const value = p.assumption ? assumptionValue(p.name, request) : undefined;
    if (value === undefined) continue;
    assumptions[p.name] = {
      flag: p.flag.split(' ')[0]!,
      description: p.description,
      value,
      isDefault: !request.given.includes(p.name),
      used: isUsed(p.name, request),
    };
  }
  const fleet =
    request.stations === undefined
      ? undefined
      : estimateFleet({ stations: request.stations, assumptions: request.fleetAssumptions, chargerBytesPerStation: estimate.totals.charger });
  return {
    mode: sizes.source,
    ...(isPkiSizes(sizes) ? { pki: { dir: sizes.dir, suites: sizes.suites } } : {}),
    units: { kB: 1000, MB: 1_000_000 },
    contracts: request.contracts,
    protocols: request.protocols,
    assumptions,
    certificateBytes: sizes.bytes,
    ev: side('ev'),
    charger: side('charger'),
    contractCertificateBytes: estimate.contractCertificateBytes,
    ...(fleet ? { fleet } : {}),
    warnings: estimate.warnings,
  };
}
