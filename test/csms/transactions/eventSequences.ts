// TransactionEvent sequences as stations send them (in arrival order, copies included) and what the CSMS must end up
// knowing. Shared by the pure merge test and the ledger test on both dialects.
import type {
  IdTokenType,
  MeterValueType,
  ReadingContextEnumType,
  ReasonEnumType,
  TransactionEventEnumType,
  TransactionEventRequest,
  TriggerReasonEnumType,
  UnitOfMeasureType,
} from '../../../src/ocpp/generated/ocpp201.js';

export const EMAID = 'DEPNCC00000001A';
export const T0 = Date.parse('2026-03-01T10:00:00.000Z');

export interface EventSpec {
  readonly type: TransactionEventEnumType;
  readonly seq: number;
  /** Minutes after T0. */
  readonly min: number;
  readonly tx?: string;
  readonly offline?: boolean;
  readonly idToken?: IdTokenType;
  readonly trigger?: TriggerReasonEnumType;
  readonly stoppedReason?: ReasonEnumType;
  /** Energy register reading: value and unit. */
  readonly meter?: { readonly value: number; readonly unit?: UnitOfMeasureType; readonly context?: ReadingContextEnumType };
  readonly evse?: number;
}

const DEFAULT_CONTEXT: Record<TransactionEventEnumType, ReadingContextEnumType> = { Started: 'Transaction.Begin', Updated: 'Sample.Periodic', Ended: 'Transaction.End' };
const DEFAULT_TRIGGER: Record<TransactionEventEnumType, TriggerReasonEnumType> = { Started: 'Authorized', Updated: 'MeterValuePeriodic', Ended: 'EVDeparted' };

export function te(s: EventSpec): TransactionEventRequest {
  const timestamp = new Date(T0 + s.min * 60_000).toISOString();
  const meterValue: MeterValueType[] | undefined = s.meter
    ? [
        {
          timestamp,
          sampledValue: [
            {
              value: s.meter.value,
              context: s.meter.context ?? DEFAULT_CONTEXT[s.type],
              measurand: 'Energy.Active.Import.Register',
              ...(s.meter.unit ? { unitOfMeasure: s.meter.unit } : {}),
            },
          ],
        },
      ]
    : undefined;
  return {
    eventType: s.type,
    timestamp,
    triggerReason: s.trigger ?? DEFAULT_TRIGGER[s.type],
    seqNo: s.seq,
    ...(s.offline ? { offline: true } : {}),
    transactionInfo: { transactionId: s.tx ?? 'TX-1', ...(s.stoppedReason ? { stoppedReason: s.stoppedReason } : {}) },
    evse: { id: s.evse ?? 1, connectorId: 1 },
    ...(s.idToken ? { idToken: s.idToken } : {}),
    ...(meterValue ? { meterValue } : {}),
  };
}

export const EMAID_TOKEN: IdTokenType = { idToken: EMAID, type: 'eMAID' };
export const RFID_TOKEN: IdTokenType = { idToken: '04A2B3C4', type: 'ISO14443' };

export interface SequenceExpectation {
  readonly state: 'open' | 'ended';
  readonly idToken?: string;
  /** seqNo of the event that carried the transaction's idToken (its decision's reference is REF-<seq>). */
  readonly idTokenSeq?: number;
  readonly startedAtMin: number;
  readonly startedOffline: boolean;
  readonly energyWh: number;
  readonly stoppedReason?: string;
  readonly cdrState?: 'pending';
  /** The CDR is due at the end of the sequence (no seqNo missing). */
  readonly cdrDue: boolean;
  /** Index (in arrival order) of the event that made the CDR due, if any. */
  readonly cdrDueAt?: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly evseId: number;
}

export interface EventSequence {
  readonly name: string;
  readonly events: readonly TransactionEventRequest[];
  readonly expect: SequenceExpectation;
}

const started = te({ type: 'Started', seq: 0, min: 0, idToken: EMAID_TOKEN, meter: { value: 1000 } });
const updated = te({ type: 'Updated', seq: 1, min: 10, meter: { value: 1500 } });
const ended = te({ type: 'Ended', seq: 2, min: 20, stoppedReason: 'EVDisconnected', meter: { value: 2500 } });

export const SEQUENCES: readonly EventSequence[] = [
  {
    name: 'normal: Started, Updated, Ended',
    events: [started, updated, ended],
    expect: { state: 'ended', idToken: EMAID, idTokenSeq: 0, startedAtMin: 0, startedOffline: false, energyWh: 1500, stoppedReason: 'EVDisconnected', cdrState: 'pending', cdrDue: true, cdrDueAt: 2, applied: 3, duplicates: 0, evseId: 1 },
  },
  {
    name: 'duplicates: every event re-sent after a lost answer',
    events: [started, started, updated, updated, ended, ended, ended],
    expect: { state: 'ended', idToken: EMAID, idTokenSeq: 0, startedAtMin: 0, startedOffline: false, energyWh: 1500, stoppedReason: 'EVDisconnected', cdrState: 'pending', cdrDue: true, cdrDueAt: 4, applied: 3, duplicates: 4, evseId: 1 },
  },
  {
    name: 'out of order: Ended, Updated, then Started',
    events: [ended, updated, started],
    expect: { state: 'ended', idToken: EMAID, idTokenSeq: 0, startedAtMin: 0, startedOffline: false, energyWh: 1500, stoppedReason: 'EVDisconnected', cdrState: 'pending', cdrDue: true, cdrDueAt: 2, applied: 3, duplicates: 0, evseId: 1 },
  },
  {
    name: 'offline burst, then online',
    events: [
      te({ type: 'Started', seq: 0, min: 0, offline: true, idToken: EMAID_TOKEN, meter: { value: 200 } }),
      te({ type: 'Updated', seq: 1, min: 5, offline: true, meter: { value: 700 } }),
      te({ type: 'Updated', seq: 2, min: 10, offline: true, meter: { value: 1200 } }),
      te({ type: 'Updated', seq: 3, min: 15, meter: { value: 1700 } }),
      te({ type: 'Ended', seq: 4, min: 20, meter: { value: 2200 } }),
    ],
    // stoppedReason omitted means Local (TransactionType.stoppedReason).
    expect: { state: 'ended', idToken: EMAID, idTokenSeq: 0, startedAtMin: 0, startedOffline: true, energyWh: 2000, stoppedReason: 'Local', cdrState: 'pending', cdrDue: true, cdrDueAt: 4, applied: 5, duplicates: 0, evseId: 1 },
  },
  {
    name: 'idToken first in an Updated (cable plugged in first)',
    events: [
      te({ type: 'Started', seq: 0, min: 0, trigger: 'CablePluggedIn', meter: { value: 0 } }),
      te({ type: 'Updated', seq: 1, min: 1, trigger: 'Authorized', idToken: RFID_TOKEN }),
      te({ type: 'Ended', seq: 2, min: 30, stoppedReason: 'Local', meter: { value: 4200 } }),
    ],
    expect: { state: 'ended', idToken: RFID_TOKEN.idToken, idTokenSeq: 1, startedAtMin: 0, startedOffline: false, energyWh: 4200, stoppedReason: 'Local', cdrState: 'pending', cdrDue: true, cdrDueAt: 2, applied: 3, duplicates: 0, evseId: 1 },
  },
  {
    name: 'PowerLoss Ended after a crash (no final reading: ends at the last periodic one)',
    events: [
      te({ type: 'Started', seq: 0, min: 0, idToken: EMAID_TOKEN, meter: { value: 100 } }),
      te({ type: 'Updated', seq: 1, min: 10, meter: { value: 600 } }),
      te({ type: 'Ended', seq: 2, min: 50, offline: true, trigger: 'AbnormalCondition', stoppedReason: 'PowerLoss' }),
    ],
    expect: { state: 'ended', idToken: EMAID, idTokenSeq: 0, startedAtMin: 0, startedOffline: false, energyWh: 500, stoppedReason: 'PowerLoss', cdrState: 'pending', cdrDue: true, cdrDueAt: 2, applied: 3, duplicates: 0, evseId: 1 },
  },
  {
    name: 'kWh and Wh with a multiplier',
    events: [
      te({ type: 'Started', seq: 0, min: 0, idToken: EMAID_TOKEN, meter: { value: 12.345, unit: { unit: 'kWh' } } }),
      te({ type: 'Updated', seq: 1, min: 10, meter: { value: 14, unit: { unit: 'kWh', multiplier: 0 } } }),
      te({ type: 'Ended', seq: 2, min: 20, meter: { value: 15.5, unit: { unit: 'Wh', multiplier: 3 } } }),
    ],
    expect: { state: 'ended', idToken: EMAID, idTokenSeq: 0, startedAtMin: 0, startedOffline: false, energyWh: 3155, stoppedReason: 'Local', cdrState: 'pending', cdrDue: true, cdrDueAt: 2, applied: 3, duplicates: 0, evseId: 1 },
  },
  {
    name: 'a missing seqNo holds the CDR for the grace period',
    events: [started, ended],
    expect: { state: 'ended', idToken: EMAID, idTokenSeq: 0, startedAtMin: 0, startedOffline: false, energyWh: 1500, stoppedReason: 'EVDisconnected', cdrState: 'pending', cdrDue: false, applied: 2, duplicates: 0, evseId: 1 },
  },
  {
    name: 'stopped with another token: the starting token stays',
    events: [started, te({ type: 'Ended', seq: 1, min: 5, trigger: 'StopAuthorized', idToken: RFID_TOKEN, stoppedReason: 'Local', meter: { value: 1100 } })],
    expect: { state: 'ended', idToken: EMAID, idTokenSeq: 0, startedAtMin: 0, startedOffline: false, energyWh: 100, stoppedReason: 'Local', cdrState: 'pending', cdrDue: true, cdrDueAt: 1, applied: 2, duplicates: 0, evseId: 1 },
  },
  {
    name: 'open: Updated before Started, no Ended yet',
    events: [te({ type: 'Updated', seq: 1, min: 3, offline: true, evse: 2, meter: { value: 50 } }), te({ type: 'Started', seq: 0, min: 1, offline: true, evse: 2, idToken: RFID_TOKEN, meter: { value: 10 } })],
    expect: { state: 'open', idToken: RFID_TOKEN.idToken, idTokenSeq: 0, startedAtMin: 1, startedOffline: true, energyWh: 40, cdrDue: false, applied: 2, duplicates: 0, evseId: 2 },
  },
];
