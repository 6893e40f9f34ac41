// Row shapes of PnC Direct's tables at the MSP (scope "msp-payments"). No payment token is stored: only what the
// processor handed back (its authorization id) and what settles it.

export type SettlementState = 'pending' | 'captured' | 'refused';

export interface PncDirectTables {
  msp_payment_preauthorizations: {
    /** The OCPI authorization_reference: the key a CDR finds its pre-authorization by. */
    authorization_reference: string;
    account_id: string;
    processor_authorization_id: string;
    amount_minor: number;
    currency: string;
    created_at: string;
  };
  msp_payment_settlements: {
    /** One settlement per CDR id (primary key) and per pre-authorization (unique): a CDR captures once. */
    cdr_id: string;
    authorization_reference: string;
    /** 'pending' between claiming the CDR and the processor's answer; a retry of the CDR finishes it. */
    state: SettlementState;
    total_minor: number;
    captured_minor: number | null;
    shortfall_minor: number | null;
    currency: string;
    reason: string | null;
    created_at: string;
    settled_at: string | null;
  };
}
