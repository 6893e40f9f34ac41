// How big each certificate of the estimate is: the protocol maximum (default), or the real DER size from a PKI.
import type { Protocol } from '../pki/profile/protocolProfile.js';
import type { StorageAssumptions } from './storageAssumptions.js';

/** The certificates the estimate sizes, named as in the test PKI (`<suite>/<name>`). */
export type SizedCertificate =
  | 'v2g-root'
  | 'mo-root'
  | 'oem-root'
  | 'contract'
  | 'mo-sub2'
  | 'mo-sub1'
  | 'oem-prov'
  | 'oem-sub2'
  | 'oem-sub1'
  | 'vehicle'
  | 'vehicle-sub2'
  | 'vehicle-sub1'
  | 'secc'
  | 'cpo-sub2'
  | 'cpo-sub1';

/** Leaf first, then Sub-CA 2 and Sub-CA 1: the order a peer sends a chain in. */
export const CHAINS = {
  contract: ['contract', 'mo-sub2', 'mo-sub1'],
  oemProvisioning: ['oem-prov', 'oem-sub2', 'oem-sub1'],
  vehicle: ['vehicle', 'vehicle-sub2', 'vehicle-sub1'],
  secc: ['secc', 'cpo-sub2', 'cpo-sub1'],
} as const satisfies Record<string, readonly [SizedCertificate, SizedCertificate, SizedCertificate]>;

export type ChainName = keyof typeof CHAINS;

/** What each protocol needs: -2 has no vehicle (TLS client) certificate. */
export function certificatesNeeded(protocol: Protocol): readonly SizedCertificate[] {
  const chains: ChainName[] = protocol === 'iso20' ? ['contract', 'oemProvisioning', 'vehicle', 'secc'] : ['contract', 'oemProvisioning', 'secc'];
  const roots: SizedCertificate[] = protocol === 'iso20' ? ['v2g-root', 'mo-root', 'oem-root'] : ['v2g-root', 'mo-root'];
  return [...roots, ...chains.flatMap((c) => CHAINS[c])];
}

export type SizeSource = 'maxima' | 'pki';

export interface CertificateSizes {
  readonly source: SizeSource;
  /** Bytes per certificate and protocol; a protocol the estimate needs but this lacks is an input error. */
  readonly bytes: Readonly<Partial<Record<Protocol, Readonly<Partial<Record<SizedCertificate, number>>>>>>;
}

export function maximumCertificateBytes(protocol: Protocol, a: StorageAssumptions): number {
  return protocol === 'iso2' ? a.iso2CertificateBytes : a.iso20CertificateBytes;
}

/** Every certificate at its protocol's maximum size. */
export function maximumCertificateSizes(protocols: readonly Protocol[], a: StorageAssumptions): CertificateSizes {
  const bytes: Partial<Record<Protocol, Partial<Record<SizedCertificate, number>>>> = {};
  for (const p of protocols) {
    const max = maximumCertificateBytes(p, a);
    bytes[p] = Object.fromEntries(certificatesNeeded(p).map((c) => [c, max]));
  }
  return { source: 'maxima', bytes };
}
