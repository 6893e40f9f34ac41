// Generates src/exi/generated from the ISO 15118 / DIN 70121 / xmldsig XSDs.
//
//   npm run exi:generate -- [--schemas DIR] [--out DIR]
//
// DIR holds V2G_CI_AppProtocol.xsd, xmldsig-core-schema.xsd, din_spec/, iso15118_2/ and iso15118_20/ (the layout of
// ../shared/schemas/iso15118; `npm run exi:download-xsd` fetches the ISO ones). The output is deterministic: the
// regeneration test diffs it against the committed files.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datatypeKey, datatypeOf, shapeOf, tsTypeOf } from './datatypes.js';
import { emitComplexType, type TypeScope } from './emitType.js';
import { fieldsOf } from './fields.js';
import { GrammarBuilder, documentGrammar, fragmentGrammar } from './grammar.js';
import { ModuleBuilder } from './moduleBuilder.js';
import { qkey, SchemaSet, XSD, type ComplexType, type ElementDecl, type QName, type SimpleType } from './xsdModel.js';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const CT20 = 'urn:iso:std:iso:15118:-20:CommonTypes';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

export interface SetSpec {
  /** The schema name of the CLI contract. */
  readonly id: string;
  readonly module: string;
  readonly entry: string;
  readonly description: string;
}

export const SETS: readonly SetSpec[] = [
  { id: 'appHandshake', module: 'appHandshake', entry: 'V2G_CI_AppProtocol.xsd', description: 'Supported application protocol handshake (ISO 15118-2 Annex, urn:iso:15118:2:2010:AppProtocol)' },
  { id: 'din', module: 'din', entry: 'din_spec/V2G_CI_MsgDef.xsd', description: 'DIN SPEC 70121 messages (urn:din:70121:2012:*)' },
  { id: 'iso2', module: 'iso2', entry: 'iso15118_2/V2G_CI_MsgDef.xsd', description: 'ISO 15118-2 messages (urn:iso:15118:2:2013:*)' },
  { id: 'iso20', module: 'iso20', entry: 'iso15118_20/V2G_CI_CommonMessages.xsd', description: 'ISO 15118-20 CommonMessages (urn:iso:std:iso:15118:-20:CommonMessages)' },
  { id: 'iso20-ac', module: 'iso20Ac', entry: 'iso15118_20/V2G_CI_AC.xsd', description: 'ISO 15118-20 AC (urn:iso:std:iso:15118:-20:AC)' },
  { id: 'iso20-dc', module: 'iso20Dc', entry: 'iso15118_20/V2G_CI_DC.xsd', description: 'ISO 15118-20 DC (urn:iso:std:iso:15118:-20:DC)' },
  { id: 'iso20-wpt', module: 'iso20Wpt', entry: 'iso15118_20/V2G_CI_WPT.xsd', description: 'ISO 15118-20 WPT (urn:iso:std:iso:15118:-20:WPT)' },
  { id: 'iso20-acdp', module: 'iso20Acdp', entry: 'iso15118_20/V2G_CI_ACDP.xsd', description: 'ISO 15118-20 ACDP (urn:iso:std:iso:15118:-20:ACDP)' },
  { id: 'xmldsig', module: 'xmldsig', entry: 'xmldsig-core-schema.xsd', description: 'W3C XML Signature (http://www.w3.org/2000/09/xmldsig#)' },
];

/** Namespaces whose types several schema sets share: one module each, so that every set uses the same TS types. */
const SHARED: Readonly<Record<string, string>> = { [DSIG]: 'xmldsig', [CT20]: 'iso20CommonTypes' };

/** EXI 1.0 Appendix D.3: the XML Schema namespace's initial local names (the built-in type names). */
const XSD_LOCAL_NAMES = [
  'ENTITIES', 'ENTITY', 'ID', 'IDREF', 'IDREFS', 'NCName', 'NMTOKEN', 'NMTOKENS', 'NOTATION', 'Name', 'QName', 'anySimpleType', 'anyType',
  'anyURI', 'base64Binary', 'boolean', 'byte', 'date', 'dateTime', 'decimal', 'double', 'duration', 'float', 'gDay', 'gMonth', 'gMonthDay',
  'gYear', 'gYearMonth', 'hexBinary', 'int', 'integer', 'language', 'long', 'negativeInteger', 'nonNegativeInteger', 'nonPositiveInteger',
  'normalizedString', 'positiveInteger', 'short', 'string', 'time', 'token', 'unsignedByte', 'unsignedInt', 'unsignedLong', 'unsignedShort',
];

const complexIdentity = (t: ComplexType): string => `${t.targetNs}|${t.name ? t.name.local : `#${t.hint ?? t.id}`}`;
const simpleIdentity = (t: SimpleType): string => `${t.name!.ns}|${t.name!.local}`;

interface Named {
  readonly module: string;
  readonly name: string;
}

/** TS names for every complex type and named enumeration, unique per module, the same in every schema set. */
class Registry {
  private readonly complex = new Map<string, Named>();
  private readonly simple = new Map<string, Named>();
  private readonly wanted = new Map<string, { module: string; preferred: string; anonymous: boolean; simple: boolean }>();

  want(t: ComplexType | SimpleType, setModule: string): void {
    if (t.kind === 'complex') {
      const id = complexIdentity(t);
      if (!this.wanted.has(`c${id}`)) this.wanted.set(`c${id}`, { module: SHARED[t.targetNs] ?? setModule, preferred: t.name?.local ?? t.hint ?? `Type${t.id}`, anonymous: !t.name, simple: false });
    } else if (t.name) {
      const id = simpleIdentity(t);
      if (!this.wanted.has(`s${id}`)) this.wanted.set(`s${id}`, { module: SHARED[t.name.ns] ?? setModule, preferred: t.name.local, anonymous: false, simple: true });
    }
  }

  assign(): void {
    const taken = new Map<string, Set<string>>();
    const entries = [...this.wanted].sort(([a, x], [b, y]) => Number(x.anonymous) - Number(y.anonymous) || (a < b ? -1 : 1));
    for (const [key, w] of entries) {
      const used = taken.get(w.module) ?? new Set<string>();
      taken.set(w.module, used);
      let name = identifier(w.preferred);
      if (used.has(name) && w.anonymous) name = `${name}Element`;
      for (let i = 2; used.has(name); i++) name = `${identifier(w.preferred)}${i}`;
      used.add(name);
      (w.simple ? this.simple : this.complex).set(key.slice(1), { module: w.module, name });
    }
  }

  complexName(t: ComplexType): Named {
    const n = this.complex.get(complexIdentity(t));
    if (!n) throw new Error(`unregistered type ${complexIdentity(t)}`);
    return n;
  }

  simpleName(t: SimpleType): Named {
    const n = this.simple.get(simpleIdentity(t));
    if (!n) throw new Error(`unregistered type ${simpleIdentity(t)}`);
    return n;
  }
}

function identifier(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

interface LoadedSet {
  readonly spec: SetSpec;
  readonly schema: SchemaSet;
  readonly builder: GrammarBuilder;
}

/** Generated module texts by file name; sets whose XSDs are missing (DIN is not downloadable) are left out. */
export function generate(schemasDir: string): Map<string, string> {
  const loaded: LoadedSet[] = SETS.filter((spec) => existsSync(join(schemasDir, spec.entry))).map((spec) => {
    const schema = new SchemaSet([join(schemasDir, spec.entry)]);
    return { spec, schema, builder: new GrammarBuilder(schema) };
  });
  if (loaded.length === 0) throw new Error(`no schema set found in ${schemasDir}`);
  const registry = new Registry();
  for (const l of loaded) {
    for (const t of l.schema.complexTypes) registry.want(t, l.spec.module);
    for (const t of l.schema.namedTypeDecls) if (t.kind === 'simple' && t.facets.enumeration) registry.want(t, l.spec.module);
  }
  registry.assign();

  const modules = new Map<string, ModuleBuilder>();
  const moduleOf = (name: string): ModuleBuilder => {
    let m = modules.get(name);
    if (!m) {
      m = new ModuleBuilder(name, '');
      modules.set(name, m);
    }
    return m;
  };
  const sources = new Map<string, Set<string>>();

  const scopeFor = (m: ModuleBuilder): TypeScope => ({
    module: m,
    typeName(t) {
      const n = registry.complexName(t);
      if (n.module !== m.name) {
        m.importType(n.module, n.name);
        m.importValue(n.module, `decode${n.name}`);
        m.importValue(n.module, `encode${n.name}`);
      }
      return n.name;
    },
    typeIdentity(t) {
      return t.name ? `T{${t.name.ns}}${t.name.local}` : `T#${complexIdentity(t)}`;
    },
    simpleTsType(t) {
      const dt = datatypeOf(t);
      if (dt.kind === 'enum' && t.name) {
        const n = registry.simpleName(t);
        const owner = moduleOf(n.module);
        owner.aliases.set(n.name, `/** ${t.name.local} {${t.name.ns}} */\nexport type ${n.name} = ${tsTypeOf(dt)};`);
        if (n.module !== m.name) m.importType(n.module, n.name);
        return n.name;
      }
      return tsTypeOf(dt);
    },
  });

  for (const l of loaded) {
    const setModule = moduleOf(l.spec.module);
    for (const t of l.schema.complexTypes) {
      const owner = registry.complexName(t);
      const m = moduleOf(owner.module);
      const files = sources.get(m.name) ?? new Set<string>();
      files.add(t.targetNs);
      sources.set(m.name, files);
      const g = l.builder.typeGrammar(t);
      const emitted = emitComplexType(t, g, fieldsOf(t, l.builder), scopeFor(m));
      const prev = m.types.get(complexIdentity(t));
      if (prev && (prev.code !== emitted.code || prev.shape !== emitted.shape)) {
        throw new Error(`type ${owner.name} of shared module ${m.name} differs between schema sets (set ${l.spec.id})`);
      }
      m.types.set(complexIdentity(t), { name: owner.name, code: emitted.code, shape: emitted.shape });
    }
    emitSetLevel(l, setModule, scopeFor(setModule), registry);
    const files = sources.get(setModule.name) ?? new Set<string>();
    for (const ns of l.schema.targetNamespaces) if (!SHARED[ns] || SHARED[ns] === setModule.name) files.add(ns);
    sources.set(setModule.name, files);
  }

  const out = new Map<string, string>();
  for (const [name, m] of [...modules].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const set = SETS.find((s) => s.module === name);
    const header = [
      '// Generated by scripts/exi/generate.ts from the XML schemas of these namespaces — do not edit; run `npm run exi:generate`.',
      ...[...(sources.get(name) ?? [])].sort().map((ns) => `//   ${ns}`),
      ...(set ? [`// ${set.description}: types, EXI grammars (non-strict, ISO 15118 profile) and codecs.`] : ['// Types and codecs shared by several schema sets.']),
    ].join('\n');
    out.set(`${name}.ts`, m.render(header));
  }
  out.set('index.ts', renderIndex());
  return out;
}

/** The set module's document and fragment grammars, initial qname partitions and public functions. */
function emitSetLevel(l: LoadedSet, m: ModuleBuilder, scope: TypeScope, registry: Registry): void {
  const { spec, schema, builder } = l;
  const P = spec.module.charAt(0).toUpperCase() + spec.module.slice(1);
  m.runtime('ExiReader', 'defineSchema', 'entry', 'decodeDocument', 'encodeDocument', 'decodeFragment', 'encodeFragment', 'readElementFragment', 'writeElementFragment');
  m.runtimeType('SchemaRuntime', 'OneOf', 'ElementFragmentValue', 'AnyElement', 'DecodeOptions');

  // EXI 1.0 §7.3.1 / Appendix D: URIs "", xml, xsi, xsd, then the schema's namespaces sorted; per URI its names sorted.
  const schemaUris = schema.targetNamespaces.filter((u) => u !== '').sort();
  const uris = ['', XML_NS, XSI_NS, XSD, ...schemaUris];
  const locals = new Map<string, Set<string>>(uris.map((u) => [u, new Set<string>()]));
  for (const x of ['base', 'id', 'lang', 'space']) locals.get(XML_NS)!.add(x);
  for (const x of ['nil', 'type']) locals.get(XSI_NS)!.add(x);
  for (const x of XSD_LOCAL_NAMES) locals.get(XSD)!.add(x);
  const addName = (q: QName): void => {
    if (!locals.has(q.ns)) throw new Error(`${spec.id}: name ${q.local} in unknown namespace ${q.ns}`);
    locals.get(q.ns)!.add(q.local);
  };
  for (const e of schema.allElements) addName(e.name);
  for (const a of schema.allAttributes) addName(a.name);
  for (const t of schema.namedTypeDecls) if (t.name) addName(t.name);
  const localNames = uris.map((u) => [...locals.get(u)!].sort());

  const entryOf = (el: ElementDecl | undefined, name: QName, key: string): { code: string; ts: string; decode: string } => {
    const ns = `URIS[${uris.indexOf(name.ns)}]!`;
    const keyArg = key === name.local ? '' : `, ${JSON.stringify(key)}`;
    const head = `${ns}, ${JSON.stringify(name.local)}`;
    if (!el) return { code: `entry(${head}, readElementFragment, writeElementFragment, 'F'${keyArg})`, ts: 'ElementFragmentValue', decode: 'readElementFragment' };
    const t = el.type();
    if (t.kind === 'simple') {
      const dt = datatypeOf(t);
      const shape = shapeOf(dt);
      const d = m.simpleElementDecoder(dt);
      return { code: `entry(${head}, ${d}, ${m.simpleElementEncoder(dt)}, '${shape}'${keyArg})`, ts: scope.simpleTsType(t), decode: d };
    }
    const n = scope.typeName(t);
    return { code: `entry(${head}, decode${n}, encode${n}, '@${n}'${keyArg})`, ts: n, decode: `decode${n}` };
  };
  const keysOf = (names: readonly QName[]): string[] => {
    const count = new Map<string, number>();
    for (const n of names) count.set(n.local, (count.get(n.local) ?? 0) + 1);
    return names.map((n) => (count.get(n.local)! > 1 ? `${n.local}@${n.ns}` : n.local));
  };

  const doc = documentGrammar(schema);
  const docKeys = keysOf(doc.elements.map((e) => e.name));
  const docEntries = doc.elements.map((e, i) => entryOf(e, e.name, docKeys[i]!));
  const frag = fragmentGrammar(schema);
  const fragKeys = keysOf(frag.entries.map((e) => e.name));
  const fragEntries = frag.entries.map((e, i) => entryOf(e.element, e.name, fragKeys[i]!));


  const types: string[] = [];
  for (const t of schema.namedTypeDecls) {
    if (!t.name) continue;
    const identity = t.kind === 'complex' ? scope.typeIdentity(t) : `D${datatypeKey(datatypeOf(t))}`;
    types.push(`    [${JSON.stringify(qkey(t.name))}, ${JSON.stringify(identity)}],`);
  }
  types.sort();

  const fragAttributes = frag.attributes.map((a) => {
    const dt = a.type ? `, dt: ${m.datatypeConst(datatypeOf(a.type))}` : '';
    return `      { ns: ${JSON.stringify(a.name.ns)}, local: ${JSON.stringify(a.name.local)}${dt} },`;
  });

  // Shapes: this set's and the shared modules' (names are unique per set, checked here).
  const shapeModules = [...new Set([spec.module, ...schema.targetNamespaces.map((ns) => SHARED[ns]).filter((x): x is string => x !== undefined)])];
  const seen = new Map<string, string>();
  for (const t of schema.complexTypes) {
    const n = registry.complexName(t);
    const prev = seen.get(n.name);
    if (prev && prev !== n.module) throw new Error(`${spec.id}: type name ${n.name} in modules ${prev} and ${n.module}`);
    seen.set(n.name, n.module);
  }
  for (const sm of shapeModules) if (sm !== spec.module) m.importValue(sm, `${sm}Shapes`);

  const tail = m.tail;
  tail.push(`/** Global elements of the ${spec.id} schema set: each can be the root of a document. */`);
  tail.push(`export interface ${P}Elements {`);
  doc.elements.forEach((_, i) => tail.push(`  ${JSON.stringify(docKeys[i])}: ${docEntries[i]!.ts};`));
  tail.push('}');
  tail.push('');
  tail.push(`/** An EXI document of the ${spec.id} schema set: one root element. */`);
  tail.push(`export type ${P}Document = OneOf<${P}Elements>;`);
  tail.push('');
  tail.push(`/** Elements of the ${spec.id} fragment grammar (every element name of the set), and '*' for an undeclared one. */`);
  tail.push(`export interface ${P}FragmentElements {`);
  frag.entries.forEach((_, i) => tail.push(`  ${JSON.stringify(fragKeys[i])}: ${fragEntries[i]!.ts};`));
  tail.push(`  '*': AnyElement;`);
  tail.push('}');
  tail.push('');
  tail.push(`export type ${P}FragmentItem = OneOf<${P}FragmentElements>;`);
  tail.push('');
  m.runtime('atField');
  tail.push(`/** The root element of DocContent code c. */`);
  tail.push(`function decode${P}Root(r: ExiReader, c: number): Record<string, unknown> {`);
  tail.push("  let f = '';");
  tail.push('  try {');
  tail.push('    switch (c) {');
  docEntries.forEach((e, i) => tail.push(`      case ${i}: f = ${JSON.stringify(docKeys[i])}; return { ${JSON.stringify(docKeys[i])}: ${e.decode}(r) };`));
  tail.push(`      default: throw r.badEvent(c, 'DocContent');`);
  tail.push('    }');
  tail.push('  } catch (e) {');
  tail.push('    throw atField(e, f);');
  tail.push('  }');
  tail.push('}');
  tail.push('');
  tail.push(`const URIS = ${JSON.stringify(uris)};`);
  tail.push('');
  tail.push(`export const ${spec.module}Schema: SchemaRuntime = defineSchema({`);
  tail.push(`  name: ${JSON.stringify(spec.id)},`);
  tail.push('  names: {');
  tail.push('    uris: URIS,');
  tail.push('    localNames: [');
  for (const l2 of localNames) tail.push(`      ${JSON.stringify(l2)},`);
  tail.push('    ],');
  tail.push('  },');
  tail.push('  types: new Map([');
  tail.push(...types);
  tail.push('  ]),');
  tail.push(`  // DocContent: ${doc.elements.length} global elements and SE(*) in ${doc.bits} bits.`);
  tail.push('  document: {');
  tail.push(`    bits: ${doc.bits},`);
  tail.push(`    root: decode${P}Root,`);
  tail.push('    entries: [');
  for (const e of docEntries) tail.push(`      ${e.code},`);
  tail.push('    ],');
  tail.push('  },');
  tail.push(`  // FragmentContent: ${frag.entries.length} element names, SE(*) and ED in ${frag.bits} bits.`);
  tail.push('  fragment: {');
  tail.push(`    bits: ${frag.bits},`);
  tail.push('    entries: [');
  for (const e of fragEntries) tail.push(`      ${e.code},`);
  tail.push('    ],');
  tail.push('    attributes: [');
  tail.push(...fragAttributes);
  tail.push('    ],');
  tail.push('  },');
  tail.push('});');
  tail.push('');
  tail.push(`/** JSON shapes of every complex type the ${spec.id} schema set uses. */`);
  tail.push(`export const ${spec.module}JsonShapes: Readonly<Record<string, Readonly<Record<string, string>>>> = { ${shapeModules.map((s) => `...${s}Shapes`).join(', ')} };`);
  tail.push('');
  tail.push(`export function decode${P}(bytes: Uint8Array, options?: DecodeOptions): ${P}Document {`);
  tail.push(`  return decodeDocument(bytes, ${spec.module}Schema, options) as ${P}Document;`);
  tail.push('}');
  tail.push('');
  tail.push(`export function encode${P}(doc: ${P}Document): Uint8Array {`);
  tail.push(`  return encodeDocument(doc, ${spec.module}Schema);`);
  tail.push('}');
  tail.push('');
  tail.push(`export function decode${P}Fragment(bytes: Uint8Array, options?: DecodeOptions): ${P}FragmentItem[] {`);
  tail.push(`  return decodeFragment(bytes, ${spec.module}Schema, options) as ${P}FragmentItem[];`);
  tail.push('}');
  tail.push('');
  tail.push(`export function encode${P}Fragment(items: readonly ${P}FragmentItem[]): Uint8Array {`);
  tail.push(`  return encodeFragment(items, ${spec.module}Schema);`);
  tail.push('}');
  void builder;
}

function renderIndex(): string {
  const lines = [
    '// Generated by scripts/exi/generate.ts — do not edit; run `npm run exi:generate`.',
    '// Every schema set by its name in the CLI contract.',
    '',
    "import type { SchemaRuntime } from '../runtime/index.js';",
  ];
  for (const s of SETS) lines.push(`import { ${s.module}JsonShapes, ${s.module}Schema } from './${s.module}.js';`);
  lines.push('');
  lines.push('export interface GeneratedSet {');
  lines.push('  readonly schema: SchemaRuntime;');
  lines.push('  readonly shapes: Readonly<Record<string, Readonly<Record<string, string>>>>;');
  lines.push('  readonly description: string;');
  lines.push('}');
  lines.push('');
  lines.push('export const generatedSets = {');
  for (const s of SETS) lines.push(`  ${JSON.stringify(s.id)}: { schema: ${s.module}Schema, shapes: ${s.module}JsonShapes, description: ${JSON.stringify(s.description)} },`);
  lines.push('} as const satisfies Record<string, GeneratedSet>;');
  lines.push('');
  lines.push('export type SchemaName = keyof typeof generatedSets;');
  return `${lines.join('\n')}\n`;
}

function defaultSchemasDir(root: string): string {
  const candidates = [process.env.PNC_XSD_DIR, join(root, 'xsd'), join(root, '..', 'shared', 'schemas', 'iso15118')];
  for (const c of candidates) if (c && existsSync(join(c, 'iso15118_2'))) return c;
  throw new Error('no XSD directory: pass --schemas DIR, set PNC_XSD_DIR, or run `npm run exi:download-xsd`');
}

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const schemas = resolve(opt('--schemas') ?? defaultSchemasDir(root));
  const outDir = resolve(opt('--out') ?? join(root, 'src', 'exi', 'generated'));
  const files = generate(schemas);
  mkdirSync(outDir, { recursive: true });
  const missing = SETS.filter((s) => !files.has(`${s.module}.ts`)).map((s) => s.id);
  // A module is stale only if every schema was there to regenerate from; otherwise the committed ones stay.
  if (missing.length) console.log(`no XSDs for ${missing.join(', ')}: their committed modules are kept`);
  else for (const f of readdirSync(outDir)) if (f.endsWith('.ts') && !files.has(f)) rmSync(join(outDir, f));
  let bytes = 0;
  for (const [f, text] of files) {
    writeFileSync(join(outDir, f), text);
    bytes += text.length;
  }
  console.log(`generated ${files.size} modules (${Math.round(bytes / 1024)} KiB) from ${schemas} into ${outDir}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
