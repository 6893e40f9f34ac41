// Why the ledger could not apply a TransactionEvent. The CSMS answers a CALLERROR; the station keeps the event and
// sends it again (OCPP 2.0.1 E12 / MessageAttemptsTransactionEvent), so nothing is lost.
export type TransactionLedgerErrorCode =
  | 'bad-event' // a field the ledger relies on is out of range (seqNo, timestamp, ids)
  | 'in-progress'; // another node (or call) is still deciding the answer to this very event

export class TransactionLedgerError extends Error {
  override readonly name = 'TransactionLedgerError';
  constructor(
    readonly code: TransactionLedgerErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
