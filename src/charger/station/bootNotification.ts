// The station's registration with the CSMS (OCPP 2.0.1 B01–B03): BootNotification until Accepted. Pending and
// Rejected are retried after the interval the CSMS gave; while Rejected the station sends nothing else, while Pending
// it only answers the CSMS. A reconnect after Accepted does not boot again — the registration holds for this process.
import type { BootReasonEnumType, ChargingStationType, RegistrationStatusEnumType } from '../../ocpp/generated/ocpp201.js';
import type { OcppPeer } from '../../ocpp/ocppPeer.js';
import type { Tracer } from '../../trace/tracer.js';

export interface BootOptions {
  readonly station: ChargingStationType;
  readonly reason: BootReasonEnumType;
  readonly tracer: Tracer;
  /** Retry interval when the CSMS gives none (s). */
  readonly defaultRetryS?: number;
  readonly callTimeoutMs?: number;
}

export interface BootResult {
  readonly status: RegistrationStatusEnumType;
  /** Heartbeat interval (Accepted) or retry interval (Pending/Rejected), seconds. */
  readonly intervalS: number;
  readonly currentTime: string;
}

export async function sendBootNotification(peer: OcppPeer, o: BootOptions): Promise<BootResult> {
  const t0 = performance.now();
  const response = await peer.call('BootNotification', { reason: o.reason, chargingStation: o.station }, { timeoutMs: o.callTimeoutMs ?? 30_000 });
  const intervalS = response.interval > 0 ? response.interval : (o.defaultRetryS ?? 60);
  o.tracer.emit({ kind: 'message', party: 'charger', from: 'csms', to: 'charger', message: 'BootNotificationResponse', detail: `${response.status}, interval ${intervalS} s`, ms: performance.now() - t0 });
  return { status: response.status, intervalS, currentTime: response.currentTime };
}
