// The TLS profiles of ISO 15118, as node:tls options. -2: TLS 1.2 only, ECDHE-ECDSA-AES128-SHA256 only, P-256 (the
// -2 list also names static ECDH-ECDSA-AES128-SHA256, which OpenSSL ≥ 1.1 no longer has and cars abort on; notes §1.6,
// §7 #1–2). -20: TLS 1.3 only with TLS_AES_256_GCM_SHA384 or TLS_CHACHA20_POLY1305_SHA256 ([V2G20-2459]), P-521 or
// Ed448 leafs, and mutual authentication (the SECC requires the vehicle certificate).
import type { ConnectionOptions, SecureContextOptions } from 'node:tls';

export type TlsSuite = 'iso2' | 'iso20-p521' | 'iso20-ed448';
export const TLS_SUITES: readonly TlsSuite[] = ['iso2', 'iso20-p521', 'iso20-ed448'];

export interface TlsProfile {
  readonly suite: TlsSuite;
  readonly protocol: 'iso2' | 'iso20';
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers: string;
  /** Key-exchange groups. */
  readonly ecdhCurve: string;
  /** Signature algorithms for CertificateVerify / ServerKeyExchange, as OpenSSL names them. */
  readonly sigalgs: string;
  /** The SECC requests and requires a client (vehicle) certificate. */
  readonly mutual: boolean;
}

const ISO20_CIPHERS = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';
// -20 key exchange on secp521r1 or X448 (the curves of its certificates).
const ISO20_GROUPS = 'P-521:X448';

export const TLS_PROFILES: Readonly<Record<TlsSuite, TlsProfile>> = {
  iso2: {
    suite: 'iso2',
    protocol: 'iso2',
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    ciphers: 'ECDHE-ECDSA-AES128-SHA256',
    ecdhCurve: 'P-256',
    sigalgs: 'ECDSA+SHA256',
    mutual: false,
  },
  'iso20-p521': {
    suite: 'iso20-p521',
    protocol: 'iso20',
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    ciphers: ISO20_CIPHERS,
    ecdhCurve: ISO20_GROUPS,
    sigalgs: 'ecdsa_secp521r1_sha512',
    mutual: true,
  },
  'iso20-ed448': {
    suite: 'iso20-ed448',
    protocol: 'iso20',
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    ciphers: ISO20_CIPHERS,
    ecdhCurve: ISO20_GROUPS,
    sigalgs: 'ed448',
    mutual: true,
  },
};

/** Both -20 leaf types: a vehicle may hold either, whatever the SECC's leaf is. */
const ISO20_PEER_SIGALGS = 'ecdsa_secp521r1_sha512:ed448';

/** Secure-context options of a profile (the SECC side; the key and chain are added by the caller). */
export function serverProfileOptions(profile: TlsProfile): SecureContextOptions {
  return {
    minVersion: profile.minVersion,
    maxVersion: profile.maxVersion,
    ciphers: profile.ciphers,
    ecdhCurve: profile.ecdhCurve,
    sigalgs: profile.protocol === 'iso20' ? ISO20_PEER_SIGALGS : profile.sigalgs,
    // Session resumption is not part of either profile; every session authenticates in full.
    sessionTimeout: 0,
  };
}

/**
 * Client options of a profile (the EV side). A -20 EV offers its key share in the group of its own vehicle key's
 * family first (X448 for an Ed448 vehicle, P-521 otherwise): both are -20 groups, and X448 costs a quarter of P-521.
 */
export function clientProfileOptions(protocol: 'iso2' | 'iso20', vehicleKey?: 'Ed448' | 'P-521'): ConnectionOptions {
  const p = protocol === 'iso2' ? TLS_PROFILES.iso2 : TLS_PROFILES['iso20-p521'];
  return {
    minVersion: p.minVersion,
    maxVersion: p.maxVersion,
    ciphers: p.ciphers,
    ecdhCurve: protocol === 'iso20' && vehicleKey === 'Ed448' ? 'X448:P-521' : p.ecdhCurve,
    sigalgs: protocol === 'iso2' ? p.sigalgs : ISO20_PEER_SIGALGS,
  };
}
