// Row shapes of the simulated processor's tables (scope "payment-processor"). Amounts in minor units as integers,
// booleans as 0/1, times as ISO 8601 strings — read back the same way on SQLite and PostgreSQL.
import type { AuthorizationState } from './cardDecisions.js';
import type { DeclineReason } from './paymentProcessor.js';

export interface ProcessorTables {
  processor_cards: {
    token: string;
    currency: string;
    balance_minor: number;
    /** Sum of the open holds; balance_minor − held_minor ≥ 0 always (the hold update is conditional on it). */
    held_minor: number;
    /** YYYY-MM */
    expires: string;
    blocked: number;
    created_at: string;
  };
  processor_authorizations: {
    id: string;
    /** The caller's idempotency key: unique, so one reference is one authorization. */
    reference: string;
    card_token: string;
    amount_minor: number;
    currency: string;
    state: AuthorizationState;
    decline_reason: DeclineReason | null;
    captured_minor: number | null;
    created_at: string;
    updated_at: string;
  };
}
