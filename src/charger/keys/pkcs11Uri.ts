// PKCS#11 URIs (RFC 7512): which module, token, key and PIN, in one string the charger's configuration can carry, e.g.
// pkcs11:token=pnc;object=secc-iso2?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/pnc/pin
// Parsing is strict: a selector this code would not honour (slot descriptions, library versions, vendor attributes) is
// refused rather than ignored, because ignoring a selector could pick another token's key.
import { Pkcs11Error } from './pkcs11Error.js';

export type Pkcs11ObjectType = 'public' | 'private' | 'cert' | 'secret-key' | 'data';

export interface Pkcs11Uri {
  // path attributes (which token and object)
  readonly token?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly serial?: string;
  readonly slotId?: bigint;
  readonly object?: string;
  readonly id?: Buffer;
  readonly type?: Pkcs11ObjectType;
  // query attributes (how to get there)
  readonly modulePath?: string;
  readonly pinValue?: string;
  readonly pinSource?: string;
}

export const MAX_PKCS11_URI_LENGTH = 4096;
/** CK_TOKEN_INFO.label, manufacturerID and model are 32 bytes, serialNumber 16 (blank padded). */
const TOKEN_FIELD_BYTES = { token: 32, manufacturer: 32, model: 32, serial: 16 } as const;
const MAX_OBJECT_LABEL_BYTES = 255;
const MAX_ID_BYTES = 255;
const MAX_PIN_BYTES = 255;

const OBJECT_TYPES: ReadonlySet<string> = new Set<Pkcs11ObjectType>(['public', 'private', 'cert', 'secret-key', 'data']);
const PATH_ATTRIBUTES: ReadonlySet<string> = new Set(['token', 'manufacturer', 'model', 'serial', 'slot-id', 'object', 'id', 'type']);
const QUERY_ATTRIBUTES: ReadonlySet<string> = new Set(['module-path', 'pin-value', 'pin-source']);
// RFC 7512 §2.3 attributes this code does not select on; naming them is an error, not a silent wider match.
const UNSUPPORTED: ReadonlySet<string> = new Set([
  'library-manufacturer', 'library-description', 'library-version', 'slot-description', 'slot-manufacturer', 'module-name',
]);

// Characters allowed unencoded in a path value (no "/", "?", ";") and in a query value (no "&"), per RFC 7512 §2.3.
const PATH_VALUE = /^(?:[A-Za-z0-9\-._~:[\]@!$'()*+,=&]|%[0-9A-Fa-f]{2})*$/;
const QUERY_VALUE = /^(?:[A-Za-z0-9\-._~:[\]@!$'()*+,=/?|]|%[0-9A-Fa-f]{2})*$/;

const fail = (message: string): never => {
  throw new Pkcs11Error('uri', `PKCS#11 URI: ${message}`);
};

function percentDecode(value: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25) {
      out.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c);
  }
  return Buffer.from(out);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(name: string, bytes: Buffer, maxBytes: number): string {
  if (bytes.length === 0) fail(`${name} is empty`);
  if (bytes.length > maxBytes) fail(`${name} is ${bytes.length} bytes, more than ${maxBytes}`);
  let s = '';
  try {
    s = utf8.decode(bytes);
  } catch {
    fail(`${name} is not UTF-8`);
  }
  // A NUL or other control character cannot be part of a label the token reports, and would truncate in C.
  if (/\p{Cc}/u.test(s)) fail(`${name} contains control characters`);
  return s;
}

function split(part: string, separator: string, what: string, allowed: RegExp): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (part === '') return out;
  for (const attribute of part.split(separator)) {
    const eq = attribute.indexOf('=');
    if (eq <= 0) fail(`${what} attribute "${attribute.slice(0, 40)}" has no name=value form`);
    const name = attribute.slice(0, eq);
    const raw = attribute.slice(eq + 1);
    if (!allowed.test(raw)) fail(`${what} attribute ${name.slice(0, 40)} has characters that must be percent-encoded or a bad %-escape`);
    if (UNSUPPORTED.has(name)) fail(`attribute ${name} is not supported here`);
    if (name.startsWith('x-')) fail(`vendor attribute ${name.slice(0, 40)} is not supported here`);
    const known = what === 'path' ? PATH_ATTRIBUTES : QUERY_ATTRIBUTES;
    if (!known.has(name)) fail(`unknown ${what} attribute ${name.slice(0, 40)}`);
    if (out.has(name)) fail(`attribute ${name} appears twice`);
    out.set(name, percentDecode(raw));
  }
  return out;
}

export function parsePkcs11Uri(input: string): Pkcs11Uri {
  if (typeof input !== 'string') fail('not a string');
  if (input.length > MAX_PKCS11_URI_LENGTH) fail(`longer than ${MAX_PKCS11_URI_LENGTH} characters`);
  if (!/^pkcs11:/i.test(input)) fail('does not start with "pkcs11:"');
  const body = input.slice('pkcs11:'.length);
  if (body.includes('#')) fail('a fragment ("#") is not allowed');
  const q = body.indexOf('?');
  const path = split(q < 0 ? body : body.slice(0, q), ';', 'path', PATH_VALUE);
  const query = split(q < 0 ? '' : body.slice(q + 1), '&', 'query', QUERY_VALUE);

  const uri: { -readonly [K in keyof Pkcs11Uri]: Pkcs11Uri[K] } = {};
  for (const field of ['token', 'manufacturer', 'model', 'serial'] as const) {
    const v = path.get(field);
    if (v) uri[field] = text(field, v, TOKEN_FIELD_BYTES[field]);
  }
  const object = path.get('object');
  if (object) uri.object = text('object', object, MAX_OBJECT_LABEL_BYTES);
  const id = path.get('id');
  if (id) {
    if (id.length === 0) fail('id is empty');
    if (id.length > MAX_ID_BYTES) fail(`id is ${id.length} bytes, more than ${MAX_ID_BYTES}`);
    uri.id = id;
  }
  const slotId = path.get('slot-id');
  if (slotId) {
    const s = slotId.toString('latin1');
    // CK_SLOT_ID is a CK_ULONG: decimal, at most 64 bits.
    if (!/^\d{1,20}$/.test(s) || BigInt(s) > 0xffffffffffffffffn) fail(`slot-id "${s.slice(0, 24)}" is not a decimal CK_SLOT_ID`);
    uri.slotId = BigInt(s);
  }
  const type = path.get('type');
  if (type) {
    const t = type.toString('latin1');
    if (!OBJECT_TYPES.has(t)) fail(`type "${t.slice(0, 24)}" is not one of ${[...OBJECT_TYPES].join(', ')}`);
    uri.type = t as Pkcs11ObjectType;
  }
  const modulePath = query.get('module-path');
  if (modulePath) {
    const m = text('module-path', modulePath, 4096);
    if (!m.startsWith('/')) fail('module-path must be an absolute path');
    uri.modulePath = m;
  }
  const pinValue = query.get('pin-value');
  const pinSource = query.get('pin-source');
  if (pinValue && pinSource) fail('pin-value and pin-source together are ambiguous');
  if (pinValue) uri.pinValue = text('pin-value', pinValue, MAX_PIN_BYTES);
  if (pinSource) uri.pinSource = text('pin-source', pinSource, 4096);
  return uri;
}

/** Percent-encodes everything but RFC 3986 unreserved characters (always valid in RFC 7512 values). */
export function percentEncode(value: string | Buffer): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The URI of `uri`'s attributes, in the order RFC 7512's examples use. */
export function formatPkcs11Uri(uri: Pkcs11Uri): string {
  const path: string[] = [];
  if (uri.token !== undefined) path.push(`token=${percentEncode(uri.token)}`);
  if (uri.manufacturer !== undefined) path.push(`manufacturer=${percentEncode(uri.manufacturer)}`);
  if (uri.model !== undefined) path.push(`model=${percentEncode(uri.model)}`);
  if (uri.serial !== undefined) path.push(`serial=${percentEncode(uri.serial)}`);
  if (uri.slotId !== undefined) path.push(`slot-id=${uri.slotId}`);
  if (uri.object !== undefined) path.push(`object=${percentEncode(uri.object)}`);
  if (uri.id !== undefined) path.push(`id=${percentEncode(uri.id)}`);
  if (uri.type !== undefined) path.push(`type=${uri.type}`);
  const query: string[] = [];
  if (uri.modulePath !== undefined) query.push(`module-path=${percentEncode(uri.modulePath)}`);
  if (uri.pinValue !== undefined) query.push(`pin-value=${percentEncode(uri.pinValue)}`);
  if (uri.pinSource !== undefined) query.push(`pin-source=${percentEncode(uri.pinSource)}`);
  return `pkcs11:${path.join(';')}${query.length ? `?${query.join('&')}` : ''}`;
}

/** The URI without its PIN, for logs and error messages. */
export function redactPkcs11Uri(uri: Pkcs11Uri): string {
  const { pinValue, ...rest } = uri;
  return formatPkcs11Uri(pinValue === undefined ? rest : { ...rest, pinValue: 'redacted' });
}
