// Structured trace output through pino. Each party owns a Tracer; listeners (the demo's sequence table, the dashboard)
// receive the same events the log gets.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Party, TraceEvent } from './traceEvent.js';

export type TraceListener = (event: TraceEvent & { readonly time: number }) => void;

export interface TracerOptions {
  readonly party: Party;
  /** Where the JSON lines go (default: stderr). */
  readonly destination?: DestinationStream;
  readonly level?: pino.LevelWithSilent;
  readonly listeners?: readonly TraceListener[];
}

export class Tracer {
  readonly logger: Logger;
  private readonly listeners: TraceListener[];
  readonly party: Party;

  constructor(options: TracerOptions) {
    this.party = options.party;
    this.listeners = [...(options.listeners ?? [])];
    this.logger = pino({ level: options.level ?? 'info', base: { party: options.party } }, options.destination ?? pino.destination(2));
  }

  onEvent(listener: TraceListener): void {
    this.listeners.push(listener);
  }

  emit(event: TraceEvent): void {
    // Under load with only warnings logged and nobody listening, an event costs nothing.
    if (this.listeners.length === 0 && !this.logger.isLevelEnabled(event.kind === 'error' ? 'warn' : 'info')) return;
    const stamped = { ...event, time: Date.now() };
    if (event.kind === 'error') this.logger.warn(event, event.error);
    else this.logger.info(event, event.kind);
    for (const l of this.listeners) l(stamped);
  }
}

/** A tracer that logs nowhere (library use and tests that only need listeners). */
export function silentTracer(party: Party, listeners: readonly TraceListener[] = []): Tracer {
  return new Tracer({ party, level: 'silent', listeners });
}
