// The key and certificate size constants against what they claim to be: keys Node generates, the XSD maxima.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iso2Shapes } from '../../src/exi/generated/iso2.js';
import { iso20Shapes } from '../../src/exi/generated/iso20.js';
import { keyTypeOf, PRIVATE_KEY_BYTES, privateKeyBytes, type SizedKeyType } from '../../src/sizing/privateKeySizes.js';
import { DEFAULT_STORAGE_ASSUMPTIONS } from '../../src/sizing/storageAssumptions.js';

function generate(type: SizedKeyType) {
  return type === 'Ed448' ? generateKeyPairSync('ed448') : generateKeyPairSync('ec', { namedCurve: type });
}

describe('private key sizes', () => {
  it.each(['P-256', 'P-521', 'Ed448'] as const)('%s: PKCS#8 DER and raw scalar as generated', (type) => {
    // Several keys: a DER INTEGER or bit string could vary in length with the value; these encodings must not.
    for (let i = 0; i < 5; i++) {
      const { privateKey } = generate(type);
      expect(privateKey.export({ type: 'pkcs8', format: 'der' }).length).toBe(PRIVATE_KEY_BYTES[type].pkcs8);
      const d = privateKey.export({ format: 'jwk' }).d;
      expect(Buffer.from(d ?? '', 'base64url').length).toBe(PRIVATE_KEY_BYTES[type].raw);
    }
  });

  it.each([
    ['iso2', 'p521', 'P-256', 138],
    ['iso2', 'ed448', 'P-256', 138],
    ['iso20', 'p521', 'P-521', 241],
    ['iso20', 'ed448', 'Ed448', 73],
  ] as const)('%s with -20 suite %s uses %s keys', (protocol, suite, type, pkcs8) => {
    expect(keyTypeOf(protocol, suite)).toBe(type);
    expect(privateKeyBytes(protocol, suite, 'pkcs8')).toBe(pkcs8);
  });
});

describe('certificate maxima', () => {
  it('are the certificateType maxima of the ISO 15118-2 and -20 schemas', () => {
    expect(iso2Shapes.CertificateChainType?.Certificate).toBe(`b0,${DEFAULT_STORAGE_ASSUMPTIONS.iso2CertificateBytes}`);
    expect(iso20Shapes.CertificateChainType?.Certificate).toBe(`b0,${DEFAULT_STORAGE_ASSUMPTIONS.iso20CertificateBytes}`);
    expect(DEFAULT_STORAGE_ASSUMPTIONS.iso2CertificateBytes).toBe(800);
    expect(DEFAULT_STORAGE_ASSUMPTIONS.iso20CertificateBytes).toBe(1600);
  });
});
