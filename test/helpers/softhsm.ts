// A throwaway SoftHSM2 (Debian: softhsm2) for tests: its own token directory and config, tokens initialised with
// softhsm2-util, and SOFTHSM2_CONF set for this process (SoftHSM reads it at C_Initialize) and its child processes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SOFTHSM_MODULE_CANDIDATES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so'];

export type SoftHsmAvailability = { readonly available: true; readonly modulePath: string } | { readonly available: false; readonly reason: string };

/** Unavailable only when softhsm2 is not installed (no softhsm2-util or no module). */
export function softHsmAvailability(): SoftHsmAvailability {
  const util = spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' });
  if (util.error || util.status !== 0) return { available: false, reason: 'softhsm2-util not found: apt-get install softhsm2' };
  const modulePath = SOFTHSM_MODULE_CANDIDATES.find((p) => existsSync(p));
  if (!modulePath) return { available: false, reason: `libsofthsm2.so not in ${SOFTHSM_MODULE_CANDIDATES.join(', ')}: apt-get install softhsm2` };
  return { available: true, modulePath };
}

export interface SoftHsmToken {
  readonly label: string;
  readonly pin: string;
  readonly soPin: string;
}

export interface SoftHsm {
  readonly modulePath: string;
  readonly dir: string;
  readonly confPath: string;
  readonly tokens: readonly SoftHsmToken[];
  /** Environment for child processes (openssl, pkcs11-tool) that must see the same tokens. */
  readonly env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/**
 * Creates the tokens (all before the module is first initialised in this process: SoftHSM reads its token directory
 * at C_Initialize). PINs are random per run.
 */
export function createSoftHsm(labels: readonly string[] = ['pnc']): SoftHsm {
  const availability = softHsmAvailability();
  if (!availability.available) throw new Error(availability.reason);
  const dir = mkdtempSync(join(tmpdir(), 'pnc-softhsm-'));
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir, { mode: 0o700 });
  const confPath = join(dir, 'softhsm2.conf');
  writeFileSync(confPath, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = confPath;
  const env = { ...process.env, SOFTHSM2_CONF: confPath };
  const tokens = labels.map((label, i) => {
    const token = { label, pin: `${1000 + i}${Math.floor(Math.random() * 9000 + 1000)}`, soPin: `so-${i}-${Date.now()}` };
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', token.pin, '--so-pin', token.soPin], { env, stdio: 'pipe' });
    return token;
  });
  return {
    modulePath: availability.modulePath,
    dir,
    confPath,
    tokens,
    env,
    cleanup() {
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
