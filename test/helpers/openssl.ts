// The real openssl binary as a test oracle and interop peer.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePem } from '../../src/pki/certificate/pem.js';

export interface OpensslResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function openssl(args: readonly string[], input?: Buffer): Promise<OpensslResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', [...args], { encoding: 'buffer', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(new Error(`openssl could not run: ${err.message}`));
        return;
      }
      resolve({ code: child.exitCode ?? 0, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') });
    });
    if (input) child.stdin?.end(input);
  });
}

/** A scratch directory removed by the returned cleanup. */
export function scratch(prefix = 'pnc-test-'): { dir: string; file(name: string, content: string | Buffer): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const pemOf = (ders: readonly Buffer[]): string => ders.map((d) => encodePem('CERTIFICATE', d)).join('');

/** `openssl verify -x509_strict` of leaf with untrusted sub-CAs against roots, at a fixed time. */
export async function opensslVerify(leaf: Buffer, subCAs: readonly Buffer[], roots: readonly Buffer[], at: number): Promise<{ ok: boolean; output: string }> {
  const s = scratch('pnc-verify-');
  try {
    const args = ['verify', '-x509_strict', '-attime', String(Math.floor(at / 1000)), '-CAfile', s.file('roots.pem', pemOf(roots))];
    if (subCAs.length) args.push('-untrusted', s.file('subs.pem', pemOf(subCAs)));
    args.push(s.file('leaf.pem', pemOf([leaf])));
    const r = await openssl(args);
    return { ok: r.code === 0 && /: OK\s*$/.test(r.stdout), output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    s.cleanup();
  }
}

export function spawnOpenssl(args: readonly string[]): ChildProcess {
  return spawn('openssl', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}
