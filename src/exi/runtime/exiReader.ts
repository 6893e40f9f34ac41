// The decoding side of a stream: bits plus the stream's EXI state (qname table, schema set, nesting depth) and the
// non-strict productions (EXI 1.0 §8.5.4.4) every generated decoder falls back to after a first-level escape.
import { BitReader } from './bitReader.js';
import { parseLexical, readValue, type Datatype, type SimpleValue } from './datatype.js';
import { ExiError } from './exiError.js';
import { QNameTable, XSD_NS, XSI_NS, bitsFor, type QName } from './qnameTable.js';
import { qnameKey, type AnyAttribute, type AnyElement, type SchemaRuntime } from './schemaRuntime.js';

// Second-level (schema deviation) productions, as generated decoders switch on them.
export const DEV_EE = 0;
export const DEV_XSI_TYPE = 1;
export const DEV_XSI_NIL = 2;
export const DEV_AT_ANY = 3;
export const DEV_AT_UNTYPED = 4;
export const DEV_SE_ANY = 5;
export const DEV_CH_ANY = 6;

/** State kinds: the second level differs for the first start tag, later start-tag states and element content. */
export const KIND_FIRST = 0;
export const KIND_START = 1;
export const KIND_CONTENT = 2;

interface SecondLevel {
  readonly bits: number;
  readonly codes: readonly number[];
}

// EXI 1.0 §8.5.4.4.1 in event-code order, with prefixes, self-contained, DTD, comments and PIs not preserved.
const SECOND_LEVEL: readonly SecondLevel[] = (() => {
  const lists = [
    [DEV_XSI_TYPE, DEV_XSI_NIL, DEV_AT_ANY, DEV_AT_UNTYPED, DEV_SE_ANY, DEV_CH_ANY],
    [DEV_AT_ANY, DEV_AT_UNTYPED, DEV_SE_ANY, DEV_CH_ANY],
    [DEV_SE_ANY, DEV_CH_ANY],
  ];
  const out: SecondLevel[] = [];
  for (const list of lists) {
    for (const hasEE of [false, true]) {
      const codes = hasEE ? list : [DEV_EE, ...list];
      out.push({ bits: bitsFor(codes.length), codes });
    }
  }
  return out;
})();

/** Nesting allowed for content the schema does not bound (wildcards, undeclared elements): keeps the stack safe. */
export const MAX_GENERIC_DEPTH = 32;

/** Longest untyped string accepted in a deviation (the stream length bounds it anyway). */
const MAX_UNTYPED = 0x7fffffff;

export class ExiReader extends BitReader {
  private depth = 0;
  private table?: QNameTable;

  constructor(
    buf: Uint8Array,
    readonly schema: SchemaRuntime,
  ) {
    super(buf);
  }

  get qnames(): QNameTable {
    return (this.table ??= new QNameTable(this.schema.names));
  }

  /** The ISO 15118 EXI header: the single byte 0x80 (no cookie, no options, format version 1). */
  header(): void {
    if (this.buf.length === 0) throw new ExiError('eof', 'empty stream');
    const b = this.bits(8);
    if (b !== 0x80) throw new ExiError('header', `header byte 0x${b.toString(16).padStart(2, '0')}, expected 0x80 (no cookie, no options)`);
  }

  /** After ED only the padding of the last byte may follow. */
  end(): void {
    const rest = this.remainingBits;
    if (rest >= 8) throw new ExiError('trailing', `${Math.floor(rest / 8)} bytes after the end of the stream`);
  }

  /** SE of an abstract element: the grammar has a code for it, but no valid document carries one (XML Schema 1.0 §3.3.1). */
  abstractElement(name: string): ExiError {
    return new ExiError('facet', `${name} is abstract: a document carries one of its substitution group members instead`);
  }

  /** An EE deviation (or xsi:nil) where the grammar still requires content: the value would not be schema-valid. */
  endsEarly(expected: string): ExiError {
    return new ExiError('missing', `the element ends before its required content (${expected})`);
  }

  badEvent(code: number, where: string): ExiError {
    return new ExiError('event', `event code ${code} is not defined in ${where}`);
  }

  /** Reads the second-level code after a first-level escape. */
  secondLevel(kind: number, hasEE: boolean): number {
    const t = SECOND_LEVEL[kind * 2 + (hasEE ? 1 : 0)]!;
    const c = this.bits(t.bits);
    const d = t.codes[c];
    if (d === undefined) throw new ExiError('event', `second-level event code ${c} is not defined`);
    return d;
  }

  /**
   * AT(xsi:type): the grammar switches to the named type. Naming the element's own type (or a type this schema set
   * does not know, which leaves the grammar as it is) is accepted; any other type is a substitution this codec does
   * not represent.
   */
  xsiType(own: string): void {
    const q = this.qnames.readQName(this);
    const known = this.schema.types.get(qnameKey(q.ns, q.local));
    if (known !== undefined && known !== own) throw new ExiError('unsupported', `xsi:type ${q.local} substitutes another type`);
  }

  /** AT(xsi:nil): true switches to TypeEmpty. */
  xsiNil(): boolean {
    return this.bits(1) === 1;
  }

  /** The third-level index of an AT(qname)[untyped value] deviation: 0…count-1 a declared attribute, count AT(*). */
  attributeIndex(count: number): number {
    const i = this.bits(bitsFor(count + 1));
    if (i > count) throw new ExiError('event', `untyped attribute index ${i} beyond the ${count} declared attributes`);
    return i;
  }

  /** AT(*): a qname and an untyped value (xsi:type and xsi:nil keep their own representations). */
  readAttribute(): AnyAttribute {
    const q = this.qnames.readQName(this);
    if (q.ns === XSI_NS && q.local === 'type') {
      const t = this.qnames.readQName(this);
      return { ns: q.ns, local: q.local, value: qnameKey(t.ns, t.local) };
    }
    if (q.ns === XSI_NS && q.local === 'nil') return { ns: q.ns, local: q.local, value: this.bits(1) === 1 };
    return { ns: q.ns, local: q.local, value: this.untypedValue() };
  }

  untypedValue(): string {
    return this.stringIn(0, MAX_UNTYPED);
  }

  /** Character data a declared type did not expect, parsed into that type (EXI 1.0 §8.5.4.4.1 CH [untyped value]). */
  untypedAs(dt: Datatype): SimpleValue {
    return parseLexical(dt, this.untypedValue());
  }

  /** SE(*) after an escape: an element the grammar did not declare here. It is decoded and dropped. */
  skipElement(): void {
    this.element(this.qnames.readQName(this));
  }

  /** SE(*) or SE(uri:*) of a wildcard: the element is kept. */
  anyElement(uri?: string): AnyElement {
    if (uri === undefined) return this.element(this.qnames.readQName(this));
    const u = this.qnames.uriOf(uri);
    if (u === undefined) throw new ExiError('value', `namespace ${uri} is not in the string table`);
    return this.element({ ns: uri, local: this.qnames.readLocalName(this, u) });
  }

  /** An element by name: its global declaration's grammar if the schema set has one, else the built-in grammar. */
  element(q: QName): AnyElement {
    if (++this.depth > MAX_GENERIC_DEPTH) throw new ExiError('unsupported', `undeclared elements nested deeper than ${MAX_GENERIC_DEPTH}`);
    try {
      const g = this.schema.globals.get(qnameKey(q.ns, q.local));
      if (g) return { ns: q.ns, local: q.local, value: g.d(this) };
      const attributes: AnyAttribute[] = [];
      const content: (string | AnyElement)[] = [];
      this.builtInContent(attributes, content);
      return { ns: q.ns, local: q.local, ...(attributes.length ? { attributes } : {}), ...(content.length ? { content } : {}) };
    } finally {
      this.depth--;
    }
  }

  /**
   * EXI 1.0 §8.4.3 built-in element grammar without learning (the EXI Profile's maximumNumberOfBuiltIn* = 0):
   * StartTagContent has no first-level productions, so a 2-bit second level {EE, AT(*), SE(*), CH}; ElementContent is
   * {EE, escape} then {SE(*), CH}. An AT(xsi:type) naming xs:anyType — the EXI Profile's way out of learning — switches
   * to the anyType grammar.
   */
  private builtInContent(attributes: AnyAttribute[], content: (string | AnyElement)[]): void {
    for (;;) {
      const c = this.bits(2);
      if (c === 0) return;
      if (c === 1) {
        const a = this.readAttribute();
        if (a.ns === XSI_NS && a.local === 'type') {
          if (a.value !== qnameKey(XSD_NS, 'anyType')) throw new ExiError('unsupported', `xsi:type ${String(a.value)} on an undeclared element`);
          this.anyTypeContent(attributes, content);
          return;
        }
        attributes.push(a);
        continue;
      }
      content.push(c === 2 ? this.element(this.qnames.readQName(this)) : this.untypedValue());
      break;
    }
    while (this.bits(1) === 1) {
      content.push(this.bits(1) === 0 ? this.element(this.qnames.readQName(this)) : this.untypedValue());
    }
  }

  /**
   * The grammar of xs:anyType (EXI 1.0 §8.5.4.1.3 for the ur-type, non-strict): start tag {AT(*), SE(*), EE, CH,
   * escape} in 3 bits, content {SE(*), EE, CH, escape} in 2 bits.
   */
  private anyTypeContent(attributes: AnyAttribute[], content: (string | AnyElement)[]): void {
    let start = true;
    for (;;) {
      if (start) {
        const c = this.bits(3);
        if (c === 0) this.anyTypeAttribute(attributes, this.readAttribute());
        else if (c === 1 || c === 3) {
          content.push(c === 1 ? this.element(this.qnames.readQName(this)) : this.untypedValue());
          start = false;
        } else if (c === 2) return;
        else if (c === 4) {
          switch (this.secondLevel(KIND_FIRST, true)) {
            case DEV_XSI_TYPE:
              this.xsiType(qnameKey(XSD_NS, 'anyType'));
              break;
            case DEV_XSI_NIL:
              if (this.xsiNil()) {
                // TypeEmpty of anyType: AT(*) then EE.
                while (this.bits(2) === 0) attributes.push(this.readAttribute());
                return;
              }
              break;
            case DEV_AT_ANY:
              this.anyTypeAttribute(attributes, this.readAttribute());
              break;
            case DEV_AT_UNTYPED:
              this.attributeIndex(0);
              this.anyTypeAttribute(attributes, this.readAttribute());
              break;
            case DEV_SE_ANY:
              content.push(this.element(this.qnames.readQName(this)));
              start = false;
              break;
            default:
              content.push(this.untypedValue());
              start = false;
          }
        } else throw this.badEvent(c, 'the anyType start tag');
      } else {
        const c = this.bits(2);
        if (c === 1) return;
        if (c === 0 || (c === 3 && this.bits(1) === 0)) content.push(this.element(this.qnames.readQName(this)));
        else content.push(this.untypedValue());
      }
    }
  }

  /** An attribute of anyType content; xsi:type is a grammar switch, to anyType itself the only one kept. */
  private anyTypeAttribute(attributes: AnyAttribute[], a: AnyAttribute): void {
    if (a.ns === XSI_NS && a.local === 'type') {
      if (a.value !== qnameKey(XSD_NS, 'anyType')) throw new ExiError('unsupported', `xsi:type ${String(a.value)} on an undeclared element`);
      return;
    }
    attributes.push(a);
  }

  /**
   * The rest of a simple-typed element after an escape in its grammar (Type_0 first start tag, Type_1 value,
   * Type_2 end), interpreted: the generated fast path covers the schema-valid stream only.
   */
  simpleElement(dt: Datatype, own: string, state: 0 | 1 | 2, value: SimpleValue | undefined): SimpleValue {
    let escaped = true;
    for (;;) {
      if (!escaped) {
        if (this.bits(1) === 0) {
          if (state === 2) {
            if (value === undefined) throw new ExiError('missing', 'the element has no value');
            return value;
          }
          value = readValue(this, dt);
          state = 2;
          continue;
        }
      }
      escaped = false;
      const d = this.secondLevel(state === 0 ? KIND_FIRST : KIND_CONTENT, state === 2);
      switch (d) {
        case DEV_EE:
          if (value === undefined) throw new ExiError('missing', 'the element has no value');
          return value;
        case DEV_XSI_TYPE:
          this.xsiType(own);
          break;
        case DEV_XSI_NIL:
          if (this.xsiNil()) throw new ExiError('unsupported', 'xsi:nil="true" on an element that is not nillable');
          break;
        case DEV_AT_ANY:
          this.readAttribute();
          break;
        case DEV_AT_UNTYPED:
          this.attributeIndex(0);
          this.readAttribute();
          break;
        case DEV_SE_ANY:
          this.skipElement();
          if (state === 0) state = 1;
          break;
        default:
          if (state === 2) throw new ExiError('unsupported', 'character data after the value');
          value = this.untypedAs(dt);
          state = 1;
      }
    }
  }
}
