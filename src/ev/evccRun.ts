// What the -2 and -20 EVCCs share: how a run ends (a refusal, a broken channel, an unreadable response), the
// Ongoing loop, and the milestones a run reports.
import { ExiError } from '../exi/index.js';
import { ChannelError, type V2gChannel } from '../iso15118/session/v2gChannel.js';

/** Ends the run with `outcome` (a response code that is not OK, or what the EV could not go on with). */
export class EvccStop extends Error {
  override readonly name = 'EvccStop';
  constructor(readonly outcome: string) {
    super(outcome);
  }
}

/** The outcome of an error that ends a session the ordinary way; undefined for a fault of ours (rethrown). */
export function endingOutcome(e: unknown): string | undefined {
  if (e instanceof EvccStop) return e.outcome;
  if (e instanceof ChannelError) return `${e.code}: ${e.message}`;
  // A response the EV cannot read: the session cannot go on.
  if (e instanceof ExiError) return `exi: ${e.message}`;
  return undefined;
}

export interface EvccResult<Signed> {
  /** The SECC said Finished to an AuthorizationReq. */
  readonly authorized: boolean;
  /** PowerDelivery Start was accepted and the charge loop ran. */
  readonly charged: boolean;
  /** SessionStop answered OK. */
  readonly stopped: boolean;
  /** The charger asked the EV to stop during the charge loop (-2 StopCharging, -20 Terminate). */
  readonly stoppedByCharger: boolean;
  /** `OK`, the code that ended it, or what broke (`closed: …`, `timeout: …`, `not offered: …`, `exi: …`). */
  readonly outcome: string;
  readonly responseCodes: Readonly<Record<string, string>>;
  /** What the EV signed in its first AuthorizationReq (what a replay test replays). */
  readonly signedAuthorization?: Signed;
  readonly sessionId?: string;
  /** performance.now() when AuthorizationRes Finished arrived (callers measure from their own start). */
  readonly authorizedAt?: number;
}

/** The milestones of one run, turned into its result at the end. */
export class EvccProgress<Signed> {
  readonly codes: Record<string, string> = {};
  charged = false;
  stopped = false;
  stoppedByCharger = false;
  signedAuthorization: Signed | undefined;
  private authorizedAt: number | undefined;

  authorize(): void {
    this.authorizedAt = performance.now();
  }

  result(outcome: string, sessionId: Uint8Array): EvccResult<Signed> {
    return {
      authorized: this.authorizedAt !== undefined,
      charged: this.charged,
      stopped: this.stopped,
      stoppedByCharger: this.stoppedByCharger,
      outcome,
      responseCodes: this.codes,
      ...(this.signedAuthorization ? { signedAuthorization: this.signedAuthorization } : {}),
      ...(this.authorizedAt !== undefined ? { authorizedAt: this.authorizedAt } : {}),
      sessionId: Buffer.from(sessionId).toString('hex'),
    };
  }
}

/** Re-asks while the SECC answers Ongoing, up to V2G_EVCC_Ongoing_Timeout (60 s), pausing between polls. */
export async function whileOngoing<T extends { EVSEProcessing: string }>(first: T, again: () => Promise<T>, timeoutMs = 60_000, pollMs = 200): Promise<T> {
  let r = first;
  const deadline = performance.now() + timeoutMs;
  while (r.EVSEProcessing !== 'Finished') {
    if (performance.now() > deadline) throw new EvccStop('timeout: V2G_EVCC_Ongoing_Timeout');
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    r = await again();
  }
  return r;
}

/**
 * Runs an EVCC sequence to its end: `OK` when it completes, the outcome of whatever ended it otherwise; the channel is
 * closed either way. `sessionId` is read at the end (the SECC assigns it during the run).
 */
export async function runEvccSequence<Signed>(channel: V2gChannel, progress: EvccProgress<Signed>, sessionId: () => Uint8Array, sequence: () => Promise<void>): Promise<EvccResult<Signed>> {
  try {
    await sequence();
    return progress.result('OK', sessionId());
  } catch (e) {
    const outcome = endingOutcome(e);
    if (outcome === undefined) throw e;
    return progress.result(outcome, sessionId());
  } finally {
    channel.close();
  }
}
