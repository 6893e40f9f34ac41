// Work the CSMS starts after answering a station (sign a CSR, then call CertificateSigned): tracked so that shutdown
// and tests can wait for it, bounded so that a flood of requests cannot queue unbounded work, and never an unhandled
// rejection — a job that fails unexpectedly is reported to `onError` (the tracer).
export class BackgroundJobsFullError extends Error {
  override readonly name = 'BackgroundJobsFullError';
}

export class BackgroundJobs {
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly onError: (error: unknown) => void,
    /** Jobs in flight at most; run() refuses more. */
    readonly limit = 1000,
  ) {}

  get size(): number {
    return this.running.size;
  }

  /** Whether run() would take one more job now. */
  get accepting(): boolean {
    return !this.closed && this.running.size < this.limit;
  }

  /** Starts `job` after `delayMs` (the current answer goes out first). Throws BackgroundJobsFullError when full or closed. */
  run(job: () => Promise<void>, delayMs = 0): void {
    if (!this.accepting) throw new BackgroundJobsFullError(this.closed ? 'shutting down' : `${this.limit} jobs in flight`);
    const p = new Promise<void>((resolve) => setTimeout(resolve, delayMs))
      .then(job)
      .catch((e: unknown) => this.onError(e))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Resolves when every job started so far (and those they start) has ended. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  /** Refuses new jobs and waits for the running ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }
}
