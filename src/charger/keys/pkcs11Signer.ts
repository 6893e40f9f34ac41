// A signer for certificates, CSRs and OCSP-style structures whose key stays on a PKCS#11 token. It returns the
// signature in the form X.509 and PKCS#10 carry: DER ECDSA-Sig-Value for ECDSA, the raw 114 bytes for Ed448.
import { createHash, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from '../../pki/certificate/certificate.js';
import { signatureAlgorithmForKey, signatureSpec } from '../../pki/certificate/signatureAlgorithms.js';
import type { KeyType } from '../../pki/generator/keys.js';
import { ecdsaRawToDer } from './ecdsaSignatureDer.js';
import { Pkcs11Error } from './pkcs11Error.js';
import type { Pkcs11KeyPair, Pkcs11Token } from './pkcs11Token.js';
import { TOKEN_CURVES } from './tokenCurves.js';

export interface Pkcs11Signer {
  readonly keyType: KeyType;
  /** The ISO 15118 pairing: P-256 → ecdsa-with-SHA256, P-521 → ecdsa-with-SHA512, Ed448 → Ed448. */
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly publicKey: KeyObject;
  readonly spki: Buffer;
  /**
   * Signs the DER to-be-signed bytes with `algorithm` (default: signatureAlgorithm). A standalone function, so it can be
   * handed over as a CSR builder's signer.
   */
  readonly sign: (tbs: Buffer, algorithm?: SignatureAlgorithm) => Promise<Buffer>;
}

const ECDSA: ReadonlySet<SignatureAlgorithm> = new Set<SignatureAlgorithm>(['ecdsa-with-SHA256', 'ecdsa-with-SHA384', 'ecdsa-with-SHA512']);

export function createPkcs11Signer(token: Pkcs11Token, key: Pkcs11KeyPair): Pkcs11Signer {
  const signatureAlgorithm = signatureAlgorithmForKey(key.keyType);
  if (!signatureAlgorithm) throw new Pkcs11Error('key-unsupported', `no signature algorithm for ${key.keyType}`);
  const curve = TOKEN_CURVES[key.keyType];
  const sign = (tbs: Buffer, algorithm: SignatureAlgorithm = signatureAlgorithm): Promise<Buffer> => {
    // Promise-returning also on failure, so callers see one error path.
    try {
      if (key.keyType === 'Ed448') {
        if (algorithm !== 'Ed448') throw new Pkcs11Error('key-unsupported', `an Ed448 key cannot sign ${algorithm}`);
        // Pure EdDSA: the token hashes the whole message (RFC 8032 §5.2).
        return Promise.resolve(token.signRaw(key, tbs));
      }
      if (!ECDSA.has(algorithm)) throw new Pkcs11Error('key-unsupported', `a ${key.keyType} key cannot sign ${algorithm}`);
      // CKM_ECDSA signs a digest the caller computes.
      const digest = createHash(signatureSpec(algorithm)!.digest!).update(tbs).digest();
      return Promise.resolve(ecdsaRawToDer(token.signRaw(key, digest), curve.coordinateLength));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  };
  return { keyType: key.keyType, signatureAlgorithm, publicKey: key.publicKey, spki: key.spki, sign };
}
