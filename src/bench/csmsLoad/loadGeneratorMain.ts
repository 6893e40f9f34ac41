// The load generator as its own process (dist/bench/csmsLoad/loadGeneratorMain.js), so that its CPU and memory are not
// the CSMS's: `node loadGeneratorMain.js --config FILE`. The config is a LoadGeneratorConfig as JSON; instead of
// `tokens` it may name a PKI directory, `"pki": { "dir": DIR, "suite": "iso2", "emaids": [...] }`, whose contract
// chains become the tokens. Prints one JSON LoadReport on stdout and JSON progress lines on stderr.
// Exit 0 when the run completed (whatever it measured), 2 for a bad config.
import { readFileSync } from 'node:fs';
import { SUITES, type Suite } from '../../pki/generator/testPki.js';
import { contractTokensFromPki } from './contractTokens.js';
import { LoadConfigError, parseLoadGeneratorConfig } from './loadConfig.js';
import { runLoadGenerator } from './loadGenerator.js';

const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

function readConfig(argv: readonly string[]): unknown {
  const i = argv.indexOf('--config');
  const file = i >= 0 ? argv[i + 1] : undefined;
  if (file === undefined) throw new LoadConfigError('usage: loadGeneratorMain --config FILE');
  const raw = readFileSync(file);
  if (raw.length > MAX_CONFIG_BYTES) throw new LoadConfigError(`${file} is larger than ${MAX_CONFIG_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new LoadConfigError(`${file} is not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null) throw new LoadConfigError(`${file} does not hold an object`);
  const o = value as Record<string, unknown>;
  if (o.tokens === undefined && typeof o.pki === 'object' && o.pki !== null) {
    const { dir, suite, emaids } = o.pki as Record<string, unknown>;
    if (typeof dir !== 'string') throw new LoadConfigError('pki.dir must be a directory');
    const s = suite ?? 'iso2';
    if (typeof s !== 'string' || !Object.hasOwn(SUITES, s)) throw new LoadConfigError('pki.suite must be iso2, iso20-p521 or iso20-ed448');
    if (emaids !== undefined && !(Array.isArray(emaids) && emaids.every((e) => typeof e === 'string'))) throw new LoadConfigError('pki.emaids must be a list of eMAIDs');
    return { ...o, tokens: contractTokensFromPki(dir, s as Suite, emaids) };
  }
  return value;
}

async function main(): Promise<number> {
  let config;
  try {
    config = parseLoadGeneratorConfig(readConfig(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`${JSON.stringify({ error: (e as Error).message, name: (e as Error).name })}\n`);
    return 2;
  }
  const report = await runLoadGenerator(config, (event) => process.stderr.write(`${JSON.stringify(event)}\n`));
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(report)}\n`, () => resolve()));
  return 0;
}

process.exitCode = await main();
