// `pnc csms token add|block|list`: the CPO's own tokens (RFID cards, key codes) in the CSMS database. eMAIDs are not
// listed here: their eMSP answers for them over OCPI.
import { Option, type Command } from 'commander';
import { LISTED_TOKEN_TYPES, TOKEN_STATUSES, TokenList, TokenListError, type ListedTokenStatus, type ListedTokenType } from '../csms/tokens/tokenList.js';
import { openDatabase } from '../store/index.js';
import { Exit, UsageError, type CliIo } from './io.js';

interface TokenArgs {
  db: string;
  idToken: string;
  type: ListedTokenType;
  status?: ListedTokenStatus;
}

async function withTokens<T>(url: string, f: (tokens: TokenList) => Promise<T>): Promise<T> {
  const store = await openDatabase<unknown>(url);
  try {
    return await f(await TokenList.open(store));
  } finally {
    await store.close();
  }
}

async function put(a: TokenArgs, status: ListedTokenStatus, io: CliIo): Promise<number> {
  try {
    const token = await withTokens(a.db, (t) => t.put(a.idToken, a.type, status));
    io.out(`${JSON.stringify(token)}\n`);
    return Exit.ok;
  } catch (e) {
    if (e instanceof TokenListError) throw new UsageError(e.message);
    throw e;
  }
}

export function registerCsmsTokenCommands(csms: Command, io: CliIo, setResult: (p: Promise<number> | number) => void): void {
  const token = csms.command('token').description('the CPO’s own tokens (RFID cards, key codes); eMAIDs are answered by their eMSP');
  const common = (c: Command): Command =>
    c
      .requiredOption('--db <URL>', 'CSMS database: sqlite:FILE or postgres://…')
      .requiredOption('--id-token <T>', 'the token as the station reads it (case-insensitive)')
      .addOption(new Option('--type <T>', 'OCPP IdTokenEnumType').choices([...LISTED_TOKEN_TYPES]).default('ISO14443'));
  common(token.command('add').description('add a token, or change its status'))
    .addOption(new Option('--status <S>', 'idTokenInfo.status to answer').choices([...TOKEN_STATUSES]).default('Accepted'))
    .action((o: TokenArgs) => setResult(put(o, o.status ?? 'Accepted', io)));
  common(token.command('block').description('answer Blocked for this token from now on')).action((o: TokenArgs) => setResult(put(o, 'Blocked', io)));
  token
    .command('list')
    .description('every token, as JSON lines')
    .requiredOption('--db <URL>', 'CSMS database: sqlite:FILE or postgres://…')
    .action((o: { db: string }) =>
      setResult(
        withTokens(o.db, async (t) => {
          for (const row of await t.list()) io.out(`${JSON.stringify(row)}\n`);
          return Exit.ok;
        }),
      ),
    );
}
