// What the ledger takes from one TransactionEventRequest, checked. The schema (strict mode) already validated types
// and lengths; this adds what the schema leaves open (a seqNo range, a parseable timestamp) so a hostile station
// gets a typed error instead of a corrupt row. Pure.
import type { IdTokenType, TransactionEventEnumType, TransactionEventRequest, TriggerReasonEnumType } from '../../ocpp/generated/ocpp201.js';
import { energyRegisterReadings, rankReadings, type RankedReading } from './meterReadings.js';
import { TransactionLedgerError } from './transactionLedgerError.js';

export interface TransactionEventFacts {
  readonly eventType: TransactionEventEnumType;
  readonly transactionId: string;
  readonly seqNo: number;
  /** Normalised to toISOString(). */
  readonly timestamp: string;
  readonly triggerReason: TriggerReasonEnumType;
  readonly offline: boolean;
  readonly evseId?: number;
  readonly connectorId?: number;
  readonly idToken?: Pick<IdTokenType, 'idToken' | 'type'>;
  readonly stoppedReason?: string;
  readonly meterStart?: RankedReading;
  readonly meterEnd?: RankedReading;
}

const MAX_SEQ_NO = 2 ** 31 - 1;
const MAX_ID_LENGTH = 36;

export function transactionEventFacts(request: TransactionEventRequest): TransactionEventFacts {
  const { seqNo } = request;
  if (!Number.isSafeInteger(seqNo) || seqNo < 0 || seqNo > MAX_SEQ_NO) throw new TransactionLedgerError('bad-event', `seqNo ${seqNo} is not an integer in 0…${MAX_SEQ_NO}`);
  const transactionId = request.transactionInfo.transactionId;
  if (transactionId.length === 0 || transactionId.length > MAX_ID_LENGTH) {
    throw new TransactionLedgerError('bad-event', `transactionId must have 1–${MAX_ID_LENGTH} characters, got ${transactionId.length}`);
  }
  const atMs = Date.parse(request.timestamp);
  if (Number.isNaN(atMs)) throw new TransactionLedgerError('bad-event', `timestamp ${JSON.stringify(request.timestamp.slice(0, 40))} is not a date-time`);
  const timestamp = new Date(atMs).toISOString();
  // Years outside 0000–9999 print as ±YYYYYY-…, which would not sort as text with the other times.
  if (timestamp.length !== 24) throw new TransactionLedgerError('bad-event', `timestamp ${request.timestamp.slice(0, 40)} is out of range`);
  const idToken = request.idToken;
  // NoAuthorization carries an empty idToken (IdTokenEnumType); every other type names someone.
  if (idToken && ((idToken.idToken.length === 0 && idToken.type !== 'NoAuthorization') || idToken.idToken.length > MAX_ID_LENGTH)) {
    throw new TransactionLedgerError('bad-event', `idToken of type ${idToken.type} must have ${idToken.type === 'NoAuthorization' ? 0 : 1}–${MAX_ID_LENGTH} characters`);
  }
  const ranked = rankReadings(energyRegisterReadings(request.meterValue), seqNo);
  // stoppedReason "MAY only be omitted when Reason is Local" (TransactionType).
  const stoppedReason = request.eventType === 'Ended' ? (request.transactionInfo.stoppedReason ?? 'Local') : request.transactionInfo.stoppedReason;
  return {
    eventType: request.eventType,
    transactionId,
    seqNo,
    timestamp,
    triggerReason: request.triggerReason,
    offline: request.offline === true,
    ...(request.evse ? { evseId: request.evse.id } : {}),
    ...(request.evse?.connectorId !== undefined ? { connectorId: request.evse.connectorId } : {}),
    ...(idToken ? { idToken: { idToken: idToken.idToken, type: idToken.type } } : {}),
    ...(stoppedReason !== undefined ? { stoppedReason } : {}),
    ...(ranked.start ? { meterStart: ranked.start } : {}),
    ...(ranked.end ? { meterEnd: ranked.end } : {}),
  };
}
