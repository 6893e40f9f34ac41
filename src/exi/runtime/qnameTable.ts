// The URI and local-name partitions of the EXI string table (EXI 1.0 §7.3), which code the qualified names of
// wildcard and schema-deviation events. They start from the schema (Appendix D plus the schema's names) and grow
// with every miss, per stream — also under valuePartitionCapacity 0, which only disables the value partitions.
import type { BitReader } from './bitReader.js';
import { codePointLength, type BitWriter } from './bitWriter.js';
import { ExiError } from './exiError.js';

export interface QName {
  readonly ns: string;
  readonly local: string;
}

/** The initial partitions a schema set starts every stream with (generated). */
export interface InitialNames {
  readonly uris: readonly string[];
  /** Local names per URI, same order as `uris`, each sorted. */
  readonly localNames: readonly (readonly string[])[];
}

/** EXI 1.0 §7.3.1 and Appendix D: the partitions every stream starts with before the schema's own names. */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

/** A stream's qname table: copied from the schema's initial names on first use, extended by misses. */
export class QNameTable {
  private readonly uris: string[];
  private readonly locals: string[][];
  /** Reverse indexes, built lazily for the encoder. */
  private uriIndex?: Map<string, number>;
  private localIndex: (Map<string, number> | undefined)[] = [];

  constructor(initial: InitialNames) {
    this.uris = [...initial.uris];
    this.locals = initial.localNames.map((l) => [...l]);
  }

  /** Bounds what a hostile stream can make the table grow to (each entry costs at least one octet of input anyway). */
  private static readonly MAX_ENTRIES = 1 << 16;
  private added = 0;

  private grow(): void {
    if (++this.added > QNameTable.MAX_ENTRIES) throw new ExiError('value', 'too many new names in one stream');
  }

  /** EXI 1.0 §7.1.7: a QName is a URI, then a local name in that URI's partition. */
  readQName(r: BitReader): QName {
    const u = this.readUri(r);
    return { ns: this.uris[u]!, local: this.readLocalName(r, u) };
  }

  readUri(r: BitReader): number {
    const n = bitsFor(this.uris.length + 1);
    const code = r.bits(n);
    if (code > 0) {
      if (code > this.uris.length) throw new ExiError('value', `URI index ${code - 1} beyond the ${this.uris.length} known URIs`);
      return code - 1;
    }
    const uri = r.stringIn(0, 4096);
    this.grow();
    this.uris.push(uri);
    this.locals.push([]);
    this.uriIndex?.set(uri, this.uris.length - 1);
    return this.uris.length - 1;
  }

  readLocalName(r: BitReader, uri: number): string {
    const list = this.locals[uri]!;
    const len = r.uint();
    if (len === 0) {
      const i = r.bits(bitsFor(list.length));
      if (i >= list.length) throw new ExiError('value', `local-name index ${i} beyond the ${list.length} known names`);
      return list[i]!;
    }
    if (len === 1) throw new ExiError('value', 'empty local name');
    const name = r.chars(len - 1, 4096);
    this.grow();
    list.push(name);
    this.localIndex[uri]?.set(name, list.length - 1);
    return name;
  }

  /** The URI's index if the table has it (for SE(uri:*) productions the encoder must match). */
  uriOf(uri: string): number | undefined {
    if (!this.uriIndex) this.uriIndex = new Map(this.uris.map((u, i) => [u, i]));
    return this.uriIndex.get(uri);
  }

  writeQName(w: BitWriter, q: QName): void {
    this.writeLocalName(w, this.writeUri(w, q.ns), q.local);
  }

  writeUri(w: BitWriter, uri: string): number {
    const n = bitsFor(this.uris.length + 1);
    const known = this.uriOf(uri);
    if (known !== undefined) {
      w.bits(known + 1, n);
      return known;
    }
    w.bits(0, n);
    w.string(uri);
    this.uris.push(uri);
    this.locals.push([]);
    this.uriIndex!.set(uri, this.uris.length - 1);
    return this.uris.length - 1;
  }

  writeLocalName(w: BitWriter, uri: number, local: string): void {
    const list = this.locals[uri]!;
    let index = this.localIndex[uri];
    if (!index) {
      index = new Map(list.map((l, i) => [l, i]));
      this.localIndex[uri] = index;
    }
    const known = index.get(local);
    if (known !== undefined) {
      w.uint(0);
      w.bits(known, bitsFor(list.length));
      return;
    }
    w.uint(codePointLength(local) + 1);
    w.chars(local);
    list.push(local);
    index.set(local, list.length - 1);
  }
}

/** ceil(log2(n)): bits for n distinct codes. */
export function bitsFor(n: number): number {
  let b = 0;
  while (1 << b < n) b++;
  return b;
}
