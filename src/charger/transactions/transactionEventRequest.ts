// One TransactionEvent as OCPP 2.0.1 use cases E01–E07 describe it: the idToken only in the event where the
// transaction became authorised (not repeated afterwards), seqNo per transaction from 0 without gaps (the CSMS finds
// missing or repeated events by it), `offline` when the event happened without a CSMS connection (E04), and the
// energy register in every event.
import type {
  ChargingStateEnumType,
  IdTokenType,
  ReadingContextEnumType,
  ReasonEnumType,
  TransactionEventEnumType,
  TransactionEventRequest,
  TriggerReasonEnumType,
} from '../../ocpp/generated/ocpp201.js';

export interface TransactionEventFacts {
  readonly eventType: TransactionEventEnumType;
  readonly transactionId: string;
  readonly seqNo: number;
  readonly at: Date;
  readonly triggerReason: TriggerReasonEnumType;
  readonly offline: boolean;
  readonly evseId: number;
  readonly connectorId: number;
  readonly idToken?: IdTokenType;
  readonly chargingState?: ChargingStateEnumType;
  readonly stoppedReason?: ReasonEnumType;
  /** Energy.Active.Import.Register in Wh. */
  readonly energyWh?: number;
}

const CONTEXT: Record<TransactionEventEnumType, ReadingContextEnumType> = {
  Started: 'Transaction.Begin',
  Updated: 'Sample.Periodic',
  Ended: 'Transaction.End',
};

export function transactionEventRequest(f: TransactionEventFacts): TransactionEventRequest {
  const timestamp = f.at.toISOString();
  return {
    eventType: f.eventType,
    timestamp,
    triggerReason: f.triggerReason,
    seqNo: f.seqNo,
    ...(f.offline ? { offline: true } : {}),
    transactionInfo: {
      transactionId: f.transactionId,
      ...(f.chargingState ? { chargingState: f.chargingState } : {}),
      ...(f.stoppedReason ? { stoppedReason: f.stoppedReason } : {}),
    },
    // Required in the first event of a transaction; repeating it is allowed and keeps each event self-contained.
    evse: { id: f.evseId, connectorId: f.connectorId },
    ...(f.idToken ? { idToken: f.idToken } : {}),
    ...(f.energyWh !== undefined
      ? { meterValue: [{ timestamp, sampledValue: [{ value: f.energyWh, context: CONTEXT[f.eventType], measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] }] }
      : {}),
  };
}
