// `pnc bench ocsp`: responses per second of `pnc ocsp serve` against `openssl ocsp` serving the same CA, both as
// separate processes on loopback, driven by the same load generator with the same request bytes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCaDatabase } from '../pki/generator/caDatabase.js';
import { initPki, PkiDirectory } from '../pki/generator/pkiDirectory.js';
import { certIdFor } from '../pki/ocsp/certId.js';
import { encodeOcspRequest } from '../pki/ocsp/ocspMessages.js';
import { verifyOcspResponse } from '../pki/ocsp/ocspVerify.js';
import { runLoad, type LoadResult } from './httpLoad.js';

export interface OcspBenchOptions {
  readonly seconds: number;
  readonly connections: number;
  readonly log: (line: string) => void;
}

export interface OcspBenchRow {
  /** `ceiling`: fastify sending a prepared response without any OCSP work (the transport limit of this machine). */
  readonly server: 'pnc' | 'openssl' | 'ceiling';
  readonly request: 'nonce' | 'no-nonce';
  readonly perSecond: number;
  readonly errors: number;
}

export interface OcspBenchResult {
  readonly rows: readonly OcspBenchRow[];
  readonly ratios: { readonly nonce?: number; readonly noNonce?: number };
  readonly opensslVersion?: string;
  readonly connections: number;
  readonly seconds: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when `pattern` appears on the child's stdout or stderr. */
function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen.slice(-400)}`)), 15_000);
    const look = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${seen.slice(-400)}`));
    });
  });
}

/** OpenSSL's index.txt for one CA: V/R, expiry, revocation, serial (even-length uppercase hex), file, subject. */
function opensslIndex(dbPath: string, caId: string): string {
  const stamp = (iso: string): string => new Date(iso).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return readCaDatabase(dbPath)
    .entries.filter((e) => e.issuerId === caId)
    .map((e) => {
      const serial = (e.serialHex.length % 2 ? `0${e.serialHex}` : e.serialHex).toUpperCase();
      const revoked = e.status === 'revoked' ? `${stamp(e.revokedAt!)},${e.reason ?? 'unspecified'}` : '';
      return [e.status === 'revoked' ? 'R' : 'V', stamp(e.notAfter), revoked, serial, 'unknown', `/CN=${e.id}`].join('\t');
    })
    .join('\n')
    .concat('\n');
}

export async function ocspBench(o: OcspBenchOptions): Promise<OcspBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pnc-bench-ocsp-'));
  const children: ChildProcess[] = [];
  try {
    const pncPort = await freePort();
    const passphrase = randomBytes(9).toString('base64url');
    initPki(dir, { protocol: 'iso2', ocspUrl: `http://127.0.0.1:${pncPort}/ocsp`, passphrase });
    const pki = PkiDirectory.open(dir);
    const caId = 'iso2/mo-sub2';
    const contract = pki.entries((e) => e.role === 'contract')[0]!;
    const ca = pki.certificate(caId);
    const certId = certIdFor(pki.certificate(contract.id), ca, 'SHA256');
    const nonce = randomBytes(16);
    const requests = { nonce: encodeOcspRequest([certId], nonce), 'no-nonce': encodeOcspRequest([certId]) };

    const bin = fileURLToPath(new URL('../../bin/pnc.js', import.meta.url));
    const pnc = spawn(process.execPath, [bin, 'ocsp', 'serve', '--dir', dir, '--port', String(pncPort), '--log-level', 'warn'], {
      env: { ...process.env, PNC_PKI_PASSPHRASE: passphrase },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(pnc);
    await waitFor(pnc, /listening on/, 'pnc ocsp serve');

    const targets: { server: OcspBenchRow['server']; port: number; path: string }[] = [{ server: 'pnc', port: pncPort, path: '/ocsp' }];
    let opensslVersion: string | undefined;
    const version = spawn('openssl', ['version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    version.stdout.on('data', (d: Buffer) => (opensslVersion = d.toString().trim()));
    const hasOpenssl = await new Promise<boolean>((r) => {
      version.on('error', () => r(false));
      version.on('exit', (code) => r(code === 0));
    });
    if (hasOpenssl) {
      const sslPort = await freePort();
      writeFileSync(join(dir, 'index.txt'), opensslIndex(pki.databasePath, caId));
      // `-port` binds every interface (OpenSSL 3.0 has no host option for the responder).
      const ssl = spawn(
        'openssl',
        // The signer's encrypted key, its passphrase through the environment.
        ['ocsp', '-index', join(dir, 'index.txt'), '-port', String(sslPort), '-rsigner', pki.path(pki.entry(`${caId}-ocsp`).certificate), '-rkey', pki.path(pki.entry(`${caId}-ocsp`).key), '-passin', 'env:PNC_BENCH_PASSPHRASE', '-CA', pki.path(pki.entry(caId).certificate), '-nmin', '60'],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PNC_BENCH_PASSPHRASE: passphrase } },
      );
      children.push(ssl);
      await waitFor(ssl, /ACCEPT|waiting for OCSP client/, 'openssl ocsp');
      targets.push({ server: 'openssl', port: sslPort, path: '/' });
    } else {
      o.log('openssl not found: measuring pnc only');
    }

    // The ceiling server replays one real response of ours; started after a first answer exists.
    const prepared = join(dir, 'prepared-response.der');
    const first = await runLoad({ host: '127.0.0.1', port: pncPort, path: '/ocsp', body: requests['no-nonce'], contentType: 'application/ocsp-request', connections: 1, durationMs: 50 });
    writeFileSync(prepared, first.sample ?? Buffer.alloc(0));
    const ceilingPort = await freePort();
    const ceiling = spawn(process.execPath, [fileURLToPath(new URL('./constantServer.js', import.meta.url)), String(ceilingPort), prepared], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(ceiling);
    await waitFor(ceiling, /listening on/, 'constant server');

    const rows: OcspBenchRow[] = [];
    {
      await runLoad({ host: '127.0.0.1', port: ceilingPort, path: '/', body: requests['no-nonce'], contentType: 'application/ocsp-request', connections: o.connections, durationMs: 500 });
      const r = await runLoad({ host: '127.0.0.1', port: ceilingPort, path: '/', body: requests['no-nonce'], contentType: 'application/ocsp-request', connections: o.connections, durationMs: o.seconds * 1000 });
      rows.push({ server: 'ceiling', request: 'no-nonce', perSecond: Math.round(r.perSecond), errors: r.errors });
      o.log(`${'ceiling'.padEnd(8)} (fastify sending a prepared response, no OCSP work) ${Math.round(r.perSecond)} responses/s`);
    }
    for (const kind of ['no-nonce', 'nonce'] as const) {
      for (const t of targets) {
        const load = (ms: number): Promise<LoadResult> =>
          runLoad({ host: '127.0.0.1', port: t.port, path: t.path, body: requests[kind], contentType: 'application/ocsp-request', connections: o.connections, durationMs: ms });
        await load(500); // warm-up: JIT, TLS-free sockets, OpenSSL caches
        const r = await load(o.seconds * 1000);
        if (!r.sample) throw new Error(`${t.server} answered nothing`);
        // Count only real work: the sample must be a signed, fresh "good" for the asked certificate.
        const verified = verifyOcspResponse(r.sample, {
          requests: [{ certId, issuer: ca }],
          now: Date.now(),
          ...(kind === 'nonce' ? { nonce } : {}),
        });
        if (verified.results[0]?.status.status !== 'good') throw new Error(`${t.server} did not answer good`);
        rows.push({ server: t.server, request: kind, perSecond: Math.round(r.perSecond), errors: r.errors });
        o.log(`${t.server.padEnd(8)} ${kind.padEnd(9)} ${Math.round(r.perSecond)} responses/s (${r.errors} errors, ${r.reconnects} connections)`);
      }
    }
    const ratio = (kind: OcspBenchRow['request']): number | undefined => {
      const p = rows.find((r) => r.server === 'pnc' && r.request === kind);
      const s = rows.find((r) => r.server === 'openssl' && r.request === kind);
      return p && s && s.perSecond > 0 ? Math.round((p.perSecond / s.perSecond) * 10) / 10 : undefined;
    };
    const withNonce = ratio('nonce');
    const noNonce = ratio('no-nonce');
    return {
      rows,
      ratios: { ...(withNonce !== undefined ? { nonce: withNonce } : {}), ...(noNonce !== undefined ? { noNonce } : {}) },
      ...(opensslVersion ? { opensslVersion } : {}),
      connections: o.connections,
      seconds: o.seconds,
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
