// XML Schema components as EXI grammar construction needs them (XML Schema 1.0 Part 1, the subset the ISO 15118,
// DIN 70121 and W3C xmldsig schemas use): element and attribute declarations, simple types with their facets, complex
// types with effective content models (complexContent extension = sequence(base, extension)), substitution groups.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseXml, resolveQName, type XmlElement } from './xml.js';

export const XSD = 'http://www.w3.org/2001/XMLSchema';

export interface QName {
  readonly ns: string;
  readonly local: string;
}

export const qkey = (q: QName): string => `{${q.ns}}${q.local}`;

/** EXI's qname order: local-name first, then URI (EXI 1.0 §8.5.4.1.3 and throughout). */
export function compareQName(a: QName, b: QName): number {
  if (a.local !== b.local) return a.local < b.local ? -1 : 1;
  if (a.ns !== b.ns) return a.ns < b.ns ? -1 : 1;
  return 0;
}

export interface Facets {
  enumeration?: string[];
  minInclusive?: bigint;
  maxInclusive?: bigint;
  length?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string[];
}

export interface SimpleType {
  readonly kind: 'simple';
  readonly name?: QName;
  /** The XSD built-in type this type is ultimately derived from (e.g. 'unsignedShort', 'base64Binary'). */
  readonly builtin: string;
  readonly facets: Facets;
  /** Direct base for xsi:type castability; undefined for built-ins. */
  readonly base?: QName;
}

export interface Wildcard {
  readonly kind: 'wildcard';
  /** '##any', '##other' (relative to `targetNs`) or an explicit list of URIs ('' = no namespace). */
  readonly namespace: '##any' | '##other' | readonly string[];
  readonly targetNs: string;
}

export interface ElementDecl {
  readonly kind: 'element';
  readonly id: number;
  readonly name: QName;
  readonly global: boolean;
  readonly abstract: boolean;
  readonly nillable: boolean;
  /** Resolved lazily: types may be declared after their use. */
  type(): Type;
  readonly substitutionGroup?: QName;
}

export interface ModelGroup {
  readonly kind: 'sequence' | 'choice' | 'all';
  readonly particles: readonly Particle[];
}

export interface Particle {
  readonly min: number;
  /** -1 for unbounded. */
  readonly max: number;
  readonly term: ElementDecl | Wildcard | ModelGroup;
}

export interface AttributeUse {
  readonly name: QName;
  readonly type: SimpleType;
  readonly required: boolean;
}

export type ContentModel =
  | { readonly kind: 'empty' }
  | { readonly kind: 'simple'; readonly type: SimpleType }
  | { readonly kind: 'element'; readonly particle: Particle; readonly mixed: boolean };

export interface ComplexType {
  readonly kind: 'complex';
  readonly name?: QName;
  /** Unique id across the schema set (anonymous types get one too). */
  readonly id: number;
  /** Target namespace of the schema document that defines the type. */
  readonly targetNs: string;
  /** For an anonymous type: the local name of the element that declares it. */
  readonly hint?: string;
  readonly abstract: boolean;
  readonly base?: QName;
  readonly attributes: readonly AttributeUse[];
  readonly attributeWildcard?: Wildcard;
  readonly content: ContentModel;
}

export type Type = SimpleType | ComplexType;

export class XsdError extends Error {
  override readonly name = 'XsdError';
}

interface SchemaDoc {
  readonly file: string;
  readonly root: XmlElement;
  readonly targetNs: string;
  readonly qualifiedElements: boolean;
  readonly qualifiedAttributes: boolean;
}

// Built-in integer bounds as XML Schema defines them through facets (EXI 1.0 §7.1.5 uses them for the n-bit choice).
const INT_BOUNDS: Record<string, [bigint | undefined, bigint | undefined]> = {
  integer: [undefined, undefined],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  short: [-32768n, 32767n],
  byte: [-128n, 127n],
  nonNegativeInteger: [0n, undefined],
  positiveInteger: [1n, undefined],
  unsignedLong: [0n, 2n ** 64n - 1n],
  unsignedInt: [0n, 2n ** 32n - 1n],
  unsignedShort: [0n, 65535n],
  unsignedByte: [0n, 255n],
  nonPositiveInteger: [undefined, 0n],
  negativeInteger: [undefined, -1n],
};

const BUILTIN_SIMPLE = new Set([
  ...Object.keys(INT_BOUNDS),
  'string',
  'normalizedString',
  'token',
  'language',
  'Name',
  'NCName',
  'NMTOKEN',
  'ID',
  'IDREF',
  'ENTITY',
  'anyURI',
  'QName',
  'boolean',
  'base64Binary',
  'hexBinary',
  'decimal',
  'float',
  'double',
  'dateTime',
  'date',
  'time',
  'duration',
  'anySimpleType',
]);

export function isIntegerBuiltin(b: string): boolean {
  return b in INT_BOUNDS;
}

export function integerBounds(t: SimpleType): { min?: bigint; max?: bigint } {
  const [bmin, bmax] = INT_BOUNDS[t.builtin] ?? [undefined, undefined];
  const min = t.facets.minInclusive ?? bmin;
  const max = t.facets.maxInclusive ?? bmax;
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

export class SchemaSet {
  private readonly docs: SchemaDoc[] = [];
  private readonly loaded = new Set<string>();
  private readonly globalElements = new Map<string, { doc: SchemaDoc; node: XmlElement; decl?: ElementDecl }>();
  private readonly namedTypes = new Map<string, { doc: SchemaDoc; node: XmlElement; type?: Type }>();
  private readonly globalAttributes = new Map<string, { doc: SchemaDoc; node: XmlElement }>();
  private readonly groups = new Map<string, { doc: SchemaDoc; node: XmlElement }>();
  private readonly attributeGroups = new Map<string, { doc: SchemaDoc; node: XmlElement }>();
  private nextElementId = 0;
  private nextTypeId = 0;
  /** Every element declaration met while resolving (global and local), in creation order. */
  readonly allElements: ElementDecl[] = [];
  /** Every attribute use met, for the element fragment grammar. */
  readonly allAttributes: AttributeUse[] = [];
  readonly complexTypes: ComplexType[] = [];

  constructor(entryFiles: readonly string[]) {
    for (const f of entryFiles) this.load(resolve(f));
    // Resolve every global element eagerly so that allElements, complexTypes and substitution groups are complete.
    for (const key of [...this.globalElements.keys()].sort()) this.globalElement(key);
    for (const key of [...this.namedTypes.keys()].sort()) this.namedType(key);
  }

  private load(file: string): void {
    if (this.loaded.has(file)) return;
    this.loaded.add(file);
    const root = parseXml(readFileSync(file, 'utf8'), file);
    if (root.ns !== XSD || root.local !== 'schema') throw new XsdError(`${file} is not an XML Schema`);
    const doc: SchemaDoc = {
      file,
      root,
      targetNs: root.attributes.get('targetNamespace') ?? '',
      qualifiedElements: root.attributes.get('elementFormDefault') === 'qualified',
      qualifiedAttributes: root.attributes.get('attributeFormDefault') === 'qualified',
    };
    this.docs.push(doc);
    for (const child of root.children) {
      if (child.ns !== XSD) continue;
      const name = child.attributes.get('name');
      const key = name !== undefined ? qkey({ ns: doc.targetNs, local: name }) : '';
      switch (child.local) {
        case 'import':
        case 'include': {
          const loc = child.attributes.get('schemaLocation');
          if (loc) this.load(locate(file, loc));
          break;
        }
        case 'element':
          this.globalElements.set(key, { doc, node: child });
          break;
        case 'complexType':
        case 'simpleType':
          this.namedTypes.set(key, { doc, node: child });
          break;
        case 'attribute':
          this.globalAttributes.set(key, { doc, node: child });
          break;
        case 'group':
          this.groups.set(key, { doc, node: child });
          break;
        case 'attributeGroup':
          this.attributeGroups.set(key, { doc, node: child });
          break;
        case 'annotation':
        case 'notation':
          break;
        default:
          throw new XsdError(`${file}: unsupported top-level <${child.local}>`);
      }
    }
  }

  /** Target namespaces of every loaded schema document. */
  get targetNamespaces(): string[] {
    return [...new Set(this.docs.map((d) => d.targetNs))];
  }

  /** Every named (global) type, simple and complex. */
  get namedTypeDecls(): Type[] {
    return [...this.namedTypes.keys()].map((k) => this.namedType(k));
  }

  get globalElementDecls(): ElementDecl[] {
    return [...this.globalElements.keys()].map((k) => this.globalElement(k));
  }

  /** Members of the substitution group headed by `head` (transitively), not including the head. */
  substitutionMembers(head: ElementDecl): ElementDecl[] {
    const out: ElementDecl[] = [];
    const visit = (h: ElementDecl): void => {
      for (const e of this.globalElementDecls) {
        if (e.substitutionGroup && qkey(e.substitutionGroup) === qkey(h.name) && !out.includes(e)) {
          out.push(e);
          visit(e);
        }
      }
    };
    visit(head);
    return out;
  }

  /** Named types derived from `t` (directly or not): they make an element's type castable (xsi:type). */
  hasDerivedTypes(t: Type): boolean {
    if (!t.name) return false;
    const k = qkey(t.name);
    return [...this.namedTypes.keys()].some((key) => {
      const other = this.namedType(key);
      return other.base !== undefined && qkey(other.base) === k;
    });
  }

  globalElement(key: string): ElementDecl {
    const entry = this.globalElements.get(key);
    if (!entry) throw new XsdError(`no global element ${key}`);
    if (!entry.decl) entry.decl = this.elementDecl(entry.doc, entry.node, true);
    return entry.decl;
  }

  namedType(key: string): Type {
    if (key.startsWith(`{${XSD}}`)) return this.builtinType(key.slice(XSD.length + 2));
    const entry = this.namedTypes.get(key);
    if (!entry) throw new XsdError(`no type ${key}`);
    if (!entry.type) {
      const name = { ns: entry.doc.targetNs, local: entry.node.attributes.get('name')! };
      entry.type = entry.node.local === 'simpleType' ? this.simpleType(entry.doc, entry.node, name) : this.complexType(entry.doc, entry.node, name);
    }
    return entry.type;
  }

  private readonly builtins = new Map<string, SimpleType>();

  builtinType(local: string): Type {
    if (local === 'anyType') return this.anyType();
    if (!BUILTIN_SIMPLE.has(local)) throw new XsdError(`unsupported built-in type xs:${local}`);
    let t = this.builtins.get(local);
    if (!t) {
      t = { kind: 'simple', name: { ns: XSD, local }, builtin: local, facets: {} };
      this.builtins.set(local, t);
    }
    return t;
  }

  private anyTypeCache?: ComplexType;
  private anyType(): ComplexType {
    this.anyTypeCache ??= {
      kind: 'complex',
      name: { ns: XSD, local: 'anyType' },
      id: this.nextTypeId++,
      targetNs: XSD,
      abstract: false,
      attributes: [],
      attributeWildcard: { kind: 'wildcard', namespace: '##any', targetNs: '' },
      content: { kind: 'element', mixed: true, particle: { min: 0, max: -1, term: { kind: 'wildcard', namespace: '##any', targetNs: '' } } },
    };
    return this.anyTypeCache;
  }

  private typeRef(doc: SchemaDoc, node: XmlElement, attr: string): Type {
    const q = resolveQName(node, node.attributes.get(attr)!);
    return this.namedType(qkey(q));
  }

  private elementDecl(doc: SchemaDoc, node: XmlElement, global: boolean): ElementDecl {
    const local = node.attributes.get('name');
    if (local === undefined) throw new XsdError(`${doc.file}: element without name`);
    const ns = global || doc.qualifiedElements || node.attributes.get('form') === 'qualified' ? doc.targetNs : '';
    let cached: Type | undefined;
    const typeAttr = node.attributes.get('type');
    const inline = node.children.find((c) => c.ns === XSD && (c.local === 'complexType' || c.local === 'simpleType'));
    const sg = node.attributes.get('substitutionGroup');
    const decl: ElementDecl = {
      kind: 'element',
      id: this.nextElementId++,
      name: { ns, local },
      global,
      abstract: node.attributes.get('abstract') === 'true',
      nillable: node.attributes.get('nillable') === 'true',
      ...(sg ? { substitutionGroup: resolveQName(node, sg) } : {}),
      type: (): Type => {
        if (cached) return cached;
        if (typeAttr) cached = this.typeRef(doc, node, 'type');
        else if (inline) cached = inline.local === 'simpleType' ? this.simpleType(doc, inline) : this.complexType(doc, inline, undefined, local);
        else if (sg) cached = this.globalElement(qkey(resolveQName(node, sg))).type();
        else cached = this.anyType();
        return cached;
      },
    };
    this.allElements.push(decl);
    decl.type(); // resolve now: keeps creation order stable and surfaces errors early
    return decl;
  }

  private simpleType(doc: SchemaDoc, node: XmlElement, name?: QName): SimpleType {
    const restriction = node.children.find((c) => c.ns === XSD && c.local === 'restriction');
    if (!restriction) throw new XsdError(`${doc.file}: simpleType ${name?.local ?? '(anonymous)'}: only restriction is supported`);
    let base: SimpleType;
    const baseAttr = restriction.attributes.get('base');
    if (baseAttr) {
      const b = this.namedType(qkey(resolveQName(restriction, baseAttr)));
      if (b.kind !== 'simple') throw new XsdError(`${doc.file}: simple type restricts complex type`);
      base = b;
    } else {
      const inner = restriction.children.find((c) => c.ns === XSD && c.local === 'simpleType');
      if (!inner) throw new XsdError(`${doc.file}: restriction without base`);
      base = this.simpleType(doc, inner);
    }
    const facets: Facets = { ...base.facets };
    const enumeration: string[] = [];
    const pattern: string[] = [];
    for (const f of restriction.children) {
      if (f.ns !== XSD) continue;
      const v = f.attributes.get('value') ?? '';
      switch (f.local) {
        case 'enumeration':
          enumeration.push(v);
          break;
        case 'pattern':
          pattern.push(v);
          break;
        case 'minInclusive':
          facets.minInclusive = BigInt(v);
          break;
        case 'maxInclusive':
          facets.maxInclusive = BigInt(v);
          break;
        case 'minExclusive':
          facets.minInclusive = BigInt(v) + 1n;
          break;
        case 'maxExclusive':
          facets.maxInclusive = BigInt(v) - 1n;
          break;
        case 'length':
          facets.length = Number(v);
          break;
        case 'minLength':
          facets.minLength = Number(v);
          break;
        case 'maxLength':
          facets.maxLength = Number(v);
          break;
        case 'whiteSpace':
        case 'annotation':
        case 'totalDigits':
        case 'fractionDigits':
          break;
        default:
          throw new XsdError(`${doc.file}: unsupported facet ${f.local}`);
      }
    }
    if (enumeration.length) facets.enumeration = enumeration;
    if (pattern.length) facets.pattern = pattern;
    return { kind: 'simple', ...(name ? { name } : {}), builtin: base.builtin, facets, ...(base.name ? { base: base.name } : {}) };
  }

  private complexType(doc: SchemaDoc, node: XmlElement, name?: QName, hint?: string): ComplexType {
    const mixed = node.attributes.get('mixed') === 'true';
    const attributes: AttributeUse[] = [];
    let attributeWildcard: Wildcard | undefined;
    let content: ContentModel = { kind: 'empty' };
    let base: QName | undefined;

    const collectAttributes = (holder: XmlElement): void => {
      for (const c of holder.children) {
        if (c.ns !== XSD) continue;
        if (c.local === 'attribute') {
          const use = this.attributeUse(doc, c);
          if (use) attributes.push(use);
        } else if (c.local === 'attributeGroup') {
          const g = this.attributeGroups.get(qkey(resolveQName(c, c.attributes.get('ref')!)));
          if (!g) throw new XsdError(`${doc.file}: unknown attributeGroup`);
          collectAttributes(g.node);
        } else if (c.local === 'anyAttribute') {
          attributeWildcard = this.wildcard(doc, c);
        }
      }
    };

    const particleOf = (holder: XmlElement): Particle | undefined => {
      const p = holder.children.find((c) => c.ns === XSD && ['sequence', 'choice', 'all', 'group'].includes(c.local));
      return p ? this.particle(doc, p) : undefined;
    };

    const cc = node.children.find((c) => c.ns === XSD && c.local === 'complexContent');
    const sc = node.children.find((c) => c.ns === XSD && c.local === 'simpleContent');
    if (cc) {
      const der = cc.children.find((c) => c.ns === XSD && (c.local === 'extension' || c.local === 'restriction'))!;
      base = resolveQName(der, der.attributes.get('base')!);
      const baseType = this.namedType(qkey(base));
      if (baseType.kind !== 'complex') throw new XsdError(`${doc.file}: complexContent over a simple type`);
      const own = particleOf(der);
      const ccMixed = cc.attributes.get('mixed') === 'true' || mixed;
      if (der.local === 'extension') {
        attributes.push(...baseType.attributes);
        if (baseType.attributeWildcard) attributeWildcard = baseType.attributeWildcard;
        const baseParticle = baseType.content.kind === 'element' ? baseType.content.particle : undefined;
        // XML Schema 1.0 §3.4.2: the extended content model is a sequence of the base's and the extension's particles.
        const parts = [baseParticle, own].filter((p): p is Particle => p !== undefined);
        if (parts.length === 1) content = { kind: 'element', particle: parts[0]!, mixed: ccMixed };
        else if (parts.length === 2) content = { kind: 'element', particle: { min: 1, max: 1, term: { kind: 'sequence', particles: parts } }, mixed: ccMixed };
        else if (baseType.content.kind === 'simple') content = baseType.content;
      } else {
        content = own ? { kind: 'element', particle: own, mixed: ccMixed } : { kind: 'empty' };
      }
      collectAttributes(der);
    } else if (sc) {
      const der = sc.children.find((c) => c.ns === XSD && (c.local === 'extension' || c.local === 'restriction'))!;
      base = resolveQName(der, der.attributes.get('base')!);
      const baseType = this.namedType(qkey(base));
      if (baseType.kind === 'simple') content = { kind: 'simple', type: baseType };
      else {
        if (baseType.content.kind !== 'simple') throw new XsdError(`${doc.file}: simpleContent over non-simple content`);
        content = baseType.content;
        attributes.push(...baseType.attributes);
      }
      collectAttributes(der);
    } else {
      const p = particleOf(node);
      if (p) content = { kind: 'element', particle: p, mixed };
      collectAttributes(node);
    }
    // An element-only content model that can only be empty is empty content (XML Schema 1.0 §3.4.2).
    if (content.kind === 'element' && isEmptyParticle(content.particle) && !content.mixed) content = { kind: 'empty' };
    const type: ComplexType = {
      kind: 'complex',
      ...(name ? { name } : {}),
      id: this.nextTypeId++,
      targetNs: doc.targetNs,
      ...(hint !== undefined ? { hint } : {}),
      abstract: node.attributes.get('abstract') === 'true',
      ...(base ? { base } : {}),
      attributes,
      ...(attributeWildcard ? { attributeWildcard } : {}),
      content,
    };
    this.complexTypes.push(type);
    return type;
  }

  private attributeUse(doc: SchemaDoc, node: XmlElement): AttributeUse | undefined {
    if (node.attributes.get('use') === 'prohibited') return undefined;
    const ref = node.attributes.get('ref');
    let name: QName;
    let typeNode = node;
    let typeDoc = doc;
    if (ref) {
      name = resolveQName(node, ref);
      const g = this.globalAttributes.get(qkey(name));
      if (!g) throw new XsdError(`${doc.file}: unknown attribute ${ref}`);
      typeNode = g.node;
      typeDoc = g.doc;
    } else {
      const local = node.attributes.get('name')!;
      const qualified = doc.qualifiedAttributes || node.attributes.get('form') === 'qualified';
      name = { ns: qualified ? doc.targetNs : '', local };
    }
    let type: Type;
    if (typeNode.attributes.get('type')) type = this.typeRef(typeDoc, typeNode, 'type');
    else {
      const inline = typeNode.children.find((c) => c.ns === XSD && c.local === 'simpleType');
      type = inline ? this.simpleType(typeDoc, inline) : this.builtinType('anySimpleType');
    }
    if (type.kind !== 'simple') throw new XsdError(`${doc.file}: attribute ${name.local} of complex type`);
    const use = { name, type, required: node.attributes.get('use') === 'required' };
    this.allAttributes.push(use);
    return use;
  }

  private wildcard(doc: SchemaDoc, node: XmlElement): Wildcard {
    const ns = node.attributes.get('namespace') ?? '##any';
    if (ns === '##any' || ns === '##other') return { kind: 'wildcard', namespace: ns, targetNs: doc.targetNs };
    const list = ns.split(/\s+/).map((u) => (u === '##targetNamespace' ? doc.targetNs : u === '##local' ? '' : u));
    return { kind: 'wildcard', namespace: list, targetNs: doc.targetNs };
  }

  private particle(doc: SchemaDoc, node: XmlElement): Particle {
    const min = Number(node.attributes.get('minOccurs') ?? '1');
    const maxAttr = node.attributes.get('maxOccurs') ?? '1';
    const max = maxAttr === 'unbounded' ? -1 : Number(maxAttr);
    switch (node.local) {
      case 'element': {
        const ref = node.attributes.get('ref');
        const term = ref ? this.globalElement(qkey(resolveQName(node, ref))) : this.elementDecl(doc, node, false);
        return { min, max, term };
      }
      case 'any':
        return { min, max, term: this.wildcard(doc, node) };
      case 'group': {
        const g = this.groups.get(qkey(resolveQName(node, node.attributes.get('ref')!)));
        if (!g) throw new XsdError(`${doc.file}: unknown group`);
        const inner = g.node.children.find((c) => c.ns === XSD && ['sequence', 'choice', 'all'].includes(c.local))!;
        const p = this.particle(g.doc, inner);
        return { min, max, term: p.term };
      }
      case 'sequence':
      case 'choice':
      case 'all': {
        const particles = node.children
          .filter((c) => c.ns === XSD && ['element', 'any', 'sequence', 'choice', 'group', 'all'].includes(c.local))
          .map((c) => this.particle(doc, c));
        return { min, max, term: { kind: node.local, particles } };
      }
      default:
        throw new XsdError(`${doc.file}: unexpected particle <${node.local}>`);
    }
  }
}

/**
 * A schemaLocation relative to the importing file; the ISO 15118 folders import `xmldsig-core-schema.xsd` as if it sat
 * beside them while it is shipped one level up, so parent folders are tried too.
 */
function locate(from: string, location: string): string {
  for (let dir = dirname(from), i = 0; i < 3; dir = dirname(dir), i++) {
    const candidate = resolve(dir, location);
    if (existsSync(candidate)) return candidate;
  }
  throw new XsdError(`${from}: cannot find imported schema ${location}`);
}

function isEmptyParticle(p: Particle): boolean {
  if (p.max === 0) return true;
  const t = p.term;
  if (t.kind === 'sequence' || t.kind === 'choice' || t.kind === 'all') return t.particles.every(isEmptyParticle);
  return false;
}
