// The station-lifecycle actions of the CSMS (OCPP 2.0.1 B01 BootNotification, G02 Heartbeat, G01 StatusNotification)
// and the reports it accepts and traces without acting on them (NotifyEvent, SecurityEventNotification, MeterValues,
// NotifyReport). Transactions, authorisation and certificates are other parts' handlers.
import type { CsmsHandlers } from '../csmsTypes.js';
import type { Tracer } from '../../trace/tracer.js';
import type { StationFactsWriter } from './stationFactsWriter.js';
import type { StationRegistry } from './stationRegistry.js';

export interface StationHandlerOptions {
  readonly registry: Pick<StationRegistry, 'isRegistered' | 'recordBoot' | 'recordStatus'>;
  /** Write boot and connector facts behind (batched) instead of one transaction per message — what a server under
   *  load wants; without it they are written before answering. */
  readonly facts?: Pick<StationFactsWriter, 'boot' | 'status'>;
  readonly tracer: Tracer;
  /** BootNotificationResponse.interval when Accepted (the heartbeat interval); default 300 s. */
  readonly heartbeatIntervalS?: number;
  /** interval when Rejected: how long the station waits before its next BootNotification; default 60 s. */
  readonly retryIntervalS?: number;
  readonly now?: () => Date;
}

type StationHandlerActions = 'BootNotification' | 'Heartbeat' | 'StatusNotification' | 'NotifyEvent' | 'SecurityEventNotification' | 'MeterValues' | 'NotifyReport';

export function stationHandlers(options: StationHandlerOptions): Required<Pick<CsmsHandlers, StationHandlerActions>> {
  const { registry, tracer, facts } = options;
  const now = options.now ?? (() => new Date());
  const heartbeatIntervalS = options.heartbeatIntervalS ?? 300;
  const retryIntervalS = options.retryIntervalS ?? 60;

  return {
    async BootNotification(request, station) {
      // Only registered stations get past the handshake; one removed since then is refused here.
      let known: boolean;
      if (facts) {
        known = await registry.isRegistered(station.stationId);
        if (known) facts.boot(station.stationId, request);
      } else {
        known = await registry.recordBoot(station.stationId, request);
      }
      const cs = request.chargingStation;
      tracer.emit({
        kind: 'verdict',
        party: 'csms',
        session: station.stationId,
        verdict: known ? 'BootNotification Accepted' : 'BootNotification Rejected',
        detail: `${cs.vendorName} ${cs.model}${cs.firmwareVersion !== undefined ? ` fw ${cs.firmwareVersion}` : ''}, reason ${request.reason}${known ? '' : ', station no longer registered'}`,
      });
      return known
        ? { currentTime: now().toISOString(), interval: heartbeatIntervalS, status: 'Accepted' }
        : { currentTime: now().toISOString(), interval: retryIntervalS, status: 'Rejected' };
    },
    Heartbeat() {
      return Promise.resolve({ currentTime: now().toISOString() });
    },
    async StatusNotification(request, station) {
      if (facts) facts.status(station.stationId, request);
      else await registry.recordStatus(station.stationId, request);
      tracer.emit({ kind: 'check', party: 'csms', session: station.stationId, check: 'connector status', ok: true, detail: `EVSE ${request.evseId} connector ${request.connectorId}: ${request.connectorStatus}` });
      return {};
    },
    NotifyEvent(request, station) {
      tracer.emit({ kind: 'check', party: 'csms', session: station.stationId, check: 'NotifyEvent', ok: true, detail: `${request.eventData.length} event(s), seqNo ${request.seqNo}${request.tbc === true ? ', more to come' : ''}` });
      return Promise.resolve({});
    },
    SecurityEventNotification(request, station) {
      // Security events are worth a warning in the log: a station reports tampering, failed logins, reset, …
      tracer.emit({ kind: 'error', party: 'csms', session: station.stationId, error: `security event ${request.type}`, detail: `at ${request.timestamp}${request.techInfo !== undefined ? `: ${request.techInfo.slice(0, 255)}` : ''}` });
      return Promise.resolve({});
    },
    MeterValues(request, station) {
      tracer.emit({ kind: 'check', party: 'csms', session: station.stationId, check: 'MeterValues', ok: true, detail: `EVSE ${request.evseId}: ${request.meterValue.length} meter value(s)` });
      return Promise.resolve({});
    },
    NotifyReport(request, station) {
      tracer.emit({ kind: 'check', party: 'csms', session: station.stationId, check: 'NotifyReport', ok: true, detail: `request ${request.requestId} seqNo ${request.seqNo}: ${request.reportData?.length ?? 0} item(s)${request.tbc === true ? ', more to come' : ''}` });
      return Promise.resolve({});
    },
  };
}
