// Robustness: on any bytes the decoders return a value or a typed ExiError — never another exception, never a hang.
// 100k mutations of the public vectors and of random valid messages of every schema set; a decoded mutant must also
// survive its own round trip (encode, decode, same value).
import { describe, expect, it } from 'vitest';
import { schemaCodec, ExiError, type SchemaCodec } from '../../src/exi/index.js';
import { randomSeeds, vectorSeeds } from '../../scripts/exi/fuzzCorpus.js';
import { mulberry32, mutate, type Seed } from '../../scripts/exi/mutator.js';

const MUTATIONS = 100_000;

function decode(codec: SchemaCodec, seed: Seed, bytes: Uint8Array): unknown {
  return seed.fragment ? codec.decodeFragment(bytes) : codec.decode(bytes);
}

describe('fuzzing the decoders', () => {
  it(`${MUTATIONS} mutated streams: a value or an ExiError, and decoded values round-trip`, () => {
    const corpus = [...vectorSeeds(), ...randomSeeds(12)];
    const codecs = new Map(corpus.map((s) => [s.schema, schemaCodec(s.schema)]));
    const random = mulberry32(20261124);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < MUTATIONS; i++) {
      const seed = corpus[i % corpus.length]!;
      const other = corpus[Math.floor(random() * corpus.length)]!;
      const bytes = mutate(seed.bytes, other.bytes, random);
      const codec = codecs.get(seed.schema)!;
      let value: unknown;
      try {
        value = decode(codec, seed, bytes);
      } catch (e) {
        if (!(e instanceof ExiError)) throw new Error(`${seed.schema} ${Buffer.from(bytes).toString('hex')}: ${String(e)}`);
        outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
        continue;
      }
      outcomes.set('decoded', (outcomes.get('decoded') ?? 0) + 1);
      // What the decoder accepted is a valid value: it encodes, and decodes back to itself.
      const again = seed.fragment ? codec.encodeFragment(value as Record<string, unknown>[]) : codec.encode(value);
      expect(decode(codec, seed, again), Buffer.from(bytes).toString('hex')).toEqual(value);
    }
    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(MUTATIONS);
    // Both outcomes occur in quantity: the mutations are neither all fatal nor all harmless.
    expect(outcomes.get('decoded') ?? 0).toBeGreaterThan(MUTATIONS / 100);
    expect(outcomes.get('eof') ?? 0).toBeGreaterThan(MUTATIONS / 100);
  }, 120_000);
});
