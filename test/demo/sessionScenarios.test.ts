// The session scenarios of the demo are tests too: each runs a real SECC and the EV simulator on loopback (SDP, TLS,
// EXI) and must end in its expected outcome, with the sequence recorded under the scenario.
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/runDemo.js';
import { SESSION_SCENARIOS } from '../../src/demo/sessionScenarios.js';

describe('session scenarios', () => {
  it('each ends as expected and records the sequence between EV and charger', async () => {
    const results = await runDemo({ scenarios: SESSION_SCENARIOS, passphrase: 'test-passphrase' });
    expect(results.map((r) => r.name)).toEqual(['iso2-pnc-ac', 'iso2-pnc-dc', 'iso20-pnc-p521', 'iso20-pnc-ed448', 'replayed-challenge', 'tampered-signature']);
    for (const r of results) {
      expect(r.outcome, r.name).toBe(r.expected);
      const messages = r.steps.filter((s) => s.kind === 'message').map((s) => (s.kind === 'message' ? s.message : ''));
      expect(messages[0], r.name).toBe('supportedAppProtocolReq');
      expect(messages).toContain('AuthorizationReq');
    }
    const charged = results.filter((r) => r.outcome.startsWith('charged'));
    for (const r of charged) expect(r.steps.some((s) => s.kind === 'message' && s.message === 'SessionStopRes')).toBe(true);
    const replay = results.find((r) => r.name === 'replayed-challenge')!;
    expect(replay.steps.some((s) => s.kind === 'check' && s.check === 'challenge' && !s.ok)).toBe(true);
  });
});
