// The charger's answers to its SECC (the decision port), backed by the EVSEs: a V2G session is bound to a free EVSE
// when it starts (that is the plug-in), the EVSE's identification policy says what to offer and decides the contract
// and EIM, and the session's end is the unplug. The contract chain and eMAID live only in the request objects.
import type { AuthorizationDecision, ChainCheck, ContractRequest, IdentificationMethod, SeccDecisionPort, SessionContext } from '../iso15118/session/seccDecisionPort.js';
import type { Tracer } from '../trace/tracer.js';
import type { EvseController } from './evse/evseController.js';

export interface StationDecisionPortOptions {
  readonly evses: readonly EvseController[];
  readonly centralContractValidationAllowed: () => boolean;
  /** -2 CertificateInstallationReq forwarded to the CSMS (Get15118EVCertificate). */
  readonly installCertificate?: (sessionId: string, requestExi: Uint8Array) => Promise<Uint8Array | undefined>;
  readonly tracer: Tracer;
}

export interface StationDecisionPort extends SeccDecisionPort {
  /** The EVSE a session is bound to. */
  evseOf(sessionId: string): EvseController | undefined;
}

export function stationDecisionPort(o: StationDecisionPortOptions): StationDecisionPort {
  const bound = new Map<string, EvseController>();
  const evseOf = (sessionId: string): EvseController | undefined => bound.get(sessionId);
  const bind = (session: SessionContext): EvseController | undefined => {
    const existing = bound.get(session.sessionId);
    if (existing) return existing;
    // An EVSE whose driver identified before plugging in first (EIM first), else the first free one.
    const free = o.evses.filter((e) => !e.busy);
    const chosen = free.find((e) => e.identification.pending !== undefined || e.identification.authorized !== undefined) ?? free[0];
    if (chosen) bound.set(session.sessionId, chosen);
    return chosen;
  };
  return {
    evseOf,
    identificationOptions(session): readonly IdentificationMethod[] {
      const evse = bind(session);
      if (!evse) {
        o.tracer.emit({ kind: 'check', party: 'charger', session: session.sessionId, check: 'EVSE', ok: false, detail: 'no free EVSE for this session' });
        return [];
      }
      return evse.plugIn(session.sessionId);
    },
    checkContractChain(request: ContractRequest): ChainCheck {
      const v = request.verdict;
      // No installed root issued the chain: with central validation the CSMS judges it (C07.FR.06).
      const central = !v.valid && !v.anchorFound && (v.failure === 'untrusted' || v.failure === 'noAnchors') && o.centralContractValidationAllowed();
      const failed = v.checks.filter((c) => !c.ok).map((c) => c.name);
      return {
        proceed: v.valid || central,
        iso2Code: central ? 'OK' : v.iso2ResponseCode,
        iso20Code: central ? 'OK' : v.iso20ResponseCode,
        reason: v.valid ? 'local chain verdict valid' : central ? 'no installed root: central contract validation' : `local chain verdict: ${failed.join(', ')}`,
      };
    },
    async authorizeContract(request: ContractRequest): Promise<AuthorizationDecision> {
      const evse = evseOf(request.session.sessionId);
      if (!evse) return { status: 'rejected', reason: 'no EVSE for this session' };
      return evse.contract(request);
    },
    authorizeExternal(session): AuthorizationDecision {
      const evse = evseOf(session.sessionId);
      return evse ? evse.externalDecision() : { status: 'rejected', reason: 'no EVSE for this session' };
    },
    ...(o.installCertificate ? { installCertificate: (session: SessionContext, exi: Uint8Array) => o.installCertificate!(session.sessionId, exi) } : {}),
    stopRequested(session): boolean {
      return evseOf(session.sessionId)?.stopRequested() ?? false;
    },
    sessionEnded(session, outcome): void {
      const evse = evseOf(session.sessionId);
      bound.delete(session.sessionId);
      // The SECC does not wait for the transaction's end to be queued; a store failure is reported, not lost.
      if (evse) evse.sessionEnded(outcome).catch((e: unknown) => o.tracer.emit({ kind: 'error', party: 'charger', session: session.sessionId, error: 'transaction end', detail: e instanceof Error ? e.message : String(e) }));
    },
  };
}
