import { describe, expect, it } from 'vitest';
import type { DemoStep } from '../../src/demo/scenarioResult.js';
import type { TracedCertificate } from '../../src/trace/traceEvent.js';
import type { DashboardSession } from '../../src/web/dashboardTypes.js';
import {
  clipText,
  diagramRow,
  diagramRows,
  LANES,
  MAX_CHAIN_LENGTH,
  MAX_DETAIL_CHARS,
  MAX_LABEL_CHARS,
  sessionVerdict,
  type DiagramRow,
} from '../../src/web/sequenceDiagram.js';

const cert = (n: number): TracedCertificate => ({
  subject: `CN=cert ${n}`,
  issuer: `CN=cert ${n + 1}`,
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2028-01-01T00:00:00.000Z',
  bytes: 500 + n,
  serialHex: `0${n}`,
});

describe('diagramRow', () => {
  const cases: { name: string; step: DemoStep; row: DiagramRow }[] = [
    {
      name: 'message EV → charger is an arrow to the right',
      step: { kind: 'message', party: 'charger', from: 'ev', to: 'charger', message: 'PaymentDetailsReq', detail: 'eMAID DE-PNC-C00000001', ms: 1.234, t: 12 },
      row: { kind: 'arrow', index: 0, t: 12, party: 'charger', from: 'ev', to: 'charger', fromColumn: 0, toColumn: 1, direction: 'right', label: 'PaymentDetailsReq', detail: 'eMAID DE-PNC-C00000001', ms: 1.2 },
    },
    {
      name: 'message MSP → CSMS is an arrow to the left over two lanes',
      step: { kind: 'message', party: 'csms', from: 'msp', to: 'csms', message: 'AuthorizationInfo', t: 40.6 },
      row: { kind: 'arrow', index: 0, t: 41, party: 'csms', from: 'msp', to: 'csms', fromColumn: 4, toColumn: 2, direction: 'left', label: 'AuthorizationInfo' },
    },
    {
      name: 'message from a lane to itself is a self arrow',
      step: { kind: 'message', party: 'csms', from: 'csms', to: 'csms', message: 'retry', t: 1 },
      row: { kind: 'arrow', index: 0, t: 1, party: 'csms', from: 'csms', to: 'csms', fromColumn: 2, toColumn: 2, direction: 'self', label: 'retry' },
    },
    {
      name: 'message with a chain keeps the chain, leaf first',
      step: { kind: 'message', party: 'ev', from: 'ev', to: 'charger', message: 'CertificateInstallationReq', certificates: [cert(1), cert(2)], t: 3 },
      row: { kind: 'arrow', index: 0, t: 3, party: 'ev', from: 'ev', to: 'charger', fromColumn: 0, toColumn: 1, direction: 'right', label: 'CertificateInstallationReq', certificates: [cert(1), cert(2)] },
    },
    {
      name: 'message from the PKI (no lane) is a note',
      step: { kind: 'message', party: 'pki', from: 'pki', to: 'ocsp', message: 'revoke', detail: 'iso2/contract/X', t: 0 },
      row: { kind: 'note', of: 'message', index: 0, t: 0, party: 'pki', text: 'PKI → OCSP: revoke', detail: 'iso2/contract/X' },
    },
    {
      name: 'message to the demo (no lane) is a note',
      step: { kind: 'message', party: 'charger', from: 'charger', to: 'demo', message: 'done', t: 5 },
      row: { kind: 'note', of: 'message', index: 0, t: 5, party: 'charger', text: 'Charger → Demo: done' },
    },
    {
      name: 'passed check is a box on its lane',
      step: { kind: 'check', party: 'charger', check: 'contract chain', ok: true, detail: 'valid', ms: 0.04, t: 14 },
      row: { kind: 'check', index: 0, t: 14, party: 'charger', lane: 'charger', column: 1, name: 'contract chain', ok: true, detail: 'valid', ms: 0 },
    },
    {
      name: 'failed check keeps ok false and its chain',
      step: { kind: 'check', party: 'csms', check: 'OCSP status', ok: false, detail: 'revoked', ms: 7.77, certificates: [cert(3)], t: 20 },
      row: { kind: 'check', index: 0, t: 20, party: 'csms', lane: 'csms', column: 2, name: 'OCSP status', ok: false, detail: 'revoked', ms: 7.8, certificates: [cert(3)] },
    },
    {
      name: 'check of the demo is a note with its result',
      step: { kind: 'check', party: 'demo', check: 'outcome', ok: false, t: 99 },
      row: { kind: 'note', of: 'check', index: 0, t: 99, party: 'demo', text: 'Demo check: outcome', ok: false },
    },
    {
      name: 'verdict is a verdict box on its lane',
      step: { kind: 'verdict', party: 'ev', verdict: 'Accepted', ms: 250, t: 300 },
      row: { kind: 'verdict', index: 0, t: 300, party: 'ev', lane: 'ev', column: 0, verdict: 'Accepted', ms: 250 },
    },
    {
      name: 'verdict of the demo is a note',
      step: { kind: 'verdict', party: 'demo', verdict: 'CertificateRevoked', t: 300 },
      row: { kind: 'note', of: 'verdict', index: 0, t: 300, party: 'demo', text: 'Demo verdict: CertificateRevoked' },
    },
    {
      name: 'error is an error box on its lane',
      step: { kind: 'error', party: 'msp', error: 'OCPI 503', detail: 'try later', t: 8 },
      row: { kind: 'error', index: 0, t: 8, party: 'msp', lane: 'msp', column: 4, error: 'OCPI 503', detail: 'try later' },
    },
    {
      name: 'error of the PKI is a failed note',
      step: { kind: 'error', party: 'pki', error: 'no such certificate', t: 8 },
      row: { kind: 'note', of: 'error', index: 0, t: 8, party: 'pki', text: 'PKI error: no such certificate', ok: false },
    },
    {
      name: 'negative, NaN and infinite durations are left out; t is never negative',
      step: { kind: 'check', party: 'ocsp', check: 'signature', ok: true, ms: Number.NaN, t: -4 },
      row: { kind: 'check', index: 0, t: 0, party: 'ocsp', lane: 'ocsp', column: 3, name: 'signature', ok: true },
    },
    {
      name: 'an empty detail is left out',
      step: { kind: 'verdict', party: 'charger', verdict: 'Ongoing', detail: '', ms: -1, t: 2 },
      row: { kind: 'verdict', index: 0, t: 2, party: 'charger', lane: 'charger', column: 1, verdict: 'Ongoing' },
    },
  ];
  it.each(cases)('$name', ({ step, row }) => {
    expect(diagramRow(step, 0)).toEqual(row);
  });

  it('keeps the step index', () => {
    const steps: DemoStep[] = [
      { kind: 'message', party: 'ev', from: 'ev', to: 'charger', message: 'a', t: 0 },
      { kind: 'check', party: 'charger', check: 'b', ok: true, t: 1 },
      { kind: 'verdict', party: 'charger', verdict: 'c', t: 2 },
    ];
    expect(diagramRows(steps).map((r) => [r.index, r.kind])).toEqual([
      [0, 'arrow'],
      [1, 'check'],
      [2, 'verdict'],
    ]);
  });

  it('has the five lanes in order', () => {
    expect(LANES).toEqual(['ev', 'charger', 'csms', 'ocsp', 'msp']);
  });
});

describe('hostile and huge trace text', () => {
  it('clips labels and details, and turns control characters into spaces', () => {
    const row = diagramRow({ kind: 'message', party: 'ev', from: 'ev', to: 'charger', message: 'x'.repeat(5000), detail: `a\u0000b\r\nc\td${'y'.repeat(10_000)}`, t: 0 }, 0);
    expect(row.kind).toBe('arrow');
    if (row.kind !== 'arrow') return;
    expect(row.label).toHaveLength(MAX_LABEL_CHARS);
    expect(row.label.endsWith('…')).toBe(true);
    expect(row.detail).toHaveLength(MAX_DETAIL_CHARS);
    expect(row.detail?.startsWith('a b  c\td')).toBe(true);
  });

  it('keeps markup as text (escaping is the renderer’s job, nothing is dropped)', () => {
    const row = diagramRow({ kind: 'check', party: 'csms', check: '<img src=x onerror=alert(1)>', ok: false, t: 0 }, 0);
    expect(row.kind === 'check' && row.name).toBe('<img src=x onerror=alert(1)>');
  });

  it('shows at most MAX_CHAIN_LENGTH certificates and says how many were left off', () => {
    const chain = Array.from({ length: MAX_CHAIN_LENGTH + 3 }, (_, i) => cert(i));
    const row = diagramRow({ kind: 'check', party: 'charger', check: 'chain', ok: true, certificates: chain, t: 0 }, 0);
    expect(row.certificates).toHaveLength(MAX_CHAIN_LENGTH);
    expect(row.certificatesLeftOff).toBe(3);
  });

  it('repairs nonsense certificate sizes', () => {
    const row = diagramRow({ kind: 'check', party: 'charger', check: 'chain', ok: true, certificates: [{ ...cert(1), bytes: -5 }, { ...cert(2), bytes: 812.6 }], t: 0 }, 0);
    expect(row.certificates?.map((c) => c.bytes)).toEqual([0, 813]);
  });

  it.each([
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['eleven char', 10, 'eleven ch…'],
    ['tab\tstays, newline\ngoes', 100, 'tab\tstays, newline goes'],
    ['\u007f', 5, ' '],
  ])('clipText(%j, %i) = %j', (text, max, expected) => {
    expect(clipText(text, max)).toBe(expected);
  });
});

describe('sessionVerdict', () => {
  const scenario = { name: 'revoked-contract', description: 'contract revoked at the OCSP responder', expected: 'CertificateRevoked' };
  const base = { id: 's1', scenario, startedAt: 1 } as const;
  const cases: { name: string; session: DashboardSession; verdict: ReturnType<typeof sessionVerdict> }[] = [
    { name: 'running', session: { ...base, state: 'running' }, verdict: { state: 'running' } },
    {
      name: 'done as expected',
      session: { ...base, state: 'done', result: { name: 'revoked-contract', expected: 'CertificateRevoked', outcome: 'CertificateRevoked', ok: true, ms: 412.6 } },
      verdict: { state: 'done', outcome: 'CertificateRevoked', expected: 'CertificateRevoked', ok: true, ms: 413 },
    },
    {
      name: 'done, not as expected',
      session: { ...base, state: 'done', result: { name: 'revoked-contract', expected: 'CertificateRevoked', outcome: 'Accepted', ok: false, ms: 90 } },
      verdict: { state: 'done', outcome: 'Accepted', expected: 'CertificateRevoked', ok: false, ms: 90 },
    },
    {
      name: 'done without a result is a failure',
      session: { ...base, state: 'done' },
      verdict: { state: 'done', outcome: '(no result)', expected: 'CertificateRevoked', ok: false, ms: 0 },
    },
  ];
  it.each(cases)('$name', ({ session, verdict }) => {
    expect(sessionVerdict(session)).toEqual(verdict);
  });
});
