// SupportedAppProtocol: the SECC picks the EV's highest-priority protocol it also speaks ([V2G2-172]…[V2G2-176]).
// The connection narrows the choice: TLS 1.2 carries -2 only and TLS 1.3 carries -20 only (the profiles of each part).
// Plain TCP carries -2 only (EIM; PnC is then never offered): -20 makes TLS mandatory for every session.
import type { appHandshake } from '../../exi/index.js';

export type V2gProtocol = 'iso2' | 'iso20-ac' | 'iso20-dc';

export interface ProtocolDefinition {
  readonly protocol: V2gProtocol;
  readonly namespace: string;
  readonly major: number;
  readonly minor: number;
}

export const PROTOCOL_DEFINITIONS: Readonly<Record<V2gProtocol, ProtocolDefinition>> = {
  iso2: { protocol: 'iso2', namespace: 'urn:iso:15118:2:2013:MsgDef', major: 2, minor: 0 },
  'iso20-ac': { protocol: 'iso20-ac', namespace: 'urn:iso:std:iso:15118:-20:AC', major: 1, minor: 0 },
  'iso20-dc': { protocol: 'iso20-dc', namespace: 'urn:iso:std:iso:15118:-20:DC', major: 1, minor: 0 },
};

export type ConnectionSecurity = 'none' | 'tls12' | 'tls13';

export interface Negotiation {
  readonly response: appHandshake.supportedAppProtocolRes;
  readonly protocol?: V2gProtocol;
  readonly reason: string;
}

const allowedOn = (protocol: V2gProtocol, security: ConnectionSecurity): boolean => (security === 'tls13' ? protocol !== 'iso2' : protocol === 'iso2');

export function negotiateAppProtocol(request: appHandshake.supportedAppProtocolReq, supported: readonly V2gProtocol[], security: ConnectionSecurity): Negotiation {
  const offers = [...request.AppProtocol].sort((a, b) => a.Priority - b.Priority);
  for (const offer of offers) {
    const def = supported.map((p) => PROTOCOL_DEFINITIONS[p]).find((d) => d.namespace === offer.ProtocolNamespace && d.major === offer.VersionNumberMajor);
    if (!def) continue;
    if (!allowedOn(def.protocol, security)) continue;
    // [V2G2-176]: same major, different minor → negotiated with a minor deviation.
    const code = offer.VersionNumberMinor === def.minor ? 'OK_SuccessfulNegotiation' : 'OK_SuccessfulNegotiationWithMinorDeviation';
    return { response: { ResponseCode: code, SchemaID: offer.SchemaID }, protocol: def.protocol, reason: `${offer.ProtocolNamespace} ${offer.VersionNumberMajor}.${offer.VersionNumberMinor} (priority ${offer.Priority})` };
  }
  const offered = offers.map((o) => `${o.ProtocolNamespace} ${o.VersionNumberMajor}.${o.VersionNumberMinor}`).join(', ') || 'nothing';
  return { response: { ResponseCode: 'Failed_NoNegotiation' }, reason: `no common protocol on a ${security} connection; EV offered ${offered}` };
}
