// A token's public key as SubjectPublicKeyInfo DER (RFC 5480 for EC, RFC 8410 for Ed448), built from the public key
// object's CKA_EC_PARAMS and CKA_EC_POINT: the token never hands out a key in X.509 form.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { Tag, DerError, readOid, readRoot, readString, content } from '../../pki/der/derReader.js';
import * as der from '../../pki/der/derWriter.js';
import type { KeyType } from '../../pki/generator/keys.js';
import { Oid } from '../../pki/oids.js';
import { CKK } from './pkcs11Constants.js';
import { Pkcs11Error } from './pkcs11Error.js';
import { TOKEN_CURVES, type TokenCurve } from './tokenCurves.js';

const unsupported = (message: string, cause?: unknown): never => {
  throw new Pkcs11Error('key-unsupported', message, cause === undefined ? undefined : { cause });
};

/**
 * The key type from CKK_* and CKA_EC_PARAMS. EC params are a namedCurve OID (RFC 5480: no explicit or implicit
 * curves); Edwards params are the RFC 8410 OID or, as PKCS#11 3.0 also allows, the PrintableString "edwards448".
 */
export function keyTypeFromEcParams(ckk: number, ecParams: Buffer): KeyType {
  if (ckk !== CKK.EC && ckk !== CKK.EC_EDWARDS) return unsupported(`key type CKK 0x${ckk.toString(16)} is neither EC nor EC_EDWARDS`);
  let named: string;
  try {
    const root = readRoot(ecParams, undefined, 'CKA_EC_PARAMS');
    if (root.tag === Tag.OID) named = readOid(ecParams, root);
    else if (root.tag === Tag.PRINTABLE_STRING && ckk === CKK.EC_EDWARDS) named = readString(ecParams, root);
    else return unsupported(`CKA_EC_PARAMS tag 0x${root.tag.toString(16)} is not a named curve`);
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
    return unsupported(`CKA_EC_PARAMS is not DER: ${e.message}`, e);
  }
  const found = Object.values(TOKEN_CURVES).find((c) => c.ckk === ckk && (c.oid === named || (c.keyType === 'Ed448' && named === 'edwards448')));
  if (!found) return unsupported(`curve ${named} is not used by ISO 15118 (P-256, P-521 or Ed448)`);
  return found.keyType;
}

/**
 * The public key bytes from CKA_EC_POINT, which PKCS#11 specifies as a DER OCTET STRING around the point; some tokens
 * return the bare point, so a value of exactly the point's length is taken as it is.
 */
export function publicKeyBytes(curve: TokenCurve, ecPoint: Buffer): Buffer {
  if (ecPoint.length > 0 && ecPoint[0] === Tag.OCTET_STRING) {
    try {
      const root = readRoot(ecPoint, Tag.OCTET_STRING, 'CKA_EC_POINT');
      const inner = content(ecPoint, root);
      if (inner.length === curve.publicKeyLength) return Buffer.from(inner);
    } catch (e) {
      if (!(e instanceof DerError)) throw e;
    }
  }
  if (ecPoint.length === curve.publicKeyLength) return Buffer.from(ecPoint);
  return unsupported(`CKA_EC_POINT of ${ecPoint.length} bytes is not a ${curve.keyType} public key (${curve.publicKeyLength} bytes, optionally in an OCTET STRING)`);
}

/** SPKI DER, checked by OpenSSL: a point off the curve or a compressed point is refused here. */
export function subjectPublicKeyInfo(keyType: KeyType, ecPoint: Buffer): { readonly spki: Buffer; readonly publicKey: KeyObject } {
  const curve = TOKEN_CURVES[keyType];
  const key = publicKeyBytes(curve, ecPoint);
  if (curve.ckk === CKK.EC && key[0] !== 0x04) unsupported(`${keyType} public point is not uncompressed (first byte 0x${key[0]!.toString(16)})`);
  const algorithm = curve.ckk === CKK.EC ? der.sequence(der.oid(Oid.ecPublicKey), der.oid(curve.oid)) : der.sequence(der.oid(curve.oid));
  const spki = der.sequence(algorithm, der.bitString(key));
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (e) {
    return unsupported(`the token's ${keyType} public key is not valid: ${(e as Error).message}`, e);
  }
  return { spki, publicKey };
}
