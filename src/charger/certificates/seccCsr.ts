// The CSR of a SECC certificate renewal (OCPP 2.0.1 A02/A03 with certificateType V2GCertificate): subject CN =
// ISO15118Ctrlr.SeccId, O = ISO15118Ctrlr.OrganizationName, C = ISO15118Ctrlr.CountryName, DC = CPO (the SECC leaf's
// domain component, [V2G2-925]); key and signature per TLS suite. The requested extensions are the SECC leaf profile the
// public test PKIs and EVerest's CSR use: basicConstraints CA:FALSE, keyUsage digitalSignature (+ keyAgreement for EC).
import type { KeyObject } from 'node:crypto';
import { buildCertificationRequest, CertificationRequestBuildError, csrKeyType, type CsrSigner } from '../../pki/generator/certificationRequest.js';
import { ext, type ExtensionSpec } from '../../pki/generator/certificateBuilder.js';
import { isIsoCountryCode } from '../../pki/generator/countryCodes.js';
import { encryptPrivateKey, generateKeyPair, type KeyType } from '../../pki/generator/keys.js';
import type { KeyUsageName } from '../../pki/certificate/certificate.js';
import { SUITES } from '../../pki/generator/testPki.js';
import { ROLE_PROFILES } from '../../pki/profile/roleProfile.js';
import type { TlsSuiteName } from '../store/chargerStateStore.js';

/** ISO15118Ctrlr variables that make the subject. */
export interface SeccSubjectSettings {
  /** ISO15118Ctrlr.SeccId */
  readonly seccId: string;
  /** ISO15118Ctrlr.OrganizationName */
  readonly organizationName: string;
  /** ISO15118Ctrlr.CountryName (ISO 3166-1 alpha-2) */
  readonly countryName: string;
}

/** The SECC leaf's domain component, CPO ([V2G2-925]; the chain check refuses a leaf without it). */
export const SECC_DOMAIN_COMPONENT = ROLE_PROFILES.secc.leafDomainComponent;

export type SeccCsrKeySource =
  /** Generate a fresh key; it comes back encrypted with this passphrase. */
  | { readonly kind: 'generate'; readonly passphrase: string }
  /** The key lives elsewhere (PKCS#11 token): its public half and a signer. */
  | { readonly kind: 'signer'; readonly publicKey: KeyObject; readonly signer: CsrSigner };

export interface SeccCsrRequest {
  readonly suite: TlsSuiteName;
  readonly settings: SeccSubjectSettings;
  readonly key: SeccCsrKeySource;
}

export interface SeccCsr {
  readonly suite: TlsSuiteName;
  /** For SignCertificateRequest.csr. */
  readonly csrPem: string;
  /** The public key certified; CertificateSigned's leaf must carry it. */
  readonly publicKey: KeyObject;
  /** Encrypted PKCS#8 PEM of a generated key, to keep as the pending SECC key; absent when a signer holds the key. */
  readonly keyPem?: string;
}

export function seccKeyType(suite: TlsSuiteName): KeyType {
  return SUITES[suite].keyType;
}

/** What the SECC leaf requests: not a CA; signs (TLS 1.3, -20 CertificateVerify) and agrees keys (-2 ECDH) if EC. */
export function seccRequestedExtensions(keyType: KeyType): ExtensionSpec[] {
  const usages: KeyUsageName[] = keyType === 'Ed448' ? ['digitalSignature'] : ['digitalSignature', 'keyAgreement'];
  return [ext.basicConstraints(false), ext.keyUsage(usages)];
}

/** Builds the renewal CSR. Throws CertificationRequestBuildError for unusable settings or a signer that fails its check. */
export async function createSeccCsr(request: SeccCsrRequest): Promise<SeccCsr> {
  const { settings, suite } = request;
  if (!isIsoCountryCode(settings.countryName)) {
    throw new CertificationRequestBuildError('subject', `ISO15118Ctrlr.CountryName "${settings.countryName}" is not an ISO 3166-1 alpha-2 code`);
  }
  const keyType = seccKeyType(suite);
  const subject = {
    country: settings.countryName,
    organization: settings.organizationName,
    commonName: settings.seccId,
    domainComponent: SECC_DOMAIN_COMPONENT,
  };
  const extensions = seccRequestedExtensions(keyType);
  if (request.key.kind === 'generate') {
    const pair = generateKeyPair(keyType);
    const keyPem = encryptPrivateKey(pair.privateKey, request.key.passphrase);
    const csr = await buildCertificationRequest({ subject, publicKey: pair.publicKey, signer: pair.privateKey, extensions });
    return { suite, csrPem: csr.pem, publicKey: pair.publicKey, keyPem };
  }
  const signerKeyType = csrKeyType(request.key.publicKey);
  if (signerKeyType !== keyType) {
    throw new CertificationRequestBuildError('key', `suite ${suite} needs a ${keyType} key, the signer's key is ${signerKeyType}`);
  }
  const csr = await buildCertificationRequest({ subject, publicKey: request.key.publicKey, signer: request.key.signer, extensions });
  return { suite, csrPem: csr.pem, publicKey: request.key.publicKey };
}
