// JSON form of decoded values, for the CLI and for tools: bytes as lowercase hex, bigints as numbers when they are
// safe integers (strings otherwise). The generated shape tables say which field holds what:
//   `@Type` a complex type, `a` a wildcard element, `F` an element fragment value,
//   `b<min>,<max>` bytes, `s<min>,<max>` a string, `n` a bigint, `v` anything else as is;
//   a `[<min>,<max>]` prefix marks an array.
import { parseHex } from './datatype.js';
import { ExiError, atField } from './exiError.js';
import { qnameKey, type AnyAttribute, type AnyElement, type ElementEntry, type SchemaRuntime } from './schemaRuntime.js';

export type Shapes = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface JsonContext {
  readonly schema: SchemaRuntime;
  readonly shapes: Shapes;
}

type Direction = 'to' | 'from';

/** Splits `[min,max]rest` into the array bounds and the item shape. */
export function parseShape(shape: string): { array?: { min: number; max: number }; item: string } {
  if (shape.charAt(0) !== '[') return { item: shape };
  const end = shape.indexOf(']');
  const [min, max] = shape
    .slice(1, end)
    .split(',')
    .map((x) => Number(x));
  return { array: { min: min!, max: max! }, item: shape.slice(end + 1) };
}

function convert(v: unknown, shape: string, ctx: JsonContext, dir: Direction): unknown {
  const { array, item } = parseShape(shape);
  if (array) {
    if (!Array.isArray(v)) throw new ExiError('input', 'expected an array');
    return v.map((x, i) => {
      try {
        return convertItem(x, item, ctx, dir);
      } catch (e) {
        throw atField(e, `[${i}]`);
      }
    });
  }
  return convertItem(v, item, ctx, dir);
}

function convertItem(v: unknown, shape: string, ctx: JsonContext, dir: Direction): unknown {
  switch (shape.charAt(0)) {
    case '@':
      return convertObject(v, shape.slice(1), ctx, dir);
    case 'b':
      return dir === 'to' ? hex(v) : bytes(v);
    case 'n':
      return dir === 'to' ? bigToJson(v) : bigFromJson(v);
    case 'a':
      return convertAny(v, ctx, dir);
    case 'F':
      return convertFragmentValue(v, ctx, dir);
    default:
      return v;
  }
}

function convertObject(v: unknown, typeName: string, ctx: JsonContext, dir: Direction): unknown {
  const fields = ctx.shapes[typeName];
  if (!fields) throw new ExiError('input', `no shape for type ${typeName}`);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ExiError('input', `expected an object (${typeName})`);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    const spec = Object.prototype.hasOwnProperty.call(fields, k) ? fields[k] : undefined;
    if (spec === undefined) throw atField(new ExiError('input', `${typeName} has no field ${k}`), k);
    try {
      out[k] = convert(x, spec, ctx, dir);
    } catch (e) {
      throw atField(e, k);
    }
  }
  return out;
}

function convertAny(v: unknown, ctx: JsonContext, dir: Direction): unknown {
  if (typeof v !== 'object' || v === null) throw new ExiError('input', 'expected a wildcard element { ns, local, ... }');
  const e = v as AnyElement;
  if (typeof e.ns !== 'string' || typeof e.local !== 'string') throw new ExiError('input', 'a wildcard element needs string ns and local');
  const g = ctx.schema.globals.get(qnameKey(e.ns, e.local));
  const out: Record<string, unknown> = { ns: e.ns, local: e.local };
  if (e.value !== undefined) {
    if (!g) throw new ExiError('input', `{${e.ns}}${e.local} is not declared in the schema: give attributes and content, not a value`);
    out.value = convert(e.value, g.shape, ctx, dir);
  }
  if (e.attributes !== undefined) out.attributes = e.attributes.map((a) => ({ ns: a.ns, local: a.local, value: a.value instanceof Uint8Array ? hex(a.value) : a.value }));
  if (e.content !== undefined) {
    if (!Array.isArray(e.content)) throw new ExiError('input', 'content is an array');
    out.content = e.content.map((c) => (typeof c === 'string' ? c : convertAny(c, ctx, dir)));
  }
  return out;
}

function convertFragmentValue(v: unknown, ctx: JsonContext, dir: Direction): unknown {
  if (typeof v !== 'object' || v === null) throw new ExiError('input', 'expected an element fragment value { attributes?, content? }');
  const f = v as { attributes?: unknown; content?: unknown };
  const out: Record<string, unknown> = {};
  if (f.attributes !== undefined) {
    if (!Array.isArray(f.attributes)) throw new ExiError('input', 'attributes is an array');
    out.attributes = (f.attributes as AnyAttribute[]).map((a) => {
      const dt = ctx.schema.fragment.attributes.find((x) => x.ns === a.ns && x.local === a.local)?.dt;
      const shape = dt?.kind === 'binary' ? 'b' : dt?.kind === 'ubig' || dt?.kind === 'ibig' ? 'n' : 'v';
      return { ns: a.ns, local: a.local, value: convertItem(a.value, shape, ctx, dir) };
    });
  }
  if (f.content !== undefined) {
    if (!Array.isArray(f.content)) throw new ExiError('input', 'content is an array');
    out.content = f.content.map((c: unknown) => (typeof c === 'string' ? c : convertItems([c], ctx.schema.fragment.entries, ctx, dir)[0]));
  }
  return out;
}

function convertItems(items: readonly unknown[], entries: readonly ElementEntry[], ctx: JsonContext, dir: Direction): Record<string, unknown>[] {
  return items.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ExiError('input', 'expected an object with one key, the element name');
    const keys = Object.keys(item);
    if (keys.length !== 1) throw new ExiError('input', `expected exactly one element, got ${keys.length ? keys.join(', ') : 'none'}`);
    const key = keys[0]!;
    const value = (item as Record<string, unknown>)[key];
    try {
      if (key === '*') return { '*': convertAny(value, ctx, dir) };
      const e = entries.find((x) => x.key === key);
      if (!e) throw new ExiError('input', `${key} is not an element of schema set ${ctx.schema.name}`);
      return { [key]: convert(value, e.shape, ctx, dir) };
    } catch (err) {
      throw atField(err, key);
    }
  });
}

/** A decoded document as JSON. */
export function documentToJson(doc: unknown, ctx: JsonContext): Record<string, unknown> {
  return convertItems([doc], ctx.schema.document.entries, ctx, 'to')[0]!;
}

/** A document from its JSON form, ready for the encoder. */
export function documentFromJson(json: unknown, ctx: JsonContext): Record<string, unknown> {
  return convertItems([json], ctx.schema.document.entries, ctx, 'from')[0]!;
}

export function fragmentToJson(items: readonly unknown[], ctx: JsonContext): Record<string, unknown>[] {
  return convertItems(items, ctx.schema.fragment.entries, ctx, 'to');
}

export function fragmentFromJson(json: unknown, ctx: JsonContext): Record<string, unknown>[] {
  if (!Array.isArray(json)) throw new ExiError('input', 'a fragment is an array of one-key objects');
  return convertItems(json, ctx.schema.fragment.entries, ctx, 'from');
}

function hex(v: unknown): string {
  if (!(v instanceof Uint8Array)) throw new ExiError('input', 'expected bytes');
  return Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex');
}

function bytes(v: unknown): Uint8Array {
  const b = typeof v === 'string' ? parseHex(v) : undefined;
  if (!b) throw new ExiError('input', 'expected bytes as a hex string');
  return b;
}

function bigToJson(v: unknown): number | string {
  if (typeof v !== 'bigint') throw new ExiError('input', 'expected a bigint');
  return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function bigFromJson(v: unknown): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d{1,400}$/.test(v)) return BigInt(v);
  throw new ExiError('input', 'expected an integer (a number, or a decimal string beyond 2^53)');
}
