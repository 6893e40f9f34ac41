// tracedCertificates: what a trace shows of a chain — readable names, validity, DER size, serial — with an eMAID CN
// masked like the charger masks eMAIDs, and an entry (never a throw) for bytes that are no certificate.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { maskEmaid } from '../../src/pki/emaid/maskEmaid.js';
import { buildCertificate, ext, type NameSpec } from '../../src/pki/generator/certificateBuilder.js';
import { MAX_TRACED_CERTIFICATES, MAX_TRACED_NAME_CHARS, UNPARSEABLE, tracedCertificates } from '../../src/trace/tracedCertificate.js';
import { cert, contractOf, DAY, NOW } from '../helpers/fixtures.js';

const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

/** A certificate with the names given (signature by a throw-away key: only parsing matters here). */
function certificateWith(subject: NameSpec, issuer: NameSpec = { country: 'DE', organization: 'pnc-stack MO', commonName: 'pnc-stack MO Sub-CA 2', domainComponent: 'MO' }): Buffer {
  return buildCertificate({
    serial: Buffer.from([0x01, 0x23]),
    subject,
    issuer,
    notBefore: NOW - DAY,
    notAfter: NOW + 365 * DAY,
    publicKey: key.publicKey,
    extensions: [ext.basicConstraints(false)],
    signatureAlgorithm: 'ecdsa-with-SHA256',
    signingKey: key.privateKey,
  });
}

const iso = (ms: number): string => new Date(ms).toISOString();

describe('tracedCertificates', () => {
  const contract = contractOf('iso2');
  const contractChain = [contract, cert('iso2/mo-sub2'), cert('iso2/mo-sub1')];
  const seccChain = [cert('iso2/secc'), cert('iso2/cpo-sub2'), cert('iso2/cpo-sub1')];
  const real = certificateWith({ country: 'DE', commonName: 'x' });

  it.each([
    {
      name: 'a -2 contract chain from the test PKI: the eMAID CN masked, the sub-CAs readable',
      ders: contractChain.map((c) => c.der),
      want: [
        { subject: `C=DE, O=pnc-stack MO, CN=${maskEmaid(contract.cert.subject.commonName!)}, DC=MO`, issuer: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 2, DC=MO' },
        { subject: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 2, DC=MO', issuer: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 1, DC=MO' },
        { subject: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 1, DC=MO', issuer: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Root CA, DC=MO' },
      ],
    },
    {
      name: 'a SECC chain: an EVSE id CN is no eMAID and stays as it is',
      ders: seccChain.map((c) => c.der),
      want: [
        { subject: 'C=DE, O=pnc-stack CPO, CN=DE*PNC*E00001*1, DC=CPO', issuer: 'C=DE, O=pnc-stack CPO, CN=pnc-stack CPO Sub-CA 2, DC=V2G' },
        { subject: 'C=DE, O=pnc-stack CPO, CN=pnc-stack CPO Sub-CA 2, DC=V2G', issuer: 'C=DE, O=pnc-stack CPO, CN=pnc-stack CPO Sub-CA 1, DC=V2G' },
        { subject: 'C=DE, O=pnc-stack CPO, CN=pnc-stack CPO Sub-CA 1, DC=V2G', issuer: 'C=DE, O=pnc-stack V2G, CN=pnc-stack V2G Root CA, DC=V2G' },
      ],
    },
    {
      name: 'a -20 Ed448 contract: masked as well',
      ders: [contractOf('iso20-ed448').der],
      want: [{ subject: `C=DE, O=pnc-stack MO, CN=${maskEmaid(contractOf('iso20-ed448').cert.subject.commonName!)}, DC=MO`, issuer: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 2, DC=MO' }],
    },
    {
      name: 'an eMAID written with hyphens, lower case and without check digit is still an eMAID',
      ders: [certificateWith({ country: 'DE', commonName: 'de-abc-123456789' })],
      want: [{ subject: `C=DE, CN=${maskEmaid('de-abc-123456789')}`, issuer: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 2, DC=MO' }],
    },
    {
      name: 'an eMAID in the issuer name is masked too',
      ders: [certificateWith({ commonName: 'leaf' }, { commonName: 'NLXYZ987654321' })],
      want: [{ subject: 'CN=leaf', issuer: `CN=${maskEmaid('NLXYZ987654321')}` }],
    },
    {
      name: 'a vehicle id (17 characters) and an eMAID in the O attribute are left alone: only a CN eMAID is masked',
      ders: [certificateWith({ organization: 'DEPNCC00000001A', commonName: 'PNCVIN00000000001' })],
      want: [{ subject: 'O=DEPNCC00000001A, CN=PNCVIN00000000001', issuer: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 2, DC=MO' }],
    },
    {
      name: 'control characters in a name cannot reach a terminal',
      ders: [certificateWith({ commonName: 'evil\u001b[2J\u0007CN' })],
      want: [{ subject: 'CN=evil\ufffd[2J\ufffdCN', issuer: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 2, DC=MO' }],
    },
    {
      name: 'garbage bytes',
      ders: [Buffer.from('this is not a certificate')],
      want: [{ subject: UNPARSEABLE, issuer: UNPARSEABLE }],
    },
    {
      name: 'a truncated certificate, an empty buffer and a certificate with a byte appended, between real ones',
      ders: [contract.der, contract.der.subarray(0, 200), Buffer.alloc(0), Buffer.concat([real, Buffer.from([0])]), real],
      want: [
        { subject: `C=DE, O=pnc-stack MO, CN=${maskEmaid(contract.cert.subject.commonName!)}, DC=MO`, issuer: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 2, DC=MO' },
        { subject: UNPARSEABLE, issuer: UNPARSEABLE },
        { subject: UNPARSEABLE, issuer: UNPARSEABLE },
        { subject: UNPARSEABLE, issuer: UNPARSEABLE },
        { subject: 'C=DE, CN=x', issuer: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 2, DC=MO' },
      ],
    },
  ])('$name', ({ ders, want }) => {
    const traced = tracedCertificates(ders);
    expect(traced.map((t) => ({ subject: t.subject, issuer: t.issuer }))).toEqual(want);
    // Sizes are the DER lengths, in order, for every entry, parseable or not.
    expect(traced.map((t) => t.bytes)).toEqual(ders.map((d) => d.length));
    for (const [i, t] of traced.entries()) {
      if (t.subject === UNPARSEABLE) {
        expect(t).toEqual({ subject: UNPARSEABLE, issuer: UNPARSEABLE, notBefore: '', notAfter: '', bytes: ders[i]!.length, serialHex: '' });
      } else {
        expect(t.notBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(Date.parse(t.notAfter)).toBeGreaterThan(Date.parse(t.notBefore));
      }
    }
  });

  it('validity and serial are the certificate\'s own', () => {
    const [leaf, sub2] = tracedCertificates([contract.der, cert('iso2/mo-sub2').der]);
    expect(leaf).toEqual({
      subject: expect.stringContaining('CN=DEPNC') as unknown,
      issuer: 'C=DE, O=pnc-stack MO, CN=pnc-stack MO Sub-CA 2, DC=MO',
      notBefore: iso(contract.cert.notBefore),
      notAfter: iso(contract.cert.notAfter),
      bytes: contract.der.length,
      serialHex: contract.cert.serialHex,
    });
    expect(sub2!.serialHex).toBe(cert('iso2/mo-sub2').cert.serialHex);
    // The full eMAID appears nowhere in what is traced.
    expect(JSON.stringify(leaf)).not.toContain(contract.cert.subject.commonName);
  });

  it('a hostile chain is bounded: at most MAX_TRACED_CERTIFICATES entries, names cut at MAX_TRACED_NAME_CHARS', () => {
    const many = Array.from({ length: 50 }, () => contract.der);
    expect(tracedCertificates(many)).toHaveLength(MAX_TRACED_CERTIFICATES);
    const [long] = tracedCertificates([certificateWith({ commonName: 'A'.repeat(5000) })]);
    expect(long!.subject).toHaveLength(MAX_TRACED_NAME_CHARS);
    expect(long!.subject.endsWith('…')).toBe(true);
    expect(tracedCertificates([])).toEqual([]);
  });

  it.each([
    ['DEPNCC00000001A', 'DEPNC*********A'],
    ['DE-PNC-C00000001-A', 'DEPNC*********A'],
    ['de8aa001234567', 'de8aa********7'],
    ['ABCDEFG', '*******'],
    ['', ''],
    ['DE-8AA', '*****'],
  ])('maskEmaid(%j) = %j: country and provider stay, the instance is hidden', (emaid, masked) => {
    expect(maskEmaid(emaid)).toBe(masked);
  });
});
