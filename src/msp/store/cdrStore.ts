// Received CDRs (stored once per CPO country/party and CDR id, enforced by a unique constraint) and the PnC Direct
// pre-authorizations they settle against.
import type { Kysely } from 'kysely';
import type { MspTables } from './mspTables.js';

export interface NewCdr {
  readonly countryCode: string;
  readonly partyId: string;
  readonly cdrId: string;
  readonly peerId: number;
  readonly version: string;
  readonly authorizationReference?: string;
  readonly totalCost: number;
  readonly currency: string;
  /** The CDR object as received (JSON text). */
  readonly body: string;
}

export type Settlement = 'captured' | 'refused' | 'not-pnc-direct' | 'error';

export interface StoredCdr extends NewCdr {
  readonly id: number;
  readonly receivedAt: string;
  readonly settlement?: Settlement;
  readonly settlementDetail?: string;
}

export interface PncDirectAuthorizationRecord {
  readonly reference: string;
  readonly accountId: number;
  readonly peerId: number;
  readonly emaid: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly createdAt: string;
}

export class CdrStore {
  constructor(
    private readonly db: Kysely<MspTables>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Stores the CDR unless one with the same (country, party, id) exists; either way returns the stored one. */
  async insertOnce(cdr: NewCdr): Promise<{ readonly cdr: StoredCdr; readonly inserted: boolean }> {
    const key = { country_code: cdr.countryCode.toUpperCase(), party_id: cdr.partyId.toUpperCase(), cdr_id: cdr.cdrId.toUpperCase() };
    const inserted = await this.db
      .insertInto('msp_cdrs')
      .values({
        ...key,
        peer_id: cdr.peerId,
        version: cdr.version,
        authorization_reference: cdr.authorizationReference ?? null,
        total_cost: cdr.totalCost,
        currency: cdr.currency,
        body: cdr.body,
        received_at: this.now().toISOString(),
        settlement: null,
        settlement_detail: null,
      })
      .onConflict((oc) => oc.columns(['country_code', 'party_id', 'cdr_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { cdr: toCdr(inserted), inserted: true };
    const existing = await this.db
      .selectFrom('msp_cdrs')
      .selectAll()
      .where('country_code', '=', key.country_code)
      .where('party_id', '=', key.party_id)
      .where('cdr_id', '=', key.cdr_id)
      .executeTakeFirstOrThrow();
    return { cdr: toCdr(existing), inserted: false };
  }

  async get(id: number): Promise<StoredCdr | undefined> {
    const row = await this.db.selectFrom('msp_cdrs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toCdr(row) : undefined;
  }

  async list(): Promise<StoredCdr[]> {
    return (await this.db.selectFrom('msp_cdrs').selectAll().orderBy('id').execute()).map(toCdr);
  }

  /** CDRs whose PnC Direct settlement failed (processor unreachable), oldest first, for a retry. */
  async failedSettlements(limit: number): Promise<StoredCdr[]> {
    return (await this.db.selectFrom('msp_cdrs').selectAll().where('settlement', '=', 'error').orderBy('id').limit(limit).execute()).map(toCdr);
  }

  async setSettlement(id: number, settlement: Settlement, detail: string): Promise<void> {
    await this.db.updateTable('msp_cdrs').set({ settlement, settlement_detail: detail.slice(0, 1000) }).where('id', '=', id).execute();
  }

  async recordAuthorization(a: Omit<PncDirectAuthorizationRecord, 'createdAt'>): Promise<void> {
    await this.db
      .insertInto('msp_authorizations')
      .values({ reference: a.reference, account_id: a.accountId, peer_id: a.peerId, emaid: a.emaid, amount_minor: a.amountMinor, currency: a.currency, created_at: this.now().toISOString() })
      .execute();
  }

  async findAuthorization(reference: string): Promise<PncDirectAuthorizationRecord | undefined> {
    const row = await this.db.selectFrom('msp_authorizations').selectAll().where('reference', '=', reference).executeTakeFirst();
    return row
      ? { reference: row.reference, accountId: row.account_id, peerId: row.peer_id, emaid: row.emaid, amountMinor: row.amount_minor, currency: row.currency, createdAt: row.created_at }
      : undefined;
  }
}

function toCdr(row: Omit<MspTables['msp_cdrs'], 'id'> & { id: number }): StoredCdr {
  return {
    id: row.id,
    countryCode: row.country_code,
    partyId: row.party_id,
    cdrId: row.cdr_id,
    peerId: row.peer_id,
    version: row.version,
    ...(row.authorization_reference !== null ? { authorizationReference: row.authorization_reference } : {}),
    totalCost: Number(row.total_cost),
    currency: row.currency,
    body: row.body,
    receivedAt: row.received_at,
    ...(row.settlement !== null ? { settlement: row.settlement as Settlement } : {}),
    ...(row.settlement_detail !== null ? { settlementDetail: row.settlement_detail } : {}),
  };
}
