// XML signatures over EXI: the ISO 15118-2 Annex J example reproduces end to end (fragment bytes, digest, SignedInfo
// bytes, signature); RISE-V2G's CertificateInstallationRes reference digests (the eMAID one through the element
// fragment grammar) reproduce; -2 and -20 suites sign and verify with test-PKI keys; every Reference is checked.
import { createPublicKey, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaCodec, type xmldsig } from '../../src/exi/index.js';
import {
  buildSignedInfo,
  createSignature,
  emaidFragmentItem,
  encodeSignedInfo,
  fragmentBytes,
  ISO2_P256,
  ISO20_ED448,
  ISO20_P521,
  referenceDigest,
  signBytes,
  suiteForKey,
  verifyBytes,
  verifySignature,
  type FragmentItem,
  type SignatureOptions,
} from '../../src/iso15118/xmldsig/index.js';
import { contractOf } from '../helpers/fixtures.js';

interface Vector {
  readonly id: string;
  readonly hex: string;
  readonly sha256?: string;
  readonly privateKeyHex?: string;
  readonly publicKeyHex?: string;
  readonly signatureHex?: string;
}
const vectors = JSON.parse(readFileSync(new URL('../exi/fixtures/vectors.json', import.meta.url), 'utf8')) as Vector[];
const vector = (id: string): Vector => vectors.find((v) => v.id === id)!;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const b64url = (h: string): string => Buffer.from(h, 'hex').toString('base64url');

const annexJ = vector('iso2-annexj-signedinfo-fragment');
const ANNEX_J_PUBLIC = createPublicKey({
  key: { kty: 'EC', crv: 'P-256', x: b64url(annexJ.publicKeyHex!.slice(0, 64)), y: b64url(annexJ.publicKeyHex!.slice(64)) },
  format: 'jwk',
});
const ANNEX_J_PRIVATE = createPrivateKey({
  key: { kty: 'EC', crv: 'P-256', x: b64url(annexJ.publicKeyHex!.slice(0, 64)), y: b64url(annexJ.publicKeyHex!.slice(64)), d: b64url(annexJ.privateKeyHex!) },
  format: 'jwk',
});
const AUTHORIZATION_REQ: FragmentItem = { AuthorizationReq: { Id: 'ID1', GenChallenge: new Uint8Array(Buffer.from('Some Random Data')) } };
const ISO2: SignatureOptions = { schema: 'iso2', suite: ISO2_P256 };

describe('ISO 15118-2 Annex J example', () => {
  const auth = vector('iso2-annexj-authorizationreq-fragment');

  it('the AuthorizationReq fragment and its digest', () => {
    expect(hex(fragmentBytes(AUTHORIZATION_REQ, 'iso2'))).toBe(auth.hex);
    expect(hex(referenceDigest(AUTHORIZATION_REQ, 'iso2', ISO2_P256))).toBe(auth.sha256);
  });

  it('the SignedInfo built per [V2G2-771] encodes to the example bytes', () => {
    const signedInfo = buildSignedInfo([{ id: 'ID1', digest: Buffer.from(auth.sha256!, 'hex') }], ISO2_P256);
    const bytes = encodeSignedInfo(signedInfo, ISO2);
    expect(hex(bytes)).toBe(annexJ.hex);
  });

  it('the example signature verifies with the example key, and so does a new one made with its private key', () => {
    const signedInfo = buildSignedInfo([{ id: 'ID1', digest: referenceDigest(AUTHORIZATION_REQ, 'iso2', ISO2_P256) }], ISO2_P256);
    const signature: xmldsig.SignatureType = { SignedInfo: signedInfo, SignatureValue: { value: Buffer.from(annexJ.signatureHex!, 'hex') } };
    expect(verifySignature(signature, [AUTHORIZATION_REQ], ANNEX_J_PUBLIC, { ...ISO2, requiredIds: ['ID1'] })).toEqual({
      valid: true,
      signatureValid: true,
      references: [{ uri: '#ID1', found: true, digestMatches: true }],
      problems: [],
    });
    const ours = createSignature([AUTHORIZATION_REQ], ANNEX_J_PRIVATE, ISO2);
    expect(ours.SignatureValue.value).toHaveLength(64);
    expect(hex(encodeSignedInfo(ours.SignedInfo, ISO2))).toBe(annexJ.hex);
    expect(verifySignature(ours, [AUTHORIZATION_REQ], ANNEX_J_PUBLIC, ISO2).valid).toBe(true);
  });

  it('SignedInfo encoded with the MsgDef grammar instead of the xmldsig one gives other bytes, so the signature fails', () => {
    const signature = { SignedInfo: createSignature([AUTHORIZATION_REQ], ANNEX_J_PRIVATE, ISO2).SignedInfo, SignatureValue: { value: Buffer.from(annexJ.signatureHex!, 'hex') } };
    const wrong = verifySignature(signature, [AUTHORIZATION_REQ], ANNEX_J_PUBLIC, { ...ISO2, signedInfoGrammar: 'message' });
    expect(wrong.signatureValid).toBe(false);
    expect(wrong.references[0]!.digestMatches).toBe(true);
  });
});

describe('tampering and malformed signatures', () => {
  const signature = createSignature([AUTHORIZATION_REQ], ANNEX_J_PRIVATE, ISO2);

  it('a changed element: its reference digest no longer matches', () => {
    const tampered = { AuthorizationReq: { Id: 'ID1', GenChallenge: new Uint8Array(16).fill(1) } };
    const v = verifySignature(signature, [tampered], ANNEX_J_PUBLIC, ISO2);
    expect(v.valid).toBe(false);
    expect(v.signatureValid).toBe(true);
    expect(v.references).toEqual([{ uri: '#ID1', found: true, digestMatches: false }]);
  });

  it('a changed signature, a DER signature, another key', () => {
    const flipped = Uint8Array.from(signature.SignatureValue.value);
    flipped[10]! ^= 1;
    expect(verifySignature({ ...signature, SignatureValue: { value: flipped } }, [AUTHORIZATION_REQ], ANNEX_J_PUBLIC, ISO2).signatureValid).toBe(false);
    const bytes = encodeSignedInfo(signature.SignedInfo, ISO2);
    const raw = signBytes(ISO2_P256, ANNEX_J_PRIVATE, bytes);
    expect(verifyBytes(ISO2_P256, ANNEX_J_PUBLIC, bytes, raw)).toBe(true);
    // The same r and s wrapped as a DER SEQUENCE of two INTEGERs: not what ISO 15118 carries.
    const derLike = Uint8Array.of(0x30, 0x44, 0x02, 0x20, ...raw.subarray(0, 32), 0x02, 0x20, ...raw.subarray(32));
    expect(verifyBytes(ISO2_P256, ANNEX_J_PUBLIC, bytes, derLike)).toBe(false);
    const other = contractOf('iso2').key.publicKey;
    expect(verifySignature(signature, [AUTHORIZATION_REQ], other, ISO2).signatureValid).toBe(false);
  });

  it('a reference to an element that is not there, and a required element that is not signed', () => {
    const v = verifySignature(signature, [], ANNEX_J_PUBLIC, { ...ISO2, requiredIds: ['ID2'] });
    expect(v.valid).toBe(false);
    expect(v.problems).toEqual(['Reference #ID1: no signed element has this Id', 'element ID2 is not signed']);
  });

  it.each([
    ['SignedInfo Id', (s: xmldsig.SignatureType) => ({ ...s, SignedInfo: { ...s.SignedInfo, Id: 'si' } }), /SignedInfo Id is not allowed/],
    ['KeyInfo', (s: xmldsig.SignatureType) => ({ ...s, KeyInfo: { KeyName: ['k'] } }), /KeyInfo is not allowed/],
    ['SignatureValue Id', (s: xmldsig.SignatureType) => ({ ...s, SignatureValue: { ...s.SignatureValue, Id: 'v' } }), /SignatureValue Id/],
    [
      'HMACOutputLength',
      (s: xmldsig.SignatureType) => ({ ...s, SignedInfo: { ...s.SignedInfo, SignatureMethod: { ...s.SignedInfo.SignatureMethod, HMACOutputLength: 128n } } }),
      /HMACOutputLength/,
    ],
    [
      'a SHA-1 digest method',
      (s: xmldsig.SignatureType) => ({
        ...s,
        SignedInfo: { ...s.SignedInfo, Reference: s.SignedInfo.Reference.map((r) => ({ ...r, DigestMethod: { Algorithm: 'http://www.w3.org/2000/09/xmldsig#sha1' } })) },
      }),
      /DigestMethod .*sha1, expected/,
    ],
    [
      'a reference without transform',
      (s: xmldsig.SignatureType) => ({ ...s, SignedInfo: { ...s.SignedInfo, Reference: s.SignedInfo.Reference.map(({ Transforms: _t, ...r }) => r) } }),
      /exactly one .* transform/,
    ],
  ])('[V2G2-771] / algorithms: %s is refused', (_name, change, message) => {
    const v = verifySignature(change(signature), [AUTHORIZATION_REQ], ANNEX_J_PUBLIC, ISO2);
    expect(v.valid).toBe(false);
    expect(v.problems.join('\n')).toMatch(message);
  });
});

describe('CertificateInstallationRes: four references, the eMAID one through the element fragment grammar', () => {
  const privateKey = vector('iso2-rise-contractsignatureencryptedprivatekey-fragment');
  const dh = vector('iso2-rise-dhpublickey-fragment');
  const emaid = vector('iso2-rise-emaid-element-fragment');
  const iso2 = schemaCodec('iso2');
  const [keyItem] = iso2.decodeFragment(Buffer.from(privateKey.hex, 'hex'));
  const [dhItem] = iso2.decodeFragment(Buffer.from(dh.hex, 'hex'));
  const emaidItem = emaidFragmentItem({ Id: 'id4', value: 'DEABCC123ABC56' });

  it('reproduces the RISE-V2G reference digests', () => {
    expect(hex(referenceDigest(keyItem!, 'iso2', ISO2_P256))).toBe(privateKey.sha256);
    expect(hex(referenceDigest(dhItem!, 'iso2', ISO2_P256))).toBe(dh.sha256);
    expect(hex(fragmentBytes(emaidItem, 'iso2'))).toBe(emaid.hex);
    expect(hex(referenceDigest(emaidItem, 'iso2', ISO2_P256))).toBe(emaid.sha256);
  });

  it('verify checks every reference: a change in the last signed element fails only that one', () => {
    const cps = contractOf('iso2').key;
    const chain: FragmentItem = { ContractSignatureCertChain: { Id: 'id1', Certificate: contractOf('iso2').der } };
    const elements = [chain, keyItem!, dhItem!, emaidItem];
    const signature = createSignature(elements, cps.privateKey, ISO2);
    expect(signature.SignedInfo.Reference.map((r) => r.URI)).toEqual(['#id1', '#id2', '#id3', '#id4']);
    expect(verifySignature(signature, elements, cps.publicKey, ISO2).valid).toBe(true);
    const changed = [chain, keyItem!, dhItem!, emaidFragmentItem({ Id: 'id4', value: 'DEABCC123ABC57' })];
    const v = verifySignature(signature, changed, cps.publicKey, ISO2);
    expect(v.valid).toBe(false);
    expect(v.references.map((r) => r.digestMatches)).toEqual([true, true, true, false]);
  });
});

describe('ISO 15118-20 suites', () => {
  const authorizationMode = (chain: Uint8Array): FragmentItem => ({
    PnC_AReqAuthorizationMode: { Id: 'auth1', GenChallenge: new Uint8Array(16).fill(9), ContractCertificateChain: { Certificate: chain, SubCertificates: { Certificate: [chain] } } },
  });

  it.each([
    ['iso20-p521', ISO20_P521, 132],
    ['iso20-ed448', ISO20_ED448, 114],
  ] as const)('%s: PnC_AReqAuthorizationMode [V2G20-1063] signs and verifies; SHA-512 reference digests', (suiteName, suite, length) => {
    const contract = contractOf(suiteName);
    expect(suiteForKey('iso20', contract.key.privateKey)).toBe(suite);
    const item = authorizationMode(contract.der);
    const options: SignatureOptions = { schema: 'iso20', suite };
    const signature = createSignature([item], contract.key.privateKey, options);
    expect(signature.SignatureValue.value).toHaveLength(length);
    expect(signature.SignedInfo.Reference[0]!.DigestValue).toHaveLength(64);
    expect(verifySignature(signature, [item], contract.key.publicKey, { ...options, requiredIds: ['auth1'] }).valid).toBe(true);
    // The SignedInfo grammar is a switch: a signature made one way does not verify the other way.
    const other = verifySignature(signature, [item], contract.key.publicKey, { ...options, signedInfoGrammar: 'message' });
    expect(other.signatureValid).toBe(false);
    const viaMessageGrammar = createSignature([item], contract.key.privateKey, { ...options, signedInfoGrammar: 'message' });
    expect(verifySignature(viaMessageGrammar, [item], contract.key.publicKey, { ...options, signedInfoGrammar: 'message' }).valid).toBe(true);
    expect(hex(encodeSignedInfo(signature.SignedInfo, options))).not.toBe(hex(encodeSignedInfo(signature.SignedInfo, { ...options, signedInfoGrammar: 'message' })));
  });

  it('keys of the wrong kind are refused', () => {
    const p521: KeyObject = contractOf('iso20-p521').key.privateKey;
    expect(() => createSignature([AUTHORIZATION_REQ], p521, ISO2)).toThrow(/prime256v1/);
    expect(() => suiteForKey('iso2', p521)).toThrow();
    expect(verifyBytes(ISO20_ED448, contractOf('iso20-p521').key.publicKey, new Uint8Array(4), new Uint8Array(114))).toBe(false);
  });
});
