// The fields of a complex type's TypeScript interface: one per attribute, one per element name of the content model
// (each member of a substitution group gets its own), `value` for simple content and `any` for wildcard elements.
// An element that can occur more than once (maxOccurs > 1, or inside a repeated group) is an array.
import type { GrammarBuilder } from './grammar.js';
import { GrammarError } from './grammar.js';
import { qkey, type AttributeUse, type ComplexType, type ElementDecl, type Particle, type SimpleType, type Wildcard } from './xsdModel.js';

export type Field =
  | { readonly kind: 'attribute'; readonly name: string; readonly use: AttributeUse; readonly required: boolean }
  | { readonly kind: 'value'; readonly name: 'value'; readonly type: SimpleType }
  | ElementField
  | WildcardField;

export interface ElementField {
  readonly kind: 'element';
  readonly name: string;
  readonly element: ElementDecl;
  array: boolean;
  required: boolean;
  /** Inside a choice or a substitution group: an encoder that picks another branch must notice this field unused. */
  skippable: boolean;
  /** Minimum occurrences on the mandatory path (for the required-field check after a schema deviation). */
  min: number;
  /** Maximum occurrences of one particle (-1 unbounded); arrays from repeated groups have -1. */
  max: number;
}

export interface WildcardField {
  readonly kind: 'any';
  readonly name: 'any';
  readonly wildcard: Wildcard;
  array: boolean;
  skippable: boolean;
}

interface Context {
  readonly array: boolean;
  readonly required: boolean;
  readonly skippable: boolean;
}

export function fieldsOf(type: ComplexType, builder: GrammarBuilder): Field[] {
  const fields: Field[] = [];
  const byName = new Map<string, Field>();
  const add = (f: Field): void => {
    const prev = byName.get(f.name);
    if (!prev) {
      byName.set(f.name, f);
      fields.push(f);
      return;
    }
    // The same element name at two places of one content model (xmldsig PGPDataType: PGPKeyPacket in both branches
    // of a choice): one field, present if either place has it.
    if (prev.kind === 'element' && f.kind === 'element' && qkey(prev.element.name) === qkey(f.element.name)) {
      prev.array ||= f.array;
      prev.required = false;
      prev.skippable = true;
      return;
    }
    if (prev.kind === 'any' && f.kind === 'any') {
      prev.array ||= f.array;
      prev.skippable = true;
      return;
    }
    throw new GrammarError(`${type.name?.local ?? type.hint}: two fields named ${f.name}`);
  };

  for (const use of type.attributes) add({ kind: 'attribute', name: use.name.local, use, required: use.required });

  const walk = (p: Particle, ctx: Context): void => {
    const t = p.term;
    const array = ctx.array || p.max === -1 || p.max > 1;
    const required = ctx.required && p.min >= 1;
    if (t.kind === 'element') {
      // An abstract element never appears in a document (XML Schema 1.0 §3.3.1): its substitutes do.
      const members = builder.elementEvents(t).filter((el) => !el.abstract);
      const substitution = members.length > 1;
      for (const el of members) {
        add({
          kind: 'element',
          name: el.name.local,
          element: el,
          array,
          required: required && !substitution,
          skippable: ctx.skippable || substitution,
          min: required && !substitution ? p.min : 0,
          max: ctx.array ? -1 : p.max,
        });
      }
      return;
    }
    if (t.kind === 'wildcard') {
      add({ kind: 'any', name: 'any', wildcard: t, array, skippable: ctx.skippable });
      return;
    }
    const choice = t.kind === 'choice' && t.particles.length > 1;
    for (const c of t.particles) {
      walk(c, { array, required: required && !choice, skippable: ctx.skippable || choice });
    }
  };
  if (type.content.kind === 'element') walk(type.content.particle, { array: false, required: true, skippable: false });
  if (type.content.kind === 'simple') add({ kind: 'value', name: 'value', type: type.content.type });
  return fields;
}
