// One generated TypeScript module: its imports (runtime and other generated modules), the value support code it needs
// (datatype descriptors, enumeration tables, simple-element codecs) and its types, in a stable order.
import { createHash } from 'node:crypto';
import { datatypeKey, tsTypeOf, type Datatype } from './datatypes.js';
import { readDatatype, writeDatatype } from './emitType.js';

export class ModuleBuilder {
  private readonly runtimeValues = new Set<string>();
  private readonly runtimeTypes = new Set<string>();
  private readonly valueImports = new Map<string, Set<string>>();
  private readonly typeImports = new Map<string, Set<string>>();
  private readonly support = new Map<string, string>();
  /** Type code by identity; a shared module receives each type from every schema set that has it. */
  readonly types = new Map<string, { name: string; code: string; shape: string }>();
  readonly aliases = new Map<string, string>();
  readonly tail: string[] = [];

  constructor(
    readonly name: string,
    readonly description: string,
  ) {}

  runtime(...symbols: string[]): void {
    for (const s of symbols) this.runtimeValues.add(s);
  }

  runtimeType(...symbols: string[]): void {
    for (const s of symbols) this.runtimeTypes.add(s);
  }

  importValue(module: string, symbol: string): void {
    if (module === this.name) return;
    const set = this.valueImports.get(module) ?? new Set<string>();
    set.add(symbol);
    this.valueImports.set(module, set);
  }

  importType(module: string, symbol: string): void {
    if (module === this.name) return;
    const set = this.typeImports.get(module) ?? new Set<string>();
    set.add(symbol);
    this.typeImports.set(module, set);
  }

  /** Identifier for a datatype: descriptive for most, a hash of the values for enumerations. */
  datatypeName(dt: Datatype): string {
    if (dt.kind === 'enum') return `enum_${createHash('sha256').update(dt.values.join('\n')).digest('hex').slice(0, 8)}`;
    return datatypeKey(dt).replace(/[^A-Za-z0-9_]/g, '_');
  }

  datatypeConst(dt: Datatype): string {
    const n = `DT_${this.datatypeName(dt)}`;
    if (!this.support.has(n)) {
      this.runtimeType('Datatype');
      this.support.set(n, `const ${n}: Datatype = ${datatypeLiteral(dt)};`);
    }
    return n;
  }

  enumTable(dt: Datatype & { kind: 'enum' }): string {
    const n = `ENUM_${this.datatypeName(dt)}`;
    if (!this.support.has(n)) this.support.set(n, `const ${n} = ${JSON.stringify(dt.values)} as const;`);
    return n;
  }

  enumIndex(dt: Datatype & { kind: 'enum' }): string {
    const n = `INDEX_${this.datatypeName(dt)}`;
    if (!this.support.has(n)) {
      this.support.set(n, `const ${n}: ReadonlyMap<string, number> = new Map(${JSON.stringify(dt.values.map((v, i) => [v, i]))});`);
    }
    return n;
  }

  /** A constant list of event codes (the abstract elements of a state, which random instance generation avoids). */
  codeList(codes: readonly number[]): string {
    const n = `CODES_${codes.join('_')}`;
    if (!this.support.has(n)) this.support.set(n, `const ${n}: readonly number[] = [${codes.join(', ')}];`);
    return n;
  }

  /** `se_x(r)`: an element of a simple type (Type_0 CH, Type_1 EE), with the escape to the interpreted deviations. */
  simpleElementDecoder(dt: Datatype): string {
    const name = this.datatypeName(dt);
    const fn = `se_${name}`;
    if (!this.support.has(fn)) {
      const dtc = this.datatypeConst(dt);
      const ts = this.valueType(dt);
      const id = JSON.stringify(`D${datatypeKey(dt)}`);
      this.runtime('ExiReader');
      const general = [
        `  if (r.code(1, 1, -1) !== 0) return r.simpleElement(${dtc}, ${id}, 0, undefined) as ${ts};`,
        `  const v = ${readDatatype(this, dt)};`,
        `  if (r.code(1, 1, 0) !== 0) return r.simpleElement(${dtc}, ${id}, 2, v) as ${ts};`,
        '  return v;',
      ];
      const width = fixedWidth(dt);
      if (width === undefined) {
        this.support.set(fn, [`function ${fn}(r: ExiReader): ${ts} {`, ...general, '}'].join('\n'));
      } else {
        // A fixed-width value: CH (0), the value and EE (0) in one read, when the stream has exactly that.
        const total = width + 2;
        const check = `(v & ${(1 << (width + 1)) | 1}) === 0`;
        const x = `(v >>> 1) & ${(1 << width) - 1}`;
        const fast =
          dt.kind === 'boolean'
            ? [`  if (${check}) {`, '    r.skip(3);', '    return (v & 2) !== 0;', '  }']
            : dt.kind === 'enum'
              ? [`  if (${check}) {`, `    const x = ${x};`, `    if (x < ${dt.values.length}) {`, `      r.skip(${total});`, `      return ${this.enumTable(dt)}[x]!;`, '    }', '  }']
              : dt.kind === 'nbit'
                ? [`  if (${check}) {`, `    const x = ${x};`, `    if (x <= ${dt.max - dt.min}) {`, `      r.skip(${total});`, `      return x + ${dt.min};`, '    }', '  }']
                : [];
        this.support.set(
          fn,
          [`function ${fn}(r: ExiReader): ${ts} {`, `  const v = r.peek(${total});`, ...fast, `  return ${fn}_general(r);`, '}', '', `function ${fn}_general(r: ExiReader): ${ts} {`, ...general, '}'].join(
            '\n',
          ),
        );
      }
    }
    return fn;
  }

  /** TS type of a datatype's values inside this module: enumerations through an alias of their value table. */
  valueType(dt: Datatype): string {
    if (dt.kind !== 'enum') return tsTypeOf(dt);
    const n = `V_${this.datatypeName(dt)}`;
    if (!this.support.has(n)) this.support.set(n, `type ${n} = (typeof ${this.enumTable(dt)})[number];`);
    return n;
  }

  simpleElementEncoder(dt: Datatype): string {
    const fn = `ee_${this.datatypeName(dt)}`;
    if (!this.support.has(fn)) {
      this.runtime('ExiWriter');
      // CH (0), the value, EE (0); fixed-width values in one write.
      const body =
        dt.kind === 'boolean'
          ? ['  w.boolElement(v);']
          : dt.kind === 'nbit'
            ? [`  w.nbitElement(v, ${dt.bits}, ${dt.min}, ${dt.max});`]
            : dt.kind === 'enum'
              ? [`  w.enumElement(v, ${this.enumIndex(dt)}, ${dt.bits});`]
              : ['  w.bits(0, 1);', `  ${writeDatatype(this, dt, 'v')}`, '  w.bits(0, 1);'];
      this.support.set(fn, [`function ${fn}(w: ExiWriter, v: unknown): void {`, ...body, '}'].join('\n'));
    }
    return fn;
  }

  render(header: string): string {
    const out: string[] = [header, ''];
    const runtimeValues = [...this.runtimeValues].sort();
    const runtimeTypes = [...this.runtimeTypes].filter((t) => !this.runtimeValues.has(t)).sort();
    if (runtimeValues.length) out.push(`import { ${runtimeValues.join(', ')} } from '../runtime/index.js';`);
    if (runtimeTypes.length) out.push(`import type { ${runtimeTypes.join(', ')} } from '../runtime/index.js';`);
    for (const [m, syms] of [...this.valueImports].sort()) out.push(`import { ${[...syms].sort().join(', ')} } from './${m}.js';`);
    for (const [m, syms] of [...this.typeImports].sort()) out.push(`import type { ${[...syms].sort().join(', ')} } from './${m}.js';`);
    out.push('');
    for (const [, code] of [...this.aliases].sort()) out.push(code);
    if (this.aliases.size) out.push('');
    for (const [, code] of [...this.support].sort()) out.push(code, '');
    const types = [...this.types.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const t of types) out.push(t.code);
    if (types.length) {
      out.push(`/** JSON shapes of the complex types of this module (see runtime/json.ts). */`);
      out.push(`export const ${this.name}Shapes: Readonly<Record<string, Readonly<Record<string, string>>>> = {`);
      for (const t of types) out.push(`  ${JSON.stringify(t.name)}: ${t.shape},`);
      out.push('};');
      out.push('');
    }
    out.push(...this.tail);
    return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
  }
}

/** Bits of a value that always takes the same width (EXI 1.0 §7.1.2, §7.1.9, §7.2), else undefined. */
function fixedWidth(dt: Datatype): number | undefined {
  if (dt.kind === 'boolean') return 1;
  if (dt.kind === 'nbit' || dt.kind === 'enum') return dt.bits;
  return undefined;
}

function datatypeLiteral(dt: Datatype): string {
  const parts = Object.entries(dt).map(([k, v]) => `${k}: ${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v)}`);
  return `{ ${parts.join(', ')} }`;
}
