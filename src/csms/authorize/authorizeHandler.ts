// AuthorizeRequest on the CSMS. A contract (eMAID with iso15118CertificateHashData or a certificate chain) is judged in
// two steps, in this order: the chain (revocation at the OCSP responders, or the full chain verdict for central
// validation), then — only for a valid chain — the billing account at the eMSP. The pair goes through the errata's
// C07.FR.13–17 matrix. Any other token (RFID, eMAID without certificate data) is answered from the token authorizer.
import type { AuthorizationStatusEnumType, AuthorizeRequest, AuthorizeResponse } from '../../ocpp/generated/ocpp201.js';
import type { Tracer } from '../../trace/tracer.js';
import type { CsmsHandler, StationContext } from '../csmsTypes.js';
import { maskEmaid } from '../../pki/emaid/maskEmaid.js';
import type { AuthorizationLog, BillingChecker, ContractRevocationChecker, RevocationOutcome, TokenAuthorizer } from './authorizeTypes.js';
import { c07Answer } from './c07Matrix.js';

export interface AuthorizeHandlerDeps {
  readonly revocation: ContractRevocationChecker;
  readonly billing: BillingChecker;
  readonly tokens: TokenAuthorizer;
  readonly authorizationLog: AuthorizationLog;
  readonly tracer: Tracer;
  readonly clock?: () => Date;
}

function describeRequest(request: AuthorizeRequest): string {
  const token = request.idToken.type === 'eMAID' ? maskEmaid(request.idToken.idToken) : request.idToken.type;
  if (request.certificate !== undefined) return `${token}, certificate chain (${request.certificate.length} chars)`;
  if (request.iso15118CertificateHashData) return `${token}, ${request.iso15118CertificateHashData.length} OCSP hash data entries`;
  return token;
}

export function authorizeHandler(deps: AuthorizeHandlerDeps): CsmsHandler<'Authorize'> {
  const clock = deps.clock ?? (() => new Date());
  const { tracer } = deps;

  async function contract(request: AuthorizeRequest, station: StationContext, session: string): Promise<AuthorizeResponse> {
    const started = performance.now();
    const context = { session, stationId: station.stationId };
    // The errata: hash data is "not needed if certificate is provided" — with both, the chain is the stronger check.
    const chain: RevocationOutcome =
      request.certificate !== undefined
        ? await deps.revocation.checkCertificateChain(request.certificate, request.idToken.idToken, context)
        : await deps.revocation.checkHashData(request.iso15118CertificateHashData ?? [], context);
    tracer.emit({
      kind: 'check',
      party: 'csms',
      session,
      check: request.certificate !== undefined ? 'contract chain (central validation)' : 'contract revocation (OCSP)',
      ok: chain.kind === 'valid',
      detail: chain.kind === 'valid' ? `${chain.checks.length} OCSP answers good` : `${chain.kind}: ${chain.detail}`,
      ms: performance.now() - started,
    });
    let reference: string | undefined;
    let tokenStatus: AuthorizationStatusEnumType | undefined;
    if (chain.kind === 'valid') {
      const billing = await deps.billing.authorizeEmaid(request.idToken.idToken, { stationId: station.stationId }, context);
      tokenStatus = billing.status;
      reference = billing.authorizationReference;
    }
    const answer = c07Answer(chain.kind, tokenStatus);
    tracer.emit({
      kind: 'verdict',
      party: 'csms',
      session,
      verdict: `${answer.certificateStatus} / ${answer.status}`,
      detail: `${answer.rule}: ${maskEmaid(request.idToken.idToken)}`,
      ms: performance.now() - started,
    });
    if (answer.status === 'Accepted') {
      await deps.authorizationLog.record({
        stationId: station.stationId,
        idToken: request.idToken.idToken,
        tokenType: request.idToken.type,
        status: answer.status,
        ...(reference !== undefined ? { authorizationReference: reference } : {}),
        at: clock().toISOString(),
      });
    }
    return { idTokenInfo: { status: answer.status }, certificateStatus: answer.certificateStatus };
  }

  return async (request, station) => {
    const session = station.stationId;
    tracer.emit({ kind: 'message', party: 'csms', session, from: 'charger', to: 'csms', message: 'AuthorizeRequest', detail: describeRequest(request) });
    const hasCertificateData = request.certificate !== undefined || (request.iso15118CertificateHashData?.length ?? 0) > 0;
    let response: AuthorizeResponse;
    if (request.idToken.type === 'eMAID' && hasCertificateData) {
      response = await contract(request, station, session);
    } else {
      const result = await deps.tokens.authorizeToken(request.idToken, { stationId: station.stationId }, { session, stationId: station.stationId });
      response = { idTokenInfo: result.idTokenInfo };
      if (result.idTokenInfo.status === 'Accepted') {
        await deps.authorizationLog.record({
          stationId: station.stationId,
          idToken: request.idToken.idToken,
          tokenType: request.idToken.type,
          status: 'Accepted',
          ...(result.authorizationReference !== undefined ? { authorizationReference: result.authorizationReference } : {}),
          at: clock().toISOString(),
        });
      }
    }
    tracer.emit({
      kind: 'message',
      party: 'csms',
      session,
      from: 'csms',
      to: 'charger',
      message: 'AuthorizeResponse',
      detail: `${response.certificateStatus ? `certificateStatus ${response.certificateStatus}, ` : ''}idToken ${response.idTokenInfo.status}`,
    });
    return response;
  };
}
