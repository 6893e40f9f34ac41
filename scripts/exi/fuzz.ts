// Long fuzzing runs of the EXI decoders (the test suite runs 100k; this runs as many as asked).
//
//   npm run fuzz:exi -- [--count 10000000] [--seed 1] [--corpus 24] [--out fuzz-findings]
//
// Every mutated stream must decode to a value or end in an ExiError; a decoded value must encode and decode back to
// itself. Reports outcomes by error code, crashes and round-trip failures (written to --out as hex, one per line),
// the slowest input, and peak memory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ExiError, schemaCodec, type SchemaCodec } from '../../src/exi/index.js';
import { randomSeeds, vectorSeeds } from './fuzzCorpus.js';
import { mulberry32, mutate, type Seed } from './mutator.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const count = option('--count', 10_000_000);
const seed = option('--seed', 1);
const perSet = option('--corpus', 24);
const outIndex = process.argv.indexOf('--out');
const outDir = resolve(outIndex >= 0 ? process.argv[outIndex + 1]! : 'fuzz-findings');

const corpus = [...vectorSeeds(), ...randomSeeds(perSet, seed)];
const codecs = new Map<string, SchemaCodec>(corpus.map((s) => [s.schema, schemaCodec(s.schema)]));
const random = mulberry32(seed);
const outcomes = new Map<string, number>();
const crashes: string[] = [];
const roundTrip: string[] = [];
/** The slowest inputs of the run; re-timed at the end, since a first measurement includes JIT warm-up and GC pauses. */
const slow: { ns: number; bytes: Uint8Array; seed: Seed }[] = [];
let peakRss = 0;
let peakHeap = 0;
const started = process.hrtime.bigint();

const decode = (codec: SchemaCodec, s: Seed, bytes: Uint8Array): unknown => (s.fragment ? codec.decodeFragment(bytes) : codec.decode(bytes));

for (let i = 0; i < count; i++) {
  const s = corpus[i % corpus.length]!;
  const bytes = mutate(s.bytes, corpus[Math.floor(random() * corpus.length)]!.bytes, random);
  const codec = codecs.get(s.schema)!;
  const line = `${s.schema}${s.fragment ? ' fragment' : ''} ${Buffer.from(bytes).toString('hex')}`;
  const t0 = process.hrtime.bigint();
  let value: unknown;
  let failed = false;
  try {
    value = decode(codec, s, bytes);
  } catch (e) {
    failed = true;
    if (e instanceof ExiError) outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
    else crashes.push(`${line} ${String(e)}`);
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (slow.length < 32 || ns > slow[slow.length - 1]!.ns) {
    slow.push({ ns, bytes, seed: s });
    slow.sort((a, b) => b.ns - a.ns);
    if (slow.length > 32) slow.pop();
  }
  if (!failed) {
    outcomes.set('decoded', (outcomes.get('decoded') ?? 0) + 1);
    try {
      const again = s.fragment ? codec.encodeFragment(value as Record<string, unknown>[]) : codec.encode(value);
      if (!isDeepStrictEqual(decode(codec, s, again), value)) roundTrip.push(`${line} decodes to another value after re-encoding`);
    } catch (e) {
      roundTrip.push(`${line} ${String(e)}`);
    }
  }
  if ((i & 0xffff) === 0) {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    if (i > 0 && (i & 0xfffff) === 0) process.stderr.write(`${i} inputs, ${crashes.length} crashes, ${roundTrip.length} round-trip failures\n`);
  }
}

const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// Steady-state time of the slowest candidates: the best of 50 decodes each.
let slowest = { ns: 0, hex: '', schema: '' };
for (const c of slow) {
  const codec = codecs.get(c.seed.schema)!;
  let best = Infinity;
  for (let k = 0; k < 50; k++) {
    const t0 = process.hrtime.bigint();
    try {
      decode(codec, c.seed, c.bytes);
    } catch (e) {
      if (!(e instanceof ExiError)) throw e;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  if (best > slowest.ns) slowest = { ns: best, hex: Buffer.from(c.bytes).toString('hex'), schema: c.seed.schema };
}
const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
console.log(`EXI fuzz: ${count} inputs from ${corpus.length} seed streams (seed ${seed}) in ${seconds.toFixed(1)} s (${Math.round(count / seconds)}/s)`);
console.log(`outcomes: ${[...outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
console.log(`crashes (exceptions other than ExiError): ${crashes.length}`);
console.log(`round-trip failures of decoded values: ${roundTrip.length}`);
console.log(`slowest input (best of 50 runs of the 32 slowest): ${(slowest.ns / 1000).toFixed(1)} µs (${slowest.schema}, ${slowest.hex.length / 2} bytes: ${slowest.hex.slice(0, 80)}${slowest.hex.length > 80 ? '…' : ''})`);
console.log(`peak memory: rss ${mib(peakRss)}, heap used ${mib(peakHeap)}`);
if (crashes.length || roundTrip.length) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'crashes.txt'), crashes.join('\n'));
  writeFileSync(join(outDir, 'round-trip.txt'), roundTrip.join('\n'));
  console.log(`findings written to ${outDir}`);
  process.exitCode = 1;
}
