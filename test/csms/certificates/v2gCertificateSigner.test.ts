// The CPO Sub-CA 2 as the CSMS's issuing CA: SECC leaves per suite, checked by openssl, by our ISO 15118 chain
// verdict (role secc) and by the charger's own CertificateSigned check; OCSP knows them once registered.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSignedChain } from '../../../src/charger/certificates/signedChainCheck.js';
import { caDatabaseRegistrar } from '../../../src/csms/certificates/caDatabaseRegistration.js';
import { V2gCertificateSigner, V2gSignerError } from '../../../src/csms/certificates/v2gCertificateSigner.js';
import { CaDatabaseStatus } from '../../../src/ocsp/caDatabaseStatus.js';
import { authoritiesFromPki } from '../../../src/ocsp/pkiAuthorities.js';
import { hasKeyUsage, parseCertificate } from '../../../src/pki/certificate/certificate.js';
import { parseCertificationRequestPem } from '../../../src/pki/certificate/certificationRequest.js';
import { decodePemCertificates } from '../../../src/pki/certificate/pem.js';
import { initPki, PkiDirectory } from '../../../src/pki/generator/pkiDirectory.js';
import { SUITES, type Suite } from '../../../src/pki/generator/testPki.js';
import { certIdFor } from '../../../src/pki/ocsp/certId.js';
import { encodeOcspRequest } from '../../../src/pki/ocsp/ocspMessages.js';
import { OcspResponderCore } from '../../../src/pki/ocsp/ocspResponderCore.js';
import { PROTOCOL_PROFILES } from '../../../src/pki/profile/protocolProfile.js';
import { chainVerdict } from '../../../src/pki/verdict/chainVerdict.js';
import { createTrustStore } from '../../../src/pki/verdict/trustStore.js';
import { opensslVerify } from '../../helpers/openssl.js';
import { sampleCsr, seccSubject, type SampleKeyType } from './csrSamples.js';

const PASSPHRASE = 'csms-signer-test';
const OCSP_URL = 'http://127.0.0.1:2599/ocsp';
let dir: string;
let signer: V2gCertificateSigner;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pnc-csms-signer-'));
  initPki(dir, { protocol: 'both', passphrase: PASSPHRASE, ocspUrl: OCSP_URL });
  signer = V2gCertificateSigner.fromPkiDirectory(dir, PASSPHRASE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const root = (suite: Suite): Buffer => decodePemCertificates(readFileSync(join(dir, 'csms', suite, 'truststore', 'v2g-root.pem'), 'utf8'))[0]!;
const KEY_OF: Record<Suite, SampleKeyType> = { iso2: 'P-256', 'iso20-p521': 'P-521', 'iso20-ed448': 'Ed448' };

describe('V2gCertificateSigner from a PKI directory', () => {
  it('loads the CPO Sub-CA 2 of every suite', () => {
    expect(signer.suites.sort()).toEqual(['iso2', 'iso20-ed448', 'iso20-p521']);
    expect(signer.keyTypes.sort()).toEqual(['Ed448', 'P-256', 'P-521']);
  });

  it.each(['iso2', 'iso20-p521', 'iso20-ed448'] as const)('%s: the CSR key picks the suite; the leaf has the SECC profile and verifies', async (suite) => {
    const csr = sampleCsr({ keyType: KEY_OF[suite], subject: seccSubject({ cn: 'DE*PNC*E00042*1', o: 'PNC CPO GmbH' }) });
    const now = Date.now();
    const issued = await signer.sign(parseCertificationRequestPem(csr.pem));
    expect(issued.suite).toBe(suite);
    const chain = decodePemCertificates(issued.chainPem);
    expect(chain).toHaveLength(3);
    expect(chain[0]!.equals(issued.der)).toBe(true);
    const pki = PkiDirectory.open(dir);
    expect(chain[1]!.equals(pki.der(`${suite}/cpo-sub2`))).toBe(true);
    expect(chain[2]!.equals(pki.der(`${suite}/cpo-sub1`))).toBe(true);

    const leaf = parseCertificate(issued.der);
    expect(leaf.subject).toMatchObject({ country: 'DE', organization: 'PNC CPO GmbH', commonName: 'DE*PNC*E00042*1', domainComponents: ['CPO'] });
    expect(leaf.publicKeyType).toBe(SUITES[suite].keyType);
    expect(leaf.signatureAlgorithm).toBe(SUITES[suite].signatureAlgorithm);
    expect(leaf.spki.equals(csr.key.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(leaf.basicConstraints).toMatchObject({ ca: false, critical: true });
    expect(leaf.keyUsage?.critical).toBe(true);
    expect(hasKeyUsage(leaf, 'digitalSignature')).toBe(true);
    expect(hasKeyUsage(leaf, 'keyAgreement')).toBe(suite !== 'iso20-ed448');
    expect(hasKeyUsage(leaf, 'keyCertSign')).toBe(false);
    expect(leaf.ocspUrls).toEqual([OCSP_URL]);
    expect(leaf.authorityKeyId?.equals(parseCertificate(chain[1]!).subjectKeyId!)).toBe(true);
    expect(leaf.notBefore).toBeLessThanOrEqual(now);
    expect(Math.round((leaf.notAfter - now) / 86_400_000)).toBe(60);
    expect(issued.der.length).toBeLessThanOrEqual(PROTOCOL_PROFILES[SUITES[suite].protocol].maxCertificateBytes);

    const ossl = await opensslVerify(issued.der, chain.slice(1), [root(suite)], now);
    expect(ossl.output).toMatch(/OK/);
    expect(ossl.ok).toBe(true);

    const verdict = chainVerdict({ leaf: issued.der, subCAs: chain.slice(1), trustStore: createTrustStore([{ der: root(suite) }]), protocol: SUITES[suite].protocol, role: 'secc', at: now });
    expect(verdict.checks.filter((c) => !c.ok)).toEqual([]);
    expect(verdict.valid).toBe(true);

    // What a charger checks before it installs the chain.
    const charger = checkSignedChain({
      certificateChain: issued.chainPem,
      suite,
      pendingPublicKey: csr.key.publicKey,
      installed: [{ id: 1, use: 'V2GRootCertificate', der: root(suite), installedAt: new Date(now).toISOString() }],
      at: now,
    });
    expect(charger.status).toBe('Accepted');
  });

  it('every leaf has its own serial', async () => {
    const csr = parseCertificationRequestPem(sampleCsr().pem);
    const serials = new Set<string>();
    for (let i = 0; i < 20; i++) serials.add((await signer.sign(csr)).serialHex);
    expect(serials.size).toBe(20);
  });

  it('openssl refuses the leaf against another suite’s root (the chain is really anchored)', async () => {
    const issued = await signer.sign(parseCertificationRequestPem(sampleCsr().pem));
    const chain = decodePemCertificates(issued.chainPem);
    expect((await opensslVerify(issued.der, chain.slice(1), [root('iso20-p521')], Date.now())).ok).toBe(false);
  });

  it('a key no CPO Sub-CA 2 serves: noCaForKey', async () => {
    await expect(signer.sign(parseCertificationRequestPem(sampleCsr({ keyType: 'P-384' }).pem))).rejects.toMatchObject({ name: 'V2gSignerError', code: 'noCaForKey' });
  });

  it('the leaf never outlives the Sub-CA 2, and nothing is signed once it has expired', async () => {
    const sub2 = PkiDirectory.open(dir).certificate('iso2/cpo-sub2');
    const late = V2gCertificateSigner.fromPkiDirectory(dir, PASSPHRASE, { clock: () => sub2.notAfter - 10 * 86_400_000 });
    const issued = await late.sign(parseCertificationRequestPem(sampleCsr().pem));
    expect(issued.cert.notAfter).toBe(sub2.notAfter);
    const expired = V2gCertificateSigner.fromPkiDirectory(dir, PASSPHRASE, { clock: () => sub2.notAfter + 1 });
    await expect(expired.sign(parseCertificationRequestPem(sampleCsr().pem))).rejects.toMatchObject({ code: 'caNotValid' });
  });

  it('a configured OCSP URL and validity replace the defaults', async () => {
    const s = V2gCertificateSigner.fromPkiDirectory(dir, PASSPHRASE, { ocspUrl: 'http://ocsp.example/x', validityDays: 30 });
    const issued = await s.sign(parseCertificationRequestPem(sampleCsr().pem));
    expect(issued.cert.ocspUrls).toEqual(['http://ocsp.example/x']);
    expect(Math.round((issued.cert.notAfter - Date.now()) / 86_400_000)).toBe(30);
    expect(() => V2gCertificateSigner.fromPkiDirectory(dir, PASSPHRASE, { validityDays: 0 })).toThrow(V2gSignerError);
  });

  it('a subject so long the -2 leaf would pass 800 bytes: tooLarge, nothing returned', async () => {
    // CN and O of 64 four-byte characters each: 512 bytes of names alone.
    const csr = sampleCsr({ subject: seccSubject({ cn: '\u{1F50C}'.repeat(64), o: '\u{1F50B}'.repeat(64) }) });
    await expect(signer.sign(parseCertificationRequestPem(csr.pem))).rejects.toMatchObject({ code: 'tooLarge' });
  });
});

describe('V2gCertificateSigner configuration errors', () => {
  it('wrong passphrase, empty directory, key of another CA, a chain without Sub-CA 1, an MO CA', () => {
    expect(() => V2gCertificateSigner.fromPkiDirectory(dir, 'wrong')).toThrow(/passphrase|decrypt/);
    const empty = mkdtempSync(join(tmpdir(), 'pnc-csms-empty-'));
    try {
      expect(() => V2gCertificateSigner.fromPkiDirectory(empty, PASSPHRASE)).toThrow(V2gSignerError);
      const ks = (suite: string, name: string) => join(dir, 'csms', suite, 'keystore', name);
      const file = (name: string, text: string) => {
        writeFileSync(join(empty, name), text);
        return join(empty, name);
      };
      // The iso2 chain with the iso20-p521 key.
      expect(() => V2gCertificateSigner.fromFiles([{ chain: ks('iso2', 'cpo-sub2.chain.pem'), key: ks('iso20-p521', 'cpo-sub2.key.pem') }], PASSPHRASE)).toThrow(/does not belong/);
      const onlySub2 = file('sub2.pem', readFileSync(ks('iso2', 'cpo-sub2.chain.pem'), 'utf8').split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----\n');
      expect(() => V2gCertificateSigner.fromFiles([{ chain: onlySub2, key: ks('iso2', 'cpo-sub2.key.pem') }], PASSPHRASE)).toThrow(/Sub-CA 1/);
      const mo = join(dir, 'msp', 'iso2', 'keystore');
      expect(() => V2gCertificateSigner.fromFiles([{ chain: join(mo, 'mo-sub2.chain.pem'), key: join(mo, 'mo-sub2.key.pem') }], PASSPHRASE)).toThrow(/MO CA/);
      expect(() => V2gCertificateSigner.fromFiles([{ chain: join(empty, 'missing.pem'), key: join(empty, 'missing.key') }], PASSPHRASE)).toThrow(V2gSignerError);
      // Two CAs for one suite.
      const both = { chain: ks('iso2', 'cpo-sub2.chain.pem'), key: ks('iso2', 'cpo-sub2.key.pem') };
      expect(() => V2gCertificateSigner.fromFiles([both, both], PASSPHRASE)).toThrow(/two CPO Sub-CA 2/);
      // Explicit files work like the directory.
      expect(V2gCertificateSigner.fromFiles([both], PASSPHRASE).suites).toEqual(['iso2']);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('caDatabaseRegistrar', () => {
  it('the OCSP responder of the PKI answers good for a registered leaf, unknown before', async () => {
    const pki = PkiDirectory.open(dir);
    const statuses = new CaDatabaseStatus(pki.databasePath);
    try {
      const core = new OcspResponderCore({ authorities: authoritiesFromPki(pki, PASSPHRASE), statuses });
      const issued = await signer.sign(parseCertificationRequestPem(sampleCsr({ keyType: 'P-521' }).pem));
      const ask = () => core.respond(encodeOcspRequest([certIdFor(issued.cert, parseCertificate(pki.der('iso20-p521/cpo-sub2')))])).answers[0]?.status;
      expect(ask()).toBe('unknown');
      await caDatabaseRegistrar(dir)(issued);
      expect(ask()).toBe('good');
      // The same certificate twice is refused by the CA database (serials are unique per issuer).
      await expect(caDatabaseRegistrar(dir)(issued)).rejects.toThrow(/already issued/);
    } finally {
      statuses.close();
    }
  });
});
