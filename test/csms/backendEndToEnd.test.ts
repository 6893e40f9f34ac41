// The backend end to end, every party real on 127.0.0.1 (test/helpers/backendTestbed.ts): EV → charger → CSMS →
// OCSP responder and MSP (OCPI) → card processor, and back. Each scenario checks the OCPP answer at the CSMS (the
// C07.FR.13–17 pair), what the EV saw, and the side effects: the CSMS ledger, the CDR at the MSP, the processor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdrIdOf } from '../../src/csms/transactions/cdrId.js';
import type { LedgerTransaction } from '../../src/csms/transactions/transactionLedger.js';
import type { StoredCdr } from '../../src/msp/store/cdrStore.js';
import type { Cdr } from '../../src/ocpi/ocpiTypes.js';
import { BACKEND_STATION_ID, describeEvents, startBackendTestbed, type BackendTestbed, type SessionRun, type TimedEvent } from '../helpers/backendTestbed.js';
import { startTestPostgres, type TestPostgresStatus } from '../helpers/postgres.js';

// --- what the trace says ---------------------------------------------------------------------------------------------

const isCsmsMessage = (message: string) => (e: TimedEvent) => e.party === 'csms' && e.kind === 'message' && e.message === message;
const isMspMessage = (message: string) => (e: TimedEvent) => e.party === 'msp' && e.kind === 'message' && e.message === message;
const isCsmsVerdict = (pattern: RegExp) => (e: TimedEvent) => e.party === 'csms' && e.kind === 'verdict' && pattern.test(e.verdict);
const isCheck = (party: TimedEvent['party'], check: string) => (e: TimedEvent): e is Extract<TimedEvent, { kind: 'check' }> => e.party === party && e.kind === 'check' && e.check === check;
const mspAsked = (events: readonly TimedEvent[]): number => events.filter(isMspMessage('OCPI authorize')).length;
/** The MSP's real-time authorization verdicts (an AllowedType or 'unknown token'; not its CDR settlements). */
const mspAuthorizeVerdicts = (events: readonly TimedEvent[]): string[] =>
  events.flatMap((e) => (e.party === 'msp' && e.kind === 'verdict' && /^(ALLOWED|BLOCKED|EXPIRED|NO_CREDIT|NOT_ALLOWED|unknown token)$/.test(e.verdict) ? [e.verdict] : []));
const transactionEvents = (events: readonly TimedEvent[]): TimedEvent[] => events.filter((e) => e.party === 'csms' && e.kind === 'message' && /^TransactionEvent (Started|Updated|Ended)$/.test(e.message));

/** Index of the first event matching, failing with the trace when there is none. */
function indexOf(run: SessionRun, predicate: (e: TimedEvent) => boolean, what: string): number {
  const i = run.events().findIndex(predicate);
  if (i < 0) throw new Error(`no ${what} in the session's trace:\n${describeEvents(run.events())}`);
  return i;
}

function mspCdrBody(c: StoredCdr): Cdr {
  return JSON.parse(c.body) as Cdr;
}

async function mspCdrsOf(bed: BackendTestbed, emaid: string): Promise<StoredCdr[]> {
  return (await bed.msp.store.cdrs.list()).filter((c) => mspCdrBody(c).cdr_token.uid === emaid);
}

/** Waits until the CSMS says the session's CDR went to the eMSP. */
const cdrSent = (bed: BackendTestbed, run: SessionRun) => bed.waitFor(isCsmsVerdict(/^CDR sent$/), { from: run.from, timeoutMs: 10_000, what: 'CDR sent' });

const energyWh = (tx: LedgerTransaction): number => (tx.meterEnd?.wh ?? 0) - (tx.meterStart?.wh ?? 0);

let contractCounter = 100;
/** A fresh eMAID instance for `provider` (a contract no party has seen yet). */
const newEmaid = (provider = 'PNC'): string => `DE-${provider}-C${String(contractCounter++).padStart(8, '0')}`;

/** Asserts a refused session: the EV not authorized with `code`, no transaction at the CSMS. */
async function expectRefused(bed: BackendTestbed, run: SessionRun, before: readonly LedgerTransaction[], code: string): Promise<void> {
  expect(run.result.authorized, describeEvents(run.events())).toBe(false);
  expect(run.result.charged).toBe(false);
  expect(run.result.responseCodes.AuthorizationRes).toBe(code);
  expect(transactionEvents(run.events())).toEqual([]);
  expect(await bed.newTransactions(before)).toEqual([]);
}

// --- 1–4: one testbed, sessions one after the other ------------------------------------------------------------------

describe('PnC through the whole backend (SQLite)', () => {
  let bed: BackendTestbed;
  beforeAll(async () => {
    bed = await startBackendTestbed();
  });
  afterAll(async () => {
    await bed?.close();
  });

  describe('1. accepted: OCSP good, eMSP ALLOWED, one transaction, one CDR', () => {
    beforeAll(async () => {
      await bed.addAccount(bed.defaultEmaid);
    });

    it.each([
      ['-2', 'iso2', 'TLSv1.2'],
      ['-20 P-521', 'iso20', 'TLSv1.3'],
    ] as const)('%s: Accepted/Accepted (C07.FR.14), Started/Ended in the ledger, the CDR at the MSP, the eMSP asked once', async (_name, protocol, tlsVersion) => {
      const before = await bed.csms.ledger.list({ limit: 1000 });
      const cdrsBefore = await mspCdrsOf(bed, bed.defaultEmaid);
      const run = await bed.session({ protocol });

      // The EV
      expect(run.result, describeEvents(run.events())).toMatchObject({ authorized: true, charged: true, stopped: true, outcome: 'OK' });
      expect(run.result.responseCodes.AuthorizationRes).toBe('OK');
      expect(run.result.tls?.version).toBe(tlsVersion);
      await cdrSent(bed, run);
      const events = run.events();

      // The CSMS: one Authorize with hash data, its chain checked at the OCSP responder, then the eMSP, then C07.
      const authorizes = events.filter(isCsmsMessage('AuthorizeRequest'));
      expect(authorizes).toHaveLength(1);
      expect(authorizes[0]!.kind === 'message' && authorizes[0]!.detail).toMatch(/, 3 OCSP hash data entries$/);
      const revocation = events.filter(isCheck('csms', 'contract revocation (OCSP)'));
      expect(revocation.map((c) => [c.ok, c.detail])).toEqual([[true, '3 OCSP answers good']]);
      // Between the AuthorizeRequest and its answer: three OCSP lookups, each a first one, so the responder itself
      // answered good three times.
      const authorizing = events.slice(events.findIndex(isCsmsMessage('AuthorizeRequest')), events.findIndex(isCsmsMessage('AuthorizeResponse')));
      const ocspChecks = authorizing.filter(isCheck('csms', 'ocsp'));
      expect(ocspChecks.map((c) => [c.ok, /: good, signed by pnc-stack MO (Sub-CA 2|Sub-CA 1|Root CA) OCSP$/.test(c.detail ?? '')])).toEqual([
        [true, true],
        [true, true],
        [true, true],
      ]);
      expect(authorizing.filter((e) => e.party === 'ocsp' && e.kind === 'verdict').map((e) => e.kind === 'verdict' && e.verdict)).toEqual(['good', 'good', 'good']);
      expect(events.filter((e) => e.party === 'ocsp' && e.kind === 'verdict')).toHaveLength(3);
      expect(mspAuthorizeVerdicts(events)).toEqual(['ALLOWED']);
      expect(bed.authorizeAnswers(run.from)).toEqual([{ certificateStatus: 'Accepted', status: 'Accepted', rule: 'C07.FR.14' }]);

      // In this order across the parties.
      const order = [
        indexOf(run, isCsmsMessage('AuthorizeRequest'), 'AuthorizeRequest'),
        indexOf(run, (e) => e.party === 'ocsp' && e.kind === 'verdict', 'an OCSP answer'),
        indexOf(run, isCheck('csms', 'contract revocation (OCSP)'), 'the revocation check'),
        indexOf(run, isMspMessage('OCPI authorize'), 'OCPI authorize at the MSP'),
        indexOf(run, isCsmsMessage('AuthorizeResponse'), 'AuthorizeResponse'),
        indexOf(run, isCsmsMessage('TransactionEvent Started'), 'TransactionEvent Started'),
        indexOf(run, isCsmsMessage('TransactionEvent Ended'), 'TransactionEvent Ended'),
        indexOf(run, isMspMessage('OCPI CDR'), 'the CDR at the MSP'),
        indexOf(run, isCsmsVerdict(/^CDR sent$/), 'CDR sent'),
      ];
      expect([...order].sort((a, b) => a - b)).toEqual(order);

      // The eMSP was asked once: TransactionEvent Started reused the Authorize (recentAuthorizationReuse).
      expect(mspAsked(run.events())).toBe(1);
      expect(events.filter(isCheck('csms', 'billing'))).toHaveLength(1);

      // The ledger: one transaction, Started and Ended, linked to the OCPI authorization, its CDR sent.
      const txs = await bed.newTransactions(before);
      expect(txs).toHaveLength(1);
      const tx = txs[0]!;
      expect(tx).toMatchObject({ state: 'ended', hasStarted: true, startedOffline: false, idToken: bed.defaultEmaid, tokenType: 'eMAID', idTokenStatus: 'Accepted', cdrState: 'sent', cdrEmsp: 'DE*PNC' });
      expect(tx.authorizationReference).toEqual(expect.any(String));
      expect(energyWh(tx)).toBeGreaterThan(0);
      const ledgerEvents = await bed.csms.ledger.events(BACKEND_STATION_ID, tx.transactionId);
      expect(ledgerEvents.map((e) => [e.eventType, e.seqNo, e.offline])).toEqual([
        ['Started', 0, false],
        ['Ended', 1, false],
      ]);

      // The MSP: exactly one new CDR, with the eMAID, the energy, the authorization_reference.
      const cdrs = (await mspCdrsOf(bed, bed.defaultEmaid)).filter((c) => !cdrsBefore.some((b) => b.id === c.id));
      expect(cdrs).toHaveLength(1);
      const cdr = mspCdrBody(cdrs[0]!);
      expect(cdrs[0]!.cdrId).toBe(cdrIdOf(BACKEND_STATION_ID, tx.transactionId));
      expect(cdr).toMatchObject({ country_code: 'DE', party_id: 'CPO', authorization_reference: tx.authorizationReference, auth_method: 'AUTH_REQUEST' });
      expect(cdr.cdr_token).toMatchObject({ uid: bed.defaultEmaid, country_code: 'DE', party_id: 'PNC' });
      expect(cdr.total_energy).toBeCloseTo(energyWh(tx) / 1000, 4);
      expect(cdrs[0]!.authorizationReference).toBe(tx.authorizationReference);
    });
  });

  describe('2. contract revoked at the OCSP responder', () => {
    it.each([
      ['-2', 'iso2', 'FAILED_CertificateRevoked'],
      ['-20 P-521', 'iso20', 'WARNING_CertificateRevoked'],
    ] as const)('%s: CertificateRevoked + Invalid (C07.FR.16); the MSP never asked; the EV gets %s', async (_name, protocol, code) => {
      const emaid = bed.issueContract(newEmaid());
      await bed.addAccount(emaid);
      bed.revokeContract(emaid);
      const before = await bed.csms.ledger.list({ limit: 1000 });
      const run = await bed.session({ emaid, protocol });
      expect(bed.authorizeAnswers(run.from)).toEqual([{ certificateStatus: 'CertificateRevoked', status: 'Invalid', rule: 'C07.FR.16' }]);
      expect(run.events().some((e) => e.party === 'ocsp' && e.kind === 'verdict' && e.verdict === 'revoked')).toBe(true);
      expect(mspAsked(run.events())).toBe(0);
      expect(run.events().filter(isCheck('csms', 'billing'))).toEqual([]);
      expect(run.result.outcome).toBe(code);
      await expectRefused(bed, run, before, code);
    });
  });

  describe('3. the contract at the MSP: C07.FR.13 ContractCancelled with the account status', () => {
    it.each([
      { name: 'account suspended', provider: 'PNC', account: 'suspended', status: 'Blocked', mspVerdict: 'BLOCKED' },
      { name: 'account cancelled', provider: 'PNC', account: 'cancelled', status: 'Expired', mspVerdict: 'EXPIRED' },
      { name: 'unknown eMAID at a known MSP', provider: 'PNC', account: 'none', status: 'Unknown', mspVerdict: 'unknown token' },
      { name: 'eMAID of a provider nobody roams with', provider: 'XYZ', account: 'none', status: 'Unknown', mspVerdict: undefined },
    ] as const)('$name → ContractCancelled + $status; EV refused', async ({ provider, account, status, mspVerdict }) => {
      const emaid = bed.issueContract(newEmaid(provider));
      if (account !== 'none') {
        await bed.addAccount(emaid);
        await bed.msp.store.accounts.setStatus(emaid, account);
      }
      const before = await bed.csms.ledger.list({ limit: 1000 });
      const run = await bed.session({ emaid });
      expect(bed.authorizeAnswers(run.from)).toEqual([{ certificateStatus: 'ContractCancelled', status, rule: 'C07.FR.13' }]);
      expect(run.events().filter(isCheck('csms', 'contract revocation (OCSP)')).map((c) => c.ok)).toEqual([true]);
      expect(mspAuthorizeVerdicts(run.events())).toEqual(mspVerdict === undefined ? [] : [mspVerdict]);
      expect(mspAsked(run.events())).toBe(mspVerdict === undefined ? 0 : 1);
      if (mspVerdict === undefined) {
        const billing = run.events().filter(isCheck('csms', 'billing'));
        expect(billing.map((c) => c.detail)).toEqual([expect.stringMatching(/: Unknown \(no roaming agreement with eMSP DE\*XYZ\)$/)]);
      }
      await expectRefused(bed, run, before, 'FAILED');
    });
  });

  describe('4. PnC Direct: a card hold at the processor instead of an invoice', () => {
    it('a good card: Accepted, a hold during the session, the CDR total captured from it afterwards', async () => {
      const token = 'card-good-4001';
      await bed.msp.processorAdmin.addCard({ token, balanceMinor: 100_000, currency: 'EUR', expires: '2035-12' });
      const emaid = bed.issueContract(newEmaid());
      await bed.addAccount(emaid, { paymentToken: token });
      const before = await bed.csms.ledger.list({ limit: 1000 });
      const from = bed.events.length;
      const session = bed.session({ emaid, chargeLoops: 8 });
      // While the EV charges, the processor holds the pre-authorised amount on the card.
      await bed.waitFor(isCsmsMessage('AuthorizeResponse'), { from, what: 'AuthorizeResponse' });
      const during = await bed.msp.processorAdmin.card(token);
      const run = await session;
      expect(during).toMatchObject({ balanceMinor: 100_000, heldMinor: 5000, availableMinor: 95_000 });
      expect(run.result, describeEvents(run.events())).toMatchObject({ authorized: true, charged: true, outcome: 'OK' });
      expect(bed.authorizeAnswers(run.from)).toEqual([{ certificateStatus: 'Accepted', status: 'Accepted', rule: 'C07.FR.14' }]);
      expect(run.events().filter(isCheck('msp', 'payment preauthorisation')).map((c) => [c.ok, c.detail])).toEqual([[true, expect.stringMatching(/^hold EUR 50\.00 for account /)]]);
      await cdrSent(bed, run);
      expect(mspAsked(run.events())).toBe(1);

      const [tx] = await bed.newTransactions(before);
      expect(tx?.authorizationReference).toEqual(expect.any(String));
      const cdrs = await mspCdrsOf(bed, emaid);
      expect(cdrs).toHaveLength(1);
      expect(cdrs[0]!.settlement).toBe('captured');
      const totalMinor = Math.round(cdrs[0]!.totalCost * 100);
      expect(totalMinor).toBeGreaterThan(0);
      expect(totalMinor).toBeLessThan(5000);
      const authorizationId = await bed.msp.processorAuthorizationId(tx!.authorizationReference!);
      expect(authorizationId).toEqual(expect.any(String));
      const authorization = await bed.msp.processorAdmin.authorization(authorizationId!);
      expect(authorization).toMatchObject({ reference: tx!.authorizationReference, state: 'captured', amountMinor: 5000, currency: 'EUR', capturedMinor: totalMinor });
      expect(await bed.msp.processorAdmin.card(token)).toMatchObject({ balanceMinor: 100_000 - totalMinor, heldMinor: 0 });
    });

    it.each([
      { name: 'an expired card', card: { token: 'card-expired-4002', balanceMinor: 100_000, expires: '2021-06' }, reason: 'expired_card' },
      { name: 'insufficient funds', card: { token: 'card-poor-4003', balanceMinor: 1200, expires: '2035-12' }, reason: 'insufficient_funds' },
    ])('$name: NO_CREDIT → Accepted + NoCredit (C07.FR.14); EV refused, no transaction, nothing held', async ({ card, reason }) => {
      await bed.msp.processorAdmin.addCard({ ...card, currency: 'EUR' });
      const emaid = bed.issueContract(newEmaid());
      await bed.addAccount(emaid, { paymentToken: card.token });
      const before = await bed.csms.ledger.list({ limit: 1000 });
      const run = await bed.session({ emaid });
      expect(bed.authorizeAnswers(run.from)).toEqual([{ certificateStatus: 'Accepted', status: 'NoCredit', rule: 'C07.FR.14' }]);
      expect(mspAuthorizeVerdicts(run.events())).toEqual(['NO_CREDIT']);
      expect(run.events().filter(isCheck('msp', 'payment preauthorisation')).map((c) => [c.ok, c.detail])).toEqual([[false, expect.stringContaining(reason)]]);
      await expectRefused(bed, run, before, 'FAILED');
      expect(await bed.msp.processorAdmin.card(card.token)).toMatchObject({ balanceMinor: card.balanceMinor, heldMinor: 0 });
    });
  });
});

// --- 5: faults ------------------------------------------------------------------------------------------------------

describe('5. faults: MSP down or silent, OCSP responder down, CDRs while the MSP is away', () => {
  let bed: BackendTestbed;
  let active: string;
  beforeAll(async () => {
    bed = await startBackendTestbed();
    active = bed.issueContract(newEmaid());
    await bed.addAccount(active);
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('MSP down: Accepted + NotAtThisTime (C07.FR.14); the EV refused, no transaction', async () => {
    await bed.msp.stop();
    try {
      const before = await bed.csms.ledger.list({ limit: 1000 });
      const run = await bed.session({ emaid: active });
      expect(bed.authorizeAnswers(run.from)).toEqual([{ certificateStatus: 'Accepted', status: 'NotAtThisTime', rule: 'C07.FR.14' }]);
      expect(run.events().some((e) => e.party === 'csms' && e.kind === 'error' && e.error === 'OCPI authorize failed')).toBe(true);
      expect(run.events().filter(isCheck('csms', 'billing')).map((c) => c.detail)).toEqual([expect.stringMatching(/NotAtThisTime \(eMSP unreachable \(\w+\); no earlier answer for this token\)$/)]);
      await expectRefused(bed, run, before, 'FAILED');
    } finally {
      await bed.msp.start();
    }
  });

  it('MSP silent behind its registered URL: NotAtThisTime within the CSMS time-out, not the charger’s', async () => {
    await bed.msp.swapInSilentServer();
    try {
      const before = await bed.csms.ledger.list({ limit: 1000 });
      const run = await bed.session({ emaid: active });
      expect(bed.authorizeAnswers(run.from)).toEqual([{ certificateStatus: 'Accepted', status: 'NotAtThisTime', rule: 'C07.FR.14' }]);
      const [billing] = run.events().filter(isCheck('csms', 'billing'));
      // The CSMS gives the eMSP 2 s (its OCPI authorize time-out); the charger would have waited 8 s.
      expect(billing?.ms).toBeGreaterThanOrEqual(1900);
      expect(billing?.ms).toBeLessThan(4000);
      expect(billing?.detail).toMatch(/NotAtThisTime \(eMSP unreachable \(timeout\)/);
      expect(run.events().some((e) => e.party === 'charger' && e.kind === 'check' && e.check === 'offline contract authorization')).toBe(false);
      await expectRefused(bed, run, before, 'FAILED');
    } finally {
      await bed.msp.start();
    }
  });

  it('ALLOWED_OFFLINE token known from an earlier answer: Accepted while the MSP is down; its CDR waits and arrives once', async () => {
    const emaid = bed.issueContract(newEmaid());
    await bed.addAccount(emaid, { whitelist: 'ALLOWED_OFFLINE' });
    const first = await bed.session({ emaid });
    expect(first.result.authorized).toBe(true);
    await cdrSent(bed, first);

    await bed.msp.stop();
    let tx: LedgerTransaction | undefined;
    try {
      const before = await bed.csms.ledger.list({ limit: 1000 });
      const run = await bed.session({ emaid });
      expect(run.result, describeEvents(run.events())).toMatchObject({ authorized: true, charged: true, outcome: 'OK' });
      expect(bed.authorizeAnswers(run.from)).toEqual([{ certificateStatus: 'Accepted', status: 'Accepted', rule: 'C07.FR.14' }]);
      expect(run.events().filter(isCheck('csms', 'billing')).map((c) => c.detail)).toEqual([expect.stringMatching(/Accepted \(eMSP unreachable \(\w+\); whitelist ALLOWED_OFFLINE/)]);
      // Tried once, at the Authorize; TransactionEvent Started reused that answer.
      expect(run.events().filter((e) => e.party === 'csms' && e.kind === 'error' && e.error === 'OCPI authorize failed')).toHaveLength(1);
      // The CDR cannot go: kept pending with its error, to be retried.
      await bed.waitFor((e) => e.party === 'csms' && e.kind === 'error' && e.error === 'CDR delivery failed', { from: run.from, what: 'CDR delivery failed' });
      [tx] = await bed.newTransactions(before);
      expect(tx).toMatchObject({ state: 'ended', idTokenStatus: 'Accepted', cdrState: 'pending', cdrAttempts: 1 });
      expect(tx?.cdrLastError).toMatch(/CdrDeliveryError/);
      // Nothing due yet: a round now delivers nothing.
      expect((await bed.csms.node.cdrs.runOnce()).claimed).toBe(0);
    } finally {
      await bed.msp.start();
    }
    expect(await mspCdrsOf(bed, emaid)).toHaveLength(1); // the first session's only

    // The retry comes due (30 s back-off): one round delivers it; further rounds find nothing.
    expect(await bed.csms.dispatchCdrsAsIfLater(31_000)).toMatchObject({ claimed: 1, sent: 1, retrying: 0, failed: 0 });
    expect((await bed.csms.dispatchCdrsAsIfLater(3_600_000)).claimed).toBe(0);
    expect((await bed.csms.node.cdrs.runOnce()).claimed).toBe(0);
    const cdrs = await mspCdrsOf(bed, emaid);
    expect(cdrs).toHaveLength(2);
    const late = cdrs.find((c) => c.cdrId === cdrIdOf(BACKEND_STATION_ID, tx!.transactionId));
    expect(late).toBeDefined();
    // Accepted on the last known whitelist, not by the eMSP in real time.
    expect(mspCdrBody(late!)).toMatchObject({ auth_method: 'WHITELIST' });
    expect(mspCdrBody(late!).authorization_reference).toBeUndefined();
    expect(await bed.csms.ledger.transaction(BACKEND_STATION_ID, tx!.transactionId)).toMatchObject({ cdrState: 'sent', cdrAttempts: 2 });
  });

  it('OCSP responder down, contract never looked up: CertChainError + Invalid (C07.FR.17), MSP not asked; responder back → Accepted', async () => {
    const emaid = bed.issueContract(newEmaid());
    await bed.addAccount(emaid);
    await bed.ocsp.stop();
    let before: LedgerTransaction[];
    try {
      before = await bed.csms.ledger.list({ limit: 1000 });
      const run = await bed.session({ emaid });
      expect(bed.authorizeAnswers(run.from)).toEqual([{ certificateStatus: 'CertChainError', status: 'Invalid', rule: 'C07.FR.17' }]);
      expect(run.events().filter(isCheck('csms', 'contract revocation (OCSP)')).map((c) => c.ok)).toEqual([false]);
      expect(mspAsked(run.events())).toBe(0);
      await expectRefused(bed, run, before, 'FAILED');
    } finally {
      await bed.ocsp.start();
    }
    // A failed lookup is remembered for 1 s (no hammering of a dead responder); afterwards it is asked again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await bed.session({ emaid });
    expect(again.result, describeEvents(again.events())).toMatchObject({ authorized: true, charged: true, outcome: 'OK' });
    expect(bed.authorizeAnswers(again.from)).toEqual([{ certificateStatus: 'Accepted', status: 'Accepted', rule: 'C07.FR.14' }]);
    expect(again.events().some((e) => e.party === 'ocsp' && e.kind === 'verdict' && e.verdict === 'good')).toBe(true);
    await cdrSent(bed, again);
    expect(await bed.newTransactions(before)).toHaveLength(1);
  });

  it('a new CSMS node (empty OCSP cache) while the responder is down: CertChainError for the contract it had accepted before', async () => {
    await bed.csms.stop();
    await bed.csms.start();
    await waitUntil(() => bed.station.registered && bed.csms.node.server.connectedIds().includes(BACKEND_STATION_ID), 10_000, 'the charger connected to the new node');
    await bed.ocsp.stop();
    try {
      const run = await bed.session({ emaid: active });
      expect(bed.authorizeAnswers(run.from)).toEqual([{ certificateStatus: 'CertChainError', status: 'Invalid', rule: 'C07.FR.17' }]);
      // Nothing cached on this node: every link of the chain was looked up, and none could be.
      expect(run.events().filter(isCheck('csms', 'ocsp')).map((c) => c.ok)).toEqual([false, false, false]);
      expect(mspAsked(run.events())).toBe(0);
      expect(run.result.authorized).toBe(false);
    } finally {
      await bed.ocsp.start();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// --- 6: offline-started transaction, re-checked after the fact --------------------------------------------------------

describe('6. offline PnC, re-checked by the CSMS after it comes back', () => {
  let bed: BackendTestbed;
  beforeAll(async () => {
    bed = await startBackendTestbed();
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('ContractValidationOffline set over the admin API; offline session accepted locally; the account suspended meanwhile → Blocked, fingerprint blocked', async () => {
    const emaid = bed.issueContract(newEmaid());
    await bed.addAccount(emaid);
    const set = await bed.admin(`/stations/${BACKEND_STATION_ID}/iso15118`, { ContractValidationOffline: true });
    expect(set).toMatchObject({ status: 200, body: { setVariableResult: [{ attributeStatus: 'Accepted' }] } });
    expect(bed.station.variables().contractValidationOffline).toBe(true);

    // The CSMS goes away (its database stays).
    const ports = { ocpp: bed.csms.node.server.port };
    const stoppedAt = bed.events.length;
    await bed.csms.stop();
    await bed.waitFor(isCheck('charger', 'CSMS disconnected'), { from: stoppedAt, timeoutMs: 5000, what: 'the charger noticed' });
    const before = bed.events.length;
    const run = await bed.session({ emaid });
    expect(run.result, describeEvents(run.events())).toMatchObject({ authorized: true, charged: true, outcome: 'OK' });
    expect(run.events().filter(isCheck('charger', 'offline contract authorization')).map((c) => c.ok)).toEqual([true]);
    expect(run.events().some((e) => e.party === 'csms')).toBe(false);
    await bed.station.evses[0]!.settled();
    expect(await bed.stationStore.queueLength()).toBeGreaterThanOrEqual(2);
    expect(await bed.stationStore.isBlocked(bed.contractFingerprint(emaid))).toBe(false);

    await bed.msp.store.accounts.setStatus(emaid, 'suspended');
    await bed.csms.start();
    expect(bed.csms.node.server.port).toBe(ports.ocpp);
    await bed.waitFor(isCsmsVerdict(/^Ended recorded/), { from: before, timeoutMs: 15_000, what: 'the offline Ended event at the CSMS' });
    await waitUntil(() => bed.events.slice(before).some((e) => e.party === 'charger' && e.kind === 'check' && e.check === 'block-list'), 5000, 'the charger blocked the contract');
    const after = bed.events.slice(before);

    // The queued events arrived marked offline; the eMAID was re-checked at the MSP (once) and is Blocked now.
    const txMessages = transactionEvents(after).map((e) => (e.kind === 'message' ? [e.message, /\(offline\)/.test(e.detail ?? '')] : []));
    expect(txMessages).toEqual([
      ['TransactionEvent Started', true],
      ['TransactionEvent Ended', true],
    ]);
    expect(after.filter(isCheck('csms', 'offline transaction re-check')).map((c) => [c.ok, c.detail])).toEqual([[false, expect.stringMatching(/: Blocked \(OCPI 2\.3\.0 BLOCKED\)$/)]]);
    expect(mspAsked(after)).toBe(1);
    expect(after.filter((e) => e.party === 'csms' && e.kind === 'message' && e.message === 'AuthorizeRequest')).toEqual([]);

    // The charger keeps the contract off its offline list from now on.
    expect(await bed.stationStore.isBlocked(bed.contractFingerprint(emaid))).toBe(true);
    await bed.station.queue.settled();
    expect(await bed.stationStore.queueLength()).toBe(0);

    // The ledger: one transaction, started offline, its token Blocked; the energy was delivered, so its CDR goes.
    const txs = (await bed.csms.ledger.list({ limit: 1000 })).filter((t) => t.idToken === emaid);
    expect(txs).toHaveLength(1);
    expect(txs[0]).toMatchObject({ state: 'ended', startedOffline: true, idTokenStatus: 'Blocked' });
    await bed.waitFor(isCsmsVerdict(/^CDR sent$/), { from: before, what: 'CDR sent' });
    const cdrs = await mspCdrsOf(bed, emaid);
    expect(cdrs.map((c) => c.cdrId)).toEqual([cdrIdOf(BACKEND_STATION_ID, txs[0]!.transactionId)]);
  });
});

// --- 7: PostgreSQL restarts under the backend -------------------------------------------------------------------------

describe('7. PostgreSQL restart between and during sessions', () => {
  let postgres: TestPostgresStatus = { available: false, reason: 'not started' };
  let bed: BackendTestbed | undefined;
  beforeAll(async () => {
    postgres = await startTestPostgres();
    if (!postgres.available || !postgres.server.restart) return;
    bed = await startBackendTestbed({
      csmsDatabaseUrl: await postgres.server.createDatabase(),
      mspDatabaseUrl: await postgres.server.createDatabase(),
      // Refused events are retried every second for half a minute: longer than any outage below.
      stationVariables: { messageAttemptsTransactionEvent: '30', messageAttemptIntervalTransactionEventS: '1' },
    });
  }, 60_000);
  afterAll(async () => {
    await bed?.close();
    if (postgres.available) await postgres.server.stop();
  });

  it('every session completes or fails with a clear status; after recovery one completes; each transaction once with its CDR', async (ctx) => {
    if (!postgres.available) return ctx.skip(`PostgreSQL unavailable: ${postgres.reason}`);
    if (!postgres.server.restart || !bed) return ctx.skip('PostgreSQL from PNC_TEST_POSTGRES_URL: not ours to restart');
    const b = bed;
    const restart = postgres.server.restart;
    const emaid = b.defaultEmaid;
    await b.addAccount(emaid);
    const runs: SessionRun[] = [];
    const completed = (run: SessionRun) => expect(run.result, describeEvents(run.events())).toMatchObject({ authorized: true, charged: true, outcome: 'OK' });
    /** Charged, or refused with a reason: the CSMS's C07 pair, or the charger's offline rule when the CSMS could not answer. */
    const completedOrClearlyRefused = (run: SessionRun, to: number) => {
      if (run.result.authorized) return completed(run);
      const said = [...b.authorizeAnswers(run.from, to).map((a) => `${a.certificateStatus}/${a.status}`), ...run.events().slice(0, to - run.from).filter(isCheck('charger', 'offline contract authorization')).map((c) => `offline: ${c.detail ?? ''}`)];
      expect(said, describeEvents(run.events())).toHaveLength(1);
      expect(run.result.responseCodes.AuthorizationRes).toBe('FAILED');
    };

    const first = await b.session();
    completed(first);
    runs.push(first);
    await cdrSent(b, first);

    // Between two sessions: the pools lose every connection and must open new ones.
    await restart();
    const second = await b.session();
    completedOrClearlyRefused(second, b.events.length);
    runs.push(second);

    // During one: the database goes away after TransactionEvent Started and stays away until the EV has finished and
    // the CSMS has refused the Ended event (CALLERROR); the charger keeps it queued and delivers it afterwards.
    let from = b.events.length;
    const during = b.session({ chargeLoops: 15, chargeLoopPauseMs: 150 });
    await b.waitFor(isCsmsVerdict(/^Started recorded/), { from, what: 'Started recorded' });
    await restart({
      whileDown: async () => {
        await during;
        await b.waitFor((e) => e.party === 'csms' && e.kind === 'error' && e.error === 'TransactionEvent not recorded', { from, timeoutMs: 10_000, what: 'the Ended event refused while the database is down' });
      },
    });
    const third = await during;
    completed(third);
    runs.push(third);
    await b.waitFor(isCsmsVerdict(/^Ended recorded/), { from, timeoutMs: 15_000, what: 'the Ended event recorded after the database came back' });

    // A whole session while the database is down: refused with a status that says why, nothing recorded.
    from = b.events.length;
    let whileDown: SessionRun | undefined;
    await restart({
      whileDown: async () => {
        whileDown = await b.session();
      },
    });
    runs.push(whileDown!);
    expect(whileDown!.result.authorized, describeEvents(whileDown!.events())).toBe(false);
    expect(whileDown!.result.responseCodes.AuthorizationRes).toBe('FAILED');
    const answers = b.authorizeAnswers(from);
    const offline = whileDown!.events().filter(isCheck('charger', 'offline contract authorization'));
    // Either the CSMS answered (the eMSP, on the same server, could not be asked: NotAtThisTime) or it could not
    // answer at all and the charger's offline rule refused (ContractValidationOffline is false).
    expect(answers.length === 1 ? answers : offline.map((c) => [c.ok, c.detail])).toEqual(
      answers.length === 1 ? [{ certificateStatus: 'Accepted', status: 'NotAtThisTime', rule: 'C07.FR.14' }] : [[false, expect.any(String)]],
    );

    // After recovery a session completes.
    const last = await b.session();
    completed(last);
    runs.push(last);
    await cdrSent(b, last);

    // Every charged session is in the ledger once, ended, its CDR at the MSP once.
    await b.station.queue.settled();
    const charged = runs.filter((r) => r.result.authorized).length;
    expect(charged).toBeGreaterThanOrEqual(3);
    let txs: LedgerTransaction[] = [];
    for (let round = 0; round < 40; round++) {
      txs = (await b.csms.ledger.list({ limit: 1000 })).filter((t) => t.stationId === BACKEND_STATION_ID);
      if (txs.length >= charged && txs.every((t) => t.state === 'ended' && t.cdrState === 'sent')) break;
      // A CDR whose delivery fell into an outage waits out its back-off: let it come due.
      if (txs.some((t) => t.cdrState === 'pending')) await b.csms.dispatchCdrsAsIfLater(3_600_000);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(new Set(txs.map((t) => t.transactionId)).size).toBe(txs.length);
    expect(txs).toHaveLength(charged);
    for (const tx of txs) expect(tx).toMatchObject({ state: 'ended', hasStarted: true, idTokenStatus: 'Accepted', cdrState: 'sent' });
    for (const tx of txs) expect((await b.csms.ledger.events(BACKEND_STATION_ID, tx.transactionId)).map((e) => e.eventType)).toEqual(['Started', 'Ended']);
    const cdrs = await mspCdrsOf(b, emaid);
    expect(cdrs.map((c) => c.cdrId).sort()).toEqual(txs.map((t) => cdrIdOf(BACKEND_STATION_ID, t.transactionId)).sort());
  });
});
