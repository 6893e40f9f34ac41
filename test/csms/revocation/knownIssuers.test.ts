import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnownIssuers, KnownIssuersError, knownIssuersFromPemFiles, knownIssuersFromPkiDir } from '../../../src/csms/revocation/knownIssuers.js';
import { certIdFor, ocspRequestData } from '../../../src/pki/ocsp/certId.js';
import type { PkiDirectory } from '../../../src/pki/generator/pkiDirectory.js';
import { tempPki } from '../../helpers/ocspTestbed.js';
import { scratch } from '../../helpers/openssl.js';

let bench: ReturnType<typeof tempPki>;
let pki: PkiDirectory;
beforeAll(() => {
  bench = tempPki({ protocol: 'both' });
  pki = bench.pki;
});
afterAll(() => bench?.cleanup());

describe('knownIssuersFromPkiDir', () => {
  it('holds every root and sub-CA of the PKI, no leaf and no OCSP signer', () => {
    const issuers = knownIssuersFromPkiDir(bench.dir);
    const cas = pki.entries((e) => e.kind === 'root' || e.kind === 'sub-ca');
    expect(issuers.size).toBe(cas.length);
    expect(issuers.list().every((i) => i.cert.basicConstraints?.ca && !i.learned)).toBe(true);
    expect(cas.length).toBeGreaterThan(20);
  });

  it.each(['SHA256', 'SHA384', 'SHA512'] as const)('finds the issuer of hash data by %s, hex in any case', (alg) => {
    const issuers = knownIssuersFromPkiDir(bench.dir);
    for (const leafId of ['iso2/secc', 'iso20-p521/secc', 'iso20-ed448/oem-prov']) {
      const d = ocspRequestData(pki.certificate(leafId), pki.certificate(pki.entry(leafId).issuerId), alg)!;
      const found = issuers.find(alg, d.issuerNameHash.toUpperCase(), d.issuerKeyHash);
      expect(found?.cert.der).toEqual(pki.der(pki.entry(leafId).issuerId));
      expect(found?.source).toBe(`${bench.dir}:${pki.entry(leafId).issuerId}`);
    }
  });

  it('finds by a computed CertID; a different algorithm or a foreign key finds nothing', () => {
    const issuers = knownIssuersFromPkiDir(bench.dir);
    const sub2 = pki.certificate('iso2/mo-sub2');
    const id = certIdFor(pki.certificate(pki.entries((e) => e.suite === 'iso2' && e.role === 'contract')[0]!.id), sub2);
    expect(issuers.findForCertId(id)?.cert.der).toEqual(sub2.der);
    expect(issuers.findForCertId({ ...id, hashAlgorithm: 'SHA1' })).toBeUndefined();
    expect(issuers.find('SHA384', id.issuerNameHash, id.issuerKeyHash)).toBeUndefined();
    const otherKey = pki.certificate('iso2/cpo-sub2').publicKeyBits;
    expect(issuers.find('SHA256', id.issuerNameHash, Buffer.from(otherKey.subarray(0, 32)))).toBeUndefined();
  });

  it('a directory without a PKI is a KnownIssuersError', () => {
    const s = scratch('pnc-issuers-');
    try {
      expect(() => knownIssuersFromPkiDir(s.dir)).toThrow(KnownIssuersError);
    } finally {
      s.cleanup();
    }
  });
});

describe('knownIssuersFromPemFiles', () => {
  it('a directory of PEM files: CA certificates taken, signer leaves and key files skipped', () => {
    const dir = join(bench.dir, 'ocsp', 'iso2');
    expect(readdirSync(dir).some((f) => f.endsWith('.key.pem'))).toBe(true);
    const issuers = knownIssuersFromPemFiles([dir]);
    const signers = pki.entries((e) => e.suite === 'iso2' && e.kind === 'ocsp-signer');
    expect(issuers.size).toBe(signers.length);
    expect(issuers.list().map((i) => i.cert.subject.commonName).sort()).toEqual(signers.map((s) => pki.certificate(s.issuerId).subject.commonName).sort());
  });

  it('a chain file: the sub-CAs in it, not the leaf', () => {
    const chain = join(bench.dir, 'charger', 'iso2', 'keystore', 'secc.chain.pem');
    const issuers = knownIssuersFromPemFiles([chain]);
    expect(issuers.list().map((i) => i.cert.subject.commonName)).toEqual(['pnc-stack CPO Sub-CA 2', 'pnc-stack CPO Sub-CA 1']);
  });

  it('adds to an existing set without duplicates', () => {
    const issuers = knownIssuersFromPkiDir(bench.dir);
    const size = issuers.size;
    knownIssuersFromPemFiles([join(bench.dir, 'ocsp', 'iso2')], issuers);
    expect(issuers.size).toBe(size);
  });

  it('unreadable and malformed files are KnownIssuersErrors', () => {
    const s = scratch('pnc-issuers-');
    try {
      expect(() => knownIssuersFromPemFiles([join(s.dir, 'missing.pem')])).toThrow(KnownIssuersError);
      const broken = s.file('broken.pem', '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n');
      expect(() => knownIssuersFromPemFiles([broken])).toThrow(/broken\.pem: malformed certificate/);
      writeFileSync(join(s.dir, 'truncated.pem'), '-----BEGIN CERTIFICATE-----\nMIIB');
      expect(() => knownIssuersFromPemFiles([s.dir])).toThrow(KnownIssuersError);
    } finally {
      s.cleanup();
    }
  });
});

describe('learning', () => {
  it('learns CA certificates up to its bound, never leaves', () => {
    const issuers = new KnownIssuers(1);
    expect(issuers.learn(pki.certificate('iso2/secc'), 'chain')).toBe(false);
    expect(issuers.learn(pki.certificate('iso2/cpo-sub2'), 'chain')).toBe(true);
    expect(issuers.learn(pki.certificate('iso2/cpo-sub2'), 'chain')).toBe(false);
    expect(issuers.learn(pki.certificate('iso2/cpo-sub1'), 'chain')).toBe(false);
    expect(issuers.add(pki.certificate('iso2/cpo-sub1'), 'config')).toBe(true);
    expect(issuers.learned).toBe(1);
    expect(issuers.list().map((i) => [i.cert.subject.commonName, i.learned])).toEqual([
      ['pnc-stack CPO Sub-CA 1', false],
      ['pnc-stack CPO Sub-CA 2', true],
    ]);
  });
});
