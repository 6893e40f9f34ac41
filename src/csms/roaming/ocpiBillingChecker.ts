// The billing check of a PnC Authorize: the eMAID's provider prefix (country + provider id) names the eMSP; the eMSP
// is asked over OCPI real-time authorization (type EMAID for 2.3.0 peers, OTHER for 2.2.1, which has no EMAID type)
// and its AllowedType becomes the OCPP status. An unknown token or an eMSP we do not roam with is Unknown; an
// eMSP that cannot be asked (down, slow, broken answer) leaves the decision to the token's last known whitelist.
// Every decision is traced with the eMAID masked. Per call: a Map lookup, one pooled HTTP request, no query.
import { randomUUID } from 'node:crypto';
import type { BillingChecker, BillingOutcome, ChargingLocation, CheckContext } from '../authorize/authorizeTypes.js';
import { maskEmaid } from '../../pki/emaid/maskEmaid.js';
import { isUnknownTokenError, type OcpiClient } from '../../ocpi/ocpiClient.js';
import { OcpiError } from '../../ocpi/ocpiError.js';
import type { LocationReferences } from '../../ocpi/ocpiTypes.js';
import { EmaidError, emaidProvider, parseEmaid } from '../../pki/emaid/emaid.js';
import type { Tracer } from '../../trace/tracer.js';
import { offlineDecision, statusForAllowed } from './billingDecision.js';
import { EmspDirectoryUnavailableError, type EmspDirectory } from './emspDirectory.js';
import { endpointUrl, partyLabel, type EmspPeer } from './emspPeer.js';
import type { LastKnownTokens } from './lastKnownTokens.js';
import { defaultLocationReferences } from './locationIds.js';
import { roamingTokenKey } from './roamingTokenUid.js';

export interface OcpiBillingCheckerOptions {
  readonly directory: EmspDirectory;
  readonly client: OcpiClient;
  readonly tokens: LastKnownTokens;
  readonly tracer: Tracer;
  /** Time limit of one authorize exchange (default 2000 ms; the station is waiting for its Authorize answer). */
  readonly timeoutMs?: number;
  /** LocationReferences sent with the request (default: station id as location_id, "<station>-<evse>" as EVSE uid). */
  readonly locationReferences?: (location: ChargingLocation) => LocationReferences | undefined;
}

export class OcpiBillingChecker implements BillingChecker {
  private readonly timeoutMs: number;
  private readonly locationReferences: (location: ChargingLocation) => LocationReferences | undefined;

  constructor(private readonly options: OcpiBillingCheckerOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.locationReferences = options.locationReferences ?? defaultLocationReferences;
  }

  async authorizeEmaid(emaid: string, location: ChargingLocation, context: CheckContext): Promise<BillingOutcome> {
    const started = performance.now();
    const outcome = await this.decide(emaid, location, context);
    const ms = performance.now() - started;
    this.options.tracer.emit({
      kind: 'check',
      party: 'csms',
      ...(context.session !== undefined ? { session: context.session } : {}),
      check: 'billing',
      ok: outcome.status === 'Accepted',
      detail: `${maskEmaid(emaid)}${outcome.emsp ? ` at eMSP ${partyLabel(outcome.emsp)}` : ''}: ${outcome.status} (${outcome.detail})`,
      ms,
    });
    return outcome;
  }

  private async decide(emaid: string, location: ChargingLocation, context: CheckContext): Promise<BillingOutcome> {
    let parsed;
    try {
      parsed = parseEmaid(emaid, 'lenient');
    } catch (e) {
      if (e instanceof EmaidError) return { status: 'Invalid', detail: 'not an eMAID' };
      throw e;
    }
    const provider = emaidProvider(parsed);
    const emsp = { countryCode: provider.countryCode, partyId: provider.partyId };
    let peer: EmspPeer | undefined;
    try {
      peer = await this.options.directory.find(provider.countryCode, provider.partyId);
    } catch (e) {
      if (e instanceof EmspDirectoryUnavailableError) return { status: 'NotAtThisTime', emsp, detail: e.message };
      throw e;
    }
    if (!peer) return { status: 'Unknown', detail: `no roaming agreement with eMSP ${partyLabel(emsp)}` };
    const tokensUrl = endpointUrl(peer, 'tokens', 'SENDER');
    const uid = parsed.normalized;
    const cacheUid = roamingTokenKey(uid);
    if (!tokensUrl) return this.offline(emsp, cacheUid, `eMSP ${partyLabel(emsp)} offers no tokens module`);
    const type = peer.version === '2.3.0' ? 'EMAID' : 'OTHER';
    const refs = this.locationReferences(location);
    try {
      const info = await this.options.client.authorize(tokensUrl, peer.tokenC, peer.version, uid, type, refs, {
        correlationId: correlationId(context.session),
        timeoutMs: this.timeoutMs,
      });
      this.options.tokens.remember(emsp.countryCode, emsp.partyId, cacheUid, info.token.whitelist, info.token.valid);
      const status = statusForAllowed(info.allowed);
      return {
        status,
        emsp,
        detail: `OCPI ${peer.version} ${info.allowed}`,
        ...(info.authorization_reference !== undefined ? { authorizationReference: info.authorization_reference } : {}),
      };
    } catch (e) {
      if (!(e instanceof OcpiError)) throw e;
      if (isUnknownTokenError(e)) {
        await this.options.tokens.forgetValidity(emsp.countryCode, emsp.partyId, cacheUid);
        return { status: 'Unknown', emsp, detail: `eMSP ${partyLabel(emsp)} does not know the token (OCPI ${e.ocpiStatus ?? e.httpStatus})` };
      }
      this.options.tracer.emit({
        kind: 'error',
        party: 'csms',
        ...(context.session !== undefined ? { session: context.session } : {}),
        error: 'OCPI authorize failed',
        // The request URL in the message carries the eMAID: mask it there too.
        detail: `eMSP ${partyLabel(emsp)}: ${e.code}: ${masked(e.message, uid).slice(0, 300)}`,
      });
      return this.offline(emsp, cacheUid, `eMSP unreachable (${e.code})`);
    }
  }

  private async offline(emsp: { countryCode: string; partyId: string }, uid: string, why: string): Promise<BillingOutcome> {
    const lastKnown = await this.options.tokens.get(emsp.countryCode, emsp.partyId, uid);
    const d = offlineDecision(lastKnown);
    return { status: d.status, emsp, detail: `${why}; ${d.detail}` };
  }
}

function masked(text: string, uid: string): string {
  return text.replace(new RegExp(uid.replace(/[^A-Za-z0-9]/g, '\\$&'), 'gi'), maskEmaid(uid));
}

/** The trace session travels as X-Correlation-ID, so the eMSP's trace lines join the same session. */
function correlationId(session: string | undefined): string {
  return session !== undefined && /^[\x21-\x7e]{1,128}$/.test(session) ? session : randomUUID();
}
