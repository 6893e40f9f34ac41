// V2GTP payload types (notes §6, table "Payload types"). One table for DIN SPEC 70121, ISO 15118-2 and -20: the
// values do not collide, so a single framer can serve every protocol the SupportedAppProtocol handshake may pick.

export const PAYLOAD_TYPE = {
  /** EXI-encoded V2G message for DIN / -2; in -20 only SupportedAppProtocol uses it. */
  exi: 0x8001,
  /** -20 mainstream messages (CommonMessages schema). */
  commonMessages: 0x8002,
  ac: 0x8003,
  dc: 0x8004,
  acdp: 0x8005,
  wpt: 0x8006,
  scheduleRenegotiation: 0x8101,
  meteringConfirmation: 0x8102,
  acdpSystemStatus: 0x8103,
  parkingStatus: 0x8104,
  sdpRequest: 0x9000,
  sdpResponse: 0x9001,
  sdpRequestWireless: 0x9002,
  sdpResponseWireless: 0x9003,
} as const;

export type PayloadTypeName = keyof typeof PAYLOAD_TYPE;

/** 0xA000–0xFFFF is reserved for manufacturer-specific use; such frames are well-formed even though we do not interpret them. */
export const MANUFACTURER_SPECIFIC_FIRST = 0xa000;
export const MANUFACTURER_SPECIFIC_LAST = 0xffff;

const NAMES = new Map<number, PayloadTypeName>(
  (Object.entries(PAYLOAD_TYPE) as [PayloadTypeName, number][]).map(([name, value]) => [value, name]),
);

export function isManufacturerSpecific(n: number): boolean {
  return Number.isInteger(n) && n >= MANUFACTURER_SPECIFIC_FIRST && n <= MANUFACTURER_SPECIFIC_LAST;
}

/** True for every value in the table and for the manufacturer-specific range; the header check uses this. */
export function isKnownPayloadType(n: number): boolean {
  return NAMES.has(n) || isManufacturerSpecific(n);
}

const hex4 = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;

/** A name for logs: the table key, `manufacturer-specific 0xA123`, or `unknown 0x0001`. */
export function payloadTypeName(n: number): PayloadTypeName | `manufacturer-specific ${string}` | `unknown ${string}` {
  const name = NAMES.get(n);
  if (name !== undefined) return name;
  if (isManufacturerSpecific(n)) return `manufacturer-specific ${hex4(n)}`;
  return `unknown ${Number.isInteger(n) && n >= 0 ? hex4(n) : String(n)}`;
}
