// One EV session: find the charger (SDP or a known address), open TLS (or plain TCP), run the protocol to SessionStop.
import type { TrustStore } from '../pki/verdict/trustStore.js';
import type { Tracer } from '../trace/tracer.js';
import { discoverSecc } from '../iso15118/sdp/index.js';
import { SessionTrace } from '../iso15118/session/sessionTrace.js';
import { connectToSecc, EvccTlsError, type VehicleCredential } from '../iso15118/tls/evccConnect.js';
import { runIso2Evcc, type ContractCredential, type Iso2EvccResult, type Iso2Misbehaviour } from './iso2Evcc.js';

export interface EvSessionOptions {
  /** Where the SECC is: an address, or SDP on a unicast target / multicast interface. */
  readonly secc: { readonly host: string; readonly port: number } | { readonly sdp: { readonly interface: string } | { readonly host: string; readonly port: number } };
  readonly protocol: 'iso2';
  /** `none`: plain TCP (the charger then never offers PnC). */
  readonly security: 'tls' | 'none';
  readonly auth: 'pnc' | 'eim';
  readonly energy: 'ac' | 'dc';
  readonly contract?: ContractCredential;
  readonly vehicle?: VehicleCredential;
  readonly seccTrust?: TrustStore;
  readonly tracer: Tracer;
  readonly clock?: () => number;
  readonly keyLogFile?: string;
  readonly misbehave?: Iso2Misbehaviour;
  readonly chargeLoops?: number;
  readonly ongoingPollMs?: number;
}

export interface EvSessionResult extends Iso2EvccResult {
  readonly tls?: { readonly version: string; readonly cipher: string; readonly seccValid: boolean; readonly ocsp: string };
  /** ms from the SDP request (or the TCP connect) to AuthorizationRes Finished. */
  readonly plugInToAuthorizedMs?: number;
}

export async function runEvSession(o: EvSessionOptions): Promise<EvSessionResult> {
  const t0 = performance.now();
  const trace = new SessionTrace(o.tracer, 'charger');
  let target: { host: string; port: number };
  if ('sdp' in o.secc) {
    const sdp = o.secc.sdp;
    const found = await discoverSecc({ ...('interface' in sdp ? { multicastInterface: sdp.interface } : { host: sdp.host, port: sdp.port }), security: o.security === 'tls' ? 'tls' : 'none' });
    trace.check('SDP', true, `${found.response.address} port ${found.response.port} ${found.response.security} after ${found.requestsSent} request(s)`, performance.now() - t0);
    if (o.security === 'tls' && found.response.security !== 'tls') return failed(`SDP: the SECC offers no TLS`);
    target = { host: found.response.address, port: found.response.port };
  } else {
    target = o.secc;
  }
  let connection;
  try {
    connection = await connectToSecc({
      host: target.host,
      port: target.port,
      security: o.security === 'none' ? 'none' : o.protocol,
      ...(o.seccTrust ? { seccTrust: o.seccTrust } : {}),
      ...(o.vehicle ? { vehicle: o.vehicle } : {}),
      ...(o.keyLogFile ? { keyLogFile: o.keyLogFile } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
    });
  } catch (e) {
    if (!(e instanceof EvccTlsError)) throw e;
    trace.check('TLS', false, e.message);
    return failed(`tls ${e.code}: ${e.message}`);
  }
  if (connection.secure) trace.check('TLS', true, `${connection.tlsVersion} ${connection.cipher}; SECC chain ${connection.secc.responseCode}; OCSP ${connection.ocsp}`, connection.connectMs);
  const result = await runIso2Evcc(connection.socket, {
    auth: o.auth,
    energy: o.energy,
    ...(o.contract ? { contract: o.contract } : {}),
    ...(o.misbehave ? { misbehave: o.misbehave } : {}),
    ...(o.chargeLoops !== undefined ? { chargeLoops: o.chargeLoops } : {}),
    ...(o.ongoingPollMs !== undefined ? { ongoingPollMs: o.ongoingPollMs } : {}),
    trace,
  });
  trace.verdict(result.outcome, result.authorized ? 'authorized' : 'not authorized');
  return {
    ...result,
    ...(connection.secure ? { tls: { version: connection.tlsVersion, cipher: connection.cipher, seccValid: connection.secc.valid, ocsp: connection.ocsp } } : {}),
    ...(result.authorizedAt !== undefined ? { plugInToAuthorizedMs: result.authorizedAt - t0 } : {}),
  };

  function failed(outcome: string): EvSessionResult {
    return { authorized: false, charged: false, stopped: false, outcome, responseCodes: {} };
  }
}
