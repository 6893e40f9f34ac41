// The CA certificates the CSMS can anchor OCSP answers to.
//
// Why the CSMS needs them: an OCSP response is only evidence when its signer is authorised by the CA that issued the
// certificate in question — the CA itself, or a responder certificate that CA issued with id-kp-OCSPSigning
// (RFC 6960 §4.2.2.2). Checking that takes the issuing CA's certificate (its name and key). Authorize hash data carries
// only hashes of that name and key, so the CSMS looks the CA up by them here. A hash that names no known CA cannot be
// verified — any key could have signed the answer (MaEVe parses such answers without an issuer, so a responder of the
// station's choosing decides) — and is C07.FR.17 CertChainError, never Accepted.
//
// Sources: the configured V2G and MO roots, sub-CA certificates from files (operator configuration), and sub-CAs
// learned from contract chains that verified against a root (central validation).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateParseError, parseCertificate, type Certificate } from '../../pki/certificate/certificate.js';
import { PemError, decodePemCertificates } from '../../pki/certificate/pem.js';
import { PkiDirectory, PkiDirectoryError } from '../../pki/generator/pkiDirectory.js';
import { hashOf, type CertId } from '../../pki/ocsp/certId.js';

export type IssuerHashAlgorithm = 'SHA256' | 'SHA384' | 'SHA512';
const ALGORITHMS: readonly IssuerHashAlgorithm[] = ['SHA256', 'SHA384', 'SHA512'];

export interface KnownIssuer {
  readonly cert: Certificate;
  /** Where it came from (file, PKI id, "learned from the chain of …"), for traces. */
  readonly source: string;
  readonly learned: boolean;
}

export class KnownIssuersError extends Error {
  override readonly name = 'KnownIssuersError';
}

const key = (alg: string, nameHashHex: string, keyHashHex: string): string => `${alg}:${nameHashHex}:${keyHashHex}`;

export class KnownIssuers {
  private readonly index = new Map<string, KnownIssuer>();
  private readonly seen = new Set<string>();
  private learnedCount = 0;

  /** `maxLearned` bounds the sub-CAs taken from chains (they come from verified chains, so real numbers are small). */
  constructor(readonly maxLearned = 10_000) {}

  /** Number of distinct certificates held. */
  get size(): number {
    return this.seen.size;
  }

  get learned(): number {
    return this.learnedCount;
  }

  /** Adds a CA certificate; a certificate that is no CA (basicConstraints CA:FALSE or missing) is not an issuer. */
  add(cert: Certificate, source: string): boolean {
    return this.put({ cert, source, learned: false });
  }

  /** Adds a sub-CA of a chain that verified against a trusted root. */
  learn(cert: Certificate, source: string): boolean {
    if (this.learnedCount >= this.maxLearned) return false;
    const added = this.put({ cert, source, learned: true });
    if (added) this.learnedCount++;
    return added;
  }

  private put(issuer: KnownIssuer): boolean {
    if (!issuer.cert.basicConstraints?.ca) return false;
    const id = issuer.cert.der.toString('latin1');
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    for (const alg of ALGORITHMS) {
      const k = key(alg, hashOf(alg, issuer.cert.subjectRaw).toString('hex'), hashOf(alg, issuer.cert.publicKeyBits).toString('hex'));
      // The first certificate of a name and key stays: any other with the same name and key authorises the same signers.
      if (!this.index.has(k)) this.index.set(k, issuer);
    }
    return true;
  }

  /** The CA whose name and key hash to these values (hex compared case-insensitively). */
  find(alg: IssuerHashAlgorithm, issuerNameHash: string | Buffer, issuerKeyHash: string | Buffer): KnownIssuer | undefined {
    const hex = (v: string | Buffer): string => (typeof v === 'string' ? v.toLowerCase() : v.toString('hex'));
    return this.index.get(key(alg, hex(issuerNameHash), hex(issuerKeyHash)));
  }

  findForCertId(id: CertId): KnownIssuer | undefined {
    if (id.hashAlgorithm === 'SHA1') return undefined;
    return this.find(id.hashAlgorithm, id.issuerNameHash, id.issuerKeyHash);
  }

  /** Every certificate held, configured first. */
  list(): KnownIssuer[] {
    const unique = new Map<Certificate, KnownIssuer>();
    for (const i of this.index.values()) unique.set(i.cert, i);
    return [...unique.values()].sort((a, b) => Number(a.learned) - Number(b.learned));
  }
}

function readCertificates(path: string): Certificate[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw new KnownIssuersError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const ders = text.includes('-----BEGIN') ? decodePemCertificates(text) : [Buffer.from(text, 'latin1')];
    return ders.map((der) => parseCertificate(der));
  } catch (e) {
    if (e instanceof PemError || e instanceof CertificateParseError) throw new KnownIssuersError(`${path}: ${e.message}`);
    throw e;
  }
}

const CERT_FILE = /\.(pem|crt|cer|der)$/i;

/**
 * CA certificates from PEM/DER files and directories (a directory: every *.pem, *.crt, *.cer, *.der in it, not
 * recursive, except *.key.pem). Leaf certificates in them are skipped: a leaf issues nothing.
 */
export function knownIssuersFromPemFiles(paths: readonly string[], into: KnownIssuers = new KnownIssuers()): KnownIssuers {
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (e) {
      throw new KnownIssuersError(`cannot read ${path}: ${(e as Error).message}`);
    }
    const files = isDir
      ? readdirSync(path)
          .filter((f) => CERT_FILE.test(f) && !f.endsWith('.key.pem'))
          .sort()
          .map((f) => join(path, f))
      : [path];
    for (const file of files) for (const cert of readCertificates(file)) into.add(cert, file);
  }
  return into;
}

/** The roots and sub-CAs of a pnc-stack test PKI directory (by its manifest; keys are not read). */
export function knownIssuersFromPkiDir(dir: string, into: KnownIssuers = new KnownIssuers()): KnownIssuers {
  let pki: PkiDirectory;
  try {
    pki = PkiDirectory.open(dir);
  } catch (e) {
    if (e instanceof PkiDirectoryError) throw new KnownIssuersError(e.message);
    throw e;
  }
  for (const entry of pki.entries((e) => e.kind === 'root' || e.kind === 'sub-ca')) {
    let cert: Certificate;
    try {
      cert = pki.certificate(entry.id);
    } catch (e) {
      const fsError = typeof (e as NodeJS.ErrnoException).code === 'string';
      if (fsError || e instanceof PkiDirectoryError || e instanceof CertificateParseError || e instanceof PemError) {
        throw new KnownIssuersError(`${dir}: ${entry.id}: ${(e as Error).message}`);
      }
      throw e;
    }
    into.add(cert, `${dir}:${entry.id}`);
  }
  return into;
}
