// The simulated processor's books: cards, holds, captures, releases, in the store. The decisions are the pure ones
// of cardDecisions.ts; what must happen exactly once is made so by the database, not by this process: the hold is a
// conditional UPDATE (balance − held ≥ amount), the reference a unique column, the capture and the release
// conditional on state = 'held' — so parallel requests, or several processor nodes on one PostgreSQL, cannot
// overdraw a card or capture twice.
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { openDatabase, runMigrations, type OpenDatabaseOptions, type StoreDatabase } from '../../store/index.js';
import { decideCapture, decidePreauthorization, type AuthorizationRecord, type AuthorizationState, type CardState } from './cardDecisions.js';
import type { CaptureResult, DeclineReason, PreauthorizationResult } from './paymentProcessor.js';
import { ProcessorApiError } from './processorApiError.js';
import { PROCESSOR_MIGRATION_SCOPE, PROCESSOR_MIGRATIONS } from './processorMigrations.js';
import type { NewCardRequest, PreauthorizationRequest } from './processorRequests.js';
import type { ProcessorTables } from './processorTables.js';
import { writeTransaction } from './writeTransaction.js';

export interface CardView {
  readonly token: string;
  readonly currency: string;
  readonly balanceMinor: number;
  readonly heldMinor: number;
  readonly availableMinor: number;
  readonly expires: string;
  readonly blocked: boolean;
}

export interface AuthorizationView {
  readonly authorizationId: string;
  readonly reference: string;
  readonly state: AuthorizationState;
  readonly amountMinor: number;
  readonly currency: string;
  readonly capturedMinor: number | null;
  readonly declineReason: DeclineReason | null;
}

export interface ProcessorLedger {
  /** Throws ProcessorApiError 'currency-mismatch' or 'idempotency-conflict' (a reference reused with other terms). */
  preauthorize(request: PreauthorizationRequest): Promise<PreauthorizationResult>;
  capture(authorizationId: string, amountMinor: number): Promise<CaptureResult>;
  /** Releases a hold; a no-op on a captured, declined or released one. undefined: no such authorization. */
  release(authorizationId: string): Promise<AuthorizationView | undefined>;
  /** Throws ProcessorApiError 'card-exists'. */
  addCard(card: NewCardRequest): Promise<CardView>;
  card(token: string): Promise<CardView | undefined>;
  authorization(authorizationId: string): Promise<AuthorizationView | undefined>;
}

type Db = Kysely<ProcessorTables>;
type CardRow = Selectable<ProcessorTables['processor_cards']>;
type AuthorizationRow = Selectable<ProcessorTables['processor_authorizations']>;

/** Opens the database at `url` and brings the processor's tables up to date. */
export async function openProcessorStore(url: string, options?: OpenDatabaseOptions): Promise<StoreDatabase<ProcessorTables>> {
  const store = await openDatabase<ProcessorTables>(url, options);
  try {
    await runMigrations(store, PROCESSOR_MIGRATION_SCOPE, PROCESSOR_MIGRATIONS);
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

/** Another transaction recorded the same reference between our look-up and our insert: answer from its record. */
class ReferenceTaken extends Error {
  override readonly name = 'ReferenceTaken';
}

export function createProcessorLedger(store: StoreDatabase<ProcessorTables>, clock: () => number = Date.now): ProcessorLedger {
  const db: Db = store.db;
  const iso = (): string => new Date(clock()).toISOString();

  const authorizationRow = (id: string): Promise<AuthorizationRow | undefined> =>
    db.selectFrom('processor_authorizations').selectAll().where('id', '=', id).executeTakeFirst();

  return {
    async preauthorize(request) {
      // Twice at most: the second round only runs after losing the race for the reference, and then finds it.
      for (let round = 0; round < 2; round++) {
        const existing = await db.selectFrom('processor_authorizations').selectAll().where('reference', '=', request.reference).executeTakeFirst();
        if (existing !== undefined) return replay(existing, request);
        try {
          return await writeTransaction(store, (tx) => preauthorizeOnce(tx, request, clock(), iso()));
        } catch (e) {
          if (!(e instanceof ReferenceTaken)) throw e;
        }
      }
      throw new ProcessorApiError('internal', `reference ${request.reference} was taken but cannot be read back`);
    },

    async capture(authorizationId, amountMinor) {
      for (let round = 0; round < 2; round++) {
        const row = await authorizationRow(authorizationId);
        const decision = decideCapture(row && record(row), amountMinor);
        if (decision.kind === 'answer') return decision.result;
        const captured = await writeTransaction(store, async (tx) => {
          const auth = await tx
            .updateTable('processor_authorizations')
            .set({ state: 'captured', captured_minor: amountMinor, updated_at: iso() })
            .where('id', '=', authorizationId)
            .where('state', '=', 'held')
            .where('amount_minor', '>=', amountMinor)
            .returning(['card_token', 'amount_minor', 'currency'])
            .executeTakeFirst();
          if (auth === undefined) return undefined;
          // The whole hold leaves held_minor; only the captured part leaves the balance: the rest is released.
          await tx
            .updateTable('processor_cards')
            .set((eb) => ({ balance_minor: eb('balance_minor', '-', amountMinor), held_minor: eb('held_minor', '-', auth.amount_minor) }))
            .where('token', '=', auth.card_token)
            .executeTakeFirstOrThrow();
          return auth;
        });
        if (captured !== undefined) return { status: 'captured', authorizationId, amountMinor, currency: captured.currency };
        // Someone else captured or released it in between: decide again from what is recorded now.
      }
      throw new ProcessorApiError('internal', `authorization ${authorizationId} changed state during capture`);
    },

    async release(authorizationId) {
      await writeTransaction(store, async (tx) => {
        const auth = await tx
          .updateTable('processor_authorizations')
          .set({ state: 'released', updated_at: iso() })
          .where('id', '=', authorizationId)
          .where('state', '=', 'held')
          .returning(['card_token', 'amount_minor'])
          .executeTakeFirst();
        if (auth === undefined) return;
        await tx
          .updateTable('processor_cards')
          .set((eb) => ({ held_minor: eb('held_minor', '-', auth.amount_minor) }))
          .where('token', '=', auth.card_token)
          .executeTakeFirstOrThrow();
      });
      const row = await authorizationRow(authorizationId);
      return row && authorizationView(row);
    },

    async addCard(card) {
      const inserted = await db
        .insertInto('processor_cards')
        .values({
          token: card.token,
          currency: card.currency,
          balance_minor: card.balanceMinor,
          held_minor: 0,
          expires: card.expires,
          blocked: card.blocked ? 1 : 0,
          created_at: iso(),
        })
        .onConflict((oc) => oc.column('token').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted === undefined) throw new ProcessorApiError('card-exists', 'a card with this token exists');
      return cardView(inserted);
    },

    async card(token) {
      const row = await db.selectFrom('processor_cards').selectAll().where('token', '=', token).executeTakeFirst();
      return row && cardView(row);
    },

    async authorization(authorizationId) {
      const row = await authorizationRow(authorizationId);
      return row && authorizationView(row);
    },
  };
}

async function preauthorizeOnce(tx: Db, request: PreauthorizationRequest, now: number, at: string): Promise<PreauthorizationResult> {
  const card = await tx.selectFrom('processor_cards').selectAll().where('token', '=', request.paymentToken).executeTakeFirst();
  const decision = decidePreauthorization(card && cardState(card), request.amountMinor, request.currency, now);
  if (decision.kind === 'currency-mismatch') {
    throw new ProcessorApiError('currency-mismatch', `the card is in ${decision.cardCurrency}, not ${request.currency}`);
  }
  let declineReason: DeclineReason | null = decision.kind === 'decline' ? decision.reason : null;
  if (declineReason === null) {
    // The decision read the card before our write; the condition re-checks at the write, under the row lock, so two
    // parallel holds cannot both take the last of the balance.
    const held = await tx
      .updateTable('processor_cards')
      .set((eb) => ({ held_minor: eb('held_minor', '+', request.amountMinor) }))
      .where('token', '=', request.paymentToken)
      .where((eb) => eb(eb('balance_minor', '-', eb.ref('held_minor')), '>=', request.amountMinor))
      .returning('held_minor')
      .executeTakeFirst();
    if (held === undefined) declineReason = 'insufficient_funds';
  }
  const id = `pa_${randomBytes(12).toString('hex')}`;
  // Declines are recorded too: the same reference gets the same answer, as an idempotency key should.
  const inserted = await tx
    .insertInto('processor_authorizations')
    .values({
      id,
      reference: request.reference,
      card_token: request.paymentToken,
      amount_minor: request.amountMinor,
      currency: request.currency,
      state: declineReason === null ? 'held' : 'declined',
      decline_reason: declineReason,
      captured_minor: null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('reference').doNothing())
    .returning('id')
    .executeTakeFirst();
  // Thrown inside the transaction so that our hold is rolled back with it.
  if (inserted === undefined) throw new ReferenceTaken(request.reference);
  return declineReason === null
    ? { status: 'approved', authorizationId: id, amountMinor: request.amountMinor, currency: request.currency }
    : { status: 'declined', reason: declineReason };
}

/** The answer recorded for a reference, if the request asks for the same thing it asked for then. */
function replay(row: AuthorizationRow, request: PreauthorizationRequest): PreauthorizationResult {
  if (row.card_token !== request.paymentToken || row.amount_minor !== request.amountMinor || row.currency !== request.currency) {
    throw new ProcessorApiError('idempotency-conflict', 'this reference was used for another card, amount or currency');
  }
  if (row.state === 'declined') {
    if (row.decline_reason === null) throw new ProcessorApiError('internal', `declined authorization ${row.id} has no reason recorded`);
    return { status: 'declined', reason: row.decline_reason };
  }
  return { status: 'approved', authorizationId: row.id, amountMinor: row.amount_minor, currency: row.currency };
}

function cardState(row: CardRow): CardState {
  return { currency: row.currency, balanceMinor: row.balance_minor, heldMinor: row.held_minor, expires: row.expires, blocked: row.blocked !== 0 };
}

function cardView(row: CardRow): CardView {
  return {
    token: row.token,
    currency: row.currency,
    balanceMinor: row.balance_minor,
    heldMinor: row.held_minor,
    availableMinor: row.balance_minor - row.held_minor,
    expires: row.expires,
    blocked: row.blocked !== 0,
  };
}

function record(row: AuthorizationRow): AuthorizationRecord {
  return { id: row.id, state: row.state, amountMinor: row.amount_minor, currency: row.currency, capturedMinor: row.captured_minor };
}

function authorizationView(row: AuthorizationRow): AuthorizationView {
  return {
    authorizationId: row.id,
    reference: row.reference,
    state: row.state,
    amountMinor: row.amount_minor,
    currency: row.currency,
    capturedMinor: row.captured_minor,
    declineReason: row.decline_reason,
  };
}
