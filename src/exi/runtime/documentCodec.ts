// EXI documents and fragments of a schema set: header, DocContent / FragmentContent, DocEnd. A document is one root
// element, written as a one-key object `{ V2G_Message: {...} }`; a fragment is a list of such items.
import { ExiError, atField } from './exiError.js';
import { ExiReader } from './exiReader.js';
import { ExiWriter } from './exiWriter.js';
import { qnameKey, type ElementEntry, type SchemaRuntime } from './schemaRuntime.js';

/**
 * Largest stream decoded by default: far above real ISO 15118 payloads (a CertificateInstallationRes is about 5 kB),
 * though a message grown to every maxOccurs of its schema can be larger; callers that want those pass `maxBytes`.
 */
export const MAX_STREAM_BYTES = 1 << 20;

export interface DecodeOptions {
  /** Refuse longer streams before reading them (default MAX_STREAM_BYTES). */
  readonly maxBytes?: number;
}

function reader(bytes: Uint8Array, schema: SchemaRuntime, options: DecodeOptions): ExiReader {
  if (!(bytes instanceof Uint8Array)) throw new ExiError('input', 'an EXI stream is a Uint8Array');
  const max = options.maxBytes ?? MAX_STREAM_BYTES;
  if (bytes.length > max) throw new ExiError('value', `stream of ${bytes.length} bytes, at most ${max} accepted`);
  const r = new ExiReader(bytes, schema);
  r.header();
  return r;
}

/** The only key of a document or fragment item. */
function onlyKey(item: unknown, what: string): string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ExiError('input', `${what} is an object with one key, the element name`);
  const keys = Object.keys(item).filter((k) => (item as Record<string, unknown>)[k] !== undefined);
  if (keys.length !== 1) throw new ExiError('input', `${what} needs exactly one element, got ${keys.length ? keys.join(', ') : 'none'}`);
  return keys[0]!;
}

function decodeEntry(r: ExiReader, e: ElementEntry): Record<string, unknown> {
  try {
    return { [e.key]: e.d(r) };
  } catch (err) {
    throw atField(err, e.key);
  }
}

/** SE(*) at the top level: a declared global name (coded as a wildcard) keeps its grammar; anything else is refused. */
function decodeWildcardRoot(r: ExiReader): Record<string, unknown> {
  const q = r.qnames.readQName(r);
  const g = r.schema.globals.get(qnameKey(q.ns, q.local));
  if (!g) throw new ExiError('unsupported', `root element {${q.ns}}${q.local} is not declared in schema set ${r.schema.name}`);
  return decodeEntry(r, g);
}

export function decodeDocument(bytes: Uint8Array, schema: SchemaRuntime, options: DecodeOptions = {}): Record<string, unknown> {
  const r = reader(bytes, schema, options);
  const { entries, bits } = schema.document;
  const c = r.bits(bits);
  let doc: Record<string, unknown>;
  if (c < entries.length) doc = schema.document.root ? schema.document.root(r, c) : decodeEntry(r, entries[c]!);
  else if (c === entries.length) doc = decodeWildcardRoot(r);
  else throw r.badEvent(c, 'DocContent');
  // DocEnd has only ED: no bits.
  r.end();
  return doc;
}

const keyIndexes = new WeakMap<readonly ElementEntry[], Map<string, number>>();

function indexOf(entries: readonly ElementEntry[], key: string): number | undefined {
  let map = keyIndexes.get(entries);
  if (!map) {
    map = new Map(entries.map((e, i) => [e.key, i]));
    keyIndexes.set(entries, map);
  }
  return map.get(key);
}

export function encodeDocument(doc: unknown, schema: SchemaRuntime): Uint8Array {
  const key = onlyKey(doc, 'a document');
  const { entries, bits } = schema.document;
  const i = indexOf(entries, key);
  if (i === undefined) throw new ExiError('input', `${key} is not a global element of schema set ${schema.name}`);
  const w = new ExiWriter(schema);
  w.header();
  w.bits(i, bits);
  try {
    entries[i]!.e(w, (doc as Record<string, unknown>)[key]);
  } catch (err) {
    throw atField(err, key);
  }
  return w.finish();
}

export function decodeFragment(bytes: Uint8Array, schema: SchemaRuntime, options: DecodeOptions = {}): Record<string, unknown>[] {
  const r = reader(bytes, schema, options);
  const { entries, bits } = schema.fragment;
  const items: Record<string, unknown>[] = [];
  for (;;) {
    const c = r.bits(bits);
    if (c < entries.length) items.push(decodeEntry(r, entries[c]!));
    else if (c === entries.length) items.push({ '*': r.element(r.qnames.readQName(r)) });
    else if (c === entries.length + 1) break;
    else throw r.badEvent(c, 'FragmentContent');
  }
  r.end();
  return items;
}

export function encodeFragment(items: readonly unknown[], schema: SchemaRuntime): Uint8Array {
  if (!Array.isArray(items)) throw new ExiError('input', 'a fragment is an array of one-key objects');
  const { entries, bits } = schema.fragment;
  const w = new ExiWriter(schema);
  w.header();
  for (const item of items) {
    const key = onlyKey(item, 'a fragment item');
    const value = (item as Record<string, unknown>)[key];
    try {
      if (key === '*') {
        w.bits(entries.length, bits);
        w.anyElement(value);
        continue;
      }
      const i = indexOf(entries, key);
      if (i === undefined) throw new ExiError('input', `${key} is not an element of schema set ${schema.name}`);
      w.bits(i, bits);
      entries[i]!.e(w, value);
    } catch (err) {
      throw atField(err, key);
    }
  }
  w.bits(entries.length + 1, bits);
  return w.finish();
}
