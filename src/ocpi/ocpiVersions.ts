// Version negotiation: the highest OCPI version both sides list (credentials: the Sender picks the version).
import { OCPI_VERSIONS, type OcpiVersion, type OcpiVersionNumber } from './ocpiTypes.js';

export function highestMutualVersion(theirs: readonly OcpiVersion[], ours: readonly OcpiVersionNumber[] = OCPI_VERSIONS): { version: OcpiVersionNumber; url: string } | undefined {
  for (const v of [...ours].sort(compareVersions).reverse()) {
    const match = theirs.find((t) => t.version === v);
    if (match) return { version: v, url: match.url };
  }
  return undefined;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
