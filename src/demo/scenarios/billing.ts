// The billing account at the MSP, over OCPI: suspended, unknown provider, and PnC Direct (a card hold at a payment
// processor instead of an invoice: pre-authorised at the start, settled from the CDR).
import { randomBytes } from 'node:crypto';
import type { LoopbackSystem } from '../loopbackSystem.js';
import type { Scenario } from '../scenario.js';
import { authorizeSummary, cdrDelivered, evOutcome, freshEmaid, mspAsked, transactionSummary } from '../sessionFacts.js';

const eur = (minor: number): string => `EUR ${(minor / 100).toFixed(2)}`;

/** A PnC Direct customer: a card at the simulated processor (unique to this run) and a contract whose account pays with it. */
async function directCustomer(system: LoopbackSystem, balanceMinor: number): Promise<{ card: string; emaid: string }> {
  const card = `card-${randomBytes(6).toString('hex')}`;
  await system.msp.processorAdmin.addCard({ token: card, balanceMinor, currency: 'EUR', expires: '2035-12' });
  const emaid = system.issueContract(freshEmaid());
  await system.addAccount(emaid, { paymentToken: card });
  return { card, emaid };
}

async function refusedSession(system: LoopbackSystem, emaid: string): Promise<string> {
  const before = await system.csms.ledger.list({ limit: 1000 });
  const run = await system.session({ emaid });
  const asked = mspAsked(run.events());
  return [evOutcome(run), authorizeSummary(system, run.from), asked === 0 ? 'MSP not asked' : `MSP asked ${asked}×`, transactionSummary(await system.newTransactions(before))].join(' · ');
}

export const BILLING: readonly Scenario[] = [
  {
    name: 'suspended-account',
    description: 'the contract is valid but its account at the MSP is suspended: the MSP answers BLOCKED, the CSMS ContractCancelled (C07.FR.13)',
    expected: 'FAILED · Authorize ContractCancelled/Blocked · MSP asked 1× · no transaction',
    async run(system) {
      const emaid = system.issueContract(freshEmaid());
      await system.addAccount(emaid);
      await system.msp.store.accounts.setStatus(emaid, 'suspended');
      return refusedSession(system, emaid);
    },
  },
  {
    name: 'unknown-msp',
    description: 'the eMAID names a provider (DE*XYZ) the CPO has no roaming agreement with: ContractCancelled/Unknown, no MSP asked',
    expected: 'FAILED · Authorize ContractCancelled/Unknown · MSP not asked · no transaction',
    run: (system) => refusedSession(system, system.issueContract(freshEmaid('XYZ'))),
  },
  {
    name: 'pnc-direct',
    description: 'PnC Direct: the MSP maps the eMAID to a card, holds EUR 50.00 at the processor when the session starts and captures the CDR total from it at the end',
    expected: 'charged (TLSv1.2) · Authorize Accepted/Accepted · held EUR 50.00 while charging · CDR at MSP · captured the CDR total, nothing left held',
    async run(system) {
      const { card, emaid } = await directCustomer(system, 100_000);
      const from = system.events.length;
      const session = system.session({ emaid, chargeLoops: 8 });
      await system.waitFor((e) => e.party === 'csms' && e.kind === 'message' && e.message === 'AuthorizeResponse', { from, what: 'AuthorizeResponse' });
      const during = await system.msp.processorAdmin.card(card);
      const run = await session;
      const cdr = run.result.charged ? await cdrDelivered(system, run.from) : 'no CDR';
      const capture = await system
        .waitFor((e) => e.party === 'msp' && e.kind === 'check' && e.check === 'payment capture', { from, what: 'payment capture' })
        .catch(() => undefined);
      const stored = (await system.msp.store.cdrs.list()).find((c) => (JSON.parse(c.body) as { cdr_token: { uid: string } }).cdr_token.uid === emaid);
      const after = await system.msp.processorAdmin.card(card);
      const totalMinor = stored ? Math.round(stored.totalCost * 100) : undefined;
      const settled =
        capture?.kind === 'check' && capture.ok && totalMinor !== undefined && after?.balanceMinor === 100_000 - totalMinor
          ? `captured the CDR total${after.heldMinor === 0 ? ', nothing left held' : `, ${eur(after.heldMinor)} still held`}`
          : `not settled (${capture?.kind === 'check' ? capture.detail : 'no capture'}; balance ${after ? eur(after.balanceMinor) : '?'})`;
      return [evOutcome(run), authorizeSummary(system, run.from), `held ${eur(during?.heldMinor ?? 0)} while charging`, cdr, settled].join(' · ');
    },
  },
  {
    name: 'pnc-direct-declined',
    description: 'PnC Direct with a card that cannot cover the EUR 50.00 hold: the processor declines, the MSP answers NO_CREDIT, the CSMS Accepted/NoCredit',
    expected: 'FAILED · Authorize Accepted/NoCredit · nothing held · no transaction',
    async run(system) {
      const { card, emaid } = await directCustomer(system, 1_200);
      const before = await system.csms.ledger.list({ limit: 1000 });
      const run = await system.session({ emaid });
      const after = await system.msp.processorAdmin.card(card);
      return [evOutcome(run), authorizeSummary(system, run.from), after?.heldMinor === 0 ? 'nothing held' : `${eur(after?.heldMinor ?? 0)} held`, transactionSummary(await system.newTransactions(before))].join(' · ');
    },
  },
];
