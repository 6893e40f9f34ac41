// The encoding side of a stream: bits plus the stream's EXI state (qname table, schema set, nesting depth).
// Generated encoders only ever write schema-valid events; the generic paths here write wildcard content.
import { BitWriter } from './bitWriter.js';
import { writeValue } from './datatype.js';
import { ExiError } from './exiError.js';
import { QNameTable, XSI_NS } from './qnameTable.js';
import { MAX_GENERIC_DEPTH } from './exiReader.js';
import { qnameKey, type AnyAttribute, type AnyElement, type SchemaRuntime } from './schemaRuntime.js';

export class ExiWriter extends BitWriter {
  private depth = 0;
  private table?: QNameTable;

  constructor(readonly schema: SchemaRuntime) {
    super();
  }

  get qnames(): QNameTable {
    return (this.table ??= new QNameTable(this.schema.names));
  }

  header(): void {
    this.bits(0x80, 8);
  }

  /** An enumeration value as its n-bit index in schema order (EXI 1.0 §7.2). */
  enumIn(v: unknown, index: ReadonlyMap<string, number>, n: number): void {
    const i = typeof v === 'string' ? index.get(v) : undefined;
    if (i === undefined) throw new ExiError('facet', `${typeof v === 'string' ? JSON.stringify(v) : typeof v} is not one of ${[...index.keys()].join(', ')}`);
    this.bits(i, n);
  }

  /**
   * An element of a wildcard, after its SE(*) or SE(uri:*) event code: the name (a local name only for SE(uri:*)),
   * then its global declaration's grammar, or the built-in grammar without learning for an undeclared name.
   */
  anyElement(el: unknown, uri?: string): void {
    if (typeof el !== 'object' || el === null) throw new ExiError('input', 'a wildcard element must be an object { ns, local, ... }');
    const e = el as AnyElement;
    if (typeof e.ns !== 'string' || typeof e.local !== 'string' || e.local === '') throw new ExiError('input', 'a wildcard element needs string ns and local');
    if (uri === undefined) this.qnames.writeQName(this, e);
    else {
      if (e.ns !== uri) throw new ExiError('input', `element {${e.ns}}${e.local} does not match the wildcard's namespace ${uri}`);
      const u = this.qnames.uriOf(uri);
      if (u === undefined) throw new ExiError('input', `namespace ${uri} is not in the string table`);
      this.qnames.writeLocalName(this, u, e.local);
    }
    this.elementBody(e);
  }

  private elementBody(e: AnyElement): void {
    if (++this.depth > MAX_GENERIC_DEPTH) throw new ExiError('input', `undeclared elements nested deeper than ${MAX_GENERIC_DEPTH}`);
    try {
      const g = this.schema.globals.get(qnameKey(e.ns, e.local));
      if (g) {
        if (e.value === undefined) throw new ExiError('input', `{${e.ns}}${e.local} is declared in the schema: give its typed value`);
        g.e(this, e.value);
        return;
      }
      if (e.value !== undefined) throw new ExiError('input', `{${e.ns}}${e.local} is not declared in the schema: give attributes and content, not a value`);
      this.builtInContent(e.attributes ?? [], e.content ?? []);
    } finally {
      this.depth--;
    }
  }

  /** EXI 1.0 §8.4.3 built-in grammar, no learning: StartTagContent 2-bit {EE, AT(*), SE(*), CH}, ElementContent {EE, 1:{SE(*), CH}}. */
  private builtInContent(attributes: readonly AnyAttribute[], content: readonly (string | AnyElement)[]): void {
    for (const a of attributes) {
      if (typeof a !== 'object' || a === null || typeof a.ns !== 'string' || typeof a.local !== 'string') throw new ExiError('input', 'an attribute needs string ns and local');
      this.bits(1, 2);
      this.qnames.writeQName(this, a);
      if (a.ns === XSI_NS && a.local === 'nil') {
        // xsi:nil keeps its Boolean representation, whatever the grammar (EXI 1.0 §8.4.3 AT(*) of xsi:nil).
        writeValue(this, { kind: 'boolean' }, a.value);
      } else if (a.ns === XSI_NS && a.local === 'type') {
        throw new ExiError('input', 'xsi:type cannot be written on an undeclared element');
      } else writeValue(this, { kind: 'string', min: 0, max: 0x7fffffff }, a.value);
    }
    let first = true;
    for (const item of content) {
      // SE(*) is 0.2 in the start tag and 1.0 in content, CH 0.3 and 1.1: the same two bits either way.
      this.bits(typeof item === 'string' ? 3 : 2, 2);
      first = false;
      if (typeof item === 'string') this.string(item);
      else {
        if (typeof item !== 'object' || item === null) throw new ExiError('input', 'content items are strings or elements');
        this.qnames.writeQName(this, item);
        this.elementBody(item);
      }
    }
    if (first) this.bits(0, 2);
    else this.bits(0, 1);
  }
}
