// The SECC's TLS server key on a PKCS#11 token. node:tls takes a private key from an OpenSSL engine
// (privateKeyEngine / privateKeyIdentifier, deprecated in Node's docs with OpenSSL 3's engine API but working in Node 20).
// Debian's libengine-pkcs11-openssl (libp11) is that engine; it loads the token's module into this process, where it
// shares the module's initialization and login with Pkcs11Token. So:
//  - the key identifier carries no PIN: the engine finds the token already logged in by the open Pkcs11Token (a PIN in
//    the identifier would be printed by libp11 on stderr whenever a lookup fails);
//  - that login must outlive every secure context, so the token is held logged in for the rest of the process (a
//    session is kept open for it); were it lost, libp11 would ask for the PIN on the terminal and block the process, so
//    every context is created only after checkPkcs11TlsKey has seen the login;
//  - the engine is loaded by id from OPENSSL_ENGINES, so OpenSSL keeps one shared instance in its engine list (loaded by
//    path, each context would get its own instance, and freeing one finalizes the module under the others);
//  - EdDSA is out: libp11 has no EdDSA keys (OpenSC/libp11#427), and libp11 0.4.12 fails to enumerate ANY private key of
//    a token that holds a CKK_EC_EDWARDS key. TLS keys are P-256 or P-521 on a token without Edwards keys.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { isMainThread } from 'node:worker_threads';
import { CKK } from './pkcs11Constants.js';
import { heldSlotLoggedIn } from './pkcs11Module.js';
import { Pkcs11Error } from './pkcs11Error.js';
import type { Pkcs11KeyPair, Pkcs11Token } from './pkcs11Token.js';
import { formatPkcs11Uri } from './pkcs11Uri.js';

export const PKCS11_ENGINE_ID = 'pkcs11';
const ENGINE_FILE = `${PKCS11_ENGINE_ID}.so`;

/** Where OpenSSL 3 engines live on Debian/Ubuntu (multiarch) and on other common layouts. */
export const ENGINE_DIR_CANDIDATES: readonly string[] = [
  '/usr/lib/x86_64-linux-gnu/engines-3',
  '/usr/lib/aarch64-linux-gnu/engines-3',
  '/usr/lib/arm-linux-gnueabihf/engines-3',
  '/usr/lib64/engines-3',
  '/usr/lib/engines-3',
  '/usr/local/lib/engines-3',
];

/** What a node:tls secure context (or tls.createServer) needs to use the token key. */
export interface Pkcs11TlsKeyOptions {
  readonly privateKeyEngine: string;
  readonly privateKeyIdentifier: string;
}

export interface Pkcs11TlsKeySetup {
  /** A directory holding pkcs11.so; default: OPENSSL_ENGINES if it has one, else the first of ENGINE_DIR_CANDIDATES. */
  readonly enginesDir?: string;
  /** The certificate (chain, PEM or DER) to check against the key now, rather than at the first handshake. */
  readonly cert?: SecureContextOptions['cert'];
}

/** The engine directory that holds pkcs11.so. Throws Pkcs11Error engine-unavailable naming what it tried. */
export function findPkcs11EngineDir(preferred?: string): string {
  const tried = [preferred, process.env.OPENSSL_ENGINES, ...ENGINE_DIR_CANDIDATES].filter((d): d is string => typeof d === 'string' && d !== '');
  const found = (preferred !== undefined ? [preferred] : tried).find((dir) => existsSync(join(dir, ENGINE_FILE)));
  if (!found) {
    throw new Pkcs11Error(
      'engine-unavailable',
      `the OpenSSL pkcs11 engine (${ENGINE_FILE}) is not in ${(preferred !== undefined ? [preferred] : tried).join(', ')}; install libengine-pkcs11-openssl`,
    );
  }
  return found;
}

/** The one module the process's engine instance was pointed at; libp11 reads PKCS11_MODULE_PATH once, at load. */
let engineModulePath: string | undefined;
/** Secure contexts kept for the life of the process, so the shared engine instance is never finished. */
const keptContexts: SecureContext[] = [];
/** Prepared key identifiers and the held slot whose login they use. */
const prepared = new Map<string, { readonly modulePath: string; readonly slot: string }>();

/**
 * Throws Pkcs11Error unless `key` came from preparePkcs11TlsKey and its token is still logged in in this process. Call it
 * before handing the options to tls.createServer / setSecureContext (createPkcs11SecureContext does).
 */
export function checkPkcs11TlsKey(key: Pkcs11TlsKeyOptions): void {
  const where = prepared.get(key.privateKeyIdentifier);
  if (!where || key.privateKeyEngine !== PKCS11_ENGINE_ID) throw new Pkcs11Error('engine', `${key.privateKeyIdentifier} was not prepared by preparePkcs11TlsKey`);
  if (!heldSlotLoggedIn(where.modulePath, where.slot)) {
    throw new Pkcs11Error('engine', `the token of ${key.privateKeyIdentifier} is no longer logged in in this process; the engine would prompt for a PIN`);
  }
}

/** Points OpenSSL at the engine and the engine at the module. Process-wide, once per module. */
function configureEngine(modulePath: string, enginesDir: string): void {
  // Worker threads have their own copy of process.env, which OpenSSL never sees.
  if (!isMainThread) throw new Pkcs11Error('engine', 'the PKCS#11 TLS key must be set up on the main thread (OpenSSL reads the process environment)');
  if (engineModulePath !== undefined && engineModulePath !== modulePath) {
    throw new Pkcs11Error('engine', `the pkcs11 engine of this process already uses ${engineModulePath}; one PKCS#11 module per process for TLS`);
  }
  process.env.OPENSSL_ENGINES = enginesDir;
  process.env.PKCS11_MODULE_PATH = modulePath;
  engineModulePath = modulePath;
}

/** The engine key identifier: token by label and serial, key by id and label, no PIN. */
export function engineKeyIdentifier(token: Pkcs11Token, key: Pkcs11KeyPair): string {
  return formatPkcs11Uri({ token: token.info.label, serial: token.info.serial, object: key.label, id: key.id, type: 'private' });
}

interface OpensslError extends Error {
  readonly code?: unknown;
  readonly opensslErrorStack?: unknown;
}

/** An OpenSSL error from creating an engine-key context, as a Pkcs11Error with what it means here. */
export function engineError(e: unknown, identifier: string): Pkcs11Error {
  if (!(e instanceof Error)) return new Pkcs11Error('engine', `the pkcs11 engine failed: ${String(e)}`);
  const err = e as OpensslError;
  const stack = Array.isArray(err.opensslErrorStack) ? err.opensslErrorStack.filter((s): s is string => typeof s === 'string') : [];
  const all = [err.message, ...stack].join('; ');
  const code = typeof err.code === 'string' ? err.code : '';
  if (/dso not found|no such engine|could not load the shared library/i.test(all)) {
    return new Pkcs11Error('engine-unavailable', `node:tls cannot load the OpenSSL pkcs11 engine: ${all}`, { cause: e });
  }
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' || /key values mismatch/i.test(all)) {
    return new Pkcs11Error('certificate-mismatch', `the TLS certificate does not carry the public key of ${identifier}`, { cause: e });
  }
  if (code === 'ERR_OSSL_PIN_INCORRECT') return new Pkcs11Error('pin-incorrect', `the token refused the PIN for ${identifier}`, { cause: e });
  if (code === 'ERR_OSSL_OBJECT_NOT_FOUND' || /object not found/i.test(all)) {
    return new Pkcs11Error('key-not-found', `the pkcs11 engine found no private key at ${identifier}`, { cause: e });
  }
  if (code === 'ERR_OSSL_UI_PROCESSING_ERROR' || /No PIN code|UI routines/i.test(all)) {
    return new Pkcs11Error('engine', `the pkcs11 engine asked for a PIN: the token is not logged in in this process (${identifier})`, { cause: e });
  }
  return new Pkcs11Error('engine', `the pkcs11 engine could not provide ${identifier} to TLS: ${all}`, { cause: e });
}

/**
 * Makes `key` on the open, logged-in `token` usable by node:tls and returns the secure-context options for it (spread
 * them into tls.createServer, createSecureContext or setSecureContext next to `cert`). Proves the engine can load the
 * key (and, with `setup.cert`, that the certificate matches it) before returning. From here on the token stays logged
 * in until the process exits.
 */
export function preparePkcs11TlsKey(token: Pkcs11Token, key: Pkcs11KeyPair, setup: Pkcs11TlsKeySetup = {}): Pkcs11TlsKeyOptions {
  if (key.keyType === 'Ed448') {
    throw new Pkcs11Error('key-unsupported', 'the OpenSSL pkcs11 engine (libp11) has no EdDSA keys: an Ed448 SECC key cannot serve TLS from a token');
  }
  const edwards = token.listPrivateKeys().filter((k) => k.ckk === CKK.EC_EDWARDS);
  if (edwards.length > 0) {
    throw new Pkcs11Error(
      'key-unsupported',
      `token "${token.info.label}" holds EdDSA keys (${edwards.map((k) => k.label).join(', ')}); libp11 0.4.12 then finds no key at all on it — keep Ed448 keys on another token`,
    );
  }
  const enginesDir = findPkcs11EngineDir(setup.enginesDir);
  configureEngine(token.info.modulePath, enginesDir);
  // Before the engine touches the module: from now on neither side may finalize it or log it out.
  token.holdLoginForProcess();
  const options: Pkcs11TlsKeyOptions = { privateKeyEngine: PKCS11_ENGINE_ID, privateKeyIdentifier: engineKeyIdentifier(token, key) };
  prepared.set(options.privateKeyIdentifier, { modulePath: token.info.modulePath, slot: token.slotKey });
  keptContexts.push(createPkcs11SecureContext(options, setup.cert !== undefined ? { cert: setup.cert } : {}));
  return options;
}

/** tls.createSecureContext with the token key (checked first), its OpenSSL errors turned into Pkcs11Error. */
export function createPkcs11SecureContext(
  key: Pkcs11TlsKeyOptions,
  options: Omit<SecureContextOptions, 'key' | 'privateKeyEngine' | 'privateKeyIdentifier'> = {},
): SecureContext {
  checkPkcs11TlsKey(key);
  try {
    return createSecureContext({ ...options, ...key });
  } catch (e) {
    throw engineError(e, key.privateKeyIdentifier);
  }
}
