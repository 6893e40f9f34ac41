// PostgreSQL for the CSMS load benchmark: the server in PNC_BENCH_POSTGRES_URL when set (a fresh database per run,
// dropped afterwards), else a throwaway cluster from the installed server binaries (Debian: /usr/lib/postgresql/<major>/bin)
// in a temp dir, on a free loopback port. initdb refuses root, so as root the cluster runs as the `postgres` user.
// Settings: durable writes (fsync on) with synchronous_commit off — the same durability class as SQLite in WAL mode
// with synchronous=NORMAL (a crash can lose the last commits, never corrupt).
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './freePort.js';

const run = promisify(execFile);

export class BenchPostgresError extends Error {
  override readonly name = 'BenchPostgresError';
}

export interface BenchPostgres {
  readonly source: 'env' | 'local-cluster';
  /** A new, empty database; returns its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export async function startBenchPostgres(env: NodeJS.ProcessEnv = process.env): Promise<BenchPostgres> {
  const url = env.PNC_BENCH_POSTGRES_URL;
  if (url !== undefined && url !== '') {
    await query(url, 'select 1').catch((e: unknown) => {
      throw new BenchPostgresError(`PNC_BENCH_POSTGRES_URL does not answer: ${(e as Error).message}`);
    });
    return server(url, 'env', () => Promise.resolve());
  }
  return startLocalCluster(env);
}

function server(adminUrl: string, source: BenchPostgres['source'], shutdown: () => Promise<void>): BenchPostgres {
  const created: string[] = [];
  return {
    source,
    async createDatabase() {
      const name = `pnc_bench_${process.pid}_${Date.now().toString(36)}_${created.length}`;
      await query(adminUrl, `create database ${name}`);
      created.push(name);
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async stop() {
      try {
        if (source === 'env') for (const name of created) await query(adminUrl, `drop database if exists ${name} with (force)`);
      } finally {
        await shutdown();
      }
    },
  };
}

function binDir(env: NodeJS.ProcessEnv): string {
  const explicit = env.PNC_BENCH_POSTGRES_BIN ?? env.PNC_TEST_POSTGRES_BIN;
  if (explicit) return explicit;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  throw new BenchPostgresError(`no PostgreSQL server binaries under ${root}; set PNC_BENCH_POSTGRES_URL or PNC_BENCH_POSTGRES_BIN`);
}

async function startLocalCluster(env: NodeJS.ProcessEnv): Promise<BenchPostgres> {
  const bin = binDir(env);
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'pnc-bench-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout);
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout);
    chownSync(dir, uid, gid);
  }
  const exec = (file: string, args: readonly string[]): Promise<unknown> => (asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: dir }) : run(file, [...args], { cwd: dir }));
  const stopCluster = (): Promise<unknown> => exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  try {
    await exec(join(bin, 'initdb'), ['-D', data, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const options = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-c unix_socket_directories=${dir}`,
      '-c max_connections=300',
      '-c shared_buffers=256MB',
      '-c synchronous_commit=off',
    ].join(' ');
    try {
      await exec(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '30', '-o', options, 'start']);
    } catch (e) {
      throw new BenchPostgresError(`pg_ctl start failed: ${(e as Error).message}\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''}`);
    }
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await query(adminUrl, 'select 1');
    return server(adminUrl, 'local-cluster', async () => {
      try {
        await stopCluster();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  } catch (e) {
    // A half-started server is stopped before its directory goes; the first error is the one reported.
    await stopCluster().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function query(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, query_timeout: 30_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
