// The CDR id of a transaction: the same on every node and every retry (the eMSP de-duplicates by it), unique per CPO,
// and within OCPI's CDR.id limit (CiString(39)). Derived by hash so that it reveals nothing and cannot collide through
// separators ("a|b" + "c" against "a" + "b|c").
import { createHash } from 'node:crypto';

export function cdrIdOf(stationId: string, transactionId: string): string {
  return createHash('sha256').update(JSON.stringify([stationId, transactionId])).digest('hex').slice(0, 32).toUpperCase();
}
