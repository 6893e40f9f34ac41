// Pulls an eMSP's token list (tokens module, GET, paginated) into the last-known-token store, so the offline
// fallback knows whitelist types of tokens never authorised here. Bounded: at most `maxPages` pages.
import type { OcpiClient } from '../../ocpi/ocpiClient.js';
import { endpointUrl, type EmspPeer } from './emspPeer.js';
import type { LastKnownTokens } from './lastKnownTokens.js';
import { RoamingError } from './roamingError.js';
import { roamingTokenKey } from './roamingTokenUid.js';

export interface PullEmspTokensOptions {
  readonly pageSize?: number;
  readonly maxPages?: number;
  /** Only tokens updated since (OCPI date_from). */
  readonly since?: Date;
}

export async function pullEmspTokens(client: OcpiClient, tokens: LastKnownTokens, peer: EmspPeer, options: PullEmspTokensOptions = {}): Promise<{ readonly tokens: number; readonly pages: number }> {
  const url = endpointUrl(peer, 'tokens', 'SENDER');
  if (!url) throw new RoamingError('missing-endpoints', `eMSP ${peer.name} offers no tokens module`);
  const maxPages = options.maxPages ?? 1000;
  let page = await client.getTokens(url, peer.tokenC, peer.version, { offset: 0, limit: options.pageSize ?? 100, ...(options.since ? { dateFrom: options.since.toISOString() } : {}) });
  let pages = 1;
  let count = 0;
  const parties = new Set(peer.parties.map((p) => `${p.countryCode}*${p.partyId}`));
  for (;;) {
    // Only tokens of the parties this platform registered for: a platform cannot speak for anyone else's tokens.
    const rows = page.tokens
      .filter((t) => parties.has(`${t.country_code}*${t.party_id}`))
      .map((t) => ({ countryCode: t.country_code, partyId: t.party_id, uid: roamingTokenKey(t.uid), whitelist: t.whitelist, valid: t.valid }));
    await tokens.rememberAll(rows);
    count += rows.length;
    if (page.next === undefined || pages >= maxPages || page.tokens.length === 0) break;
    page = await client.getTokensPage(page.next, peer.tokenC, peer.version);
    pages++;
  }
  return { tokens: count, pages };
}
