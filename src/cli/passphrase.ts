import { DEFAULT_PASSPHRASE } from '../pki/generator/pkiDirectory.js';
import type { CliIo } from './io.js';

/** --passphrase, else PNC_PKI_PASSPHRASE, else the documented test default (with a note on stderr). */
export function resolvePassphrase(option: string | undefined, io: CliIo): string {
  if (option !== undefined && option !== '') return option;
  const env = io.env.PNC_PKI_PASSPHRASE;
  if (env !== undefined && env !== '') return env;
  io.err(`pnc: no --passphrase or PNC_PKI_PASSPHRASE; using the test default "${DEFAULT_PASSPHRASE}"\n`);
  return DEFAULT_PASSPHRASE;
}
