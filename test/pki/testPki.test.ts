// The generated test PKI against the certificate profiles of reference notes iso15118-stacks §1.5, §3.3, §4 — checked
// certificate by certificate, chain by chain with `openssl verify -x509_strict`, and on disk as `pnc pki init` writes it.
import { X509Certificate, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyUsageNames, parseCertificate, type Certificate, type KeyUsageName } from '../../src/pki/certificate/certificate.js';
import { decodePem, decodePemCertificates, encodePem } from '../../src/pki/certificate/pem.js';
import { EmaidError, computeCheckDigit, parseEmaid } from '../../src/pki/emaid/emaid.js';
import { readCaDatabase } from '../../src/pki/generator/caDatabase.js';
import { keyIdentifier } from '../../src/pki/generator/certificateBuilder.js';
import { PrivateKeyError, decryptPrivateKey } from '../../src/pki/generator/keys.js';
import {
  CA_DATABASE,
  MANIFEST,
  PkiDirectory,
  PkiDirectoryError,
  initPki,
  issueContractInPki,
  revokeInPki,
  type PkiManifest,
} from '../../src/pki/generator/pkiDirectory.js';
import { DEFAULT_TEST_PKI, SUITES, buildTestPki, type IssuedCertificate, type Suite } from '../../src/pki/generator/testPki.js';
import { Oid } from '../../src/pki/oids.js';
import { PROTOCOL_PROFILES } from '../../src/pki/profile/protocolProfile.js';
import { DAY, NOW, cert, testPki } from '../helpers/fixtures.js';
import { openssl, opensslVerify, scratch } from '../helpers/openssl.js';

const ALL = [...testPki().values()];
const ALL_IDS = ALL.map((c) => c.id);
const SUITE_NAMES: readonly Suite[] = ['iso2', 'iso20-p521', 'iso20-ed448'];
const HOUR = 3_600_000;

const issuerOf = (c: IssuedCertificate): IssuedCertificate => cert(c.issuerId);
/** The certificate's own entity name: `secc`, `cpo-sub2-ocsp`, `contract` (for contract/<EMAID>). */
const entity = (c: IssuedCertificate): string => (c.name.startsWith('contract/') ? 'contract' : c.name);
const usages = (c: Certificate): KeyUsageName[] => keyUsageNames(c.keyUsage?.bits ?? 0);

/** Sub-CAs above `c` up to (not including) the root, and the root. */
function chainOf(c: IssuedCertificate): { subCAs: IssuedCertificate[]; root: IssuedCertificate } {
  const subCAs: IssuedCertificate[] = [];
  let p = issuerOf(c);
  while (p.kind !== 'root') {
    subCAs.push(p);
    p = issuerOf(p);
  }
  return { subCAs, root: p };
}

describe('sizes: every certificate fits the protocol XSD', () => {
  it.each(ALL_IDS)('%s', (id) => {
    const c = cert(id);
    const limit = PROTOCOL_PROFILES[SUITES[c.suite].protocol].maxCertificateBytes;
    expect(limit).toBe(SUITES[c.suite].protocol === 'iso2' ? 800 : 1600);
    expect(c.der.length).toBeLessThanOrEqual(limit);
    // every certificate, -20 ones included, would even fit -2's 800 bytes
    expect(c.der.length).toBeLessThanOrEqual(800);
  });

  // The real sizes: P-256 certificates ~500–600 bytes, P-521 ~630–745, Ed448 ~510–620 (keys and signatures set the band).
  it.each<[Suite, number, number]>([
    ['iso2', 480, 620],
    ['iso20-p521', 620, 760],
    ['iso20-ed448', 490, 640],
  ])('%s certificates are between %d and %d bytes', (suite, min, max) => {
    const sizes = ALL.filter((c) => c.suite === suite).map((c) => c.der.length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(min);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(max);
  });

  it('the hierarchy has the expected certificates per suite', () => {
    const names = (suite: Suite): string[] => ALL.filter((c) => c.suite === suite).map(entity).sort();
    const common = ['v2g-root', 'cpo-sub1', 'cpo-sub2', 'secc', 'mo-root', 'mo-sub1', 'mo-sub2', 'contract', 'oem-root', 'oem-sub1', 'oem-sub2', 'oem-prov', 'cps-sub1', 'cps-sub2', 'cps'];
    const signers = (cas: string[]): string[] => cas.map((n) => `${n}-ocsp`);
    const issuing = ['v2g-root', 'cpo-sub1', 'cpo-sub2', 'mo-root', 'mo-sub1', 'mo-sub2', 'oem-root', 'oem-sub1', 'oem-sub2', 'cps-sub1', 'cps-sub2'];
    const vehicle = ['vehicle-sub1', 'vehicle-sub2', 'vehicle'];
    expect(names('iso2')).toEqual([...common, ...signers(issuing)].sort());
    for (const s of ['iso20-p521', 'iso20-ed448'] as const) {
      expect(names(s)).toEqual([...common, ...vehicle, ...signers([...issuing, 'vehicle-sub1', 'vehicle-sub2'])].sort());
    }
    expect(ALL).toHaveLength(26 + 31 + 31);
  });
});

interface Expected {
  readonly kind: IssuedCertificate['kind'];
  readonly dc: string | undefined;
  readonly pathLen?: number;
  readonly days: number;
}

// Reference notes §1.5 / §3.3 / §4.3 / §4.6: DC per role (CPO Sub-CAs carry DC=V2G, the SECC leaf DC=CPO) and validity.
const PROFILE: Record<string, Expected> = {
  'v2g-root': { kind: 'root', dc: 'V2G', days: 3650 },
  'cpo-sub1': { kind: 'sub-ca', dc: 'V2G', pathLen: 1, days: 1460 },
  'cpo-sub2': { kind: 'sub-ca', dc: 'V2G', pathLen: 0, days: 365 },
  secc: { kind: 'leaf', dc: 'CPO', days: 60 },
  'mo-root': { kind: 'root', dc: 'MO', days: 3650 },
  'mo-sub1': { kind: 'sub-ca', dc: 'MO', pathLen: 1, days: 1460 },
  'mo-sub2': { kind: 'sub-ca', dc: 'MO', pathLen: 0, days: 1460 },
  contract: { kind: 'leaf', dc: 'MO', days: 730 },
  'oem-root': { kind: 'root', dc: 'OEM', days: 3650 },
  'oem-sub1': { kind: 'sub-ca', dc: 'OEM', pathLen: 1, days: 1460 },
  'oem-sub2': { kind: 'sub-ca', dc: 'OEM', pathLen: 0, days: 1460 },
  'oem-prov': { kind: 'leaf', dc: 'OEM', days: 1460 },
  'vehicle-sub1': { kind: 'sub-ca', dc: 'OEM', pathLen: 1, days: 1460 },
  'vehicle-sub2': { kind: 'sub-ca', dc: 'OEM', pathLen: 0, days: 1460 },
  vehicle: { kind: 'leaf', dc: 'OEM', days: 1460 },
  'cps-sub1': { kind: 'sub-ca', dc: 'CPS', pathLen: 1, days: 1460 },
  'cps-sub2': { kind: 'sub-ca', dc: 'CPS', pathLen: 0, days: 730 },
  cps: { kind: 'leaf', dc: 'CPS', days: 90 },
};

const ISSUER: Record<string, string> = {
  'cpo-sub1': 'v2g-root',
  'cpo-sub2': 'cpo-sub1',
  secc: 'cpo-sub2',
  'mo-sub1': 'mo-root',
  'mo-sub2': 'mo-sub1',
  contract: 'mo-sub2',
  'oem-sub1': 'oem-root',
  'oem-sub2': 'oem-sub1',
  'oem-prov': 'oem-sub2',
  'vehicle-sub1': 'oem-root',
  'vehicle-sub2': 'vehicle-sub1',
  vehicle: 'vehicle-sub2',
  'cps-sub1': 'v2g-root',
  'cps-sub2': 'cps-sub1',
  cps: 'cps-sub2',
};

/** Leaf keyUsage per role and key type: Ed448 keys cannot agree keys, so they only sign. */
function leafUsages(e: string, suite: Suite): KeyUsageName[] {
  const agree: KeyUsageName[] = SUITES[suite].keyType === 'Ed448' ? [] : ['keyAgreement'];
  if (e === 'contract') return ['digitalSignature', 'nonRepudiation', ...agree];
  if (e === 'cps') return ['digitalSignature'];
  return ['digitalSignature', ...agree];
}

describe('profiles per kind and role', () => {
  const profiled = ALL.filter((c) => c.kind !== 'ocsp-signer');

  it.each(profiled.map((c) => c.id))('%s', (id) => {
    const c = cert(id);
    const x = c.cert;
    const e = entity(c);
    const p = PROFILE[e]!;
    expect(c.kind).toBe(p.kind);
    // issuer: the template's, and chained by name and key id
    if (c.kind === 'root') {
      expect(c.issuerId).toBe(c.id);
      expect(x.issuerRaw.equals(x.subjectRaw)).toBe(true);
    } else {
      expect(c.issuerId).toBe(`${c.suite}/${ISSUER[e]}`);
      expect(x.issuerRaw.equals(issuerOf(c).cert.subjectRaw)).toBe(true);
    }
    // basicConstraints (critical everywhere)
    expect(x.basicConstraints?.critical).toBe(true);
    if (c.kind === 'leaf') {
      expect(x.basicConstraints).toEqual({ ca: false, critical: true });
    } else {
      expect(x.basicConstraints?.ca).toBe(true);
      expect(x.basicConstraints?.pathLen).toBe(p.pathLen);
    }
    // keyUsage, critical
    expect(x.keyUsage?.critical).toBe(true);
    expect(usages(x)).toEqual(c.kind === 'leaf' ? leafUsages(e, c.suite) : ['keyCertSign', 'cRLSign']);
    expect(x.extKeyUsage).toBeUndefined();
    expect(x.ocspNoCheck).toBe(false);
    // DC, C, O
    expect(x.subject.domainComponents).toEqual([p.dc]);
    expect(x.subject.country).toBe('DE');
    expect(x.issuer.country).toBe('DE');
    expect(x.subject.organization).toMatch(/^pnc-stack /);
    // no unknown critical extension; only the profile's extensions
    const exts = x.extensions.map((ex) => ex.oid).sort();
    const expectedExts = [Oid.basicConstraints, Oid.keyUsage, Oid.subjectKeyIdentifier, ...(c.kind === 'root' ? [] : [Oid.authorityKeyIdentifier, Oid.authorityInfoAccess])].sort();
    expect(exts).toEqual(expectedExts);
    expect(x.extensions.filter((ex) => ex.critical).map((ex) => ex.oid).sort()).toEqual([Oid.basicConstraints, Oid.keyUsage].sort());
  });

  it('the SECC CN is the SECC ID and the contract CN the eMAID with a valid check digit', () => {
    for (const suite of SUITE_NAMES) {
      expect(cert(`${suite}/secc`).cert.subject.commonName).toBe(DEFAULT_TEST_PKI.seccId);
      const contract = cert(`${suite}/contract/${DEFAULT_TEST_PKI.emaid}`);
      const cn = contract.cert.subject.commonName!;
      expect(cn).toBe(DEFAULT_TEST_PKI.emaid);
      const parsed = parseEmaid(cn, 'strict');
      expect(parsed.checkDigitValid).toBe(true);
      expect(cn).toBe(`${cn.slice(0, 14)}${computeCheckDigit(cn.slice(0, 14))}`);
    }
  });

  it('vehicle certificates exist only in the -20 suites', () => {
    expect(ALL.filter((c) => c.role === 'vehicle').map((c) => c.suite)).toEqual(['iso20-p521', 'iso20-ed448']);
    expect(ALL.some((c) => c.suite === 'iso2' && c.name.startsWith('vehicle'))).toBe(false);
  });

  it.each(ALL_IDS)('%s: SKI is the SHA-1 of its key; AKI is the issuer SKI (non-roots)', (id) => {
    const c = cert(id);
    expect(c.cert.subjectKeyId?.equals(keyIdentifier(c.key.publicKey))).toBe(true);
    if (c.kind === 'root') expect(c.cert.authorityKeyId).toBeUndefined();
    else expect(c.cert.authorityKeyId?.equals(issuerOf(c).cert.subjectKeyId!)).toBe(true);
  });

  it.each(ALL_IDS)('%s: AIA OCSP URL on every non-root except OCSP signers', (id) => {
    const c = cert(id);
    const wanted = c.kind === 'root' || c.kind === 'ocsp-signer' ? [] : [DEFAULT_TEST_PKI.ocspUrl];
    expect(c.cert.ocspUrls).toEqual(wanted);
  });
});

describe('OCSP signers (RFC 6960 §4.2.2.2)', () => {
  const signers = ALL.filter((c) => c.kind === 'ocsp-signer');

  it.each(signers.map((c) => c.id))('%s: EKU OCSPSigning, ocspNoCheck, issued by its CA', (id) => {
    const c = cert(id);
    const ca = issuerOf(c);
    expect(c.id).toBe(`${ca.id}-ocsp`);
    expect(['root', 'sub-ca']).toContain(ca.kind);
    expect(c.cert.extKeyUsage).toEqual([Oid.kpOcspSigning]);
    expect(c.cert.ocspNoCheck).toBe(true);
    expect(c.cert.basicConstraints).toEqual({ ca: false, critical: true });
    expect(c.cert.keyUsage).toEqual({ bits: 1, critical: true });
    expect(c.cert.issuerRaw.equals(ca.cert.subjectRaw)).toBe(true);
    expect(c.cert.subject.commonName).toBe(`${ca.cert.subject.commonName} OCSP`);
    expect(c.cert.subject.country).toBe('DE');
    // same algorithms as the CA's suite
    expect(c.cert.publicKeyType).toBe(SUITES[c.suite].keyType);
  });

  it('exactly one signer per issuing CA, none for a CA that issues nothing', () => {
    for (const suite of SUITE_NAMES) {
      const inSuite = ALL.filter((c) => c.suite === suite);
      const issuing = new Set(inSuite.filter((c) => c.kind !== 'root' && c.kind !== 'ocsp-signer').map((c) => c.issuerId));
      const signerIssuers = inSuite.filter((c) => c.kind === 'ocsp-signer').map((c) => c.issuerId);
      expect(new Set(signerIssuers).size).toBe(signerIssuers.length);
      expect(new Set(signerIssuers)).toEqual(issuing);
      expect(inSuite.filter((c) => c.kind === 'ocsp-signer' && !issuing.has(c.issuerId))).toEqual([]);
    }
  });
});

describe('algorithms per suite', () => {
  const expected: Record<Suite, { key: Certificate['publicKeyType']; sig: Certificate['signatureAlgorithm']; curve?: string }> = {
    iso2: { key: 'P-256', sig: 'ecdsa-with-SHA256', curve: 'prime256v1' },
    'iso20-p521': { key: 'P-521', sig: 'ecdsa-with-SHA512', curve: 'secp521r1' },
    'iso20-ed448': { key: 'Ed448', sig: 'Ed448' },
  };
  it.each(ALL_IDS)('%s', (id) => {
    const c = cert(id);
    const e = expected[c.suite];
    expect(c.cert.publicKeyType).toBe(e.key);
    expect(c.cert.signatureAlgorithm).toBe(e.sig);
    expect(c.key.type).toBe(e.key);
    const x = new X509Certificate(c.der);
    if (e.curve) expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe(e.curve);
    else expect(x.publicKey.asymmetricKeyType).toBe('ed448');
  });
});

describe('serial numbers', () => {
  it('are positive, at most 20 bytes, minimally encoded and unique across the PKI', () => {
    const seen = new Set<string>();
    for (const c of ALL) {
      const s = c.cert.serial;
      expect(s.length).toBeGreaterThanOrEqual(1);
      expect(s.length).toBeLessThanOrEqual(20);
      expect(s[0]! & 0x80).toBe(0);
      expect(/^0+$/.test(s.toString('hex'))).toBe(false);
      seen.add(s.toString('hex'));
    }
    expect(seen.size).toBe(ALL.length);
  });

  it('are random: a second PKI shares none, and none is a small counter', () => {
    const again = buildTestPki({ ...DEFAULT_TEST_PKI, suites: ['iso2'], now: NOW });
    const first = new Set(ALL.map((c) => c.cert.serialHex));
    expect(again.filter((c) => first.has(c.cert.serialHex))).toEqual([]);
    // 16 random bytes (≥ 64 bits of entropy per CA/Browser Forum BR §7.1): at least 15 significant bytes
    for (const c of [...ALL, ...again]) expect(c.cert.serialHex.length).toBeGreaterThanOrEqual(30);
  });
});

describe('validity periods', () => {
  it.each(ALL_IDS)('%s', (id) => {
    const c = cert(id);
    const x = c.cert;
    expect(x.notBefore).toBe(NOW - HOUR);
    if (c.kind === 'ocsp-signer') {
      expect(x.notAfter).toBe(Math.min(NOW + 365 * DAY, issuerOf(c).cert.notAfter));
    } else {
      expect(x.notAfter).toBe(NOW + PROFILE[entity(c)]!.days * DAY);
    }
    if (c.kind !== 'root') {
      const issuer = issuerOf(c).cert;
      expect(x.notAfter).toBeLessThanOrEqual(issuer.notAfter);
      expect(x.notBefore).toBeGreaterThanOrEqual(issuer.notBefore);
    }
  });

  it('a contract asked to outlive its MO Sub-CA 2 ends with it', () => {
    const s = scratch('pnc-pki-clip-');
    try {
      initPki(s.dir, { protocol: 'iso2', passphrase: 'clip-pass', now: NOW });
      const [e] = issueContractInPki(s.dir, { emaid: 'DE-PNC-C00000009', passphrase: 'clip-pass', now: NOW, notAfter: NOW + 5000 * DAY });
      const pki = PkiDirectory.open(s.dir);
      expect(e!.notAfter).toBe(pki.entry('iso2/mo-sub2').notAfter);
      // an iso2-only PKI has no -20 suite to issue in
      expect(() => issueContractInPki(s.dir, { emaid: 'DE-PNC-C00000008', protocol: 'iso20', passphrase: 'clip-pass' })).toThrow(PkiDirectoryError);
      // --force replaces the PKI: the contract issued above is gone
      const fresh = initPki(s.dir, { protocol: 'iso2', passphrase: 'clip-pass', now: NOW, force: true });
      expect(fresh.certificates.some((x) => x.id === e!.id)).toBe(false);
      expect(PkiDirectory.open(s.dir).manifest).toEqual(fresh);
    } finally {
      s.cleanup();
    }
  });
});

describe('country codes and eMAIDs', () => {
  it('every subject and issuer is C=DE', () => {
    for (const c of ALL) {
      expect(c.cert.subject.country).toBe('DE');
      expect(c.cert.issuer.country).toBe('DE');
    }
  });

  it.each(['UK', 'XX', 'de', 'DEU', ''])('buildTestPki refuses country %j', (country) => {
    expect(() => buildTestPki({ ...DEFAULT_TEST_PKI, suites: ['iso2'], now: NOW, country })).toThrow(RangeError);
  });

  it('GB (the real code for the UK) is accepted', () => {
    const pki = buildTestPki({ ...DEFAULT_TEST_PKI, suites: ['iso2'], now: NOW, country: 'GB' });
    expect(pki.filter((c) => c.kind !== 'ocsp-signer').every((c) => c.cert.subject.country === 'GB')).toBe(true);
  });

  it('buildTestPki refuses an eMAID with a wrong check digit (Josev/EVerest UKSWI123456791A)', () => {
    expect(() => buildTestPki({ ...DEFAULT_TEST_PKI, suites: ['iso2'], now: NOW, emaid: 'UKSWI123456791A' })).toThrow(EmaidError);
    expect(() => buildTestPki({ ...DEFAULT_TEST_PKI, suites: ['iso2'], now: NOW, emaid: 'DE8AA0012345671' })).toThrow(EmaidError);
  });
});

describe('openssl verify -x509_strict accepts every chain', () => {
  // OCSP signers verify with the default purpose (none is checked); `-purpose any` is not needed.
  const ends = ALL.filter((c) => c.kind === 'leaf' || c.kind === 'ocsp-signer');

  it.each(ends.map((c) => c.id))('%s', async (id) => {
    const c = cert(id);
    const { subCAs, root } = chainOf(c);
    expect(subCAs.length).toBeLessThanOrEqual(2);
    const r = await opensslVerify(
      c.der,
      subCAs.map((s) => s.der),
      [root.der],
      NOW,
    );
    expect(r.output).toMatch(/: OK$/);
    expect(r.ok).toBe(true);
  });

  it('the oracle refuses an expired SECC chain and a chain missing its Sub-CA 1', async () => {
    const secc = cert('iso2/secc');
    const { subCAs, root } = chainOf(secc);
    const expired = await opensslVerify(secc.der, subCAs.map((s) => s.der), [root.der], NOW + 61 * DAY);
    expect(expired.ok).toBe(false);
    expect(expired.output).toMatch(/expired/);
    const broken = await opensslVerify(secc.der, [subCAs[0]!.der], [root.der], NOW);
    expect(broken.ok).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// On disk

const PASS = 'disk-test-passphrase';
const EMAID2 = `DEPNCC00000002${computeCheckDigit('DEPNCC00000002')}`;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const certsIn = (path: string): Buffer[] => decodePemCertificates(readFileSync(path, 'utf8'));

describe('initPki on disk (protocol both)', () => {
  const s = scratch('pnc-pki-disk-');
  let manifest: PkiManifest;
  let files: string[];

  beforeAll(() => {
    manifest = initPki(s.dir, { protocol: 'both', passphrase: PASS, now: NOW, ocspUrl: 'http://127.0.0.1:1/ocsp' });
    files = listFiles(s.dir);
  });
  afterAll(() => s.cleanup());

  const p = (rel: string): string => join(s.dir, rel);

  it('writes the manifest and the CA database', () => {
    expect(files).toContain(MANIFEST);
    expect(files).toContain(CA_DATABASE);
    const onDisk = JSON.parse(readFileSync(p(MANIFEST), 'utf8')) as PkiManifest;
    expect(onDisk).toEqual(manifest);
    expect(manifest.format).toBe('pnc-stack-pki/1');
    expect(manifest.suites).toEqual(['iso2', 'iso20-p521', 'iso20-ed448']);
    expect(manifest.ocspUrl).toBe('http://127.0.0.1:1/ocsp');
    expect(manifest.country).toBe('DE');
    expect(manifest.certificates).toHaveLength(88);
    const db = readCaDatabase(p(CA_DATABASE));
    expect(db.entries.map((e) => e.id)).toEqual(manifest.certificates.map((e) => e.id));
    expect(db.entries.every((e) => e.status === 'valid')).toBe(true);
  });

  it('every manifest entry points at its certificate and key under ca/<suite>/', () => {
    for (const e of manifest.certificates) {
      expect(e.certificate).toBe(`ca/${e.suite}/${e.name}.pem`);
      expect(e.key).toBe(`ca/${e.suite}/${e.name}.key.pem`);
      const [der] = certsIn(p(e.certificate));
      const c = parseCertificate(der!);
      expect(c.serialHex).toBe(e.serialHex);
      expect(e.bytes).toBe(der!.length);
      expect(new Date(c.notAfter).toISOString()).toBe(e.notAfter);
      expect(e.bytes).toBeLessThanOrEqual(PROTOCOL_PROFILES[SUITES[e.suite].protocol].maxCertificateBytes);
    }
  });

  it.each(SUITE_NAMES)('%s: the party views', (suite) => {
    const iso20 = SUITES[suite].protocol === 'iso20';
    const pki = PkiDirectory.open(s.dir);
    const der = (id: string): Buffer => pki.der(`${suite}/${id}`);
    const under = (prefix: string): string[] => files.filter((f) => f.startsWith(`${prefix}/${suite}/`)).map((f) => f.slice(prefix.length + suite.length + 2));
    // charger: what it trusts, what it presents
    expect(under('charger')).toEqual(
      ['keystore/secc.chain.pem', 'keystore/secc.key.pem', 'truststore/mo-root.pem', ...(iso20 ? ['truststore/oem-root.pem'] : []), 'truststore/v2g-root.pem'].sort(),
    );
    expect(certsIn(p(`charger/${suite}/truststore/v2g-root.pem`))).toEqual([der('v2g-root')]);
    expect(certsIn(p(`charger/${suite}/truststore/mo-root.pem`))).toEqual([der('mo-root')]);
    // the SECC chain as sent in TLS: leaf, Sub-CA 2, Sub-CA 1 — never the root
    expect(certsIn(p(`charger/${suite}/keystore/secc.chain.pem`))).toEqual([der('secc'), der('cpo-sub2'), der('cpo-sub1')]);
    // EV
    const ev = under('ev');
    expect(ev).toEqual(
      [
        `keystore/contracts/${DEFAULT_TEST_PKI.emaid}.chain.pem`,
        `keystore/contracts/${DEFAULT_TEST_PKI.emaid}.key.pem`,
        'keystore/oem-prov.chain.pem',
        'keystore/oem-prov.key.pem',
        ...(iso20 ? ['keystore/vehicle.chain.pem', 'keystore/vehicle.key.pem'] : []),
        'truststore/v2g-root.pem',
      ].sort(),
    );
    expect(certsIn(p(`ev/${suite}/keystore/contracts/${DEFAULT_TEST_PKI.emaid}.chain.pem`))).toEqual([
      der(`contract/${DEFAULT_TEST_PKI.emaid}`),
      der('mo-sub2'),
      der('mo-sub1'),
    ]);
    if (iso20) expect(certsIn(p(`ev/${suite}/keystore/vehicle.chain.pem`))).toEqual([der('vehicle'), der('vehicle-sub2'), der('vehicle-sub1')]);
    // CSMS, MSP, CPS
    expect(under('csms')).toEqual(['keystore/cpo-sub2.chain.pem', 'keystore/cpo-sub2.key.pem', 'truststore/mo-root.pem', 'truststore/v2g-root.pem']);
    expect(under('msp')).toEqual(['keystore/mo-sub2.chain.pem', 'keystore/mo-sub2.key.pem', 'truststore/mo-root.pem']);
    expect(under('cps')).toEqual(['keystore/cps.chain.pem', 'keystore/cps.key.pem', 'truststore/oem-root.pem']);
    expect(certsIn(p(`cps/${suite}/keystore/cps.chain.pem`))).toEqual([der('cps'), der('cps-sub2'), der('cps-sub1')]);
    // OCSP: each issuing CA with its signer and the signer's key
    const signers = pki.entries((e) => e.suite === suite && e.kind === 'ocsp-signer');
    const expectedOcsp = signers.flatMap((e) => {
      const ca = e.name.slice(0, -'-ocsp'.length);
      return [`${ca}.pem`, `${e.name}.pem`, `${e.name}.key.pem`];
    });
    expect(under('ocsp')).toEqual(expectedOcsp.sort());
    // ca/: every certificate and key
    expect(under('ca')).toEqual(pki.entries((e) => e.suite === suite).flatMap((e) => [`${e.name}.pem`, `${e.name}.key.pem`]).sort());
    // nothing else at the top level
    expect(new Set(files.map((f) => f.split('/')[0]))).toEqual(new Set([MANIFEST, CA_DATABASE, 'ca', 'charger', 'ev', 'csms', 'msp', 'ocsp', 'cps']));
  });

  it('the chains on disk verify with openssl against the party trust stores', async () => {
    for (const suite of SUITE_NAMES) {
      const [leaf, ...subs] = certsIn(p(`charger/${suite}/keystore/secc.chain.pem`));
      const roots = certsIn(p(`ev/${suite}/truststore/v2g-root.pem`));
      expect((await opensslVerify(leaf!, subs, roots, NOW)).ok).toBe(true);
      const [cLeaf, ...cSubs] = certsIn(p(`ev/${suite}/keystore/contracts/${DEFAULT_TEST_PKI.emaid}.chain.pem`));
      expect((await opensslVerify(cLeaf!, cSubs, certsIn(p(`charger/${suite}/truststore/mo-root.pem`)), NOW)).ok).toBe(true);
    }
  });

  it('every key file is encrypted PKCS#8, mode 0600, and decrypts only with the passphrase', () => {
    const keys = files.filter((f) => f.endsWith('.key.pem'));
    expect(keys.length).toBeGreaterThan(88);
    for (const k of keys) {
      const pem = readFileSync(p(k), 'utf8');
      expect(decodePem(pem).map((b) => b.label)).toEqual(['ENCRYPTED PRIVATE KEY']);
      expect(statSync(p(k)).mode & 0o777).toBe(0o600);
    }
    // decrypting is slow-ish (PBKDF2): one key per suite and party is enough for the passphrase checks
    const sample = [`ca/iso2/secc.key.pem`, 'ca/iso20-p521/mo-sub2.key.pem', 'ca/iso20-ed448/v2g-root.key.pem', 'charger/iso2/keystore/secc.key.pem', 'ocsp/iso20-ed448/cpo-sub2-ocsp.key.pem'];
    for (const k of sample) {
      const pem = readFileSync(p(k), 'utf8');
      const key = decryptPrivateKey(pem, PASS);
      expect(key.type).toBe('private');
      expect(() => decryptPrivateKey(pem, 'wrong-passphrase')).toThrow(PrivateKeyError);
      expect(() => decryptPrivateKey(pem, '')).toThrow(PrivateKeyError);
    }
    // the key matches its certificate
    const pki = PkiDirectory.open(s.dir);
    const secc = pki.certificate('iso2/secc');
    const k = pki.privateKey('iso2/secc', PASS);
    expect(keyIdentifier(createPublicKey(k)).equals(secc.subjectKeyId!)).toBe(true);
  });

  it('decryptPrivateKey refuses a plaintext key', () => {
    const plain = cert('iso2/secc').key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(() => decryptPrivateKey(plain, PASS)).toThrow(PrivateKeyError);
  });

  it.each(['ca/iso2/contract/DEPNCC00000001A.key.pem', 'ca/iso20-p521/secc.key.pem', 'ca/iso20-ed448/cps.key.pem'])(
    'openssl pkey decrypts %s with the passphrase and fails without it',
    async (rel) => {
      const ok = await openssl(['pkey', '-in', p(rel), '-passin', `pass:${PASS}`, '-noout']);
      expect(ok.code).toBe(0);
      const bad = await openssl(['pkey', '-in', p(rel), '-passin', 'pass:wrong', '-noout']);
      expect(bad.code).not.toBe(0);
    },
  );

  it('no file anywhere holds a plaintext private key', () => {
    for (const f of files) {
      const text = readFileSync(p(f), 'latin1');
      expect(text.includes('BEGIN PRIVATE KEY'), f).toBe(false);
      expect(text.includes('BEGIN EC PRIVATE KEY'), f).toBe(false);
      expect(text.includes('BEGIN RSA PRIVATE KEY'), f).toBe(false);
    }
  });

  it('refuses to overwrite an existing PKI without force', () => {
    expect(() => initPki(s.dir, { protocol: 'iso2', passphrase: PASS, now: NOW })).toThrow(PkiDirectoryError);
    expect(readFileSync(p(MANIFEST), 'utf8')).toBe(`${JSON.stringify(manifest, null, 1)}\n`);
  });
});

describe('issuing and revoking in a PKI directory', () => {
  const s = scratch('pnc-pki-ops-');
  beforeAll(() => {
    initPki(s.dir, { protocol: 'both', passphrase: PASS, now: NOW });
  });
  afterAll(() => s.cleanup());
  const p = (rel: string): string => join(s.dir, rel);
  const status = (id: string): string | undefined => readCaDatabase(p(CA_DATABASE)).entries.find((e) => e.id === id)?.status;

  it('issueContractInPki adds a contract in every suite, on disk, in the manifest and in the CA database', () => {
    const entries = issueContractInPki(s.dir, { emaid: EMAID2, passphrase: PASS, now: NOW });
    expect(entries.map((e) => e.id)).toEqual(SUITE_NAMES.map((suite) => `${suite}/contract/${EMAID2}`));
    const pki = PkiDirectory.open(s.dir);
    for (const suite of SUITE_NAMES) {
      const id = `${suite}/contract/${EMAID2}`;
      const c = pki.certificate(id);
      expect(c.subject.commonName).toBe(EMAID2);
      expect(c.subject.domainComponents).toEqual(['MO']);
      expect(c.issuerRaw.equals(pki.certificate(`${suite}/mo-sub2`).subjectRaw)).toBe(true);
      expect(c.notAfter - c.notBefore).toBe(730 * DAY + HOUR);
      expect(status(id)).toBe('valid');
      const chain = certsIn(p(`ev/${suite}/keystore/contracts/${EMAID2}.chain.pem`));
      expect(chain).toEqual([pki.der(id), pki.der(`${suite}/mo-sub2`), pki.der(`${suite}/mo-sub1`)]);
      expect(existsSync(p(`ev/${suite}/keystore/contracts/${EMAID2}.key.pem`))).toBe(true);
      expect(statSync(p(`ev/${suite}/keystore/contracts/${EMAID2}.key.pem`)).mode & 0o777).toBe(0o600);
    }
  });

  it('refuses a duplicate contract, a bad eMAID and a wrong passphrase, and then writes nothing', () => {
    expect(() => issueContractInPki(s.dir, { emaid: EMAID2, passphrase: PASS })).toThrow(PkiDirectoryError);
    expect(() => issueContractInPki(s.dir, { emaid: EMAID2.toLowerCase(), passphrase: PASS })).toThrow(PkiDirectoryError);
    expect(() => issueContractInPki(s.dir, { emaid: 'DE-PNC', passphrase: PASS })).toThrow(EmaidError);
    // a wrong check digit is refused when issuing (strict)
    expect(() => issueContractInPki(s.dir, { emaid: 'DEPNCC00000001B', passphrase: PASS })).toThrow(EmaidError);
    const emaid5 = `DEPNCC00000005${computeCheckDigit('DEPNCC00000005')}`;
    expect(() => issueContractInPki(s.dir, { emaid: emaid5, passphrase: 'wrong-pass' })).toThrow(PrivateKeyError);
    expect(PkiDirectory.open(s.dir).entries((e) => e.name === `contract/${emaid5}`)).toEqual([]);
  });

  it('only the requested protocol with --protocol', () => {
    const emaid = `DEPNCC00000003${computeCheckDigit('DEPNCC00000003')}`;
    const entries = issueContractInPki(s.dir, { emaid, protocol: 'iso20', passphrase: PASS });
    expect(entries.map((e) => e.suite)).toEqual(['iso20-p521', 'iso20-ed448']);
  });

  it('revokeInPki by manifest id', () => {
    const revoked = revokeInPki(s.dir, 'iso2/cpo-sub2', { reason: 'keyCompromise', at: NOW });
    expect(revoked.map((e) => e.id)).toEqual(['iso2/cpo-sub2']);
    const e = readCaDatabase(p(CA_DATABASE)).entries.find((x) => x.id === 'iso2/cpo-sub2')!;
    expect(e).toMatchObject({ status: 'revoked', reason: 'keyCompromise', revokedAt: new Date(NOW).toISOString() });
    expect(status('iso20-p521/cpo-sub2')).toBe('valid');
  });

  it('revokeInPki by eMAID (every suite, hyphens and case ignored)', () => {
    const revoked = revokeInPki(s.dir, 'de-pnc-c00000002-' + EMAID2.slice(-1).toLowerCase());
    expect(revoked.map((e) => e.id).sort()).toEqual(SUITE_NAMES.map((suite) => `${suite}/contract/${EMAID2}`).sort());
    for (const e of revoked) expect(status(e.id)).toBe('revoked');
    expect(status(`iso2/contract/${DEFAULT_TEST_PKI.emaid}`)).toBe('valid');
  });

  it('revokeInPki by certificate file (PEM chain: its first certificate) and by DER file', () => {
    const chainFile = p(`ev/iso20-ed448/keystore/contracts/${DEFAULT_TEST_PKI.emaid}.chain.pem`);
    expect(revokeInPki(s.dir, chainFile).map((e) => e.id)).toEqual([`iso20-ed448/contract/${DEFAULT_TEST_PKI.emaid}`]);
    expect(status(`iso20-ed448/mo-sub2`)).toBe('valid');
    const derFile = p('secc.der');
    writeFileSync(derFile, PkiDirectory.open(s.dir).der('iso20-p521/secc'));
    expect(revokeInPki(s.dir, derFile).map((e) => e.id)).toEqual(['iso20-p521/secc']);
    expect(status('iso20-p521/secc')).toBe('revoked');
  });

  it('revokeInPki refuses what the PKI does not hold', () => {
    expect(() => revokeInPki(s.dir, 'iso2/no-such-thing')).toThrow(PkiDirectoryError);
    // a certificate of another PKI (the in-memory fixture) with the same names
    const foreign = p('foreign.pem');
    writeFileSync(foreign, encodePem('CERTIFICATE', cert('iso2/secc').der));
    expect(() => revokeInPki(s.dir, foreign)).toThrow(PkiDirectoryError);
    expect(readCaDatabase(p(CA_DATABASE)).entries.filter((e) => e.id === 'iso2/secc').map((e) => e.status)).toEqual(['valid']);
  });

  it('revoking twice keeps the first revocation time', () => {
    revokeInPki(s.dir, 'iso2/oem-sub2', { at: NOW });
    revokeInPki(s.dir, 'iso2/oem-sub2', { at: NOW + DAY, reason: 'superseded' });
    expect(readCaDatabase(p(CA_DATABASE)).entries.find((x) => x.id === 'iso2/oem-sub2')).toMatchObject({ revokedAt: new Date(NOW).toISOString(), reason: 'unspecified' });
  });
});
