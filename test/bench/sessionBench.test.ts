// The session benchmark runs real sessions and reports consistent numbers (the numbers themselves are printed by
// `npm run bench:session`, not asserted).
import { describe, expect, it } from 'vitest';
import { sessionBench } from '../../src/bench/sessionBench.js';

describe('pnc bench session', () => {
  it('measures -2 plug-in → Finished and concurrent sessions without failures', async () => {
    const lines: string[] = [];
    const [row] = await sessionBench({ suites: ['iso2'], sessions: 5, concurrency: 3, seconds: 0.3, log: (l) => lines.push(l) });
    expect(row).toMatchObject({ suite: 'iso2', sessions: 5, failures: 0, keyExchange: 'P-256' });
    expect(row!.p50Ms).toBeGreaterThan(0);
    expect(row!.p99Ms).toBeGreaterThanOrEqual(row!.p50Ms);
    expect(row!.cryptoFloorMs).toBeGreaterThan(0);
    expect(row!.sessionsPerSecond).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/p50 .* ms {2}p99 .* crypto floor/);
  });
});
