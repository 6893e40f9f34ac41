// The SECC's built-in decisions, for tests and `pnc charger --standalone`: the local chain verdict decides PnC (no
// backend), EIM is accepted once "the RFID card is tapped" (after a delay, or when tapExternal() is called).
import type { AuthorizationDecision, ChainCheck, ContractRequest, IdentificationMethod, SeccDecisionPort, SessionContext } from './seccDecisionPort.js';

export interface StandalonePortOptions {
  readonly offer?: readonly IdentificationMethod[];
  /** PnC decision latency (the SECC answers Ongoing meanwhile). */
  readonly contractDecisionMs?: number;
  /** EIM: accepted this long after the first ask; undefined = only when tapExternal() is called. */
  readonly externalAfterMs?: number;
  readonly clock?: () => number;
}

export interface StandalonePort extends SeccDecisionPort {
  /** An RFID tap / app start for every session waiting for EIM. */
  tapExternal(): void;
  readonly ended: { readonly sessionId: string; readonly outcome: string }[];
}

export function standaloneDecisionPort(options: StandalonePortOptions = {}): StandalonePort {
  const clock = options.clock ?? Date.now;
  const firstAsk = new Map<string, number>();
  let tapped = false;
  const ended: { sessionId: string; outcome: string }[] = [];
  const since = (key: string): number => {
    const t = firstAsk.get(key) ?? clock();
    firstAsk.set(key, t);
    return clock() - t;
  };
  return {
    ended,
    tapExternal() {
      tapped = true;
    },
    identificationOptions: () => options.offer ?? ['pnc', 'eim'],
    checkContractChain(request: ContractRequest): ChainCheck {
      const v = request.verdict;
      const failed = v.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      return { proceed: v.valid, iso2Code: v.iso2ResponseCode, iso20Code: v.iso20ResponseCode, reason: v.valid ? 'local chain verdict valid' : failed.join('; ') };
    },
    authorizeContract(request: ContractRequest): AuthorizationDecision {
      if (!request.verdict.valid) return { status: 'rejected', iso2Code: request.verdict.iso2ResponseCode, iso20Code: request.verdict.iso20ResponseCode, reason: 'chain invalid' };
      if (since(`pnc:${request.session.sessionId}`) < (options.contractDecisionMs ?? 0)) return { status: 'pending' };
      return { status: 'accepted', expiresSoon: request.verdict.expiresSoon };
    },
    authorizeExternal(session: SessionContext): AuthorizationDecision {
      const waited = since(`eim:${session.sessionId}`);
      if (tapped || (options.externalAfterMs !== undefined && waited >= options.externalAfterMs)) return { status: 'accepted' };
      return { status: 'pending' };
    },
    sessionEnded(session, outcome) {
      firstAsk.delete(`pnc:${session.sessionId}`);
      firstAsk.delete(`eim:${session.sessionId}`);
      ended.push({ sessionId: session.sessionId, outcome });
    },
  };
}
