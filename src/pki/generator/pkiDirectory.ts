// A test PKI on disk: the issuing side (ca/), a key store and trust store per party, a manifest and the CA database.
// Layout (documented in the README):
//   pki.json                 manifest: every certificate with its id, role, files, serial, validity
//   ca-database.json         status of every issued certificate (what the OCSP responder answers)
//   ca/<suite>/              every certificate and its encrypted key, as issued
//   <party>/<suite>/truststore/*.pem, <party>/<suite>/keystore/*.chain.pem + *.key.pem
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { parseCertificate, type Certificate } from '../certificate/certificate.js';
import { formatName } from '../certificate/name.js';
import { decodePemCertificates, encodePem } from '../certificate/pem.js';
import { fingerprint256 } from '../certificate/fingerprint.js';
import { emaidWithCheckDigit, normalizeEmaid, parseEmaid } from '../emaid/emaid.js';
import type { CrlReason } from '../ocsp/ocspMessages.js';
import type { Protocol } from '../profile/protocolProfile.js';
import { addEntries, emptyCaDatabase, readCaDatabase, revokeEntries, writeCaDatabase, type CaDatabaseEntry } from './caDatabase.js';
import { decryptPrivateKey, encryptPrivateKey } from './keys.js';
import {
  DEFAULT_TEST_PKI,
  SUITES,
  buildTestPki,
  issueContract,
  suitesFor,
  type CertificateKind,
  type IssuedCertificate,
  type Suite,
} from './testPki.js';
import type { CertificateRole } from '../profile/roleProfile.js';

export const MANIFEST = 'pki.json';
export const CA_DATABASE = 'ca-database.json';
/** Used when neither --passphrase nor PNC_PKI_PASSPHRASE is given. A test PKI only; say so loudly. */
export const DEFAULT_PASSPHRASE = 'pnc-stack-test-pki';

export interface ManifestEntry {
  readonly id: string;
  readonly suite: Suite;
  readonly name: string;
  readonly kind: CertificateKind;
  readonly role?: CertificateRole;
  readonly issuerId: string;
  readonly certificate: string;
  readonly key: string;
  readonly serialHex: string;
  readonly subject: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly bytes: number;
  readonly fingerprint256: string;
}

export interface PkiManifest {
  readonly format: 'pnc-stack-pki/1';
  readonly createdAt: string;
  readonly ocspUrl: string;
  readonly country: string;
  readonly suites: readonly Suite[];
  readonly certificates: readonly ManifestEntry[];
}

export class PkiDirectoryError extends Error {
  override readonly name = 'PkiDirectoryError';
}

export interface InitOptions {
  readonly protocol: Protocol | 'both';
  readonly ocspUrl?: string;
  readonly passphrase: string;
  readonly now?: number;
  readonly country?: string;
  readonly seccId?: string;
  readonly emaid?: string;
  /** Replace an existing PKI in the directory. */
  readonly force?: boolean;
}

function write(dir: string, rel: string, data: string, mode = 0o644): void {
  const path = join(dir, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data, { mode });
}

/** Replace-by-rename, so that a reader never sees half a manifest. */
function writeManifest(dir: string, manifest: PkiManifest): void {
  const tmp = join(dir, `${MANIFEST}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 1)}\n`);
  renameSync(tmp, join(dir, MANIFEST));
}

const LOCK = '.pki.lock';
const LOCK_WAIT_MS = 15_000;
/** A lock older than this was left by a killed process. */
const LOCK_STALE_MS = 60_000;

/**
 * Runs `f` holding the directory's lock, so that concurrent `pnc pki` commands (revoke, issue-contract) do not lose
 * each other's read-modify-write of the manifest and the CA database.
 */
function withPkiLock<T>(dir: string, f: () => T): T {
  const lock = join(dir, LOCK);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > LOCK_STALE_MS) rmSync(lock, { force: true });
    else if (Date.now() > deadline) throw new PkiDirectoryError(`${dir} is locked by another pnc command (${LOCK}); remove it if no command runs`);
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  try {
    return f();
  } finally {
    rmSync(lock, { force: true });
  }
}

const certFile = (c: IssuedCertificate): string => `ca/${c.suite}/${c.name}.pem`;
const keyFile = (c: IssuedCertificate): string => `ca/${c.suite}/${c.name}.key.pem`;

function manifestEntry(c: IssuedCertificate): ManifestEntry {
  return {
    id: c.id,
    suite: c.suite,
    name: c.name,
    kind: c.kind,
    ...(c.role ? { role: c.role } : {}),
    issuerId: c.issuerId,
    certificate: certFile(c),
    key: keyFile(c),
    serialHex: c.cert.serialHex,
    subject: formatName(c.cert.subject),
    notBefore: new Date(c.cert.notBefore).toISOString(),
    notAfter: new Date(c.cert.notAfter).toISOString(),
    bytes: c.der.length,
    fingerprint256: fingerprint256(c.der),
  };
}

function databaseEntry(c: IssuedCertificate): CaDatabaseEntry {
  return {
    id: c.id,
    issuerId: c.issuerId,
    serialHex: c.cert.serialHex,
    subject: formatName(c.cert.subject),
    notAfter: new Date(c.cert.notAfter).toISOString(),
    status: 'valid',
  };
}

/** Leaf followed by its sub-CAs (never the root), as a peer sends it. */
function chainPem(c: IssuedCertificate, byId: ReadonlyMap<string, IssuedCertificate>): string {
  const out = [encodePem('CERTIFICATE', c.der)];
  for (let p = byId.get(c.issuerId); p && p.kind !== 'root'; p = byId.get(p.issuerId)) out.push(encodePem('CERTIFICATE', p.der));
  return out.join('');
}

/** Copies for the parties: what each one holds of the PKI. */
function writePartyViews(dir: string, certs: readonly IssuedCertificate[], all: ReadonlyMap<string, IssuedCertificate>, passphrase: string): void {
  const put = (party: string, c: IssuedCertificate, store: 'truststore' | 'keystore', fileName: string): void => {
    const base = `${party}/${c.suite}/${store}`;
    if (store === 'truststore') {
      write(dir, `${base}/${fileName}.pem`, encodePem('CERTIFICATE', c.der));
    } else {
      write(dir, `${base}/${fileName}.chain.pem`, chainPem(c, all));
      write(dir, `${base}/${fileName}.key.pem`, encryptPrivateKey(c.key.privateKey, passphrase), 0o600);
    }
  };
  for (const c of certs) {
    switch (c.kind === 'ocsp-signer' ? 'ocsp-signer' : c.name.startsWith('contract/') ? 'contract' : c.name) {
      case 'v2g-root':
        for (const p of ['ev', 'charger', 'csms']) put(p, c, 'truststore', 'v2g-root');
        break;
      case 'mo-root':
        for (const p of ['charger', 'csms', 'msp']) put(p, c, 'truststore', 'mo-root');
        break;
      case 'oem-root':
        // -20 mutual TLS: the charger checks vehicle chains against OEM roots.
        if (SUITES[c.suite].protocol === 'iso20') put('charger', c, 'truststore', 'oem-root');
        put('cps', c, 'truststore', 'oem-root');
        break;
      case 'secc':
        put('charger', c, 'keystore', 'secc');
        break;
      case 'cpo-sub2':
        // The CSMS signs SECC certificate requests (OCPP SignCertificate) with the CPO Sub-CA 2.
        put('csms', c, 'keystore', 'cpo-sub2');
        break;
      case 'mo-sub2':
        put('msp', c, 'keystore', 'mo-sub2');
        break;
      case 'contract':
        put('ev', c, 'keystore', `contracts/${c.cert.subject.commonName ?? c.cert.serialHex}`);
        break;
      case 'oem-prov':
        put('ev', c, 'keystore', 'oem-prov');
        break;
      case 'vehicle':
        put('ev', c, 'keystore', 'vehicle');
        break;
      case 'cps':
        put('cps', c, 'keystore', 'cps');
        break;
      case 'ocsp-signer': {
        const ca = all.get(c.issuerId)!;
        write(dir, `ocsp/${c.suite}/${ca.name}.pem`, encodePem('CERTIFICATE', ca.der));
        write(dir, `ocsp/${c.suite}/${c.name}.pem`, encodePem('CERTIFICATE', c.der));
        write(dir, `ocsp/${c.suite}/${c.name}.key.pem`, encryptPrivateKey(c.key.privateKey, passphrase), 0o600);
        break;
      }
      default:
        break;
    }
  }
}

function writeIssued(dir: string, certs: readonly IssuedCertificate[], passphrase: string): void {
  for (const c of certs) {
    write(dir, certFile(c), encodePem('CERTIFICATE', c.der));
    write(dir, keyFile(c), encryptPrivateKey(c.key.privateKey, passphrase), 0o600);
  }
}

/** What initPki writes; --force removes exactly these before writing anew. */
const LAYOUT = [MANIFEST, CA_DATABASE, 'ca', 'ev', 'charger', 'csms', 'msp', 'cps', 'ocsp'];

export function initPki(dir: string, options: InitOptions): PkiManifest {
  mkdirSync(dir, { recursive: true });
  return withPkiLock(dir, () => initLocked(dir, options));
}

function initLocked(dir: string, options: InitOptions): PkiManifest {
  if (existsSync(join(dir, MANIFEST))) {
    if (!options.force) throw new PkiDirectoryError(`${dir} already holds a PKI (use --force to replace it)`);
    for (const entry of LAYOUT) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  const now = options.now ?? Date.now();
  const ocspUrl = options.ocspUrl ?? DEFAULT_TEST_PKI.ocspUrl;
  const country = options.country ?? DEFAULT_TEST_PKI.country;
  const certs = buildTestPki({
    suites: suitesFor(options.protocol),
    ocspUrl,
    now,
    country,
    seccId: options.seccId ?? DEFAULT_TEST_PKI.seccId,
    emaid: options.emaid ?? DEFAULT_TEST_PKI.emaid,
  });
  const byId = new Map(certs.map((c) => [c.id, c]));
  writeIssued(dir, certs, options.passphrase);
  writePartyViews(dir, certs, byId, options.passphrase);
  writeCaDatabase(join(dir, CA_DATABASE), addEntries(emptyCaDatabase(), certs.map(databaseEntry)));
  const manifest: PkiManifest = {
    format: 'pnc-stack-pki/1',
    createdAt: new Date(now).toISOString(),
    ocspUrl,
    country,
    suites: suitesFor(options.protocol),
    certificates: certs.map(manifestEntry),
  };
  writeManifest(dir, manifest);
  return manifest;
}

/** Read access to a PKI directory. */
export class PkiDirectory {
  private readonly byId: Map<string, ManifestEntry>;

  private constructor(
    readonly dir: string,
    readonly manifest: PkiManifest,
  ) {
    this.byId = new Map(manifest.certificates.map((e) => [e.id, e]));
  }

  static open(dir: string): PkiDirectory {
    const path = join(dir, MANIFEST);
    if (!existsSync(path)) throw new PkiDirectoryError(`${dir} holds no PKI (${MANIFEST} missing; run pnc pki init --dir ${dir})`);
    let manifest: PkiManifest;
    try {
      manifest = JSON.parse(readFileSync(path, 'utf8')) as PkiManifest;
    } catch (e) {
      throw new PkiDirectoryError(`cannot read ${path}: ${(e as Error).message}`);
    }
    if (manifest.format !== 'pnc-stack-pki/1' || !Array.isArray(manifest.certificates)) throw new PkiDirectoryError(`${path} is not a pnc-stack PKI manifest`);
    return new PkiDirectory(dir, manifest);
  }

  get databasePath(): string {
    return join(this.dir, CA_DATABASE);
  }

  entry(id: string): ManifestEntry {
    const e = this.byId.get(id);
    if (!e) throw new PkiDirectoryError(`no certificate ${id} in ${this.dir}`);
    return e;
  }

  entries(filter: (e: ManifestEntry) => boolean = () => true): ManifestEntry[] {
    return this.manifest.certificates.filter(filter);
  }

  path(rel: string): string {
    return join(this.dir, rel);
  }

  der(id: string): Buffer {
    const [der] = decodePemCertificates(readFileSync(this.path(this.entry(id).certificate), 'utf8'));
    if (!der) throw new PkiDirectoryError(`${this.entry(id).certificate} holds no certificate`);
    return der;
  }

  certificate(id: string): Certificate {
    return parseCertificate(this.der(id));
  }

  privateKey(id: string, passphrase: string): KeyObject {
    return decryptPrivateKey(readFileSync(this.path(this.entry(id).key), 'utf8'), passphrase);
  }

  /** Manifest entries of the certificates in `der` (matched by fingerprint). */
  find(der: Buffer): ManifestEntry | undefined {
    const fp = fingerprint256(der);
    return this.manifest.certificates.find((e) => e.fingerprint256 === fp);
  }
}

export interface IssueContractOptions {
  readonly emaid: string;
  readonly protocol?: Protocol | 'both';
  readonly passphrase: string;
  readonly notBefore?: number;
  readonly notAfter?: number;
  readonly now?: number;
}

/** Issues a contract certificate for `emaid` in every suite of the PKI (or those of `protocol`). */
export function issueContractInPki(dir: string, options: IssueContractOptions): ManifestEntry[] {
  PkiDirectory.open(dir); // a clear error for a directory without a PKI, before any lock file is made
  return withPkiLock(dir, () => issueContractLocked(dir, options));
}

function issueContractLocked(dir: string, options: IssueContractOptions): ManifestEntry[] {
  const pki = PkiDirectory.open(dir);
  const now = options.now ?? Date.now();
  const suites = pki.manifest.suites.filter((s) => !options.protocol || suitesFor(options.protocol).includes(s));
  if (suites.length === 0) throw new PkiDirectoryError(`the PKI in ${dir} has no ${options.protocol} suite`);
  const emaid = emaidWithCheckDigit(parseEmaid(options.emaid, 'strict'));
  const issued: IssuedCertificate[] = [];
  const known = new Map<string, IssuedCertificate>();
  for (const suite of suites) {
    const id = `${suite}/contract/${emaid}`;
    if (pki.entries((e) => e.id === id).length) throw new PkiDirectoryError(`${id} exists already; revoke it and issue under another eMAID`);
    const moSub2 = loadIssued(pki, `${suite}/mo-sub2`, options.passphrase);
    const moSub1 = loadIssued(pki, `${suite}/mo-sub1`, options.passphrase);
    known.set(moSub2.id, moSub2).set(moSub1.id, moSub1);
    const notBefore = options.notBefore ?? now - 3_600_000;
    issued.push(
      issueContract({
        emaid,
        moSub2,
        ocspUrl: pki.manifest.ocspUrl,
        country: pki.manifest.country,
        notBefore,
        notAfter: options.notAfter ?? now + 730 * 86_400_000,
      }),
    );
  }
  for (const c of issued) known.set(c.id, c);
  writeCaDatabase(pki.databasePath, addEntries(readCaDatabase(pki.databasePath), issued.map(databaseEntry)));
  writeIssued(dir, issued, options.passphrase);
  writePartyViews(dir, issued, known, options.passphrase);
  const entries = issued.map(manifestEntry);
  writeManifest(dir, { ...pki.manifest, certificates: [...pki.manifest.certificates, ...entries] });
  return entries;
}

function loadIssued(pki: PkiDirectory, id: string, passphrase: string): IssuedCertificate {
  const e = pki.entry(id);
  const der = pki.der(id);
  const privateKey = pki.privateKey(id, passphrase);
  const cert = parseCertificate(der);
  return {
    id: e.id,
    suite: e.suite,
    name: e.name,
    kind: e.kind,
    ...(e.role ? { role: e.role } : {}),
    issuerId: e.issuerId,
    der,
    cert,
    key: { type: SUITES[e.suite].keyType, privateKey, publicKey: createPublicKey(privateKey) },
  };
}

export interface RevokeOptions {
  readonly reason?: CrlReason;
  readonly at?: number;
}

/**
 * Records certificates issued outside this directory (e.g. SECC leaves a CSMS signed with the CPO Sub-CA 2) as valid in
 * its CA database, under the directory lock, so that its OCSP responder answers "good" for them instead of "unknown".
 */
export function recordIssuedInPki(dir: string, entries: readonly CaDatabaseEntry[]): void {
  withPkiLock(dir, () => {
    const path = join(dir, CA_DATABASE);
    // addEntries refuses a serial the issuer already has (RFC 5280 §4.1.2.2).
    writeCaDatabase(path, addEntries(readCaDatabase(path), entries));
  });
}

/**
 * Marks certificates revoked in the CA database; the OCSP responder answers "revoked" from its next request on.
 * `target` is a manifest id (iso2/cpo-sub2), an eMAID (all its contracts) or a PEM/DER file of one of our certificates.
 */
export function revokeInPki(dir: string, target: string, options: RevokeOptions = {}): ManifestEntry[] {
  PkiDirectory.open(dir);
  return withPkiLock(dir, () => revokeLocked(dir, target, options));
}

function revokeLocked(dir: string, target: string, options: RevokeOptions): ManifestEntry[] {
  const pki = PkiDirectory.open(dir);
  let entries: ManifestEntry[] = pki.entries((e) => e.id === target);
  if (entries.length === 0) {
    const emaid = normalizeEmaid(target);
    // An eMAID given without its check digit names the same contracts.
    entries = pki.entries((e) => e.role === 'contract' && (e.name === `contract/${emaid}` || e.name.slice(0, -1) === `contract/${emaid}`));
  }
  if (entries.length === 0 && existsSync(target)) {
    const raw = readFileSync(target);
    const text = raw.toString('latin1');
    const ders = text.includes('-----BEGIN') ? decodePemCertificates(text) : [raw];
    const first = ders[0] && pki.find(ders[0]);
    if (first) entries = [first];
    else throw new PkiDirectoryError(`${target} is not a certificate of the PKI in ${dir}`);
  }
  if (entries.length === 0) throw new PkiDirectoryError(`nothing in ${dir} matches ${target} (give a manifest id, an eMAID or a certificate file)`);
  const db = readCaDatabase(pki.databasePath);
  writeCaDatabase(pki.databasePath, revokeEntries(db, entries.map((e) => e.id), options.at ?? Date.now(), options.reason ?? 'unspecified'));
  return entries;
}
