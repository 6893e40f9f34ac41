// The CPO's own token list on both dialects: case-insensitive lookup per type, status changes, input limits.
import { describe, expect, it } from 'vitest';
import { TokenList, TokenListError } from '../../../src/csms/tokens/tokenList.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';

const targets = useDatabaseTargets();

describe.each(targets)('token list on $dialect', (target) => {
  async function withList(ctx: Parameters<typeof target.newUrl>[0], f: (list: TokenList, store: StoreDatabase<unknown>) => Promise<void>): Promise<void> {
    const store = await openDatabase<unknown>(await target.newUrl(ctx));
    try {
      await f(await TokenList.open(store), store);
    } finally {
      await store.close();
    }
  }

  it('finds a card case-insensitively, only under its own type', async (ctx) => {
    await withList(ctx, async (list) => {
      await list.put('04a1b2c3', 'ISO14443');
      expect(await list.get('04A1B2C3', 'ISO14443')).toMatchObject({ idToken: '04a1b2c3', status: 'Accepted' });
      expect(await list.get('04a1b2c3', 'ISO15693')).toBeUndefined();
      expect(await list.get('04a1b2c4', 'ISO14443')).toBeUndefined();
    });
  });

  it('put again changes the status and keeps one row; reopening keeps the data', async (ctx) => {
    await withList(ctx, async (list, store) => {
      await list.put('04A1B2C3', 'ISO14443');
      await list.put('04a1b2c3', 'ISO14443', 'Blocked');
      expect(await list.list()).toHaveLength(1);
      const again = await TokenList.open(store);
      expect(await again.get('04A1B2C3', 'ISO14443')).toMatchObject({ status: 'Blocked' });
    });
  });

  it.for([
    ['', 'ISO14443', 'Accepted', /1–36/],
    ['X'.repeat(37), 'ISO14443', 'Accepted', /1–36/],
    ['04A1', 'eMAID', 'Accepted', /not one of/],
    ['04A1', 'ISO14443', 'NoCredit', /not one of/],
  ] as const)('refuses %j / %s / %s', async ([idToken, type, status, message], ctx) => {
    await withList(ctx, async (list) => {
      // Casts: the CLI passes user strings; the list must check them itself.
      await expect(list.put(idToken, type as 'ISO14443', status as 'Accepted')).rejects.toThrow(TokenListError);
      await expect(list.put(idToken, type as 'ISO14443', status as 'Accepted')).rejects.toThrow(message);
    });
  });
});
