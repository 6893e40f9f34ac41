// PnC Direct at the MSP: an account that holds a payment token instead of a contract with invoicing. The real-time
// authorization pre-authorises a fixed hold with the card processor (the OCPI authorization_reference is the
// processor's idempotency key); the CDR later captures its total against that hold, at most the hold, and the
// processor releases the rest. A CDR captures once: the settlement is claimed by a row keyed by the CDR id (and
// unique per pre-authorization) before the processor is asked, and the processor's capture is itself idempotent.
import type { Kysely, Selectable } from 'kysely';
import { runMigrations, type StoreDatabase } from '../../store/index.js';
import type { Tracer } from '../../trace/tracer.js';
import { maskPaymentIdentifier } from './maskPaymentIdentifier.js';
import { CURRENCY_PATTERN, formatMinor, MAX_AMOUNT_MINOR } from './money.js';
import {
  PaymentProcessorError,
  type CaptureResult,
  type PaymentProcessor,
  type PncDirect,
  type PncDirectAuthorization,
  type PncDirectSettlement,
  type PreauthorizationResult,
} from './paymentProcessor.js';
import { PNC_DIRECT_MIGRATION_SCOPE, PNC_DIRECT_MIGRATIONS } from './pncDirectMigrations.js';
import type { PncDirectTables } from './pncDirectTables.js';
import { PAYMENT_TOKEN_PATTERN, REFERENCE_PATTERN } from './processorRequests.js';
import { planSettlement, shortfallReason } from './settlementDecision.js';

export interface PncDirectOptions<DB> {
  readonly processor: PaymentProcessor;
  /** The MSP's database; PnC Direct keeps its own tables in it (migration scope "msp-payments"). */
  readonly store: StoreDatabase<DB>;
  /** What each authorization holds on the card, in minor units (e.g. 5000 = EUR 50.00). */
  readonly holdAmountMinor: number;
  readonly currency: string;
  readonly tracer: Tracer;
  /** ms since the epoch (tests). */
  readonly clock?: () => number;
}

export type PncDirectErrorCode = 'bad-config' | 'bad-argument';

export class PncDirectError extends Error {
  override readonly name = 'PncDirectError';
  constructor(
    readonly code: PncDirectErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** OCPI CDR ids are CiString(39) (printable ASCII); room for a "CC*PID*" prefix, never unbounded. */
const CDR_ID_PATTERN = /^[\x20-\x7e]{1,64}$/;
const MAX_ACCOUNT_ID = 255;

type Db = Kysely<PncDirectTables>;
type SettlementRow = Selectable<PncDirectTables['msp_payment_settlements']>;
type PreauthorizationRow = Selectable<PncDirectTables['msp_payment_preauthorizations']>;

/** Brings PnC Direct's tables up to date in `store` and returns the service. */
export async function createPncDirect<DB>(options: PncDirectOptions<DB>): Promise<PncDirect> {
  const { processor, tracer, holdAmountMinor, currency } = options;
  if (!Number.isSafeInteger(holdAmountMinor) || holdAmountMinor < 1 || holdAmountMinor > MAX_AMOUNT_MINOR) {
    throw new PncDirectError('bad-config', `the hold amount must be an integer from 1 to ${MAX_AMOUNT_MINOR} minor units`);
  }
  if (!CURRENCY_PATTERN.test(currency)) throw new PncDirectError('bad-config', `currency ${JSON.stringify(currency)} is not an ISO 4217 code`);
  await runMigrations(options.store, PNC_DIRECT_MIGRATION_SCOPE, PNC_DIRECT_MIGRATIONS);
  const db = options.store.db as unknown as Db;
  const clock = options.clock ?? Date.now;
  const iso = (): string => new Date(clock()).toISOString();

  const check = (session: string, ok: boolean, detail: string, ms?: number): void =>
    tracer.emit({ kind: 'check', party: 'msp', session, check: 'payment preauthorisation', ok, detail, ...(ms !== undefined ? { ms } : {}) });

  async function authorize(account: { readonly accountId: string; readonly paymentToken: string }, reference: string): Promise<PncDirectAuthorization> {
    if (typeof reference !== 'string' || !REFERENCE_PATTERN.test(reference)) {
      throw new PncDirectError('bad-argument', 'authorizationReference must be printable ASCII without spaces, 1–64 characters');
    }
    if (typeof account.accountId !== 'string' || account.accountId.length === 0 || account.accountId.length > MAX_ACCOUNT_ID) {
      throw new PncDirectError('bad-argument', `accountId must be 1–${MAX_ACCOUNT_ID} characters`);
    }
    const who = `account ${maskPaymentIdentifier(account.accountId)}`;
    if (typeof account.paymentToken !== 'string' || !PAYMENT_TOKEN_PATTERN.test(account.paymentToken)) {
      // No processor knows a token of another format: it is an unknown card, not an outage.
      check(reference, false, `unknown_card: the payment token of ${who} is not in the processor's format`);
      return { allowed: 'NO_CREDIT', reason: 'unknown_card' };
    }
    const started = performance.now();
    let result: PreauthorizationResult;
    try {
      result = await processor.preauthorize(account.paymentToken, holdAmountMinor, currency, reference);
    } catch (e) {
      if (!(e instanceof PaymentProcessorError)) throw e;
      // Unreachable or garbage: the MSP cannot guarantee that this session will be paid, so it does not allow it.
      // Allowing it would let anyone charge for free whenever the processor is down; the CSMS may still apply its
      // own offline policy (WhitelistType) if the eMSP itself is unreachable, which is a different case.
      const ms = performance.now() - started;
      tracer.emit({ kind: 'error', party: 'msp', session: reference, error: 'processor-unavailable', detail: e.message });
      check(reference, false, `processor-unavailable for ${who}`, ms);
      return { allowed: 'NO_CREDIT', reason: 'processor-unavailable' };
    }
    const ms = performance.now() - started;
    if (result.status === 'declined') {
      check(reference, false, `${result.reason} for ${who}`, ms);
      return { allowed: 'NO_CREDIT', reason: result.reason };
    }
    try {
      // A repeated authorization with the same reference gets the same processor authorization: keep the first row.
      await db
        .insertInto('msp_payment_preauthorizations')
        .values({
          authorization_reference: reference,
          account_id: account.accountId,
          processor_authorization_id: result.authorizationId,
          amount_minor: result.amountMinor,
          currency: result.currency,
          created_at: iso(),
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    } catch (e) {
      // Without our record no CDR could ever capture this hold: give it back, then report the store failure.
      await processor.release(result.authorizationId).catch((releaseError: unknown) => {
        tracer.emit({ kind: 'error', party: 'msp', session: reference, error: 'hold not released', detail: messageOf(releaseError) });
      });
      throw e;
    }
    check(reference, true, `hold ${formatMinor(result.amountMinor, result.currency)} for ${who}`, ms);
    return { allowed: 'ALLOWED', authorizationReference: reference, amountMinor: result.amountMinor, currency: result.currency };
  }

  async function settle(cdr: { readonly cdrId: string; readonly authorizationReference: string; readonly totalCostMinor: number; readonly currency: string }): Promise<PncDirectSettlement> {
    if (typeof cdr.cdrId !== 'string' || !CDR_ID_PATTERN.test(cdr.cdrId)) throw new PncDirectError('bad-argument', 'cdrId must be printable ASCII, 1–64 characters');
    if (!Number.isSafeInteger(cdr.totalCostMinor) || cdr.totalCostMinor < 0 || cdr.totalCostMinor > MAX_AMOUNT_MINOR) {
      throw new PncDirectError('bad-argument', `totalCostMinor must be an integer from 0 to ${MAX_AMOUNT_MINOR}`);
    }
    if (typeof cdr.currency !== 'string' || !CURRENCY_PATTERN.test(cdr.currency)) throw new PncDirectError('bad-argument', 'currency must be an ISO 4217 code');
    const session = cdr.authorizationReference;
    if (typeof session !== 'string' || !REFERENCE_PATTERN.test(session)) return { status: 'not-pnc-direct' };

    const pre = await db.selectFrom('msp_payment_preauthorizations').selectAll().where('authorization_reference', '=', session).executeTakeFirst();
    if (pre === undefined) return { status: 'not-pnc-direct' };

    const claim = await claimSettlement(db, cdr, iso());
    if (claim.kind === 'taken') {
      const reason = `the pre-authorization was already settled by CDR ${claim.byCdrId}`;
      traceSettlement(session, false, `CDR ${cdr.cdrId}: ${reason}`);
      return { status: 'refused', reason };
    }
    const row = claim.row;
    if (row.authorization_reference !== session) {
      const reason = `CDR ${cdr.cdrId} was already settled against another authorization`;
      traceSettlement(session, false, reason);
      return { status: 'refused', reason };
    }
    if (row.state !== 'pending') {
      traceSettlement(session, row.state === 'captured', `CDR ${cdr.cdrId} was already settled: ${describe(row)}`);
      return settlementOf(row);
    }
    return finish(row, pre);
  }

  /** Captures for a claimed (pending) settlement and records the outcome; the recorded totals are authoritative. */
  async function finish(row: SettlementRow, pre: PreauthorizationRow): Promise<PncDirectSettlement> {
    const session = row.authorization_reference;
    const plan = planSettlement({ amountMinor: pre.amount_minor, currency: pre.currency }, { totalCostMinor: row.total_minor, currency: row.currency });
    let outcome: Pick<SettlementRow, 'state' | 'captured_minor' | 'shortfall_minor' | 'reason'>;
    let ms: number | undefined;
    if (plan.kind === 'refuse') {
      outcome = { state: 'refused', captured_minor: null, shortfall_minor: null, reason: plan.reason };
    } else {
      const started = performance.now();
      let captured: CaptureResult;
      try {
        captured = await processor.capture(pre.processor_authorization_id, plan.captureMinor);
      } catch (e) {
        // The claim stays pending: the CDR's sender retries (an OCPI error answer), and the retry captures — the
        // processor's capture is idempotent for the same amount, so nothing is taken twice.
        if (e instanceof PaymentProcessorError) tracer.emit({ kind: 'error', party: 'msp', session, error: 'capture failed, CDR left pending', detail: e.message });
        throw e;
      }
      ms = performance.now() - started;
      if (captured.status === 'refused') {
        outcome = { state: 'refused', captured_minor: null, shortfall_minor: null, reason: `the processor refused the capture: ${captured.reason}` };
      } else if (plan.shortfallMinor > 0) {
        outcome = { state: 'refused', captured_minor: captured.amountMinor, shortfall_minor: plan.shortfallMinor, reason: shortfallReason(captured.amountMinor, plan.shortfallMinor, pre.currency) };
      } else {
        outcome = { state: 'captured', captured_minor: captured.amountMinor, shortfall_minor: 0, reason: null };
      }
    }
    const recorded = await db
      .updateTable('msp_payment_settlements')
      .set({ ...outcome, settled_at: iso() })
      .where('cdr_id', '=', row.cdr_id)
      .where('state', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    // Another node finished the same CDR first: what it recorded is the answer.
    const final = recorded ?? (await db.selectFrom('msp_payment_settlements').selectAll().where('cdr_id', '=', row.cdr_id).executeTakeFirstOrThrow());
    traceSettlement(session, final.state === 'captured', `CDR ${row.cdr_id}: ${describe(final)}`, ms);
    if (final.captured_minor !== null) {
      tracer.emit({ kind: 'verdict', party: 'msp', session, verdict: `settled ${formatMinor(final.captured_minor, final.currency)}`, ...(ms !== undefined ? { ms } : {}) });
    } else {
      tracer.emit({ kind: 'verdict', party: 'msp', session, verdict: 'not settled', detail: final.reason ?? '' });
    }
    return settlementOf(final);
  }

  function traceSettlement(session: string, ok: boolean, detail: string, ms?: number): void {
    tracer.emit({ kind: 'check', party: 'msp', session, check: 'payment capture', ok, detail, ...(ms !== undefined ? { ms } : {}) });
  }

  return { authorize, settle };
}

type Claim = { readonly kind: 'row'; readonly row: SettlementRow } | { readonly kind: 'taken'; readonly byCdrId: string };

/**
 * The settlement row of this CDR: the existing one, or a new pending one. 'taken' when another CDR already holds the
 * pre-authorization (the unique reference), so the same session cannot be captured twice under two CDR ids.
 */
async function claimSettlement(db: Db, cdr: { readonly cdrId: string; readonly authorizationReference: string; readonly totalCostMinor: number; readonly currency: string }, at: string): Promise<Claim> {
  const bySelf = () => db.selectFrom('msp_payment_settlements').selectAll().where('cdr_id', '=', cdr.cdrId).executeTakeFirst();
  const existing = await bySelf();
  if (existing !== undefined) return { kind: 'row', row: existing };
  const inserted = await db
    .insertInto('msp_payment_settlements')
    .values({
      cdr_id: cdr.cdrId,
      authorization_reference: cdr.authorizationReference,
      state: 'pending',
      total_minor: cdr.totalCostMinor,
      captured_minor: null,
      shortfall_minor: null,
      currency: cdr.currency,
      reason: null,
      created_at: at,
      settled_at: null,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted !== undefined) return { kind: 'row', row: inserted };
  // Lost a race: either the same CDR (its row is there now) or another CDR of the same pre-authorization.
  const again = await bySelf();
  if (again !== undefined) return { kind: 'row', row: again };
  const other = await db
    .selectFrom('msp_payment_settlements')
    .select('cdr_id')
    .where('authorization_reference', '=', cdr.authorizationReference)
    .executeTakeFirstOrThrow();
  return { kind: 'taken', byCdrId: other.cdr_id };
}

function settlementOf(row: SettlementRow): PncDirectSettlement {
  if (row.state === 'captured' && row.captured_minor !== null) return { status: 'captured', amountMinor: row.captured_minor, currency: row.currency };
  return { status: 'refused', reason: row.reason ?? `settlement is ${row.state}` };
}

function describe(row: SettlementRow): string {
  if (row.state === 'captured' && row.captured_minor !== null) return `captured ${formatMinor(row.captured_minor, row.currency)}`;
  return row.reason ?? row.state;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
