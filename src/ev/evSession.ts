// One EV session: find the charger (SDP or a known address), open TLS (or plain TCP), run the protocol to SessionStop.
import type { TrustStore } from '../pki/verdict/trustStore.js';
import type { Tracer } from '../trace/tracer.js';
import { discoverSecc, SdpError } from '../iso15118/sdp/index.js';
import { SessionTrace } from '../iso15118/session/sessionTrace.js';
import { connectToSecc, EvccTlsError, type VehicleCredential } from '../iso15118/tls/evccConnect.js';
import { tracedCertificates } from '../trace/tracedCertificate.js';
import { runIso2Evcc, type ContractCredential, type Iso2EvccResult, type Iso2Misbehaviour, type SignedAuthorization } from './iso2Evcc.js';
import { runIso20Evcc, type Iso20Misbehaviour, type SignedIso20Authorization } from './iso20Evcc.js';

/** The misbehaviour switches of both protocols; `replay` holds what the protocol's EV signed in an earlier session. */
export type EvMisbehaviour = Omit<Iso2Misbehaviour, 'replay'> & Omit<Iso20Misbehaviour, 'replay'> & { readonly replay?: SignedAuthorization | SignedIso20Authorization };

const isIso20Replay = (r: SignedAuthorization | SignedIso20Authorization): r is SignedIso20Authorization => 'ContractCertificateChain' in r.request;

export interface EvSessionOptions {
  /** Where the SECC is: an address, or SDP on a unicast target / multicast interface. */
  readonly secc: { readonly host: string; readonly port: number } | { readonly sdp: { readonly interface: string } | { readonly host: string; readonly port: number } };
  /** -2 over TLS 1.2, or -20 (AC or DC by `energy`) over TLS 1.3 with the vehicle certificate. */
  readonly protocol: 'iso2' | 'iso20';
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
  readonly misbehave?: EvMisbehaviour;
  /** Test hook: the EV's TLS options (e.g. the signature algorithms that pick the SECC's -20 suite). */
  readonly tlsOverrides?: Record<string, unknown>;
  readonly chargeLoops?: number;
  readonly chargeLoopPauseMs?: number;
  readonly ongoingPollMs?: number;
}

export interface EvSessionResult extends Omit<Iso2EvccResult, 'signedAuthorization'> {
  readonly signedAuthorization?: SignedAuthorization | SignedIso20Authorization;
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
    let found;
    try {
      found = await discoverSecc({ ...('interface' in sdp ? { multicastInterface: sdp.interface } : { host: sdp.host, port: sdp.port }), security: o.security === 'tls' ? 'tls' : 'none' });
    } catch (e) {
      if (!(e instanceof SdpError)) throw e;
      trace.check('SDP', false, e.message, performance.now() - t0);
      return failed(`sdp ${e.code}: ${e.message}`);
    }
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
      ...(o.tlsOverrides ? { tlsOverrides: o.tlsOverrides } : {}),
    });
  } catch (e) {
    if (!(e instanceof EvccTlsError)) throw e;
    trace.check('TLS', false, e.message, undefined, e.seccChain ? tracedCertificates(e.seccChain) : undefined);
    return failed(`tls ${e.code}: ${e.message}`);
  }
  if (connection.secure) trace.check('TLS', true, `${connection.tlsVersion} ${connection.cipher}; SECC chain ${connection.secc.responseCode}; OCSP ${connection.ocsp}`, connection.connectMs, tracedCertificates(connection.seccChain));
  const { replay, ...switches } = o.misbehave ?? {};
  if (replay && isIso20Replay(replay) !== (o.protocol === 'iso20')) throw new Error(`a replay recorded in another protocol than ${o.protocol}`);
  const common = {
    auth: o.auth,
    energy: o.energy,
    ...(o.contract ? { contract: o.contract } : {}),
    ...(o.chargeLoops !== undefined ? { chargeLoops: o.chargeLoops } : {}),
    ...(o.chargeLoopPauseMs !== undefined ? { chargeLoopPauseMs: o.chargeLoopPauseMs } : {}),
    ...(o.ongoingPollMs !== undefined ? { ongoingPollMs: o.ongoingPollMs } : {}),
    trace,
  };
  const result: EvSessionResult =
    o.protocol === 'iso20'
      ? await runIso20Evcc(connection.socket, {
          ...common,
          misbehave: { ...switches, ...(replay && isIso20Replay(replay) ? { replay } : {}) },
          ...(o.clock ? { clock: o.clock } : {}),
        })
      : await runIso2Evcc(connection.socket, {
          ...common,
          ...(o.misbehave ? { misbehave: { ...switches, ...(replay && !isIso20Replay(replay) ? { replay } : {}) } } : {}),
        });
  trace.verdict(result.outcome, result.authorized ? 'authorized' : 'not authorized');
  return {
    ...result,
    ...(connection.secure ? { tls: { version: connection.tlsVersion, cipher: connection.cipher, seccValid: connection.secc.valid, ocsp: connection.ocsp } } : {}),
    ...(result.authorizedAt !== undefined ? { plugInToAuthorizedMs: result.authorizedAt - t0 } : {}),
  };

  function failed(outcome: string): EvSessionResult {
    return { authorized: false, charged: false, stopped: false, stoppedByCharger: false, outcome, responseCodes: {} };
  }
}
