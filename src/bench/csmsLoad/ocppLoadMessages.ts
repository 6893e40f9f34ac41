// The OCPP 2.0.1 frames a load station sends and how it reads the answers: built as plain objects typed against the
// generated schema types (so tsc holds them to the official schemas), framed as OCPP-J arrays by hand — the generator
// skips ocpp-rpc on purpose, to keep 10 000 connections in a few hundred MB and one core.
import type {
  AuthorizeRequest,
  BootNotificationRequest,
  GetVariablesRequest,
  GetVariablesResponse,
  SetVariablesRequest,
  SetVariablesResponse,
  TransactionEventRequest,
  TriggerMessageResponse,
} from '../../ocpp/generated/ocpp201.js';
import type { RawData } from 'ws';
import type { LoadToken } from './loadConfig.js';

export type IncomingFrame =
  | { readonly type: 2; readonly id: string; readonly action: string; readonly payload: unknown }
  | { readonly type: 3; readonly id: string; readonly payload: unknown }
  | { readonly type: 4; readonly id: string; readonly code: string };

/** An OCPP-J frame from the CSMS, or undefined when it is not one (counted as malformed by the caller). */
export function parseIncomingFrame(text: string): IncomingFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || typeof value[1] !== 'string') return undefined;
  const [type, id, a, b] = value as unknown[];
  if (type === 2 && value.length === 4 && typeof a === 'string') return { type: 2, id: id as string, action: a, payload: b };
  if (type === 3 && value.length === 3) return { type: 3, id: id as string, payload: a };
  if (type === 4 && (value.length === 4 || value.length === 5) && typeof a === 'string') return { type: 4, id: id as string, code: a };
  return undefined;
}

/** The text of a received frame (ws hands over a Buffer, a list of fragments, or an ArrayBuffer). */
export function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** An OCPP-J CALL; `payload` as an object, or already serialised (the Authorize payloads are, once per token). */
export function callFrame(id: string, action: string, payload: object | string): string {
  return typeof payload === 'string' ? `[2,${JSON.stringify(id)},${JSON.stringify(action)},${payload}]` : JSON.stringify([2, id, action, payload]);
}

export const bootNotification: BootNotificationRequest = {
  chargingStation: { model: 'pnc-load', vendorName: 'pnc-stack', firmwareVersion: 'bench' },
  reason: 'PowerUp',
};

export function authorizeRequest(token: LoadToken): AuthorizeRequest {
  return { idToken: { idToken: token.emaid, type: 'eMAID' }, iso15118CertificateHashData: [...token.hashData] };
}

function energy(value: number, at: string, context: 'Transaction.Begin' | 'Transaction.End'): NonNullable<TransactionEventRequest['meterValue']> {
  return [{ timestamp: at, sampledValue: [{ value, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] }];
}

/** The start of a PnC transaction right after Authorize (seqNo 0, triggerReason Authorized). */
export function transactionStarted(transactionId: string, emaid: string, at: string): TransactionEventRequest {
  return {
    eventType: 'Started',
    timestamp: at,
    triggerReason: 'Authorized',
    seqNo: 0,
    transactionInfo: { transactionId, chargingState: 'Charging' },
    evse: { id: 1, connectorId: 1 },
    idToken: { idToken: emaid, type: 'eMAID' },
    meterValue: energy(0, at, 'Transaction.Begin'),
  };
}

/** Its end (seqNo 1), with the energy the CDR will carry. */
export function transactionEnded(transactionId: string, emaid: string, at: string, wh: number): TransactionEventRequest {
  return {
    eventType: 'Ended',
    timestamp: at,
    triggerReason: 'StopAuthorized',
    seqNo: 1,
    transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: 'Local' },
    evse: { id: 1, connectorId: 1 },
    idToken: { idToken: emaid, type: 'eMAID' },
    meterValue: energy(wh, at, 'Transaction.End'),
  };
}

export type CsmsCallAnswer = { readonly result: object } | { readonly error: { readonly code: string; readonly description: string } };

/**
 * The load station's answer to a CSMS→station CALL: a schema-valid minimal answer for what a CSMS typically asks a
 * station it just booted (GetVariables, SetVariables, TriggerMessage), CALLERROR NotImplemented for the rest.
 */
export function answerCsmsCall(action: string, payload: unknown): CsmsCallAnswer {
  const list = (key: string): Record<string, unknown>[] | undefined => {
    const v = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[key] : undefined;
    return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'object' && x !== null) ? (v as Record<string, unknown>[]) : undefined;
  };
  switch (action) {
    case 'GetVariables': {
      const asked = list('getVariableData') as GetVariablesRequest['getVariableData'] | undefined;
      if (!asked) return { error: { code: 'FormatViolation', description: 'getVariableData missing' } };
      const result: GetVariablesResponse = { getVariableResult: asked.map((d) => ({ attributeStatus: 'UnknownVariable', component: d.component, variable: d.variable })) };
      return { result };
    }
    case 'SetVariables': {
      const asked = list('setVariableData') as SetVariablesRequest['setVariableData'] | undefined;
      if (!asked) return { error: { code: 'FormatViolation', description: 'setVariableData missing' } };
      const result: SetVariablesResponse = { setVariableResult: asked.map((d) => ({ attributeStatus: 'UnknownVariable', component: d.component, variable: d.variable })) };
      return { result };
    }
    case 'TriggerMessage': {
      const result: TriggerMessageResponse = { status: 'Rejected' };
      return { result };
    }
    default:
      return { error: { code: 'NotImplemented', description: `the load station does not implement ${action}` } };
  }
}

export interface AnswerVerdict {
  readonly accepted: boolean;
  /** What the CSMS said, for the report: `Accepted`, `Invalid/CertificateRevoked`, `malformed` … */
  readonly status: string;
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

/** AuthorizeResponse: accepted only when the token is Accepted and so is the certificate (when reported). */
export function authorizeVerdict(payload: unknown): AnswerVerdict {
  const status = field(field(payload, 'idTokenInfo'), 'status');
  const cert = field(payload, 'certificateStatus');
  if (typeof status !== 'string' || (cert !== undefined && typeof cert !== 'string')) return { accepted: false, status: 'malformed' };
  return { accepted: status === 'Accepted' && (cert === undefined || cert === 'Accepted'), status: cert === undefined ? status : `${status}/${cert}` };
}

/** TransactionEventResponse: refused only when it carries an idTokenInfo whose status is not Accepted. */
export function transactionVerdict(payload: unknown): AnswerVerdict {
  if (typeof payload !== 'object' || payload === null) return { accepted: false, status: 'malformed' };
  const info = field(payload, 'idTokenInfo');
  if (info === undefined) return { accepted: true, status: 'no idTokenInfo' };
  const status = field(info, 'status');
  if (typeof status !== 'string') return { accepted: false, status: 'malformed' };
  return { accepted: status === 'Accepted', status };
}
