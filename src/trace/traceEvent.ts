// The shape every party's trace events share, so that a session can be drawn as a sequence diagram: who sent what to
// whom, which check ran with which verdict, and how long each took.

export type Party = 'ev' | 'charger' | 'csms' | 'ocsp' | 'msp' | 'pki' | 'demo';

/** A certificate as a trace shows it (the dashboard draws chains from these): no key material, no full eMAID. */
export interface TracedCertificate {
  readonly subject: string;
  readonly issuer: string;
  /** ISO 8601. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** DER size in bytes (the 800 / 1600 byte limits apply to this). */
  readonly bytes: number;
  readonly serialHex: string;
}

export type TraceEvent =
  | {
      readonly kind: 'message';
      readonly session?: string;
      readonly party: Party;
      readonly from: Party;
      readonly to: Party;
      readonly message: string;
      readonly detail?: string;
      readonly ms?: number;
      /** A certificate chain the message carries, leaf first. */
      readonly certificates?: readonly TracedCertificate[];
    }
  | {
      readonly kind: 'check';
      readonly session?: string;
      readonly party: Party;
      readonly check: string;
      readonly ok: boolean;
      readonly detail?: string;
      readonly ms?: number;
      /** The certificate chain the check judged, leaf first. */
      readonly certificates?: readonly TracedCertificate[];
    }
  | {
      readonly kind: 'verdict';
      readonly session?: string;
      readonly party: Party;
      readonly verdict: string;
      readonly detail?: string;
      readonly ms?: number;
    }
  | {
      readonly kind: 'error';
      readonly session?: string;
      readonly party: Party;
      readonly error: string;
      readonly detail?: string;
    };
