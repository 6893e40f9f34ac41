// The readable form of a SizingReport: the EV and charger tables with subtotals, the fleet section, the assumptions.
import type { Protocol } from '../pki/profile/protocolProfile.js';
import type { AssumptionValue, SideReport, SizingReport } from './sizingReport.js';
import { protocolName } from './storageEstimate.js';

export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** kB = 1000 B, one decimal at most: 36000 → "36 kB", 690 → "0.7 kB". */
export function formatKb(bytes: number): string {
  return `${groupDigits(Math.round(bytes / 100) / 10)} kB`;
}

/** kB below a megabyte, MB (1,000,000 B) from there on. */
export function formatSize(bytes: number): string {
  return bytes >= 1_000_000 ? `${groupDigits(Math.round(bytes / 100_000) / 10)} MB` : formatKb(bytes);
}

export function formatEuro(cents: number): string {
  return `€${groupDigits(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, '0')}`;
}

const shortProtocol = (p: Protocol): string => (p === 'iso2' ? '-2' : '-20');

function bytesEach(parts: readonly number[], bytesEach: number): string {
  if (parts.length <= 1) return groupDigits(bytesEach);
  const first = parts[0]!;
  const detail = parts.every((p) => p === first) ? `${parts.length} × ${groupDigits(first)}` : parts.map(groupDigits).join(' + ');
  return `${groupDigits(bytesEach)} (${detail})`;
}

/** Left-aligned text columns and right-aligned number columns, padded to the widest cell. */
function layout(lines: readonly (readonly string[])[], rightAligned: readonly boolean[]): string[] {
  const widths = rightAligned.map((_, i) => Math.max(0, ...lines.map((l) => (l[i] ?? '').length)));
  return lines.map((l) =>
    l
      .map((cell, i) => (rightAligned[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function sideTable(title: string, totalLabel: string, side: SideReport, headline?: { label: string; bytes: number }): string {
  const lines: string[][] = [['', 'item', 'count', 'bytes each', 'total', '']];
  for (const [i, r] of side.rows.entries()) {
    lines.push([shortProtocol(r.protocol), r.label, groupDigits(r.count), bytesEach(r.parts, r.bytesEach), `${groupDigits(r.bytes)} B`, '']);
    const next = side.rows[i + 1];
    if (next?.item === r.item) continue;
    // After the last row of an item: its subtotal over the protocols, when there is more than one row to add up.
    const subtotal = side.subtotals.find((s) => s.item === r.item);
    const rowsOfItem = side.rows.filter((x) => x.item === r.item).length;
    if (subtotal && (rowsOfItem > 1 || headline?.label === subtotal.label)) {
      lines.push(['', `= ${subtotal.label}`, '', '', `${groupDigits(subtotal.bytes)} B`, formatKb(subtotal.bytes)]);
    }
  }
  lines.push(['', totalLabel, '', '', `${groupDigits(side.totalBytes)} B`, formatKb(side.totalBytes)]);
  const body = layout(lines, [false, false, true, true, true, false]);
  return `${title}\n${body.map((l) => `  ${l}`).join('\n')}\n`;
}

function valueText(v: AssumptionValue): string {
  if (typeof v === 'object') return v.min === v.max ? String(v.min) : `${v.min}–${v.max}`;
  return String(v);
}

export function renderSizingTable(r: SizingReport): string {
  const out: string[] = [];
  const protocols = r.protocols.map(protocolName).join(' + ');
  out.push(`pnc sizing: ISO 15118 certificate and key storage (kB = 1000 B, MB = 1,000,000 B)`);
  if (r.mode === 'pki') {
    const suites = r.protocols.map((p) => r.pki?.suites[p] ?? p).join(', ');
    out.push(`mode: pki — real DER sizes of the certificates in ${r.pki?.dir ?? 'a PKI'} (suites ${suites}); key and OCSP sizes as assumed`);
  } else {
    const maxima = r.protocols.map((p) => `${protocolName(p)} ${groupDigits(r.certificateBytes[p]?.contract ?? 0)} B`).join(', ');
    out.push(`mode: maxima — every certificate at its protocol's maximum size (${maxima})`);
  }
  out.push(`question: ${groupDigits(r.contracts)} contract${r.contracts === 1 ? '' : 's'}, ${protocols}${r.fleet ? `, ${groupDigits(r.fleet.stations)} stations` : ''}`);
  out.push('');
  out.push(sideTable('EV (one vehicle)', 'EV total', r.ev, { label: 'contract certificates', bytes: r.contractCertificateBytes }));
  out.push(`contract certificates in the EV: ${formatKb(r.contractCertificateBytes)} (${groupDigits(r.contractCertificateBytes)} B)\n`);
  out.push(sideTable('Charger (one station)', 'charger total', r.charger));
  if (r.fleet) {
    const f = r.fleet;
    const rt = f.signCertificateRoundTripsPerYear;
    const per = f.renewalsPerStationYear;
    const lines = layout(
      [
        ['SECC certificates', `${groupDigits(f.stations)} stations × ${formatEuro(f.seccPriceCentsPerStationYear)} per station and year`, `${formatEuro(f.yearlyCostCents)} per year`],
        [
          'SignCertificate round trips',
          `${groupDigits(f.stations)} stations × ${valueText(per)} renewals per year`,
          `${rt.min === rt.max ? groupDigits(rt.min) : `${groupDigits(rt.min)}–${groupDigits(rt.max)}`} per year`,
        ],
        ['charger storage, all stations', `${groupDigits(f.stations)} × ${groupDigits(f.chargerBytesPerStation)} B`, `${groupDigits(f.chargerBytesAllStations)} B = ${formatSize(f.chargerBytesAllStations)}`],
      ],
      [false, false, true],
    );
    out.push(`Stations (yearly)\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  }
  const assumptions = Object.values(r.assumptions).filter((a) => a.used);
  const rows = assumptions.map((a) => [a.flag, valueText(a.value), `${a.description}${a.isDefault ? '' : ' (given)'}`]);
  out.push(`Assumptions (each overridable with its flag)\n${layout(rows, [false, true, false]).map((l) => `  ${l}`).join('\n')}`);
  if (r.mode === 'pki') out.push('  (with --pki the certificate sizes come from the PKI; the -cert-bytes maxima only flag oversize certificates)');
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
