// The messages `pnc bench exi` measures are valid, round-trip, and are about the size of the C reference's.
import { describe, expect, it } from 'vitest';
import { C_REFERENCE } from '../../src/bench/exiBench.js';
import { benchMessages } from '../../src/bench/exiMessages.js';
import { schemaCodec } from '../../src/exi/index.js';

describe('benchmark messages', () => {
  const messages = benchMessages();

  it('cover every message with a C reference', () => {
    for (const name of Object.keys(C_REFERENCE)) expect(messages.map((m) => m.name)).toContain(name);
  });

  it.each(messages.map((m) => [m.name, m] as const))('%s decodes and re-encodes byte for byte, sized like the reference', (_name, m) => {
    const codec = schemaCodec(m.schema);
    expect(Buffer.from(codec.encode(codec.decode(m.bytes))).equals(Buffer.from(m.bytes))).toBe(true);
    const c = C_REFERENCE[m.name];
    if (c) {
      expect(m.bytes.length).toBeGreaterThan(c.bytes * 0.75);
      expect(m.bytes.length).toBeLessThan(c.bytes * 1.25);
    }
  });
});
