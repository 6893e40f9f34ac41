// The shape every party's trace events share, so that a session can be drawn as a sequence diagram: who sent what to
// whom, which check ran with which verdict, and how long each took.

export type Party = 'ev' | 'charger' | 'csms' | 'ocsp' | 'msp' | 'pki' | 'demo';

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
    }
  | {
      readonly kind: 'check';
      readonly session?: string;
      readonly party: Party;
      readonly check: string;
      readonly ok: boolean;
      readonly detail?: string;
      readonly ms?: number;
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
