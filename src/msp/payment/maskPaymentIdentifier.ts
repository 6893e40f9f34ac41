// Payment tokens and account ids never appear in full in MSP traces: the first five and the last character stay
// (enough to tell two apart in support), the rest is hidden — the rule eMAIDs are masked by.
import { maskEmaid } from '../../pki/emaid/maskEmaid.js';

export function maskPaymentIdentifier(id: string): string {
  return maskEmaid(id);
}
