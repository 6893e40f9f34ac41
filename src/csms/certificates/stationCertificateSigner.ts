// The optional CSO CA for SignCertificate with certificateType ChargingStationCertificate: the station's TLS client
// certificate for security profile 3 (OCPP 2.0.1 A02/A03). The leaf gets the CSR's subject (CN = station identity,
// checked by csrDecision), basicConstraints CA:FALSE, keyUsage digitalSignature (+ keyEncipherment for RSA),
// extKeyUsage clientAuth, SKI/AKI; the chain returned is the leaf and the CA's certificates up to (not including) a
// self-signed root.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { CertificateParseError, hasKeyUsage, parseCertificate, type Certificate, type KeyUsageName, type SignatureAlgorithm } from '../../pki/certificate/certificate.js';
import type { CertificationRequest } from '../../pki/certificate/certificationRequest.js';
import { fingerprint256 } from '../../pki/certificate/fingerprint.js';
import { formatName } from '../../pki/certificate/name.js';
import { encodePem } from '../../pki/certificate/pem.js';
import { signatureAlgorithmForKey } from '../../pki/certificate/signatureAlgorithms.js';
import { buildCertificate, ext, keyIdentifier, randomSerial } from '../../pki/generator/certificateBuilder.js';
import { Oid } from '../../pki/oids.js';
import { readSigningKeyFiles } from './signingKeyFiles.js';

const DAY_MS = 86_400_000;
export const STATION_CERTIFICATE_VALIDITY_DAYS = 365;

export class StationCertificateSignerError extends Error {
  override readonly name = 'StationCertificateSignerError';
  constructor(
    readonly code: 'config' | 'caNotValid',
    message: string,
  ) {
    super(message);
  }
}

export interface IssuedStationCertificate {
  readonly der: Buffer;
  readonly cert: Certificate;
  /** Leaf + the CA's chain without a root: CertificateSignedRequest.certificateChain. */
  readonly chainPem: string;
  readonly serialHex: string;
  readonly fingerprint256: string;
}

export interface StationSignerOptions {
  readonly clock?: () => number;
  readonly validityDays?: number;
}

function caSignatureAlgorithm(ca: Certificate): SignatureAlgorithm {
  if (ca.publicKeyType === 'RSA') return 'sha256WithRSAEncryption';
  const alg = signatureAlgorithmForKey(ca.publicKeyType);
  if (!alg) throw new StationCertificateSignerError('config', `a ${ca.publicKeyType} CA key cannot sign certificates here`);
  return alg;
}

export class StationCertificateSigner {
  private readonly ca: Certificate;
  private readonly chain: readonly Buffer[];
  private readonly signatureAlgorithm: SignatureAlgorithm;
  private readonly clock: () => number;

  /** `chain`: the CA's certificate first, then its issuers (a self-signed root at the end is not sent). */
  constructor(
    chain: readonly Buffer[],
    private readonly key: KeyObject,
    private readonly options: StationSignerOptions = {},
  ) {
    let certs: Certificate[];
    try {
      certs = chain.map((d) => parseCertificate(d));
    } catch (e) {
      if (e instanceof CertificateParseError) throw new StationCertificateSignerError('config', `CSO CA chain: ${e.message}`);
      throw e;
    }
    const ca = certs[0];
    if (!ca) throw new StationCertificateSignerError('config', 'CSO CA chain holds no certificate');
    if (!ca.basicConstraints?.ca || !hasKeyUsage(ca, 'keyCertSign')) throw new StationCertificateSignerError('config', `${formatName(ca.subject)} is not a CA that may sign certificates`);
    if (key.type !== 'private' || !createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(ca.spki)) {
      throw new StationCertificateSignerError('config', `the CSO CA key does not belong to ${formatName(ca.subject)}`);
    }
    this.ca = ca;
    this.signatureAlgorithm = caSignatureAlgorithm(ca);
    this.chain = certs.filter((c) => !c.subjectRaw.equals(c.issuerRaw)).map((c) => c.der);
    this.clock = options.clock ?? Date.now;
  }

  static fromFiles(chainPath: string, keyPath: string, passphrase: string, options: StationSignerOptions = {}): StationCertificateSigner {
    const { chain, key } = readSigningKeyFiles(chainPath, keyPath, passphrase, (message) => new StationCertificateSignerError('config', message));
    return new StationCertificateSigner(chain, key, options);
  }

  sign(csr: CertificationRequest): Promise<IssuedStationCertificate> {
    return Promise.resolve().then(() => this.signNow(csr));
  }

  private signNow(csr: CertificationRequest): IssuedStationCertificate {
    const now = this.clock();
    if (now < this.ca.notBefore || now >= this.ca.notAfter) throw new StationCertificateSignerError('caNotValid', 'the CSO CA is not valid now');
    const s = csr.subject;
    const usages: KeyUsageName[] = csr.publicKeyType === 'RSA' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
    const der = buildCertificate({
      serial: randomSerial(),
      subject: {
        ...(s.country !== undefined ? { country: s.country } : {}),
        ...(s.organization !== undefined ? { organization: s.organization } : {}),
        ...(s.commonName !== undefined ? { commonName: s.commonName } : {}),
        ...(s.domainComponents[0] !== undefined ? { domainComponent: s.domainComponents[0] } : {}),
      },
      issuer: this.ca.subjectRaw,
      notBefore: Math.max(now - 3_600_000, this.ca.notBefore),
      notAfter: Math.min(now + (this.options.validityDays ?? STATION_CERTIFICATE_VALIDITY_DAYS) * DAY_MS, this.ca.notAfter),
      publicKey: csr.publicKey,
      extensions: [
        ext.basicConstraints(false),
        ext.keyUsage(usages),
        ext.extKeyUsage([Oid.kpClientAuth]),
        ext.subjectKeyIdentifier(keyIdentifier(csr.publicKey)),
        ext.authorityKeyIdentifier(this.ca.subjectKeyId ?? keyIdentifier(createPublicKey(this.key))),
      ],
      signatureAlgorithm: this.signatureAlgorithm,
      signingKey: this.key,
    });
    const cert = parseCertificate(der);
    return {
      der,
      cert,
      chainPem: [der, ...this.chain].map((d) => encodePem('CERTIFICATE', d)).join(''),
      serialHex: cert.serialHex,
      fingerprint256: fingerprint256(der),
    };
  }

  /** Key types this CA certifies for stations. */
  get keyTypes(): readonly ('P-256' | 'P-384' | 'RSA')[] {
    return ['P-256', 'P-384', 'RSA'];
  }
}
