// `pnc csms station …` through commander, as main.ts wires it (csms → station), against a real SQLite file: output
// JSON, exit codes, and that the registry really holds what the commands said.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCsmsStationCommands } from '../../../src/cli/csmsStationCommands.js';
import { Exit, UsageError, type CliIo } from '../../../src/cli/io.js';
import { StationRegistry } from '../../../src/csms/stations/stationRegistry.js';
import { openDatabase, StoreError } from '../../../src/store/index.js';

let dir = '';
let db = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pnc-station-cli-'));
  db = `sqlite:${join(dir, 'csms.db')}`;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same error-to-exit-code mapping as src/cli/main.ts run(). */
async function pnc(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), env: {} };
  const outcome: { result: Promise<number> | number } = { result: Exit.ok };
  const program = new Command('pnc').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  registerCsmsStationCommands(program.command('csms'), io, (r) => {
    outcome.result = r;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: await outcome.result, stdout, stderr };
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? Exit.ok : Exit.usage, stdout, stderr };
    if (e instanceof UsageError) return { code: Exit.usage, stdout, stderr: stderr + e.message };
    if (e instanceof StoreError) return { code: Exit.failed, stdout, stderr: stderr + e.message };
    throw e;
  }
}

async function registry<T>(f: (r: StationRegistry) => Promise<T>): Promise<T> {
  const store = await openDatabase<unknown>(db);
  try {
    return await f(await StationRegistry.open(store));
  } finally {
    await store.close();
  }
}

describe('pnc csms station', () => {
  it('add prints the generated password, which the registry then accepts', async () => {
    const r = await pnc('csms', 'station', 'add', 'CS-CLI-1', '--db', db);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; password: string };
    expect(out.id).toBe('CS-CLI-1');
    expect(out.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await registry((x) => x.verifyPassword('CS-CLI-1', out.password))).toBe(true);
  });

  it('add with --password and --min-security-profile; a second add of the same id fails with exit 1', async () => {
    const r = await pnc('csms', 'station', 'add', 'CS-CLI-2', '--db', db, '--password', 'my-own-password-123', '--min-security-profile', '2');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: 'CS-CLI-2', password: 'my-own-password-123' });
    expect(await registry((x) => x.get('CS-CLI-2'))).toMatchObject({ minSecurityProfile: 2 });
    const again = await pnc('csms', 'station', 'add', 'CS-CLI-2', '--db', db);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already registered/);
  });

  it.for([
    [['add', 'CS/BAD', '--db', 'DB'], /station id/],
    [['add', 'CS-OK', '--db', 'DB', '--password', 'short'], /16–40/],
    [['add', 'CS-OK', '--db', 'DB', '--min-security-profile', '4'], /invalid|Allowed choices/i],
    [['add-many', '--db', 'DB', '--prefix', 'L-', '--count', '0', '--password', 'load-password-000000'], /--count/],
    [['add-many', '--db', 'DB', '--prefix', 'L-', '--count', 'ten', '--password', 'load-password-000000'], /--count/],
    [['add', 'CS-OK'], /--db/],
  ] as const)('refuses %j with exit 2', async ([args, message]) => {
    const r = await pnc('csms', 'station', ...args.map((a) => (a === 'DB' ? db : a)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(await registry((x) => x.get('CS-OK'))).toBeUndefined();
  });

  it('add-many registers PREFIX1…PREFIXN; list shows them without passwords', async () => {
    const r = await pnc('csms', 'station', 'add-many', '--db', db, '--prefix', 'LOAD-', '--count', '25', '--password', 'load-password-000000');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ prefix: 'LOAD-', count: 25, first: 'LOAD-1', last: 'LOAD-25' });
    const list = await pnc('csms', 'station', 'list', '--db', db, '--prefix', 'LOAD-');
    const lines = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(25);
    expect(lines.every((l) => !('password' in l) && !JSON.stringify(l).includes('sha256'))).toBe(true);
    expect(await registry((x) => x.verifyPassword('LOAD-25', 'load-password-000000'))).toBe(true);
  });

  it('set-password prints the new password and the old one stops working', async () => {
    await pnc('csms', 'station', 'add', 'CS-CLI-3', '--db', db, '--password', 'first-password-0000');
    const r = await pnc('csms', 'station', 'set-password', 'CS-CLI-3', '--db', db);
    expect(r.code).toBe(0);
    const { password } = JSON.parse(r.stdout) as { password: string };
    expect(await registry((x) => x.verifyPassword('CS-CLI-3', password))).toBe(true);
    expect(await registry((x) => x.verifyPassword('CS-CLI-3', 'first-password-0000'))).toBe(false);
    expect((await pnc('csms', 'station', 'set-password', 'CS-NOPE', '--db', db)).code).toBe(1);
  });

  it('set-profile changes the minimum security profile', async () => {
    await pnc('csms', 'station', 'add', 'CS-CLI-4', '--db', db);
    const r = await pnc('csms', 'station', 'set-profile', 'CS-CLI-4', '--db', db, '--min-security-profile', '3');
    expect(JSON.parse(r.stdout)).toEqual({ id: 'CS-CLI-4', minSecurityProfile: 3 });
    expect(await registry((x) => x.get('CS-CLI-4'))).toMatchObject({ minSecurityProfile: 3 });
  });

  it('remove unregisters; removing again exits 1', async () => {
    await pnc('csms', 'station', 'add', 'CS-CLI-5', '--db', db);
    const r = await pnc('csms', 'station', 'remove', 'CS-CLI-5', '--db', db);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: 'CS-CLI-5', removed: true });
    expect(await registry((x) => x.get('CS-CLI-5'))).toBeUndefined();
    const again = await pnc('csms', 'station', 'remove', 'CS-CLI-5', '--db', db);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({ id: 'CS-CLI-5', removed: false });
  });

  it('a bad database URL is a failed command, not a crash', async () => {
    const r = await pnc('csms', 'station', 'list', '--db', 'mysql://nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unsupported database scheme/);
  });
});
