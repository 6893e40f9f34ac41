// `pnc sizing` through the real command line entry (run() of src/cli/main.ts): the exit codes of the CLI contract.
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';

async function pnc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env: {} };
  const code = await run(argv, io);
  return { code, out, err };
}

describe('pnc sizing via run()', () => {
  it('prints the seed example (36 kB of contract certificates) and exits 0', async () => {
    const r = await pnc('sizing');
    expect(r.code).toBe(0);
    expect(r.out).toContain('contract certificates in the EV: 36 kB (36,000 B)');
  });

  it('--json --stations 1000 parses and holds the fleet numbers', async () => {
    const r = await pnc('sizing', '--json', '--stations', '1000');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { contractCertificateBytes: number; fleet: { yearlyCostCents: number } };
    expect(doc.contractCertificateBytes).toBe(36_000);
    expect(doc.fleet.yearlyCostCents).toBe(99_000);
  });

  it.each([
    [['--contracts', '-1'], '--contracts'],
    [['--protocols', 'iso3'], '--protocols'],
    [['--pki', '/nonexistent/pki-dir'], 'holds no PKI'],
  ])('%o exits 2 and says why on stderr', async (argv, message) => {
    const r = await pnc('sizing', ...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.out).toBe('');
  });
});
