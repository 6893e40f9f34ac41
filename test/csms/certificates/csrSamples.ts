// CSRs for the CSMS's tests, including ones a well-behaved builder refuses to make: any subject attributes in any
// order and string type, any requested extensions, a broken signature.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { EXTENSION_REQUEST_OID } from '../../../src/pki/certificate/certificationRequest.js';
import { encodePem } from '../../../src/pki/certificate/pem.js';
import { algorithmIdentifier, signatureSpec } from '../../../src/pki/certificate/signatureAlgorithms.js';
import type { SignatureAlgorithm } from '../../../src/pki/certificate/certificate.js';
import * as der from '../../../src/pki/der/derWriter.js';
import { ext, type ExtensionSpec } from '../../../src/pki/generator/certificateBuilder.js';
import { Oid } from '../../../src/pki/oids.js';

export type SampleKeyType = 'P-256' | 'P-384' | 'P-521' | 'Ed448' | 'RSA-1024' | 'RSA-2048';

export function sampleKey(type: SampleKeyType): { privateKey: KeyObject; publicKey: KeyObject } {
  if (type === 'Ed448') return generateKeyPairSync('ed448');
  if (type.startsWith('RSA')) return generateKeyPairSync('rsa', { modulusLength: Number(type.slice(4)) });
  return generateKeyPairSync('ec', { namedCurve: type });
}

const ALG: Record<SampleKeyType, SignatureAlgorithm> = {
  'P-256': 'ecdsa-with-SHA256',
  'P-384': 'ecdsa-with-SHA384',
  'P-521': 'ecdsa-with-SHA512',
  Ed448: 'Ed448',
  'RSA-1024': 'sha256WithRSAEncryption',
  'RSA-2048': 'sha256WithRSAEncryption',
};

/** [attribute OID, DER of the value] in the order given. */
export type RawAttribute = readonly [string, Buffer];
export const attr = {
  C: (v: string): RawAttribute => [Oid.countryName, der.printableString(v)],
  O: (v: string): RawAttribute => [Oid.organizationName, der.utf8String(v)],
  CN: (v: string): RawAttribute => [Oid.commonName, der.utf8String(v)],
  DC: (v: string): RawAttribute => [Oid.domainComponent, der.ia5String(v)],
  OU: (v: string): RawAttribute => [Oid.organizationalUnitName, der.utf8String(v)],
};

export function seccSubject(over: { cn?: string; o?: string; c?: string; dc?: string | null } = {}): RawAttribute[] {
  return [attr.C(over.c ?? 'DE'), attr.O(over.o ?? 'PNC CPO'), attr.CN(over.cn ?? 'DE*PNC*E00001'), ...(over.dc === null ? [] : [attr.DC(over.dc ?? 'CPO')])];
}

export interface SampleCsr {
  readonly pem: string;
  readonly der: Buffer;
  readonly key: { privateKey: KeyObject; publicKey: KeyObject };
}

export function sampleCsr(options: { keyType?: SampleKeyType; subject?: readonly RawAttribute[]; extensions?: readonly ExtensionSpec[]; corruptSignature?: boolean; key?: { privateKey: KeyObject; publicKey: KeyObject } } = {}): SampleCsr {
  const keyType = options.keyType ?? 'P-256';
  const key = options.key ?? sampleKey(keyType);
  const subject = der.sequence(...(options.subject ?? seccSubject()).map(([oid, value]) => der.setOf(der.sequence(der.oid(oid), value))));
  const extensions = options.extensions ?? [ext.basicConstraints(false), ext.keyUsage(['digitalSignature', 'keyAgreement'])];
  const attrs = extensions.length
    ? [der.sequence(der.oid(EXTENSION_REQUEST_OID), der.setOf(der.sequence(...extensions.map((e) => der.sequence(der.oid(e.oid), ...(e.critical ? [der.boolean(true)] : []), der.octetString(e.value))))))]
    : [];
  const info = der.sequence(der.integer(0), subject, key.publicKey.export({ type: 'spki', format: 'der' }), der.tlv(0xa0, ...attrs));
  const alg = ALG[keyType];
  const signature = sign(signatureSpec(alg)!.digest, info, key.privateKey);
  if (options.corruptSignature) signature[signature.length - 3]! ^= 0x40;
  const csr = der.sequence(info, algorithmIdentifier(alg), der.bitString(signature));
  return { pem: encodePem('CERTIFICATE REQUEST', csr), der: csr, key };
}
