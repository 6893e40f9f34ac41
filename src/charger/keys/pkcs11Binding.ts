// The native PKCS#11 binding (pkcs11js, an optional dependency) behind the narrow interface this code calls. It is
// imported on first use only, so a charger without it runs until a PKCS#11 key is asked for, and then says why not.
import { Pkcs11Error } from './pkcs11Error.js';

/** CK_OBJECT_HANDLE / CK_SLOT_ID / CK_SESSION_HANDLE as the binding passes them: the CK_ULONG's bytes. */
export type Pkcs11Handle = Buffer;

export interface Pkcs11Attribute {
  readonly type: number;
  readonly value?: number | boolean | string | Buffer;
}

export interface Pkcs11AttributeValue {
  readonly type: number;
  readonly value: Buffer;
}

export interface Pkcs11Mechanism {
  readonly mechanism: number;
  readonly parameter?: Buffer;
}

/** CK_TOKEN_INFO fields used here (blank-padded as the token reports them). */
export interface Pkcs11RawTokenInfo {
  readonly label: string;
  readonly manufacturerID: string;
  readonly model: string;
  readonly serialNumber: string;
  readonly flags: number;
}

/** The Cryptoki calls this code makes, as pkcs11js exposes them (synchronous; errors thrown). */
export interface Pkcs11Api {
  load(path: string): void;
  close(): void;
  C_Initialize(options?: { flags?: number }): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Pkcs11Handle[];
  C_GetTokenInfo(slot: Pkcs11Handle): Pkcs11RawTokenInfo;
  C_OpenSession(slot: Pkcs11Handle, flags: number): Pkcs11Handle;
  C_CloseSession(session: Pkcs11Handle): void;
  C_GetSessionInfo(session: Pkcs11Handle): { readonly state: number; readonly flags: number };
  C_Login(session: Pkcs11Handle, userType: number, pin?: string): void;
  C_FindObjectsInit(session: Pkcs11Handle, template: Pkcs11Attribute[]): void;
  C_FindObjects(session: Pkcs11Handle, maxObjectCount: number): Pkcs11Handle[];
  C_FindObjectsFinal(session: Pkcs11Handle): void;
  C_GetAttributeValue(session: Pkcs11Handle, object: Pkcs11Handle, template: Pkcs11Attribute[]): Pkcs11AttributeValue[];
  C_GenerateKeyPair(
    session: Pkcs11Handle,
    mechanism: Pkcs11Mechanism,
    publicTemplate: Pkcs11Attribute[],
    privateTemplate: Pkcs11Attribute[],
  ): { readonly publicKey: Pkcs11Handle; readonly privateKey: Pkcs11Handle };
  C_DestroyObject(session: Pkcs11Handle, object: Pkcs11Handle): void;
  C_SignInit(session: Pkcs11Handle, mechanism: Pkcs11Mechanism, key: Pkcs11Handle): void;
  C_Sign(session: Pkcs11Handle, data: Buffer, out: Buffer): Buffer;
}

export interface Pkcs11Binding {
  /** A fresh, unloaded module object. */
  create(): Pkcs11Api;
  /** The CKR_* value of an error the binding threw, undefined for any other error. */
  ckrOf(error: unknown): number | undefined;
}

const API_METHODS: readonly (keyof Pkcs11Api)[] = [
  'load', 'close', 'C_Initialize', 'C_Finalize', 'C_GetSlotList', 'C_GetTokenInfo', 'C_OpenSession', 'C_CloseSession', 'C_GetSessionInfo', 'C_Login',
  'C_FindObjectsInit', 'C_FindObjects', 'C_FindObjectsFinal', 'C_GetAttributeValue', 'C_GenerateKeyPair', 'C_DestroyObject',
  'C_SignInit', 'C_Sign',
];

const loaded = new Map<string, Promise<Pkcs11Binding>>();

/** Loads the binding once per process; `moduleName` exists for tests of the missing-binding path. */
export function loadPkcs11Binding(moduleName = 'pkcs11js'): Promise<Pkcs11Binding> {
  let pending = loaded.get(moduleName);
  if (!pending) {
    pending = importBinding(moduleName);
    loaded.set(moduleName, pending);
    // A failed import may succeed later (npm rebuild); do not cache the failure.
    pending.catch(() => loaded.delete(moduleName));
  }
  return pending;
}

async function importBinding(moduleName: string): Promise<Pkcs11Binding> {
  let exported: unknown;
  try {
    const namespace = (await import(moduleName)) as { default?: unknown };
    exported = namespace.default ?? namespace;
  } catch (e) {
    throw new Pkcs11Error(
      'binding-unavailable',
      `PKCS#11 needs the optional native module "${moduleName}" (npm install ${moduleName}; it builds with g++, make and python3): ${(e as Error).message}`,
      { cause: e },
    );
  }
  const ctor = (exported as { PKCS11?: unknown } | undefined)?.PKCS11;
  const errorClass = (exported as { Pkcs11Error?: unknown } | undefined)?.Pkcs11Error;
  if (typeof ctor !== 'function' || typeof errorClass !== 'function') {
    throw new Pkcs11Error('binding-unavailable', `"${moduleName}" does not export the PKCS11 and Pkcs11Error classes of pkcs11js`);
  }
  const Ctor = ctor as new () => object;
  const ErrorClass = errorClass as abstract new (...args: never[]) => { readonly code?: unknown };
  const probe = new Ctor();
  const missing = API_METHODS.filter((m) => typeof (probe as Record<string, unknown>)[m] !== 'function');
  if (missing.length) throw new Pkcs11Error('binding-unavailable', `"${moduleName}" lacks ${missing.join(', ')}`);
  return {
    create: () => new Ctor() as Pkcs11Api,
    ckrOf: (error) => (error instanceof ErrorClass && typeof error.code === 'number' ? error.code : undefined),
  };
}
