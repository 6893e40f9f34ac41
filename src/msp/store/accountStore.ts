// Customer accounts and their eMAIDs. An account is active, suspended or cancelled; its whitelist type travels in
// the OCPI Token; a payment token makes it a PnC Direct account (card pre-authorization instead of an invoice).
import type { Kysely } from 'kysely';
import { WHITELIST_TYPES, type WhitelistType } from '../../ocpi/ocpiTypes.js';
import { checkDigitsAgree, emaidKey } from './emaidKey.js';
import { MspStoreError } from './mspStoreError.js';
import type { MspTables } from './mspTables.js';

export type AccountStatus = 'active' | 'suspended' | 'cancelled';
export const ACCOUNT_STATUSES: readonly AccountStatus[] = ['active', 'suspended', 'cancelled'];

export interface MspAccount {
  readonly id: number;
  readonly status: AccountStatus;
  readonly whitelist: WhitelistType;
  readonly paymentToken?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface MspAccountWithEmaids extends MspAccount {
  /** Normalised eMAIDs as registered. */
  readonly emaids: readonly string[];
}

/** The account an eMAID token belongs to, with the eMAID as registered. */
export interface EmaidAccount {
  readonly account: MspAccount;
  readonly emaid: string;
  readonly emaidId: number;
}

export interface NewAccount {
  readonly emaids: readonly string[];
  readonly paymentToken?: string;
  readonly whitelist?: WhitelistType;
}

export interface TokenListPage {
  readonly offset: number;
  readonly limit: number;
  /** ISO 8601 bounds on the account's last update: from inclusive, to exclusive. */
  readonly dateFrom?: string;
  readonly dateTo?: string;
}

export interface TokenListResult {
  readonly items: readonly EmaidAccount[];
  readonly total: number;
}

type AccountRow = MspTables['msp_accounts'] & { id: number };

export class AccountStore {
  constructor(
    private readonly db: Kysely<MspTables>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async add(input: NewAccount): Promise<MspAccountWithEmaids> {
    if (input.emaids.length === 0) throw new MspStoreError('invalid-argument', 'an account needs at least one eMAID');
    const keys = input.emaids.map((text) => {
      const k = emaidKey(text);
      if (!k) throw new MspStoreError('invalid-emaid', `"${text}" is not an eMAID (CC-PPP-IIIIIIIII[-D])`);
      return k;
    });
    if (new Set(keys.map((k) => k.key)).size !== keys.length) throw new MspStoreError('duplicate-emaid', 'the same eMAID is given twice');
    const whitelist = input.whitelist ?? 'ALLOWED';
    if (!WHITELIST_TYPES.includes(whitelist)) throw new MspStoreError('invalid-argument', `unknown whitelist type ${String(whitelist)}`);
    if (input.paymentToken !== undefined && !/^[\x21-\x7e]{1,128}$/.test(input.paymentToken)) {
      throw new MspStoreError('invalid-argument', 'a payment token is 1–128 printable ASCII characters');
    }
    const at = this.now().toISOString();
    return this.db.transaction().execute(async (tx) => {
      const taken = await tx.selectFrom('msp_emaids').select('emaid').where('emaid_key', 'in', keys.map((k) => k.key)).executeTakeFirst();
      if (taken) throw new MspStoreError('duplicate-emaid', `eMAID ${taken.emaid} already belongs to an account`);
      const row = await tx
        .insertInto('msp_accounts')
        .values({ status: 'active', whitelist, payment_token: input.paymentToken ?? null, created_at: at, updated_at: at })
        .returningAll()
        .executeTakeFirstOrThrow();
      for (const k of keys) {
        await tx.insertInto('msp_emaids').values({ emaid_key: k.key, emaid: k.normalized, check_digit: k.checkDigit ?? null, account_id: row.id, created_at: at }).execute();
      }
      return { ...toAccount(row), emaids: keys.map((k) => k.normalized) };
    });
  }

  /** Sets the status of the account that holds `emaid`. */
  async setStatus(emaid: string, status: AccountStatus): Promise<MspAccountWithEmaids> {
    if (!ACCOUNT_STATUSES.includes(status)) throw new MspStoreError('invalid-argument', `unknown account status ${String(status)}`);
    const found = await this.findByEmaid(emaid);
    if (!found) throw new MspStoreError('not-found', `no account holds eMAID ${emaid}`);
    await this.db.updateTable('msp_accounts').set({ status, updated_at: this.now().toISOString() }).where('id', '=', found.account.id).execute();
    const all = await this.list({ accountId: found.account.id });
    return all[0]!;
  }

  /** The account of an eMAID token uid (any spelling: with or without '-', any case, with or without check digit). */
  async findByEmaid(uid: string): Promise<EmaidAccount | undefined> {
    const k = emaidKey(uid);
    if (!k) return undefined;
    const row = await this.db
      .selectFrom('msp_emaids as e')
      .innerJoin('msp_accounts as a', 'a.id', 'e.account_id')
      .select(['e.id as emaid_id', 'e.emaid', 'e.check_digit', 'a.id', 'a.status', 'a.whitelist', 'a.payment_token', 'a.created_at', 'a.updated_at'])
      .where('e.emaid_key', '=', k.key)
      .executeTakeFirst();
    if (!row || !checkDigitsAgree(row.check_digit, k.checkDigit)) return undefined;
    return { account: toAccount(row), emaid: row.emaid, emaidId: row.emaid_id };
  }

  async list(filter: { readonly emaid?: string; readonly accountId?: number } = {}): Promise<MspAccountWithEmaids[]> {
    let accountId = filter.accountId;
    if (filter.emaid !== undefined) {
      const found = await this.findByEmaid(filter.emaid);
      if (!found) return [];
      accountId = found.account.id;
    }
    let q = this.db.selectFrom('msp_accounts').selectAll().orderBy('id');
    if (accountId !== undefined) q = q.where('id', '=', accountId);
    const accounts = await q.execute();
    if (accounts.length === 0) return [];
    let eq = this.db.selectFrom('msp_emaids').select(['account_id', 'emaid']).orderBy('id');
    if (accountId !== undefined) eq = eq.where('account_id', '=', accountId);
    const emaids = await eq.execute();
    const byAccount = new Map<number, string[]>();
    for (const e of emaids) byAccount.set(e.account_id, [...(byAccount.get(e.account_id) ?? []), e.emaid]);
    return accounts.map((a) => ({ ...toAccount(a), emaids: byAccount.get(a.id) ?? [] }));
  }

  /** One page of eMAID tokens, oldest first (stable across pages), with the total matching the date filter. */
  async tokenPage(page: TokenListPage): Promise<TokenListResult> {
    let base = this.db.selectFrom('msp_emaids as e').innerJoin('msp_accounts as a', 'a.id', 'e.account_id');
    if (page.dateFrom !== undefined) base = base.where('a.updated_at', '>=', page.dateFrom);
    if (page.dateTo !== undefined) base = base.where('a.updated_at', '<', page.dateTo);
    const count = await base.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .select(['e.id as emaid_id', 'e.emaid', 'a.id', 'a.status', 'a.whitelist', 'a.payment_token', 'a.created_at', 'a.updated_at'])
      .orderBy('e.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return { items: rows.map((r) => ({ account: toAccount(r), emaid: r.emaid, emaidId: r.emaid_id })), total: Number(count.n) };
  }
}

function toAccount(row: Omit<AccountRow, 'id'> & { id: number }): MspAccount {
  return {
    id: row.id,
    status: row.status as AccountStatus,
    whitelist: row.whitelist as WhitelistType,
    ...(row.payment_token !== null ? { paymentToken: row.payment_token } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
