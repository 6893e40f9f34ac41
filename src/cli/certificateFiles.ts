// Reading certificates the user names on the command line: PEM (one or many) or a single DER file, or a directory of them.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodePemCertificates, MAX_PEM_BYTES, PemError } from '../pki/certificate/pem.js';
import { UsageError } from './io.js';

export function readCertificates(path: string): Buffer[] {
  let raw: Buffer;
  try {
    if (statSync(path).size > MAX_PEM_BYTES) throw new UsageError(`${path} is larger than ${MAX_PEM_BYTES} bytes`);
    raw = readFileSync(path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const text = raw.toString('latin1');
  if (text.includes('-----BEGIN')) {
    try {
      return decodePemCertificates(text);
    } catch (e) {
      if (e instanceof PemError) throw new UsageError(`${path}: ${e.message}`);
      throw e;
    }
  }
  return raw.length > 0 && raw[0] === 0x30 ? [raw] : [];
}

/** A PEM/DER file, or every *.pem, *.crt, *.cer and *.der file of a directory. */
export function readCertificatePaths(paths: readonly string[]): { der: Buffer; source: string }[] {
  const out: { der: Buffer; source: string }[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      throw new UsageError(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const files = isDir
      ? readdirSync(p)
          .filter((f) => /\.(pem|crt|cer|der)$/i.test(f))
          .sort()
          .map((f) => join(p, f))
      : [p];
    for (const f of files) for (const der of readCertificates(f)) out.push({ der, source: f });
  }
  return out;
}
