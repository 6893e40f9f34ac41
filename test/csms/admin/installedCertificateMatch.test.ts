// Matching a certificate to a station's GetInstalledCertificateIds entries (M04.FR.07: each entry's own algorithm).
import { describe, expect, it } from 'vitest';
import { certificateHashDataOf, findInstalled, hashDataEqual } from '../../../src/csms/admin/installedCertificateMatch.js';
import type { CertificateHashDataChainType } from '../../../src/ocpp/generated/ocpp201.js';
import { cert } from '../../helpers/fixtures.js';

const v2g = cert('iso2/v2g-root').cert;
const mo = cert('iso2/mo-root').cert;
const sub1 = cert('iso2/cpo-sub1').cert;
const sub2 = cert('iso2/cpo-sub2').cert;
const secc = cert('iso2/secc').cert;

const installed: CertificateHashDataChainType[] = [
  { certificateType: 'V2GRootCertificate', certificateHashData: certificateHashDataOf(v2g, v2g, 'SHA512') },
  { certificateType: 'MORootCertificate', certificateHashData: certificateHashDataOf(mo, mo, 'SHA256') },
  {
    certificateType: 'V2GCertificateChain',
    certificateHashData: certificateHashDataOf(secc, sub2, 'SHA384'),
    childCertificateHashData: [certificateHashDataOf(sub2, sub1, 'SHA384'), certificateHashDataOf(sub1, v2g, 'SHA384')],
  },
];

describe('findInstalled', () => {
  it.each([
    ['the V2G root, reported with SHA-512', v2g, v2g, 'V2GRootCertificate', 'SHA512', false],
    ['the MO root, SHA-256', mo, mo, 'MORootCertificate', 'SHA256', false],
    ['the SECC leaf of the chain', secc, sub2, 'V2GCertificateChain', 'SHA384', false],
    ['a sub-CA, as a child entry', sub2, sub1, 'V2GCertificateChain', 'SHA384', true],
  ] as const)('%s', (_name, c, issuer, type, alg, child) => {
    expect(findInstalled(installed, c, issuer)).toMatchObject({ certificateType: type, hashData: { hashAlgorithm: alg }, child });
  });

  it('not installed, or named with the wrong issuer: undefined', () => {
    expect(findInstalled(installed, cert('iso20-p521/v2g-root').cert, cert('iso20-p521/v2g-root').cert)).toBeUndefined();
    expect(findInstalled(installed, sub2, v2g)).toBeUndefined();
    expect(findInstalled([], v2g, v2g)).toBeUndefined();
  });

  it('hash comparison folds case and the serial’s leading zeros, never the algorithm', () => {
    const a = certificateHashDataOf(mo, mo, 'SHA256');
    expect(hashDataEqual(a, { ...a, issuerNameHash: a.issuerNameHash.toUpperCase(), serialNumber: `00${a.serialNumber.toUpperCase()}` })).toBe(true);
    expect(hashDataEqual(a, { ...a, hashAlgorithm: 'SHA384' })).toBe(false);
    expect(hashDataEqual(a, { ...a, serialNumber: `${a.serialNumber}0` })).toBe(false);
    // The station's own entry comes back, byte for byte, to be sent in DeleteCertificate.
    const shouting = [{ certificateType: 'MORootCertificate' as const, certificateHashData: { ...a, issuerKeyHash: a.issuerKeyHash.toUpperCase() } }];
    expect(findInstalled(shouting, mo, mo)?.hashData.issuerKeyHash).toBe(a.issuerKeyHash.toUpperCase());
  });
});
