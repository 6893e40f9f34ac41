// The text rendering: number formats as a table of cases, and what the rendered report must show.
import { describe, expect, it } from 'vitest';
import { maximumCertificateSizes, type CertificateSizes } from '../../src/sizing/certificateSizes.js';
import { parseSizingOptions, type SizingOptions } from '../../src/sizing/sizingParameters.js';
import { buildSizingReport } from '../../src/sizing/sizingReport.js';
import { formatEuro, formatKb, formatSize, groupDigits, renderSizingTable } from '../../src/sizing/sizingTable.js';

function render(o: SizingOptions, sizes?: CertificateSizes): string {
  const request = parseSizingOptions(o);
  return renderSizingTable(buildSizingReport(request, sizes ?? maximumCertificateSizes(request.protocols, request.assumptions)));
}

describe('number formats', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [36000, '36,000'],
    [1234567, '1,234,567'],
  ])('groupDigits(%i) = %s', (n, text) => expect(groupDigits(n)).toBe(text));

  it.each([
    [36_000, '36 kB'],
    [690, '0.7 kB'],
    [0, '0 kB'],
    [55_315, '55.3 kB'],
    [999_949, '999.9 kB'],
    [1_234_000, '1,234 kB'],
  ])('formatKb(%i) = %s', (n, text) => expect(formatKb(n)).toBe(text));

  it.each([
    [49_379, '49.4 kB'],
    [49_379_000, '49.4 MB'],
    [1_000_000, '1 MB'],
    [2_500_000_000, '2,500 MB'],
  ])('formatSize(%i) = %s', (n, text) => expect(formatSize(n)).toBe(text));

  it.each([
    [99, '€0.99'],
    [99_000, '€990.00'],
    [0, '€0.00'],
    [123_456_705, '€1,234,567.05'],
  ])('formatEuro(%i) = %s', (n, text) => expect(formatEuro(n)).toBe(text));
});

describe('renderSizingTable', () => {
  it('shows the seed example with 36 kB of contract certificates, in kB of 1000 B', () => {
    const text = render({});
    expect(text).toContain('kB = 1000 B');
    expect(text).toContain('mode: maxima');
    expect(text).toContain('contract certificates in the EV: 36 kB (36,000 B)');
    expect(text).toMatch(/= contract certificates\s+36,000 B\s+36 kB/);
    expect(text).toMatch(/-2\s+contract chain \(leaf \+ MO Sub-CA 2 \+ MO Sub-CA 1\)\s+5\s+2,400 \(3 × 800\)\s+12,000 B/);
    expect(text).toMatch(/-20\s+contract chain \(leaf \+ MO Sub-CA 2 \+ MO Sub-CA 1\)\s+5\s+4,800 \(3 × 1,600\)\s+24,000 B/);
    expect(text).toMatch(/EV total\s+55,315 B\s+55.3 kB/);
    expect(text).toMatch(/charger total\s+49,379 B\s+49.4 kB/);
    expect(text).not.toContain('Stations');
    // Assumptions listed with their flags; the fleet ones only with --stations.
    expect(text).toMatch(/--ocsp-response-bytes\s+1500/);
    expect(text).not.toContain('--secc-price');
  });

  it('prints the contract subtotal even for one protocol', () => {
    const text = render({ protocols: 'iso2' });
    expect(text).toMatch(/= contract certificates\s+12,000 B\s+12 kB/);
    expect(text).not.toContain('-20 ');
    expect(text).not.toContain('--iso20-cert-bytes');
    expect(text).not.toContain('OEM root');
  });

  it('adds the stations section with cost and round trips', () => {
    const text = render({ stations: '1000' });
    expect(text).toMatch(/SECC certificates\s+1,000 stations × €0.99 per station and year\s+€990.00 per year/);
    expect(text).toMatch(/SignCertificate round trips\s+1,000 stations × 3–4 renewals per year\s+3,000–4,000 per year/);
    expect(text).toMatch(/charger storage, all stations\s+1,000 × 49,379 B\s+49,379,000 B = 49.4 MB/);
    expect(text).toMatch(/--secc-price\s+0.99/);
    expect(text).toMatch(/--renewals-per-year\s+3–4/);
  });

  it('marks given values and shows non-uniform chains part by part', () => {
    const request = parseSizingOptions({ protocols: 'iso2', moRoots: '7' });
    const max = maximumCertificateSizes(['iso2'], request.assumptions);
    const sizes: CertificateSizes = { source: 'pki', bytes: { iso2: { ...max.bytes.iso2, contract: 582, 'mo-sub2': 594, 'mo-sub1': 593, secc: 900 } } };
    const text = renderSizingTable(buildSizingReport(request, sizes));
    expect(text).toContain('mode: pki');
    expect(text).toMatch(/contract chain \(leaf \+ MO Sub-CA 2 \+ MO Sub-CA 1\)\s+5\s+1,769 \(582 \+ 594 \+ 593\)\s+8,845 B/);
    expect(text).toMatch(/--mo-roots\s+7\s+MO roots a charger trusts per protocol \(given\)/);
    expect(text).toContain('warning: iso2 secc is 900 B, above the 800 B maximum assumed for ISO 15118-2');
  });
});
