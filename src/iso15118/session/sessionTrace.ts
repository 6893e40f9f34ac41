// Trace events of one V2G session, from one party's point of view (the SECC's or the EV's): every message with its
// direction and time, every check with its result and duration, and verdicts.
import type { Party, TracedCertificate } from '../../trace/traceEvent.js';
import type { Tracer } from '../../trace/tracer.js';

export class SessionTrace {
  session: string | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly peer: Party,
  ) {}

  private get base(): { session?: string; party: Party } {
    return { ...(this.session ? { session: this.session } : {}), party: this.tracer.party };
  }

  received(message: string, detail?: string): void {
    this.tracer.emit({ kind: 'message', ...this.base, from: this.peer, to: this.tracer.party, message, ...(detail ? { detail } : {}) });
  }

  /** `certificates`: the chain the message carries, leaf first (tracedCertificates). */
  sent(message: string, ms?: number, detail?: string, certificates?: readonly TracedCertificate[]): void {
    this.tracer.emit({ kind: 'message', ...this.base, from: this.tracer.party, to: this.peer, message, ...(ms !== undefined ? { ms } : {}), ...(detail ? { detail } : {}), ...withChain(certificates) });
  }

  /** `certificates`: the chain the check judged, leaf first (tracedCertificates). */
  check(check: string, ok: boolean, detail?: string, ms?: number, certificates?: readonly TracedCertificate[]): void {
    this.tracer.emit({ kind: 'check', ...this.base, check, ok, ...(detail ? { detail } : {}), ...(ms !== undefined ? { ms } : {}), ...withChain(certificates) });
  }

  verdict(verdict: string, detail?: string, ms?: number): void {
    this.tracer.emit({ kind: 'verdict', ...this.base, verdict, ...(detail ? { detail } : {}), ...(ms !== undefined ? { ms } : {}) });
  }

  error(error: string, detail?: string): void {
    this.tracer.emit({ kind: 'error', ...this.base, error, ...(detail ? { detail } : {}) });
  }
}

function withChain(certificates: readonly TracedCertificate[] | undefined): { certificates?: readonly TracedCertificate[] } {
  return certificates && certificates.length > 0 ? { certificates } : {};
}
