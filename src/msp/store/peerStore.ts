// CPO platforms registered with the MSP over the OCPI credentials module, and the single-use registration tokens
// (CREDENTIALS_TOKEN_A) that start a registration. Single use is enforced by the database: the token is consumed
// by a conditional UPDATE in the same transaction that stores the peer.
import type { Kysely } from 'kysely';
import { newCredentialsToken } from '../../ocpi/ocpiAuthorization.js';
import type { CredentialsRole, OcpiEndpoint, OcpiVersionNumber } from '../../ocpi/ocpiTypes.js';
import type { MspTables } from './mspTables.js';
import { tokenHash } from './tokenHash.js';

export interface PeerRegistration {
  readonly countryCode: string;
  readonly partyId: string;
  readonly name: string;
  readonly roles: readonly CredentialsRole[];
  readonly version: OcpiVersionNumber;
  readonly versionsUrl: string;
  readonly endpoints: readonly OcpiEndpoint[];
  /** Their token B: what we send when we call them. */
  readonly tokenB: string;
}

export interface MspPeer extends PeerRegistration {
  readonly id: number;
  readonly registeredAt: string;
  readonly updatedAt: string;
}

export type RegistrationOutcome = { readonly kind: 'registered'; readonly peer: MspPeer; readonly tokenC: string } | { readonly kind: 'token-used' };

export class PeerStore {
  constructor(
    private readonly db: Kysely<MspTables>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new CREDENTIALS_TOKEN_A for a CPO; only its hash is stored. */
  async issueRegistrationToken(name: string): Promise<string> {
    const token = newCredentialsToken();
    await this.db.insertInto('msp_registration_tokens').values({ token_hash: tokenHash(token), name, issued_at: this.now().toISOString(), used_at: null }).execute();
    return token;
  }

  async isUnusedRegistrationToken(token: string): Promise<boolean> {
    const row = await this.db.selectFrom('msp_registration_tokens').select('token_hash').where('token_hash', '=', tokenHash(token)).where('used_at', 'is', null).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Consumes token A and stores the peer with a fresh token C, in one transaction. A party already registered (its
   * CPO lost its state and registers again with a new token A issued by our operator) is replaced: the old token C
   * stops working.
   */
  async completeRegistration(tokenA: string, registration: PeerRegistration): Promise<RegistrationOutcome> {
    const tokenC = newCredentialsToken();
    const at = this.now().toISOString();
    return this.db.transaction().execute(async (tx) => {
      const consumed = await tx
        .updateTable('msp_registration_tokens')
        .set({ used_at: at })
        .where('token_hash', '=', tokenHash(tokenA))
        .where('used_at', 'is', null)
        .returning('token_hash')
        .executeTakeFirst();
      if (!consumed) return { kind: 'token-used' as const };
      await tx.deleteFrom('msp_peers').where('country_code', '=', registration.countryCode).where('party_id', '=', registration.partyId).execute();
      const row = await tx
        .insertInto('msp_peers')
        .values({ ...columns(registration), token_c_hash: tokenHash(tokenC), registered_at: at, updated_at: at })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { kind: 'registered' as const, peer: toPeer(row), tokenC };
    });
  }

  /** Credentials PUT: new token B, version, endpoints; a new token C replaces the old one. Undefined if gone. */
  async update(peerId: number, registration: PeerRegistration): Promise<{ peer: MspPeer; tokenC: string } | undefined> {
    const tokenC = newCredentialsToken();
    const row = await this.db
      .updateTable('msp_peers')
      .set({ ...columns(registration), token_c_hash: tokenHash(tokenC), updated_at: this.now().toISOString() })
      .where('id', '=', peerId)
      .returningAll()
      .executeTakeFirst();
    return row ? { peer: toPeer(row), tokenC } : undefined;
  }

  async remove(peerId: number): Promise<boolean> {
    const r = await this.db.deleteFrom('msp_peers').where('id', '=', peerId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async findByToken(tokenC: string): Promise<MspPeer | undefined> {
    const row = await this.db.selectFrom('msp_peers').selectAll().where('token_c_hash', '=', tokenHash(tokenC)).executeTakeFirst();
    return row ? toPeer(row) : undefined;
  }

  async list(): Promise<MspPeer[]> {
    return (await this.db.selectFrom('msp_peers').selectAll().orderBy('id').execute()).map(toPeer);
  }
}

function columns(r: PeerRegistration): Omit<MspTables['msp_peers'], 'id' | 'token_c_hash' | 'registered_at' | 'updated_at'> {
  return {
    country_code: r.countryCode,
    party_id: r.partyId,
    name: r.name,
    roles: JSON.stringify(r.roles),
    version: r.version,
    versions_url: r.versionsUrl,
    endpoints: JSON.stringify(r.endpoints),
    token_b: r.tokenB,
  };
}

function toPeer(row: Omit<MspTables['msp_peers'], 'id'> & { id: number }): MspPeer {
  return {
    id: row.id,
    countryCode: row.country_code,
    partyId: row.party_id,
    name: row.name,
    roles: JSON.parse(row.roles) as CredentialsRole[],
    version: row.version as OcpiVersionNumber,
    versionsUrl: row.versions_url,
    endpoints: JSON.parse(row.endpoints) as OcpiEndpoint[],
    tokenB: row.token_b,
    registeredAt: row.registered_at,
    updatedAt: row.updated_at,
  };
}
