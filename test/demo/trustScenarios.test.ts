// The demo's scenario catalogue is also a test: every scenario must end in its expected outcome on a live loopback
// bench (real PKI on disk, real OCSP responder over HTTP).
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/runDemo.js';
import { TRUST_SCENARIOS } from '../../src/demo/trustScenarios.js';

describe('trust scenarios', () => {
  it('each ends as expected and records its sequence', async () => {
    const results = await runDemo({ scenarios: TRUST_SCENARIOS, passphrase: 'test-passphrase' });
    expect(results.map((r) => r.name)).toEqual(TRUST_SCENARIOS.map((s) => s.name));
    for (const r of results) {
      expect(r.outcome, r.name).toBe(r.expected);
      expect(r.ok).toBe(true);
      // Each sequence starts with the EV presenting its chain and ends with the charger's verdict.
      expect(r.steps.some((s) => s.kind === 'message' && s.from === 'ev' && s.to === 'charger')).toBe(true);
      expect(r.steps.at(-1)).toMatchObject({ kind: 'verdict', party: 'charger' });
    }
    const revoked = results.find((r) => r.name === 'trust-revoked-contract')!;
    expect(revoked.steps.some((s) => s.kind === 'message' && s.from === 'ocsp' && s.message === 'OCSPResponse revoked')).toBe(true);
  });

  it('a scenario that throws is reported as failed, and the others still run', async () => {
    const broken = { name: 'broken', description: 'throws', expected: 'never', run: () => Promise.reject(new Error('boom')) };
    const results = await runDemo({ scenarios: [broken, TRUST_SCENARIOS[0]!], passphrase: 'test-passphrase' });
    expect(results[0]).toMatchObject({ name: 'broken', ok: false, outcome: 'error: boom' });
    expect(results[1]!.ok).toBe(true);
  });
});
