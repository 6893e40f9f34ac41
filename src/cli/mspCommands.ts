// `pnc msp …`: the eMSP. `serve` runs the OCPI 2.2.1/2.3.0 server (with PnC Direct when --processor is given) and
// prints one JSON line when ready; `account …` manages customer contracts; `peer …` issues registration tokens (A)
// for CPOs and lists the registered ones. The integrator attaches this with registerMspCommands(program, io, setResult).
import { Option, type Command } from 'commander';
import { createMspServer } from '../msp/server/mspServer.js';
import { createPncDirect, PncDirectError } from '../msp/payment/pncDirect.js';
import type { PncDirect } from '../msp/payment/paymentProcessor.js';
import { createProcessorClient, type ProcessorClient } from '../msp/payment/processorClient.js';
import { ProcessorConfigError } from '../msp/payment/processorSecret.js';
import { ACCOUNT_STATUSES, type AccountStatus, type MspAccountWithEmaids } from '../msp/store/accountStore.js';
import { MspStoreError } from '../msp/store/mspStoreError.js';
import { openMspStore, type MspStore } from '../msp/store/mspStore.js';
import { WHITELIST_TYPES, type WhitelistType } from '../ocpi/ocpiTypes.js';
import { redactDatabaseUrl } from '../store/index.js';
import { Tracer } from '../trace/tracer.js';
import { Exit, UsageError, type CliIo } from './io.js';
import { PROCESSOR_SECRET_ENV } from './processorCommands.js';

export interface MspServeArgs {
  db: string;
  host?: string;
  port?: string;
  country?: string;
  party?: string;
  name?: string;
  website?: string;
  publicUrl?: string;
  processor?: string;
  processorSecret?: string;
  holdAmount?: string;
  currency?: string;
  logLevel?: string;
}

export interface AccountAddArgs {
  db: string;
  emaid: string[];
  paymentToken?: string;
  whitelist?: string;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/**
 * Adds `msp` with serve, account and peer to `program` and returns it (so further commands, e.g. the payment
 * processor's, can be attached under it). `stop` ends a running `msp serve` (default SIGINT/SIGTERM).
 */
export function registerMspCommands(program: Command, io: CliIo, setResult: (p: Promise<number> | number) => void, stop: () => Promise<void> = signalled): Command {
  const msp = program.command('msp').description('the eMSP: OCPI 2.2.1/2.3.0 server (tokens, cdrs), customer accounts, PnC Direct');
  msp
    .command('serve')
    .description('run the OCPI server; prints one JSON line {"ready":true,"party":"msp","ocpiUrl",…} when listening')
    .requiredOption('--db <URL>', 'store: sqlite:FILE or postgres://…')
    .option('--host <HOST>', 'address to listen on', '127.0.0.1')
    .option('--port <N>', 'port (0: any free one)', '9400')
    .option('--country <CC>', 'OCPI country code of this eMSP (the eMAID prefix)', 'DE')
    .option('--party <ID>', 'OCPI party id of this eMSP (the eMAID provider id)', 'PNC')
    .option('--name <NAME>', 'business name (credentials, token issuer)', 'pnc-stack eMSP')
    .option('--website <URL>', 'business website shown in the credentials')
    .option('--public-url <URL>', 'base URL CPOs reach this server at (default: the listening address)')
    .option('--processor <URL>', 'PnC Direct: the card processor, e.g. http://127.0.0.1:9300')
    .option('--processor-secret <S>', `its bearer secret (or env ${PROCESSOR_SECRET_ENV})`)
    .option('--hold-amount <MINOR>', 'PnC Direct: amount pre-authorised per session, in minor units', '5000')
    .option('--currency <CUR>', 'PnC Direct: currency of the hold', 'EUR')
    .addOption(new Option('--log-level <LEVEL>', 'trace events on stderr').choices(LOG_LEVELS).default('info'))
    .action((o: MspServeArgs) => setResult(mspServe(o, io, stop)));

  const account = msp.command('account').description('customer contracts: eMAIDs, status, PnC Direct payment token');
  account
    .command('add')
    .description('add an account with one or more eMAIDs; prints it as JSON')
    .requiredOption('--db <URL>', 'store: sqlite:FILE or postgres://…')
    .requiredOption('--emaid <EMAID...>', 'its eMAID(s), e.g. DE-PNC-C00000001-7')
    .option('--payment-token <TOKEN>', 'PnC Direct: the card processor token of the customer’s card')
    .addOption(new Option('--whitelist <TYPE>', 'OCPI whitelist type of its tokens').choices([...WHITELIST_TYPES]).default('ALLOWED'))
    .action((o: AccountAddArgs) => setResult(accountAdd(o, io)));
  const statusCommand = (name: string, status: AccountStatus, description: string): void => {
    account
      .command(name)
      .description(description)
      .requiredOption('--db <URL>', 'store: sqlite:FILE or postgres://…')
      .requiredOption('--emaid <EMAID>', 'any eMAID of the account')
      .action((o: { db: string; emaid: string }) => setResult(accountStatus(o, status, io)));
  };
  statusCommand('suspend', 'suspended', 'suspend the account (its tokens are answered BLOCKED)');
  statusCommand('cancel', 'cancelled', 'cancel the account (its tokens are answered EXPIRED)');
  statusCommand('reactivate', 'active', 'make the account active again');
  account
    .command('list')
    .description('print the accounts as JSON')
    .requiredOption('--db <URL>', 'store: sqlite:FILE or postgres://…')
    .option('--emaid <EMAID>', 'only the account holding this eMAID')
    .action((o: { db: string; emaid?: string }) => setResult(accountList(o, io)));

  const peer = msp.command('peer').description('CPO platforms (OCPI credentials)');
  peer
    .command('token')
    .description('issue a single-use registration token (CREDENTIALS_TOKEN_A) for a CPO; prints it')
    .requiredOption('--db <URL>', 'store: sqlite:FILE or postgres://…')
    .option('--name <NAME>', 'who it is for (kept with the token)', 'CPO')
    .action((o: { db: string; name?: string }) => setResult(peerToken(o, io)));
  peer
    .command('list')
    .description('print the registered CPO platforms as JSON (without tokens)')
    .requiredOption('--db <URL>', 'store: sqlite:FILE or postgres://…')
    .action((o: { db: string }) => setResult(peerList(o, io)));
  return msp;
}

export async function mspServe(a: MspServeArgs, io: CliIo, stop: () => Promise<void>): Promise<number> {
  const port = integer('--port', a.port ?? '9400', 0, 65535);
  const countryCode = (a.country ?? 'DE').toUpperCase();
  const partyId = (a.party ?? 'PNC').toUpperCase();
  if (!/^[A-Z]{2}$/.test(countryCode)) throw new UsageError('--country expects two letters (ISO 3166-1 alpha-2)');
  if (!/^[A-Z0-9]{3}$/.test(partyId)) throw new UsageError('--party expects three letters or digits');
  const name = a.name ?? 'pnc-stack eMSP';
  if (name.length === 0 || name.length > 100) throw new UsageError('--name: 1–100 characters');
  if (a.publicUrl !== undefined) httpUrl('--public-url', a.publicUrl);
  if (a.website !== undefined) httpUrl('--website', a.website);
  const level = a.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`unknown --log-level ${level}`);
  const tracer = new Tracer({ party: 'msp', level: level as 'info' });

  const store = await openMspStore(a.db);
  let processor: ProcessorClient | undefined;
  try {
    let pncDirect: PncDirect | undefined;
    if (a.processor !== undefined) {
      const secret = a.processorSecret ?? io.env[PROCESSOR_SECRET_ENV];
      if (secret === undefined) throw new UsageError(`--processor needs --processor-secret or env ${PROCESSOR_SECRET_ENV}`);
      const holdAmountMinor = integer('--hold-amount', a.holdAmount ?? '5000', 1, 100_000_000);
      const currency = a.currency ?? 'EUR';
      try {
        const client = createProcessorClient({ url: a.processor, secret });
        processor = client;
        pncDirect = await createPncDirect({ processor: client, store: store.database, holdAmountMinor, currency, tracer });
      } catch (e) {
        if (e instanceof ProcessorConfigError || (e instanceof PncDirectError && e.code === 'bad-config')) throw new UsageError(e.message);
        throw e;
      }
    }
    const server = createMspServer({
      store,
      party: { countryCode, partyId, name, ...(a.website !== undefined ? { website: a.website } : {}) },
      tracer,
      ...(pncDirect ? { pncDirect } : {}),
      ...(a.publicUrl !== undefined ? { publicUrl: a.publicUrl } : {}),
    });
    const ocpiUrl = await server.listen({ host: a.host ?? '127.0.0.1', port });
    // A capture that failed while the processor was down is tried again every minute.
    const retry = pncDirect
      ? setInterval(() => {
          server.retryFailedSettlements().catch((e: unknown) => tracer.emit({ kind: 'error', party: 'msp', error: 'settlement retry failed', detail: e instanceof Error ? e.message : String(e) }));
        }, 60_000)
      : undefined;
    retry?.unref();
    io.out(
      `${JSON.stringify({
        ready: true,
        party: 'msp',
        ocpiUrl,
        countryCode,
        partyId,
        pncDirect: pncDirect !== undefined,
        db: redactDatabaseUrl(a.db),
        pid: process.pid,
      })}\n`,
    );
    await stop();
    clearInterval(retry);
    await server.close();
  } finally {
    processor?.close();
    await store.close();
  }
  return Exit.ok;
}

export async function accountAdd(a: AccountAddArgs, io: CliIo): Promise<number> {
  const whitelist = a.whitelist ?? 'ALLOWED';
  if (!(WHITELIST_TYPES as readonly string[]).includes(whitelist)) throw new UsageError(`--whitelist expects one of ${WHITELIST_TYPES.join(', ')}`);
  return withStore(a.db, io, async (store) => {
    const added = await store.accounts.add({ emaids: a.emaid, whitelist: whitelist as WhitelistType, ...(a.paymentToken !== undefined ? { paymentToken: a.paymentToken } : {}) });
    io.out(`${JSON.stringify(accountView(added))}\n`);
  });
}

export async function accountStatus(a: { db: string; emaid: string }, status: AccountStatus, io: CliIo): Promise<number> {
  if (!ACCOUNT_STATUSES.includes(status)) throw new UsageError(`unknown status ${status}`);
  return withStore(a.db, io, async (store) => {
    io.out(`${JSON.stringify(accountView(await store.accounts.setStatus(a.emaid, status)))}\n`);
  });
}

export async function accountList(a: { db: string; emaid?: string }, io: CliIo): Promise<number> {
  return withStore(a.db, io, async (store) => {
    const accounts = await store.accounts.list(a.emaid !== undefined ? { emaid: a.emaid } : {});
    io.out(`${JSON.stringify({ accounts: accounts.map(accountView) })}\n`);
  });
}

export async function peerToken(a: { db: string; name?: string }, io: CliIo): Promise<number> {
  const name = a.name ?? 'CPO';
  if (name.length === 0 || name.length > 200) throw new UsageError('--name: 1–200 characters');
  return withStore(a.db, io, async (store) => {
    io.out(`${await store.peers.issueRegistrationToken(name)}\n`);
  });
}

export async function peerList(a: { db: string }, io: CliIo): Promise<number> {
  return withStore(a.db, io, async (store) => {
    const peers = await store.peers.list();
    io.out(
      `${JSON.stringify({
        peers: peers.map((p) => ({ id: p.id, countryCode: p.countryCode, partyId: p.partyId, name: p.name, version: p.version, versionsUrl: p.versionsUrl, registeredAt: p.registeredAt })),
      })}\n`,
    );
  });
}

/** The account as printed: the payment token is a secret of the customer's card, so only its presence shows. */
function accountView(a: MspAccountWithEmaids): Record<string, unknown> {
  return { id: a.id, status: a.status, whitelist: a.whitelist, emaids: a.emaids, pncDirect: a.paymentToken !== undefined, createdAt: a.createdAt, updatedAt: a.updatedAt };
}

async function withStore(url: string, io: CliIo, work: (store: MspStore) => Promise<void>): Promise<number> {
  const store = await openMspStore(url);
  try {
    await work(store);
    return Exit.ok;
  } catch (e) {
    if (!(e instanceof MspStoreError)) throw e;
    io.err(`pnc: ${e.message}\n`);
    return e.code === 'invalid-emaid' || e.code === 'invalid-argument' ? Exit.usage : Exit.failed;
  } finally {
    await store.close();
  }
}

function integer(name: string, text: string, min: number, max: number): number {
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${name} expects an integer from ${min} to ${max}`);
  return n;
}

function httpUrl(name: string, text: string): void {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`${name} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${name} must be http(s)`);
}
