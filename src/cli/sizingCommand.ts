// `pnc sizing`: the ISO 15118 storage guidance as a calculator — what an EV and a charger store, from the protocol
// maxima or (--pki) the real sizes of a test PKI, and with --stations the yearly SECC certificate cost of a fleet.
import type { Command } from 'commander';
import { maximumCertificateSizes } from '../sizing/certificateSizes.js';
import { readPkiCertificateSizes } from '../sizing/pkiCertificateSizes.js';
import { SizingInputError } from '../sizing/sizingInputError.js';
import { parseSizingOptions, SIZING_PARAMETERS, type SizingOptions } from '../sizing/sizingParameters.js';
import { buildSizingReport } from '../sizing/sizingReport.js';
import { renderSizingTable } from '../sizing/sizingTable.js';
import { Exit, UsageError, type CliIo } from './io.js';

export type { SizingOptions } from '../sizing/sizingParameters.js';

function sizingNow(a: SizingOptions, io: CliIo): number {
  try {
    const request = parseSizingOptions(a);
    const sizes =
      request.pkiDir !== undefined
        ? readPkiCertificateSizes(request.pkiDir, request.protocols, request.assumptions.iso20Suite)
        : maximumCertificateSizes(request.protocols, request.assumptions);
    const report = buildSizingReport(request, sizes);
    io.out(request.json ? `${JSON.stringify(report, null, 2)}\n` : renderSizingTable(report));
    return Exit.ok;
  } catch (e) {
    // Every SizingInputError is about what the user asked for (a value, a directory): a usage error, exit 2.
    if (e instanceof SizingInputError) throw new UsageError(e.message);
    throw e;
  }
}

/** Exit 0 with the table or JSON on io.out; rejects with a UsageError (exit 2 through run()) for unusable input. */
export function sizing(a: SizingOptions, io: CliIo): Promise<number> {
  return new Promise((resolve) => resolve(sizingNow(a, io)));
}

/** Adds `pnc sizing` with one option per sizing parameter (flags, defaults and help come from SIZING_PARAMETERS). */
export function registerSizingCommand(program: Command, io: CliIo, setResult: (p: Promise<number> | number) => void): Command {
  const command = program
    .command('sizing')
    .description('ISO 15118 certificate and key storage of an EV and a charger (protocol maxima or --pki sizes); --stations adds the yearly SECC certificate cost');
  // No commander defaults: the defaults live in src/sizing, so that the output can tell given values from defaults.
  for (const p of SIZING_PARAMETERS) command.option(p.flag, p.defaultValue === undefined ? p.description : `${p.description} (default ${p.defaultValue})`);
  return command.option('--json', 'print one JSON document: the numbers and the assumptions used').action((o: SizingOptions) => setResult(sizing(o, io)));
}
