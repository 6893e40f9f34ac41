// The SECC private key on a PKCS#11 token (SoftHSM2 from Debian): URI parsing, key generation, non-extractability,
// signatures checked by node:crypto and by openssl, a CSR signed on the token, and the node:tls server using the token
// key through the OpenSSL pkcs11 engine with openssl s_client as the peer.
import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect, createServer, type SecureVersion } from 'node:tls';
import type * as Pkcs11JsModule from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecdsaRawToDer } from '../../src/charger/keys/ecdsaSignatureDer.js';
import { keyTypeFromEcParams, subjectPublicKeyInfo } from '../../src/charger/keys/ecPublicKeyInfo.js';
import { loadPkcs11Binding } from '../../src/charger/keys/pkcs11Binding.js';
import { CKA, CKK, CKM, CKO, CKR, CKU_USER, ckrName } from '../../src/charger/keys/pkcs11Constants.js';
import { Pkcs11Error, type Pkcs11ErrorCode } from '../../src/charger/keys/pkcs11Error.js';
import { createPkcs11Signer } from '../../src/charger/keys/pkcs11Signer.js';
import { checkPkcs11TlsKey, createPkcs11SecureContext, engineError, preparePkcs11TlsKey, type Pkcs11TlsKeyOptions } from '../../src/charger/keys/pkcs11TlsKey.js';
import { openPkcs11Token, openPkcs11TokenFromUri, type Pkcs11KeyPair, type Pkcs11Token } from '../../src/charger/keys/pkcs11Token.js';
import { formatPkcs11Uri, parsePkcs11Uri, redactPkcs11Uri, type Pkcs11Uri } from '../../src/charger/keys/pkcs11Uri.js';
import { TOKEN_CURVES } from '../../src/charger/keys/tokenCurves.js';
import * as der from '../../src/pki/der/derWriter.js';
import { buildCertificationRequest } from '../../src/pki/generator/certificationRequest.js';
import { Oid } from '../../src/pki/oids.js';
import { openssl, scratch } from '../helpers/openssl.js';
import { createSoftHsm, softHsmAvailability, type SoftHsm } from '../helpers/softhsm.js';

type Pkcs11Js = typeof Pkcs11JsModule;

/** The Pkcs11Error code `action` fails with, or a description of how it did not. */
async function codeOf(action: () => unknown): Promise<string> {
  try {
    await action();
  } catch (e) {
    if (e instanceof Pkcs11Error) return e.code;
    return `not a Pkcs11Error: ${String(e)}`;
  }
  return 'no error';
}

describe('PKCS#11 URI (RFC 7512)', () => {
  const ok: [string, Pkcs11Uri][] = [
    ['pkcs11:token=pnc;object=secc-iso2', { token: 'pnc', object: 'secc-iso2' }],
    [
      'pkcs11:token=pnc;object=secc-iso2;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234',
      { token: 'pnc', object: 'secc-iso2', type: 'private', modulePath: '/usr/lib/softhsm/libsofthsm2.so', pinValue: '1234' },
    ],
    ['pkcs11:id=%01%ff%00;serial=DECC0401648', { id: Buffer.from([1, 0xff, 0]), serial: 'DECC0401648' }],
    ['pkcs11:slot-id=18446744073709551615', { slotId: 0xffffffffffffffffn }],
    ['pkcs11:token=My%20token%3B%2F;object=%C3%A9', { token: 'My token;/', object: 'é' }],
    ['pkcs11:token=a?pin-source=file:/etc/pnc/pin', { token: 'a', pinSource: 'file:/etc/pnc/pin' }],
    ['PKCS11:token=a', { token: 'a' }],
    ['pkcs11:', {}],
  ];
  it.each(ok)('parses %s', (text, expected) => {
    expect(parsePkcs11Uri(text)).toEqual(expected);
  });

  const bad: [string, string, RegExp][] = [
    ['wrong scheme', 'pkcs12:token=a', /does not start/],
    ['duplicate attribute', 'pkcs11:token=a;token=b', /twice/],
    ['unknown attribute', 'pkcs11:tokn=a', /unknown path attribute/],
    ['case matters in names', 'pkcs11:Token=a', /unknown path attribute/],
    ['query attribute in the path', 'pkcs11:pin-value=1', /unknown path attribute/],
    ['unsupported selector', 'pkcs11:slot-description=x', /not supported/],
    ['vendor attribute', 'pkcs11:x-foo=1', /vendor/],
    ['bad percent escape', 'pkcs11:token=%zz', /percent/],
    ['truncated percent escape', 'pkcs11:token=a%2', /percent/],
    ['unencoded space', 'pkcs11:token=a b', /percent/],
    ['unencoded slash in the path', 'pkcs11:token=a/b', /percent/],
    ['no value form', 'pkcs11:token', /name=value/],
    ['empty value', 'pkcs11:token=', /empty/],
    ['label too long for CK_TOKEN_INFO', `pkcs11:token=${'a'.repeat(33)}`, /more than 32/],
    ['not UTF-8', 'pkcs11:object=%ff%fe', /UTF-8/],
    ['NUL in a label', 'pkcs11:object=a%00b', /control/],
    ['slot-id not decimal', 'pkcs11:slot-id=0x10', /slot-id/],
    ['slot-id above 64 bits', 'pkcs11:slot-id=18446744073709551616', /slot-id/],
    ['bad type', 'pkcs11:type=secret', /type/],
    ['relative module path', 'pkcs11:token=a?module-path=libsofthsm2.so', /absolute/],
    ['pin-value and pin-source', 'pkcs11:token=a?pin-value=1&pin-source=file:/x', /ambiguous/],
    ['fragment', 'pkcs11:token=a#x', /fragment/],
    ['oversize', `pkcs11:object=${'a'.repeat(5000)}`, /longer than/],
  ];
  it.each(bad)('refuses %s', (_name, text, message) => {
    let error: unknown;
    try {
      parsePkcs11Uri(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Pkcs11Error);
    expect((error as Pkcs11Error).code).toBe('uri');
    expect((error as Error).message).toMatch(message);
  });

  it('formats what it parses (round trip), and redacts the PIN', () => {
    const uri: Pkcs11Uri = { token: 'p n;c', serial: 'ab12', object: 'secc/iso2', id: Buffer.from([0, 1, 0xfe]), type: 'private', modulePath: '/usr/lib/x.so', pinValue: '12&34' };
    const text = formatPkcs11Uri(uri);
    expect(parsePkcs11Uri(text)).toEqual(uri);
    expect(redactPkcs11Uri(uri)).not.toContain('12%2634');
    expect(redactPkcs11Uri(uri)).toContain('pin-value=redacted');
  });
});

describe('ECDSA r‖s to DER', () => {
  it.each([
    ['P-256', 'prime256v1', 'sha256', 32],
    ['P-521', 'secp521r1', 'sha512', 66],
  ] as const)('matches node:crypto on %s signatures', (_name, namedCurve, hash, coordinateLength) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    for (let i = 0; i < 64; i++) {
      const data = Buffer.from(`message ${i}`);
      const raw = nodeSign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const derSig = ecdsaRawToDer(raw, coordinateLength);
      expect(nodeVerify(hash, data, publicKey, derSig)).toBe(true);
      // Flip one bit of s: the DER must carry exactly the token's values.
      const tampered = Buffer.from(raw);
      tampered[raw.length - 1]! ^= 1;
      expect(nodeVerify(hash, data, publicKey, ecdsaRawToDer(tampered, coordinateLength))).toBe(false);
    }
  });

  it.each([
    ['leading zeros stripped', Buffer.concat([Buffer.alloc(31), Buffer.from([5]), Buffer.alloc(31), Buffer.from([7])]), '3006020105020107'],
    ['high bit padded', Buffer.concat([Buffer.from([0x80]), Buffer.alloc(31), Buffer.from([0xff]), Buffer.alloc(31)]), `3046022100${'80'.padEnd(64, '0')}022100${'ff'.padEnd(64, '0')}`],
    ['short equal halves', Buffer.from([1, 2]), '3006020101020102'],
  ])('encodes %s', (_name, raw, hex) => {
    expect(ecdsaRawToDer(raw, 32).toString('hex')).toBe(hex);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['odd length', Buffer.alloc(63, 1)],
    ['longer than the curve', Buffer.alloc(66, 1)],
    ['zero r', Buffer.concat([Buffer.alloc(32), Buffer.alloc(32, 1)])],
    ['zero s', Buffer.concat([Buffer.alloc(32, 1), Buffer.alloc(32)])],
  ])('refuses %s', (_name, raw) => {
    expect(() => ecdsaRawToDer(raw, 32)).toThrow(Pkcs11Error);
  });
});

describe('public key from CKA_EC_PARAMS and CKA_EC_POINT', () => {
  const pointOf = (key: KeyObject): Buffer => {
    const jwk = key.export({ format: 'jwk' });
    return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  };
  const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
  const p521 = generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).publicKey;
  const ed448 = generateKeyPairSync('ed448').publicKey;
  const ed448Raw = Buffer.from(ed448.export({ format: 'jwk' }).x!, 'base64url');

  it.each([
    ['P-256 in an OCTET STRING (PKCS#11)', 'P-256', der.octetString(pointOf(p256)), p256],
    ['P-256 bare point', 'P-256', pointOf(p256), p256],
    ['P-521 in an OCTET STRING', 'P-521', der.octetString(pointOf(p521)), p521],
    ['Ed448 in an OCTET STRING', 'Ed448', der.octetString(ed448Raw), ed448],
    ['Ed448 bare', 'Ed448', ed448Raw, ed448],
  ] as const)('builds the SPKI of %s', (_name, keyType, ecPoint, expected) => {
    const { spki } = subjectPublicKeyInfo(keyType, ecPoint);
    expect(spki.equals(expected.export({ type: 'spki', format: 'der' }))).toBe(true);
  });

  it.each([
    ['wrong length', 'P-256', Buffer.alloc(64, 4)],
    ['OCTET STRING of the wrong length', 'P-256', der.octetString(Buffer.alloc(33, 4))],
    ['compressed point', 'P-256', Buffer.concat([Buffer.from([2]), Buffer.alloc(64, 1)])],
    ['point not on the curve', 'P-256', Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)])],
    ['P-256 point for P-521', 'P-521', der.octetString(pointOf(p256))],
    ['empty', 'Ed448', Buffer.alloc(0)],
  ] as const)('refuses %s', (_name, keyType, ecPoint) => {
    let error: unknown;
    try {
      subjectPublicKeyInfo(keyType, ecPoint);
    } catch (e) {
      error = e;
    }
    expect((error as Pkcs11Error).code).toBe('key-unsupported');
  });

  it.each([
    [CKK.EC, der.oid(Oid.prime256v1), 'P-256'],
    [CKK.EC, der.oid(Oid.secp521r1), 'P-521'],
    [CKK.EC_EDWARDS, der.oid(Oid.ed448), 'Ed448'],
    [CKK.EC_EDWARDS, der.printableString('edwards448'), 'Ed448'],
  ])('reads key type 0x%s params %s', (ckk, params, keyType) => {
    expect(keyTypeFromEcParams(ckk, params)).toBe(keyType);
  });

  it.each([
    ['P-384 (not ISO 15118)', CKK.EC, der.oid(Oid.secp384r1)],
    ['Ed25519', CKK.EC_EDWARDS, der.oid(Oid.ed25519)],
    ['Ed448 OID under CKK_EC', CKK.EC, der.oid(Oid.ed448)],
    ['printable string under CKK_EC', CKK.EC, der.printableString('edwards448')],
    ['explicit curve parameters', CKK.EC, der.sequence(der.integer(1))],
    ['RSA', 0, der.oid(Oid.prime256v1)],
    ['garbage', CKK.EC, Buffer.from([0x06, 0x80])],
    ['trailing bytes', CKK.EC, Buffer.concat([der.oid(Oid.prime256v1), Buffer.from([0])])],
    ['empty', CKK.EC, Buffer.alloc(0)],
  ])('refuses %s', (_name, ckk, params) => {
    expect(() => keyTypeFromEcParams(ckk, params)).toThrow(Pkcs11Error);
  });
});

describe('PKCS#11 constants and binding', () => {
  it('agree with pkcs11js where it defines them', () => {
    const p = createRequire(import.meta.url)('pkcs11js') as Pkcs11Js;
    const pairs: [number, number][] = [
      [CKO.PUBLIC_KEY, p.CKO_PUBLIC_KEY], [CKO.PRIVATE_KEY, p.CKO_PRIVATE_KEY], [CKK.EC, p.CKK_EC], [CKK.AES, p.CKK_AES],
      [CKA.CLASS, p.CKA_CLASS], [CKA.TOKEN, p.CKA_TOKEN], [CKA.PRIVATE, p.CKA_PRIVATE], [CKA.LABEL, p.CKA_LABEL], [CKA.VALUE, p.CKA_VALUE],
      [CKA.KEY_TYPE, p.CKA_KEY_TYPE], [CKA.ID, p.CKA_ID], [CKA.SENSITIVE, p.CKA_SENSITIVE], [CKA.SIGN, p.CKA_SIGN], [CKA.DERIVE, p.CKA_DERIVE],
      [CKA.EXTRACTABLE, p.CKA_EXTRACTABLE], [CKA.LOCAL, p.CKA_LOCAL], [CKA.NEVER_EXTRACTABLE, p.CKA_NEVER_EXTRACTABLE],
      [CKA.ALWAYS_SENSITIVE, p.CKA_ALWAYS_SENSITIVE], [CKA.EC_PARAMS, p.CKA_EC_PARAMS], [CKA.EC_POINT, p.CKA_EC_POINT], [CKA.VALUE_LEN, p.CKA_VALUE_LEN],
      [CKM.EC_KEY_PAIR_GEN, p.CKM_EC_KEY_PAIR_GEN], [CKM.ECDSA, p.CKM_ECDSA], [CKM.AES_KEY_GEN, p.CKM_AES_KEY_GEN],
      [CKR.PIN_INCORRECT, p.CKR_PIN_INCORRECT], [CKR.PIN_LOCKED, p.CKR_PIN_LOCKED], [CKR.USER_ALREADY_LOGGED_IN, p.CKR_USER_ALREADY_LOGGED_IN],
      [CKR.ATTRIBUTE_SENSITIVE, p.CKR_ATTRIBUTE_SENSITIVE], [CKR.KEY_UNEXTRACTABLE, p.CKR_KEY_UNEXTRACTABLE],
      [CKR.CRYPTOKI_ALREADY_INITIALIZED, p.CKR_CRYPTOKI_ALREADY_INITIALIZED], [CKU_USER, p.CKU_USER],
    ];
    for (const [ours, theirs] of pairs) expect(ours).toBe(theirs);
    expect(ckrName(CKR.PIN_INCORRECT)).toBe('CKR_PIN_INCORRECT');
    expect(ckrName(0x12345)).toBe('CKR_0x00012345');
  });

  it('a missing binding is a typed error when PKCS#11 is asked for, not at import', async () => {
    expect(await codeOf(() => loadPkcs11Binding('pnc-no-such-pkcs11-binding'))).toBe('binding-unavailable');
    expect(
      await codeOf(() => openPkcs11Token({ modulePath: '/nonexistent.so', token: { label: 'x' }, pin: '1', bindingModule: 'pnc-no-such-pkcs11-binding' })),
    ).toBe('binding-unavailable');
    // A module that is not pkcs11js is refused by shape.
    expect(await codeOf(() => loadPkcs11Binding('node:path'))).toBe('binding-unavailable');
  });

  it('maps the engine errors node:tls reports', () => {
    const err = (message: string, code?: string, stack: string[] = []): Error => Object.assign(new Error(message), { code, opensslErrorStack: stack });
    const cases: [Error, Pkcs11ErrorCode][] = [
      [err('error:12800067:DSO support routines::could not load the shared library', undefined, ['error:13000084:engine routines::dso not found']), 'engine-unavailable'],
      [err('error:418000A0:PKCS#11 module::PIN incorrect', 'ERR_OSSL_PIN_INCORRECT'), 'pin-incorrect'],
      [err('error:40800065:pkcs11 engine::object not found', 'ERR_OSSL_OBJECT_NOT_FOUND'), 'key-not-found'],
      [err('error:1400006B:UI routines::processing error', 'ERR_OSSL_UI_PROCESSING_ERROR'), 'engine'],
      [err('error:05800074:x509 certificate routines::key values mismatch', 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'), 'certificate-mismatch'],
      [err('something else'), 'engine'],
    ];
    for (const [e, code] of cases) expect(engineError(e, 'pkcs11:x').code).toBe(code);
  });
});

const availability = softHsmAvailability();

describe.skipIf(!availability.available)(`SoftHSM2 token${availability.available ? '' : ` (skipped: ${availability.reason})`}`, () => {
  let hsm: SoftHsm;
  let files: ReturnType<typeof scratch>;
  const open = (index = 0, pin?: string): Promise<Pkcs11Token> =>
    openPkcs11Token({ modulePath: hsm.modulePath, token: { label: hsm.tokens[index]!.label }, pin: pin ?? hsm.tokens[index]!.pin });

  beforeAll(() => {
    // Token 1 gets the Ed448 key: libp11 0.4.12 finds no key at all on a token that holds an EdDSA key.
    hsm = createSoftHsm(['pnc', 'pnc-ed']);
    files = scratch('pnc-pkcs11-');
  });
  afterAll(() => {
    files?.cleanup();
    hsm?.cleanup();
  });

  describe('opening', () => {
    it('a wrong PIN is a typed error (and the right one then works)', async () => {
      expect(await codeOf(() => open(0, '0000'))).toBe('pin-incorrect');
      const token = await open(0);
      // The token does not check a second login of the same process; the registry does.
      expect(await codeOf(() => open(0, '0000'))).toBe('pin-incorrect');
      token.close();
      expect(await codeOf(() => open(0, ''))).toBe('pin-incorrect');
    });

    it('a missing or unloadable module, or an unknown token, is a typed error', async () => {
      const pin = hsm.tokens[0]!.pin;
      expect(await codeOf(() => openPkcs11Token({ modulePath: '/usr/lib/nonexistent/libpkcs11.so', token: { label: 'pnc' }, pin }))).toBe('module-not-found');
      expect(await codeOf(() => openPkcs11Token({ modulePath: 'libsofthsm2.so', token: { label: 'pnc' }, pin }))).toBe('module-not-found');
      expect(await codeOf(() => openPkcs11Token({ modulePath: hsm.confPath, token: { label: 'pnc' }, pin }))).toBe('module-load');
      expect(await codeOf(() => openPkcs11Token({ modulePath: hsm.modulePath, token: { label: 'nope' }, pin }))).toBe('token-not-found');
      expect(await codeOf(() => openPkcs11Token({ modulePath: hsm.modulePath, token: {}, pin }))).toBe('token-not-found');
    });

    it('selects a token by serial or slot id as well as by label', async () => {
      const byLabel = await open(0);
      const { serial, slotId } = byLabel.info;
      const bySerial = await openPkcs11Token({ modulePath: hsm.modulePath, token: { serial }, pin: hsm.tokens[0]!.pin });
      const bySlot = await openPkcs11Token({ modulePath: hsm.modulePath, token: { slotId }, pin: hsm.tokens[0]!.pin });
      expect(bySerial.info).toEqual(byLabel.info);
      expect(bySlot.info).toEqual(byLabel.info);
      expect(await codeOf(() => openPkcs11Token({ modulePath: hsm.modulePath, token: { label: 'pnc', serial: 'ffff' }, pin: hsm.tokens[0]!.pin }))).toBe(
        'token-not-found',
      );
      for (const t of [byLabel, bySerial, bySlot]) t.close();
      expect(await codeOf(() => byLabel.findKeyPair({ label: 'x' }))).toBe('closed');
    });
  });

  describe('keys', () => {
    let token: Pkcs11Token;
    let edToken: Pkcs11Token;
    const keys = new Map<string, Pkcs11KeyPair>();
    beforeAll(async () => {
      token = await open(0);
      edToken = await open(1);
    });
    afterAll(() => {
      token?.close();
      edToken?.close();
    });

    it.each(['P-256', 'P-521', 'Ed448'] as const)('generates a %s key pair on the token', (keyType) => {
      const on = keyType === 'Ed448' ? edToken : token;
      const key = on.generateKeyPair({ keyType, label: `secc-${keyType}` });
      keys.set(keyType, key);
      expect(key.keyType).toBe(keyType);
      expect(key.label).toBe(`secc-${keyType}`);
      expect(key.id).toHaveLength(16);
      expect(createPublicKey({ key: key.spki, format: 'der', type: 'spki' }).asymmetricKeyType).toBe(keyType === 'Ed448' ? 'ed448' : 'ec');
      expect(on.keyProtection(key)).toEqual({
        onToken: true,
        private: true,
        sensitive: true,
        extractable: false,
        alwaysSensitive: true,
        neverExtractable: true,
        local: true,
      });
    });

    it('the private key does not leave the token: no value, no wrap, no way back to extractable', async () => {
      const p = createRequire(import.meta.url)('pkcs11js') as Pkcs11Js;
      // An independent handle on the same module (initialized and logged in by `token` in this process).
      const raw = new p.PKCS11();
      raw.load(hsm.modulePath);
      try {
        raw.C_Initialize();
      } catch (e) {
        expect((e as { code?: number }).code).toBe(CKR.CRYPTOKI_ALREADY_INITIALIZED);
      }
      const slot = raw.C_GetSlotList(true).find((s) => raw.C_GetTokenInfo(s).label.trim() === 'pnc')!;
      const session = raw.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
      try {
        const ckrOfCall = (call: () => unknown): number | string => {
          try {
            call();
            return 'succeeded';
          } catch (e) {
            return (e as { code?: number }).code ?? String(e);
          }
        };
        for (const keyType of ['P-256', 'P-521'] as const) {
          const key = keys.get(keyType)!;
          raw.C_FindObjectsInit(session, [{ type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }, { type: p.CKA_ID, value: key.id }]);
          const handle = raw.C_FindObjects(session, 1)[0]!;
          raw.C_FindObjectsFinal(session);
          expect(ckrOfCall(() => raw.C_GetAttributeValue(session, handle, [{ type: p.CKA_VALUE }]))).toBe(CKR.ATTRIBUTE_SENSITIVE);
          const wrappingKey = raw.C_GenerateKey(session, { mechanism: p.CKM_AES_KEY_GEN }, [
            { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
            { type: p.CKA_TOKEN, value: false },
            { type: p.CKA_VALUE_LEN, value: 32 },
            { type: p.CKA_WRAP, value: true },
          ]);
          expect(ckrOfCall(() => raw.C_WrapKey(session, { mechanism: CKM.AES_KEY_WRAP_PAD }, wrappingKey, handle, Buffer.alloc(4096)))).toBe(
            CKR.KEY_UNEXTRACTABLE,
          );
          expect(ckrOfCall(() => raw.C_SetAttributeValue(session, handle, [{ type: p.CKA_EXTRACTABLE, value: true }]))).not.toBe('succeeded');
          expect(ckrOfCall(() => raw.C_SetAttributeValue(session, handle, [{ type: p.CKA_SENSITIVE, value: false }]))).not.toBe('succeeded');
        }
      } finally {
        // Only our own session: C_Logout or C_Finalize here would log out `token` too (one login per process).
        raw.C_CloseSession(session);
      }
      // Another process sees the same attributes (pkcs11-tool from opensc).
      const listing = await new Promise<string>((resolve) => {
        execFile(
          'pkcs11-tool',
          // By slot: pkcs11-tool's --token-label also matches "pnc-ed" (prefix comparison).
          ['--module', hsm.modulePath, '--slot', String(token.info.slotId), '--login', '--pin', hsm.tokens[0]!.pin, '--list-objects', '--type', 'privkey'],
          { env: hsm.env },
          (err, stdout) => resolve(err ? `pkcs11-tool failed: ${err.message}` : stdout),
        );
      });
      expect(listing).toMatch(/label:\s+secc-P-256[\s\S]*?Access:\s+sensitive, always sensitive, never extractable, local/);
    });

    it.each(['P-256', 'P-521', 'Ed448'] as const)('signs with the %s key: verified by node:crypto and by openssl', async (keyType) => {
      const key = keys.get(keyType)!;
      const on = keyType === 'Ed448' ? edToken : token;
      const signer = createPkcs11Signer(on, key);
      expect(signer.signatureAlgorithm).toBe({ 'P-256': 'ecdsa-with-SHA256', 'P-521': 'ecdsa-with-SHA512', Ed448: 'Ed448' }[keyType]);
      const data = Buffer.from(`to be signed by ${keyType}`);
      const signature = await signer.sign(data);
      const hash = { 'P-256': 'sha256', 'P-521': 'sha512', Ed448: null }[keyType];
      expect(nodeVerify(hash, data, key.publicKey, signature)).toBe(true);
      expect(nodeVerify(hash, Buffer.from('something else'), key.publicKey, signature)).toBe(false);

      const pub = files.file(`${keyType}.pub.pem`, key.publicKey.export({ type: 'spki', format: 'pem' }));
      const dataFile = files.file(`${keyType}.data`, data);
      const sigFile = files.file(`${keyType}.sig`, signature);
      const result =
        keyType === 'Ed448'
          ? await openssl(['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', dataFile, '-sigfile', sigFile])
          : await openssl(['dgst', `-${hash}`, '-verify', pub, '-signature', sigFile, dataFile]);
      expect(`${result.stdout}${result.stderr}`).toMatch(/Verified OK|Signature Verified Successfully/);
      expect(result.code).toBe(0);

      if (keyType !== 'Ed448') {
        // ECDSA with another digest is still this key's signature; EdDSA is not asked to pre-hash.
        expect(nodeVerify('sha384', data, key.publicKey, await signer.sign(data, 'ecdsa-with-SHA384'))).toBe(true);
        await expect(signer.sign(data, 'Ed448')).rejects.toMatchObject({ code: 'key-unsupported' });
      } else {
        await expect(signer.sign(data, 'ecdsa-with-SHA256')).rejects.toMatchObject({ code: 'key-unsupported' });
      }
    });

    it.each(['P-256', 'P-521', 'Ed448'] as const)('signs a %s SECC CSR that openssl verifies', async (keyType) => {
      const key = keys.get(keyType)!;
      const signer = createPkcs11Signer(keyType === 'Ed448' ? edToken : token, key);
      const csr = await buildCertificationRequest({
        subject: { commonName: 'SECC-DE-PNC-1', organization: 'PnC Stack CPO', country: 'DE', domainComponent: 'CPO' },
        publicKey: key.publicKey,
        signer: signer.sign,
      });
      const result = await openssl(['req', '-verify', '-noout', '-in', files.file(`${keyType}.csr`, csr.pem)]);
      expect(`${result.stdout}${result.stderr}`).toMatch(/verify OK|Certificate request self-signature verify OK/);
      expect(result.code).toBe(0);
    });

    it('finds keys again after the token is reopened, by label, by id and by URI with a pin-source file', async () => {
      const p256 = keys.get('P-256')!;
      const again = await open(0);
      try {
        expect(again.findKeyPair({ label: 'secc-P-256' }).spki.equals(p256.spki)).toBe(true);
        expect(again.findKeyPair({ id: p256.id }).spki.equals(p256.spki)).toBe(true);
        expect(await codeOf(() => again.findKeyPair({ label: 'secc-P-256', id: keys.get('P-521')!.id }))).toBe('key-not-found');
        expect(await codeOf(() => again.findKeyPair({ label: 'nope' }))).toBe('key-not-found');
        expect(await codeOf(() => again.findKeyPair({}))).toBe('key-not-found');
        expect(await codeOf(() => again.generateKeyPair({ keyType: 'P-256', label: 'secc-P-256' }))).toBe('key-exists');
        expect(await codeOf(() => again.generateKeyPair({ keyType: 'P-256', label: 'other', id: p256.id }))).toBe('key-exists');
        expect(await codeOf(() => again.generateKeyPair({ keyType: 'P-256', label: '' }))).toBe('uri');
        expect(again.listPrivateKeys().map((k) => [k.label, k.keyType])).toEqual(
          expect.arrayContaining([
            ['secc-P-256', 'P-256'],
            ['secc-P-521', 'P-521'],
          ]),
        );
      } finally {
        again.close();
      }
      const pinFile = join(files.dir, 'pin');
      writeFileSync(pinFile, `${hsm.tokens[0]!.pin}\n`, { mode: 0o600 });
      const uri = formatPkcs11Uri({ token: 'pnc', object: 'secc-P-521', type: 'private', modulePath: hsm.modulePath, pinSource: `file:${pinFile}` });
      const { token: viaUri, key } = await openPkcs11TokenFromUri(uri);
      try {
        const found = viaUri.findKeyPair(key);
        expect(found.keyType).toBe('P-521');
        const sig = await createPkcs11Signer(viaUri, found).sign(Buffer.from('x'));
        expect(nodeVerify('sha512', Buffer.from('x'), found.publicKey, sig)).toBe(true);
      } finally {
        viaUri.close();
      }
      expect(await codeOf(() => openPkcs11TokenFromUri('pkcs11:token=pnc;object=a'))).toBe('uri');
      expect(await codeOf(() => openPkcs11TokenFromUri(`pkcs11:token=pnc;type=cert?module-path=${hsm.modulePath}&pin-value=1`))).toBe('uri');
      expect(await codeOf(() => openPkcs11TokenFromUri(`pkcs11:token=pnc?module-path=${hsm.modulePath}&pin-source=file:/nonexistent/pin`))).toBe('uri');
    });

    it('destroys a key pair', () => {
      const temp = token.generateKeyPair({ keyType: 'P-256', label: 'to-destroy' });
      token.destroyKeyPair(temp);
      expect(() => token.findKeyPair({ label: 'to-destroy' })).toThrow(Pkcs11Error);
    });
  });

  // Last: once the TLS engine shares the module, the token stays logged in for the rest of this process.
  describe('TLS server with the token key (OpenSSL pkcs11 engine)', () => {
    let token: Pkcs11Token;
    let p256: Pkcs11KeyPair;
    let p521: Pkcs11KeyPair;
    let p256Cert: string;
    let p521Cert: string;

    /** A self-signed certificate for a token key, made by openssl through the engine (a real peer's use of the key). */
    async function opensslCertificate(key: Pkcs11KeyPair): Promise<string> {
      const uri = formatPkcs11Uri({ token: 'pnc', serial: token.info.serial, object: key.label, id: key.id, type: 'private', pinValue: hsm.tokens[0]!.pin });
      const out = join(files.dir, `${key.label}.crt`);
      const result = await new Promise<{ code: number; output: string }>((resolve) => {
        const p = execFile(
          'openssl',
          ['req', '-engine', 'pkcs11', '-keyform', 'engine', '-key', uri, '-new', '-x509', '-days', '2', '-subj', `/CN=${key.label}`, '-out', out],
          { env: { ...hsm.env, PKCS11_MODULE_PATH: hsm.modulePath } },
          (_err, stdout, stderr) => resolve({ code: p.exitCode ?? 0, output: `${stdout}${stderr}` }),
        );
      });
      expect(result.output).not.toMatch(/error/i);
      expect(result.code).toBe(0);
      return readFileSync(out, 'utf8');
    }

    async function withServer<T>(key: Pkcs11TlsKeyOptions, cert: string, run: (port: number) => Promise<T>): Promise<T> {
      // As the SECC listener must: never hand the engine a key whose token is not logged in (it would prompt and block).
      checkPkcs11TlsKey(key);
      const server = createServer({ ...key, cert, minVersion: 'TLSv1.2' }, (socket) => socket.end('hello from the SECC\n'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        return await run((server.address() as AddressInfo).port);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }

    function nodeClient(port: number, ca: string, options: { maxVersion: SecureVersion; ecdhCurve: string; ciphers?: string }) {
      return new Promise<{ protocol: string | null; cipher: string; group: string | undefined; data: string }>((resolve, reject) => {
        const socket = connect({ port, host: '127.0.0.1', ca, checkServerIdentity: () => undefined, ...options }, () => {
          const ephemeral = socket.getEphemeralKeyInfo();
          const group = ephemeral && 'name' in ephemeral && typeof ephemeral.name === 'string' ? ephemeral.name : undefined;
          const info = { protocol: socket.getProtocol(), cipher: socket.getCipher().standardName, group };
          let data = '';
          socket.on('data', (d: Buffer) => (data += d.toString()));
          socket.on('end', () => resolve({ ...info, data }));
        });
        socket.on('error', reject);
      });
    }

    beforeAll(async () => {
      token = await open(0);
      p256 = token.findKeyPair({ label: 'secc-P-256' });
      p521 = token.findKeyPair({ label: 'secc-P-521' });
      p256Cert = await opensslCertificate(p256);
      p521Cert = await opensslCertificate(p521);
    });
    afterAll(() => token?.close());

    it('refuses what the engine cannot serve, with typed errors', async () => {
      const edToken = await open(1);
      try {
        const ed448 = edToken.findKeyPair({ label: 'secc-Ed448' });
        expect(await codeOf(() => preparePkcs11TlsKey(edToken, ed448))).toBe('key-unsupported');
        // Even a P-256 key is unusable by libp11 0.4.12 on a token that also holds an EdDSA key.
        const ecOnEdToken = edToken.generateKeyPair({ keyType: 'P-256', label: 'ec-next-to-ed448' });
        expect(await codeOf(() => preparePkcs11TlsKey(edToken, ecOnEdToken))).toBe('key-unsupported');
      } finally {
        edToken.close();
      }
      expect(await codeOf(() => preparePkcs11TlsKey(token, p256, { enginesDir: '/nonexistent/engines-3' }))).toBe('engine-unavailable');
      const unprepared = { privateKeyEngine: 'pkcs11', privateKeyIdentifier: 'pkcs11:token=pnc;object=secc-P-256;type=private' };
      expect(await codeOf(() => createPkcs11SecureContext(unprepared))).toBe('engine');
    });

    it('TLS 1.2 ECDHE-ECDSA-AES128-SHA256 on P-256: openssl s_client completes the handshake against the token key', async () => {
      const key = preparePkcs11TlsKey(token, p256, { cert: p256Cert });
      expect(key.privateKeyEngine).toBe('pkcs11');
      expect(key.privateKeyIdentifier).not.toContain(hsm.tokens[0]!.pin);
      const caFile = files.file('p256.crt', p256Cert);
      await withServer(key, p256Cert, async (port) => {
        const result = await openssl(
          ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA256', '-curves', 'P-256', '-CAfile', caFile, '-verify_return_error'],
          Buffer.alloc(0),
        );
        const output = `${result.stdout}${result.stderr}`;
        expect(output).toMatch(/Cipher is ECDHE-ECDSA-AES128-SHA256/);
        expect(output).toMatch(/Protocol\s*: TLSv1\.2/);
        expect(output).toMatch(/Server Temp Key: ECDH, prime256v1, 256 bits/);
        expect(output).toMatch(/Verify return code: 0 \(ok\)/);
        expect(output).toContain('hello from the SECC');
        const viaNode = await nodeClient(port, p256Cert, { maxVersion: 'TLSv1.2', ecdhCurve: 'P-256', ciphers: 'ECDHE-ECDSA-AES128-SHA256' });
        expect(viaNode).toMatchObject({ protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', group: 'prime256v1' });
      });
    });

    it('TLS 1.3 on P-521 with the token key: node and openssl clients', async () => {
      const key = preparePkcs11TlsKey(token, p521, { cert: p521Cert });
      const caFile = files.file('p521.crt', p521Cert);
      await withServer(key, p521Cert, async (port) => {
        const viaNode = await nodeClient(port, p521Cert, { maxVersion: 'TLSv1.3', ecdhCurve: 'P-521', ciphers: 'TLS_AES_256_GCM_SHA384' });
        expect(viaNode).toMatchObject({ protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', group: 'secp521r1', data: 'hello from the SECC\n' });
        const result = await openssl(
          ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', '-groups', 'P-521', '-CAfile', caFile, '-verify_return_error'],
          Buffer.alloc(0),
        );
        const output = `${result.stdout}${result.stderr}`;
        expect(output).toMatch(/TLSv1\.3, Cipher is TLS_CHACHA20_POLY1305_SHA256/);
        expect(output).toMatch(/Peer signature type: ECDSA/);
        expect(output).toMatch(/Verify return code: 0 \(ok\)/);
      });
    });

    it('a certificate of another key is refused before serving', async () => {
      const key = preparePkcs11TlsKey(token, p256);
      expect(await codeOf(() => createPkcs11SecureContext(key, { cert: p521Cert }))).toBe('certificate-mismatch');
      expect(await codeOf(() => preparePkcs11TlsKey(token, p256, { cert: p521Cert }))).toBe('certificate-mismatch');
    });

    it('a key generated after the engine loaded (SECC renewal) serves at once; TLS and signing survive closing handles', async () => {
      const renewed = token.generateKeyPair({ keyType: 'P-256', label: 'secc-P-256-renewed' });
      const cert = await opensslCertificate(renewed);
      const key = preparePkcs11TlsKey(token, renewed, { cert });
      // Another handle opened and closed meanwhile must neither finalize the module nor log the engine out.
      (await open(0)).close();
      await withServer(key, cert, async (port) => {
        expect((await nodeClient(port, cert, { maxVersion: 'TLSv1.2', ecdhCurve: 'P-256' })).protocol).toBe('TLSv1.2');
      });
      const signer = createPkcs11Signer(token, renewed);
      expect(nodeVerify('sha256', Buffer.from('y'), renewed.publicKey, await signer.sign(Buffer.from('y')))).toBe(true);
      token.close();
      // The login outlives every handle: the TLS key is still usable.
      expect(() => checkPkcs11TlsKey(key)).not.toThrow();
      await withServer(key, cert, async (port) => {
        expect((await nodeClient(port, cert, { maxVersion: 'TLSv1.3', ecdhCurve: 'P-256' })).protocol).toBe('TLSv1.3');
      });
      token = await open(0);
      expect(token.findKeyPair({ label: 'secc-P-256-renewed' }).spki.equals(renewed.spki)).toBe(true);
    });

    it('the token curves table matches what the engine-made certificates carry', () => {
      expect(createPublicKey(p256Cert).export({ type: 'spki', format: 'der' }).equals(p256.spki)).toBe(true);
      expect(createPublicKey(p521Cert).export({ type: 'spki', format: 'der' }).equals(p521.spki)).toBe(true);
      expect(TOKEN_CURVES['P-521'].coordinateLength).toBe(66);
    });
  });
});
