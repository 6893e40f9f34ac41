// The last known whitelist type and validity of eMSP tokens, learnt from authorize answers and pulled token lists:
// what the billing check falls back on when the eMSP cannot be reached (WhitelistType ALLOWED_OFFLINE / ALWAYS).
// Held in a bounded in-memory map in front of the database; the database is written only when a token's state
// changes, off the request path, so a steady stream of authorizations costs no writes.
import type { WhitelistType } from '../../ocpi/ocpiTypes.js';
import type { LastKnownToken, RoamingRegistry, TokenStateRow } from './roamingRegistry.js';

export interface LastKnownTokensOptions {
  /** Entries kept in memory (default 100 000); the oldest are dropped first. */
  readonly maxEntries?: number;
  /** Database writes waiting at most; beyond, changes stay in memory only (default 1000). */
  readonly maxPendingWrites?: number;
  readonly onWriteError?: (error: unknown) => void;
  readonly now?: () => Date;
}

export class LastKnownTokens {
  private readonly memory = new Map<string, LastKnownToken>();
  private pendingWrites = 0;
  private readonly maxEntries: number;
  private readonly maxPendingWrites: number;
  private readonly now: () => Date;

  constructor(
    private readonly registry: Pick<RoamingRegistry, 'lastKnownToken' | 'rememberTokens'>,
    private readonly options: LastKnownTokensOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.maxPendingWrites = options.maxPendingWrites ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  async get(countryCode: string, partyId: string, uid: string): Promise<LastKnownToken | undefined> {
    const key = cacheKey(countryCode, partyId, uid);
    const hit = this.memory.get(key);
    if (hit) return hit;
    const stored = await this.registry.lastKnownToken(countryCode, partyId, uid);
    if (stored) this.keep(key, stored);
    return stored;
  }

  /** Records a token's state; writes it to the database (in the background) only when it changed. */
  remember(countryCode: string, partyId: string, uid: string, whitelist: WhitelistType, valid: boolean): void {
    const key = cacheKey(countryCode, partyId, uid);
    const known = this.memory.get(key);
    if (known && known.whitelist === whitelist && known.valid === valid) return;
    const state = { whitelist, valid, updatedAt: this.now().toISOString() };
    this.keep(key, state);
    if (this.pendingWrites >= this.maxPendingWrites) return;
    this.pendingWrites++;
    this.registry
      .rememberTokens([{ countryCode, partyId, uid, ...state }])
      .catch((e: unknown) => {
        // Forget it here too, so the next answer for this token tries the write again.
        this.memory.delete(key);
        this.options.onWriteError?.(e);
      })
      .finally(() => {
        this.pendingWrites--;
      });
  }

  /** The eMSP no longer knows the token: a state kept from earlier must not accept it offline any more. */
  async forgetValidity(countryCode: string, partyId: string, uid: string): Promise<void> {
    const known = await this.get(countryCode, partyId, uid);
    if (known?.valid) this.remember(countryCode, partyId, uid, known.whitelist, false);
  }

  /** A pulled token list: written to the database before returning. */
  async rememberAll(rows: readonly Omit<TokenStateRow, 'updatedAt'>[]): Promise<void> {
    const updatedAt = this.now().toISOString();
    const full = rows.map((r) => ({ ...r, updatedAt }));
    await this.registry.rememberTokens(full);
    for (const r of full) this.keep(cacheKey(r.countryCode, r.partyId, r.uid), { whitelist: r.whitelist, valid: r.valid, updatedAt });
  }

  /** Writes not yet finished (tests wait for 0). */
  get pending(): number {
    return this.pendingWrites;
  }

  private keep(key: string, state: LastKnownToken): void {
    this.memory.delete(key);
    this.memory.set(key, state);
    if (this.memory.size > this.maxEntries) {
      const oldest = this.memory.keys().next();
      if (!oldest.done) this.memory.delete(oldest.value);
    }
  }
}

function cacheKey(countryCode: string, partyId: string, uid: string): string {
  return `${countryCode}*${partyId}*${uid}`;
}
