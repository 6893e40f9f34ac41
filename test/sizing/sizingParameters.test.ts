// Command-line strings to a typed sizing request: defaults, accepted spellings, and every refusal naming its flag.
import { describe, expect, it } from 'vitest';
import { SizingInputError } from '../../src/sizing/sizingInputError.js';
import { parseEuroCents, parseRenewals, parseSizingOptions, SIZING_PARAMETERS, type SizingOptions } from '../../src/sizing/sizingParameters.js';

describe('parseSizingOptions', () => {
  it('defaults to the seed example: 5 contracts, both protocols, maxima, no stations', () => {
    const r = parseSizingOptions({});
    expect(r.contracts).toBe(5);
    expect(r.protocols).toEqual(['iso2', 'iso20']);
    expect(r.pkiDir).toBeUndefined();
    expect(r.stations).toBeUndefined();
    expect(r.json).toBe(false);
    expect(r.given).toEqual([]);
    expect(r.assumptions).toEqual({
      iso2CertificateBytes: 800,
      iso20CertificateBytes: 1600,
      subCas: 2,
      rootGenerations: 2,
      moRoots: 5,
      oemRoots: 10,
      ocspResponseBytes: 1500,
      iso20Suite: 'p521',
      keyFormat: 'pkcs8',
    });
    expect(r.fleetAssumptions).toEqual({ seccPriceCentsPerStationYear: 99, renewalsPerYear: { min: 3, max: 4 } });
  });

  it('takes every parameter from the command line and records which were given', () => {
    const r = parseSizingOptions({
      contracts: '0',
      protocols: 'iso20',
      pki: '/some/dir',
      json: true,
      iso2CertBytes: '700',
      iso20CertBytes: '1500',
      subCas: '1',
      rootGenerations: '3',
      moRoots: '20',
      oemRoots: '0',
      ocspResponseBytes: '1300',
      iso20Suite: 'ed448',
      keyFormat: 'raw',
      stations: '1000',
      seccPrice: '1.5',
      renewalsPerYear: '6',
    });
    expect(r).toMatchObject({ contracts: 0, protocols: ['iso20'], pkiDir: '/some/dir', json: true, stations: 1000 });
    expect(r.assumptions).toEqual({
      iso2CertificateBytes: 700,
      iso20CertificateBytes: 1500,
      subCas: 1,
      rootGenerations: 3,
      moRoots: 20,
      oemRoots: 0,
      ocspResponseBytes: 1300,
      iso20Suite: 'ed448',
      keyFormat: 'raw',
    });
    expect(r.fleetAssumptions).toEqual({ seccPriceCentsPerStationYear: 150, renewalsPerYear: { min: 6, max: 6 } });
    expect([...r.given].sort()).toEqual(SIZING_PARAMETERS.map((p) => p.name).sort());
  });

  it.each([
    [{ protocols: 'iso2' }, ['iso2']],
    [{ protocols: 'iso20' }, ['iso20']],
    [{ protocols: 'both' }, ['iso2', 'iso20']],
  ] as [SizingOptions, string[]][])('%o → %o', (o, protocols) => {
    expect(parseSizingOptions(o).protocols).toEqual(protocols);
  });

  it.each([
    [{ contracts: '-1' }, '--contracts'],
    [{ contracts: '2.5' }, '--contracts'],
    [{ contracts: '1e3' }, '--contracts'],
    [{ contracts: 'five' }, '--contracts'],
    [{ contracts: '' }, '--contracts'],
    [{ contracts: '100001' }, '--contracts'],
    [{ protocols: 'iso3' }, '--protocols'],
    [{ protocols: 'ISO2' }, '--protocols'],
    [{ iso2CertBytes: '0' }, '--iso2-cert-bytes'],
    [{ iso20CertBytes: '70000' }, '--iso20-cert-bytes'],
    [{ subCas: '3' }, '--sub-cas'],
    [{ rootGenerations: '0' }, '--root-generations'],
    [{ moRoots: '-5' }, '--mo-roots'],
    [{ oemRoots: '1.0' }, '--oem-roots'],
    [{ ocspResponseBytes: 'big' }, '--ocsp-response-bytes'],
    [{ iso20Suite: 'p384' }, '--iso20-suite'],
    [{ keyFormat: 'pem' }, '--key-format'],
    [{ stations: '-1' }, '--stations'],
    [{ stations: '10000001' }, '--stations'],
    [{ seccPrice: '-0.99' }, '--secc-price'],
    [{ seccPrice: '0.999' }, '--secc-price'],
    [{ seccPrice: '€1' }, '--secc-price'],
    [{ renewalsPerYear: '4-3' }, '--renewals-per-year'],
    [{ renewalsPerYear: '3-' }, '--renewals-per-year'],
    [{ renewalsPerYear: '-3' }, '--renewals-per-year'],
    [{ renewalsPerYear: '400' }, '--renewals-per-year'],
    [{ pki: ' ' }, '--pki'],
  ] as [SizingOptions, string][])('refuses %o naming %s', (o, flag) => {
    expect(() => parseSizingOptions(o)).toThrow(SizingInputError);
    expect(() => parseSizingOptions(o)).toThrow(flag);
  });
});

describe('parseEuroCents', () => {
  it.each([
    ['0.99', 99],
    ['0,99', 99],
    ['1', 100],
    ['1.5', 150],
    ['0', 0],
    ['12.05', 1205],
    [' 2.10 ', 210],
  ])('%s → %i cents', (raw, cents) => expect(parseEuroCents(raw, -1)).toBe(cents));
  it('keeps the default when not given', () => expect(parseEuroCents(undefined, 99)).toBe(99));
});

describe('parseRenewals', () => {
  it.each([
    ['3-4', 3, 4],
    ['3–4', 3, 4],
    ['3 - 4', 3, 4],
    ['6', 6, 6],
    ['0-0', 0, 0],
  ])('%s → %i–%i', (raw, min, max) => expect(parseRenewals(raw, { min: -1, max: -1 })).toEqual({ min, max }));
});
