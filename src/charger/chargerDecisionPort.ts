// The charger's answers to the SECC (its decision port): which identification methods to offer, whether a contract
// chain may go on, and the contract authorization over OCPP. The contract chain and eMAID live only in the session's
// request objects: nothing of them is stored, and traces carry the masked eMAID.
import type { ContractRequest, AuthorizationDecision, ChainCheck, IdentificationMethod, SeccDecisionPort, SessionContext } from '../iso15118/session/seccDecisionPort.js';
import type { AuthorizeRequest, AuthorizeResponse } from '../ocpp/generated/ocpp201.js';
import type { Tracer } from '../trace/tracer.js';
import { authorizeContract, type ContractSettings } from './contractAuthorization.js';

export interface ChargerSettings extends ContractSettings {
  /** ISO15118Ctrlr.PnCEnabled */
  readonly pncEnabled: boolean;
}

export interface ChargerDecisionPortOptions {
  readonly settings: () => ChargerSettings;
  readonly authorize: (request: AuthorizeRequest) => Promise<AuthorizeResponse>;
  /** EIM (RFID, app) for a session: the identification policy's answer. */
  readonly external?: (session: SessionContext) => AuthorizationDecision;
  /** EIM already identified this plug-in: PnC is not offered ("EIM first"). */
  readonly eimFirst?: (session: SessionContext) => boolean;
  readonly tracer: Tracer;
}

export function chargerDecisionPort(o: ChargerDecisionPortOptions): SeccDecisionPort {
  return {
    identificationOptions(session) {
      const pnc = o.settings().pncEnabled && !(o.eimFirst?.(session) ?? false);
      return pnc ? ['pnc', 'eim'] : (['eim'] satisfies IdentificationMethod[]);
    },
    checkContractChain(request: ContractRequest): ChainCheck {
      const v = request.verdict;
      // No installed root issued the chain: with central validation the CSMS judges it (C07.FR.06).
      const central = !v.valid && !v.anchorFound && (v.failure === 'untrusted' || v.failure === 'noAnchors') && o.settings().centralContractValidationAllowed;
      const failed = v.checks.filter((c) => !c.ok).map((c) => c.name);
      return {
        proceed: v.valid || central,
        iso2Code: central ? 'OK' : v.iso2ResponseCode,
        iso20Code: central ? 'OK' : v.iso20ResponseCode,
        reason: v.valid ? 'local chain verdict valid' : central ? 'no installed root: central contract validation' : `local chain verdict: ${failed.join(', ')}`,
      };
    },
    async authorizeContract(request: ContractRequest): Promise<AuthorizationDecision> {
      const result = await authorizeContract(
        { emaid: request.emaid, chain: request.chain, verdict: request.verdict, settings: o.settings() },
        {
          authorize: o.authorize,
          step: (check, ok, detail) => o.tracer.emit({ kind: 'check', session: request.session.sessionId, party: 'charger', check, ok, detail }),
        },
      );
      return result.decision;
    },
    authorizeExternal(session) {
      return o.external?.(session) ?? { status: 'pending' };
    },
  };
}
