// A PKCS#11 module is process-wide state: one C_Initialize per process, and a login belongs to the application (the
// process), not to a session. The OpenSSL pkcs11 engine used by node:tls loads the same module into the same process
// and shares both, so C_Finalize or C_Logout here would silently break the TLS server's key (observed with SoftHSM2
// 2.6.1 and libp11 0.4.12). This registry counts users per module and per slot and finalizes only what nobody holds.
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import type { Pkcs11Api, Pkcs11Binding, Pkcs11Handle } from './pkcs11Binding.js';
import { CKF, CKR, CKS, CKU_USER, ckrName } from './pkcs11Constants.js';
import { Pkcs11Error, type Pkcs11ErrorCode } from './pkcs11Error.js';

type SlotLogin =
  | { readonly kind: 'none' }
  /** Logged in by this registry with a PIN whose salted digest is kept to check later opens. */
  | { readonly kind: 'ours'; readonly pinDigest: Buffer }
  /** Found logged in (C_Login said CKR_USER_ALREADY_LOGGED_IN): another user in this process, e.g. the TLS engine. */
  | { readonly kind: 'external' };

interface SlotState {
  sessions: number;
  login: SlotLogin;
}

interface ModuleState {
  readonly path: string;
  readonly api: Pkcs11Api;
  readonly binding: Pkcs11Binding;
  /** False when C_Initialize answered CKR_CRYPTOKI_ALREADY_INITIALIZED: someone else in this process owns it. */
  readonly initializedHere: boolean;
  users: number;
  /** Once the TLS engine may use the module, it is never finalized or logged out for the rest of the process. */
  heldForProcess: boolean;
  readonly slots: Map<string, SlotState>;
  /** Per held slot, a session never closed: the process's login lasts as long as one session is open. */
  readonly keepers: Map<string, Pkcs11Handle>;
}

const modules = new Map<string, ModuleState>();
const PIN_SALT = randomBytes(16);
const digestPin = (pin: string): Buffer => createHash('sha256').update(PIN_SALT).update(pin, 'utf8').digest();

export const slotKey = (slot: Pkcs11Handle): string => slot.toString('hex');

/** Runs a Cryptoki call, turning the binding's error into a Pkcs11Error carrying the CKR_* value. */
export function cryptoki<T>(binding: Pkcs11Binding, fn: string, call: () => T, code: Pkcs11ErrorCode = 'operation'): T {
  try {
    return call();
  } catch (e) {
    const ckr = binding.ckrOf(e);
    if (ckr === undefined) throw new Pkcs11Error(code, `${fn} failed: ${(e as Error).message}`, { cause: e });
    throw new Pkcs11Error(code, `${fn} failed: ${ckrName(ckr)}`, { cause: e, ckr, ckrName: ckrName(ckr) });
  }
}

export interface Pkcs11ModuleLease {
  readonly path: string;
  readonly api: Pkcs11Api;
  readonly binding: Pkcs11Binding;
  /** Opens a R/W session on `slot` and makes sure the user is logged in with `pin`. */
  openSession(slot: Pkcs11Handle, pin: string): Pkcs11Handle;
  closeSession(slot: Pkcs11Handle, session: Pkcs11Handle): void;
  /**
   * Keeps the module initialized and the slot's login for the life of the process (the TLS engine shares them): a
   * session on the slot stays open for good. Call only while logged in on `slot`.
   */
  holdForProcess(slot: Pkcs11Handle): void;
  release(): void;
}

/** Loads and initializes the module at `path` once per process; each lease must be released once. */
export function acquirePkcs11Module(binding: Pkcs11Binding, path: string): Pkcs11ModuleLease {
  let state = modules.get(path);
  if (!state) {
    const api = binding.create();
    cryptoki(binding, `loading ${path}`, () => api.load(path), 'module-load');
    let initializedHere = true;
    try {
      cryptoki(binding, 'C_Initialize', () => api.C_Initialize({ flags: CKF.OS_LOCKING_OK }), 'module-load');
    } catch (e) {
      if (!(e instanceof Pkcs11Error) || e.ckr !== CKR.CRYPTOKI_ALREADY_INITIALIZED) {
        api.close();
        throw e;
      }
      initializedHere = false;
    }
    state = { path, api, binding, initializedHere, users: 0, heldForProcess: false, slots: new Map(), keepers: new Map() };
    modules.set(path, state);
  }
  state.users++;
  return lease(state);
}

function lease(state: ModuleState): Pkcs11ModuleLease {
  let released = false;
  const { api, binding } = state;
  const slotOf = (slot: Pkcs11Handle): SlotState => {
    let s = state.slots.get(slotKey(slot));
    if (!s) {
      s = { sessions: 0, login: { kind: 'none' } };
      state.slots.set(slotKey(slot), s);
    }
    return s;
  };
  const close = (slot: Pkcs11Handle, session: Pkcs11Handle): void => {
    const s = slotOf(slot);
    try {
      cryptoki(binding, 'C_CloseSession', () => api.C_CloseSession(session));
    } finally {
      s.sessions--;
      // The token logs the application out when its last session closes, unless the engine holds sessions of its own.
      if (s.sessions === 0 && !state.heldForProcess) s.login = { kind: 'none' };
    }
  };
  return {
    path: state.path,
    api,
    binding,
    openSession(slot, pin) {
      if (released) throw new Pkcs11Error('closed', 'the PKCS#11 module lease was released');
      const session = cryptoki(binding, 'C_OpenSession', () => api.C_OpenSession(slot, CKF.SERIAL_SESSION | CKF.RW_SESSION));
      const s = slotOf(slot);
      s.sessions++;
      try {
        login(state, s, session, pin);
      } catch (e) {
        close(slot, session);
        throw e;
      }
      return session;
    },
    closeSession: close,
    holdForProcess(slot) {
      state.heldForProcess = true;
      if (!state.keepers.has(slotKey(slot))) {
        state.keepers.set(slotKey(slot), cryptoki(binding, 'C_OpenSession', () => api.C_OpenSession(slot, CKF.SERIAL_SESSION)));
        slotOf(slot).sessions++;
      }
    },
    release() {
      if (released) return;
      released = true;
      state.users--;
      if (state.users > 0 || state.heldForProcess) return;
      modules.delete(state.path);
      try {
        if (state.initializedHere) cryptoki(binding, 'C_Finalize', () => api.C_Finalize());
      } finally {
        api.close();
      }
    },
  };
}

/**
 * Whether the held slot of `modulePath` is still logged in. The OpenSSL engine asks for a PIN on the terminal when it is
 * not — blocking the whole process — so a TLS context is only created after this says yes.
 */
export function heldSlotLoggedIn(modulePath: string, slot: string): boolean {
  const state = modules.get(modulePath);
  const keeper = state?.keepers.get(slot);
  if (!state || !keeper) return false;
  let info: { readonly state: number };
  try {
    info = state.api.C_GetSessionInfo(keeper);
  } catch (e) {
    // A finalized module or a closed session: not logged in. Anything else is a bug to surface.
    if (state.binding.ckrOf(e) === undefined) throw e;
    return false;
  }
  return info.state === CKS.RO_USER_FUNCTIONS || info.state === CKS.RW_USER_FUNCTIONS;
}

function login(state: ModuleState, slot: SlotState, session: Pkcs11Handle, pin: string): void {
  const { login: current } = slot;
  if (current.kind === 'ours') {
    // The token will not check a second C_Login; compare with the PIN it accepted instead.
    if (!timingSafeEqual(current.pinDigest, digestPin(pin))) {
      throw new Pkcs11Error('pin-incorrect', 'the PIN differs from the one this token is already logged in with');
    }
    return;
  }
  if (current.kind === 'external') return;
  try {
    cryptoki(state.binding, 'C_Login', () => state.api.C_Login(session, CKU_USER, pin));
    slot.login = { kind: 'ours', pinDigest: digestPin(pin) };
  } catch (e) {
    if (!(e instanceof Pkcs11Error)) throw e;
    switch (e.ckr) {
      case CKR.USER_ALREADY_LOGGED_IN:
        // Logged in by another user of the module in this process (the TLS engine); the PIN cannot be checked now.
        slot.login = { kind: 'external' };
        return;
      case CKR.PIN_INCORRECT:
      case CKR.PIN_INVALID:
      case CKR.PIN_LEN_RANGE:
        throw new Pkcs11Error('pin-incorrect', `the token refused the PIN (${e.ckrName})`, { cause: e, ckr: e.ckr, ckrName: e.ckrName });
      case CKR.PIN_LOCKED:
      case CKR.PIN_EXPIRED:
        throw new Pkcs11Error('pin-locked', `the token's user PIN is unusable (${e.ckrName}); the security officer must reset it`, {
          cause: e,
          ckr: e.ckr,
          ckrName: e.ckrName,
        });
      default:
        throw e;
    }
  }
}
