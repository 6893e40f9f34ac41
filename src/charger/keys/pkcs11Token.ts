// A PKCS#11 token holding the SECC private key: open by module + token + PIN (or an RFC 7512 URI), generate a P-256,
// P-521 or Ed448 key pair that never leaves the token, find it again, read its public key as SPKI, and sign with it.
import { constants as fsConstants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { randomBytes, type KeyObject } from 'node:crypto';
import type { KeyType } from '../../pki/generator/keys.js';
import { loadPkcs11Binding, type Pkcs11Attribute, type Pkcs11Handle } from './pkcs11Binding.js';
import { CKA, CKK, CKO } from './pkcs11Constants.js';
import { Pkcs11Error } from './pkcs11Error.js';
import { acquirePkcs11Module, cryptoki, slotKey, type Pkcs11ModuleLease } from './pkcs11Module.js';
import { parsePkcs11Uri, type Pkcs11Uri } from './pkcs11Uri.js';
import { keyTypeFromEcParams, subjectPublicKeyInfo } from './ecPublicKeyInfo.js';
import { TOKEN_CURVES } from './tokenCurves.js';

/** Which token: any combination; all given fields must match, and exactly one token may. */
export interface Pkcs11TokenSelector {
  readonly label?: string;
  readonly serial?: string;
  readonly slotId?: bigint;
}

export interface Pkcs11TokenOptions {
  /** Absolute path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  readonly modulePath: string;
  readonly token: Pkcs11TokenSelector;
  /** The user PIN. */
  readonly pin: string;
  /** The binding's package name; only tests change it. */
  readonly bindingModule?: string;
}

export interface Pkcs11TokenInfo {
  readonly modulePath: string;
  readonly slotId: bigint;
  readonly label: string;
  readonly serial: string;
  readonly manufacturer: string;
  readonly model: string;
}

/** A key pair by CKA_LABEL and/or CKA_ID. */
export interface Pkcs11KeySelector {
  readonly label?: string;
  readonly id?: Buffer;
}

export interface Pkcs11KeyPair {
  readonly label: string;
  readonly id: Buffer;
  readonly keyType: KeyType;
  /** SubjectPublicKeyInfo DER of the public key. */
  readonly spki: Buffer;
  readonly publicKey: KeyObject;
}

/** The private key's protection attributes as the token reports them. */
export interface Pkcs11KeyProtection {
  readonly onToken: boolean; // CKA_TOKEN
  readonly private: boolean; // CKA_PRIVATE
  readonly sensitive: boolean; // CKA_SENSITIVE
  readonly extractable: boolean; // CKA_EXTRACTABLE
  readonly alwaysSensitive: boolean; // CKA_ALWAYS_SENSITIVE
  readonly neverExtractable: boolean; // CKA_NEVER_EXTRACTABLE
  readonly local: boolean; // CKA_LOCAL: generated on the token
}

export interface Pkcs11PrivateKeySummary {
  readonly label: string;
  readonly id: Buffer;
  readonly ckk: number;
  /** Undefined for a key type or curve this code does not use. */
  readonly keyType: KeyType | undefined;
}

export interface GenerateKeyPairOptions {
  readonly keyType: KeyType;
  readonly label: string;
  /** CKA_ID; 16 random bytes when absent. */
  readonly id?: Buffer;
}

const MAX_LABEL_BYTES = 255;
const MAX_PIN_BYTES = 255;

function checkLabel(label: string, what: string): void {
  const bytes = Buffer.byteLength(label, 'utf8');
  if (typeof label !== 'string' || bytes === 0 || bytes > MAX_LABEL_BYTES || /\p{Cc}/u.test(label)) {
    throw new Pkcs11Error('uri', `${what} must be 1 to ${MAX_LABEL_BYTES} bytes of UTF-8 without control characters`);
  }
}

function checkPin(pin: string): void {
  if (typeof pin !== 'string' || pin.length === 0 || Buffer.byteLength(pin, 'utf8') > MAX_PIN_BYTES || pin.includes('\0')) {
    throw new Pkcs11Error('pin-incorrect', `the PIN must be 1 to ${MAX_PIN_BYTES} bytes without NUL`);
  }
}

/** CK_ULONG attribute or handle bytes (native byte order) as a bigint. */
export function ckUlong(bytes: Buffer): bigint {
  const le = endianness() === 'LE';
  if (bytes.length === 8) return le ? bytes.readBigUInt64LE(0) : bytes.readBigUInt64BE(0);
  if (bytes.length === 4) return BigInt(le ? bytes.readUInt32LE(0) : bytes.readUInt32BE(0));
  throw new Pkcs11Error('operation', `a CK_ULONG of ${bytes.length} bytes`);
}

const blankTrimmed = (s: string): string => s.replace(/[ \0]+$/, '');

export class Pkcs11Token {
  private closed = false;

  private constructor(
    private readonly lease: Pkcs11ModuleLease,
    private readonly slot: Pkcs11Handle,
    private readonly session: Pkcs11Handle,
    readonly info: Pkcs11TokenInfo,
  ) {}

  /** Opens the token and logs in. Throws Pkcs11Error: binding-unavailable, module-*, token-*, pin-*. */
  static async open(options: Pkcs11TokenOptions): Promise<Pkcs11Token> {
    checkPin(options.pin);
    const { label, serial, slotId } = options.token;
    if (label === undefined && serial === undefined && slotId === undefined) {
      throw new Pkcs11Error('token-not-found', 'no token selector: give a token label, serial or slot id');
    }
    const binding = await loadPkcs11Binding(options.bindingModule);
    if (!options.modulePath.startsWith('/')) throw new Pkcs11Error('module-not-found', `PKCS#11 module path "${options.modulePath}" is not absolute`);
    try {
      await access(options.modulePath, fsConstants.R_OK);
    } catch (e) {
      throw new Pkcs11Error('module-not-found', `no readable PKCS#11 module at ${options.modulePath}`, { cause: e });
    }
    const lease = acquirePkcs11Module(binding, options.modulePath);
    try {
      const { api } = lease;
      const slots = cryptoki(binding, 'C_GetSlotList', () => api.C_GetSlotList(true));
      const matches: { slot: Pkcs11Handle; info: Pkcs11TokenInfo }[] = [];
      for (const slot of slots) {
        const raw = cryptoki(binding, 'C_GetTokenInfo', () => api.C_GetTokenInfo(slot));
        const info: Pkcs11TokenInfo = {
          modulePath: options.modulePath,
          slotId: ckUlong(slot),
          label: blankTrimmed(raw.label),
          serial: blankTrimmed(raw.serialNumber),
          manufacturer: blankTrimmed(raw.manufacturerID),
          model: blankTrimmed(raw.model),
        };
        if (label !== undefined && info.label !== label) continue;
        if (serial !== undefined && info.serial !== serial) continue;
        if (slotId !== undefined && info.slotId !== slotId) continue;
        matches.push({ slot, info });
      }
      const wanted = [label !== undefined && `label "${label}"`, serial !== undefined && `serial ${serial}`, slotId !== undefined && `slot ${slotId}`]
        .filter(Boolean)
        .join(', ');
      if (matches.length === 0) throw new Pkcs11Error('token-not-found', `no token with ${wanted} in ${options.modulePath}`);
      if (matches.length > 1) {
        throw new Pkcs11Error('token-ambiguous', `${matches.length} tokens match ${wanted}; add the serial (${matches.map((m) => m.info.serial).join(', ')})`);
      }
      const { slot, info } = matches[0]!;
      const session = lease.openSession(slot, options.pin);
      return new Pkcs11Token(lease, slot, session, info);
    } catch (e) {
      lease.release();
      throw e;
    }
  }

  private get api(): Pkcs11ModuleLease['api'] {
    if (this.closed) throw new Pkcs11Error('closed', `the token "${this.info.label}" was closed`);
    return this.lease.api;
  }

  private call<T>(fn: string, call: () => T): T {
    return cryptoki(this.lease.binding, fn, call);
  }

  private find(template: Pkcs11Attribute[], max: number): Pkcs11Handle[] {
    const api = this.api;
    this.call('C_FindObjectsInit', () => api.C_FindObjectsInit(this.session, template));
    try {
      return this.call('C_FindObjects', () => api.C_FindObjects(this.session, max));
    } finally {
      this.call('C_FindObjectsFinal', () => api.C_FindObjectsFinal(this.session));
    }
  }

  private attributes(object: Pkcs11Handle, types: readonly number[]): Map<number, Buffer> {
    const api = this.api;
    const values = this.call('C_GetAttributeValue', () => api.C_GetAttributeValue(this.session, object, types.map((type) => ({ type }))));
    return new Map(values.map((v) => [v.type, v.value]));
  }

  private static selectorTemplate(cls: number, selector: Pkcs11KeySelector): Pkcs11Attribute[] {
    const t: Pkcs11Attribute[] = [{ type: CKA.CLASS, value: cls }];
    if (selector.label !== undefined) t.push({ type: CKA.LABEL, value: selector.label });
    if (selector.id !== undefined) t.push({ type: CKA.ID, value: selector.id });
    return t;
  }

  private describe(selector: Pkcs11KeySelector): string {
    return [selector.label !== undefined && `label "${selector.label}"`, selector.id !== undefined && `id ${selector.id.toString('hex')}`]
      .filter(Boolean)
      .join(' and ');
  }

  /** The private key object of a pair; exactly one must match. */
  private privateKeyHandle(selector: Pkcs11KeySelector): Pkcs11Handle {
    if (selector.label === undefined && selector.id === undefined) throw new Pkcs11Error('key-not-found', 'no key selector: give a label or an id');
    const found = this.find(Pkcs11Token.selectorTemplate(CKO.PRIVATE_KEY, selector), 2);
    if (found.length === 0) throw new Pkcs11Error('key-not-found', `no private key with ${this.describe(selector)} on token "${this.info.label}"`);
    if (found.length > 1) throw new Pkcs11Error('key-ambiguous', `several private keys with ${this.describe(selector)} on token "${this.info.label}"`);
    return found[0]!;
  }

  /** Finds a key pair by label and/or id. Throws Pkcs11Error key-not-found, key-ambiguous or key-unsupported. */
  findKeyPair(selector: Pkcs11KeySelector): Pkcs11KeyPair {
    const privateKey = this.privateKeyHandle(selector);
    const attrs = this.attributes(privateKey, [CKA.LABEL, CKA.ID, CKA.KEY_TYPE]);
    const label = attrs.get(CKA.LABEL)!.toString('utf8');
    const id = Buffer.from(attrs.get(CKA.ID)!);
    const ckk = Number(ckUlong(attrs.get(CKA.KEY_TYPE)!));
    // The public half is its own object, tied to the private key by CKA_ID (and here also the label).
    const publics = this.find(Pkcs11Token.selectorTemplate(CKO.PUBLIC_KEY, { label, id }), 2);
    if (publics.length !== 1) {
      throw new Pkcs11Error('key-not-found', `private key "${label}" has ${publics.length} public key objects with its label and id (need exactly 1)`);
    }
    const pub = this.attributes(publics[0]!, [CKA.EC_PARAMS, CKA.EC_POINT]);
    const keyType = keyTypeFromEcParams(ckk, pub.get(CKA.EC_PARAMS)!);
    const { spki, publicKey } = subjectPublicKeyInfo(keyType, pub.get(CKA.EC_POINT)!);
    return { label, id, keyType, spki, publicKey };
  }

  /** Every private key on the token, including types this code does not use. */
  listPrivateKeys(): Pkcs11PrivateKeySummary[] {
    const out: Pkcs11PrivateKeySummary[] = [];
    for (const handle of this.find([{ type: CKA.CLASS, value: CKO.PRIVATE_KEY }], 1024)) {
      const attrs = this.attributes(handle, [CKA.LABEL, CKA.ID, CKA.KEY_TYPE]);
      const ckk = Number(ckUlong(attrs.get(CKA.KEY_TYPE)!));
      let keyType: KeyType | undefined;
      if (ckk === CKK.EC || ckk === CKK.EC_EDWARDS) {
        const id = attrs.get(CKA.ID)!;
        const pub = this.find([{ type: CKA.CLASS, value: CKO.PUBLIC_KEY }, { type: CKA.ID, value: id }], 1)[0];
        if (pub) {
          try {
            keyType = keyTypeFromEcParams(ckk, this.attributes(pub, [CKA.EC_PARAMS]).get(CKA.EC_PARAMS)!);
          } catch (e) {
            if (!(e instanceof Pkcs11Error && e.code === 'key-unsupported')) throw e;
          }
        }
      }
      out.push({ label: attrs.get(CKA.LABEL)!.toString('utf8'), id: Buffer.from(attrs.get(CKA.ID)!), ckk, keyType });
    }
    return out;
  }

  /**
   * Generates a key pair on the token: the private key is a token object, private, sensitive and not extractable, and
   * may only sign. Throws Pkcs11Error key-exists when the label (or id) is taken.
   */
  generateKeyPair(options: GenerateKeyPairOptions): Pkcs11KeyPair {
    checkLabel(options.label, 'key label');
    const curve = TOKEN_CURVES[options.keyType];
    if (!curve) throw new Pkcs11Error('key-unsupported', `key type ${String(options.keyType)} is not P-256, P-521 or Ed448`);
    const id = options.id ?? randomBytes(16);
    if (id.length === 0 || id.length > MAX_LABEL_BYTES) throw new Pkcs11Error('uri', `key id must be 1 to ${MAX_LABEL_BYTES} bytes`);
    for (const selector of [{ label: options.label }, { id }]) {
      if (this.find(Pkcs11Token.selectorTemplate(CKO.PRIVATE_KEY, selector), 1).length > 0) {
        throw new Pkcs11Error('key-exists', `token "${this.info.label}" already has a private key with ${this.describe(selector)}`);
      }
    }
    const common: Pkcs11Attribute[] = [
      { type: CKA.KEY_TYPE, value: curve.ckk },
      { type: CKA.TOKEN, value: true },
      { type: CKA.LABEL, value: options.label },
      { type: CKA.ID, value: id },
    ];
    const publicTemplate: Pkcs11Attribute[] = [
      { type: CKA.CLASS, value: CKO.PUBLIC_KEY },
      ...common,
      { type: CKA.PRIVATE, value: false },
      { type: CKA.EC_PARAMS, value: curve.ecParams },
      { type: CKA.VERIFY, value: true },
    ];
    const privateTemplate: Pkcs11Attribute[] = [
      { type: CKA.CLASS, value: CKO.PRIVATE_KEY },
      ...common,
      { type: CKA.PRIVATE, value: true },
      { type: CKA.SENSITIVE, value: true },
      { type: CKA.EXTRACTABLE, value: false },
      { type: CKA.SIGN, value: true },
      // Least privilege: TLS uses ephemeral ECDH, so the SECC key never derives, decrypts or unwraps.
      { type: CKA.DERIVE, value: false },
      { type: CKA.DECRYPT, value: false },
      { type: CKA.UNWRAP, value: false },
    ];
    const api = this.api;
    const pair = this.call('C_GenerateKeyPair', () =>
      api.C_GenerateKeyPair(this.session, { mechanism: curve.generationMechanism }, publicTemplate, privateTemplate),
    );
    try {
      return this.findKeyPair({ label: options.label, id });
    } catch (e) {
      // A pair we cannot describe is of no use; do not leave it behind.
      this.call('C_DestroyObject', () => api.C_DestroyObject(this.session, pair.privateKey));
      this.call('C_DestroyObject', () => api.C_DestroyObject(this.session, pair.publicKey));
      throw e;
    }
  }

  keyProtection(key: Pkcs11KeySelector): Pkcs11KeyProtection {
    const handle = this.privateKeyHandle(key);
    const a = this.attributes(handle, [
      CKA.TOKEN, CKA.PRIVATE, CKA.SENSITIVE, CKA.EXTRACTABLE, CKA.ALWAYS_SENSITIVE, CKA.NEVER_EXTRACTABLE, CKA.LOCAL,
    ]);
    const flag = (t: number): boolean => (a.get(t)?.[0] ?? 0) !== 0;
    return {
      onToken: flag(CKA.TOKEN),
      private: flag(CKA.PRIVATE),
      sensitive: flag(CKA.SENSITIVE),
      extractable: flag(CKA.EXTRACTABLE),
      alwaysSensitive: flag(CKA.ALWAYS_SENSITIVE),
      neverExtractable: flag(CKA.NEVER_EXTRACTABLE),
      local: flag(CKA.LOCAL),
    };
  }

  /**
   * The token's signature mechanism on `input` as is: CKM_ECDSA over a digest the caller computed (raw r‖s), or
   * CKM_EDDSA over the whole message (114 bytes for Ed448). Use createPkcs11Signer for X.509-shaped signatures.
   */
  signRaw(key: Pkcs11KeyPair, input: Buffer): Buffer {
    const curve = TOKEN_CURVES[key.keyType];
    const handle = this.privateKeyHandle({ label: key.label, id: key.id });
    const api = this.api;
    this.call('C_SignInit', () => api.C_SignInit(this.session, { mechanism: curve.signMechanism }, handle));
    // Ed448 signatures are 114 bytes; ECDSA r‖s at most 2 × 66 for P-521.
    return Buffer.from(this.call('C_Sign', () => api.C_Sign(this.session, input, Buffer.alloc(256))));
  }

  /** Destroys both halves of a pair (e.g. the old SECC key once a renewed certificate is installed). */
  destroyKeyPair(key: Pkcs11KeySelector): void {
    const privateKey = this.privateKeyHandle(key);
    const attrs = this.attributes(privateKey, [CKA.LABEL, CKA.ID]);
    const publics = this.find(Pkcs11Token.selectorTemplate(CKO.PUBLIC_KEY, { label: attrs.get(CKA.LABEL)!.toString('utf8'), id: attrs.get(CKA.ID)! }), 16);
    const api = this.api;
    this.call('C_DestroyObject', () => api.C_DestroyObject(this.session, privateKey));
    for (const p of publics) this.call('C_DestroyObject', () => api.C_DestroyObject(this.session, p));
  }

  /**
   * Keeps this token's module initialized and logged in until the process exits, whatever is closed later. The OpenSSL
   * engine behind node:tls shares the module and its login, and relies on this.
   */
  holdLoginForProcess(): void {
    if (this.closed) throw new Pkcs11Error('closed', `the token "${this.info.label}" was closed`);
    this.lease.holdForProcess(this.slot);
  }

  /** The slot as the module registry names it (for heldSlotLoggedIn). */
  get slotKey(): string {
    return slotKey(this.slot);
  }

  /** Closes this handle's session; the module is finalized when no handle (and no TLS key) uses it any more. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.lease.closeSession(this.slot, this.session);
    } finally {
      this.lease.release();
    }
  }
}

export const openPkcs11Token = (options: Pkcs11TokenOptions): Promise<Pkcs11Token> => Pkcs11Token.open(options);

const MAX_PIN_FILE_BYTES = 256;

/** Reads a pin-source: `file:/path` or `/path`; one trailing newline is not part of the PIN. */
export async function readPinSource(source: string): Promise<string> {
  const path = source.startsWith('file:') ? source.slice('file:'.length) : source;
  if (!path.startsWith('/')) throw new Pkcs11Error('uri', `pin-source "${source.slice(0, 80)}" is not file:/absolute/path`);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new Pkcs11Error('uri', `pin-source ${path} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  try {
    const buf = Buffer.alloc(MAX_PIN_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_PIN_FILE_BYTES) throw new Pkcs11Error('uri', `pin-source ${path} is larger than ${MAX_PIN_FILE_BYTES} bytes`);
    return buf.subarray(0, bytesRead).toString('utf8').replace(/\r?\n$/, '');
  } finally {
    await handle.close();
  }
}

/**
 * Opens the token an RFC 7512 URI names and returns the key selector it carries (object / id). module-path and the PIN
 * (pin-value or pin-source) come from the URI or, when it has none, from `defaults`.
 */
export async function openPkcs11TokenFromUri(
  uri: string | Pkcs11Uri,
  defaults: { readonly modulePath?: string; readonly pin?: string; readonly bindingModule?: string } = {},
): Promise<{ readonly token: Pkcs11Token; readonly key: Pkcs11KeySelector }> {
  const parsed = typeof uri === 'string' ? parsePkcs11Uri(uri) : uri;
  if (parsed.type !== undefined && parsed.type !== 'private') throw new Pkcs11Error('uri', `PKCS#11 URI type=${parsed.type}: the SECC key URI names a private key`);
  const modulePath = parsed.modulePath ?? defaults.modulePath;
  if (!modulePath) throw new Pkcs11Error('uri', 'PKCS#11 URI has no module-path and no default module is configured');
  const pin = parsed.pinValue ?? (parsed.pinSource !== undefined ? await readPinSource(parsed.pinSource) : defaults.pin);
  if (pin === undefined) throw new Pkcs11Error('uri', 'PKCS#11 URI has no pin-value or pin-source and no PIN is configured');
  if (parsed.manufacturer !== undefined || parsed.model !== undefined) {
    throw new Pkcs11Error('uri', 'PKCS#11 URI: select the token by token, serial or slot-id');
  }
  const token = await openPkcs11Token({
    modulePath,
    pin,
    token: { label: parsed.token, serial: parsed.serial, slotId: parsed.slotId },
    bindingModule: defaults.bindingModule,
  });
  return { token, key: { label: parsed.object, id: parsed.id } };
}
