// CertificateSignedRequest for certificateType V2GCertificate (OCPP 2.0.1 A02/A03): is this PEM chain, leaf first, a
// SECC certificate the charger can present to EVs? Checked before anything is stored:
//   - parseable PEM with only CERTIFICATE blocks, each within the ISO 15118 size (-2: 800 bytes, -20: 1600 bytes),
//     at most the sub-CAs the protocol allows (an appended copy of an installed V2G root is dropped);
//   - the leaf carries DC=CPO ([V2G2-925]; an EV refuses any other, [V2G2-875]) and the public key of the pending
//     renewal's CSR — otherwise the charger would hold a certificate for a key it does not have;
//   - every certificate uses the suite's key and signature algorithm, so the chain fits the TLS suite it serves;
//   - the ISO 15118 chain verdict (role secc, the suite's protocol) is valid against the installed V2G roots.
import type { KeyObject } from 'node:crypto';
import type { CertificateSignedResponse } from '../../ocpp/generated/ocpp201.js';
import { CertificateParseError, parseCertificate, type Certificate } from '../../pki/certificate/certificate.js';
import { PemError, decodePem } from '../../pki/certificate/pem.js';
import { publicKeyBits } from '../../pki/generator/certificateBuilder.js';
import { SUITES } from '../../pki/generator/testPki.js';
import { PROTOCOL_PROFILES } from '../../pki/profile/protocolProfile.js';
import { chainVerdict, type ChainVerdict } from '../../pki/verdict/chainVerdict.js';
import { createTrustStore } from '../../pki/verdict/trustStore.js';
import type { InstalledCertificate, TlsSuiteName } from '../store/chargerStateStore.js';
import { SECC_DOMAIN_COMPONENT } from './seccCsr.js';

/** CertificateSignedRequest.certificateChain maxLength in the official schema. */
export const MAX_CERTIFICATE_CHAIN_CHARS = 10_000;

export interface SignedChainInput {
  /** CertificateSignedRequest.certificateChain. */
  readonly certificateChain: string;
  /** The TLS suite the pending renewal is for. */
  readonly suite: TlsSuiteName;
  /** Public key of the pending SECC key (the CSR's); undefined when no renewal is pending. */
  readonly pendingPublicKey: KeyObject | undefined;
  /** The charger's installed certificates; its V2GRootCertificate ones are the anchors. */
  readonly installed: readonly InstalledCertificate[];
  /** Now (epoch ms). */
  readonly at: number;
}

export type SignedChainRejection =
  | 'noPendingRequest'
  | 'empty'
  | 'tooLarge'
  | 'pem'
  | 'chainLength'
  | 'parse'
  | 'domainComponent'
  | 'keyMismatch'
  | 'suite'
  | 'untrusted'
  | 'expired'
  | 'notYetValid'
  | 'chain';

export type SignedChainCheck =
  | {
      readonly status: 'Accepted';
      /** Leaf, then its sub-CAs in issuing order (DER): the chain to store and present. */
      readonly chain: readonly Buffer[];
      readonly verdict: ChainVerdict;
      readonly response: CertificateSignedResponse;
    }
  | {
      readonly status: 'Rejected';
      readonly reason: SignedChainRejection;
      readonly detail: string;
      readonly response: CertificateSignedResponse;
      /** Present when the chain got as far as the verdict. */
      readonly verdict?: ChainVerdict;
    };

const REASON_CODES: Partial<Record<SignedChainRejection, string>> = {
  noPendingRequest: 'InvalidMessageSeq',
  tooLarge: 'TooLargeElement',
  chainLength: 'TooManyElements',
};

function reject(reason: SignedChainRejection, detail: string, verdict?: ChainVerdict): SignedChainCheck {
  const additionalInfo = detail.length <= 512 ? detail : `${detail.slice(0, 509)}...`;
  return {
    status: 'Rejected',
    reason,
    detail,
    response: { status: 'Rejected', statusInfo: { reasonCode: REASON_CODES[reason] ?? 'InvalidCertificate', additionalInfo } },
    ...(verdict ? { verdict } : {}),
  };
}

const isSelfIssued = (c: Certificate): boolean => c.subjectRaw.equals(c.issuerRaw);

export function checkSignedChain(input: SignedChainInput): SignedChainCheck {
  const suite = SUITES[input.suite];
  const profile = PROTOCOL_PROFILES[suite.protocol];
  if (!input.pendingPublicKey) return reject('noPendingRequest', 'no SECC certificate renewal is pending (no SignCertificate sent)');
  if (input.certificateChain.length > MAX_CERTIFICATE_CHAIN_CHARS) {
    return reject('tooLarge', `certificate chain of ${input.certificateChain.length} characters exceeds ${MAX_CERTIFICATE_CHAIN_CHARS}`);
  }

  let blocks;
  try {
    blocks = decodePem(input.certificateChain);
  } catch (e) {
    if (!(e instanceof PemError)) throw e;
    return reject('pem', e.message);
  }
  if (blocks.length === 0) return reject('empty', 'the certificate chain holds no PEM certificate');
  const other = blocks.find((b) => b.label !== 'CERTIFICATE');
  if (other) return reject('pem', `unexpected PEM block ${other.label} in the certificate chain`);
  let ders = blocks.map((b) => b.der);

  const roots = input.installed.filter((c) => c.use === 'V2GRootCertificate');
  // A CA may append its root; a copy of an installed root adds nothing and is not sent to EVs.
  const last = ders[ders.length - 1]!;
  if (ders.length > 1 && roots.some((r) => r.der.equals(last))) ders = ders.slice(0, -1);
  if (ders.length - 1 > profile.maxSubCAs) {
    return reject('chainLength', `${ders.length - 1} sub-CAs, ${suite.protocol} allows at most ${profile.maxSubCAs}`);
  }
  const oversize = ders.findIndex((d) => d.length > profile.maxCertificateBytes);
  if (oversize >= 0) {
    return reject('tooLarge', `${oversize === 0 ? 'leaf' : `sub-CA #${oversize}`} is ${ders[oversize]!.length} bytes, ${suite.protocol} allows ${profile.maxCertificateBytes}`);
  }

  let certs: Certificate[];
  try {
    certs = ders.map((d) => parseCertificate(d));
  } catch (e) {
    if (!(e instanceof CertificateParseError)) throw e;
    return reject('parse', e.message);
  }
  const leaf = certs[0]!;
  if (!leaf.subject.domainComponents.includes(SECC_DOMAIN_COMPONENT)) {
    const dcs = leaf.subject.domainComponents;
    return reject('domainComponent', `leaf has ${dcs.length ? dcs.map((d) => `DC=${d}`).join(',') : 'no DC'}, a SECC certificate needs DC=${SECC_DOMAIN_COMPONENT}`);
  }
  const pending = publicKeyBits(input.pendingPublicKey.export({ type: 'spki', format: 'der' }));
  if (leaf.publicKeyType !== suite.keyType || !leaf.publicKeyBits.equals(pending)) {
    return reject('keyMismatch', 'the leaf does not certify the key of the pending certificate request');
  }
  const offSuite = certs.findIndex((c) => c.publicKeyType !== suite.keyType || c.signatureAlgorithm !== suite.signatureAlgorithm);
  if (offSuite >= 0) {
    const c = certs[offSuite]!;
    return reject('suite', `${offSuite === 0 ? 'leaf' : `sub-CA #${offSuite}`} has a ${c.publicKeyType} key signed with ${c.signatureAlgorithm}; suite ${input.suite} uses ${suite.keyType}/${suite.signatureAlgorithm}`);
  }
  const selfSigned = certs.find((c, i) => i > 0 && isSelfIssued(c));
  if (selfSigned) return reject('untrusted', 'the chain carries a root that is not an installed V2G root');

  const verdict = chainVerdict({
    leaf: ders[0]!,
    subCAs: ders.slice(1),
    trustStore: createTrustStore(roots.map((r) => ({ der: r.der, source: `installed V2GRootCertificate #${r.id}` }))),
    protocol: suite.protocol,
    role: 'secc',
    at: input.at,
  });
  if (!verdict.valid) {
    const failed = verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ');
    const reason: SignedChainRejection =
      verdict.failure === 'noAnchors' || verdict.failure === 'untrusted'
        ? 'untrusted'
        : verdict.failure === 'expired'
          ? 'expired'
          : verdict.failure === 'notYetValid'
            ? 'notYetValid'
            : 'chain';
    return reject(reason, failed, verdict);
  }
  return { status: 'Accepted', chain: verdict.path.map((c) => c.der), verdict, response: { status: 'Accepted' } };
}
