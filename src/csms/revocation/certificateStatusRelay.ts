// GetCertificateStatus (OCPP 2.0.1 M06): a station without a route to the OCSP responder asks the CSMS for the status
// of its V2G (SECC) certificate, to staple it in ISO 15118 TLS. The CSMS builds the DER OCSPRequest from
// ocspRequestData (M06.FR.08/09), fetches it through the SSRF guard, and VERIFIES the answer against the issuing CA
// before relaying it: the station gets a signed, fresh OCSPResponse about exactly the certificate it asked for, never
// whatever bytes a URL of its choosing returned (CitrineOS relayed the raw body, PR #929). Answers are cached until
// nextUpdate, shared with Authorize.
import type { GetCertificateStatusResponse } from '../../ocpp/generated/ocpp201.js';
import type { Tracer } from '../../trace/tracer.js';
import type { CsmsHandler, StationContext } from '../csmsTypes.js';
import { parseHashDataEntry } from './hashDataEntry.js';
import type { KnownIssuers } from './knownIssuers.js';
import { OcspLookupError, type OcspLookup, type OcspLookupErrorCode } from './ocspLookup.js';

export interface CertificateStatusRelayDeps {
  readonly lookup: OcspLookup;
  readonly issuers: KnownIssuers;
  readonly tracer?: Tracer;
}

/** GetCertificateStatusResponse.ocspResult: at most 5500 characters of base64. */
export const MAX_OCSP_RESULT_CHARACTERS = 5500;
const MAX_ADDITIONAL_INFO = 512;

// OCPP 2.0.1 reason codes (StatusInfoType.reasonCode, Part 2 Appendices); the detail goes into additionalInfo.
function reasonFor(code: OcspLookupErrorCode): string {
  switch (code) {
    case 'refused':
      return 'InvalidURL';
    case 'timeout':
    case 'network':
    case 'http':
    case 'too-large':
    case 'content-type':
      return 'Unspecified';
    default:
      // The responder answered, but not with a verifiable, fresh response about this certificate.
      return 'InvalidCertificate';
  }
}

export function getCertificateStatusHandler(deps: CertificateStatusRelayDeps): CsmsHandler<'GetCertificateStatus'> {
  const { lookup, issuers, tracer } = deps;
  return async (request, station: StationContext): Promise<GetCertificateStatusResponse> => {
    const started = performance.now();
    const session = `${station.stationId}${station.messageId !== undefined ? `/${station.messageId}` : ''}`;
    const trace = (ok: boolean, detail: string): void => {
      tracer?.emit({ kind: 'check', session, party: 'csms', check: 'ocsp', ok, detail: `GetCertificateStatus: ${detail}`, ms: performance.now() - started });
    };
    const failed = (reasonCode: string, detail: string): GetCertificateStatusResponse => {
      trace(false, detail);
      return { status: 'Failed', statusInfo: { reasonCode, additionalInfo: detail.slice(0, MAX_ADDITIONAL_INFO) } };
    };

    const parsed = parseHashDataEntry((request as { ocspRequestData?: unknown }).ocspRequestData);
    if (!parsed.ok) return failed('InvalidValue', `ocspRequestData: ${parsed.problem}`);
    const serial = parsed.certId.serialHex;
    const issuer = issuers.findForCertId(parsed.certId);
    if (!issuer) return failed('NotFound', `serial ${serial}: the issuer named by the hashes is not a known CA, an answer could not be verified`);

    try {
      const r = await lookup.lookup(parsed.certId, issuer.cert, parsed.url);
      const ocspResult = r.response.toString('base64');
      if (ocspResult.length > MAX_OCSP_RESULT_CHARACTERS) {
        return failed('TooLargeElement', `serial ${serial}: the OCSP response is ${ocspResult.length} base64 characters, at most ${MAX_OCSP_RESULT_CHARACTERS}`);
      }
      trace(true, `serial ${serial} at ${r.responder}: ${r.status.status}${r.fromCache ? ' (cached)' : r.coalesced ? ' (joined a lookup in flight)' : ''}, relayed ${r.response.length} bytes`);
      return { status: 'Accepted', ocspResult };
    } catch (e) {
      if (!(e instanceof OcspLookupError)) throw e;
      return failed(reasonFor(e.code), `serial ${serial}${e.responder ? ` at ${e.responder}` : ''}: ${e.code}: ${e.message}`);
    }
  };
}
