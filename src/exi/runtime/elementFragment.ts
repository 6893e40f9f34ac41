// EXI 1.0 §8.5.3 schema-informed element fragment grammar: the grammar of a fragment element whose name is declared
// with more than one type (ISO 15118-2 eMAID). Its start tag offers every attribute name of the schema set, AT(*),
// every element name, SE(*), EE and CH; its content every element name, SE(*), EE and CH.
import { readValue, writeValue } from './datatype.js';
import { ExiError } from './exiError.js';
import {
  DEV_AT_ANY,
  DEV_AT_UNTYPED,
  DEV_CH_ANY,
  DEV_EE,
  DEV_SE_ANY,
  DEV_XSI_NIL,
  DEV_XSI_TYPE,
  KIND_CONTENT,
  KIND_FIRST,
  type ExiReader,
} from './exiReader.js';
import type { ExiWriter } from './exiWriter.js';
import { bitsFor } from './qnameTable.js';
import type { AnyAttribute, ElementEntry, ElementFragmentValue, SchemaRuntime } from './schemaRuntime.js';

type Fragment = SchemaRuntime['fragment'];

function fragmentOf(schema: SchemaRuntime): Fragment {
  return schema.fragment;
}

export function readElementFragment(r: ExiReader): ElementFragmentValue {
  const f = fragmentOf(r.schema);
  const n = f.attributes.length;
  const m = f.entries.length;
  const startBits = bitsFor(n + m + 5);
  const contentBits = bitsFor(m + 4);
  const attributes: AnyAttribute[] = [];
  const content: (string | Record<string, unknown>)[] = [];
  const child = (i: number): void => {
    const e = f.entries[i]!;
    content.push({ [e.key]: e.d(r) });
  };
  let start = true;
  for (;;) {
    const inStart = start;
    let c = r.bits(inStart ? startBits : contentBits);
    if (inStart) {
      if (c < n) {
        const a = f.attributes[c]!;
        attributes.push({ ns: a.ns, local: a.local, value: a.dt ? readValue(r, a.dt) : r.untypedValue() });
        continue;
      }
      if (c === n) {
        attributes.push(r.readAttribute());
        continue;
      }
      c -= n + 1;
    }
    // c counts from SE(F_0): F_0…F_m-1, SE(*), EE, CH, escape.
    if (c === m + 1) break;
    start = false;
    if (c < m) child(c);
    else if (c === m) content.push({ '*': r.element(r.qnames.readQName(r)) });
    else if (c === m + 2) content.push(r.untypedValue());
    else if (c === m + 3) {
      switch (r.secondLevel(inStart ? KIND_FIRST : KIND_CONTENT, true)) {
        case DEV_XSI_TYPE:
        case DEV_XSI_NIL:
          throw new ExiError('unsupported', 'xsi:type / xsi:nil in an element fragment grammar');
        case DEV_AT_ANY:
          attributes.push(r.readAttribute());
          start = true;
          break;
        case DEV_AT_UNTYPED: {
          const i = r.attributeIndex(n);
          const a = i < n ? f.attributes[i]! : undefined;
          attributes.push(a ? { ns: a.ns, local: a.local, value: r.untypedValue() } : r.readAttribute());
          start = true;
          break;
        }
        case DEV_SE_ANY:
          content.push({ '*': r.element(r.qnames.readQName(r)) });
          break;
        case DEV_CH_ANY:
          content.push(r.untypedValue());
          break;
        case DEV_EE:
          throw new ExiError('event', 'EE is a first-level event of the element fragment grammar');
      }
    } else throw r.badEvent(c, 'the element fragment grammar');
  }
  return { ...(attributes.length ? { attributes } : {}), ...(content.length ? { content } : {}) };
}

const entryIndexes = new WeakMap<Fragment, Map<string, number>>();

function entryIndex(f: Fragment, key: string): number | undefined {
  let map = entryIndexes.get(f);
  if (!map) {
    map = new Map(f.entries.map((e: ElementEntry, i) => [e.key, i]));
    entryIndexes.set(f, map);
  }
  return map.get(key);
}

export function writeElementFragment(w: ExiWriter, v: unknown): void {
  const f = fragmentOf(w.schema);
  if (typeof v !== 'object' || v === null) throw new ExiError('input', 'an element fragment value is an object { attributes?, content? }');
  const value = v as ElementFragmentValue;
  const n = f.attributes.length;
  const m = f.entries.length;
  const startBits = bitsFor(n + m + 5);
  const contentBits = bitsFor(m + 4);
  for (const a of value.attributes ?? []) {
    if (typeof a !== 'object' || a === null || typeof a.ns !== 'string' || typeof a.local !== 'string') throw new ExiError('input', 'an attribute needs string ns and local');
    const i = f.attributes.findIndex((x) => x.ns === a.ns && x.local === a.local);
    if (i >= 0) {
      w.bits(i, startBits);
      const dt = f.attributes[i]!.dt;
      if (dt) writeValue(w, dt, a.value);
      else writeValue(w, { kind: 'string', min: 0, max: 0x7fffffff }, a.value);
    } else {
      w.bits(n, startBits);
      w.qnames.writeQName(w, a);
      writeValue(w, { kind: 'string', min: 0, max: 0x7fffffff }, a.value);
    }
  }
  let start = true;
  const code = (c: number): void => {
    // Codes from SE(F_0) on: the start tag puts the attributes and AT(*) before them.
    if (start) w.bits(c + n + 1, startBits);
    else w.bits(c, contentBits);
    start = false;
  };
  for (const item of value.content ?? []) {
    if (typeof item === 'string') {
      code(m + 2);
      w.string(item);
      continue;
    }
    const keys = typeof item === 'object' && item !== null ? Object.keys(item) : [];
    if (keys.length !== 1) throw new ExiError('input', 'each child of an element fragment is a string or an object with one key');
    const key = keys[0]!;
    const child: unknown = (item as Record<string, unknown>)[key];
    if (key === '*') {
      code(m);
      w.anyElement(child);
      continue;
    }
    const i = entryIndex(f, key);
    if (i === undefined) throw new ExiError('input', `${key} is not an element of schema set ${w.schema.name}`);
    code(i);
    f.entries[i]!.e(w, child);
  }
  code(m + 1);
}

