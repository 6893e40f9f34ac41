// Who is calling: a registered CPO (its token C) or a CPO about to register (an unused token A). Token C lookups are
// cached briefly, since every authorize request carries one; local changes (PUT, DELETE) clear the cache at once.
import { credentialsTokenCandidates } from '../../ocpi/ocpiAuthorization.js';
import type { MspPeer, PeerStore } from '../store/peerStore.js';

export type OcpiCaller = { readonly kind: 'peer'; readonly peer: MspPeer; readonly token: string } | { readonly kind: 'registration'; readonly token: string };

interface CacheEntry {
  readonly peer: MspPeer;
  readonly expires: number;
}

const MAX_CACHED = 1024;

export class PeerAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly peers: PeerStore,
    private readonly ttlMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  async identify(authorization: string | undefined): Promise<OcpiCaller | undefined> {
    const candidates = credentialsTokenCandidates(authorization);
    if (!candidates) return undefined;
    for (const token of candidates) {
      const hit = this.cache.get(token);
      if (hit && hit.expires > this.now()) return { kind: 'peer', peer: hit.peer, token };
      const peer = await this.peers.findByToken(token);
      if (peer) {
        if (this.cache.size >= MAX_CACHED) this.cache.clear();
        this.cache.set(token, { peer, expires: this.now() + this.ttlMs });
        return { kind: 'peer', peer, token };
      }
    }
    for (const token of candidates) {
      if (await this.peers.isUnusedRegistrationToken(token)) return { kind: 'registration', token };
    }
    return undefined;
  }

  invalidate(): void {
    this.cache.clear();
  }
}
