// A registered eMSP platform as the CPO side sees it: where its modules are and the token we call it with.
import type { CredentialsRole, OcpiEndpoint, OcpiVersionNumber } from '../../ocpi/ocpiTypes.js';

export interface EmspParty {
  readonly countryCode: string;
  readonly partyId: string;
}

export interface EmspPeer {
  readonly id: number;
  readonly name: string;
  readonly version: OcpiVersionNumber;
  readonly versionsUrl: string;
  readonly endpoints: readonly OcpiEndpoint[];
  readonly roles: readonly CredentialsRole[];
  /** Their token C: sent in our requests to them. */
  readonly tokenC: string;
  /** The eMSP parties (country code + party id) this platform serves. */
  readonly parties: readonly EmspParty[];
  readonly registeredAt: string;
}

/** The URL of a module of the peer for the role it plays there (tokens: SENDER, cdrs: RECEIVER). */
export function endpointUrl(peer: Pick<EmspPeer, 'endpoints'>, identifier: string, role?: 'SENDER' | 'RECEIVER'): string | undefined {
  return peer.endpoints.find((e) => e.identifier === identifier && (role === undefined || e.role === role))?.url;
}

export function partyLabel(p: EmspParty): string {
  return `${p.countryCode}*${p.partyId}`;
}
