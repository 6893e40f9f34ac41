// The three key types ISO 15118 uses (-2: P-256; -20: P-521 or Ed448) as a PKCS#11 token names them: key type,
// generation mechanism, CKA_EC_PARAMS, and the sizes of the public point and of an ECDSA r‖s signature.
import * as der from '../../pki/der/derWriter.js';
import type { KeyType } from '../../pki/generator/keys.js';
import { Oid } from '../../pki/oids.js';
import { CKK, CKM } from './pkcs11Constants.js';

export interface TokenCurve {
  readonly keyType: KeyType;
  readonly ckk: number;
  readonly generationMechanism: number;
  readonly signMechanism: number;
  /** The namedCurve OID (EC) or the RFC 8410 algorithm OID (Edwards). */
  readonly oid: string;
  /** CKA_EC_PARAMS as this code writes it: the DER OID. */
  readonly ecParams: Buffer;
  /** Bytes of the public key: uncompressed point 04‖X‖Y for EC, the RFC 8032 encoding for Ed448. */
  readonly publicKeyLength: number;
  /** Bytes of r (and of s) in a CKM_ECDSA signature; 0 for EdDSA. */
  readonly coordinateLength: number;
}

function curve(keyType: KeyType, ckk: number, oid: string, publicKeyLength: number, coordinateLength: number): TokenCurve {
  const ec = ckk === CKK.EC;
  return {
    keyType,
    ckk,
    generationMechanism: ec ? CKM.EC_KEY_PAIR_GEN : CKM.EC_EDWARDS_KEY_PAIR_GEN,
    signMechanism: ec ? CKM.ECDSA : CKM.EDDSA,
    oid,
    ecParams: der.oid(oid),
    publicKeyLength,
    coordinateLength,
  };
}

export const TOKEN_CURVES: Readonly<Record<KeyType, TokenCurve>> = {
  'P-256': curve('P-256', CKK.EC, Oid.prime256v1, 65, 32),
  'P-521': curve('P-521', CKK.EC, Oid.secp521r1, 133, 66),
  Ed448: curve('Ed448', CKK.EC_EDWARDS, Oid.ed448, 57, 0),
};
