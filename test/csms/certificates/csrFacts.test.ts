// readCsr on real PKCS#10 requests, including hostile ones: the facts csrDecision judges, and that decision.
import { describe, expect, it } from 'vitest';
import { decideCsr, type CsrPolicy } from '../../../src/csms/certificates/csrDecision.js';
import { readCsr } from '../../../src/csms/certificates/csrFacts.js';
import { ext } from '../../../src/pki/generator/certificateBuilder.js';
import { Oid } from '../../../src/pki/oids.js';
import * as der from '../../../src/pki/der/derWriter.js';
import { attr, sampleCsr, seccSubject } from './csrSamples.js';

const V2G: CsrPolicy = { certificateType: 'V2GCertificate', allowedKeyTypes: ['P-256', 'P-521', 'Ed448'] };
const decide = (pem: string, policy: CsrPolicy = V2G) => {
  const d = decideCsr(readCsr(pem).facts, policy);
  return d.accepted ? 'accept' : d.reason;
};

describe('readCsr', () => {
  it('a SECC CSR: key, subject, nothing CA-like requested; accepted', () => {
    const csr = sampleCsr();
    const read = readCsr(csr.pem);
    expect(read.csr?.der.equals(csr.der)).toBe(true);
    expect(read.facts).toEqual({
      pemChars: csr.pem.length,
      keyType: 'P-256',
      subject: { commonNames: ['DE*PNC*E00001'], organizations: ['PNC CPO'], countries: ['DE'], domainComponents: ['CPO'], otherAttributeTypes: [] },
      requested: { ca: false, certSign: false },
    });
    expect(decide(csr.pem)).toBe('accept');
  });

  it('P-521 and Ed448 CSRs are read and accepted', () => {
    expect(readCsr(sampleCsr({ keyType: 'P-521' }).pem).facts.keyType).toBe('P-521');
    expect(decide(sampleCsr({ keyType: 'Ed448', extensions: [ext.keyUsage(['digitalSignature'])] }).pem)).toBe('accept');
  });

  it('a broken self-signature: nothing of the CSR is used', () => {
    const read = readCsr(sampleCsr({ corruptSignature: true }).pem);
    expect(read.csr).toBeUndefined();
    expect(read.facts.unreadable?.problem).toBe('badSignature');
    expect(read.facts.subject).toBeUndefined();
    expect(decide(sampleCsr({ corruptSignature: true }).pem)).toBe('signature');
  });

  it('DC=MO, an OU, two CNs, C=DEU, a CN of 65 characters', () => {
    expect(decide(sampleCsr({ subject: seccSubject({ dc: 'MO' }) }).pem)).toBe('domainComponent');
    expect(readCsr(sampleCsr({ subject: [...seccSubject(), attr.OU('unit')] }).pem).facts.subject?.otherAttributeTypes).toEqual([Oid.organizationalUnitName]);
    expect(decide(sampleCsr({ subject: [...seccSubject(), attr.OU('unit')] }).pem)).toBe('subject');
    expect(decide(sampleCsr({ subject: [...seccSubject(), attr.CN('second')] }).pem)).toBe('commonName');
    expect(decide(sampleCsr({ subject: seccSubject({ c: 'DEU' }) }).pem)).toBe('country');
    expect(decide(sampleCsr({ subject: seccSubject({ cn: 'x'.repeat(65) }) }).pem)).toBe('commonName');
    expect(decide(sampleCsr({ subject: seccSubject({ dc: null }) }).pem)).toBe('domainComponent');
  });

  it('CA requests: basicConstraints cA, keyCertSign, cRLSign; an unreadable requested extension', () => {
    expect(readCsr(sampleCsr({ extensions: [ext.basicConstraints(true, 0)] }).pem).facts.requested).toEqual({ ca: true, certSign: false });
    expect(decide(sampleCsr({ extensions: [ext.basicConstraints(true)] }).pem)).toBe('caRequested');
    expect(decide(sampleCsr({ extensions: [ext.keyUsage(['digitalSignature', 'keyCertSign'])] }).pem)).toBe('caRequested');
    expect(decide(sampleCsr({ extensions: [ext.keyUsage(['cRLSign'])] }).pem)).toBe('caRequested');
    expect(decide(sampleCsr({ extensions: [] }).pem)).toBe('accept');
    const broken = { oid: Oid.basicConstraints, critical: true, value: der.octetString(Buffer.from([1, 2, 3])) };
    expect(readCsr(sampleCsr({ extensions: [broken] }).pem).facts.requested?.unreadable).toBeDefined();
    expect(decide(sampleCsr({ extensions: [broken] }).pem)).toBe('unreadable');
  });

  it('RSA keys carry their size', () => {
    expect(readCsr(sampleCsr({ keyType: 'RSA-1024', subject: [attr.CN('CS-1'), attr.O('CSO'), attr.C('DE')] }).pem).facts).toMatchObject({ keyType: 'RSA', rsaBits: 1024 });
  });

  it('garbage, two CSRs, a certificate instead, oversize input: typed facts, never an exception', () => {
    const one = sampleCsr().pem;
    for (const pem of ['', 'garbage', `${one}${one}`, one.replace('CERTIFICATE REQUEST', 'CERTIFICATE').replace('CERTIFICATE REQUEST', 'CERTIFICATE'), one.slice(0, one.length - 40)]) {
      const read = readCsr(pem);
      expect(read.csr).toBeUndefined();
      expect(read.facts.unreadable?.problem).toBeDefined();
      expect(decide(pem)).toBe('unreadable');
    }
    const huge = `${one}\n${' '.repeat(6000)}`;
    expect(readCsr(huge).facts).toEqual({ pemChars: huge.length });
    expect(decide(huge)).toBe('size');
    // Truncated DER inside valid base64.
    const truncated = `-----BEGIN CERTIFICATE REQUEST-----\n${sampleCsr().der.subarray(0, 60).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(readCsr(truncated).facts.unreadable?.problem).toBe('malformed');
  });
});
