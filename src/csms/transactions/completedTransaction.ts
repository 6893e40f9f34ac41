// The hand-off from the transaction ledger to roaming: one finished transaction, from which a CDR is built and sent
// to the eMSP of its token. Delivered at least once; the eMSP de-duplicates by CDR id.
export interface CompletedTransaction {
  /** CDR id: unique per CPO, stable across retries and nodes (derived from stationId + transactionId). */
  readonly cdrId: string;
  readonly transactionId: string;
  readonly stationId: string;
  readonly evseId?: number;
  readonly connectorId?: number;
  /** The idToken of the transaction (eMAID for PnC). */
  readonly idToken: { readonly idToken: string; readonly type: string };
  /** From the OCPI authorization that allowed it (PnC Direct captures by it). */
  readonly authorizationReference?: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** Energy.Active.Import.Register at the end minus at the start (Wh); 0 when the station sent no meter values. */
  readonly energyWh: number;
  readonly stoppedReason?: string;
  /** Started while the station was offline (TransactionEvent offline=true). */
  readonly startedOffline: boolean;
}

export type CdrDeliveryResult =
  | { readonly kind: 'sent'; readonly emsp: string }
  /** The token belongs to no eMSP we roam with (a CPO's own RFID card): nothing to send. */
  | { readonly kind: 'not-roaming'; readonly detail: string };

export interface CdrSink {
  /** Throws CdrDeliveryError when the eMSP could not take it now (retry later). */
  deliver(transaction: CompletedTransaction): Promise<CdrDeliveryResult>;
}

export class CdrDeliveryError extends Error {
  override readonly name = 'CdrDeliveryError';
}
