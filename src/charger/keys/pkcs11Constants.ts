// The PKCS#11 numbers this code uses (PKCS#11 v2.40 and, for Edwards curves, v3.0). Kept here rather than taken from the
// binding so that the pure parts compile and run without the native module; a test checks them against pkcs11js.

export const CKO = { PUBLIC_KEY: 0x02, PRIVATE_KEY: 0x03, SECRET_KEY: 0x04 } as const;

export const CKK = { EC: 0x03, AES: 0x1f, EC_EDWARDS: 0x40 } as const;

export const CKA = {
  CLASS: 0x000,
  TOKEN: 0x001,
  PRIVATE: 0x002,
  LABEL: 0x003,
  VALUE: 0x011,
  KEY_TYPE: 0x100,
  ID: 0x102,
  SENSITIVE: 0x103,
  ENCRYPT: 0x104,
  DECRYPT: 0x105,
  WRAP: 0x106,
  UNWRAP: 0x107,
  SIGN: 0x108,
  VERIFY: 0x10a,
  DERIVE: 0x10c,
  VALUE_LEN: 0x161,
  EXTRACTABLE: 0x162,
  LOCAL: 0x163,
  NEVER_EXTRACTABLE: 0x164,
  ALWAYS_SENSITIVE: 0x165,
  MODIFIABLE: 0x170,
  EC_PARAMS: 0x180,
  EC_POINT: 0x181,
} as const;

export const CKM = {
  EC_KEY_PAIR_GEN: 0x1040,
  ECDSA: 0x1041,
  EC_EDWARDS_KEY_PAIR_GEN: 0x1055,
  EDDSA: 0x1057,
  AES_KEY_GEN: 0x1080,
  AES_KEY_WRAP_PAD: 0x210a,
} as const;

export const CKF = { RW_SESSION: 0x02, SERIAL_SESSION: 0x04, OS_LOCKING_OK: 0x02 } as const;

export const CKU_USER = 1;

/** CK_STATE values of a session in which the user is logged in. */
export const CKS = { RO_USER_FUNCTIONS: 1, RW_USER_FUNCTIONS: 3 } as const;

export const CKR = {
  OK: 0x000,
  ATTRIBUTE_READ_ONLY: 0x010,
  ATTRIBUTE_SENSITIVE: 0x011,
  KEY_FUNCTION_NOT_PERMITTED: 0x068,
  KEY_NOT_WRAPPABLE: 0x069,
  KEY_UNEXTRACTABLE: 0x06a,
  PIN_INCORRECT: 0x0a0,
  PIN_INVALID: 0x0a1,
  PIN_LEN_RANGE: 0x0a2,
  PIN_EXPIRED: 0x0a3,
  PIN_LOCKED: 0x0a4,
  TOKEN_NOT_PRESENT: 0x0e0,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_PIN_NOT_INITIALIZED: 0x102,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;

const CKR_NAMES = new Map<number, string>(Object.entries(CKR).map(([name, value]) => [value, `CKR_${name}`]));

/** `CKR_PIN_INCORRECT` for 0xA0; the hex value for codes not listed here. */
export function ckrName(code: number): string {
  return CKR_NAMES.get(code) ?? `CKR_0x${code.toString(16).padStart(8, '0')}`;
}
