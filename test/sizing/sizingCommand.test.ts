// `pnc sizing` as the command function with a captured CliIo, and through a commander program built by
// registerSizingCommand with main.ts's exit-code mapping (UsageError → 2).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exit, UsageError, type CliIo } from '../../src/cli/io.js';
import { registerSizingCommand, sizing, type SizingOptions } from '../../src/cli/sizingCommand.js';
import { initPki, type PkiManifest } from '../../src/pki/generator/pkiDirectory.js';
import type { SizingReport } from '../../src/sizing/sizingReport.js';
import { NOW } from '../helpers/fixtures.js';
import { scratch } from '../helpers/openssl.js';

interface Captured {
  readonly io: CliIo;
  readonly out: () => string;
  readonly err: () => string;
}

function capture(): Captured {
  let out = '';
  let err = '';
  return {
    io: { out: (t) => void (out += t), err: (t) => void (err += t), env: {} },
    out: () => out,
    err: () => err,
  };
}

async function json(o: SizingOptions): Promise<SizingReport> {
  const c = capture();
  expect(await sizing({ ...o, json: true }, c.io)).toBe(Exit.ok);
  return JSON.parse(c.out()) as SizingReport;
}

/** `pnc sizing ARGS` through commander, with the exit codes main.ts's run() gives. */
async function pnc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = capture();
  const outcome: { result: Promise<number> | number } = { result: Exit.ok };
  const program = new Command('pnc').exitOverride().configureOutput({ writeOut: c.io.out, writeErr: c.io.err });
  registerSizingCommand(program, c.io, (r) => {
    outcome.result = r;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: await outcome.result, out: c.out(), err: c.err() };
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? Exit.ok : Exit.usage, out: c.out(), err: c.err() };
    if (e instanceof UsageError) return { code: Exit.usage, out: c.out(), err: `${c.err()}pnc: ${e.message}\n` };
    throw e;
  }
}

const s = scratch('pnc-sizing-cli-');
const PKI = join(s.dir, 'pki');
beforeAll(() => void initPki(PKI, { protocol: 'both', passphrase: 'sizing-cli', now: NOW }), 120_000);
afterAll(() => s.cleanup());

describe('sizing()', () => {
  it('prints the seed example with 36 kB of contract certificates', async () => {
    const c = capture();
    expect(await sizing({}, c.io)).toBe(Exit.ok);
    expect(c.out()).toContain('36 kB');
    expect(c.out()).toContain('contract certificates in the EV: 36 kB (36,000 B)');
    expect(c.out()).toContain('kB = 1000 B');
    expect(c.out()).toContain('mode: maxima');
    expect(c.err()).toBe('');
  });

  it('--json prints one document with the numbers and the assumptions used', async () => {
    const r = await json({});
    expect(r.mode).toBe('maxima');
    expect(r.units.kB).toBe(1000);
    expect(r.contracts).toBe(5);
    expect(r.protocols).toEqual(['iso2', 'iso20']);
    expect(r.contractCertificateBytes).toBe(36_000);
    expect(r.ev.totalBytes).toBe(r.ev.rows.reduce((a, x) => a + x.bytes, 0));
    expect(r.charger.totalBytes).toBe(r.charger.rows.reduce((a, x) => a + x.bytes, 0));
    expect(r.ev.subtotals.find((x) => x.item === 'contract-certificates')?.bytes).toBe(36_000);
    expect(r.assumptions.ocspResponseBytes).toEqual({
      flag: '--ocsp-response-bytes',
      description: expect.any(String) as string,
      value: 1500,
      isDefault: true,
      used: true,
    });
    expect(r.assumptions.seccPrice?.used).toBe(false);
    expect(r.certificateBytes.iso2?.contract).toBe(800);
    expect(r.fleet).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it('--stations 1000 adds €990 a year and 3,000–4,000 SignCertificate round trips', async () => {
    const r = await json({ stations: '1000' });
    expect(r.fleet).toEqual({
      stations: 1000,
      seccPriceCentsPerStationYear: 99,
      yearlyCostCents: 99_000,
      renewalsPerStationYear: { min: 3, max: 4 },
      signCertificateRoundTripsPerYear: { min: 3000, max: 4000 },
      chargerBytesPerStation: r.charger.totalBytes,
      chargerBytesAllStations: 1000 * r.charger.totalBytes,
    });
    const c = capture();
    await sizing({ stations: '1000' }, c.io);
    expect(c.out()).toContain('€990.00 per year');
    expect(c.out()).toContain('3,000–4,000 per year');
  });

  it('--secc-price and --renewals-per-year change the cost section', async () => {
    const r = await json({ stations: '20', seccPrice: '2.50', renewalsPerYear: '6-7' });
    expect(r.fleet?.yearlyCostCents).toBe(5_000);
    expect(r.fleet?.signCertificateRoundTripsPerYear).toEqual({ min: 120, max: 140 });
    expect(r.assumptions.seccPrice).toMatchObject({ value: 2.5, isDefault: false, used: true });
  });

  it('--pki uses the real DER sizes of the PKI and says so', async () => {
    const r = await json({ pki: PKI });
    expect(r.mode).toBe('pki');
    expect(r.pki).toEqual({ dir: PKI, suites: { iso2: 'iso2', iso20: 'iso20-p521' } });
    const der = (rel: string): number => new X509Certificate(readFileSync(join(PKI, rel))).raw.length;
    const manifest = JSON.parse(readFileSync(join(PKI, 'pki.json'), 'utf8')) as PkiManifest;
    const contract = (suite: string): string => manifest.certificates.find((e) => e.suite === suite && e.role === 'contract')?.certificate ?? 'missing';
    const chain = (suite: string): number => der(contract(suite)) + der(`ca/${suite}/mo-sub2.pem`) + der(`ca/${suite}/mo-sub1.pem`);
    const expected = 5 * chain('iso2') + 5 * chain('iso20-p521');
    expect(r.contractCertificateBytes).toBe(expected);
    expect(r.contractCertificateBytes).toBeLessThan(36_000);
    expect(r.certificateBytes.iso20?.secc).toBe(der('ca/iso20-p521/secc.pem'));
    const c = capture();
    await sizing({ pki: PKI, protocols: 'iso20', iso20Suite: 'ed448' }, c.io);
    expect(c.out()).toContain(`mode: pki — real DER sizes of the certificates in ${PKI} (suites iso20-ed448)`);
  });

  it.each([
    [{ contracts: '-1' }, /--contracts expects a whole number/],
    [{ contracts: '1.5' }, /--contracts/],
    [{ protocols: 'iso15118' }, /--protocols must be iso2, iso20 or both/],
    [{ stations: '-3' }, /--stations/],
    [{ renewalsPerYear: '5-2' }, /--renewals-per-year/],
    [{ pki: '/nonexistent/pki-dir' }, /holds no PKI/],
    [{ pki: 'package.json' }, /is not a directory/],
  ] as [SizingOptions, RegExp][])('%o rejects with a UsageError', async (o, message) => {
    const c = capture();
    await expect(sizing(o, c.io)).rejects.toThrow(UsageError);
    await expect(sizing(o, c.io)).rejects.toThrow(message);
    expect(c.out()).toBe('');
  });
});

describe('pnc sizing (commander wiring)', () => {
  it('runs the seed example: exit 0, 36 kB', async () => {
    const r = await pnc('sizing');
    expect(r.code).toBe(Exit.ok);
    expect(r.out).toContain('36 kB');
  });

  it('passes every option through', async () => {
    const r = await pnc(
      'sizing', '--json', '--contracts', '2', '--protocols', 'iso20', '--iso20-suite', 'ed448', '--key-format', 'raw', '--sub-cas', '1',
      '--root-generations', '3', '--mo-roots', '4', '--oem-roots', '6', '--ocsp-response-bytes', '1300', '--iso2-cert-bytes', '700',
      '--iso20-cert-bytes', '1500', '--stations', '10', '--secc-price', '1', '--renewals-per-year', '2-5', '--pki', PKI,
    );
    expect(r.code).toBe(Exit.ok);
    const report = JSON.parse(r.out) as SizingReport;
    expect(report).toMatchObject({ mode: 'pki', contracts: 2, protocols: ['iso20'] });
    expect(Object.values(report.assumptions).every((a) => !a.isDefault)).toBe(true);
    expect(report.fleet?.signCertificateRoundTripsPerYear).toEqual({ min: 20, max: 50 });
    expect(report.charger.rows.find((x) => x.item === 'ocsp-responses')).toMatchObject({ count: 2, bytesEach: 1300 });
  });

  it('--help names every parameter with its default', async () => {
    const r = await pnc('sizing', '--help');
    expect(r.code).toBe(Exit.ok);
    for (const flag of ['--contracts', '--protocols', '--pki', '--stations', '--secc-price', '--renewals-per-year', '--json', '--sub-cas', '--root-generations', '--mo-roots', '--oem-roots', '--ocsp-response-bytes', '--iso20-suite', '--key-format', '--iso2-cert-bytes', '--iso20-cert-bytes']) {
      expect(r.out).toContain(flag);
    }
    expect(r.out).toContain('(default 0.99)');
    expect(r.out).toContain('(default 3-4)');
  });

  it.each([
    [['--contracts', '-1'], /--contracts/],
    [['--protocols', 'iso3'], /--protocols/],
    [['--pki', '/nonexistent/pki-dir'], /holds no PKI/],
    [['--no-such-option'], /unknown option/],
    [['--contracts'], /argument missing/],
  ])('%o exits 2 with a message', async (argv, message) => {
    const r = await pnc('sizing', ...argv);
    expect(r.code).toBe(Exit.usage);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});
