// The EXI 1.0 §7.1 representation of each XML Schema simple type, as a plain descriptor the emitter turns into code.
// Types that code the same way share one descriptor (and one set of generated functions).
import { bitsFor } from './grammar.js';
import type { Datatype } from '../../src/exi/runtime/datatype.js';
import { integerBounds, isIntegerBuiltin, XsdError, type SimpleType } from './xsdModel.js';

/** Largest safe integer as a bigint: beyond it integer values are carried as bigint. */
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Cap for unbounded integers (xs:integer): 128 octets of 7 bits, far above any ISO 15118 value (X509SerialNumber ≤ 20 bytes). */
export const MAX_INTEGER_OCTETS = 128;

export type { Datatype };

const STRING_BUILTINS = new Set(['string', 'normalizedString', 'token', 'language', 'Name', 'NCName', 'NMTOKEN', 'ID', 'IDREF', 'ENTITY', 'anyURI', 'anySimpleType']);

/** Cap for unbounded lengths: the stream length bounds every allocation anyway (each octet carries at most one unit). */
const UNBOUNDED = 0x7fffffff;

export function datatypeOf(t: SimpleType): Datatype {
  const f = t.facets;
  if (f.enumeration) {
    // EXI 1.0 §7.2: enumerated values are coded as the n-bit index of the value in schema order, whatever the base type.
    return { kind: 'enum', values: f.enumeration, bits: bitsFor(f.enumeration.length) };
  }
  if (f.pattern) throw new XsdError(`${t.name?.local ?? 'anonymous type'}: pattern facets (restricted character sets, EXI 1.0 §7.1.10.1) are not supported`);
  const min = f.length ?? f.minLength ?? 0;
  const max = f.length ?? f.maxLength ?? UNBOUNDED;
  if (t.builtin === 'boolean') return { kind: 'boolean' };
  if (t.builtin === 'base64Binary' || t.builtin === 'hexBinary') {
    return { kind: 'binary', min, max, lexical: t.builtin === 'hexBinary' ? 'hex' : 'base64' };
  }
  if (STRING_BUILTINS.has(t.builtin)) return { kind: 'string', min, max };
  if (isIntegerBuiltin(t.builtin)) {
    const b = integerBounds(t);
    if (b.min !== undefined && b.max !== undefined && b.max - b.min < 4096n) {
      return { kind: 'nbit', min: Number(b.min), max: Number(b.max), bits: bitsFor(Number(b.max - b.min + 1n)) };
    }
    const unsigned = b.min !== undefined && b.min >= 0n;
    if (b.min !== undefined && b.max !== undefined && b.min >= -SAFE && b.max <= SAFE) {
      return { kind: unsigned ? 'uint' : 'int', min: Number(b.min), max: Number(b.max) };
    }
    const magnitude = [b.min, b.max].reduce<bigint>((m, v) => (v === undefined ? m : v < 0n ? (-v > m ? -v : m) : v > m ? v : m), 0n);
    const octets = b.min === undefined || b.max === undefined ? MAX_INTEGER_OCTETS : Math.max(1, Math.ceil(magnitude.toString(2).length / 7));
    return { kind: unsigned ? 'ubig' : 'ibig', ...(b.min !== undefined ? { min: b.min } : {}), ...(b.max !== undefined ? { max: b.max } : {}), octets };
  }
  throw new XsdError(`${t.name?.local ?? 'anonymous type'}: built-in type xs:${t.builtin} is not supported by this generator`);
}

/** A stable identifier for a datatype, used to name and share its generated functions. */
export function datatypeKey(d: Datatype): string {
  switch (d.kind) {
    case 'boolean':
      return 'boolean';
    case 'binary':
      return `${d.lexical}${d.min}_${d.max === UNBOUNDED ? 'n' : d.max}`;
    case 'nbit':
    case 'uint':
    case 'int':
      return `${d.kind}${num(d.min)}_${num(d.max)}`;
    case 'ubig':
    case 'ibig':
      return `${d.kind}${d.min === undefined ? 'n' : num(d.min)}_${d.max === undefined ? 'n' : num(d.max)}`;
    case 'enum':
      return `enum_${d.values.join('|')}`;
    case 'string':
      return `string${d.min}_${d.max === UNBOUNDED ? 'n' : d.max}`;
  }
}

function num(v: number | bigint): string {
  return v < 0 ? `m${-v}` : `${v}`;
}

/**
 * Shape code of a value in the JSON shape tables (runtime/json.ts): `b<min>,<max>` bytes (hex in JSON), `s<min>,<max>`
 * a string with length facets, `n` a bigint, `v` anything else as is. Arrays prefix `[<min>,<max>]` (max -1: unbounded),
 * complex types are `@Name`, wildcard elements `a`, element fragment values `F`.
 */
export function shapeOf(d: Datatype): string {
  switch (d.kind) {
    case 'binary':
      return `b${d.min},${d.max}`;
    case 'string':
      return `s${d.min},${d.max}`;
    case 'ubig':
    case 'ibig':
      return 'n';
    default:
      return 'v';
  }
}

/** The TypeScript type of a datatype's values. */
export function tsTypeOf(d: Datatype, enumName?: string): string {
  switch (d.kind) {
    case 'boolean':
      return 'boolean';
    case 'binary':
      return 'Uint8Array';
    case 'nbit':
    case 'uint':
    case 'int':
      return 'number';
    case 'ubig':
    case 'ibig':
      return 'bigint';
    case 'enum':
      return enumName ?? d.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'string':
      return 'string';
  }
}

/** A short human description of the facets, for the doc comment of a field. */
export function describe(d: Datatype, builtin: string): string {
  const range = (min: number, max: number, unit: string): string =>
    max === UNBOUNDED ? (min ? `at least ${min} ${unit}` : '') : min === max ? `exactly ${min} ${unit}` : `${min}–${max} ${unit}`;
  switch (d.kind) {
    case 'boolean':
      return 'xs:boolean';
    case 'binary':
      return [`xs:${builtin}`, range(d.min, d.max, 'bytes')].filter(Boolean).join(', ');
    case 'nbit':
    case 'uint':
    case 'int':
      return `xs:${builtin}, ${d.min}…${d.max}`;
    case 'ubig':
    case 'ibig':
      return `xs:${builtin}${d.min !== undefined || d.max !== undefined ? `, ${d.min ?? '−∞'}…${d.max ?? '∞'}` : ''}`;
    case 'enum':
      return `enumeration of ${d.values.length}`;
    case 'string':
      return [`xs:${builtin}`, range(d.min, d.max, 'characters')].filter(Boolean).join(', ');
  }
}

export { UNBOUNDED };
