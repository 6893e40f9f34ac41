// The registry as the billing path reads it: all peers held in memory and reloaded after a short TTL, so thousands
// of authorizations a second find their eMSP with a Map lookup instead of a query. One reload at a time; when a
// reload fails the previous view is kept (and the failure reported) until a reload succeeds.
import type { EmspParty, EmspPeer } from './emspPeer.js';

export interface EmspDirectory {
  /** The platform serving this eMSP party, or undefined when we do not roam with it. */
  find(countryCode: string, partyId: string): Promise<EmspPeer | undefined>;
  /** Forget the loaded view (after a registration on this node). */
  invalidate(): void;
}

/** The registry could not be read and there is no earlier view to fall back on. */
export class EmspDirectoryUnavailableError extends Error {
  override readonly name = 'EmspDirectoryUnavailableError';
}

export interface CachedEmspDirectoryOptions {
  /** How long a loaded view is used before the next reload (default 5000 ms). */
  readonly ttlMs?: number;
  readonly now?: () => number;
  /** A reload failed while an older view was still in use. */
  readonly onReloadError?: (error: unknown) => void;
}

export class CachedEmspDirectory implements EmspDirectory {
  private view: Map<string, EmspPeer> | undefined;
  private loadedAt = 0;
  private loading: Promise<Map<string, EmspPeer>> | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Reloads done (for tests and metrics: the billing path must not load per call). */
  loads = 0;

  constructor(
    private readonly load: () => Promise<readonly EmspPeer[]>,
    private readonly options: CachedEmspDirectoryOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  async find(countryCode: string, partyId: string): Promise<EmspPeer | undefined> {
    const key = partyKey({ countryCode: countryCode.toUpperCase(), partyId: partyId.toUpperCase() });
    if (this.view !== undefined && this.now() - this.loadedAt < this.ttlMs) return this.view.get(key);
    return (await this.current()).get(key);
  }

  invalidate(): void {
    this.loadedAt = 0;
  }

  private async current(): Promise<Map<string, EmspPeer>> {
    this.loading ??= this.reload().finally(() => {
      this.loading = undefined;
    });
    try {
      return await this.loading;
    } catch (e) {
      if (this.view === undefined) throw new EmspDirectoryUnavailableError(`the roaming registry cannot be read: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      this.options.onReloadError?.(e);
      // Keep serving the older view; try again after another TTL rather than on every call.
      this.loadedAt = this.now();
      return this.view;
    }
  }

  private async reload(): Promise<Map<string, EmspPeer>> {
    this.loads++;
    const peers = await this.load();
    const view = new Map<string, EmspPeer>();
    for (const peer of peers) for (const party of peer.parties) view.set(partyKey(party), peer);
    this.view = view;
    this.loadedAt = this.now();
    return view;
  }
}

function partyKey(p: EmspParty): string {
  return `${p.countryCode}*${p.partyId}`;
}
