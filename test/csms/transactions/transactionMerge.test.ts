// The pure merge rules: each sequence folded event by event (copies dropped by seqNo, as the ledger's unique
// constraint does), and the single rules the sequences rely on.
import { describe, expect, it } from 'vitest';
import { deliveredWh } from '../../../src/csms/transactions/meterReadings.js';
import { transactionEventFacts } from '../../../src/csms/transactions/transactionEventFacts.js';
import { eventsComplete, mergeTransactionEvent, type TransactionSnapshot } from '../../../src/csms/transactions/transactionMerge.js';
import { EMAID, EMAID_TOKEN, SEQUENCES, T0, te } from './eventSequences.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ctx = { now: NOW, gapGraceMs: 60_000 };

describe('mergeTransactionEvent over event sequences', () => {
  it.each(SEQUENCES.map((s) => [s.name, s] as const))('%s', (_name, seq) => {
    let state: TransactionSnapshot | undefined;
    const seen = new Set<number>();
    let applied = 0;
    let duplicates = 0;
    let cdrDueAt: number | undefined;
    seq.events.forEach((request, index) => {
      if (seen.has(request.seqNo)) {
        duplicates++;
        return;
      }
      seen.add(request.seqNo);
      applied++;
      const token = request.idToken ? { status: 'Accepted', authorizationReference: `REF-${request.seqNo}` } : undefined;
      const r = mergeTransactionEvent(state, transactionEventFacts(request), token, ctx);
      if (r.cdrDue) {
        expect(cdrDueAt, 'the CDR becomes due once').toBeUndefined();
        cdrDueAt = index;
      }
      expect(r.anomalies).toEqual([]);
      state = r.next;
    });
    const e = seq.expect;
    expect(state).toBeDefined();
    const s = state!;
    expect({ applied, duplicates }).toEqual({ applied: e.applied, duplicates: e.duplicates });
    expect(s.state).toBe(e.state);
    expect(s.idToken).toBe(e.idToken);
    expect(s.idTokenSeqNo).toBe(e.idTokenSeq);
    expect(s.authorizationReference).toBe(e.idTokenSeq === undefined ? undefined : `REF-${e.idTokenSeq}`);
    expect(s.startedAt).toBe(new Date(T0 + e.startedAtMin * 60_000).toISOString());
    expect(s.startedOffline).toBe(e.startedOffline);
    expect(deliveredWh(s.meterStart?.wh, s.meterEnd?.wh)).toBe(e.energyWh);
    expect(s.stoppedReason).toBe(e.stoppedReason);
    expect(s.cdrState).toBe(e.cdrState);
    expect(s.evseId).toBe(e.evseId);
    expect(cdrDueAt).toBe(e.cdrDueAt);
    if (e.cdrState === 'pending') {
      expect(s.cdrNextAttemptAt).toBe(e.cdrDue ? NOW.toISOString() : new Date(NOW.getTime() + 60_000).toISOString());
    }
    if (e.state === 'ended') expect(eventsComplete(s)).toBe(e.cdrDue);
  });
});

describe('mergeTransactionEvent rules', () => {
  const start = transactionEventFacts(te({ type: 'Started', seq: 0, min: 0, idToken: EMAID_TOKEN, meter: { value: 10 } }));
  const end = transactionEventFacts(te({ type: 'Ended', seq: 1, min: 5, meter: { value: 20 } }));

  it('reports a second Ended and keeps the first', () => {
    const a = mergeTransactionEvent(undefined, start, { status: 'Accepted' }, ctx).next;
    const b = mergeTransactionEvent(a, end, undefined, ctx).next;
    const again = transactionEventFacts(te({ type: 'Ended', seq: 2, min: 9, stoppedReason: 'Remote' }));
    const r = mergeTransactionEvent(b, again, undefined, ctx);
    expect(r.anomalies).toHaveLength(1);
    expect(r.anomalies[0]).toMatch(/second Ended/);
    expect(r.next.endedSeqNo).toBe(1);
    expect(r.next.stoppedReason).toBe('Local');
    expect(r.cdrDue).toBe(false);
  });

  it.each(['sending', 'sent', 'not-roaming', 'failed'] as const)('an event after the CDR went %s is late', (cdrState) => {
    const a = mergeTransactionEvent(mergeTransactionEvent(undefined, start, undefined, ctx).next, end, undefined, ctx).next;
    const late = transactionEventFacts(te({ type: 'Updated', seq: 5, min: 4, meter: { value: 19 } }));
    const r = mergeTransactionEvent({ ...a, cdrState }, late, undefined, ctx);
    expect(r.lateAfterCdr).toBe(true);
    expect(r.next.cdrState).toBe(cdrState);
    expect(r.cdrDue).toBe(false);
  });

  it('fills in the reference from a later event with the same token (case and dashes ignored)', () => {
    const a = mergeTransactionEvent(undefined, start, { status: 'Accepted' }, ctx).next;
    expect(a.authorizationReference).toBeUndefined();
    const again = transactionEventFacts(te({ type: 'Updated', seq: 1, min: 1, idToken: { idToken: 'de-pnc-c00000001-a', type: 'eMAID' } }));
    const b = mergeTransactionEvent(a, again, { status: 'Accepted', authorizationReference: 'REF-X' }, ctx).next;
    expect(b.authorizationReference).toBe('REF-X');
    expect(b.idToken).toBe(EMAID);
  });

  it('a lower seqNo arriving later with the token takes over token and reference', () => {
    const later = transactionEventFacts(te({ type: 'Updated', seq: 3, min: 3, idToken: { idToken: 'OTHER', type: 'ISO14443' } }));
    const a = mergeTransactionEvent(undefined, later, { status: 'Accepted', authorizationReference: 'R3' }, ctx).next;
    const b = mergeTransactionEvent(a, start, { status: 'Blocked' }, ctx).next;
    expect(b).toMatchObject({ idToken: EMAID, tokenType: 'eMAID', idTokenSeqNo: 0, idTokenStatus: 'Blocked', authorizationReference: undefined });
  });

  it('the gap filled later makes a waiting CDR due at once', () => {
    const a = mergeTransactionEvent(undefined, start, undefined, ctx).next;
    const gapEnd = transactionEventFacts(te({ type: 'Ended', seq: 2, min: 9, meter: { value: 30 } }));
    const b = mergeTransactionEvent(a, gapEnd, undefined, ctx);
    expect(b.cdrDue).toBe(false);
    const later = { now: new Date(NOW.getTime() + 5_000), gapGraceMs: 60_000 };
    const c = mergeTransactionEvent(b.next, transactionEventFacts(te({ type: 'Updated', seq: 1, min: 5 })), undefined, later);
    expect(c.cdrDue).toBe(true);
    expect(c.next.cdrNextAttemptAt).toBe(later.now.toISOString());
  });
});
