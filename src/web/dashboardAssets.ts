// The page's static files, read once at start-up into memory and served only by their exact names (nothing is looked
// up on disk per request, so no path from a request ever reaches the file system).
//
// They live in src/web/public. Run from src (tsx, vitest) they sit next to this module; run from dist (tsc output)
// they are next to it only if the build copied them, otherwise they are found at ../../src/web/public.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DashboardStartError } from './dashboardErrors.js';

export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** URL path → file name under public/. */
export const DASHBOARD_ASSET_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/dashboard.js': 'dashboard.js',
  '/diagramView.js': 'diagramView.js',
  '/dashboard.css': 'dashboard.css',
  '/favicon.svg': 'favicon.svg',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Where the public folder may be, in order, for a module in `moduleDir`. */
export function publicDirCandidates(moduleDir: string): string[] {
  return [join(moduleDir, 'public'), join(moduleDir, '..', '..', 'src', 'web', 'public')];
}

async function readAll(dir: string): Promise<Map<string, DashboardAsset>> {
  const assets = new Map<string, DashboardAsset>();
  for (const [path, file] of Object.entries(DASHBOARD_ASSET_FILES)) {
    const ext = file.slice(file.lastIndexOf('.') + 1);
    assets.set(path, { body: await readFile(join(dir, file)), contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream' });
  }
  return assets;
}

function isMissing(e: unknown): boolean {
  return e instanceof Error && 'code' in e && (e.code === 'ENOENT' || e.code === 'ENOTDIR');
}

export async function loadDashboardAssets(moduleDir: string = fileURLToPath(new URL('.', import.meta.url))): Promise<Map<string, DashboardAsset>> {
  const tried = publicDirCandidates(moduleDir);
  for (const dir of tried) {
    try {
      return await readAll(dir);
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
  }
  throw new DashboardStartError(`the dashboard's page files are missing (looked in ${tried.join(' and ')})`);
}
