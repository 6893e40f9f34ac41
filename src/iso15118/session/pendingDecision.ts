// A contract (or EIM) decision the SECC waits for across several requests. Each request waits at most `waitMs` for the
// decision port — the EV's message timeout (2 s) is shorter than any backend round trip may be — and answers Ongoing
// meanwhile; the question is asked once and its promise kept. After `budgetMs` the SECC gives up (EVerest: 55 s,
// under the EV's 60 s Ongoing timeout).
import type { AuthorizationDecision } from './seccDecisionPort.js';

export type PollResult = AuthorizationDecision | { readonly status: 'expired' };

export class PendingDecision {
  private readonly started = performance.now();
  private inFlight: Promise<AuthorizationDecision> | undefined;
  private final: AuthorizationDecision | undefined;

  constructor(
    private readonly ask: () => Promise<AuthorizationDecision> | AuthorizationDecision,
    private readonly budgetMs: number,
    private readonly waitMs: number,
  ) {}

  async poll(): Promise<PollResult> {
    if (this.final) return this.final;
    this.inFlight ??= Promise.resolve()
      .then(this.ask)
      // A failing port is a refusal with its reason, never a crashed session.
      .then(
        (d) => d,
        (e: unknown): AuthorizationDecision => ({ status: 'rejected', reason: `decision port failed: ${e instanceof Error ? e.message : String(e)}` }),
      );
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([this.inFlight, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.waitMs)))]);
    clearTimeout(timer);
    if (waited) {
      this.inFlight = undefined;
      if (waited.status !== 'pending') return (this.final = waited);
    }
    if (performance.now() - this.started > this.budgetMs) return { status: 'expired' };
    return { status: 'pending' };
  }
}
