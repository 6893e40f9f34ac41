// `pnc msp …` through commander with collected output: accounts and peer tokens on a real SQLite file, and `msp serve`
// as a running OCPI server (ready line, a CPO registering with the printed token, authorizations per account state),
// with PnC Direct against the real simulated card processor (approved, expired card, capture from the CDR).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerMspCommands } from '../../src/cli/mspCommands.js';
import { UsageError, type CliIo } from '../../src/cli/io.js';
import { endpointUrl } from '../../src/csms/roaming/emspPeer.js';
import { registerEmsp } from '../../src/csms/roaming/registerEmsp.js';
import { createProcessorAdminClient } from '../../src/msp/payment/processorAdminClient.js';
import { createProcessorLedger, openProcessorStore } from '../../src/msp/payment/processorLedger.js';
import { createProcessorServer } from '../../src/msp/payment/processorServer.js';
import { OcpiClient } from '../../src/ocpi/ocpiClient.js';
import { computeCheckDigit } from '../../src/pki/emaid/emaid.js';
import { startCpo } from '../csms/roaming/roamingTestbed.js';

interface Run {
  readonly code: Promise<number>;
  readonly out: string[];
  readonly err: string[];
}

function pnc(args: string[], stop?: () => Promise<void>, env: NodeJS.ProcessEnv = {}): Run {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env };
  const holder: { result: Promise<number> | number } = { result: 0 };
  const program = new Command('pnc').exitOverride().configureOutput({ writeOut: (t) => out.push(t), writeErr: (t) => err.push(t) });
  registerMspCommands(
    program,
    io,
    (r) => {
      holder.result = r;
    },
    stop,
  );
  const code = program.parseAsync(args, { from: 'user' }).then(() => holder.result);
  return { code, out, err };
}

const emaid = (i: string): string => `DE-PNC-${i}-${computeCheckDigit(`DEPNC${i}`)}`;

describe('pnc msp', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pnc-msp-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('manages accounts and issues peer tokens', async () => {
    const db = `sqlite:${join(dir, 'accounts.sqlite')}`;
    const add = pnc(['msp', 'account', 'add', '--db', db, '--emaid', emaid('C00000001'), 'DEPNCC00000002', '--whitelist', 'ALLOWED_OFFLINE']);
    expect(await add.code).toBe(0);
    const added = JSON.parse(add.out.join('')) as { id: number; emaids: string[]; status: string; whitelist: string; pncDirect: boolean };
    expect(added).toMatchObject({ status: 'active', whitelist: 'ALLOWED_OFFLINE', pncDirect: false, emaids: [emaid('C00000001').replace(/-/g, ''), 'DEPNCC00000002'] });

    const dup = pnc(['msp', 'account', 'add', '--db', db, '--emaid', 'DE-PNC-C00000002']);
    expect(await dup.code).toBe(1);
    expect(dup.err.join('')).toContain('already belongs');
    const bad = pnc(['msp', 'account', 'add', '--db', db, '--emaid', 'nonsense']);
    expect(await bad.code).toBe(2);
    await expect(pnc(['msp', 'account', 'add', '--db', db, '--emaid', 'DEPNCC00000003', '--whitelist', 'SOMETIMES']).code).rejects.toThrow();

    const direct = pnc(['msp', 'account', 'add', '--db', db, '--emaid', 'DEPNCC00000003', '--payment-token', 'tok_secret_123']);
    expect(await direct.code).toBe(0);
    expect(direct.out.join('')).not.toContain('tok_secret_123');

    for (const [cmd, status] of [['suspend', 'suspended'], ['cancel', 'cancelled'], ['reactivate', 'active']] as const) {
      const r = pnc(['msp', 'account', cmd, '--db', db, '--emaid', 'DEPNCC00000002']);
      expect(await r.code).toBe(0);
      expect(JSON.parse(r.out.join(''))).toMatchObject({ id: added.id, status });
    }
    const missing = pnc(['msp', 'account', 'suspend', '--db', db, '--emaid', 'DEPNCC09999999']);
    expect(await missing.code).toBe(1);

    const list = pnc(['msp', 'account', 'list', '--db', db]);
    expect(await list.code).toBe(0);
    expect((JSON.parse(list.out.join('')) as { accounts: unknown[] }).accounts).toHaveLength(2);
    const one = pnc(['msp', 'account', 'list', '--db', db, '--emaid', 'DEPNCC00000003']);
    await one.code;
    expect(JSON.parse(one.out.join(''))).toMatchObject({ accounts: [{ pncDirect: true }] });

    const token = pnc(['msp', 'peer', 'token', '--db', db, '--name', 'NL CPO']);
    expect(await token.code).toBe(0);
    expect(token.out.join('').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const peers = pnc(['msp', 'peer', 'list', '--db', db]);
    await peers.code;
    expect(JSON.parse(peers.out.join(''))).toEqual({ peers: [] });
  });

  it('serves OCPI with PnC Direct against the simulated processor, until stopped', async () => {
    const secret = 'processor-secret-0123456789';
    const processorStore = await openProcessorStore('sqlite::memory:');
    const ledger = createProcessorLedger(processorStore);
    const processor = createProcessorServer({ ledger, secret });
    const processorUrl = await processor.listen({ host: '127.0.0.1', port: 0 });
    const admin = createProcessorAdminClient({ url: processorUrl, secret });
    await admin.addCard({ token: 'card-good', balanceMinor: 100_000, currency: 'EUR', expires: '2099-12', blocked: false });
    await admin.addCard({ token: 'card-old', balanceMinor: 100_000, currency: 'EUR', expires: '2001-01', blocked: false });
    admin.close();

    const db = `sqlite:${join(dir, 'serve.sqlite')}`;
    for (const [e, card] of [['C00000011', undefined], ['C00000012', 'card-good'], ['C00000013', 'card-old']] as const) {
      expect(await pnc(['msp', 'account', 'add', '--db', db, '--emaid', emaid(e), ...(card ? ['--payment-token', card] : [])]).code).toBe(0);
    }
    const tokenRun = pnc(['msp', 'peer', 'token', '--db', db]);
    await tokenRun.code;
    const tokenA = tokenRun.out.join('').trim();

    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const serve = pnc(['msp', 'serve', '--db', db, '--port', '0', '--processor', processorUrl, '--hold-amount', '3000', '--log-level', 'silent'], () => stopped, { PNC_PROCESSOR_SECRET: secret });
    const ready = await new Promise<{ ready: boolean; ocpiUrl: string; party: string; pncDirect: boolean }>((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        if (serve.out.length > 0) return resolve(JSON.parse(serve.out[0]!) as never);
        if (Date.now() - started > 10_000) return reject(new Error(`not ready: ${serve.err.join('')}`));
        setTimeout(poll, 20);
      };
      poll();
    });
    expect(ready).toMatchObject({ ready: true, party: 'msp', pncDirect: true });

    const cpo = await startCpo(`sqlite:${join(dir, 'cpo.sqlite')}`);
    const client = new OcpiClient({ timeoutMs: 5000 });
    try {
      const peer = await registerEmsp(cpo.roaming.registerDeps, { versionsUrl: ready.ocpiUrl, tokenA });
      const tokens = endpointUrl(peer, 'tokens', 'SENDER')!;
      await expect(client.authorize(tokens, peer.tokenC, '2.3.0', emaid('C00000011'), 'EMAID')).resolves.toMatchObject({ allowed: 'ALLOWED' });
      const direct = await client.authorize(tokens, peer.tokenC, '2.3.0', emaid('C00000012'), 'EMAID');
      expect(direct.allowed).toBe('ALLOWED');
      await expect(client.authorize(tokens, peer.tokenC, '2.3.0', emaid('C00000013'), 'EMAID')).resolves.toMatchObject({ allowed: 'NO_CREDIT' });
      // The CDR of the PnC Direct session captures its cost.
      const sent = await cpo.roaming.cdrSink.deliver({
        cdrId: 'CLI-CDR-1',
        transactionId: 't1',
        stationId: 'CS-9',
        idToken: { idToken: emaid('C00000012'), type: 'eMAID' },
        authorizationReference: direct.authorization_reference!,
        startedAt: '2026-11-24T10:00:00.000Z',
        endedAt: '2026-11-24T10:30:00.000Z',
        energyWh: 10_000,
        startedOffline: false,
      });
      expect(sent).toEqual({ kind: 'sent', emsp: 'DE*PNC' });
      const list = pnc(['msp', 'peer', 'list', '--db', db]);
      await list.code;
      expect(JSON.parse(list.out.join(''))).toMatchObject({ peers: [{ countryCode: 'NL', partyId: 'CPO', version: '2.3.0' }] });
    } finally {
      client.close();
      await cpo.close();
      stop();
    }
    expect(await serve.code).toBe(0);
    // The capture reached the processor: 10 kWh × 0.40 EUR = 4.00 EUR taken, the rest of the 30.00 hold released.
    expect(await ledger.card('card-good')).toMatchObject({ balanceMinor: 100_000 - 400, heldMinor: 0 });
    expect(await ledger.card('card-old')).toMatchObject({ balanceMinor: 100_000, heldMinor: 0 });
    await processor.close();
    await processorStore.close();
  });

  it('refuses bad serve options as usage errors', async () => {
    const db = `sqlite:${join(dir, 'usage.sqlite')}`;
    await expect(pnc(['msp', 'serve', '--db', db, '--country', 'DEU']).code).rejects.toBeInstanceOf(UsageError);
    await expect(pnc(['msp', 'serve', '--db', db, '--port', '70000']).code).rejects.toBeInstanceOf(UsageError);
    await expect(pnc(['msp', 'serve', '--db', db, '--processor', 'http://127.0.0.1:1']).code).rejects.toBeInstanceOf(UsageError);
    await expect(pnc(['msp', 'serve', '--db', db, '--public-url', 'ftp://x']).code).rejects.toBeInstanceOf(UsageError);
  });
});
