// Runtime descriptors of EXI 1.0 §7.1 value representations. Generated codecs inline the common paths; these
// descriptors drive the rare ones: values of schema deviations (untyped, to be parsed), the element fragment grammar,
// and JSON conversion.
import type { BitReader } from './bitReader.js';
import type { BitWriter } from './bitWriter.js';
import { codePointLength } from './bitWriter.js';
import { ExiError } from './exiError.js';

export type Datatype =
  | { readonly kind: 'boolean' }
  | { readonly kind: 'binary'; readonly min: number; readonly max: number; readonly lexical: 'base64' | 'hex' }
  | { readonly kind: 'nbit'; readonly min: number; readonly max: number; readonly bits: number }
  | { readonly kind: 'uint' | 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'ubig' | 'ibig'; readonly min?: bigint; readonly max?: bigint; readonly octets: number }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly bits: number }
  | { readonly kind: 'string'; readonly min: number; readonly max: number };

export type SimpleValue = boolean | Uint8Array | number | bigint | string;

export function readValue(r: BitReader, dt: Datatype): SimpleValue {
  switch (dt.kind) {
    case 'boolean':
      return r.bits(1) === 1;
    case 'binary':
      return r.binaryIn(dt.min, dt.max);
    case 'nbit':
      return r.nbit(dt.bits, dt.min, dt.max);
    case 'uint':
      return r.uintIn(dt.min, dt.max);
    case 'int':
      return r.intIn(dt.min, dt.max);
    case 'ubig':
      return r.uintBigIn(dt.octets, dt.min, dt.max);
    case 'ibig':
      return r.intBigIn(dt.octets, dt.min, dt.max);
    case 'enum':
      return dt.values[r.enumIndex(dt.bits, dt.values.length)]!;
    case 'string':
      return r.stringIn(dt.min, dt.max);
  }
}

export function writeValue(w: BitWriter, dt: Datatype, v: unknown): void {
  switch (dt.kind) {
    case 'boolean':
      if (typeof v !== 'boolean') throw new ExiError('input', `expected a boolean, got ${describeValue(v)}`);
      w.bits(v ? 1 : 0, 1);
      return;
    case 'binary':
      w.binaryIn(v, dt.min, dt.max);
      return;
    case 'nbit':
      w.nbit(v, dt.bits, dt.min, dt.max);
      return;
    case 'uint':
      w.uintIn(v, dt.min, dt.max);
      return;
    case 'int':
      w.intIn(v, dt.min, dt.max);
      return;
    case 'ubig':
      w.uintBigIn(v, dt.min, dt.max);
      return;
    case 'ibig':
      w.intBigIn(v, dt.min, dt.max);
      return;
    case 'enum': {
      const i = typeof v === 'string' ? dt.values.indexOf(v) : -1;
      if (i < 0) throw new ExiError('facet', `${describeValue(v)} is not one of ${dt.values.join(', ')}`);
      w.bits(i, dt.bits);
      return;
    }
    case 'string':
      w.stringIn(v, dt.min, dt.max);
      return;
  }
}

/**
 * The typed value of an untyped (lexical) string, for schema deviations: EXI 1.0 §8.5.4.4.1 lets an encoder send a
 * declared attribute or character content as a plain string; it is accepted only if it is a valid value of its type.
 */
export function parseLexical(dt: Datatype, text: string): SimpleValue {
  const bad = (): ExiError => new ExiError('value', `untyped value ${JSON.stringify(text.slice(0, 64))} is not a valid ${dt.kind} value`);
  const t = dt.kind === 'string' ? text : text.trim();
  switch (dt.kind) {
    case 'boolean':
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw bad();
    case 'binary': {
      const bytes = dt.lexical === 'hex' ? parseHex(t) : parseBase64(t);
      if (!bytes) throw bad();
      checkLength(bytes.length, dt.min, dt.max, 'bytes');
      return bytes;
    }
    case 'nbit':
    case 'uint':
    case 'int': {
      if (!/^[+-]?\d{1,16}$/.test(t)) throw bad();
      const v = Number(t);
      checkRange(v, dt.min, dt.max);
      return v === 0 ? 0 : v;
    }
    case 'ubig':
    case 'ibig': {
      if (!/^[+-]?\d+$/.test(t) || t.length > dt.octets * 3) throw bad();
      const v = BigInt(t);
      checkBigRange(v, dt.min, dt.max);
      return v;
    }
    case 'enum':
      if (!dt.values.includes(t)) throw new ExiError('facet', `${JSON.stringify(t)} is not one of ${dt.values.join(', ')}`);
      return t;
    case 'string':
      checkLength(codePointLength(t), dt.min, dt.max, 'characters');
      return t;
  }
}

export function checkLength(n: number, min: number, max: number, unit: string): void {
  if (n < min || n > max) throw new ExiError('facet', `${n} ${unit}, ${min === max ? `exactly ${min}` : n < min ? `at least ${min}` : `at most ${max}`} allowed`);
}

export function checkRange(v: number, min: number, max: number): void {
  if (v < min || v > max) throw new ExiError('facet', `${v} is outside ${min}…${max}`);
}

export function checkBigRange(v: bigint, min: bigint | undefined, max: bigint | undefined): void {
  if ((min !== undefined && v < min) || (max !== undefined && v > max)) throw new ExiError('facet', `${v} is outside ${min ?? '−∞'}…${max ?? '∞'}`);
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `${typeof v} ${v}`;
  return `a ${typeof v}`;
}

export function parseHex(t: string): Uint8Array | undefined {
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) return undefined;
  return Uint8Array.from(Buffer.from(t, 'hex'));
}

function parseBase64(t: string): Uint8Array | undefined {
  const s = t.replace(/\s+/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return undefined;
  return Uint8Array.from(Buffer.from(s, 'base64'));
}
