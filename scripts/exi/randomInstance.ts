// Random schema-valid values of any element of a schema set, made by running the generated decoder on a reader that
// chooses events and values instead of reading them: every choice it can make is a production of the grammar and
// every value respects its facets, so the result is valid by construction — for every type, with no hand-written
// instance. `maximize` then grows arrays to maxOccurs and bytes/strings to their maximum length.
import { mulberry32 } from './mutator.js';
import { ExiReader, parseShape, type AnyElement, type ElementEntry, type SchemaRuntime, type Shapes } from '../../src/exi/runtime/index.js';

/** A seeded random source (the fuzzer's). */
export function rng(seed: number): () => number {
  return mulberry32(seed);
}

export interface RandomOptions {
  /** Events after which the reader ends every element it can (keeps unbounded content finite). */
  readonly budget?: number;
  /** Longest string / byte value generated (facets permitting). */
  readonly maxValueLength?: number;
  /** Only ASCII characters in strings (some peers support nothing else). */
  readonly ascii?: boolean;
}

const CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:./ ';
const WIDE = ['é', 'ß', '€', '中', '😀'];

export class RandomReader extends ExiReader {
  private events = 0;
  private readonly budget: number;
  private readonly maxLen: number;
  private readonly wide: boolean;

  constructor(
    schema: SchemaRuntime,
    private readonly random: () => number,
    options: RandomOptions = {},
  ) {
    super(new Uint8Array(0), schema);
    this.budget = options.budget ?? 200;
    this.maxLen = options.maxValueLength ?? 24;
    this.wide = options.ascii !== true;
  }

  private below(n: number): number {
    return Math.floor(this.random() * n);
  }

  private length(min: number, max: number): number {
    const hi = Math.min(max, min + this.maxLen);
    return min + this.below(hi - min + 1);
  }

  override code(_n: number, count: number, ee: number, abstract?: readonly number[]): number {
    this.events++;
    if (count === 0) throw new Error('a grammar state without productions');
    if (this.events > this.budget && ee >= 0) return ee;
    // Prefer ending a little: content stays small without starving optional fields.
    if (ee >= 0 && this.random() < 0.25) return ee;
    for (;;) {
      const c = this.below(count);
      if (!abstract?.includes(c)) return c;
    }
  }

  /** No look-ahead: generated fast paths fall back to their general form, which asks `code` for every event. */
  override peek(): number {
    return -1;
  }

  override bool(): boolean {
    return this.random() < 0.5;
  }

  override stringIn(min: number, max: number): string {
    const n = this.length(min, max);
    let s = '';
    for (let i = 0; i < n; i++) s += this.wide && this.random() < 0.05 ? WIDE[this.below(WIDE.length)]! : CHARS[this.below(CHARS.length)]!;
    return s;
  }

  override binaryIn(min: number, max: number): Uint8Array {
    const out = new Uint8Array(this.length(min, max));
    for (let i = 0; i < out.length; i++) out[i] = this.below(256);
    return out;
  }

  override nbit(_n: number, min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  private pick(min: number, max: number): number {
    const r = this.random();
    if (r < 0.15) return min;
    if (r < 0.3) return max;
    const span = Math.min(max - min, 1e6);
    return min + this.below(span + 1);
  }

  override uintIn(min: number, max: number): number {
    return this.pick(min, max);
  }

  override intIn(min: number, max: number): number {
    return this.pick(min, max);
  }

  private pickBig(min: bigint | undefined, max: bigint | undefined): bigint {
    const lo = min ?? -(2n ** 80n);
    const hi = max ?? 2n ** 80n;
    const r = this.random();
    if (r < 0.15) return lo;
    if (r < 0.3) return hi;
    const span = hi - lo;
    return lo + (BigInt(Math.floor(this.random() * 2 ** 52)) * span) / 2n ** 52n;
  }

  override uintBigIn(_octets: number, min: bigint | undefined, max: bigint | undefined): bigint {
    return this.pickBig(min ?? 0n, max);
  }

  override intBigIn(_octets: number, min: bigint | undefined, max: bigint | undefined): bigint {
    return this.pickBig(min, max);
  }

  override enumIndex(_n: number, count: number): number {
    return this.below(count);
  }

  override untypedValue(): string {
    return this.stringIn(0, 8);
  }

  /** A wildcard element: undeclared (built-in grammar) content with an attribute, text and a child. */
  override anyElement(uri?: string): AnyElement {
    const ns = uri ?? 'urn:example:extension';
    return {
      ns,
      local: `ext${this.below(3)}`,
      attributes: [{ ns: '', local: 'kind', value: this.stringIn(0, 6) }],
      content: [this.stringIn(1, 6), { ns, local: 'child', content: [this.stringIn(0, 4)] }],
    };
  }
}

/** A random valid value of a document or fragment entry. */
export function randomValue(schema: SchemaRuntime, entry: ElementEntry, seed: number, options?: RandomOptions): unknown {
  return entry.d(new RandomReader(schema, rng(seed), options));
}

/**
 * The same value grown to the schema's limits: every bounded array to maxOccurs (by repeating its first item), every
 * byte and string value to its maximum length (capped at `cap`).
 */
export function maximize(v: unknown, shape: string, shapes: Shapes, cap = 4096): unknown {
  const { array, item } = parseShape(shape);
  if (array) {
    const items = (v as unknown[]).map((x) => maximize(x, item, shapes, cap));
    if (array.max > 1 && items.length > 0) while (items.length < Math.min(array.max, 1024)) items.push(items[0]);
    return items;
  }
  const kind = item.charAt(0);
  if (kind === '@') {
    const fields = shapes[item.slice(1)]!;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = maximize(x, fields[k]!, shapes, cap);
    return out;
  }
  if (kind === 'b' || kind === 's') {
    const max = Math.min(Number(item.slice(1).split(',')[1]), cap);
    if (kind === 'b') {
      const b = v as Uint8Array;
      const out = new Uint8Array(Math.max(b.length, max));
      out.set(b);
      out.fill(0xa5, b.length);
      return out;
    }
    const s = v as string;
    const n = [...s].length;
    return n >= max ? s : s + 'x'.repeat(max - n);
  }
  return v;
}
