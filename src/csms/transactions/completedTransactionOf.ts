// The hand-off record of an ended transaction row, for the CDR sink. Pure.
import { cdrIdOf } from './cdrId.js';
import type { CompletedTransaction } from './completedTransaction.js';
import { deliveredWh } from './meterReadings.js';
import type { TransactionRow } from './transactionTables.js';

type Row = Omit<TransactionRow, 'id'>;

/** undefined when the transaction carried no idToken (or NoAuthorization): nobody to bill, no CDR to send. */
export function completedTransactionOf(row: Row): CompletedTransaction | undefined {
  if (row.id_token === null || row.token_type === null || row.token_type === 'NoAuthorization') return undefined;
  return {
    cdrId: cdrIdOf(row.station_id, row.transaction_id),
    transactionId: row.transaction_id,
    stationId: row.station_id,
    ...(row.evse_id !== null ? { evseId: row.evse_id } : {}),
    ...(row.connector_id !== null ? { connectorId: row.connector_id } : {}),
    idToken: { idToken: row.id_token, type: row.token_type },
    ...(row.authorization_reference !== null ? { authorizationReference: row.authorization_reference } : {}),
    startedAt: row.started_at,
    endedAt: row.ended_at ?? row.last_event_at,
    energyWh: deliveredWh(row.meter_start_wh ?? undefined, row.meter_end_wh ?? undefined),
    ...(row.stopped_reason !== null ? { stoppedReason: row.stopped_reason } : {}),
    startedOffline: row.started_offline === 1,
  };
}
