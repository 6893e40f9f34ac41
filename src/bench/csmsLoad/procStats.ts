// Memory and CPU of another process, read from Linux /proc: VmRSS and VmHWM (the kernel's own peak) from
// /proc/<pid>/status, utime + stime from /proc/<pid>/stat, sampled on a timer so the peak under load is seen.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export class ProcStatsError extends Error {
  override readonly name = 'ProcStatsError';
}

export interface MemoryStatus {
  readonly rssKb: number;
  readonly hwmKb: number;
}

/** VmRSS and VmHWM (kB) from the text of /proc/<pid>/status. */
export function parseProcStatus(text: string): MemoryStatus {
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
    if (!m) throw new ProcStatsError(`no ${field} in /proc status`);
    return Number(m[1]);
  };
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

/** utime + stime (clock ticks) from the text of /proc/<pid>/stat; the command name may hold spaces and parentheses. */
export function parseProcStatTicks(text: string): number {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new ProcStatsError('malformed /proc stat');
  // After "pid (comm) " the fields start at field 3 (state); utime and stime are fields 14 and 15.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new ProcStatsError('malformed /proc stat: no utime/stime');
  return utime + stime;
}

let clockTicks: number | undefined;
/** USER_HZ: clock ticks per second of /proc times (getconf CLK_TCK; 100 on every common Linux). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim());
      clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
    } catch {
      // getconf missing: the kernel's USER_HZ is 100 on all mainstream architectures.
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** One reading, or undefined when the process is gone. */
export function readProcess(pid: number): (MemoryStatus & { readonly cpuTicks: number }) | undefined {
  let status: string;
  let stat: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
    throw e;
  }
  return { ...parseProcStatus(status), cpuTicks: parseProcStatTicks(stat) };
}

export interface ProcessUsage {
  readonly pid: number;
  /** Highest of the sampled VmRSS and the kernel's VmHWM, MB. */
  readonly rssPeakMb: number;
  /** VmRSS at the `connected` mark (idle connections, before the load), MB. */
  readonly rssAtMarkMb: Readonly<Record<string, number>>;
  /** CPU between two marks, % of one core (200 % = both cores of this machine). */
  readonly cpuPercent: number;
  readonly samples: number;
}

/** Samples one process every `intervalMs`; `mark(name)` notes CPU time and RSS at a moment (e.g. window start/end). */
export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined;
  private peakKb = 0;
  private count = 0;
  private readonly marks = new Map<string, { at: number; ticks: number; rssKb: number }>();

  constructor(
    readonly pid: number,
    private readonly intervalMs = 500,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  private sample(): ReturnType<typeof readProcess> {
    const r = readProcess(this.pid);
    if (r) {
      this.peakKb = Math.max(this.peakKb, r.rssKb, r.hwmKb);
      this.count++;
    }
    return r;
  }

  mark(name: string): void {
    const r = this.sample();
    if (r) this.marks.set(name, { at: performance.now(), ticks: r.cpuTicks, rssKb: r.rssKb });
  }

  /** Stops sampling; CPU is measured between the marks `from` and `to`. */
  stop(from: string, to: string): ProcessUsage {
    this.sample();
    clearInterval(this.timer);
    const a = this.marks.get(from);
    const b = this.marks.get(to);
    const seconds = a && b ? (b.at - a.at) / 1000 : 0;
    const cpuPercent = a && b && seconds > 0 ? Math.round(((b.ticks - a.ticks) / ticksPerSecond() / seconds) * 1000) / 10 : 0;
    return {
      pid: this.pid,
      rssPeakMb: Math.round(this.peakKb / 1024),
      rssAtMarkMb: Object.fromEntries([...this.marks].map(([k, v]) => [k, Math.round(v.rssKb / 1024)])),
      cpuPercent,
      samples: this.count,
    };
  }
}
