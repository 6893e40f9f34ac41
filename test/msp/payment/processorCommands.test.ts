// `pnc msp processor serve` and `pnc msp processor card add` through commander, against each other over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError, type CliIo } from '../../../src/cli/io.js';
import { registerProcessorCommands } from '../../../src/cli/processorCommands.js';
import { createProcessorAdminClient } from '../../../src/msp/payment/processorAdminClient.js';
import { createProcessorClient } from '../../../src/msp/payment/processorClient.js';

const dir = mkdtempSync(join(tmpdir(), 'pnc-processor-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'cli-processor-secret-0123456789';

interface Invocation {
  readonly result: Promise<number>;
  readonly out: string[];
  readonly err: string[];
  /** Resolves the serve command's stop promise. */
  stop(): void;
}

async function pnc(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Invocation> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env };
  let stop = (): void => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let result: Promise<number> = Promise.resolve(0);
  const program = new Command('pnc').exitOverride().configureOutput({ writeOut: (t) => out.push(t), writeErr: (t) => err.push(t) });
  registerProcessorCommands(
    program.command('msp'),
    io,
    (r) => {
      result = Promise.resolve(r);
      // Looked at by the test later; not an unhandled rejection meanwhile.
      result.catch(() => undefined);
    },
    () => stopped,
  );
  await program.parseAsync(argv, { from: 'user' });
  return { result, out, err, stop };
}

async function readyLine(inv: Invocation): Promise<{ ready: boolean; url: string; secret?: string; party: string; pid: number; db: string }> {
  for (let i = 0; i < 200; i++) {
    const line = inv.out.join('').split('\n')[0];
    if (line !== undefined && line !== '') return JSON.parse(line) as never;
    const early = await Promise.race([inv.result.then((c) => `exited ${c}`, (e: unknown) => `failed ${String(e)}`), new Promise((r) => setTimeout(() => r(undefined), 25))]);
    if (typeof early === 'string') throw new Error(`serve ${early}: ${inv.err.join('')}`);
  }
  throw new Error('no ready line');
}

describe('pnc msp processor', () => {
  it('serve prints a ready line; card add adds a card the processor then authorises against', async () => {
    const db = `sqlite:${join(dir, 'processor.sqlite')}`;
    const serve = await pnc(['msp', 'processor', 'serve', '--port', '0', '--db', db, '--secret', SECRET]);
    const ready = await readyLine(serve);
    expect(ready).toEqual({ ready: true, party: 'payment-processor', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) as string, db, pid: process.pid });
    try {
      const add = await pnc(['msp', 'processor', 'card', 'add', '--processor', ready.url, '--token', 'tok_cli', '--balance', '2500', '--expires', '2099-12'], {
        PNC_PROCESSOR_SECRET: SECRET,
      });
      expect(await add.result).toBe(0);
      expect(JSON.parse(add.out.join(''))).toEqual({ token: 'tok_cli', currency: 'EUR', balanceMinor: 2500, heldMinor: 0, availableMinor: 2500, expires: '2099-12', blocked: false });

      const client = createProcessorClient({ url: ready.url, secret: SECRET });
      try {
        expect(await client.preauthorize('tok_cli', 2000, 'EUR', 'cli-1')).toMatchObject({ status: 'approved' });
        expect(await client.preauthorize('tok_cli', 1000, 'EUR', 'cli-2')).toEqual({ status: 'declined', reason: 'insufficient_funds' });
      } finally {
        client.close();
      }

      const blocked = await pnc(['msp', 'processor', 'card', 'add', '--processor', ready.url, '--secret', SECRET, '--token', 'tok_blocked', '--blocked']);
      expect(await blocked.result).toBe(0);
      expect(JSON.parse(blocked.out.join(''))).toMatchObject({ blocked: true, balanceMinor: 10_000 });

      const dup = await pnc(['msp', 'processor', 'card', 'add', '--processor', ready.url, '--secret', SECRET, '--token', 'tok_cli']);
      expect(await dup.result).toBe(1);
      expect(dup.err.join('')).toMatch(/card-exists/);

      const wrong = await pnc(['msp', 'processor', 'card', 'add', '--processor', ready.url, '--secret', 'wrong-secret-0123456789', '--token', 'tok_x']);
      expect(await wrong.result).toBe(1);
      expect(wrong.err.join('')).toMatch(/401 unauthorized/);
    } finally {
      serve.stop();
    }
    expect(await serve.result).toBe(0);
    // The store outlives the process: a new processor on the same file knows the card and its hold.
    const again = await pnc(['msp', 'processor', 'serve', '--port', '0', '--db', db], { PNC_PROCESSOR_SECRET: SECRET });
    const second = await readyLine(again);
    expect(second.secret).toBeUndefined();
    const admin = createProcessorAdminClient({ url: second.url, secret: SECRET });
    try {
      expect(await admin.card('tok_cli')).toMatchObject({ balanceMinor: 2500, heldMinor: 2000 });
    } finally {
      admin.close();
      again.stop();
    }
    expect(await again.result).toBe(0);
  });

  it('serve without a secret makes one up and prints it', async () => {
    const serve = await pnc(['msp', 'processor', 'serve', '--port', '0']);
    const ready = await readyLine(serve);
    expect(ready.db).toBe('sqlite::memory:');
    expect(ready.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const admin = createProcessorAdminClient({ url: ready.url, secret: ready.secret! });
    try {
      expect(await admin.card('nothing')).toBeUndefined();
    } finally {
      admin.close();
      serve.stop();
    }
    expect(await serve.result).toBe(0);
  });

  it.each<[string, string[], RegExp]>([
    ['a short secret', ['serve', '--secret', 'short'], /secret must be 16/],
    ['a bad port', ['serve', '--port', '70000', '--secret', SECRET], /--port/],
    ['no secret for card add', ['card', 'add', '--processor', 'http://127.0.0.1:1', '--token', 't'], /--secret or env PNC_PROCESSOR_SECRET/],
    ['a bad balance', ['card', 'add', '--processor', 'http://127.0.0.1:1', '--secret', SECRET, '--token', 't', '--balance', '-5'], /--balance/],
    ['a fractional balance', ['card', 'add', '--processor', 'http://127.0.0.1:1', '--secret', SECRET, '--token', 't', '--balance', '1.5'], /--balance/],
    ['a bad expiry', ['card', 'add', '--processor', 'http://127.0.0.1:1', '--secret', SECRET, '--token', 't', '--expires', '01/27'], /--expires/],
    ['a bad currency', ['card', 'add', '--processor', 'http://127.0.0.1:1', '--secret', SECRET, '--token', 't', '--currency', 'eur'], /--currency/],
    ['a bad token', ['card', 'add', '--processor', 'http://127.0.0.1:1', '--secret', SECRET, '--token', 'a b'], /--token/],
    ['a bad processor URL', ['card', 'add', '--processor', 'file:///etc/passwd', '--secret', SECRET, '--token', 't'], /http:\/\/ or https:\/\//],
  ])('%s is a usage error', async (_name, args, message) => {
    const inv = await pnc(['msp', 'processor', ...args]);
    const error = await inv.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('card add against nothing listening fails with exit 1, not a crash', async () => {
    const inv = await pnc(['msp', 'processor', 'card', 'add', '--processor', 'http://127.0.0.1:1', '--secret', SECRET, '--token', 't']);
    expect(await inv.result).toBe(1);
    expect(inv.err.join('')).toMatch(/ECONNREFUSED/);
  });
});
