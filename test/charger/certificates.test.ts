// The charger's certificate pieces of the OCPP station side: the SECC renewal CSR (checked by `openssl req`), the
// CertificateSigned chain check, and InstallCertificate / GetInstalledCertificateIds / DeleteCertificate as tables of
// cases over the test PKI. Hash data is checked against `openssl ocsp` as the independent oracle.
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  certificateHashData,
  findIssuer,
  hashDataMatches,
} from '../../src/charger/certificates/certificateHashData.js';
import {
  MAX_INSTALL_PEM_CHARS,
  deleteCertificate,
  getInstalledCertificateIds,
  installCertificate,
  readInventory,
  type CertificateInventory,
  type InstallRejection,
} from '../../src/charger/certificates/installedCertificates.js';
import { createSeccCsr, seccKeyType, type SeccSubjectSettings } from '../../src/charger/certificates/seccCsr.js';
import { checkSignedChain, type SignedChainInput, type SignedChainRejection } from '../../src/charger/certificates/signedChainCheck.js';
import type { InstalledCertificate, SeccCredentialRecord, TlsSuiteName } from '../../src/charger/store/chargerStateStore.js';
import type { CertificateHashDataType, HashAlgorithmEnumType, InstallCertificateUseEnumType } from '../../src/ocpp/generated/ocpp201.js';
import { parseCertificate, type Certificate } from '../../src/pki/certificate/certificate.js';
import { parseCertificationRequestPem } from '../../src/pki/certificate/certificationRequest.js';
import { encodePem } from '../../src/pki/certificate/pem.js';
import * as der from '../../src/pki/der/derWriter.js';
import { buildCertificate, ext, keyIdentifier, randomSerial, type ExtensionSpec } from '../../src/pki/generator/certificateBuilder.js';
import { CertificationRequestBuildError } from '../../src/pki/generator/certificationRequest.js';
import { PrivateKeyError, decryptPrivateKey, generateKeyPair, type KeyPair } from '../../src/pki/generator/keys.js';
import { SUITES, issue, type IssuedCertificate } from '../../src/pki/generator/testPki.js';
import { DAY, NOW, cert } from '../helpers/fixtures.js';
import { openssl, pemOf, scratch } from '../helpers/openssl.js';

const SUITE_NAMES: readonly TlsSuiteName[] = ['iso2', 'iso20-p521', 'iso20-ed448'];
const SETTINGS: SeccSubjectSettings = { seccId: 'DE*PNC*E00001*1', organizationName: 'pnc-stack CPO', countryName: 'DE' };
const PASSPHRASE = 'charger-secret';
const pem = (...c: readonly (IssuedCertificate | Buffer)[]): string => pemOf(c.map((x) => (Buffer.isBuffer(x) ? x : x.der)));

async function opensslReq(csrPem: string, args: readonly string[]): Promise<string> {
  const s = scratch('pnc-secc-csr-');
  try {
    const r = await openssl(['req', '-in', s.file('csr.pem', csrPem), ...args]);
    expect(r.code, r.stderr).toBe(0);
    return `${r.stdout}${r.stderr}`;
  } finally {
    s.cleanup();
  }
}

/** What a CPO CA does with a SECC CSR: a DC=CPO leaf for the CSR's key under the suite's CPO Sub-CA 2. */
function issueSecc(suite: TlsSuiteName, key: KeyPair, opts: { dc?: string | null; issuer?: IssuedCertificate; notBefore?: number; notAfter?: number; extra?: ExtensionSpec[] } = {}): IssuedCertificate {
  const dc = opts.dc === null ? {} : { domainComponent: opts.dc ?? 'CPO' };
  return issue({
    suite,
    id: `${suite}/renewed-secc`,
    name: 'renewed-secc',
    kind: 'leaf',
    role: 'secc',
    subject: { country: 'DE', organization: 'pnc-stack CPO', commonName: SETTINGS.seccId, ...dc },
    issuer: opts.issuer ?? cert(`${suite}/cpo-sub2`),
    notBefore: opts.notBefore ?? NOW - DAY,
    notAfter: opts.notAfter ?? NOW + 60 * DAY,
    usages: key.type === 'Ed448' ? ['digitalSignature'] : ['digitalSignature', 'keyAgreement'],
    ocspUrl: 'http://127.0.0.1:2560/ocsp',
    key,
    ...(opts.extra ? { extra: opts.extra } : {}),
  });
}

const row = (id: number, use: InstallCertificateUseEnumType, c: IssuedCertificate | Buffer): InstalledCertificate => ({
  id,
  use,
  der: Buffer.isBuffer(c) ? c : c.der,
  installedAt: '2026-11-24T12:00:00Z',
});
const rootsOf = (suite: TlsSuiteName): InstalledCertificate[] => [row(1, 'V2GRootCertificate', cert(`${suite}/v2g-root`)), row(2, 'MORootCertificate', cert(`${suite}/mo-root`))];
const seccChainOf = (suite: TlsSuiteName): Pick<SeccCredentialRecord, 'suite' | 'chain'> => ({
  suite,
  chain: [cert(`${suite}/secc`).der, cert(`${suite}/cpo-sub2`).der, cert(`${suite}/cpo-sub1`).der],
});

/** A small separate hierarchy: root → sub1 → sub2, none of it installed anywhere. */
function foreignHierarchy(suite: TlsSuiteName): { root: IssuedCertificate; sub1: IssuedCertificate; sub2: IssuedCertificate } {
  const base = { suite, notBefore: NOW - DAY, notAfter: NOW + 365 * DAY, usages: ['keyCertSign', 'cRLSign'] as const };
  const root = issue({ ...base, usages: [...base.usages], id: 'x/root', name: 'root', kind: 'root', subject: { country: 'DE', organization: 'Other', commonName: 'Other V2G Root', domainComponent: 'V2G' } });
  const sub1 = issue({ ...base, usages: [...base.usages], id: 'x/sub1', name: 'sub1', kind: 'sub-ca', pathLen: 1, issuer: root, subject: { country: 'DE', organization: 'Other', commonName: 'Other Sub-CA 1', domainComponent: 'V2G' } });
  const sub2 = issue({ ...base, usages: [...base.usages], id: 'x/sub2', name: 'sub2', kind: 'sub-ca', pathLen: 0, issuer: sub1, subject: { country: 'DE', organization: 'Other', commonName: 'Other Sub-CA 2', domainComponent: 'V2G' } });
  return { root, sub1, sub2 };
}

// ---------------------------------------------------------------------------------------------------------------

describe('SECC renewal CSR', () => {
  it.each(SUITE_NAMES)('%s: openssl verifies it; subject CN=SeccId, O, C, DC=CPO; the key comes back encrypted', async (suite) => {
    const csr = await createSeccCsr({ suite, settings: SETTINGS, key: { kind: 'generate', passphrase: PASSPHRASE } });
    expect(await opensslReq(csr.csrPem, ['-verify', '-noout'])).toMatch(/verify OK/);
    expect((await opensslReq(csr.csrPem, ['-noout', '-subject'])).trim()).toBe('subject=C = DE, O = pnc-stack CPO, CN = DE*PNC*E00001*1, DC = CPO');
    const text = await opensslReq(csr.csrPem, ['-noout', '-text']);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(suite === 'iso20-ed448' ? /Key Usage: critical\s+Digital Signature\s*\n/ : /Key Usage: critical\s+Digital Signature, Key Agreement/);

    const parsed = parseCertificationRequestPem(csr.csrPem);
    expect(parsed.publicKeyType).toBe(seccKeyType(suite));
    expect(parsed.signatureAlgorithm).toBe(SUITES[suite].signatureAlgorithm);
    expect(csr.keyPem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const key = decryptPrivateKey(csr.keyPem!, PASSPHRASE);
    expect(sign(suite === 'iso20-ed448' ? null : 'sha256', Buffer.from('x'), key).length).toBeGreaterThan(0);
    const spki = (k: { export(o: { type: 'spki'; format: 'der' }): Buffer }): Buffer => k.export({ type: 'spki', format: 'der' });
    expect(spki(parsed.publicKey).equals(spki(csr.publicKey))).toBe(true);
    expect(() => decryptPrivateKey(csr.keyPem!, 'wrong')).toThrow(PrivateKeyError);
  });

  it('with a provided signer (PKCS#11 style): no key material comes back', async () => {
    const pair = generateKeyPair('P-521');
    let calls = 0;
    const csr = await createSeccCsr({
      suite: 'iso20-p521',
      settings: SETTINGS,
      key: { kind: 'signer', publicKey: pair.publicKey, signer: (tbs) => (calls++, sign('sha512', tbs, pair.privateKey)) },
    });
    expect(calls).toBe(1);
    expect(csr.keyPem).toBeUndefined();
    expect(await opensslReq(csr.csrPem, ['-verify', '-noout'])).toMatch(/verify OK/);
  });

  it('a signer whose key does not fit the suite is refused before it signs', async () => {
    const pair = generateKeyPair('P-256');
    let calls = 0;
    const p = createSeccCsr({ suite: 'iso20-p521', settings: SETTINGS, key: { kind: 'signer', publicKey: pair.publicKey, signer: (tbs) => (calls++, sign('sha256', tbs, pair.privateKey)) } });
    await expect(p).rejects.toThrow(CertificationRequestBuildError);
    expect(calls).toBe(0);
  });

  it.each<[string, Partial<SeccSubjectSettings>]>([
    ['CountryName UK (not ISO 3166-1)', { countryName: 'UK' }],
    ['empty SeccId', { seccId: '' }],
    ['SeccId over 64 characters', { seccId: 'E'.repeat(65) }],
    ['empty OrganizationName', { organizationName: '' }],
  ])('unusable settings: %s', async (_name, change) => {
    const p = createSeccCsr({ suite: 'iso2', settings: { ...SETTINGS, ...change }, key: { kind: 'generate', passphrase: PASSPHRASE } });
    await expect(p).rejects.toMatchObject({ name: 'CertificationRequestBuildError', problem: 'subject' });
  });

  it('refuses to hand out an unencrypted key', async () => {
    await expect(createSeccCsr({ suite: 'iso2', settings: SETTINGS, key: { kind: 'generate', passphrase: '' } })).rejects.toThrow(PrivateKeyError);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('CertificateSigned chain check (V2GCertificate)', () => {
  const keys = new Map<TlsSuiteName, KeyPair>(SUITE_NAMES.map((s) => [s, generateKeyPair(seccKeyType(s))]));
  const pending = (s: TlsSuiteName): KeyPair => keys.get(s)!;
  const input = (suite: TlsSuiteName, certificateChain: string, over: Partial<SignedChainInput> = {}): SignedChainInput => ({
    certificateChain,
    suite,
    pendingPublicKey: pending(suite).publicKey,
    installed: rootsOf(suite),
    at: NOW,
    ...over,
  });

  it.each(SUITE_NAMES)('%s: a good chain (leaf, Sub-CA 2, Sub-CA 1) is Accepted and comes back in issuing order', (suite) => {
    const leaf = issueSecc(suite, pending(suite));
    const sub2 = cert(`${suite}/cpo-sub2`);
    const sub1 = cert(`${suite}/cpo-sub1`);
    const r = checkSignedChain(input(suite, pem(leaf, sub2, sub1)));
    expect(r.status, r.status === 'Rejected' ? r.detail : '').toBe('Accepted');
    expect(r.response).toEqual({ status: 'Accepted' });
    if (r.status !== 'Accepted') return;
    expect(r.chain.map((d) => d.toString('hex'))).toEqual([leaf.der, sub2.der, sub1.der].map((d) => d.toString('hex')));
  });

  it('the whole renewal: CSR → CA signs the key it parsed from the CSR → chain Accepted', async () => {
    const csr = await createSeccCsr({ suite: 'iso2', settings: SETTINGS, key: { kind: 'generate', passphrase: PASSPHRASE } });
    const parsed = parseCertificationRequestPem(csr.csrPem);
    const leafDer = buildCertificate({
      serial: randomSerial(),
      subject: parsed.subjectRaw,
      issuer: cert('iso2/cpo-sub2').cert.subjectRaw,
      notBefore: NOW - DAY,
      notAfter: NOW + 60 * DAY,
      publicKey: parsed.publicKey,
      extensions: [...parsed.extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value })), ext.subjectKeyIdentifier(keyIdentifier(parsed.publicKey)), ext.authorityKeyIdentifier(cert('iso2/cpo-sub2').cert.subjectKeyId!)],
      signatureAlgorithm: 'ecdsa-with-SHA256',
      signingKey: cert('iso2/cpo-sub2').key.privateKey,
    });
    const r = checkSignedChain({ ...input('iso2', pem(leafDer, cert('iso2/cpo-sub2'), cert('iso2/cpo-sub1'))), pendingPublicKey: csr.publicKey });
    expect(r.status, r.status === 'Rejected' ? r.detail : '').toBe('Accepted');
  });

  const iso2Leaf = (): IssuedCertificate => issueSecc('iso2', pending('iso2'));
  const subs = [cert('iso2/cpo-sub2'), cert('iso2/cpo-sub1')] as const;
  const foreign = foreignHierarchy('iso2');

  it.each<[string, () => SignedChainInput, SignedChainRejection | 'Accepted']>([
    ['sub-CAs in reverse order', () => input('iso2', pem(iso2Leaf(), subs[1], subs[0])), 'Accepted'],
    ['installed V2G root appended', () => input('iso2', pem(iso2Leaf(), ...subs, cert('iso2/v2g-root'))), 'Accepted'],
    ['leaf with DC=MO instead of DC=CPO', () => input('iso2', pem(issueSecc('iso2', pending('iso2'), { dc: 'MO' }), ...subs)), 'domainComponent'],
    ['leaf without any DC', () => input('iso2', pem(issueSecc('iso2', pending('iso2'), { dc: null }), ...subs)), 'domainComponent'],
    ['leaf for another key', () => input('iso2', pem(issueSecc('iso2', generateKeyPair('P-256')), ...subs)), 'keyMismatch'],
    ['leaf under a root that is not installed', () => input('iso2', pem(issueSecc('iso2', pending('iso2'), { issuer: foreign.sub2 }), foreign.sub2, foreign.sub1)), 'untrusted'],
    ['a foreign root appended to the chain', () => input('iso2', pem(issueSecc('iso2', pending('iso2'), { issuer: foreign.sub1 }), foreign.sub1, foreign.root)), 'untrusted'],
    ['no V2G root installed at all', () => input('iso2', pem(iso2Leaf(), ...subs), { installed: [row(2, 'MORootCertificate', cert('iso2/mo-root'))] }), 'untrusted'],
    ['expired leaf', () => input('iso2', pem(issueSecc('iso2', pending('iso2'), { notBefore: NOW - 90 * DAY, notAfter: NOW - DAY }), ...subs)), 'expired'],
    ['judged after the chain expired', () => input('iso2', pem(iso2Leaf(), ...subs), { at: NOW + 400 * DAY }), 'expired'],
    ['leaf not yet valid', () => input('iso2', pem(issueSecc('iso2', pending('iso2'), { notBefore: NOW + DAY }), ...subs)), 'notYetValid'],
    [
      'oversize leaf (> 800 bytes for -2)',
      () => input('iso2', pem(issueSecc('iso2', pending('iso2'), { extra: [{ oid: '1.3.6.1.4.1.99999.1', critical: false, value: der.octetString(Buffer.alloc(400)) }] }), ...subs)),
      'tooLarge',
    ],
    ['chain text over 10000 characters', () => input('iso2', pem(iso2Leaf(), ...subs) + ' '.repeat(10_000)), 'tooLarge'],
    ['three sub-CAs for -2', () => input('iso2', pem(iso2Leaf(), ...subs, cert('iso2/cps-sub1'))), 'chainLength'],
    ['a sub-CA of another hierarchy instead of Sub-CA 1', () => input('iso2', pem(iso2Leaf(), subs[0], cert('iso2/mo-sub1'))), 'chain'],
    ['leaf that may sign certificates', () => input('iso2', pem(issue({ ...leafRequest(), usages: ['digitalSignature', 'keyCertSign'] }), ...subs)), 'chain'],
    ['garbage PEM', () => input('iso2', '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n'), 'pem'],
    ['PEM without END', () => input('iso2', '-----BEGIN CERTIFICATE-----\nMAA=\n'), 'pem'],
    ['a private key beside the chain', () => input('iso2', pem(iso2Leaf(), ...subs) + encodePem('PRIVATE KEY', Buffer.from([0x30, 0]))), 'pem'],
    ['base64 that is no certificate', () => input('iso2', encodePem('CERTIFICATE', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))), 'parse'],
    ['empty string', () => input('iso2', ''), 'empty'],
    ['text without PEM', () => input('iso2', 'hello\n'), 'empty'],
    ['no renewal pending', () => input('iso2', pem(iso2Leaf(), ...subs), { pendingPublicKey: undefined }), 'noPendingRequest'],
  ])('%s', (_name, make, expected) => {
    const r = checkSignedChain(make());
    if (expected === 'Accepted') {
      expect(r.status, r.status === 'Rejected' ? r.detail : '').toBe('Accepted');
      if (r.status === 'Accepted') expect(r.chain).toHaveLength(3);
      return;
    }
    expect(r.status).toBe('Rejected');
    if (r.status !== 'Rejected') return;
    expect(r.reason, r.detail).toBe(expected);
    expect(r.response.status).toBe('Rejected');
    const info = r.response.statusInfo!;
    expect(info.reasonCode.length).toBeLessThanOrEqual(20);
    expect(info.additionalInfo!.length).toBeLessThanOrEqual(512);
    expect(info.reasonCode).toBe(expected === 'tooLarge' ? 'TooLargeElement' : expected === 'chainLength' ? 'TooManyElements' : expected === 'noPendingRequest' ? 'InvalidMessageSeq' : 'InvalidCertificate');
  });

  function leafRequest(): Parameters<typeof issue>[0] {
    return {
      suite: 'iso2',
      id: 'iso2/odd-secc',
      name: 'odd-secc',
      kind: 'leaf',
      role: 'secc',
      subject: { country: 'DE', organization: 'pnc-stack CPO', commonName: SETTINGS.seccId, domainComponent: 'CPO' },
      issuer: cert('iso2/cpo-sub2'),
      notBefore: NOW - DAY,
      notAfter: NOW + 60 * DAY,
      usages: ['digitalSignature'],
      key: pending('iso2'),
    };
  }

  it('-20: a P-521 leaf under an Ed448 CPO Sub-CA does not fit the iso20-p521 suite', () => {
    const leaf = issueSecc('iso20-p521', pending('iso20-p521'), { issuer: cert('iso20-ed448/cpo-sub2') });
    const r = checkSignedChain(input('iso20-p521', pem(leaf, cert('iso20-ed448/cpo-sub2'), cert('iso20-ed448/cpo-sub1')), { installed: [...rootsOf('iso20-p521'), ...rootsOf('iso20-ed448')] }));
    expect(r.status === 'Rejected' && r.reason).toBe('suite');
  });

  it('-20: a 1200-byte leaf passes the 1600-byte limit, a 1700-byte one does not', () => {
    const big = (n: number): ExtensionSpec[] => [{ oid: '1.3.6.1.4.1.99999.1', critical: false, value: der.octetString(Buffer.alloc(n)) }];
    const subs20 = [cert('iso20-p521/cpo-sub2'), cert('iso20-p521/cpo-sub1')];
    const ok = issueSecc('iso20-p521', pending('iso20-p521'), { extra: big(500) });
    expect(ok.der.length).toBeGreaterThan(800);
    expect(checkSignedChain(input('iso20-p521', pem(ok, ...subs20))).status).toBe('Accepted');
    const tooBig = issueSecc('iso20-p521', pending('iso20-p521'), { extra: big(1100) });
    expect(tooBig.der.length).toBeGreaterThan(1600);
    const r = checkSignedChain(input('iso20-p521', pem(tooBig, ...subs20)));
    expect(r.status === 'Rejected' && r.reason).toBe('tooLarge');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('certificate hash data', () => {
  async function opensslCertId(c: Certificate, issuer: Certificate, alg: HashAlgorithmEnumType): Promise<{ name: string; key: string; serial: string }> {
    const s = scratch('pnc-certid-');
    try {
      const reqFile = s.file('req.der', '');
      const made = await openssl(['ocsp', '-issuer', s.file('issuer.pem', pemOf([issuer.der])), `-${alg.toLowerCase()}`, '-cert', s.file('cert.pem', pemOf([c.der])), '-no_nonce', '-reqout', reqFile]);
      expect(made.code, made.stderr).toBe(0);
      // Long hashes are wrapped with a trailing backslash.
      const text = (await openssl(['ocsp', '-reqin', reqFile, '-req_text'])).stdout.replace(/\\\n\s*/g, '');
      const field = (label: string): string => new RegExp(`${label}: ([0-9A-F]+)`).exec(text)![1]!;
      return { name: field('Issuer Name Hash'), key: field('Issuer Key Hash'), serial: field('Serial Number') };
    } finally {
      s.cleanup();
    }
  }

  it.each<[string, string, HashAlgorithmEnumType]>([
    ['iso2/secc', 'iso2/cpo-sub2', 'SHA256'],
    ['iso2/cpo-sub1', 'iso2/v2g-root', 'SHA384'],
    ['iso2/v2g-root', 'iso2/v2g-root', 'SHA256'],
    ['iso20-ed448/secc', 'iso20-ed448/cpo-sub2', 'SHA512'],
    ['iso20-p521/mo-root', 'iso20-p521/mo-root', 'SHA256'],
  ])('%s (issuer %s, %s) equals what openssl ocsp puts in its CertID', async (id, issuerId, alg) => {
    const c = cert(id).cert;
    const issuer = cert(issuerId).cert;
    const ours = certificateHashData(c, issuer, alg);
    const theirs = await opensslCertId(c, issuer, alg);
    expect(ours.hashAlgorithm).toBe(alg);
    expect(ours.issuerNameHash).toBe(theirs.name.toLowerCase());
    expect(ours.issuerKeyHash).toBe(theirs.key.toLowerCase());
    // OCPP: hex without 0x and without leading zeros; lowercase as EVerest writes it.
    expect(ours.serialNumber).toMatch(/^[1-9a-f][0-9a-f]*$/);
    expect(ours.serialNumber).toBe(theirs.serial.toLowerCase().replace(/^0+/, ''));
  });

  it('a serial with a high bit set (DER sign byte 00) loses the zero', () => {
    const c = [...['iso2', 'iso20-p521', 'iso20-ed448']].flatMap((s) => ['secc', 'cpo-sub1', 'cpo-sub2', 'mo-root'].map((n) => cert(`${s}/${n}`).cert));
    for (const x of c) {
      expect(certificateHashData(x, x).serialNumber).toBe(x.serial.toString('hex').replace(/^0+/, ''));
    }
  });

  it('findIssuer: itself for a root, the right CA for a sub-CA, nothing when absent', () => {
    const root = cert('iso2/v2g-root').cert;
    const sub1 = cert('iso2/cpo-sub1').cert;
    const sub2 = cert('iso2/cpo-sub2').cert;
    expect(findIssuer(root, [])).toBe(root);
    expect(findIssuer(sub2, [root, sub1])).toBe(sub1);
    expect(findIssuer(sub1, [sub2])).toBeUndefined();
    // Same name, different key: the -20 V2G root is not the -2 one's issuer.
    expect(findIssuer(sub1, [cert('iso20-p521/v2g-root').cert])).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------------

function selfSigned(opts: { key?: KeyPair; days?: number; notBefore?: number; usages?: ('keyCertSign' | 'cRLSign' | 'digitalSignature')[]; extra?: ExtensionSpec[]; cn?: string; rsa?: boolean } = {}): Buffer {
  const notBefore = opts.notBefore ?? NOW - DAY;
  const rsa = opts.rsa ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : undefined;
  const key = opts.key ?? generateKeyPair('P-256');
  const publicKey = rsa?.publicKey ?? key.publicKey;
  return buildCertificate({
    serial: randomSerial(),
    subject: { country: 'DE', organization: 'Test', commonName: opts.cn ?? 'Test Root', domainComponent: 'V2G' },
    issuer: { country: 'DE', organization: 'Test', commonName: opts.cn ?? 'Test Root', domainComponent: 'V2G' },
    notBefore,
    notAfter: notBefore + (opts.days ?? 3650) * DAY,
    publicKey,
    extensions: [ext.basicConstraints(true), ext.keyUsage(opts.usages ?? ['keyCertSign', 'cRLSign']), ext.subjectKeyIdentifier(keyIdentifier(publicKey)), ...(opts.extra ?? [])],
    signatureAlgorithm: rsa ? 'sha256WithRSAEncryption' : 'ecdsa-with-SHA256',
    signingKey: rsa?.privateKey ?? key.privateKey,
  });
}

describe('InstallCertificate', () => {
  const inventory = readInventory(rootsOf('iso2'), [seccChainOf('iso2')]);
  const limits = { maxEntries: 10, at: NOW };
  const fresh = selfSigned();
  const rsaRoot = selfSigned({ rsa: true, cn: 'CSMS Root' });
  const bigRoot = selfSigned({ extra: [{ oid: '1.3.6.1.4.1.99999.1', critical: false, value: der.octetString(Buffer.alloc(1700)) }] });
  const brokenSignature = Buffer.from(fresh);
  brokenSignature[brokenSignature.length - 3]! ^= 0x01;

  it.each<[string, InstallCertificateUseEnumType, string, 'install' | 'alreadyInstalled' | 'storeFull' | InstallRejection]>([
    ['a new V2G root', 'V2GRootCertificate', pem(fresh), 'install'],
    ['the installed V2G root again', 'V2GRootCertificate', pem(cert('iso2/v2g-root')), 'alreadyInstalled'],
    ['the installed V2G root as an MO root', 'MORootCertificate', pem(cert('iso2/v2g-root')), 'install'],
    ['an RSA CSMS root', 'CSMSRootCertificate', pem(rsaRoot), 'install'],
    ['a root valid only from next month (rollover)', 'V2GRootCertificate', pem(selfSigned({ notBefore: NOW + 30 * DAY })), 'install'],
    ['a 1.8 kB manufacturer root', 'ManufacturerRootCertificate', pem(bigRoot), 'install'],
    ['an RSA V2G root', 'V2GRootCertificate', pem(rsaRoot), 'algorithm'],
    ['a 1.8 kB V2G root', 'V2GRootCertificate', pem(bigRoot), 'tooLarge'],
    ['PEM over 5500 characters', 'V2GRootCertificate', pem(fresh) + ' '.repeat(MAX_INSTALL_PEM_CHARS), 'tooLarge'],
    ['garbage', 'V2GRootCertificate', 'not a certificate', 'notOneCertificate'],
    ['broken PEM', 'V2GRootCertificate', '-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----', 'pem'],
    ['two certificates', 'V2GRootCertificate', pem(fresh, cert('iso2/mo-root')), 'notOneCertificate'],
    ['a CSR', 'V2GRootCertificate', encodePem('CERTIFICATE REQUEST', Buffer.from([0x30, 0])), 'notOneCertificate'],
    ['DER that is no certificate', 'V2GRootCertificate', encodePem('CERTIFICATE', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00])), 'parse'],
    ['the SECC leaf', 'V2GRootCertificate', pem(cert('iso2/secc')), 'notCa'],
    ['a CA without keyCertSign', 'V2GRootCertificate', pem(selfSigned({ usages: ['cRLSign'] })), 'notCa'],
    ['a sub-CA', 'V2GRootCertificate', pem(cert('iso2/cpo-sub1')), 'notSelfSigned'],
    ['a root whose signature is broken', 'V2GRootCertificate', pem(brokenSignature), 'notSelfSigned'],
    ['an expired root', 'V2GRootCertificate', pem(selfSigned({ notBefore: NOW - 20 * DAY, days: 10 })), 'expired'],
    ['a root with an unknown critical extension', 'MORootCertificate', pem(selfSigned({ extra: [{ oid: '1.3.6.1.4.1.99999.2', critical: true, value: der.nullValue() }] })), 'criticalExtension'],
  ])('%s (%s)', (_name, certificateType, certificate, expected) => {
    const d = installCertificate({ certificateType, certificate }, inventory, limits);
    if (d.outcome === 'rejected') {
      expect(d.rejection, d.detail).toBe(expected);
      expect(d.response.status).toBe('Rejected');
      expect(d.response.statusInfo!.reasonCode).toBe(expected === 'tooLarge' ? 'TooLargeElement' : 'InvalidCertificate');
    } else {
      expect(d.outcome).toBe(expected);
    }
    if (d.outcome === 'install') {
      expect(d.response).toEqual({ status: 'Accepted' });
      expect(d.use).toBe(certificateType);
      expect(parseCertificate(d.der).subjectRaw.length).toBeGreaterThan(0);
    }
    if (d.outcome === 'alreadyInstalled') expect(d.id).toBe(1);
  });

  it('a full store answers Failed (OutOfStorage) — unless the certificate is already there', () => {
    const full = { maxEntries: 2, at: NOW };
    const d = installCertificate({ certificateType: 'V2GRootCertificate', certificate: pem(fresh) }, inventory, full);
    expect(d.outcome).toBe('storeFull');
    expect(d.response).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'OutOfStorage' } });
    expect(installCertificate({ certificateType: 'V2GRootCertificate', certificate: pem(cert('iso2/v2g-root')) }, inventory, full).response.status).toBe('Accepted');
  });

  it('unreadable rows count against the capacity and are reported', () => {
    const inv = readInventory([...rootsOf('iso2'), row(9, 'MORootCertificate', Buffer.from([0x30, 0x00]))], []);
    expect(inv.unreadable.map((u) => u.source)).toEqual(['installed certificate #9 (MORootCertificate)']);
    expect(inv.unreadable[0]!.reason).toMatch(/malformed/);
    expect(inv.roots).toHaveLength(2);
    expect(installCertificate({ certificateType: 'V2GRootCertificate', certificate: pem(fresh) }, inv, { maxEntries: 3, at: NOW }).outcome).toBe('storeFull');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('GetInstalledCertificateIds', () => {
  const full = readInventory(rootsOf('iso2'), [seccChainOf('iso2')]);
  const h = (id: string, issuerId: string, alg: HashAlgorithmEnumType = 'SHA256'): CertificateHashDataType => certificateHashData(cert(id).cert, cert(issuerId).cert, alg);
  const v2gRoot = { certificateType: 'V2GRootCertificate', certificateHashData: h('iso2/v2g-root', 'iso2/v2g-root') };
  const moRoot = { certificateType: 'MORootCertificate', certificateHashData: h('iso2/mo-root', 'iso2/mo-root') };
  const seccChain = {
    certificateType: 'V2GCertificateChain',
    certificateHashData: h('iso2/secc', 'iso2/cpo-sub2'),
    childCertificateHashData: [h('iso2/cpo-sub2', 'iso2/cpo-sub1'), h('iso2/cpo-sub1', 'iso2/v2g-root')],
  };

  it.each<[string, CertificateInventory, Parameters<typeof getInstalledCertificateIds>[0], unknown]>([
    ['no filter: every root and the SECC chain', full, {}, { status: 'Accepted', certificateHashDataChain: [v2gRoot, moRoot, seccChain] }],
    ['MORootCertificate only', full, { certificateType: ['MORootCertificate'] }, { status: 'Accepted', certificateHashDataChain: [moRoot] }],
    ['V2GCertificateChain: leaf with its sub-CAs as children', full, { certificateType: ['V2GCertificateChain'] }, { status: 'Accepted', certificateHashDataChain: [seccChain] }],
    ['two types', full, { certificateType: ['V2GRootCertificate', 'V2GCertificateChain'] }, { status: 'Accepted', certificateHashDataChain: [v2gRoot, seccChain] }],
    ['a type with nothing installed', full, { certificateType: ['CSMSRootCertificate'] }, { status: 'NotFound' }],
    ['empty charger', readInventory([], []), {}, { status: 'NotFound' }],
    [
      'V2G root not installed: Sub-CA 1 cannot be hashed, Sub-CA 2 can',
      readInventory([row(2, 'MORootCertificate', cert('iso2/mo-root'))], [seccChainOf('iso2')]),
      { certificateType: ['V2GCertificateChain'] },
      { status: 'Accepted', certificateHashDataChain: [{ ...seccChain, childCertificateHashData: [h('iso2/cpo-sub2', 'iso2/cpo-sub1')] }] },
    ],
  ])('%s', (_name, inventory, request, expected) => {
    expect(getInstalledCertificateIds(request, inventory)).toEqual(expected);
  });

  it('one V2GCertificateChain per suite, in the requested hash algorithm', () => {
    const inv = readInventory([...rootsOf('iso2'), ...rootsOf('iso20-ed448').map((r) => ({ ...r, id: r.id + 10 }))], [seccChainOf('iso2'), seccChainOf('iso20-ed448')]);
    const r = getInstalledCertificateIds({ certificateType: ['V2GCertificateChain'] }, inv, 'SHA512');
    expect(r.certificateHashDataChain).toHaveLength(2);
    expect(r.certificateHashDataChain![1]!.certificateHashData).toEqual(h('iso20-ed448/secc', 'iso20-ed448/cpo-sub2', 'SHA512'));
    expect(r.certificateHashDataChain![1]!.certificateHashData.issuerNameHash).toHaveLength(128);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('DeleteCertificate', () => {
  const inventory = readInventory([...rootsOf('iso2'), row(3, 'CSMSRootCertificate', cert('iso2/mo-root'))], [seccChainOf('iso2')]);
  const h = (id: string, issuerId: string, alg: HashAlgorithmEnumType = 'SHA256'): CertificateHashDataType => certificateHashData(cert(id).cert, cert(issuerId).cert, alg);
  const moRoot = h('iso2/mo-root', 'iso2/mo-root');
  const v2gRoot = h('iso2/v2g-root', 'iso2/v2g-root');
  const flip = (hex: string): string => (hex[0] === '0' ? '1' : '0') + hex.slice(1);

  it.each<[string, CertificateHashDataType, unknown]>([
    ['the V2G root anchoring the SECC chain: deleted, suite named', v2gRoot, { outcome: 'delete', removeIds: [1], anchorsSeccChainOf: ['iso2'], response: { status: 'Accepted' } }],
    ['a root installed under two uses: both rows', moRoot, { outcome: 'delete', removeIds: [2, 3], anchorsSeccChainOf: [], response: { status: 'Accepted' } }],
    [
      'upper-case hashes and a serial with leading zeros still name it',
      { ...moRoot, issuerNameHash: moRoot.issuerNameHash.toUpperCase(), issuerKeyHash: moRoot.issuerKeyHash.toUpperCase(), serialNumber: `00${moRoot.serialNumber.toUpperCase()}` },
      { outcome: 'delete', removeIds: [2, 3] },
    ],
    ['SHA-512 hash data', h('iso2/mo-root', 'iso2/mo-root', 'SHA512'), { outcome: 'delete', removeIds: [2, 3] }],
    ['another issuerNameHash', { ...moRoot, issuerNameHash: flip(moRoot.issuerNameHash) }, { outcome: 'notFound', response: { status: 'NotFound' } }],
    ['another issuerKeyHash', { ...moRoot, issuerKeyHash: flip(moRoot.issuerKeyHash) }, { outcome: 'notFound' }],
    ['another serial', { ...moRoot, serialNumber: flip(moRoot.serialNumber) }, { outcome: 'notFound' }],
    ['SHA-256 values labelled SHA384', { ...moRoot, hashAlgorithm: 'SHA384' }, { outcome: 'notFound' }],
    ['garbage', { hashAlgorithm: 'SHA256', issuerNameHash: 'zz', issuerKeyHash: '', serialNumber: '-1' }, { outcome: 'notFound' }],
    [
      'the SECC leaf: Failed (M04.FR.06)',
      h('iso2/secc', 'iso2/cpo-sub2'),
      { outcome: 'protected', suite: 'iso2', response: { status: 'Failed', statusInfo: { reasonCode: 'Unspecified' } } },
    ],
    ['a SECC sub-CA: Failed', h('iso2/cpo-sub1', 'iso2/v2g-root'), { outcome: 'protected', response: { status: 'Failed' } }],
    ['a root of another suite', h('iso20-p521/v2g-root', 'iso20-p521/v2g-root'), { outcome: 'notFound' }],
  ])('%s', (_name, certificateHashData, expected) => {
    expect(deleteCertificate({ certificateHashData }, inventory)).toMatchObject(expected as object);
  });

  it('hash data as GetInstalledCertificateIds reported it deletes exactly that row; afterwards it is NotFound', () => {
    const listed = getInstalledCertificateIds({ certificateType: ['V2GRootCertificate'] }, inventory, 'SHA384');
    const data = listed.certificateHashDataChain![0]!.certificateHashData;
    expect(hashDataMatches(data, cert('iso2/v2g-root').cert, cert('iso2/v2g-root').cert)).toBe(true);
    const d = deleteCertificate({ certificateHashData: data }, inventory);
    expect(d).toMatchObject({ outcome: 'delete', removeIds: [1] });
    const after = readInventory([...rootsOf('iso2').filter((r) => r.id !== 1), row(3, 'CSMSRootCertificate', cert('iso2/mo-root'))], [seccChainOf('iso2')]);
    expect(deleteCertificate({ certificateHashData: data }, after).outcome).toBe('notFound');
    // The SECC chain's Sub-CA 1 can no longer be hashed without its root; the leaf and Sub-CA 2 still can.
    expect(getInstalledCertificateIds({ certificateType: ['V2GCertificateChain'] }, after).certificateHashDataChain![0]!.childCertificateHashData).toHaveLength(1);
  });

});
