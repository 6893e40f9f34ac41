// `pnc sizing --pki DIR`: the real DER sizes of a pnc test PKI in place of the protocol maxima. The only file IO of
// the sizing calculator; everything it cannot use becomes a SizingInputError.
import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { CertificateParseError, parseCertificate } from '../pki/certificate/certificate.js';
import { PemError } from '../pki/certificate/pem.js';
import { MANIFEST, PkiDirectory, PkiDirectoryError, type ManifestEntry } from '../pki/generator/pkiDirectory.js';
import type { Suite } from '../pki/generator/testPki.js';
import type { Protocol } from '../pki/profile/protocolProfile.js';
import { certificatesNeeded, type CertificateSizes, type SizedCertificate } from './certificateSizes.js';
import { SizingInputError } from './sizingInputError.js';
import type { Iso20Suite } from './storageAssumptions.js';

/** A certificate file bigger than this is not one certificate (PEM of a 1600-byte certificate is ~2.2 kB). */
export const MAX_CERTIFICATE_FILE_BYTES = 64 * 1024;
/** A manifest bigger than this is not a test PKI's (88 certificates take ~40 kB). */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export interface PkiCertificateSizes extends CertificateSizes {
  readonly source: 'pki';
  readonly dir: string;
  /** The suite each protocol was sized from. */
  readonly suites: Readonly<Partial<Record<Protocol, Suite>>>;
  /** The manifest id each size came from (the largest contract leaf when there are several). */
  readonly ids: Readonly<Partial<Record<Protocol, Readonly<Partial<Record<SizedCertificate, string>>>>>>;
}

export function suiteOf(protocol: Protocol, iso20Suite: Iso20Suite): Suite {
  return protocol === 'iso2' ? 'iso2' : iso20Suite === 'p521' ? 'iso20-p521' : 'iso20-ed448';
}

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

/** Runs `f`, turning the ways a PKI directory can be unusable into a SizingInputError; anything else propagates. */
function unusable<T>(dir: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PkiDirectoryError || e instanceof PemError || e instanceof CertificateParseError || isErrno(e)) {
      throw new SizingInputError(`--pki ${dir}: ${e.message}`);
    }
    throw e;
  }
}

function open(dir: string): PkiDirectory {
  const directory = statSync(dir, { throwIfNoEntry: false });
  if (directory && !directory.isDirectory()) throw new SizingInputError(`--pki ${dir} is not a directory`);
  const manifest = statSync(resolve(dir, MANIFEST), { throwIfNoEntry: false });
  if (manifest && !manifest.isFile()) throw new SizingInputError(`--pki ${dir}: ${MANIFEST} is not a file`);
  if (manifest && manifest.size > MAX_MANIFEST_BYTES) throw new SizingInputError(`--pki ${dir}: ${MANIFEST} is ${manifest.size} bytes, more than ${MAX_MANIFEST_BYTES}`);
  return PkiDirectory.open(dir);
}

/** DER size of one manifest entry's certificate file, read within the directory and within the size limit. */
function derBytes(pki: PkiDirectory, entry: ManifestEntry): number {
  const root = resolve(pki.dir);
  const path = resolve(pki.path(entry.certificate));
  if (!path.startsWith(root + sep)) throw new SizingInputError(`--pki ${pki.dir}: ${entry.id} points outside the directory (${entry.certificate})`);
  const size = statSync(path).size;
  if (size > MAX_CERTIFICATE_FILE_BYTES) throw new SizingInputError(`--pki ${pki.dir}: ${entry.certificate} is ${size} bytes, more than ${MAX_CERTIFICATE_FILE_BYTES}`);
  const der = pki.der(entry.id);
  parseCertificate(der); // a size only counts if it is a certificate's
  return der.length;
}

/**
 * Sizes of every certificate the estimate needs for `protocols`, from the PKI in `dir`: -2 from its iso2 suite, -20
 * from iso20-p521 or iso20-ed448 as `iso20Suite` says. Contract leaves: the largest of the suite's.
 */
export function readPkiCertificateSizes(dir: string, protocols: readonly Protocol[], iso20Suite: Iso20Suite): PkiCertificateSizes {
  return unusable(dir, () => {
    const pki = open(dir);
    const bytes: Partial<Record<Protocol, Partial<Record<SizedCertificate, number>>>> = {};
    const ids: Partial<Record<Protocol, Partial<Record<SizedCertificate, string>>>> = {};
    const suites: Partial<Record<Protocol, Suite>> = {};
    for (const protocol of protocols) {
      const suite = suiteOf(protocol, iso20Suite);
      if (!pki.manifest.suites.includes(suite)) {
        throw new SizingInputError(`--pki ${dir} has no ${suite} suite (it has ${pki.manifest.suites.join(', ') || 'none'}); choose --protocols or --iso20-suite accordingly`);
      }
      suites[protocol] = suite;
      const sizes: Partial<Record<SizedCertificate, number>> = {};
      const from: Partial<Record<SizedCertificate, string>> = {};
      for (const name of certificatesNeeded(protocol)) {
        const candidates =
          name === 'contract' ? pki.entries((e) => e.suite === suite && e.role === 'contract' && e.kind === 'leaf') : pki.entries((e) => e.id === `${suite}/${name}`);
        if (candidates.length === 0) throw new SizingInputError(`--pki ${dir} has no ${suite}/${name} certificate`);
        for (const entry of candidates) {
          const n = derBytes(pki, entry);
          if (n > (sizes[name] ?? 0)) {
            sizes[name] = n;
            from[name] = entry.id;
          }
        }
      }
      bytes[protocol] = sizes;
      ids[protocol] = from;
    }
    return { source: 'pki', dir, bytes, ids, suites };
  });
}
