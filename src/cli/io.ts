// Where a command writes. The binary uses the process streams; tests pass collectors.
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Standard input, for commands that read one item per line (`pnc exi`). */
  readonly stdin?: NodeJS.ReadableStream;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
  stdin: process.stdin,
};

/** Exit codes shared by every command: 0 success, 1 a negative result or failure, 2 wrong usage. */
export const Exit = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
