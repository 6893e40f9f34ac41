// The CPO's issuing CA for SECC certificates (OCPP 2.0.1 A02/A03, certificateType V2GCertificate): the CPO Sub-CA 2
// of each ISO 15118 suite, loaded from a PKI directory (csms/<suite>/keystore/cpo-sub2.chain.pem + .key.pem) or from
// explicit files. The CSR's key picks the suite (P-256 → iso2, P-521 → iso20-p521, Ed448 → iso20-ed448); the leaf
// gets the SECC profile of that suite — subject C, O, CN (the SeccId) and DC=CPO from the CSR, basicConstraints
// CA:FALSE and keyUsage (critical), SKI, AKI, the OCSP URL in the AIA as every other certificate of the PKI — and the
// result is what a charger installs: leaf, CPO Sub-CA 2, CPO Sub-CA 1 (never the root, which the EV holds).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateParseError, hasKeyUsage, parseCertificate, type Certificate, type KeyUsageName, type PublicKeyType } from '../../pki/certificate/certificate.js';
import type { CertificationRequest } from '../../pki/certificate/certificationRequest.js';
import { fingerprint256 } from '../../pki/certificate/fingerprint.js';
import { formatName } from '../../pki/certificate/name.js';
import { encodePem } from '../../pki/certificate/pem.js';
import { importPublicKey, verifyCertificateSignature } from '../../pki/certificate/signature.js';
import { buildCertificate, ext, keyIdentifier, randomSerial, type ExtensionSpec } from '../../pki/generator/certificateBuilder.js';
import { SUITES, type Suite } from '../../pki/generator/testPki.js';
import { PROTOCOL_PROFILES } from '../../pki/profile/protocolProfile.js';
import { ROLE_PROFILES } from '../../pki/profile/roleProfile.js';
import { readSigningKeyFiles } from './signingKeyFiles.js';

const DAY_MS = 86_400_000;
/** SECC leaf validity as the public test PKIs issue it (60 days; reference notes iso15118-stacks §3.3). */
export const SECC_VALIDITY_DAYS = 60;
/** notBefore is set back this far, so that a station with a slightly late clock accepts the new certificate at once. */
const BACKDATE_MS = 3_600_000;

export type V2gSignerErrorCode =
  /** The CA files are missing, unreadable or do not belong together. */
  | 'config'
  /** No CPO Sub-CA 2 for the CSR's key type. */
  | 'noCaForKey'
  /** The CA is not valid now. */
  | 'caNotValid'
  /** The leaf would break the suite's size limit (a very long subject). */
  | 'tooLarge';

export class V2gSignerError extends Error {
  override readonly name = 'V2gSignerError';
  constructor(
    readonly code: V2gSignerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One suite's issuing CA. */
export interface CpoSubCa2 {
  readonly suite: Suite;
  readonly cert: Certificate;
  readonly key: KeyObject;
  /** CPO Sub-CA 2 then Sub-CA 1, DER: what follows the leaf in CertificateSignedRequest.certificateChain. */
  readonly chain: readonly Buffer[];
  /** Manifest id of the Sub-CA 2 (e.g. iso2/cpo-sub2) when loaded from a PKI directory: its OCSP authority id. */
  readonly manifestId?: string;
}

export interface IssuedSeccCertificate {
  readonly suite: Suite;
  readonly der: Buffer;
  readonly cert: Certificate;
  /** Leaf + Sub-CA 2 + Sub-CA 1, PEM: CertificateSignedRequest.certificateChain. */
  readonly chainPem: string;
  readonly serialHex: string;
  readonly fingerprint256: string;
  readonly issuer: CpoSubCa2;
}

export interface V2gSignerOptions {
  /** Epoch ms; default Date.now. */
  readonly clock?: () => number;
  /** Leaf validity, capped by the Sub-CA 2's own end; default SECC_VALIDITY_DAYS. */
  readonly validityDays?: number;
  /** OCSP URL for the leaf's AIA; default the Sub-CA 2's own (the PKI writes one URL into every certificate). */
  readonly ocspUrl?: string;
}

/** The suite whose SECC keys have this type. */
export function suiteOfKeyType(keyType: PublicKeyType): Suite | undefined {
  return Object.values(SUITES).find((s) => s.keyType === keyType)?.suite;
}

/** The SECC leaf's keyUsage: signs, and (EC only) agrees keys for the -2 ECDH suites. */
function seccKeyUsage(keyType: PublicKeyType): KeyUsageName[] {
  const required = ROLE_PROFILES.secc.leafKeyUsage;
  return keyType === 'Ed448' ? [...required] : [...new Set<KeyUsageName>([...required, 'keyAgreement'])];
}

function issuedBy(child: Certificate, issuer: Certificate): boolean {
  if (!issuer.subjectRaw.equals(child.issuerRaw)) return false;
  const key = importPublicKey(issuer);
  return 'key' in key && verifyCertificateSignature(child, key.key, issuer.publicKeyType).ok;
}

/** Checks that the files make an issuing CA: a CA certificate with keyCertSign, its key, and the Sub-CA 1 that issued it. */
export function cpoSubCa2From(chainDers: readonly Buffer[], key: KeyObject, source: string, manifestId?: string): CpoSubCa2 {
  if (chainDers.length < 2) throw new V2gSignerError('config', `${source}: expected CPO Sub-CA 2 and Sub-CA 1, found ${chainDers.length} certificate(s)`);
  let certs: Certificate[];
  try {
    certs = chainDers.map((d) => parseCertificate(d));
  } catch (e) {
    if (e instanceof CertificateParseError) throw new V2gSignerError('config', `${source}: ${e.message}`);
    throw e;
  }
  const [sub2, sub1] = certs as [Certificate, Certificate];
  if (!sub2.basicConstraints?.ca || !hasKeyUsage(sub2, 'keyCertSign')) throw new V2gSignerError('config', `${source}: ${formatName(sub2.subject)} is not a CA that may sign certificates`);
  if (key.type !== 'private' || !createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(sub2.spki)) {
    throw new V2gSignerError('config', `${source}: the private key does not belong to ${formatName(sub2.subject)}`);
  }
  if (!issuedBy(sub2, sub1)) throw new V2gSignerError('config', `${source}: the second certificate did not issue the first (expected Sub-CA 2, then Sub-CA 1)`);
  const suite = suiteOfKeyType(sub2.publicKeyType);
  if (!suite || sub2.signatureAlgorithm !== SUITES[suite].signatureAlgorithm) {
    throw new V2gSignerError('config', `${source}: a ${sub2.publicKeyType} CA signed with ${sub2.signatureAlgorithm} fits no ISO 15118 suite`);
  }
  if (sub2.subject.domainComponents.some((dc) => dc.toUpperCase() === 'MO')) {
    throw new V2gSignerError('config', `${source}: ${formatName(sub2.subject)} is an MO CA, not a CPO Sub-CA`);
  }
  return { suite, cert: sub2, key, chain: chainDers.slice(0, 2), ...(manifestId ? { manifestId } : {}) };
}

function readKeyed(chainPath: string, keyPath: string, passphrase: string): { chain: Buffer[]; key: KeyObject } {
  return readSigningKeyFiles(chainPath, keyPath, passphrase, (message) => new V2gSignerError('config', message));
}

export class V2gCertificateSigner {
  private readonly bySuite = new Map<Suite, CpoSubCa2>();
  private readonly clock: () => number;

  constructor(
    cas: readonly CpoSubCa2[],
    private readonly options: V2gSignerOptions = {},
  ) {
    if (cas.length === 0) throw new V2gSignerError('config', 'no CPO Sub-CA 2 configured');
    for (const ca of cas) {
      if (this.bySuite.has(ca.suite)) throw new V2gSignerError('config', `two CPO Sub-CA 2 for suite ${ca.suite}`);
      this.bySuite.set(ca.suite, ca);
    }
    if (options.validityDays !== undefined && !(options.validityDays > 0 && options.validityDays <= 3650)) {
      throw new V2gSignerError('config', `validity of ${options.validityDays} days is out of range`);
    }
    this.clock = options.clock ?? Date.now;
  }

  /** Every suite found under csms/<suite>/keystore of a PKI directory (`pnc pki init` layout). */
  static fromPkiDirectory(dir: string, passphrase: string, options: V2gSignerOptions = {}): V2gCertificateSigner {
    const cas: CpoSubCa2[] = [];
    for (const suite of Object.keys(SUITES) as Suite[]) {
      const base = join(dir, 'csms', suite, 'keystore', 'cpo-sub2');
      if (!existsSync(`${base}.chain.pem`)) continue;
      const { chain, key } = readKeyed(`${base}.chain.pem`, `${base}.key.pem`, passphrase);
      const ca = cpoSubCa2From(chain, key, `${base}.chain.pem`, `${suite}/cpo-sub2`);
      if (ca.suite !== suite) throw new V2gSignerError('config', `${base}.chain.pem holds a ${ca.suite} CA, not ${suite}`);
      cas.push(ca);
    }
    if (cas.length === 0) throw new V2gSignerError('config', `${dir} holds no csms/<suite>/keystore/cpo-sub2.chain.pem`);
    return new V2gCertificateSigner(cas, options);
  }

  /** Explicit files: each a chain PEM (Sub-CA 2, Sub-CA 1) and its encrypted PKCS#8 key. */
  static fromFiles(files: readonly { readonly chain: string; readonly key: string }[], passphrase: string, options: V2gSignerOptions = {}): V2gCertificateSigner {
    return new V2gCertificateSigner(
      files.map((f) => {
        const { chain, key } = readKeyed(f.chain, f.key, passphrase);
        return cpoSubCa2From(chain, key, f.chain);
      }),
      options,
    );
  }

  get suites(): Suite[] {
    return [...this.bySuite.keys()];
  }

  /** Key types a CSR may have (one per configured suite). */
  get keyTypes(): PublicKeyType[] {
    return this.suites.map((s) => SUITES[s].keyType);
  }

  ca(suite: Suite): CpoSubCa2 | undefined {
    return this.bySuite.get(suite);
  }

  /**
   * Issues the SECC leaf for a CSR whose signature was checked (parseCertificationRequest) and which csrDecision
   * accepted. Async so that a remote CA (EST) can stand in for this one behind the same call.
   */
  sign(csr: CertificationRequest): Promise<IssuedSeccCertificate> {
    return Promise.resolve().then(() => this.signNow(csr));
  }

  private signNow(csr: CertificationRequest): IssuedSeccCertificate {
    const suite = suiteOfKeyType(csr.publicKeyType);
    const ca = suite ? this.bySuite.get(suite) : undefined;
    if (!suite || !ca) throw new V2gSignerError('noCaForKey', `no CPO Sub-CA 2 for a ${csr.publicKeyType} key (configured: ${this.suites.join(', ')})`);
    const now = this.clock();
    if (now < ca.cert.notBefore || now >= ca.cert.notAfter) {
      throw new V2gSignerError('caNotValid', `the ${suite} CPO Sub-CA 2 is valid ${new Date(ca.cert.notBefore).toISOString()} – ${new Date(ca.cert.notAfter).toISOString()}, not now`);
    }
    const s = csr.subject;
    const ocspUrl = this.options.ocspUrl ?? ca.cert.ocspUrls[0];
    const extensions: ExtensionSpec[] = [
      ext.basicConstraints(false),
      ext.keyUsage(seccKeyUsage(csr.publicKeyType)),
      ext.subjectKeyIdentifier(keyIdentifier(csr.publicKey)),
      ext.authorityKeyIdentifier(ca.cert.subjectKeyId ?? keyIdentifier(createPublicKey(ca.key))),
      ...(ocspUrl ? [ext.ocspAccess(ocspUrl)] : []),
    ];
    const days = this.options.validityDays ?? SECC_VALIDITY_DAYS;
    const der = buildCertificate({
      serial: randomSerial(),
      // Re-encoded from the parsed values in the PKI's attribute order and string types (C PrintableString, DC IA5).
      subject: {
        ...(s.country !== undefined ? { country: s.country } : {}),
        ...(s.organization !== undefined ? { organization: s.organization } : {}),
        ...(s.commonName !== undefined ? { commonName: s.commonName } : {}),
        domainComponent: ROLE_PROFILES.secc.leafDomainComponent,
      },
      issuer: ca.cert.subjectRaw,
      notBefore: Math.max(now - BACKDATE_MS, ca.cert.notBefore),
      notAfter: Math.min(now + days * DAY_MS, ca.cert.notAfter),
      publicKey: csr.publicKey,
      extensions,
      signatureAlgorithm: SUITES[suite].signatureAlgorithm,
      signingKey: ca.key,
    });
    const max = PROTOCOL_PROFILES[SUITES[suite].protocol].maxCertificateBytes;
    if (der.length > max) throw new V2gSignerError('tooLarge', `the ${suite} SECC leaf would be ${der.length} bytes, ISO 15118 allows ${max}`);
    const cert = parseCertificate(der);
    return {
      suite,
      der,
      cert,
      chainPem: [der, ...ca.chain].map((d) => encodePem('CERTIFICATE', d)).join(''),
      serialHex: cert.serialHex,
      fingerprint256: fingerprint256(der),
      issuer: ca,
    };
  }
}
