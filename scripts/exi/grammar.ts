// Schema-informed EXI grammars (EXI 1.0 §8.5) for the non-strict ISO 15118 profile: type grammars from complex and
// simple types, the document grammar, the fragment grammar and the element fragment grammar.
//
// Content models become position automata (Glushkov): XML Schema's Unique Particle Attribution makes them
// deterministic, so each content state is "the particle just read". A particle with bounded maxOccurs > 1 keeps one
// state with a counter (the EXI spec unrolls it; the unrolled states differ only in whether the element may repeat and
// whether the content may end, which the counter decides), so maxOccurs="1024" costs one state, not 1024.
import {
  compareQName,
  qkey,
  type AttributeUse,
  type ComplexType,
  type ElementDecl,
  type ModelGroup,
  type Particle,
  type QName,
  type SchemaSet,
  type SimpleType,
  type Type,
  type Wildcard,
} from './xsdModel.js';

export type Event =
  | { readonly kind: 'AT'; readonly use: AttributeUse }
  | { readonly kind: 'AT_NS'; readonly ns: string }
  | { readonly kind: 'AT_ANY' }
  | { readonly kind: 'SE'; readonly element: ElementDecl }
  | { readonly kind: 'SE_NS'; readonly ns: string }
  | { readonly kind: 'SE_ANY' }
  | { readonly kind: 'EE' }
  | { readonly kind: 'CH'; readonly type: SimpleType }
  | { readonly kind: 'CH_ANY' };

/** EXI 1.0 §8.5.4.3 event code order: AT(qname) sorted, AT(uri:*), AT(*), SE(qname) in schema order, SE(uri:*), SE(*), EE, CH. */
const KIND_ORDER: Record<Event['kind'], number> = { AT: 0, AT_NS: 1, AT_ANY: 2, SE: 3, SE_NS: 4, SE_ANY: 5, EE: 6, CH: 7, CH_ANY: 8 };

export interface Production {
  readonly event: Event;
  /** Undefined for EE (the element ends). */
  readonly next?: State;
  /** For SE into a counted position: the counter starts (entering) or steps (self-loop). */
  readonly counter?: 'start' | 'step';
}

/** FirstStartTag / StartTag / ElementContent decide the second-level (non-strict) productions. */
export type StateKind = 'first' | 'start' | 'content';

export interface Counted {
  /** The element position whose occurrences are counted (the array length of its field). */
  readonly element: ElementDecl;
  readonly min: number;
  /** -1 unbounded. */
  readonly max: number;
}

export interface State {
  readonly id: number;
  readonly kind: StateKind;
  /**
   * Productions in event-code order. A counted state has three variants: below min (only the repetition),
   * between (repetition and what follows), at max (only what follows); `productions` is the "between" variant.
   */
  productions: Production[];
  counted?: Counted;
  belowMin?: Production[];
  atMax?: Production[];
  /** Debug label. */
  label: string;
  /** For a content state: the index of its particle in document order (encoders emit fields in this order). */
  position?: number;
  /** An encoder in this state repeats the same element before moving on (its own maxOccurs, or a choice loop). */
  preferSelf?: boolean;
}

export interface TypeGrammar {
  readonly type: Type;
  readonly first: State;
  readonly states: State[];
  /** ElementContent entry used by undeclared SE(*)/CH from the start tag (EXI 1.0 §8.5.4.4.1). */
  readonly content: State;
  /** TypeEmpty: attributes then EE, for xsi:nil="true". */
  readonly empty: State;
  /** The content state of TypeEmpty (where SE(*) and CH deviations of its start tag lead). */
  readonly emptyContent: State;
  /** Attribute uses in event order (AT-untyped indexes them). */
  readonly attributes: readonly AttributeUse[];
}

export class GrammarError extends Error {
  override readonly name = 'GrammarError';
}

export function sortProductions(ps: Production[]): Production[] {
  // Stable: SE productions keep their schema order.
  return ps
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      const ka = KIND_ORDER[a.p.event.kind];
      const kb = KIND_ORDER[b.p.event.kind];
      if (ka !== kb) return ka - kb;
      if (a.p.event.kind === 'AT' && b.p.event.kind === 'AT') return compareQName(a.p.event.use.name, b.p.event.use.name);
      if (a.p.event.kind === 'AT_NS' && b.p.event.kind === 'AT_NS') return a.p.event.ns < b.p.event.ns ? -1 : 1;
      return a.i - b.i;
    })
    .map((x) => x.p);
}

export function eventKey(e: Event): string {
  switch (e.kind) {
    case 'AT':
      return `AT${qkey(e.use.name)}`;
    case 'SE':
      return `SE${qkey(e.element.name)}`;
    case 'AT_NS':
    case 'SE_NS':
      return `${e.kind}{${e.ns}}`;
    default:
      return e.kind;
  }
}

interface Position {
  readonly index: number;
  readonly term: ElementDecl | Wildcard;
  readonly min: number;
  readonly max: number;
  /** First-occurrence order of this position's element among the content model's leaves (Xerces elemMap). */
  order: number;
  /**
   * Set for a position inside a repeated group: whether every element of that group can begin an iteration (a choice
   * loop, where an encoder best repeats the same element) or not (a sequence loop, where it must move on first).
   */
  choiceLoop?: boolean;
}

interface Glushkov {
  nullable: boolean;
  first: Set<Position>;
  last: Set<Position>;
}

export class GrammarBuilder {
  private nextStateId = 0;
  private readonly typeGrammars = new Map<Type, TypeGrammar>();

  constructor(readonly schema: SchemaSet) {}

  private state(kind: StateKind, label: string, productions: Production[] = []): State {
    return { id: this.nextStateId++, kind, productions, label };
  }

  /** SE events for an element particle: the element and its substitution group, sorted by qname (EXIficient order). */
  elementEvents(el: ElementDecl): ElementDecl[] {
    const members = [el, ...this.schema.substitutionMembers(el)];
    return members.sort((a, b) => compareQName(a.name, b.name));
  }

  typeGrammar(type: Type): TypeGrammar {
    let g = this.typeGrammars.get(type);
    if (!g) {
      g = type.kind === 'simple' ? this.simpleTypeGrammar(type) : this.complexTypeGrammar(type);
      this.typeGrammars.set(type, g);
    }
    return g;
  }

  get allTypeGrammars(): TypeGrammar[] {
    return [...this.typeGrammars.values()];
  }

  private simpleTypeGrammar(type: SimpleType): TypeGrammar {
    const end = this.state('content', `${label(type)}:end`, [{ event: { kind: 'EE' } }]);
    const content = this.state('content', `${label(type)}:value`, [{ event: { kind: 'CH', type }, next: end }]);
    const first = this.state('first', `${label(type)}:first`, [...content.productions]);
    const empty = this.state('first', `${label(type)}:empty`, [{ event: { kind: 'EE' } }]);
    return { type, first, states: [first, content, end], content, empty, emptyContent: empty, attributes: [] };
  }

  private complexTypeGrammar(type: ComplexType): TypeGrammar {
    const states: State[] = [];
    let c0: State;
    switch (type.content.kind) {
      case 'empty':
        c0 = this.state('content', `${label(type)}:empty`, [{ event: { kind: 'EE' } }]);
        states.push(c0);
        break;
      case 'simple': {
        const end = this.state('content', `${label(type)}:end`, [{ event: { kind: 'EE' } }]);
        c0 = this.state('content', `${label(type)}:value`, [{ event: { kind: 'CH', type: type.content.type }, next: end }]);
        states.push(c0, end);
        break;
      }
      case 'element':
        c0 = this.contentModel(type, type.content.particle, type.content.mixed, states);
        break;
    }
    const attributes = [...type.attributes].sort((a, b) => compareQName(a.name, b.name));
    const first = this.attributeStates(type, attributes, c0, states);
    const emptyEnd = this.state('content', `${label(type)}:nil-end`, [{ event: { kind: 'EE' } }]);
    const empty = this.attributeStates(type, attributes, emptyEnd, []);
    return { type, first, states: [first, ...states.filter((s) => s !== first)], content: c0, empty, emptyContent: emptyEnd, attributes };
  }

  /** EXI 1.0 §8.5.4.1.3.1 attribute uses, as EXIficient builds them: a start-tag state per attribute, optional ones joined. */
  private attributeStates(type: ComplexType, attributes: readonly AttributeUse[], c0: State, states: State[]): State {
    const wildcard = type.attributeWildcard;
    const wildcardEvents = (): Event[] => {
      if (!wildcard) return [];
      if (wildcard.namespace === '##any' || wildcard.namespace === '##other') return [{ kind: 'AT_ANY' }];
      return wildcard.namespace.map((ns) => ({ kind: 'AT_NS', ns }) as const);
    };
    let ruleStart = this.state('start', `${label(type)}:attrs-done`, [...c0.productions]);
    for (const e of wildcardEvents()) ruleStart.productions.push({ event: e, next: ruleStart });
    ruleStart.productions = sortProductions(ruleStart.productions);
    states.push(ruleStart);
    for (let i = attributes.length - 1; i >= 0; i--) {
      const use = attributes[i]!;
      const current = this.state('start', `${label(type)}:@${use.name.local}`, [{ event: { kind: 'AT', use }, next: ruleStart }]);
      for (const e of wildcardEvents()) current.productions.push({ event: e, next: current });
      if (!use.required) {
        for (const p of ruleStart.productions) if (p.event.kind !== 'AT_ANY' && p.event.kind !== 'AT_NS') current.productions.push(p);
      }
      current.productions = sortProductions(current.productions);
      states.push(current);
      ruleStart = current;
    }
    const first = this.state('first', `${label(type)}:first`, [...ruleStart.productions]);
    return first;
  }

  /** Glushkov automaton of a content model; returns the content start state. */
  private contentModel(type: ComplexType, root: Particle, mixed: boolean, states: State[]): State {
    const positions: Position[] = [];
    const follow = new Map<Position, Set<Position>>();
    const orderOf = new Map<string, number>();

    const build = (p: Particle): Glushkov => {
      const t = p.term;
      if (t.kind === 'element' || t.kind === 'wildcard') {
        const key = t.kind === 'element' ? qkey(t.name) : `*${JSON.stringify(t.namespace)}`;
        if (!orderOf.has(key)) orderOf.set(key, orderOf.size);
        const pos: Position = { index: positions.length, term: t, min: p.min, max: p.max, order: orderOf.get(key)! };
        positions.push(pos);
        follow.set(pos, new Set());
        if (p.max === 0) return { nullable: true, first: new Set(), last: new Set() };
        return { nullable: p.min === 0, first: new Set([pos]), last: new Set([pos]) };
      }
      const before = positions.length;
      const g = this.group(t, build, follow);
      if (p.max === -1) {
        const inside = positions.slice(before).filter((x) => x.max !== 0);
        const choiceLoop = inside.every((x) => g.first.has(x));
        for (const x of inside) x.choiceLoop ??= choiceLoop;
      }
      if (p.max !== 1 && p.max !== -1) throw new GrammarError(`${label(type)}: a model group with maxOccurs=${p.max} is not supported`);
      if (p.min > 1) throw new GrammarError(`${label(type)}: a model group with minOccurs=${p.min} is not supported`);
      if (p.max === -1) for (const x of g.last) for (const y of g.first) follow.get(x)!.add(y);
      return { nullable: g.nullable || p.min === 0, first: g.first, last: g.last };
    };
    const rootG = build(root);

    const stateOf = new Map<Position, State>();
    for (const pos of positions) {
      const name = pos.term.kind === 'element' ? pos.term.name.local : '*';
      const s = this.state('content', `${label(type)}:${name}#${pos.index}`);
      s.position = pos.index;
      s.preferSelf = pos.max !== 1 || pos.choiceLoop === true;
      stateOf.set(pos, s);
    }
    const start = this.state('content', `${label(type)}:content`);

    const transitions = (targets: Iterable<Position>, from?: Position): Production[] => {
      const sorted = [...targets].sort((a, b) => a.order - b.order || a.index - b.index);
      const out: Production[] = [];
      const seen = new Map<string, State | undefined>();
      for (const target of sorted) {
        const next = stateOf.get(target)!;
        const counter = counted(target) ? (target === from ? 'step' : 'start') : undefined;
        const events: Event[] =
          target.term.kind === 'element'
            ? this.elementEvents(target.term).map((element) => ({ kind: 'SE', element }) as const)
            : wildcardSeEvents(target.term);
        for (const event of events) {
          const key = eventKey(event);
          if (seen.has(key)) {
            if (seen.get(key) !== next) throw new GrammarError(`${label(type)}: content model is not deterministic at ${key}`);
            continue;
          }
          seen.set(key, next);
          out.push({ event, next, ...(counter ? { counter } : {}) });
        }
      }
      return out;
    };
    const finish = (s: State, ps: Production[], accepting: boolean): Production[] => {
      const all = [...ps];
      if (accepting) all.push({ event: { kind: 'EE' } });
      if (mixed) all.push({ event: { kind: 'CH_ANY' }, next: s });
      return sortProductions(all);
    };

    start.productions = finish(start, transitions(rootG.first), rootG.nullable);
    states.push(start);
    for (const pos of positions) {
      const s = stateOf.get(pos)!;
      const repeats = pos.max === -1 || pos.max > 1;
      const self = repeats ? [pos] : [];
      const onward = [...follow.get(pos)!];
      const accepting = rootG.last.has(pos);
      if (counted(pos)) {
        if (onward.includes(pos)) throw new GrammarError(`${label(type)}: counted particle inside a repeated group`);
        s.counted = { element: pos.term as ElementDecl, min: Math.max(pos.min, 1), max: pos.max };
        s.productions = finish(s, transitions([...self, ...onward], pos), accepting);
        if (pos.min > 1) s.belowMin = finish(s, transitions(self, pos), false);
        if (pos.max !== -1) s.atMax = finish(s, transitions(onward, pos), accepting);
      } else {
        s.productions = finish(s, transitions([...self, ...onward], pos), accepting);
      }
      states.push(s);
    }
    return start;
  }

  private group(g: ModelGroup, build: (p: Particle) => Glushkov, follow: Map<Position, Set<Position>>): Glushkov {
    const parts = g.particles.map(build);
    if (g.kind === 'all') throw new GrammarError('xs:all is not supported');
    if (g.kind === 'choice') {
      return {
        nullable: parts.length === 0 || parts.some((p) => p.nullable),
        first: union(parts.map((p) => p.first)),
        last: union(parts.map((p) => p.last)),
      };
    }
    // sequence
    for (let i = 0; i < parts.length - 1; i++) {
      const after = new Set<Position>();
      for (let j = i + 1; j < parts.length; j++) {
        for (const x of parts[j]!.first) after.add(x);
        if (!parts[j]!.nullable) break;
      }
      for (const x of parts[i]!.last) for (const y of after) follow.get(x)!.add(y);
    }
    const first = new Set<Position>();
    for (const p of parts) {
      for (const x of p.first) first.add(x);
      if (!p.nullable) break;
    }
    const last = new Set<Position>();
    for (let i = parts.length - 1; i >= 0; i--) {
      for (const x of parts[i]!.last) last.add(x);
      if (!parts[i]!.nullable) break;
    }
    return { nullable: parts.every((p) => p.nullable), first, last };
  }
}

/** A position needs a counter when its repetition is bounded above 1, or its minimum is above 1. */
function counted(p: Position): boolean {
  return p.term.kind === 'element' && ((p.max > 1 && p.max !== -1) || p.min > 1);
}

function wildcardSeEvents(w: Wildcard): Event[] {
  if (w.namespace === '##any' || w.namespace === '##other') return [{ kind: 'SE_ANY' }];
  return w.namespace.map((ns) => ({ kind: 'SE_NS', ns }) as const);
}

function union<T>(sets: readonly Set<T>[]): Set<T> {
  const out = new Set<T>();
  for (const s of sets) for (const x of s) out.add(x);
  return out;
}

export function label(t: Type): string {
  return t.name ? t.name.local : `anonymous#${t.kind === 'complex' ? t.id : 'simple'}`;
}

/** ceil(log2(n)): bits for n distinct codes (0 for n ≤ 1). */
export function bitsFor(n: number): number {
  let b = 0;
  while (1 << b < n) b++;
  return b;
}

/** First-level code width of an element grammar state in non-strict mode: productions + the second-level escape. */
export function firstLevelBits(productions: readonly Production[]): number {
  return bitsFor(productions.length + 1);
}

/** Second-level productions of a state (EXIficient FidelityOptions with prefixes, SC, DTD, CM and PI off). */
export function secondLevel(kind: StateKind, hasEE: boolean): string[] {
  const ee = hasEE ? [] : ['EE'];
  if (kind === 'first') return [...ee, 'XSI_TYPE', 'XSI_NIL', 'AT_ANY', 'AT_UNTYPED', 'SE_ANY', 'CH_ANY'];
  if (kind === 'start') return [...ee, 'AT_ANY', 'AT_UNTYPED', 'SE_ANY', 'CH_ANY'];
  return [...ee, 'SE_ANY', 'CH_ANY'];
}

export interface DocumentGrammar {
  /** Global elements sorted by qname; SE(*) follows them. */
  readonly elements: readonly ElementDecl[];
  readonly bits: number;
}

/** EXI 1.0 §8.5.1 DocContent: SE(G_0) … SE(G_n-1), SE(*); no second level without DTD/CM/PI. */
export function documentGrammar(schema: SchemaSet): DocumentGrammar {
  const elements = schema.globalElementDecls.sort((a, b) => compareQName(a.name, b.name));
  return { elements, bits: bitsFor(elements.length + 1) };
}

export interface FragmentEntry {
  readonly name: QName;
  /** The declaration whose grammar applies, or undefined for the element fragment grammar (EXI 1.0 §8.5.3). */
  readonly element?: ElementDecl;
}

export interface FragmentGrammar {
  readonly entries: readonly FragmentEntry[];
  /** SE(F_0..F_m-1), SE(*), ED. */
  readonly bits: number;
  readonly attributes: readonly { readonly name: QName; readonly type?: SimpleType }[];
}

/** EXI 1.0 §8.5.2 fragment grammar over every unique element qname of the schema set (global and local). */
export function fragmentGrammar(schema: SchemaSet): FragmentGrammar {
  const byName = new Map<string, ElementDecl[]>();
  for (const e of schema.allElements) {
    const k = qkey(e.name);
    const list = byName.get(k);
    if (list) list.push(e);
    else byName.set(k, [e]);
  }
  const entries: FragmentEntry[] = [...byName.values()]
    .map((decls) => {
      const e0 = decls[0]!;
      const same = decls.every((d) => {
        const t0 = e0.type();
        const t = d.type();
        return t0.name !== undefined && t.name !== undefined && qkey(t0.name) === qkey(t.name) && d.nillable === e0.nillable;
      });
      return decls.length === 1 || same ? { name: e0.name, element: e0 } : { name: e0.name };
    })
    .sort((a, b) => compareQName(a.name, b.name));
  // Attributes of the element fragment grammar: every unique attribute qname, typed if all its declarations agree.
  const attrs = new Map<string, { name: QName; types: Set<SimpleType> }>();
  for (const a of schema.allAttributes) {
    const k = qkey(a.name);
    const entry = attrs.get(k) ?? { name: a.name, types: new Set<SimpleType>() };
    entry.types.add(a.type);
    attrs.set(k, entry);
  }
  const attributes = [...attrs.values()]
    .sort((a, b) => compareQName(a.name, b.name))
    .map((a) => (a.types.size === 1 ? { name: a.name, type: [...a.types][0]! } : { name: a.name }));
  return { entries, bits: bitsFor(entries.length + 2), attributes };
}
