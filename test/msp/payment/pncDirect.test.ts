// PnC Direct end to end: the MSP's PncDirect over the HTTP client against the real simulated processor, each with
// its own store, on both dialects. Holds, declines, settlement from the CDR, and a CDR received twice.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import { PaymentProcessorError, type DeclineReason, type PncDirect } from '../../../src/msp/payment/paymentProcessor.js';
import { createPncDirect, PncDirectError } from '../../../src/msp/payment/pncDirect.js';
import type { PncDirectTables } from '../../../src/msp/payment/pncDirectTables.js';
import { createProcessorClient, type ProcessorClient } from '../../../src/msp/payment/processorClient.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import { useDatabaseTargets, type DatabaseTarget } from '../../helpers/databaseTargets.js';
import { freePort } from '../../helpers/ocspTestbed.js';
import { addCard, NOW, SECRET, startProcessor, type RunningProcessor } from './processorTestbed.js';

const targets = useDatabaseTargets();
const HOLD = 5000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  readonly processor: RunningProcessor;
  readonly client: ProcessorClient;
  readonly msp: StoreDatabase<unknown>;
  readonly direct: PncDirect;
  readonly events: TraceEvent[];
  /** Another MSP node on the same MSP database, with its own processor URL. */
  node(processorUrl: string): Promise<PncDirect>;
}

async function rig(target: DatabaseTarget, ctx: TestContext): Promise<Rig> {
  const processor = await startProcessor(await target.newUrl(ctx));
  cleanups.push(() => processor.close());
  const msp = await openDatabase<unknown>(await target.newUrl(ctx));
  cleanups.push(() => msp.close());
  const events: TraceEvent[] = [];
  const tracer = silentTracer('msp', [(e) => events.push(e)]);
  const make = async (url: string): Promise<{ client: ProcessorClient; direct: PncDirect }> => {
    const client = createProcessorClient({ url, secret: SECRET, timeoutMs: 2000 });
    cleanups.push(() => client.close());
    return { client, direct: await createPncDirect({ processor: client, store: msp, holdAmountMinor: HOLD, currency: 'EUR', tracer, clock: () => NOW }) };
  };
  const { client, direct } = await make(processor.url);
  return { processor, client, msp, direct, events, node: async (url) => (await make(url)).direct };
}

const account = (paymentToken: string) => ({ accountId: 'DE-PNC-C12345678-X', paymentToken });
const card = async (r: Rig, token: string) => (await r.processor.api('GET', `/admin/cards/${token}`)).body as { balanceMinor: number; heldMinor: number };
const checks = (r: Rig, name: string) => r.events.filter((e): e is Extract<TraceEvent, { kind: 'check' }> => e.kind === 'check' && e.check === name);
const verdicts = (r: Rig) => r.events.filter((e): e is Extract<TraceEvent, { kind: 'verdict' }> => e.kind === 'verdict').map((e) => e.verdict);

describe.each(targets)('PnC Direct on $dialect', (target) => {
  it('approves with a hold; the CDR captures its total and releases the rest', async (ctx) => {
    const r = await rig(target, ctx);
    await addCard(r.processor, 'tok_visa_4242', 20_000);
    const auth = await r.direct.authorize(account('tok_visa_4242'), 'AUTH-1');
    expect(auth).toEqual({ allowed: 'ALLOWED', authorizationReference: 'AUTH-1', amountMinor: HOLD, currency: 'EUR' });
    expect(await card(r, 'tok_visa_4242')).toMatchObject({ balanceMinor: 20_000, heldMinor: HOLD });

    const settled = await r.direct.settle({ cdrId: 'CDR-1', authorizationReference: 'AUTH-1', totalCostMinor: 1234, currency: 'EUR' });
    expect(settled).toEqual({ status: 'captured', amountMinor: 1234, currency: 'EUR' });
    expect(await card(r, 'tok_visa_4242')).toEqual(expect.objectContaining({ balanceMinor: 20_000 - 1234, heldMinor: 0 }));

    expect(checks(r, 'payment preauthorisation')).toEqual([expect.objectContaining({ party: 'msp', ok: true, session: 'AUTH-1', detail: expect.stringContaining('hold EUR 50.00') as string })]);
    expect(checks(r, 'payment capture')).toEqual([expect.objectContaining({ ok: true, detail: 'CDR CDR-1: captured EUR 12.34' })]);
    expect(verdicts(r)).toEqual(['settled EUR 12.34']);
    // Neither the payment token nor the account id reaches a trace in full.
    const text = JSON.stringify(r.events);
    expect(text).not.toContain('tok_visa_4242');
    expect(text).not.toContain('C12345678');
  });

  it.for([
    ['expired_card', { expires: '2026-05' }, 20_000],
    ['insufficient_funds', {}, HOLD - 1],
    ['card_blocked', { blocked: true }, 20_000],
  ] satisfies [DeclineReason, Record<string, unknown>, number][])('a card the processor declines (%s) is NO_CREDIT with the reason, and nothing to settle', async ([reason, over, balance], ctx) => {
    const r = await rig(target, ctx);
    await addCard(r.processor, 'tok_declined', balance, over);
    expect(await r.direct.authorize(account('tok_declined'), 'AUTH-D')).toEqual({ allowed: 'NO_CREDIT', reason });
    expect(checks(r, 'payment preauthorisation')).toEqual([expect.objectContaining({ ok: false, detail: expect.stringContaining(reason) as string })]);
    expect(await card(r, 'tok_declined')).toMatchObject({ heldMinor: 0 });
    expect(await r.direct.settle({ cdrId: 'CDR-D', authorizationReference: 'AUTH-D', totalCostMinor: 100, currency: 'EUR' })).toEqual({ status: 'not-pnc-direct' });
  });

  it('an unknown card, and a token no processor could know, are unknown_card', async (ctx) => {
    const r = await rig(target, ctx);
    expect(await r.direct.authorize(account('tok_nobody'), 'AUTH-U')).toEqual({ allowed: 'NO_CREDIT', reason: 'unknown_card' });
    expect(await r.direct.authorize(account('4242 4242 4242 4242'), 'AUTH-U2')).toEqual({ allowed: 'NO_CREDIT', reason: 'unknown_card' });
  });

  it('the same CDR twice (and in parallel) captures once', async (ctx) => {
    const r = await rig(target, ctx);
    await addCard(r.processor, 'tok_twice', 20_000);
    await r.direct.authorize(account('tok_twice'), 'AUTH-2');
    const cdr = { cdrId: 'DE*CPO*CDR 2', authorizationReference: 'AUTH-2', totalCostMinor: 3000, currency: 'EUR' };
    const results = await Promise.all([r.direct.settle(cdr), r.direct.settle(cdr), r.direct.settle(cdr)]);
    const again = await r.direct.settle(cdr);
    for (const x of [...results, again]) expect(x).toEqual({ status: 'captured', amountMinor: 3000, currency: 'EUR' });
    expect(await card(r, 'tok_twice')).toMatchObject({ balanceMinor: 17_000, heldMinor: 0 });
    const rows = await (r.msp.db as unknown as Kysely<PncDirectTables>)
      .selectFrom('msp_payment_settlements')
      .selectAll()
      .execute();
    expect(rows).toEqual([expect.objectContaining({ cdr_id: 'DE*CPO*CDR 2', state: 'captured', captured_minor: 3000, shortfall_minor: 0 })]);
    // A second CDR for the same session cannot capture it again.
    const other = await r.direct.settle({ ...cdr, cdrId: 'DE*CPO*CDR 2b' });
    expect(other).toEqual({ status: 'refused', reason: 'the pre-authorization was already settled by CDR DE*CPO*CDR 2' });
    expect(await card(r, 'tok_twice')).toMatchObject({ balanceMinor: 17_000 });
  });

  it('a total above the hold captures the hold and reports the shortfall', async (ctx) => {
    const r = await rig(target, ctx);
    await addCard(r.processor, 'tok_big', 20_000);
    await r.direct.authorize(account('tok_big'), 'AUTH-3');
    const settled = await r.direct.settle({ cdrId: 'CDR-3', authorizationReference: 'AUTH-3', totalCostMinor: 6250, currency: 'EUR' });
    expect(settled).toEqual({ status: 'refused', reason: 'the total exceeds the pre-authorised amount: captured EUR 50.00, shortfall EUR 12.50 not collected' });
    expect(await card(r, 'tok_big')).toMatchObject({ balanceMinor: 15_000, heldMinor: 0 });
    expect(verdicts(r)).toEqual(['settled EUR 50.00']);
    expect(checks(r, 'payment capture')).toEqual([expect.objectContaining({ ok: false })]);
    // And again: the recorded answer, no second capture.
    expect(await r.direct.settle({ cdrId: 'CDR-3', authorizationReference: 'AUTH-3', totalCostMinor: 6250, currency: 'EUR' })).toEqual(settled);
    expect(await card(r, 'tok_big')).toMatchObject({ balanceMinor: 15_000 });
  });

  it('a CDR in another currency captures nothing', async (ctx) => {
    const r = await rig(target, ctx);
    await addCard(r.processor, 'tok_fx', 20_000);
    await r.direct.authorize(account('tok_fx'), 'AUTH-4');
    expect(await r.direct.settle({ cdrId: 'CDR-4', authorizationReference: 'AUTH-4', totalCostMinor: 100, currency: 'CHF' })).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/CHF.*EUR.*nothing captured/) as string,
    });
    expect(await card(r, 'tok_fx')).toMatchObject({ balanceMinor: 20_000, heldMinor: HOLD });
    expect(verdicts(r)).toEqual(['not settled']);
  });

  it('authorizing the same reference twice holds once', async (ctx) => {
    const r = await rig(target, ctx);
    await addCard(r.processor, 'tok_retry', 20_000);
    const first = await r.direct.authorize(account('tok_retry'), 'AUTH-5');
    expect(await r.direct.authorize(account('tok_retry'), 'AUTH-5')).toEqual(first);
    expect(await card(r, 'tok_retry')).toMatchObject({ heldMinor: HOLD });
  });

  it('processor unreachable: authorization is NO_CREDIT processor-unavailable; a settlement waits for a retry', async (ctx) => {
    const r = await rig(target, ctx);
    const dead = await r.node(`http://127.0.0.1:${await freePort()}`);
    expect(await dead.authorize(account('tok_any'), 'AUTH-6')).toEqual({ allowed: 'NO_CREDIT', reason: 'processor-unavailable' });
    expect(r.events).toContainEqual(expect.objectContaining({ kind: 'error', error: 'processor-unavailable' }));

    await addCard(r.processor, 'tok_later', 20_000);
    await r.direct.authorize(account('tok_later'), 'AUTH-7');
    const cdr = { cdrId: 'CDR-7', authorizationReference: 'AUTH-7', totalCostMinor: 2000, currency: 'EUR' };
    await expect(dead.settle(cdr)).rejects.toBeInstanceOf(PaymentProcessorError);
    expect(await card(r, 'tok_later')).toMatchObject({ balanceMinor: 20_000, heldMinor: HOLD });
    // The CDR is sent again (to a node that reaches the processor): it completes, once.
    expect(await r.direct.settle(cdr)).toEqual({ status: 'captured', amountMinor: 2000, currency: 'EUR' });
    expect(await r.direct.settle(cdr)).toEqual({ status: 'captured', amountMinor: 2000, currency: 'EUR' });
    expect(await card(r, 'tok_later')).toMatchObject({ balanceMinor: 18_000, heldMinor: 0 });
  });

  it('a CDR that is not PnC Direct, and malformed input', async (ctx) => {
    const r = await rig(target, ctx);
    expect(await r.direct.settle({ cdrId: 'CDR-X', authorizationReference: 'NOT-OURS', totalCostMinor: 100, currency: 'EUR' })).toEqual({ status: 'not-pnc-direct' });
    expect(await r.direct.settle({ cdrId: 'CDR-X', authorizationReference: 'x'.repeat(500), totalCostMinor: 100, currency: 'EUR' })).toEqual({ status: 'not-pnc-direct' });
    const bad: [string, Parameters<PncDirect['settle']>[0]][] = [
      ['empty CDR id', { cdrId: '', authorizationReference: 'A', totalCostMinor: 1, currency: 'EUR' }],
      ['negative total', { cdrId: 'C', authorizationReference: 'A', totalCostMinor: -1, currency: 'EUR' }],
      ['fractional total', { cdrId: 'C', authorizationReference: 'A', totalCostMinor: 1.5, currency: 'EUR' }],
      ['bad currency', { cdrId: 'C', authorizationReference: 'A', totalCostMinor: 1, currency: 'euro' }],
    ];
    for (const [name, cdr] of bad) await expect(r.direct.settle(cdr), name).rejects.toBeInstanceOf(PncDirectError);
    await expect(r.direct.authorize(account('tok'), '')).rejects.toBeInstanceOf(PncDirectError);
    await expect(r.direct.authorize({ accountId: '', paymentToken: 'tok' }, 'A')).rejects.toBeInstanceOf(PncDirectError);
    await expect(createPncDirect({ processor: r.client, store: r.msp, holdAmountMinor: 0, currency: 'EUR', tracer: silentTracer('msp') })).rejects.toBeInstanceOf(PncDirectError);
    await expect(createPncDirect({ processor: r.client, store: r.msp, holdAmountMinor: 100, currency: 'Euro', tracer: silentTracer('msp') })).rejects.toBeInstanceOf(PncDirectError);
  });
});

describe('PnC Direct with a processor that never answers', () => {
  it('is NO_CREDIT processor-unavailable within the client time-out, not a hang', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const msp = await openDatabase<unknown>('sqlite::memory:');
    const client = createProcessorClient({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, secret: SECRET, timeoutMs: 300 });
    try {
      const events: TraceEvent[] = [];
      const direct = await createPncDirect({ processor: client, store: msp, holdAmountMinor: HOLD, currency: 'EUR', tracer: silentTracer('msp', [(e) => events.push(e)]) });
      const started = Date.now();
      expect(await direct.authorize(account('tok_any'), 'AUTH-SLOW')).toEqual({ allowed: 'NO_CREDIT', reason: 'processor-unavailable' });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(events).toContainEqual(expect.objectContaining({ kind: 'error', error: 'processor-unavailable', detail: expect.stringMatching(/within 300 ms/) as string }));
    } finally {
      client.close();
      await msp.close();
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
