// ISO 15118-2 CertificateInstallation through the CSMS (OCPP 2.0.1 M01/M02): the charger cannot answer it itself, so
// it forwards the EV's CertificateInstallationReq EXI verbatim in Get15118EVCertificate and hands the EV the EXI the
// CSMS returns, byte for byte. Gated by ISO15118Ctrlr.ContractCertificateInstallationEnabled.
import { RPCError, TimeoutError } from '../../ocpp/ocppRpc.js';
import type { OcppPeer } from '../../ocpp/ocppPeer.js';
import type { Tracer } from '../../trace/tracer.js';

/** OCPP 2.0.1's schema limit on exiRequest/exiResponse (base64 characters). */
export const MAX_EXI_BASE64 = 5600;

export interface EvCertificateForwarderOptions {
  readonly peer: () => OcppPeer | undefined;
  readonly enabled: () => boolean;
  readonly tracer: Tracer;
  readonly callTimeoutMs?: number;
}

/** urn of the -2 schema, as OCPP wants it in iso15118SchemaVersion. */
const ISO2_SCHEMA = 'urn:iso:15118:2:2013:MsgDef';

export function evCertificateForwarder(o: EvCertificateForwarderOptions): (session: string, requestExi: Uint8Array) => Promise<Uint8Array | undefined> {
  return async (session, requestExi) => {
    const fail = (detail: string): undefined => {
      o.tracer.emit({ kind: 'check', party: 'charger', session, check: 'certificate installation', ok: false, detail });
      return undefined;
    };
    if (!o.enabled()) return fail('ContractCertificateInstallationEnabled is false');
    const peer = o.peer();
    if (!peer) return fail('CSMS not connected');
    const exiRequest = Buffer.from(requestExi).toString('base64');
    if (exiRequest.length > MAX_EXI_BASE64) return fail(`CertificateInstallationReq is ${requestExi.length} bytes: over the ${MAX_EXI_BASE64} base64 characters OCPP allows`);
    const t0 = performance.now();
    let response;
    try {
      response = await peer.call('Get15118EVCertificate', { iso15118SchemaVersion: ISO2_SCHEMA, action: 'Install', exiRequest }, { timeoutMs: o.callTimeoutMs ?? 40_000 });
    } catch (e) {
      if (e instanceof RPCError || e instanceof TimeoutError) return fail(`Get15118EVCertificate: ${e.message}`);
      throw e;
    }
    o.tracer.emit({ kind: 'message', party: 'charger', session, from: 'csms', to: 'charger', message: 'Get15118EVCertificateResponse', detail: response.status, ms: performance.now() - t0 });
    if (response.status !== 'Accepted') return fail(`Get15118EVCertificate ${response.status}${response.statusInfo ? ` (${response.statusInfo.reasonCode})` : ''}`);
    const bytes = Buffer.from(response.exiResponse, 'base64');
    if (bytes.length === 0) return fail('the CSMS returned an empty exiResponse');
    return bytes;
  };
}
