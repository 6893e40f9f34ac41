// What the leaf of each ISO 15118 chain must look like (ISO 15118-2 Annex F / -20 Annex B, as the public test PKIs
// implement them: reference notes iso15118-stacks §4.3 and §4.6).
import type { KeyUsageName } from '../certificate/certificate.js';

export type CertificateRole = 'contract' | 'secc' | 'oem' | 'vehicle' | 'cps';
export const ROLES: readonly CertificateRole[] = ['contract', 'secc', 'oem', 'vehicle', 'cps'];

export interface RoleProfile {
  readonly role: CertificateRole;
  readonly description: string;
  /** DomainComponent the leaf subject must carry. */
  readonly leafDomainComponent: string;
  /** keyUsage bits the leaf must have; keyCertSign and cRLSign are never allowed on a leaf. */
  readonly leafKeyUsage: readonly KeyUsageName[];
  /** The leaf CN is an eMAID. */
  readonly leafIsEmaid: boolean;
}

export const ROLE_PROFILES: Readonly<Record<CertificateRole, RoleProfile>> = {
  contract: {
    role: 'contract',
    description: 'contract certificate (MO)',
    leafDomainComponent: 'MO',
    // The contract key signs AuthorizationReq and MeteringReceiptReq.
    leafKeyUsage: ['digitalSignature'],
    leafIsEmaid: true,
  },
  secc: {
    role: 'secc',
    description: 'SECC certificate (CPO)',
    // [V2G2-925]: the SECC leaf carries DC=CPO; the EV refuses any other ([V2G2-875]).
    leafDomainComponent: 'CPO',
    leafKeyUsage: ['digitalSignature'],
    leafIsEmaid: false,
  },
  oem: {
    role: 'oem',
    description: 'OEM provisioning certificate',
    leafDomainComponent: 'OEM',
    leafKeyUsage: ['digitalSignature'],
    leafIsEmaid: false,
  },
  vehicle: {
    role: 'vehicle',
    description: 'vehicle certificate (-20 mutual TLS)',
    // The public -20 vehicle test PKI (EVerest) marks the vehicle chain DC=OEM.
    leafDomainComponent: 'OEM',
    leafKeyUsage: ['digitalSignature'],
    leafIsEmaid: false,
  },
  cps: {
    role: 'cps',
    description: 'certificate provisioning service (CPS) certificate',
    leafDomainComponent: 'CPS',
    leafKeyUsage: ['digitalSignature'],
    leafIsEmaid: false,
  },
};

export function isRole(value: string): value is CertificateRole {
  return (ROLES as readonly string[]).includes(value);
}
