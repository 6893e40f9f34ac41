// The storage calculation as a table of cases. Expected bytes are written out by hand from the storage guidance
// (counts × sizes), not computed with the code under test.
import { describe, expect, it } from 'vitest';
import type { Protocol } from '../../src/pki/profile/protocolProfile.js';
import { maximumCertificateSizes, type CertificateSizes } from '../../src/sizing/certificateSizes.js';
import { SizingInputError } from '../../src/sizing/sizingInputError.js';
import { DEFAULT_STORAGE_ASSUMPTIONS, type StorageAssumptions } from '../../src/sizing/storageAssumptions.js';
import { estimateStorage, type StorageEstimate, type StorageInput, type StorageItem } from '../../src/sizing/storageEstimate.js';

const D = DEFAULT_STORAGE_ASSUMPTIONS;

function run(contracts: number, protocols: Protocol[], over: Partial<StorageAssumptions> = {}): StorageEstimate {
  const assumptions = { ...D, ...over };
  return estimateStorage({ contracts, protocols, assumptions, sizes: maximumCertificateSizes(protocols, assumptions) });
}

const item = (e: StorageEstimate, side: 'ev' | 'charger', i: StorageItem): number | undefined => e.subtotals.find((s) => s.side === side && s.item === i)?.bytes;

interface Case {
  readonly name: string;
  readonly contracts: number;
  readonly protocols: Protocol[];
  readonly over?: Partial<StorageAssumptions>;
  readonly contractCertificates: number;
  readonly expect: Partial<Record<`${'ev' | 'charger'}:${StorageItem}`, number | undefined>>;
  readonly ev: number;
  readonly charger: number;
}

// Key sizes (PKCS#8 DER): P-256 138, P-521 241, Ed448 73; raw: 32, 66, 57.
const CASES: readonly Case[] = [
  {
    name: 'the seed example: 5 contracts, both protocols',
    contracts: 5,
    protocols: ['iso2', 'iso20'],
    contractCertificates: 5 * 3 * 800 + 5 * 3 * 1600, // 36,000 B = 36 kB
    expect: {
      'ev:contract-keys': 5 * 138 + 5 * 241,
      'ev:v2g-roots': 2 * 800 + 2 * 1600,
      'ev:oem-provisioning-certificates': 3 * 800 + 3 * 1600,
      'ev:oem-provisioning-key': 138 + 241,
      'ev:vehicle-certificates': 3 * 1600,
      'ev:vehicle-key': 241,
      'charger:mo-roots': 5 * 800 + 5 * 1600,
      'charger:v2g-roots': 2 * 800 + 2 * 1600,
      'charger:oem-roots': 10 * 1600,
      'charger:secc-certificates': 3 * 800 + 3 * 1600,
      'charger:secc-key': 138 + 241,
      'charger:ocsp-responses': 2 * 3 * 1500,
    },
    ev: 36_000 + 1_895 + 4_800 + 7_200 + 379 + 4_800 + 241,
    charger: 12_000 + 4_800 + 16_000 + 7_200 + 379 + 9_000,
  },
  {
    name: 'ISO 15118-2 only: no vehicle certificate, no OEM roots',
    contracts: 5,
    protocols: ['iso2'],
    contractCertificates: 5 * 3 * 800,
    expect: {
      'ev:contract-keys': 5 * 138,
      'ev:vehicle-certificates': undefined,
      'ev:vehicle-key': undefined,
      'charger:oem-roots': undefined,
      'charger:ocsp-responses': 3 * 1500,
    },
    ev: 12_000 + 690 + 1_600 + 2_400 + 138,
    charger: 4_000 + 1_600 + 2_400 + 138 + 4_500,
  },
  {
    name: 'ISO 15118-20 only, Ed448 keys',
    contracts: 2,
    protocols: ['iso20'],
    over: { iso20Suite: 'ed448' },
    contractCertificates: 2 * 3 * 1600,
    expect: { 'ev:contract-keys': 2 * 73, 'ev:vehicle-key': 73, 'charger:secc-key': 73, 'charger:oem-roots': 16_000 },
    ev: 9_600 + 146 + 3_200 + 4_800 + 73 + 4_800 + 73,
    charger: 8_000 + 3_200 + 16_000 + 4_800 + 73 + 4_500,
  },
  {
    name: 'no contracts: the EV still holds roots and its OEM and vehicle certificates',
    contracts: 0,
    protocols: ['iso2', 'iso20'],
    contractCertificates: 0,
    expect: { 'ev:contract-certificates': 0, 'ev:contract-keys': 0, 'ev:v2g-roots': 4_800 },
    ev: 4_800 + 7_200 + 379 + 4_800 + 241,
    charger: 49_379,
  },
  {
    name: 'one root generation (no transition under way)',
    contracts: 5,
    protocols: ['iso2', 'iso20'],
    over: { rootGenerations: 1 },
    contractCertificates: 36_000,
    expect: { 'ev:v2g-roots': 800 + 1600, 'charger:v2g-roots': 800 + 1600 },
    ev: 55_315 - 2_400,
    charger: 49_379 - 2_400,
  },
  {
    name: 'three root generations',
    contracts: 5,
    protocols: ['iso2'],
    over: { rootGenerations: 3 },
    contractCertificates: 12_000,
    expect: { 'ev:v2g-roots': 3 * 800, 'charger:v2g-roots': 3 * 800 },
    ev: 12_000 + 690 + 2_400 + 2_400 + 138,
    charger: 4_000 + 2_400 + 2_400 + 138 + 4_500,
  },
  {
    name: 'one Sub-CA per chain: two certificates per chain, two OCSP responses',
    contracts: 5,
    protocols: ['iso2'],
    over: { subCas: 1 },
    contractCertificates: 5 * 2 * 800,
    expect: { 'ev:oem-provisioning-certificates': 1_600, 'charger:secc-certificates': 1_600, 'charger:ocsp-responses': 2 * 1500 },
    ev: 8_000 + 690 + 1_600 + 1_600 + 138,
    charger: 4_000 + 1_600 + 1_600 + 138 + 3_000,
  },
  {
    name: 'raw keys, no MO or OEM roots, smaller OCSP responses and certificates',
    contracts: 1,
    protocols: ['iso2', 'iso20'],
    over: { keyFormat: 'raw', moRoots: 0, oemRoots: 0, ocspResponseBytes: 1300, iso2CertificateBytes: 700, iso20CertificateBytes: 1000 },
    contractCertificates: 3 * 700 + 3 * 1000,
    expect: { 'ev:contract-keys': 32 + 66, 'charger:mo-roots': 0, 'charger:oem-roots': 0, 'charger:ocsp-responses': 6 * 1300 },
    ev: 5_100 + 98 + (1_400 + 2_000) + (2_100 + 3_000) + 98 + 3_000 + 66,
    charger: 0 + 3_400 + 0 + 5_100 + 98 + 7_800,
  },
];

describe('estimateStorage', () => {
  it.each(CASES)('$name', (c) => {
    const e = run(c.contracts, c.protocols, c.over);
    expect(e.contractCertificateBytes).toBe(c.contractCertificates);
    expect(item(e, 'ev', 'contract-certificates')).toBe(c.contractCertificates);
    for (const [key, bytes] of Object.entries(c.expect)) {
      const [side, name] = key.split(':') as ['ev' | 'charger', StorageItem];
      expect(item(e, side, name), key).toBe(bytes);
    }
    expect(e.totals.ev).toBe(c.ev);
    expect(e.totals.charger).toBe(c.charger);
    expect(e.warnings).toEqual([]);
  });

  it.each(CASES)('rows add up: $name', (c) => {
    const e = run(c.contracts, c.protocols, c.over);
    for (const r of e.rows) {
      expect(r.bytesEach).toBe(r.parts.reduce((a, b) => a + b, 0));
      expect(r.bytes).toBe(r.count * r.bytesEach);
      expect(c.protocols).toContain(r.protocol);
    }
    for (const side of ['ev', 'charger'] as const) {
      const rows = e.rows.filter((r) => r.side === side);
      expect(rows.reduce((a, r) => a + r.bytes, 0)).toBe(e.totals[side]);
      expect(e.subtotals.filter((s) => s.side === side).reduce((a, s) => a + s.bytes, 0)).toBe(e.totals[side]);
    }
  });

  it('counts certificates held: contracts × protocols × (leaf + 2 Sub-CAs)', () => {
    const e = run(5, ['iso2', 'iso20']);
    const contract = e.rows.filter((r) => r.item === 'contract-certificates');
    expect(contract.map((r) => [r.protocol, r.count, r.certificates, r.bytesEach])).toEqual([
      ['iso2', 5, 15, 2400],
      ['iso20', 5, 15, 4800],
    ]);
    expect(e.rows.filter((r) => r.unit === 'key').every((r) => r.certificates === 0)).toBe(true);
  });

  it('keeps the rows of one item together, EV first', () => {
    const e = run(5, ['iso2', 'iso20']);
    const order = e.rows.map((r) => `${r.side}:${r.item}`);
    const firstCharger = order.findIndex((o) => o.startsWith('charger:'));
    expect(order.slice(firstCharger).every((o) => o.startsWith('charger:'))).toBe(true);
    for (const key of new Set(order)) {
      const at = order.flatMap((o, i) => (o === key ? [i] : []));
      expect(at[at.length - 1]! - at[0]!, key).toBe(at.length - 1);
    }
  });

  it('warns about a PKI certificate above its protocol maximum', () => {
    const sizes = maximumCertificateSizes(['iso2'], D);
    const oversized: CertificateSizes = { source: 'pki', bytes: { iso2: { ...sizes.bytes.iso2, secc: 801 } } };
    const e = estimateStorage({ contracts: 1, protocols: ['iso2'], assumptions: D, sizes: oversized });
    expect(e.warnings).toEqual(['iso2 secc is 801 B, above the 800 B maximum assumed for ISO 15118-2']);
    expect(e.totals.charger).toBe(4_000 + 1_600 + 2_401 + 138 + 4_500);
  });

  const refusals: [string, Partial<StorageInput>][] = [
    ['negative contracts', { contracts: -1 }],
    ['fractional contracts', { contracts: 1.5 }],
    ['three Sub-CAs', { assumptions: { ...D, subCas: 3 } }],
    ['negative MO roots', { assumptions: { ...D, moRoots: -2 } }],
    ['no protocol', { protocols: [] }],
    ['a protocol twice', { protocols: ['iso2', 'iso2'] }],
    ['a size missing', { sizes: { source: 'pki', bytes: { iso2: { contract: 500 } } } }],
    ['a size of zero', { sizes: { source: 'pki', bytes: { iso2: { ...maximumCertificateSizes(['iso2'], D).bytes.iso2, 'mo-root': 0 } } } }],
    ['a count too large to add up exactly', { contracts: 2 ** 52 }],
  ];
  it.each(refusals)('refuses %s with a SizingInputError', (_name, over) => {
    const input: StorageInput = { contracts: 5, protocols: ['iso2'], assumptions: D, sizes: maximumCertificateSizes(['iso2'], D), ...over };
    expect(() => estimateStorage(input)).toThrow(SizingInputError);
  });
});
