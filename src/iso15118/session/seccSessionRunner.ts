// Runs one V2G communication session on an accepted connection: SupportedAppProtocol, then the negotiated protocol's
// state machine, with the SECC's timers. Whatever happens — a FAILED answer, a time-out, bytes that are not EXI — the
// connection is closed, the decision port hears the outcome, and nothing of the session is kept.
import { appHandshake, ExiError } from '../../exi/index.js';
import type { TrustStore } from '../../pki/verdict/trustStore.js';
import type { Tracer } from '../../trace/tracer.js';
import type { SeccConnection } from '../tls/seccListener.js';
import { PAYLOAD_TYPE } from '../transport/index.js';
import { negotiateAppProtocol, type ConnectionSecurity, type V2gProtocol } from './appProtocolNegotiation.js';
import type { EvseModel } from './evseModel.js';
import { iso2Adapter } from './iso2/iso2Adapter.js';
import { Iso2SeccSession } from './iso2/iso2SeccSession.js';
import { iso20Adapter } from './iso20/iso20Adapter.js';
import { Iso20SeccSession } from './iso20/iso20SeccSession.js';
import type { SeccDecisionPort, SessionContext } from './seccDecisionPort.js';
import { SessionTrace } from './sessionTrace.js';
import { ChannelError, V2gChannel } from './v2gChannel.js';

export interface SeccTimeouts {
  /** From the connection to SupportedAppProtocolReq (V2G_EVCC_CommunicationSetup_Timeout is 20 s on the EV side). */
  readonly communicationSetupMs: number;
  /** Between two requests ([V2G2-443] V2G_SECC_Sequence_Timeout, 60 s). */
  readonly sequenceMs: number;
  /** The SECC's own limit for a pending contract decision (under the EV's 60 s Ongoing timeout). */
  readonly authorizationBudgetMs: number;
  /** How long one AuthorizationReq waits for the decision port before the SECC answers Ongoing (under the EV's 2 s). */
  readonly decisionWaitMs: number;
}

export const DEFAULT_SECC_TIMEOUTS: SeccTimeouts = { communicationSetupMs: 20_000, sequenceMs: 60_000, authorizationBudgetMs: 55_000, decisionWaitMs: 1500 };

export interface SeccSessionOptions {
  readonly port: SeccDecisionPort;
  readonly evse: EvseModel;
  readonly contractTrust: TrustStore;
  readonly protocols: readonly V2gProtocol[];
  readonly tracer: Tracer;
  readonly clock?: () => number;
  readonly timeouts?: Partial<SeccTimeouts>;
  /** Largest V2GTP payload accepted (default 64 KiB). */
  readonly maxPayloadBytes?: number;
}

export interface SeccSessionOutcome {
  readonly protocol?: V2gProtocol;
  readonly sessionId?: string;
  readonly authorizedBy?: 'pnc' | 'eim';
  /** How it ended: `SessionStop (Terminate)`, `FAILED_ChallengeInvalid: …`, `timeout: …`, `closed: …`, `exi: …`. */
  readonly outcome: string;
  readonly messages: number;
}

/** What the runner reads of a protocol's state machine. */
export interface ProtocolMachine {
  readonly authorizedBy: 'pnc' | 'eim' | undefined;
  readonly session: SessionContext | undefined;
}

/** A protocol's state machine behind its codec: V2GTP payloads in, the response's payload out. */
export interface ProtocolSession {
  readonly machine: ProtocolMachine;
  handle(payloadType: number, payload: Uint8Array): Promise<{ payloadType: number; payload: Uint8Array; name: string; end: boolean; outcome?: string }>;
}

export async function runSeccSession(connection: SeccConnection, options: SeccSessionOptions): Promise<SeccSessionOutcome> {
  const clock = options.clock ?? Date.now;
  const timeouts = { ...DEFAULT_SECC_TIMEOUTS, ...options.timeouts };
  const trace = new SessionTrace(options.tracer, 'ev');
  const channel = new V2gChannel(connection.socket, { maxPayloadBytes: options.maxPayloadBytes ?? 65_536 });
  const security: ConnectionSecurity = !connection.secure ? 'none' : connection.tlsVersion === 'TLSv1.3' ? 'tls13' : 'tls12';
  let messages = 0;
  let session: ProtocolSession | undefined;
  let protocol: V2gProtocol | undefined;
  const finish = (outcome: string): SeccSessionOutcome => {
    channel.close();
    trace.verdict('session ended', outcome);
    const ctx = session?.machine.session?.sessionId;
    if (ctx) options.port.sessionEnded?.({ sessionId: ctx, protocol: protocol!, secure: connection.secure, evccId: '' }, outcome);
    return { ...(protocol ? { protocol } : {}), ...(ctx ? { sessionId: ctx } : {}), ...(session?.machine.authorizedBy ? { authorizedBy: session.machine.authorizedBy } : {}), outcome, messages };
  };
  try {
    // SupportedAppProtocol
    const first = await channel.receive(timeouts.communicationSetupMs);
    messages++;
    if (first.payloadType !== PAYLOAD_TYPE.exi) return finish(`v2gtp: payload type 0x${first.payloadType.toString(16)} before SupportedAppProtocolReq`);
    const sapDoc = appHandshake.decodeAppHandshake(first.payload);
    if (!sapDoc.supportedAppProtocolReq) return finish('sequence: the first message is not supportedAppProtocolReq');
    trace.received('supportedAppProtocolReq');
    const negotiation = negotiateAppProtocol(sapDoc.supportedAppProtocolReq, options.protocols, security);
    trace.check('app protocol', negotiation.protocol !== undefined, negotiation.reason);
    channel.send(PAYLOAD_TYPE.exi, appHandshake.encodeAppHandshake({ supportedAppProtocolRes: negotiation.response }));
    trace.sent('supportedAppProtocolRes', undefined, negotiation.response.ResponseCode);
    if (!negotiation.protocol) return finish(`Failed_NoNegotiation: ${negotiation.reason}`);
    protocol = negotiation.protocol;
    const common = { port: options.port, evse: options.evse, contractTrust: options.contractTrust, secure: connection.secure, clock, trace, authorizationBudgetMs: timeouts.authorizationBudgetMs, decisionWaitMs: timeouts.decisionWaitMs };
    session = protocol === 'iso2' ? iso2Adapter(new Iso2SeccSession(common), trace) : iso20Adapter(new Iso20SeccSession({ ...common, protocol }), trace);
    for (;;) {
      const m = await channel.receive(timeouts.sequenceMs);
      messages++;
      const t0 = performance.now();
      const r = await session.handle(m.payloadType, m.payload);
      trace.session = session.machine.session?.sessionId;
      channel.send(r.payloadType, r.payload);
      trace.sent(r.name, performance.now() - t0);
      if (r.end) return finish(r.outcome ?? r.name);
    }
  } catch (e) {
    if (e instanceof ChannelError) {
      trace.error(e.code, e.message);
      return finish(`${e.code}: ${e.message}`);
    }
    if (e instanceof ExiError) {
      // Bytes that are not a valid message of the negotiated schema: no response type can be known, so the SECC
      // closes the connection.
      trace.error('exi', e.message);
      return finish(`exi: ${e.message}`);
    }
    // A fault of ours: still close the connection and let the port forget the session, then report it.
    finish(`internal: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}
