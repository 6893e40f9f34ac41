// What a generated schema set hands the runtime: its initial qname partitions, its global elements (the grammar an
// SE(*) event switches to when the name is declared), its named types (for xsi:type), and its fragment grammar.
import type { Datatype, SimpleValue } from './datatype.js';
import type { ExiReader } from './exiReader.js';
import type { ExiWriter } from './exiWriter.js';
import type { InitialNames } from './qnameTable.js';

/** Exactly one of the properties of T: a document is one root element, a fragment item one element. */
export type OneOf<T> = { [K in keyof T]: { [P in K]: T[P] } & { [P in Exclude<keyof T, K>]?: never } }[keyof T];

export interface ElementCodec {
  readonly d: (r: ExiReader) => unknown;
  readonly e: (w: ExiWriter, v: unknown) => void;
  /** Shape code of the value (see runtime/json.ts): `@Type` for a complex type, `F` for the element fragment grammar. */
  readonly shape: string;
}

/** An element of the document or fragment grammar: its name, the key it has in a document or fragment item, its codec. */
export interface ElementEntry extends ElementCodec {
  readonly ns: string;
  readonly local: string;
  readonly key: string;
}

export interface SchemaRuntime {
  readonly name: string;
  readonly names: InitialNames;
  /**
   * Named types by `{ns}local`, each to the identity of its grammar (`T{ns}local` for complex types, `D<datatype>`
   * for simple ones): an xsi:type naming a known type with another grammar than the element's is refused.
   */
  readonly types: ReadonlyMap<string, string>;
  /** DocContent (EXI 1.0 §8.5.1): SE(G_0…G_n-1) for the global elements sorted by qname, then SE(*). */
  readonly document: {
    readonly entries: readonly ElementEntry[];
    readonly bits: number;
    /** The root element of code c as a one-key object (generated: a literal per element is faster than a computed key). */
    readonly root?: (r: ExiReader, code: number) => Record<string, unknown>;
  };
  /** FragmentContent (EXI 1.0 §8.5.2): every element name of the set, sorted, then SE(*) and ED. */
  readonly fragment: {
    readonly entries: readonly ElementEntry[];
    readonly bits: number;
    /** Attributes of the element fragment grammar (EXI 1.0 §8.5.3), sorted; `dt` unless declared with several types. */
    readonly attributes: readonly { readonly ns: string; readonly local: string; readonly dt?: Datatype }[];
  };
  /** Global elements by `{ns}local`: the grammar SE(*) switches to for a declared name. */
  readonly globals: ReadonlyMap<string, ElementEntry>;
}

/** An entry of a document or fragment grammar (generated tables call this once per element name). */
export function entry(
  ns: string,
  local: string,
  d: (r: ExiReader) => unknown,
  e: (w: ExiWriter, v: never) => void,
  shape: string,
  key: string = local,
): ElementEntry {
  return { ns, local, key, d, e: e as (w: ExiWriter, v: unknown) => void, shape };
}

export function defineSchema(spec: Omit<SchemaRuntime, 'globals'>): SchemaRuntime {
  return { ...spec, globals: new Map(spec.document.entries.map((e) => [qnameKey(e.ns, e.local), e])) };
}

/** An attribute of content the schema does not describe, or of the element fragment grammar. */
export interface AnyAttribute {
  readonly ns: string;
  readonly local: string;
  readonly value: SimpleValue;
}

/**
 * An element matched by a wildcard (xs:any) or decoded with a built-in grammar. If its name is declared globally in
 * the schema set, `value` holds its typed value; otherwise `attributes` and `content` hold it as plain XML.
 */
export interface AnyElement {
  readonly ns: string;
  readonly local: string;
  readonly value?: unknown;
  readonly attributes?: readonly AnyAttribute[];
  readonly content?: readonly (string | AnyElement)[];
}

/** An element coded with the element fragment grammar (declared with several types, e.g. -2 eMAID). */
export interface ElementFragmentValue {
  readonly attributes?: readonly AnyAttribute[];
  /** Character data and child elements, each child a one-key fragment item (`*` for an undeclared name). */
  readonly content?: readonly (string | Readonly<Record<string, unknown>>)[];
}

export const qnameKey = (ns: string, local: string): string => `{${ns}}${local}`;
