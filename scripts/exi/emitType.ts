// TypeScript for one complex type: its interface, a decoder and an encoder specialised to its grammar (a switch per
// grammar state, event codes and widths as constants, values read inline), and its JSON shape.
import { datatypeOf, describe, shapeOf, tsTypeOf, type Datatype } from './datatypes.js';
import type { ElementField, Field } from './fields.js';
import { bitsFor, type Production, type State, type TypeGrammar } from './grammar.js';
import type { ModuleBuilder } from './moduleBuilder.js';
import { qkey, type ComplexType, type ElementDecl, type SimpleType } from './xsdModel.js';

const KIND_CODE = { first: 'KIND_FIRST', start: 'KIND_START', content: 'KIND_CONTENT' } as const;

/** What the type emitter needs from the module it writes into. */
export interface TypeScope {
  readonly module: ModuleBuilder;
  /** TS name of a complex type, importing it when another module owns it. */
  typeName(t: ComplexType): string;
  /** Identity of a complex type's grammar for xsi:type (`T{ns}local`, or a private one for anonymous types). */
  typeIdentity(t: ComplexType): string;
  /** TS type of a simple type's values (an enumeration's alias when it has one). */
  simpleTsType(t: SimpleType): string;
}

export interface EmittedType {
  readonly code: string;
  readonly shape: string;
}

interface Variant {
  readonly productions: readonly Production[];
  /** Condition on the counter selecting this variant, for counted states. */
  readonly when?: string;
}

export function emitComplexType(t: ComplexType, g: TypeGrammar, fields: readonly Field[], scope: TypeScope): EmittedType {
  const m = scope.module;
  const name = scope.typeName(t);
  const fieldOf = fieldLookup(name, fields);

  // States: the main grammar from FirstStartTag, then TypeEmpty (xsi:nil) as its own states.
  const index = new Map<State, number>();
  const order: State[] = [];
  const visit = (s: State): void => {
    const queue = [s];
    while (queue.length) {
      const x = queue.shift()!;
      if (index.has(x)) continue;
      index.set(x, order.length);
      order.push(x);
      for (const v of [x.productions, x.belowMin ?? [], x.atMax ?? []]) for (const p of v) if (p.next && !index.has(p.next)) queue.push(p.next);
    }
  };
  visit(g.first);
  // Element content is also entered by SE(*) and CH deviations from the start tag, even where no production leads.
  visit(g.content);
  const mainCount = order.length;
  visit(g.empty);
  visit(g.emptyContent);
  const nilStart = index.get(g.empty)!;
  const c0 = index.get(g.content)!;
  const idx = (s: State): number => index.get(s)!;

  // Where SE(*) and CH deviations lead: start-tag states go to element content, content states stay.
  const deviationTarget = (i: number): string => {
    const s = order[i]!;
    if (s.kind === 'content') return 's';
    if (i >= mainCount) return String(idx(g.emptyContent));
    return String(c0);
  };

  const variants = (s: State): Variant[] => {
    if (!s.counted) return [{ productions: s.productions }];
    const f = fieldOf(s.counted.element);
    const out: Variant[] = [];
    if (s.belowMin) out.push({ productions: s.belowMin, when: `o.${f.name}!.length < ${s.counted.min}` });
    if (s.atMax) out.push({ productions: s.atMax, when: `o.${f.name}!.length >= ${s.counted.max}` });
    out.push({ productions: s.productions });
    return out;
  };

  const lines: string[] = [];
  const out = (l: string): void => {
    lines.push(l);
  };

  /** The end of a decoder or encoder: an unknown state, and the path of the field being processed on any error. */
  function closeStateMachine(): void {
    out(`        default:`);
    out(`          throw new ExiError('event', \`no grammar state \${s}\`);`);
    out('      }');
    out('    }');
    out('  } catch (e) {');
    out('    throw atField(e, f);');
    out('  }');
    out('}');
    out('');
  }

  // ---- interface ----
  out(`/** ${t.name ? `${t.name.local} {${t.name.ns}}` : `anonymous type of ${t.hint ?? '?'} {${t.targetNs}}`} */`);
  const props = fields.map((f) => `  ${propDoc(f)}${f.name}${isRequired(f) ? '' : '?'}: ${fieldTsType(f, scope)};`);
  if (props.length) out(`export interface ${name} {\n${props.join('\n')}\n}`);
  else out(`export type ${name} = Record<string, never>;`);
  out('');

  // ---- decoder ----
  m.runtime('ExiReader', 'ExiError', 'atField', 'missingField', 'DEV_EE', 'DEV_XSI_TYPE', 'DEV_XSI_NIL', 'DEV_AT_ANY', 'DEV_AT_UNTYPED', 'DEV_SE_ANY');
  out(`export function decode${name}(r: ExiReader): ${name} {`);
  out(`  const o = {} as ${name};`);
  out('  let s = 0;');
  out("  let f = '';");
  out('  try {');
  out('    for (;;) {');
  out("      f = '';");
  out('      switch (s) {');
  order.forEach((s, i) => {
    out(`        case ${i}: {`);
    out(`          // ${s.label}${i >= mainCount ? ' (xsi:nil)' : ''}`);
    for (const v of variants(s)) {
      const ind = v.when ? '            ' : '          ';
      if (v.when) out(`          if (${v.when}) {`);
      emitDecodeVariant(v.productions, s, i, ind);
      if (v.when) out('          }');
    }
    out('        }');
  });
  closeStateMachine();

  function emitDecodeVariant(ps: readonly Production[], s: State, i: number, ind: string): void {
    const bits = bitsFor(ps.length + 1);
    const hasEE = ps.some((p) => p.event.kind === 'EE');
    const abstract = ps.flatMap((p, code) => (p.event.kind === 'SE' && p.event.element.abstract ? [code] : []));
    const avoid = abstract.length ? `, ${m.codeList(abstract)}` : '';
    out(`${ind}const c = r.code(${bits}, ${ps.length}, ${ps.findIndex((p) => p.event.kind === 'EE')}${avoid});`);
    out(`${ind}switch (c) {`);
    ps.forEach((p, code) => {
      out(`${ind}  case ${code}: ${decodeAction(p).filter(Boolean).join(' ')}`);
    });
    m.runtime(KIND_CODE[s.kind]);
    out(`${ind}  case ${ps.length}: s = deviation${name}(r, o, ${i}, r.secondLevel(${KIND_CODE[s.kind]}, ${hasEE})); if (s < 0) return o; continue;`);
    out(`${ind}  default: throw r.badEvent(c, ${JSON.stringify(s.label)});`);
    out(`${ind}}`);
  }

  function decodeAction(p: Production): string[] {
    const next = p.next ? `s = ${idx(p.next)};` : '';
    const e = p.event;
    switch (e.kind) {
      case 'EE':
        return ['return o;'];
      case 'AT': {
        const f = fieldOf(e.use.name.local);
        return [`f = '${f.name}';`, `o.${f.name} = ${readExpr(scope, e.use.type)};`, next, 'continue;'];
      }
      case 'SE': {
        if (e.element.abstract) return [`throw r.abstractElement(${JSON.stringify(e.element.name.local)});`];
        const f = fieldOf(e.element) as ElementField;
        return [`f = '${f.name}';`, assign(f, decodeElementExpr(e.element)), next, 'continue;'];
      }
      case 'SE_ANY':
      case 'SE_NS': {
        const f = fieldOf('any');
        const arg = e.kind === 'SE_NS' ? JSON.stringify(e.ns) : '';
        return [`f = 'any';`, assign(f, `r.anyElement(${arg})`), next, 'continue;'];
      }
      case 'CH':
        return [`f = 'value';`, `o.value = ${readExpr(scope, e.type)};`, next, 'continue;'];
      case 'CH_ANY':
        // Character data of mixed content is not kept ([V2G2-771] leaves xmldsig's mixed content empty).
        return ['r.untypedValue();', next, 'continue;'];
      case 'AT_ANY':
      case 'AT_NS':
        throw new Error(`${name}: attribute wildcards are not supported`);
    }
  }

  function decodeElementExpr(el: ElementDecl): string {
    const et = el.type();
    if (et.kind === 'simple') return `${m.simpleElementDecoder(datatypeOf(et))}(r)`;
    return `decode${scope.typeName(et)}(r)`;
  }

  function assign(f: Field, expr: string): string {
    if ((f.kind === 'element' || f.kind === 'any') && f.array) return `(o.${f.name} ??= []).push(${expr});`;
    return `o.${f.name} = ${expr};`;
  }

  // What each state still expects: an EE deviation there ends the element before its required content (a state
  // that could end has EE at the first level, so the deviation only occurs where content is missing).
  const expected = order.map((st) => {
    const names = new Set<string>();
    for (const v of [st.productions, st.belowMin ?? [], st.atMax ?? []]) {
      for (const p of v) {
        const e = p.event;
        if (e.kind === 'SE' && !e.element.abstract) names.add(fieldOf(e.element).name);
        else if (e.kind === 'AT') names.add(e.use.name.local);
        else if (e.kind === 'CH') names.add('value');
        else if (e.kind === 'SE_ANY' || e.kind === 'SE_NS') names.add('any');
      }
    }
    return [...names].join(', ');
  });
  const nilAllowed = g.content.productions.some((p) => p.event.kind === 'EE');
  out(`const EXPECTED_${name}: readonly string[] = ${JSON.stringify(expected)};`);
  out('');
  // Deviation handler: the second-level productions, shared by every state of the type.
  out(`function deviation${name}(r: ExiReader, o: ${name}, s: number, d: number): number {`);
  out('  switch (d) {');
  out('    case DEV_EE:');
  out(`      throw r.endsEarly(EXPECTED_${name}[s]!);`);
  out('    case DEV_XSI_TYPE:');
  out(`      r.xsiType(${JSON.stringify(scope.typeIdentity(t))});`);
  out('      return 0;');
  out('    case DEV_XSI_NIL:');
  // xsi:nil="true" is TypeEmpty: valid only where the content may be empty (no ISO 15118 element is nillable).
  if (nilAllowed) out(`      return r.xsiNil() ? ${nilStart} : s;`);
  else {
    out(`      if (r.xsiNil()) throw r.endsEarly(EXPECTED_${name}[${c0}]!);`);
    out('      return s;');
  }
  out('    case DEV_AT_ANY:');
  out('      r.readAttribute();');
  out('      return s;');
  out('    case DEV_AT_UNTYPED:');
  const untypedCases: string[] = [];
  order.forEach((s, i) => {
    const ats = s.productions.filter((p) => p.event.kind === 'AT');
    if (!ats.length) return;
    untypedCases.push(`        case ${i}:`);
    untypedCases.push(`          switch (r.attributeIndex(${ats.length})) {`);
    ats.forEach((p, k) => {
      if (p.event.kind !== 'AT') return;
      const f = fieldOf(p.event.use.name.local);
      untypedCases.push(`            case ${k}:`);
      untypedCases.push(`              o.${f.name} = r.untypedAs(${m.datatypeConst(datatypeOf(p.event.use.type))}) as ${scope.simpleTsType(p.event.use.type)};`);
      untypedCases.push(`              return ${idx(p.next!)};`);
    });
    untypedCases.push('          }');
    untypedCases.push('          r.readAttribute();');
    untypedCases.push('          return s;');
  });
  if (untypedCases.length) {
    out('      switch (s) {');
    for (const l of untypedCases) out(l);
    out('      }');
  }
  out('      if (r.attributeIndex(0) === 0) r.readAttribute();');
  out('      return s;');
  // A start-tag state that offers only attributes still owes a required one: content arriving by deviation there would
  // yield a value without it, which no schema-valid document has (found by `npm run fuzz:exi`).
  const owing = order.flatMap((st, i) => (st.kind !== 'content' && st.productions.every((p) => p.event.kind === 'AT' || p.event.kind === 'AT_ANY' || p.event.kind === 'AT_NS') ? [i] : []));
  const owingCheck = owing.length ? `      if (${owing.map((i) => `s === ${i}`).join(' || ')}) throw r.endsEarly(EXPECTED_${name}[s]!);` : undefined;
  out('    case DEV_SE_ANY:');
  if (owingCheck) out(owingCheck);
  out('      r.skipElement();');
  out(`      return ${deviationTargetExpr()};`);
  out('    default:');
  if (owingCheck) out(owingCheck);
  if (t.content.kind === 'simple') {
    out(`      o.value = r.untypedAs(${m.datatypeConst(datatypeOf(t.content.type))}) as ${scope.simpleTsType(t.content.type)};`);
  } else {
    out('      r.untypedValue();');
  }
  out(`      return ${deviationTargetExpr()};`);
  out('  }');
  out('}');
  out('');

  function deviationTargetExpr(): string {
    // Group states by target: content states stay where they are.
    const byTarget = new Map<string, number[]>();
    order.forEach((_, i) => {
      const tgt = deviationTarget(i);
      if (tgt === 's') return;
      const list = byTarget.get(tgt) ?? [];
      list.push(i);
      byTarget.set(tgt, list);
    });
    let expr = 's';
    for (const [tgt, states] of [...byTarget].reverse()) {
      expr = `${states.map((x) => `s === ${x}`).join(' || ')} ? ${tgt} : ${expr}`;
    }
    return expr;
  }

  // ---- encoder ----
  const arrays = fields.filter((f): f is ElementField | (Field & { kind: 'any'; array: true }) => (f.kind === 'element' || f.kind === 'any') && f.array);
  const skippables = fields.filter((f) => (f.kind === 'element' || f.kind === 'any') && !f.array && f.skippable);
  m.runtime('ExiWriter', 'notAnObject', 'excessItems', 'choiceConflict');
  out(`export function encode${name}(w: ExiWriter, o: ${name}): void {`);
  out(`  if (typeof o !== 'object' || o === null) throw notAnObject(o);`);
  out('  let s = 0;');
  out("  let f = '';");
  for (const f of arrays) out(`  let i_${f.name} = 0;`);
  if (skippables.length) out('  let k = 0;');
  out('  try {');
  out('    for (;;) {');
  out("      f = '';");
  out('      switch (s) {');
  // The encoder only walks what its own productions reach.
  const reachable = new Set<State>();
  const walk = [g.first];
  while (walk.length) {
    const x = walk.pop()!;
    if (reachable.has(x)) continue;
    reachable.add(x);
    for (const v of [x.productions, x.belowMin ?? [], x.atMax ?? []]) for (const p of v) if (p.next && p.event.kind !== 'CH_ANY') walk.push(p.next);
  }
  order.slice(0, mainCount).forEach((s, i) => {
    if (!reachable.has(s)) return;
    out(`        case ${i}: {`);
    out(`          // ${s.label}`);
    if (!s.counted) emitEncodeVariant(s.productions, '          ', undefined, s);
    else {
      const f = fieldOf(s.counted.element);
      if (s.belowMin) {
        out(`          if (i_${f.name} < ${s.counted.min}) {`);
        emitEncodeVariant(s.belowMin, '            ', `at least ${s.counted.min} required`, s);
        out('          }');
      }
      if (s.atMax) {
        out(`          if (i_${f.name} >= ${s.counted.max}) {`);
        emitEncodeVariant(s.atMax, '            ', undefined, s);
        out('          }');
      }
      emitEncodeVariant(s.productions, '          ', undefined, s);
    }
    out('        }');
  });
  closeStateMachine();

  function emitEncodeVariant(ps: readonly Production[], ind: string, missingDetail?: string, from?: State): void {
    const bits = bitsFor(ps.length + 1);
    const coded = ps.map((p, code) => ({ p, code }));
    // Which field to place next when several may follow: the same element again where the grammar repeats it as a
    // unit, else the next one in document order, and only then back to the start of a repeated sequence.
    const here = from?.position;
    const rank = (p: Production): number => {
      switch (p.event.kind) {
        case 'AT':
          return -1;
        case 'SE':
        case 'SE_ANY':
        case 'SE_NS': {
          const to = p.next?.position ?? 0;
          if (here === undefined) return to;
          if (p.next === from && from?.preferSelf) return 0;
          return to > here ? 1 + to : 1e5 + to;
        }
        case 'CH':
          return 1e6;
        default:
          return 2e6;
      }
    };
    const candidates = coded.filter(({ p }) => p.event.kind !== 'EE' && p.event.kind !== 'CH_ANY' && !(p.event.kind === 'SE' && p.event.element.abstract)).sort((a, b) => rank(a.p) - rank(b.p) || a.code - b.code);
    const names: string[] = [];
    for (const { p, code } of candidates) {
      const e = p.event;
      const next = p.next ? `s = ${idx(p.next)};` : '';
      let f: Field;
      let guard: string;
      let value: string;
      if (e.kind === 'AT') {
        f = fieldOf(e.use.name.local);
        guard = `o.${f.name} !== undefined`;
        value = `o.${f.name}`;
      } else if (e.kind === 'CH') {
        f = fieldOf('value');
        guard = 'o.value !== undefined';
        value = 'o.value';
      } else {
        f = e.kind === 'SE' ? fieldOf(e.element) : fieldOf('any');
        if ((f.kind === 'element' || f.kind === 'any') && f.array) {
          guard = `o.${f.name} !== undefined && i_${f.name} < o.${f.name}.length`;
          value = `o.${f.name}[i_${f.name}++]!`;
        } else {
          guard = `o.${f.name} !== undefined`;
          value = `o.${f.name}`;
        }
      }
      names.push(f.name);
      const body = [`f = '${f.name}';`, `w.bits(${code}, ${bits});`, encodeValue(p, value)];
      if ((f.kind === 'element' || f.kind === 'any') && !f.array && f.skippable) body.push('k++;');
      if (next) body.push(next);
      body.push('continue;');
      out(`${ind}if (${guard}) { ${body.join(' ')} }`);
    }
    const ee = coded.find(({ p }) => p.event.kind === 'EE');
    if (ee) {
      for (const f of arrays) out(`${ind}if (o.${f.name} !== undefined && i_${f.name} !== o.${f.name}.length) throw excessItems('${f.name}', o.${f.name}, i_${f.name});`);
      if (skippables.length) {
        const count = skippables.map((f) => `(o.${f.name} !== undefined ? 1 : 0)`).join(' + ');
        out(`${ind}if (k !== ${count}) throw choiceConflict(o, [${skippables.map((f) => `'${f.name}'`).join(', ')}]);`);
      }
      out(`${ind}w.bits(${ee.code}, ${bits});`);
      out(`${ind}return;`);
    } else if (names.length === 1) {
      out(`${ind}throw missingField('${names[0]}'${missingDetail ? `, '${missingDetail}'` : ''});`);
    } else {
      out(`${ind}throw new ExiError('missing', ${JSON.stringify(`one of ${names.join(', ')} is required`)});`);
    }
  }

  function encodeValue(p: Production, v: string): string {
    const e = p.event;
    switch (e.kind) {
      case 'AT':
        return writeStmt(scope, e.use.type, v);
      case 'CH':
        return writeStmt(scope, e.type, v);
      case 'SE': {
        const et = e.element.type();
        if (et.kind === 'simple') return `${m.simpleElementEncoder(datatypeOf(et))}(w, ${v});`;
        return `encode${scope.typeName(et)}(w, ${v});`;
      }
      case 'SE_ANY':
        return `w.anyElement(${v});`;
      case 'SE_NS':
        return `w.anyElement(${v}, ${JSON.stringify(e.ns)});`;
      default:
        throw new Error(`${name}: cannot encode ${e.kind}`);
    }
  }

  // ---- JSON shape ----
  const shape = `{ ${fields.map((f) => `${JSON.stringify(f.name)}: ${JSON.stringify(fieldShape(f, scope))}`).join(', ')} }`;
  return { code: lines.join('\n'), shape };
}

function fieldLookup(typeName: string, fields: readonly Field[]): (key: string | ElementDecl) => Field {
  return (key) => {
    const f =
      typeof key === 'string'
        ? fields.find((x) => x.name === key)
        : fields.find((x) => x.kind === 'element' && qkey(x.element.name) === qkey(key.name));
    if (!f) throw new Error(`${typeName}: no field for ${typeof key === 'string' ? key : key.name.local}`);
    return f;
  };
}

export function isRequired(f: Field): boolean {
  if (f.kind === 'value') return true;
  if (f.kind === 'any') return false;
  return f.required;
}

function fieldTsType(f: Field, scope: TypeScope): string {
  let base: string;
  let array = false;
  switch (f.kind) {
    case 'attribute':
      base = scope.simpleTsType(f.use.type);
      break;
    case 'value':
      base = scope.simpleTsType(f.type);
      break;
    case 'any':
      scope.module.runtimeType('AnyElement');
      base = 'AnyElement';
      array = f.array;
      break;
    case 'element': {
      const et = f.element.type();
      base = et.kind === 'simple' ? scope.simpleTsType(et) : scope.typeName(et);
      array = f.array;
      break;
    }
  }
  if (!array) return base;
  return base.includes('|') ? `(${base})[]` : `${base}[]`;
}

function propDoc(f: Field): string {
  const parts: string[] = [];
  if (f.kind === 'attribute') parts.push('attribute', describe(datatypeOf(f.use.type), f.use.type.builtin));
  if (f.kind === 'value') parts.push('simple content', describe(datatypeOf(f.type), f.type.builtin));
  if (f.kind === 'element') {
    const et = f.element.type();
    if (et.kind === 'simple') parts.push(describe(datatypeOf(et), et.builtin));
    if (f.array && f.max > 1) parts.push(`at most ${f.max} items`);
    if (f.array && f.min > 1) parts.push(`at least ${f.min} items`);
    if (f.element.abstract) parts.push('abstract');
  }
  if (f.kind === 'any') parts.push(`wildcard (${typeof f.wildcard.namespace === 'string' ? f.wildcard.namespace : f.wildcard.namespace.join(' ')})`);
  const text = parts.filter(Boolean).join('; ');
  return text ? `/** ${text} */ ` : '';
}

function fieldShape(f: Field, scope: TypeScope): string {
  switch (f.kind) {
    case 'attribute':
      return shapeOf(datatypeOf(f.use.type));
    case 'value':
      return shapeOf(datatypeOf(f.type));
    case 'any':
      return f.array ? '[0,-1]a' : 'a';
    case 'element': {
      const et = f.element.type();
      const s = et.kind === 'simple' ? shapeOf(datatypeOf(et)) : `@${scope.typeName(et)}`;
      return f.array ? `[${f.min},${f.max}]${s}` : s;
    }
  }
}

export function readExpr(scope: TypeScope, t: SimpleType): string {
  const dt = datatypeOf(t);
  return readDatatype(scope.module, dt);
}

export function readDatatype(m: ModuleBuilder, dt: Datatype): string {
  switch (dt.kind) {
    case 'boolean':
      return 'r.bool()';
    case 'binary':
      return `r.binaryIn(${dt.min}, ${dt.max})`;
    case 'nbit':
      return `r.nbit(${dt.bits}, ${dt.min}, ${dt.max})`;
    case 'uint':
      return `r.uintIn(${dt.min}, ${dt.max})`;
    case 'int':
      return `r.intIn(${dt.min}, ${dt.max})`;
    case 'ubig':
      return `r.uintBigIn(${dt.octets}, ${big(dt.min)}, ${big(dt.max)})`;
    case 'ibig':
      return `r.intBigIn(${dt.octets}, ${big(dt.min)}, ${big(dt.max)})`;
    case 'enum':
      return `${m.enumTable(dt)}[r.enumIndex(${dt.bits}, ${dt.values.length})]!`;
    case 'string':
      return `r.stringIn(${dt.min}, ${dt.max})`;
  }
}

export function writeStmt(scope: TypeScope, t: SimpleType, v: string): string {
  return writeDatatype(scope.module, datatypeOf(t), v);
}

export function writeDatatype(m: ModuleBuilder, dt: Datatype, v: string): string {
  switch (dt.kind) {
    case 'boolean':
      return `w.boolIn(${v});`;
    case 'binary':
      return `w.binaryIn(${v}, ${dt.min}, ${dt.max});`;
    case 'nbit':
      return `w.nbit(${v}, ${dt.bits}, ${dt.min}, ${dt.max});`;
    case 'uint':
      return `w.uintIn(${v}, ${dt.min}, ${dt.max});`;
    case 'int':
      return `w.intIn(${v}, ${dt.min}, ${dt.max});`;
    case 'ubig':
      return `w.uintBigIn(${v}, ${big(dt.min)}, ${big(dt.max)});`;
    case 'ibig':
      return `w.intBigIn(${v}, ${big(dt.min)}, ${big(dt.max)});`;
    case 'enum':
      return `w.enumIn(${v}, ${m.enumIndex(dt)}, ${dt.bits});`;
    case 'string':
      return `w.stringIn(${v}, ${dt.min}, ${dt.max});`;
  }
}

export function big(v: bigint | undefined): string {
  return v === undefined ? 'undefined' : `${v}n`;
}

export { tsTypeOf };
