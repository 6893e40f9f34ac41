// The assumptions behind `pnc sizing`: every number the estimate depends on, named, documented and defaulted here so
// that the table, the JSON and `--help` state the same values.
import { PROTOCOL_PROFILES } from '../pki/profile/protocolProfile.js';

/** Which -20 certificate suite is sized (the test PKI has both; an EV or SECC may hold one or both). */
export type Iso20Suite = 'p521' | 'ed448';
export const ISO20_SUITES: readonly Iso20Suite[] = ['p521', 'ed448'];

/** How a private key is counted: PKCS#8 DER with its public key (what OpenSSL and Node export), or the bare scalar. */
export type KeyFormat = 'pkcs8' | 'raw';
export const KEY_FORMATS: readonly KeyFormat[] = ['pkcs8', 'raw'];

export interface StorageAssumptions {
  /** Size of every ISO 15118-2 certificate in maxima mode: the XSD certificateType maximum. */
  readonly iso2CertificateBytes: number;
  /** Size of every ISO 15118-20 certificate in maxima mode: the XSD certificateType maximum. */
  readonly iso20CertificateBytes: number;
  /** Sub-CAs between a leaf and its root in every chain (the V2G, MO and OEM PKIs use two). */
  readonly subCas: number;
  /** V2G root generations held at once: old and new during the one-year root transition. */
  readonly rootGenerations: number;
  /** MO roots a charger trusts per protocol (all generations counted). */
  readonly moRoots: number;
  /** OEM roots a charger trusts for -20 mutual TLS (vehicle certificates). */
  readonly oemRoots: number;
  /** One stapled OCSP response (BasicOCSPResponse with its signer certificate); measured responses are ~1.3–1.5 kB. */
  readonly ocspResponseBytes: number;
  /** The -20 suite whose key sizes (and, with --pki, certificate sizes) are used. */
  readonly iso20Suite: Iso20Suite;
  readonly keyFormat: KeyFormat;
}

export const DEFAULT_STORAGE_ASSUMPTIONS: StorageAssumptions = {
  iso2CertificateBytes: PROTOCOL_PROFILES.iso2.maxCertificateBytes,
  iso20CertificateBytes: PROTOCOL_PROFILES.iso20.maxCertificateBytes,
  subCas: 2,
  rootGenerations: 2,
  moRoots: 5,
  oemRoots: 10,
  // The upper end of the measured range, so that the estimate does not fall short.
  ocspResponseBytes: 1500,
  // P-521 keys are the larger of the two -20 suites.
  iso20Suite: 'p521',
  keyFormat: 'pkcs8',
};

/** Chains carry at most two Sub-CAs: ISO 15118-2 allows two, and the V2G/MO/OEM hierarchies of -20 use two. */
export const MAX_SUB_CAS = 2;
