// Per-protocol certificate rules of ISO 15118-2 and -20.
import type { PublicKeyType, SignatureAlgorithm } from '../certificate/certificate.js';

export type Protocol = 'iso2' | 'iso20';
export const PROTOCOLS: readonly Protocol[] = ['iso2', 'iso20'];

export interface ProtocolProfile {
  readonly protocol: Protocol;
  /** certificateType maxLength in the message XSDs (-2 MsgDataTypes: 800, -20 CommonTypes: 1600). */
  readonly maxCertificateBytes: number;
  /** SubCertificates the chain may carry (-2: at most 2 as every implementation enforces; -20 XSD maxOccurs 3). */
  readonly maxSubCAs: number;
  /** Window for OK_CertificateExpiresSoon: [V2G2-690] 21 days; [V2G20-2218] 14 days. */
  readonly expiresSoonDays: number;
  /** Allowed (key, signature) pairs: -2 ECDSA P-256/SHA-256; -20 ECDSA P-521/SHA-512 or Ed448. */
  readonly algorithms: readonly { readonly key: PublicKeyType; readonly signature: SignatureAlgorithm }[];
}

export const PROTOCOL_PROFILES: Readonly<Record<Protocol, ProtocolProfile>> = {
  iso2: {
    protocol: 'iso2',
    maxCertificateBytes: 800,
    maxSubCAs: 2,
    expiresSoonDays: 21,
    algorithms: [{ key: 'P-256', signature: 'ecdsa-with-SHA256' }],
  },
  iso20: {
    protocol: 'iso20',
    maxCertificateBytes: 1600,
    maxSubCAs: 3,
    expiresSoonDays: 14,
    algorithms: [
      { key: 'P-521', signature: 'ecdsa-with-SHA512' },
      { key: 'Ed448', signature: 'Ed448' },
    ],
  },
};

export function isProtocol(value: string): value is Protocol {
  return (PROTOCOLS as readonly string[]).includes(value);
}
