// Every failure of the PKCS#11 key path, as one typed error: what went wrong (code), and when a token call failed, the
// PKCS#11 return value (CKR_*) it answered with.

export type Pkcs11ErrorCode =
  | 'binding-unavailable' // the pkcs11js native binding is not installed or did not build
  | 'module-not-found' // no file at the PKCS#11 module path
  | 'module-load' // the file is not a loadable PKCS#11 module, or C_Initialize failed
  | 'token-not-found' // no initialised token with that label / serial / slot
  | 'token-ambiguous' // several tokens match the selector
  | 'pin-incorrect' // C_Login refused the PIN, or it differs from the PIN the token is already logged in with
  | 'pin-locked' // the token locked the user PIN after too many failures
  | 'key-not-found' // no private key (with its public key) for that label / id
  | 'key-exists' // a key pair with that label is already on the token
  | 'key-ambiguous' // several private keys match the label / id
  | 'key-unsupported' // a curve or key type ISO 15118 does not use (P-256, P-521, Ed448 only), or a malformed public key
  | 'uri' // a malformed or unsupported PKCS#11 URI (RFC 7512)
  | 'operation' // any other failed token call; `ckr` says why
  | 'engine-unavailable' // the OpenSSL pkcs11 engine (libengine-pkcs11-openssl) cannot be loaded by node:tls
  | 'engine' // the engine loaded but could not provide the key to TLS
  | 'certificate-mismatch' // the TLS certificate does not carry the token key's public key
  | 'closed'; // the token handle was used after close()

export class Pkcs11Error extends Error {
  override readonly name = 'Pkcs11Error';
  constructor(
    readonly code: Pkcs11ErrorCode,
    message: string,
    options?: ErrorOptions & { readonly ckr?: number; readonly ckrName?: string },
  ) {
    super(message, options);
    this.ckr = options?.ckr;
    this.ckrName = options?.ckrName;
  }
  /** The PKCS#11 return value of the failed call, when a token call failed. */
  readonly ckr: number | undefined;
  readonly ckrName: string | undefined;
}
