// The SECC as a server: one port for TLS and plain connections (seccListener), every accepted connection running its
// own V2G session (runSeccSession), and optionally the SDP server that announces the port. Sessions are independent:
// one EV's garbage or time-out never touches another's.
import type { TrustStore } from '../../pki/verdict/trustStore.js';
import { tracedCertificates } from '../../trace/tracedCertificate.js';
import type { Tracer } from '../../trace/tracer.js';
import { linkLocalAddress, sdpAnswer, startSdpServer, type SdpServer } from '../sdp/index.js';
import { startSeccListener, type SeccCredential, type SeccListener, type SeccRejection } from '../tls/seccListener.js';
import type { TlsSuite } from '../tls/tlsProfile.js';
import type { V2gProtocol } from './appProtocolNegotiation.js';
import type { EvseModel } from './evseModel.js';
import type { SeccDecisionPort } from './seccDecisionPort.js';
import { runSeccSession, type SeccSessionOutcome, type SeccTimeouts } from './seccSessionRunner.js';

export interface SeccServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly credentials: readonly SeccCredential[];
  readonly vehicleTrust?: TrustStore;
  /** MO/V2G roots for contract chains; a function when they change at run time (OCPP InstallCertificate). */
  readonly contractTrust: TrustStore | (() => TrustStore);
  readonly allowPlain?: boolean;
  readonly protocols?: readonly V2gProtocol[];
  readonly decisionPort: SeccDecisionPort;
  readonly evse: EvseModel;
  readonly tracer: Tracer;
  readonly clock?: () => number;
  readonly timeouts?: Partial<SeccTimeouts>;
  readonly keyLogFile?: string;
  readonly ocspStaple?: (suite: TlsSuite) => Buffer | undefined;
  /** Answer SDP: on a named interface (multicast FF02::1) or a unicast address (tests, peers without multicast). */
  readonly sdp?: { readonly interface: string; readonly port?: number } | { readonly bindAddress: string; readonly port?: number; readonly announce: string };
  readonly onSessionEnd?: (outcome: SeccSessionOutcome) => void;
}

export interface SeccServer {
  readonly port: number;
  readonly sdpPort?: number;
  readonly outcomes: SeccSessionOutcome[];
  readonly rejections: SeccRejection[];
  replaceCredential(credential: SeccCredential): void;
  close(): Promise<void>;
}

export async function startSeccServer(options: SeccServerOptions): Promise<SeccServer> {
  const outcomes: SeccSessionOutcome[] = [];
  const rejections: SeccRejection[] = [];
  const running = new Set<Promise<unknown>>();
  const listener: SeccListener = await startSeccListener({
    host: options.host ?? '::',
    port: options.port ?? 0,
    credentials: options.credentials,
    ...(options.vehicleTrust ? { vehicleTrust: options.vehicleTrust } : {}),
    allowPlain: options.allowPlain ?? false,
    ...(options.keyLogFile ? { keyLogFile: options.keyLogFile } : {}),
    ...(options.ocspStaple ? { ocspStaple: options.ocspStaple } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    onConnection: (connection) => {
      if (connection.secure) {
        // -20: the vehicle chain the listener judged (its verdict's path: the leaf and sub-CAs the EV sent, in issuing order).
        const vehicle = connection.vehicle ? { certificates: tracedCertificates(connection.vehicle.path.map((c) => c.der)) } : {};
        options.tracer.emit({ kind: 'check', party: options.tracer.party, check: 'TLS', ok: true, detail: `${connection.tlsVersion} ${connection.cipher} (${connection.suite})${connection.vehicle ? ', vehicle certificate valid' : ''}`, ms: connection.handshakeMs, ...vehicle });
      }
      const p = runSeccSession(connection, {
        port: options.decisionPort,
        evse: options.evse,
        contractTrust: typeof options.contractTrust === 'function' ? options.contractTrust() : options.contractTrust,
        protocols: options.protocols ?? ['iso2'],
        tracer: options.tracer,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      })
        .then((outcome) => {
          outcomes.push(outcome);
          options.onSessionEnd?.(outcome);
        })
        // A fault in one session must not take the charger down: record it, close that connection only.
        .catch((e: unknown) => {
          connection.socket.destroy();
          const outcome = { outcome: `internal: ${e instanceof Error ? e.message : String(e)}`, messages: 0 };
          outcomes.push(outcome);
          options.tracer.emit({ kind: 'error', party: options.tracer.party, error: 'internal', detail: outcome.outcome });
          options.onSessionEnd?.(outcome);
        });
      running.add(p);
      void p.finally(() => running.delete(p));
    },
    onRejection: (r) => {
      rejections.push(r);
      options.tracer.emit({ kind: 'check', party: options.tracer.party, check: `TLS ${r.stage}`, ok: false, detail: `${r.remote}: ${r.reason}` });
    },
  });
  let sdp: SdpServer | undefined;
  if (options.sdp) {
    const s = options.sdp;
    const tlsAvailable = options.credentials.length > 0;
    const plainAvailable = options.allowPlain ?? false;
    const decide = (announce: string) => (request: Parameters<typeof sdpAnswer>[0]) => sdpAnswer(request, { address: announce, port: listener.port, tlsAvailable, plainAvailable });
    sdp =
      'interface' in s
        ? await startSdpServer({ multicastInterface: s.interface, port: s.port ?? 15118, decide: decide(linkLocalAddress(s.interface)) })
        : await startSdpServer({ bindAddress: s.bindAddress, port: s.port ?? 15118, decide: decide(s.announce) });
  }
  return {
    port: listener.port,
    ...(sdp ? { sdpPort: sdp.address().port } : {}),
    outcomes,
    rejections,
    replaceCredential: (credential) => listener.replaceCredential(credential),
    async close() {
      await sdp?.close();
      await listener.close();
      await Promise.allSettled([...running]);
    },
  };
}
