// The ISO 15118 storage guidance as a pure calculation: what an EV and a charger keep (certificates, keys, OCSP
// responses) for the given contracts and protocols, one row per item and protocol, with subtotals and totals.
import type { Protocol } from '../pki/profile/protocolProfile.js';
import { CHAINS, maximumCertificateBytes, type CertificateSizes, type ChainName, type SizedCertificate } from './certificateSizes.js';
import { keyTypeOf, privateKeyBytes } from './privateKeySizes.js';
import { exactProduct, exactSum, SizingInputError } from './sizingInputError.js';
import { MAX_SUB_CAS, type StorageAssumptions } from './storageAssumptions.js';

export type Side = 'ev' | 'charger';
export const SIDES: readonly Side[] = ['ev', 'charger'];

export type StorageItem =
  | 'contract-certificates'
  | 'contract-keys'
  | 'v2g-roots'
  | 'oem-provisioning-certificates'
  | 'oem-provisioning-key'
  | 'vehicle-certificates'
  | 'vehicle-key'
  | 'mo-roots'
  | 'oem-roots'
  | 'secc-certificates'
  | 'secc-key'
  | 'ocsp-responses';

export type StorageUnit = 'chain' | 'certificate' | 'key' | 'ocsp-response';

export interface StorageRow {
  readonly side: Side;
  readonly item: StorageItem;
  readonly protocol: Protocol;
  readonly label: string;
  readonly unit: StorageUnit;
  /** Units held (chains, certificates, keys or responses). */
  readonly count: number;
  /** Certificates this row holds: count × certificates per chain; 0 for keys and OCSP responses. */
  readonly certificates: number;
  /** Bytes of one unit. */
  readonly bytesEach: number;
  /** Bytes of each certificate in one chain, leaf first ([bytesEach] for a single certificate, key or response). */
  readonly parts: readonly number[];
  readonly bytes: number;
}

export interface StorageSubtotal {
  readonly side: Side;
  readonly item: StorageItem;
  readonly label: string;
  readonly bytes: number;
}

export interface StorageInput {
  readonly contracts: number;
  readonly protocols: readonly Protocol[];
  readonly assumptions: StorageAssumptions;
  readonly sizes: CertificateSizes;
}

export interface StorageEstimate {
  readonly rows: readonly StorageRow[];
  /** One per side and item, over the protocols. */
  readonly subtotals: readonly StorageSubtotal[];
  readonly totals: Readonly<Record<Side, number>>;
  /** The seed's headline: contract certificates in the EV (5 contracts, both protocols, maxima: 36,000 B). */
  readonly contractCertificateBytes: number;
  /** Certificates of a PKI bigger than the protocol maximum (a peer would refuse them). */
  readonly warnings: readonly string[];
}

/** Item labels for subtotals, in the order the rows appear. */
export const ITEM_LABELS: Readonly<Record<StorageItem, string>> = {
  'contract-certificates': 'contract certificates',
  'contract-keys': 'contract private keys',
  'v2g-roots': 'V2G roots',
  'oem-provisioning-certificates': 'OEM provisioning certificates',
  'oem-provisioning-key': 'OEM provisioning private keys',
  'vehicle-certificates': 'vehicle certificates',
  'vehicle-key': 'vehicle private key',
  'mo-roots': 'MO roots',
  'oem-roots': 'OEM roots',
  'secc-certificates': 'SECC certificates',
  'secc-key': 'SECC private keys',
  'ocsp-responses': 'OCSP responses',
};

const CERTIFICATE_NAMES: Readonly<Record<SizedCertificate, string>> = {
  'v2g-root': 'V2G root',
  'mo-root': 'MO root',
  'oem-root': 'OEM root',
  contract: 'leaf',
  'mo-sub2': 'MO Sub-CA 2',
  'mo-sub1': 'MO Sub-CA 1',
  'oem-prov': 'leaf',
  'oem-sub2': 'OEM Sub-CA 2',
  'oem-sub1': 'OEM Sub-CA 1',
  vehicle: 'leaf',
  'vehicle-sub2': 'Sub-CA 2',
  'vehicle-sub1': 'Sub-CA 1',
  secc: 'leaf',
  'cpo-sub2': 'CPO Sub-CA 2',
  'cpo-sub1': 'CPO Sub-CA 1',
};

/** The chain as stored: the leaf and the first `subCas` Sub-CAs above it (Sub-CA 2 is the leaf's issuer). */
export function chainMembers(chain: ChainName, subCas: number): readonly SizedCertificate[] {
  return CHAINS[chain].slice(0, 1 + subCas);
}

function validate(input: StorageInput): void {
  const a = input.assumptions;
  const counts: [string, number][] = [
    ['contracts', input.contracts],
    ['subCas', a.subCas],
    ['rootGenerations', a.rootGenerations],
    ['moRoots', a.moRoots],
    ['oemRoots', a.oemRoots],
    ['ocspResponseBytes', a.ocspResponseBytes],
  ];
  for (const [name, v] of counts) if (!Number.isSafeInteger(v) || v < 0) throw new SizingInputError(`${name} must be a whole number ≥ 0, got ${v}`);
  if (a.subCas > MAX_SUB_CAS) throw new SizingInputError(`subCas must be 0–${MAX_SUB_CAS}, got ${a.subCas}`);
  if (input.protocols.length === 0) throw new SizingInputError('no protocol to size');
  if (new Set(input.protocols).size !== input.protocols.length) throw new SizingInputError(`protocols repeat: ${input.protocols.join(', ')}`);
}

export function estimateStorage(input: StorageInput): StorageEstimate {
  validate(input);
  const a = input.assumptions;
  const rows: StorageRow[] = [];
  const warnings: string[] = [];

  const sizeOf = (protocol: Protocol, c: SizedCertificate): number => {
    const bytes = input.sizes.bytes[protocol]?.[c];
    if (bytes === undefined) throw new SizingInputError(`no size for the ${protocol} ${c} certificate (${input.sizes.source})`);
    if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new SizingInputError(`the ${protocol} ${c} certificate size must be a whole number > 0, got ${bytes}`);
    const max = maximumCertificateBytes(protocol, a);
    const warning = `${protocol} ${c} is ${bytes} B, above the ${max} B maximum assumed for ${protocolName(protocol)}`;
    if (bytes > max && !warnings.includes(warning)) warnings.push(warning);
    return bytes;
  };
  const row = (r: Omit<StorageRow, 'bytes' | 'bytesEach' | 'certificates'>): void => {
    const bytesEach = exactSum(r.parts);
    const perUnit = r.unit === 'chain' || r.unit === 'certificate' ? r.parts.length : 0;
    rows.push({ ...r, certificates: exactProduct(r.count, perUnit), bytesEach, bytes: exactProduct(r.count, bytesEach) });
  };
  const chainRow = (side: Side, item: StorageItem, protocol: Protocol, chain: ChainName, what: string, count: number): void => {
    const members = chainMembers(chain, a.subCas);
    row({
      side,
      item,
      protocol,
      label: `${what} chain (${members.map((m) => CERTIFICATE_NAMES[m]).join(' + ')})`,
      unit: 'chain',
      count,
      parts: members.map((m) => sizeOf(protocol, m)),
    });
  };
  const rootRow = (side: Side, item: StorageItem, protocol: Protocol, root: SizedCertificate, label: string, count: number): void =>
    row({ side, item, protocol, label, unit: 'certificate', count, parts: [sizeOf(protocol, root)] });
  const keyRow = (side: Side, item: StorageItem, protocol: Protocol, what: string, count: number): void =>
    row({
      side,
      item,
      protocol,
      label: `${what} private key (${keyTypeOf(protocol, a.iso20Suite)}, ${a.keyFormat === 'pkcs8' ? 'PKCS#8 DER' : 'raw scalar'})`,
      unit: 'key',
      count,
      parts: [privateKeyBytes(protocol, a.iso20Suite, a.keyFormat)],
    });
  const generations = `${a.rootGenerations} generation${a.rootGenerations === 1 ? '' : 's'}: root transition`;

  // Rows item by item, each item's protocols together, so that the -2 and -20 rows of one item are adjacent.
  const each = (f: (p: Protocol) => void, only?: Protocol): void => {
    for (const p of input.protocols) if (only === undefined || p === only) f(p);
  };
  // EV
  each((p) => chainRow('ev', 'contract-certificates', p, 'contract', 'contract', input.contracts));
  each((p) => keyRow('ev', 'contract-keys', p, 'contract', input.contracts));
  each((p) => rootRow('ev', 'v2g-roots', p, 'v2g-root', `V2G root (${generations})`, a.rootGenerations));
  each((p) => chainRow('ev', 'oem-provisioning-certificates', p, 'oemProvisioning', 'OEM provisioning', 1));
  each((p) => keyRow('ev', 'oem-provisioning-key', p, 'OEM provisioning', 1));
  each((p) => chainRow('ev', 'vehicle-certificates', p, 'vehicle', 'vehicle (TLS client)', 1), 'iso20');
  each((p) => keyRow('ev', 'vehicle-key', p, 'vehicle', 1), 'iso20');
  // Charger
  each((p) => rootRow('charger', 'mo-roots', p, 'mo-root', 'MO root', a.moRoots));
  each((p) => rootRow('charger', 'v2g-roots', p, 'v2g-root', `V2G root (${generations})`, a.rootGenerations));
  each((p) => rootRow('charger', 'oem-roots', p, 'oem-root', 'OEM root (mutual TLS)', a.oemRoots), 'iso20');
  each((p) => chainRow('charger', 'secc-certificates', p, 'secc', 'SECC', 1));
  each((p) => keyRow('charger', 'secc-key', p, 'SECC', 1));
  each((p) =>
    row({
      side: 'charger',
      item: 'ocsp-responses',
      protocol: p,
      label: 'OCSP response, one per SECC chain certificate below the root',
      unit: 'ocsp-response',
      count: chainMembers('secc', a.subCas).length,
      parts: [a.ocspResponseBytes],
    }),
  );

  const subtotals: StorageSubtotal[] = [];
  for (const r of rows) {
    const i = subtotals.findIndex((s) => s.side === r.side && s.item === r.item);
    const previous = subtotals[i];
    if (previous) subtotals[i] = { ...previous, bytes: exactSum([previous.bytes, r.bytes]) };
    else subtotals.push({ side: r.side, item: r.item, label: ITEM_LABELS[r.item], bytes: r.bytes });
  }
  const sideTotal = (side: Side): number => exactSum(rows.filter((r) => r.side === side).map((r) => r.bytes));
  return {
    rows,
    subtotals,
    totals: { ev: sideTotal('ev'), charger: sideTotal('charger') },
    contractCertificateBytes: subtotals.find((s) => s.side === 'ev' && s.item === 'contract-certificates')?.bytes ?? 0,
    warnings,
  };
}

export function protocolName(p: Protocol): string {
  return p === 'iso2' ? 'ISO 15118-2' : 'ISO 15118-20';
}
