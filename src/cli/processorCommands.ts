// `pnc msp processor serve` (the simulated card processor of PnC Direct) and `pnc msp processor card add` (a card at
// a running processor). The integrator attaches them under `pnc msp` with registerProcessorCommands.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { CURRENCY_PATTERN, MAX_AMOUNT_MINOR } from '../msp/payment/money.js';
import { EXPIRES_PATTERN } from '../msp/payment/cardDecisions.js';
import { createProcessorAdminClient } from '../msp/payment/processorAdminClient.js';
import { ProcessorCallError } from '../msp/payment/processorCallError.js';
import { createProcessorLedger, openProcessorStore } from '../msp/payment/processorLedger.js';
import { PAYMENT_TOKEN_PATTERN } from '../msp/payment/processorRequests.js';
import { checkProcessorSecret, ProcessorConfigError } from '../msp/payment/processorSecret.js';
import { createProcessorServer } from '../msp/payment/processorServer.js';
import { redactDatabaseUrl } from '../store/index.js';
import { Exit, UsageError, type CliIo } from './io.js';

export const PROCESSOR_SECRET_ENV = 'PNC_PROCESSOR_SECRET';

export interface ProcessorServeArgs {
  host?: string;
  port?: string;
  db?: string;
  secret?: string;
}

export interface CardAddArgs {
  processor: string;
  secret?: string;
  token: string;
  balance?: string;
  currency?: string;
  expires?: string;
  blocked?: boolean;
  timeout?: string;
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/**
 * Adds `processor serve` and `processor card add` under `msp`. `stop` resolves when a serving processor should shut
 * down (default: SIGINT or SIGTERM); tests pass their own.
 */
export function registerProcessorCommands(
  msp: Command,
  io: CliIo,
  setResult: (p: Promise<number> | number) => void,
  stop: () => Promise<void> = signalled,
): void {
  const processor = msp.command('processor').description('the simulated card payment processor of PnC Direct (a real HTTP API)');
  processor
    .command('serve')
    .description('run the processor; prints one JSON line {"ready":true,…,"url"} when listening')
    .option('--host <HOST>', 'address to listen on', '127.0.0.1')
    .option('--port <N>', 'port (0: any free one)', '9300')
    .option('--db <URL>', 'its store: sqlite:FILE or postgres://… (default sqlite::memory:, forgotten at exit)', 'sqlite::memory:')
    .option('--secret <S>', `bearer secret callers must send, 16+ characters (or env ${PROCESSOR_SECRET_ENV}; generated and printed when neither)`)
    .action((o: ProcessorServeArgs) => setResult(processorServe(o, io, stop)));

  const card = processor.command('card').description('cards at a running processor');
  card
    .command('add')
    .description('add a card; prints it as JSON')
    .requiredOption('--processor <URL>', 'the processor, e.g. http://127.0.0.1:9300')
    .option('--secret <S>', `its bearer secret (or env ${PROCESSOR_SECRET_ENV})`)
    .requiredOption('--token <T>', 'the payment token (letters, digits and . _ : -)')
    .option('--balance <MINOR>', 'balance in minor units (10000 = 100.00)', '10000')
    .option('--currency <CUR>', 'ISO 4217 currency', 'EUR')
    .option('--expires <YYYY-MM>', 'last month of validity (default: December three years from now)')
    .option('--blocked', 'the card is blocked (every authorization is declined card_blocked)')
    .option('--timeout <MS>', 'time-out of the call', '5000')
    .action((o: CardAddArgs) => setResult(processorCardAdd(o, io)));
}

export async function processorServe(a: ProcessorServeArgs, io: CliIo, stop: () => Promise<void>): Promise<number> {
  const port = integerOption('--port', a.port ?? '9300', 0, 65535);
  const given = a.secret ?? io.env[PROCESSOR_SECRET_ENV];
  const secret = given ?? randomBytes(24).toString('base64url');
  usable(() => checkProcessorSecret(secret));
  const dbUrl = a.db ?? 'sqlite::memory:';
  const store = await openProcessorStore(dbUrl);
  try {
    const app = createProcessorServer({
      ledger: createProcessorLedger(store),
      secret,
      onInternalError: (e) => io.err(`pnc: processor: ${e.message}\n`),
    });
    const url = await app.listen({ host: a.host ?? '127.0.0.1', port });
    io.out(
      `${JSON.stringify({
        ready: true,
        party: 'payment-processor',
        url,
        db: redactDatabaseUrl(dbUrl),
        // Only a secret we made up is shown: the caller has no other way to learn it.
        ...(given === undefined ? { secret } : {}),
        pid: process.pid,
      })}\n`,
    );
    await stop();
    await app.close();
  } finally {
    await store.close();
  }
  return Exit.ok;
}

export async function processorCardAdd(a: CardAddArgs, io: CliIo): Promise<number> {
  const secret = a.secret ?? io.env[PROCESSOR_SECRET_ENV];
  if (secret === undefined) throw new UsageError(`--secret or env ${PROCESSOR_SECRET_ENV} is required`);
  if (!PAYMENT_TOKEN_PATTERN.test(a.token)) throw new UsageError('--token: letters, digits and . _ : -, 1–64 characters');
  const balanceMinor = integerOption('--balance', a.balance ?? '10000', 0, MAX_AMOUNT_MINOR);
  const currency = a.currency ?? 'EUR';
  if (!CURRENCY_PATTERN.test(currency)) throw new UsageError('--currency expects an ISO 4217 code such as EUR');
  const expires = a.expires ?? `${new Date().getUTCFullYear() + 3}-12`;
  if (!EXPIRES_PATTERN.test(expires)) throw new UsageError('--expires expects YYYY-MM');
  const timeoutMs = integerOption('--timeout', a.timeout ?? '5000', 1, 600_000);
  const client = usable(() => createProcessorAdminClient({ url: a.processor, secret, timeoutMs }));
  try {
    const card = await client.addCard({ token: a.token, balanceMinor, currency, expires, blocked: a.blocked === true });
    io.out(`${JSON.stringify(card)}\n`);
    return Exit.ok;
  } catch (e) {
    if (!(e instanceof ProcessorCallError)) throw e;
    io.err(`pnc: ${e.message}\n`);
    return Exit.failed;
  } finally {
    client.close();
  }
}

function integerOption(name: string, text: string, min: number, max: number): number {
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${name} expects an integer from ${min} to ${max}`);
  return n;
}

/** Configuration the processor code refuses is the user's to fix: a usage error. */
function usable<T>(make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof ProcessorConfigError) throw new UsageError(e.message);
    throw e;
  }
}
