// `--pki DIR`: real DER sizes read from a test PKI generated here, checked against the PEM files read independently
// (node:crypto X509Certificate), and every way a directory can be unusable.
import { X509Certificate } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initPki, issueContractInPki, MANIFEST, type PkiManifest } from '../../src/pki/generator/pkiDirectory.js';
import { computeCheckDigit } from '../../src/pki/emaid/emaid.js';
import { certificatesNeeded } from '../../src/sizing/certificateSizes.js';
import { MAX_CERTIFICATE_FILE_BYTES, readPkiCertificateSizes } from '../../src/sizing/pkiCertificateSizes.js';
import { SizingInputError } from '../../src/sizing/sizingInputError.js';
import { NOW } from '../helpers/fixtures.js';
import { scratch } from '../helpers/openssl.js';

const PASS = 'sizing-test-passphrase';
const s = scratch('pnc-sizing-');
const BOTH = join(s.dir, 'both');
const ISO2 = join(s.dir, 'iso2');
let copies = 0;

/** DER length of the certificate in a PEM file, read without the code under test. */
const derOf = (dir: string, rel: string): number => new X509Certificate(readFileSync(join(dir, rel))).raw.length;

/** A copy of the both-protocol PKI to damage. */
function copy(): string {
  const dir = join(s.dir, `copy-${copies++}`);
  cpSync(BOTH, dir, { recursive: true });
  return dir;
}

function manifestOf(dir: string): PkiManifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as PkiManifest;
}

beforeAll(() => {
  initPki(BOTH, { protocol: 'both', passphrase: PASS, now: NOW });
  // A second contract in every suite: the estimate takes the larger leaf.
  issueContractInPki(BOTH, { emaid: `DEPNCC00000002${computeCheckDigit('DEPNCC00000002')}`, passphrase: PASS, now: NOW });
  initPki(ISO2, { protocol: 'iso2', passphrase: PASS, now: NOW });
}, 120_000);
afterAll(() => s.cleanup());

describe('readPkiCertificateSizes', () => {
  it.each([
    ['p521', 'iso20-p521'],
    ['ed448', 'iso20-ed448'],
  ] as const)('reads every certificate the estimate needs, -20 from suite %s', (iso20Suite, suite20) => {
    const sizes = readPkiCertificateSizes(BOTH, ['iso2', 'iso20'], iso20Suite);
    expect(sizes.source).toBe('pki');
    expect(sizes.dir).toBe(BOTH);
    expect(sizes.suites).toEqual({ iso2: 'iso2', iso20: suite20 });
    const manifest = manifestOf(BOTH);
    for (const [protocol, suite] of [['iso2', 'iso2'], ['iso20', suite20]] as const) {
      for (const name of certificatesNeeded(protocol)) {
        const entries = manifest.certificates.filter((e) => (name === 'contract' ? e.suite === suite && e.role === 'contract' : e.id === `${suite}/${name}`));
        const expected = Math.max(...entries.map((e) => derOf(BOTH, e.certificate)));
        expect(sizes.bytes[protocol]?.[name], `${suite}/${name}`).toBe(expected);
        expect(entries.map((e) => e.id)).toContain(sizes.ids[protocol]?.[name]);
      }
    }
    // Two contracts per suite were issued; the size is the larger one's.
    expect(manifest.certificates.filter((e) => e.suite === suite20 && e.role === 'contract')).toHaveLength(2);
  });

  it('sizes only the protocols asked for', () => {
    const sizes = readPkiCertificateSizes(ISO2, ['iso2'], 'p521');
    expect(Object.keys(sizes.bytes)).toEqual(['iso2']);
    expect(sizes.bytes.iso2?.vehicle).toBeUndefined();
    expect(sizes.bytes.iso2?.secc).toBe(derOf(ISO2, 'ca/iso2/secc.pem'));
  });

  it('real sizes are below the protocol maxima', () => {
    const sizes = readPkiCertificateSizes(BOTH, ['iso2', 'iso20'], 'p521');
    expect(Math.max(...Object.values(sizes.bytes.iso2 ?? {}))).toBeLessThanOrEqual(800);
    expect(Math.max(...Object.values(sizes.bytes.iso20 ?? {}))).toBeLessThanOrEqual(1600);
  });

  const refusals: [string, () => string, RegExp][] = [
    ['a directory that does not exist', () => join(s.dir, 'nowhere'), /holds no PKI/],
    ['a directory without a PKI', () => {
      const d = join(s.dir, `empty-${copies++}`);
      mkdirSync(d);
      return d;
    }, /holds no PKI/],
    ['a file instead of a directory', () => join(BOTH, MANIFEST), /is not a directory/],
    ['a PKI without the -20 suite', () => ISO2, /no iso20-p521 suite/],
    ['a manifest that is not JSON', () => {
      const d = copy();
      writeFileSync(join(d, MANIFEST), '{ not json');
      return d;
    }, /cannot read/],
    ['a manifest of something else', () => {
      const d = copy();
      writeFileSync(join(d, MANIFEST), JSON.stringify({ format: 'other', certificates: [] }));
      return d;
    }, /not a pnc-stack PKI manifest/],
    ['a manifest that is a directory', () => {
      const d = copy();
      rmSync(join(d, MANIFEST));
      mkdirSync(join(d, MANIFEST));
      return d;
    }, /is not a file/],
    ['an oversize manifest', () => {
      const d = copy();
      truncateSync(join(d, MANIFEST), 17 * 1024 * 1024);
      return d;
    }, /more than/],
    ['a manifest without the SECC certificate', () => {
      const d = copy();
      const m = manifestOf(d);
      writeFileSync(join(d, MANIFEST), JSON.stringify({ ...m, certificates: m.certificates.filter((e) => e.id !== 'iso2/secc') }));
      return d;
    }, /no iso2\/secc certificate/],
    ['a certificate file that is gone', () => {
      const d = copy();
      rmSync(join(d, 'ca/iso2/cpo-sub1.pem'));
      return d;
    }, /ENOENT/],
    ['a certificate file that is not PEM', () => {
      const d = copy();
      writeFileSync(join(d, 'ca/iso2/mo-sub1.pem'), 'hello');
      return d;
    }, /holds no certificate/],
    ['a PEM block that is not a certificate', () => {
      const d = copy();
      writeFileSync(join(d, 'ca/iso2/mo-sub2.pem'), `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate at all').toString('base64')}\n-----END CERTIFICATE-----\n`);
      return d;
    }, /--pki/],
    ['an oversize certificate file', () => {
      const d = copy();
      writeFileSync(join(d, 'ca/iso2/v2g-root.pem'), 'x'.repeat(MAX_CERTIFICATE_FILE_BYTES + 1));
      return d;
    }, /more than 65536/],
    ['a manifest entry pointing outside the directory', () => {
      const d = copy();
      const m = manifestOf(d);
      const certificates = m.certificates.map((e) => (e.id === 'iso2/mo-root' ? { ...e, certificate: '../both/ca/iso2/mo-root.pem' } : e));
      writeFileSync(join(d, MANIFEST), JSON.stringify({ ...m, certificates }));
      return d;
    }, /outside the directory/],
  ];
  it.each(refusals)('refuses %s with a SizingInputError', (_name, make, message) => {
    const dir = make();
    expect(() => readPkiCertificateSizes(dir, ['iso2', 'iso20'], 'p521')).toThrow(SizingInputError);
    expect(() => readPkiCertificateSizes(dir, ['iso2', 'iso20'], 'p521')).toThrow(message);
  });
});
