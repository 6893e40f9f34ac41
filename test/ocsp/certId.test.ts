import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate, type Certificate } from '../../src/pki/certificate/certificate.js';
import { buildCertificate, ext, keyIdentifier } from '../../src/pki/generator/certificateBuilder.js';
import { DEFAULT_TEST_PKI, SUITES, type IssuedCertificate, type Suite } from '../../src/pki/generator/testPki.js';
import {
  CertIdError,
  certIdFor,
  certIdFromRequestData,
  certIdKey,
  encodeCertId,
  ocspRequestData,
  ocspRequestDataForPath,
  sameCertId,
  type OcspRequestData,
} from '../../src/pki/ocsp/certId.js';
import { encodeOcspRequest, parseOcspRequest } from '../../src/pki/ocsp/ocspMessages.js';
import { DAY, NOW, cert, contractOf } from '../helpers/fixtures.js';
import { openssl, pemOf, scratch } from '../helpers/openssl.js';

const SUITE_LIST: readonly Suite[] = ['iso2', 'iso20-p521', 'iso20-ed448'];
const ALGS = ['SHA256', 'SHA384', 'SHA512'] as const;

const work = scratch('pnc-certid-');
afterAll(() => work.cleanup());

interface OpensslCertId {
  readonly hashAlgorithm: string;
  readonly issuerNameHash: string;
  readonly issuerKeyHash: string;
  readonly serial: string;
  readonly der: Buffer;
}

let runs = 0;
/** `openssl ocsp -<alg> -issuer X -cert Y -reqout req.der -no_nonce -req_text`: the CertID openssl computes. */
async function opensslCertId(leaf: Buffer, issuer: Buffer, alg: string): Promise<OpensslCertId> {
  const n = runs++;
  const issuerPem = work.file(`issuer-${n}.pem`, pemOf([issuer]));
  const leafPem = work.file(`leaf-${n}.pem`, pemOf([leaf]));
  const reqPath = `${work.dir}/req-${n}.der`;
  const r = await openssl(['ocsp', `-${alg.toLowerCase()}`, '-issuer', issuerPem, '-cert', leafPem, '-reqout', reqPath, '-no_nonce', '-req_text']);
  expect(r.code, r.stderr).toBe(0);
  // Long hex values wrap with a trailing backslash.
  const text = r.stdout.replace(/\\\r?\n\s*/g, '');
  const field = (name: string): string => {
    const m = new RegExp(`${name}: ([0-9A-Za-z-]+)`).exec(text);
    if (!m) throw new Error(`openssl printed no ${name}:\n${r.stdout}`);
    return m[1]!;
  };
  return {
    hashAlgorithm: field('Hash Algorithm'),
    issuerNameHash: field('Issuer Name Hash').toLowerCase(),
    issuerKeyHash: field('Issuer Key Hash').toLowerCase(),
    serial: field('Serial Number').toLowerCase(),
    der: readFileSync(reqPath),
  };
}

const stripZeros = (hex: string): string => hex.replace(/^0+/, '') || '0';

describe('OCPP OCSPRequestData equals the CertID of openssl ocsp', () => {
  const cases = SUITE_LIST.flatMap((suite) =>
    ALGS.flatMap((alg) => [
      [suite, alg, 'contract', 'mo-sub2'],
      [suite, alg, 'mo-sub2', 'mo-sub1'],
    ] as const),
  );

  it.each(cases)('%s %s: %s issued by %s', async (suite, alg, leafName, issuerName) => {
    const leaf = leafName === 'contract' ? contractOf(suite) : cert(`${suite}/${leafName}`);
    const issuer = cert(`${suite}/${issuerName}`);
    const theirs = await opensslCertId(leaf.der, issuer.der, alg);
    const ours = ocspRequestData(leaf.cert, issuer.cert, alg);

    expect(theirs.hashAlgorithm).toBe(alg.toLowerCase());
    expect(ours).toEqual({
      hashAlgorithm: alg,
      issuerNameHash: theirs.issuerNameHash,
      issuerKeyHash: theirs.issuerKeyHash,
      serialNumber: stripZeros(theirs.serial),
      responderURL: DEFAULT_TEST_PKI.ocspUrl,
    });
    // openssl's request, read by our parser, holds the same CertID, and ours is byte-identical to it.
    const parsed = parseOcspRequest(theirs.der);
    expect(parsed.nonce).toBeUndefined();
    expect(parsed.certIds).toHaveLength(1);
    expect(sameCertId(parsed.certIds[0]!, certIdFor(leaf.cert, issuer.cert, alg))).toBe(true);
    expect(encodeOcspRequest([certIdFor(leaf.cert, issuer.cert, alg)]).equals(theirs.der)).toBe(true);
  });

  it('hashes the issuer Name as DER and the key without the BIT STRING header (SHA-1 too, as openssl defaults)', async () => {
    const leaf = contractOf('iso2');
    const issuer = cert('iso2/mo-sub2');
    const theirs = await opensslCertId(leaf.der, issuer.der, 'SHA1');
    const id = certIdFor(leaf.cert, issuer.cert, 'SHA1');
    expect(id.issuerNameHash.toString('hex')).toBe(theirs.issuerNameHash);
    expect(id.issuerKeyHash.toString('hex')).toBe(theirs.issuerKeyHash);
    expect(id.issuerNameHash).toHaveLength(20);
  });

  it.each(SUITE_LIST)('%s: key hash input is the raw public key (65 / 133 / 57 bytes)', (suite) => {
    const expected = { 'P-256': 65, 'P-521': 133, Ed448: 57 }[SUITES[suite].keyType];
    expect(cert(`${suite}/mo-sub2`).cert.publicKeyBits).toHaveLength(expected);
  });
});

/** A leaf under the fixture's iso2 MO Sub-CA 2 with a chosen serial (content bytes as given to the DER writer). */
function leafWithSerial(serial: Buffer, options: { aia?: boolean } = {}): { der: Buffer; cert: Certificate; issuer: IssuedCertificate } {
  const issuer = cert('iso2/mo-sub2');
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = buildCertificate({
    serial,
    subject: { country: 'DE', organization: 'pnc-stack MO', commonName: 'DEPNCC000000099', domainComponent: 'MO' },
    issuer: issuer.cert.subjectRaw,
    notBefore: NOW - DAY,
    notAfter: NOW + 30 * DAY,
    publicKey,
    extensions: [
      ext.basicConstraints(false),
      ext.keyUsage(['digitalSignature']),
      ext.subjectKeyIdentifier(keyIdentifier(publicKey)),
      ext.authorityKeyIdentifier(issuer.cert.subjectKeyId!),
      ...(options.aia === false ? [] : [ext.ocspAccess('http://ocsp.example.test/ocsp')]),
    ],
    signatureAlgorithm: 'ecdsa-with-SHA256',
    signingKey: issuer.key.privateKey,
  });
  return { der, cert: parseCertificate(der), issuer };
}

describe('serial numbers in hex without leading zeros', () => {
  it.each([
    ['00ff0102', 'ff0102', 'high bit after a leading 0x00 (DER sign byte)'],
    ['80000001', '80000001', 'high-bit serial (DER adds the sign byte)'],
    ['0a0b0c', 'a0b0c', 'leading zero nibble'],
    ['000001', '1', 'several leading zero bytes'],
    ['7f' + 'ee'.repeat(19), '7f' + 'ee'.repeat(19), '20 octets, the RFC 5280 maximum'],
  ])('serial %s → %s (%s), as openssl computes it', async (serialHexIn, expected) => {
    const { der, cert: leaf, issuer } = leafWithSerial(Buffer.from(serialHexIn, 'hex'));
    expect(leaf.serialHex).toBe(expected);
    const data = ocspRequestData(leaf, issuer.cert);
    expect(data?.serialNumber).toBe(expected);
    const theirs = await opensslCertId(der, issuer.der, 'SHA256');
    expect(stripZeros(theirs.serial)).toBe(expected);
    // Our CertID encodes the INTEGER exactly as the certificate and openssl do.
    expect(encodeOcspRequest([certIdFor(leaf, issuer.cert)]).equals(theirs.der)).toBe(true);
    // And the OCPP form comes back to the same CertID.
    expect(sameCertId(certIdFromRequestData(data!), certIdFor(leaf, issuer.cert))).toBe(true);
  });

  it('encodes an odd-length serial hex with its DER sign byte where needed', () => {
    const { cert: leaf, issuer } = leafWithSerial(Buffer.from('0abc', 'hex'));
    const id = certIdFor(leaf, issuer.cert);
    const encoded = encodeCertId(id);
    // ... INTEGER 02 02 0a bc at the end of the CertID
    expect(encoded.subarray(-4).toString('hex')).toBe('02020abc');
    const high = certIdFor(leafWithSerial(Buffer.from('ff', 'hex')).cert, issuer.cert);
    expect(encodeCertId(high).subarray(-4).toString('hex')).toBe('020200ff');
  });
});

describe('ocspRequestDataForPath', () => {
  it.each(SUITE_LIST)('%s contract path: one entry per non-root certificate, each with its issuer', (suite) => {
    const contract = contractOf(suite);
    const sub2 = cert(`${suite}/mo-sub2`);
    const sub1 = cert(`${suite}/mo-sub1`);
    const root = cert(`${suite}/mo-root`);
    const { data, withoutUrl } = ocspRequestDataForPath([contract.cert, sub2.cert, sub1.cert], root.cert);
    expect(withoutUrl).toEqual([]);
    expect(data).toEqual([
      ocspRequestData(contract.cert, sub2.cert),
      ocspRequestData(sub2.cert, sub1.cert),
      ocspRequestData(sub1.cert, root.cert),
    ]);
    expect(data.map((d) => d.serialNumber)).toEqual([contract.cert.serialHex, sub2.cert.serialHex, sub1.cert.serialHex]);
    for (const d of data) {
      expect(d.hashAlgorithm).toBe('SHA256');
      expect(d.issuerNameHash).toMatch(/^[0-9a-f]{64}$/);
      expect(d.issuerKeyHash).toMatch(/^[0-9a-f]{64}$/);
      expect(d.serialNumber).toMatch(/^[1-9a-f][0-9a-f]*$/);
      expect(d.responderURL).toBe(DEFAULT_TEST_PKI.ocspUrl);
    }
    // Each entry hashes its own issuer: three different issuers, three different name and key hashes.
    expect(new Set(data.map((d) => d.issuerNameHash)).size).toBe(3);
    expect(new Set(data.map((d) => d.issuerKeyHash)).size).toBe(3);
  });

  it('SHA-512 form: 128 hex digits per hash', () => {
    const suite = 'iso20-ed448';
    const { data } = ocspRequestDataForPath([contractOf(suite).cert, cert(`${suite}/mo-sub2`).cert], cert(`${suite}/mo-sub1`).cert, 'SHA512');
    expect(data).toHaveLength(2);
    for (const d of data) {
      expect(d.hashAlgorithm).toBe('SHA512');
      expect(d.issuerNameHash).toHaveLength(128);
      expect(d.issuerKeyHash).toHaveLength(128);
    }
  });

  it('without an anchor, the last certificate has no issuer and is left out', () => {
    const { data, withoutUrl } = ocspRequestDataForPath([contractOf('iso2').cert, cert('iso2/mo-sub2').cert], undefined);
    expect(data).toEqual([ocspRequestData(contractOf('iso2').cert, cert('iso2/mo-sub2').cert)]);
    expect(withoutUrl).toEqual([]);
  });

  it('a certificate without AIA goes to withoutUrl, the rest are still listed', () => {
    const { cert: noAia } = leafWithSerial(Buffer.from('0123', 'hex'), { aia: false });
    expect(noAia.ocspUrls).toEqual([]);
    const sub2 = cert('iso2/mo-sub2').cert;
    expect(ocspRequestData(noAia, sub2)).toBeUndefined();
    const { data, withoutUrl } = ocspRequestDataForPath([noAia, sub2, cert('iso2/mo-sub1').cert], cert('iso2/mo-root').cert);
    expect(withoutUrl).toEqual([noAia]);
    expect(data.map((d) => d.serialNumber)).toEqual([sub2.serialHex, cert('iso2/mo-sub1').cert.serialHex]);
  });
});

describe('certIdFromRequestData (untrusted input from a station)', () => {
  const leaf = contractOf('iso2').cert;
  const issuer = cert('iso2/mo-sub2').cert;
  const good = ocspRequestData(leaf, issuer)!;
  const good384 = ocspRequestData(leaf, issuer, 'SHA384')!;
  const hex = (n: number, c = 'a'): string => c.repeat(n);

  it.each(ALGS)('accepts the %s form and gives the same CertID as certIdFor', (alg) => {
    const d = ocspRequestData(leaf, issuer, alg)!;
    const id = certIdFromRequestData(d);
    expect(sameCertId(id, certIdFor(leaf, issuer, alg))).toBe(true);
    expect(certIdKey(id)).toBe(certIdKey(certIdFor(leaf, issuer, alg)));
  });

  it('accepts uppercase hex and leading zeros in the serial, normalising both', () => {
    const id = certIdFromRequestData({
      ...good,
      issuerNameHash: good.issuerNameHash.toUpperCase(),
      issuerKeyHash: good.issuerKeyHash.toUpperCase(),
      serialNumber: `000${good.serialNumber.toUpperCase()}`,
    });
    expect(sameCertId(id, certIdFor(leaf, issuer))).toBe(true);
    expect(certIdFromRequestData({ ...good, serialNumber: '0000' }).serialHex).toBe('0');
    expect(certIdFromRequestData({ ...good, serialNumber: 'f'.repeat(40) }).serialHex).toBe('f'.repeat(40));
  });

  const hostile: readonly [string, Record<string, unknown>][] = [
    ['hashAlgorithm SHA1', { hashAlgorithm: 'SHA1', issuerNameHash: hex(40), issuerKeyHash: hex(40) }],
    ['hashAlgorithm lowercase sha256', { hashAlgorithm: 'sha256' }],
    ['hashAlgorithm MD5', { hashAlgorithm: 'MD5', issuerNameHash: hex(32), issuerKeyHash: hex(32) }],
    ['hashAlgorithm empty', { hashAlgorithm: '' }],
    ['hashAlgorithm missing', { hashAlgorithm: undefined }],
    ['hashAlgorithm not a string', { hashAlgorithm: 256 }],
    ['hashAlgorithm from Object.prototype', { hashAlgorithm: 'constructor' }],
    ['SHA256 with SHA-384-sized hashes', { issuerNameHash: good384.issuerNameHash, issuerKeyHash: good384.issuerKeyHash }],
    ['SHA384 with SHA-256-sized hashes', { hashAlgorithm: 'SHA384' }],
    ['SHA512 with SHA-256-sized hashes', { hashAlgorithm: 'SHA512' }],
    ['issuerNameHash one digit short', { issuerNameHash: good.issuerNameHash.slice(1) }],
    ['issuerNameHash one digit long', { issuerNameHash: `${good.issuerNameHash}0` }],
    ['issuerKeyHash empty', { issuerKeyHash: '' }],
    ['issuerKeyHash non-hex', { issuerKeyHash: `${good.issuerKeyHash.slice(2)}zz` }],
    ['issuerNameHash with 0x prefix', { issuerNameHash: `0x${good.issuerNameHash.slice(2)}` }],
    ['issuerNameHash with spaces', { issuerNameHash: ` ${good.issuerNameHash.slice(2)} ` }],
    ['issuerNameHash base64 of the right length', { issuerNameHash: Buffer.alloc(48, 0xfb).toString('base64').slice(0, 64) }],
    ['issuerNameHash not a string', { issuerNameHash: 12 }],
    ['issuerKeyHash as an array', { issuerKeyHash: [good.issuerKeyHash] }],
    ['serial of 41 digits', { serialNumber: '1'.repeat(41) }],
    ['serial of 41 digits with leading zeros', { serialNumber: `0${'1'.repeat(40)}` }],
    ['serial empty', { serialNumber: '' }],
    ['serial non-hex', { serialNumber: 'xyz' }],
    ['serial with 0x prefix', { serialNumber: '0x1f' }],
    ['serial negative', { serialNumber: '-1f' }],
    ['serial with a colon', { serialNumber: '01:02' }],
    ['serial not a string', { serialNumber: 0x1f }],
    ['serial missing', { serialNumber: undefined }],
    ['serial 10 kB long', { serialNumber: 'a'.repeat(10_000) }],
  ];

  it.each(hostile)('refuses %s with CertIdError', (_name, patch) => {
    const d: unknown = { ...good, ...patch };
    expect(() => certIdFromRequestData(d as OcspRequestData)).toThrow(CertIdError);
  });
});
