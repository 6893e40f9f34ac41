// Seed streams for fuzzing: the public vectors, and valid random messages of every schema set (documents and the
// fragments signatures use) so that mutations reach deep into every grammar.
import { readFileSync } from 'node:fs';
import { schemaCodec, SCHEMA_NAMES } from '../../src/exi/index.js';
import type { Seed } from './mutator.js';
import { randomValue } from './randomInstance.js';

interface Vector {
  readonly schema: string;
  readonly hex: string;
}

export function vectorSeeds(): Seed[] {
  const vectors = JSON.parse(readFileSync(new URL('../../test/exi/fixtures/vectors.json', import.meta.url), 'utf8')) as Vector[];
  return vectors.map((v) => {
    const fragment = v.schema.includes('fragment');
    const schema = fragment ? (v.schema.startsWith('xmldsig') ? 'xmldsig' : 'iso2') : v.schema;
    return { schema, fragment, bytes: Uint8Array.from(Buffer.from(v.hex, 'hex')) };
  });
}

/** `perSet` random documents per schema set (roots drawn in turn from its global elements), plus fragments. */
export function randomSeeds(perSet: number, seed = 1): Seed[] {
  const out: Seed[] = [];
  for (const name of SCHEMA_NAMES) {
    const codec = schemaCodec(name);
    const entries = codec.schema.document.entries;
    for (let i = 0; i < perSet; i++) {
      const e = entries[(i * 7 + seed) % entries.length]!;
      const v = randomValue(codec.schema, e, seed * 1_000_003 + i, { maxValueLength: 16 });
      out.push({ schema: name, fragment: false, bytes: codec.encode({ [e.key]: v }) });
    }
    const frags = codec.schema.fragment.entries;
    for (let i = 0; i < Math.max(1, perSet >> 2); i++) {
      const e = frags[(i * 13 + seed) % frags.length]!;
      const v = randomValue(codec.schema, e, seed * 7_000_003 + i, { maxValueLength: 16 });
      out.push({ schema: name, fragment: true, bytes: codec.encodeFragment([{ [e.key]: v }]) });
    }
  }
  return out;
}
