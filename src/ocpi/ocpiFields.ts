// Reading one untrusted JSON object field by field, each read checking type, length and format against the OCPI
// type of the field and naming the path when it fails. Fields the specification does not define are ignored
// (2.3.0 transport_and_format: a platform SHALL NOT reject payloads for undocumented field names); the typed result
// holds only the known ones.
import { OcpiFormatError } from './ocpiFormatError.js';

type JsonObject = { readonly [key: string]: unknown };

/** OCPI DateTime: RFC 3339, UTC, the 'Z' optional (its absence means UTC), fractional seconds allowed. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)?$/;
/** CiString: printable ASCII, case-insensitive. */
const CI_STRING = /^[\x20-\x7e]*$/;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) throw new OcpiFormatError(path, `expected an object, got ${describe(value)}`);
  return value;
}

export function expectArray(value: unknown, path: string, max: number): readonly unknown[] {
  if (!Array.isArray(value)) throw new OcpiFormatError(path, `expected an array, got ${describe(value)}`);
  if (value.length > max) throw new OcpiFormatError(path, `more than ${max} items`);
  return value;
}

export function checkDateTime(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new OcpiFormatError(path, `expected a DateTime string, got ${describe(value)}`);
  if (value.length > 35 || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value.endsWith('Z') || value.endsWith('+00:00') ? value : `${value}Z`))) {
    throw new OcpiFormatError(path, `"${clip(value)}" is not an OCPI DateTime (RFC 3339, UTC)`);
  }
  return value;
}

/** A short, safe description of a JSON value for error messages (never a whole document). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `string "${clip(value)}"`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value).slice(0, 40)}`;
  return typeof value;
}

function clip(s: string): string {
  const cleaned = s.replace(/[^\x20-\x7e]/g, '?');
  return cleaned.length > 40 ? `${cleaned.slice(0, 40)}…` : cleaned;
}

export class Fields {
  readonly object: JsonObject;
  constructor(
    value: unknown,
    readonly path: string,
  ) {
    this.object = expectObject(value, path);
  }

  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  has(key: string): boolean {
    // null counts as absent: many implementations send null for optional fields.
    const v = this.object[key];
    return v !== undefined && v !== null;
  }

  private required(key: string): unknown {
    const v = this.object[key];
    if (v === undefined || v === null) throw new OcpiFormatError(this.at(key), 'required field is missing');
    return v;
  }

  /** OCPI string(max): Unicode, at most `max` characters. */
  string(key: string, max: number, options: { readonly min?: number; readonly pattern?: RegExp } = {}): string {
    const v = this.required(key);
    if (typeof v !== 'string') throw new OcpiFormatError(this.at(key), `expected a string, got ${describe(v)}`);
    // Characters, not UTF-16 units; counted only when the cheap bound does not already settle it.
    if (v.length > max && [...v].length > max) throw new OcpiFormatError(this.at(key), `longer than ${max} characters`);
    if (v.length < (options.min ?? 0)) throw new OcpiFormatError(this.at(key), `shorter than ${options.min ?? 0} characters`);
    if (options.pattern && !options.pattern.test(v)) throw new OcpiFormatError(this.at(key), `"${clip(v)}" does not match ${String(options.pattern)}`);
    return v;
  }

  optString(key: string, max: number, options: { readonly pattern?: RegExp } = {}): string | undefined {
    return this.has(key) ? this.string(key, max, options) : undefined;
  }

  /** OCPI CiString(max): printable ASCII, at most `max` characters. */
  ciString(key: string, max: number, options: { readonly min?: number } = {}): string {
    const v = this.string(key, max, options);
    if (!CI_STRING.test(v)) throw new OcpiFormatError(this.at(key), 'not printable ASCII (CiString)');
    return v;
  }

  optCiString(key: string, max: number): string | undefined {
    return this.has(key) ? this.ciString(key, max) : undefined;
  }

  /** An absolute http(s) URL (OCPI URL type, string(255)). */
  url(key: string): string {
    const v = this.string(key, 255, { min: 1 });
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      throw new OcpiFormatError(this.at(key), `"${clip(v)}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new OcpiFormatError(this.at(key), `"${clip(v)}" is not an http(s) URL`);
    return v;
  }

  optUrl(key: string): string | undefined {
    return this.has(key) ? this.url(key) : undefined;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.required(key);
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      throw new OcpiFormatError(this.at(key), `expected one of ${values.join(', ')}, got ${describe(v)}`);
    }
    return v as T;
  }

  optOneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    return this.has(key) ? this.oneOf(key, values) : undefined;
  }

  boolean(key: string): boolean {
    const v = this.required(key);
    if (typeof v !== 'boolean') throw new OcpiFormatError(this.at(key), `expected a boolean, got ${describe(v)}`);
    return v;
  }

  optBoolean(key: string): boolean | undefined {
    return this.has(key) ? this.boolean(key) : undefined;
  }

  number(key: string, options: { readonly min?: number } = {}): number {
    const v = this.required(key);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new OcpiFormatError(this.at(key), `expected a number, got ${describe(v)}`);
    if (options.min !== undefined && v < options.min) throw new OcpiFormatError(this.at(key), `must be at least ${options.min}`);
    return v;
  }

  optNumber(key: string, options: { readonly min?: number } = {}): number | undefined {
    return this.has(key) ? this.number(key, options) : undefined;
  }

  integer(key: string, options: { readonly min?: number; readonly max?: number } = {}): number {
    const v = this.number(key, options);
    if (!Number.isSafeInteger(v)) throw new OcpiFormatError(this.at(key), `expected an integer, got ${v}`);
    if (options.max !== undefined && v > options.max) throw new OcpiFormatError(this.at(key), `must be at most ${options.max}`);
    return v;
  }

  optInteger(key: string, options: { readonly min?: number; readonly max?: number } = {}): number | undefined {
    return this.has(key) ? this.integer(key, options) : undefined;
  }

  dateTime(key: string): string {
    return checkDateTime(this.required(key), this.at(key));
  }

  optDateTime(key: string): string | undefined {
    return this.has(key) ? this.dateTime(key) : undefined;
  }

  nested<T>(key: string, parse: (value: unknown, path: string) => T): T {
    return parse(this.required(key), this.at(key));
  }

  optNested<T>(key: string, parse: (value: unknown, path: string) => T): T | undefined {
    return this.has(key) ? parse(this.object[key], this.at(key)) : undefined;
  }

  array<T>(key: string, parse: (value: unknown, path: string) => T, options: { readonly min?: number; readonly max: number }): T[] {
    const items = expectArray(this.required(key), this.at(key), options.max);
    if (items.length < (options.min ?? 0)) throw new OcpiFormatError(this.at(key), `needs at least ${options.min ?? 0} item(s)`);
    return items.map((item, i) => parse(item, `${this.at(key)}[${i}]`));
  }

  optArray<T>(key: string, parse: (value: unknown, path: string) => T, options: { readonly max: number }): T[] | undefined {
    return this.has(key) ? this.array(key, parse, options) : undefined;
  }
}

/** Copies the defined values only, so optional fields are absent rather than undefined in the typed result. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}
