// A real PostgreSQL for store tests: PNC_TEST_POSTGRES_URL when set and reachable, else a throwaway cluster started
// from the installed PostgreSQL binaries (Debian: /usr/lib/postgresql/<major>/bin) in a temp dir, listening on a free
// loopback port and a unix socket in that dir. initdb refuses root, so as root the cluster runs as the `postgres` user.
// "Unavailable" (with the reason) only when neither works, so tests can skip saying why.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface TestPostgres {
  /** Admin URL of the server (database "postgres" or the one in PNC_TEST_POSTGRES_URL). */
  readonly url: string;
  /** Where it came from, for test names. */
  readonly source: 'env' | 'local-cluster';
  /** A new, empty database; returns its URL. Dropped again by stop() when the server is not ours. */
  createDatabase(): Promise<string>;
  /**
   * Restarts the server (fast shutdown: every connection is cut, the data stays) and waits until it answers again.
   * With `whileDown`, the server stays down until that work has finished. Only for the throwaway cluster: a server
   * from PNC_TEST_POSTGRES_URL is not ours to restart, so it has no restart.
   */
  readonly restart?: (options?: RestartOptions) => Promise<void>;
  stop(): Promise<void>;
}

export interface RestartOptions {
  /** Runs while the server is stopped; the server starts again once it settles (either way). */
  readonly whileDown?: () => Promise<void>;
}

export type TestPostgresStatus = { readonly available: true; readonly server: TestPostgres } | { readonly available: false; readonly reason: string };

export async function startTestPostgres(): Promise<TestPostgresStatus> {
  const reasons: string[] = [];
  const envUrl = process.env.PNC_TEST_POSTGRES_URL;
  if (envUrl !== undefined && envUrl !== '') {
    try {
      await ping(envUrl);
      return { available: true, server: server(envUrl, 'env', () => Promise.resolve()) };
    } catch (e) {
      reasons.push(`PNC_TEST_POSTGRES_URL does not answer: ${messageOf(e)}`);
    }
  }
  try {
    return { available: true, server: await startLocalCluster() };
  } catch (e) {
    reasons.push(`no local cluster: ${messageOf(e)}`);
  }
  return { available: false, reason: reasons.join('; ') };
}

function server(url: string, source: TestPostgres['source'], shutdown: () => Promise<void>, restart?: TestPostgres['restart']): TestPostgres {
  const created: string[] = [];
  let counter = 0;
  return {
    url,
    source,
    ...(restart ? { restart } : {}),
    async createDatabase() {
      const name = `pnc_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
      await adminQuery(url, `create database ${name}`);
      created.push(name);
      const u = new URL(url);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async stop() {
      if (source === 'env') {
        for (const name of created) await adminQuery(url, `drop database if exists ${name} with (force)`);
      }
      await shutdown();
    },
  };
}

async function startLocalCluster(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'pnc-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    owner = { uid: Number((await run('id', ['-u', 'postgres'])).stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) };
    chownSync(dir, owner.uid, owner.gid);
  }
  const exec = (file: string, args: readonly string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: dir }) : run(file, [...args], { cwd: dir });

  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await exec(join(bin, 'initdb'), ['-D', data, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    // Throwaway data: no fsync. Only loopback TCP and a socket in our own dir.
    const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    try {
      await exec(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '30', '-o', serverOptions, 'start']);
    } catch (e) {
      throw new Error(`pg_ctl start failed: ${messageOf(e)}\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''}`, { cause: e });
    }
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await ping(url);
    return server(
      url,
      'local-cluster',
      async () => {
        try {
          await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } finally {
          cleanup();
        }
      },
      async (options = {}) => {
        const pgCtl = (args: readonly string[]) => exec(join(bin, 'pg_ctl'), ['-D', data, ...args]);
        if (options.whileDown === undefined) {
          // pg_ctl restart starts the server again with the options it was started with (postmaster.opts).
          await pgCtl(['-l', log, '-m', 'fast', '-w', '-t', '30', 'restart']);
        } else {
          await pgCtl(['-m', 'fast', '-w', '-t', '30', 'stop']);
          try {
            await options.whileDown();
          } finally {
            await pgCtl(['-l', log, '-w', '-t', '30', '-o', serverOptions, 'start']);
          }
        }
        await ping(url);
      },
    );
  } catch (e) {
    // Stop a half-started server before removing its directory; the first error is the one worth reporting.
    await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    cleanup();
    throw e;
  }
}

function postgresBinDir(): string {
  const explicit = process.env.PNC_TEST_POSTGRES_BIN;
  if (explicit !== undefined && explicit !== '') return explicit;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  throw new Error(`no PostgreSQL server binaries under ${root} (set PNC_TEST_POSTGRES_BIN)`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function ping(url: string): Promise<void> {
  await adminQuery(url, 'select 1');
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

