// The CA database of a test PKI: every issued certificate with its status. `pnc pki revoke` writes it, the OCSP
// responder answers from it. Written atomically (temp file + rename) so a reader never sees half a file.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { CrlReason } from '../ocsp/ocspMessages.js';
import { CRL_REASONS } from '../ocsp/ocspMessages.js';

export interface CaDatabaseEntry {
  /** Certificate id in the PKI manifest. */
  readonly id: string;
  /** Manifest id of the issuing CA. */
  readonly issuerId: string;
  readonly serialHex: string;
  readonly subject: string;
  readonly notAfter: string;
  readonly status: 'valid' | 'revoked';
  readonly revokedAt?: string;
  readonly reason?: CrlReason;
}

export interface CaDatabase {
  readonly format: 'pnc-stack-ca-db/1';
  readonly entries: readonly CaDatabaseEntry[];
}

export class CaDatabaseError extends Error {
  override readonly name = 'CaDatabaseError';
}

export function emptyCaDatabase(): CaDatabase {
  return { format: 'pnc-stack-ca-db/1', entries: [] };
}

export function readCaDatabase(path: string): CaDatabase {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CaDatabaseError(`cannot read CA database ${path}: ${(e as Error).message}`);
  }
  return parseCaDatabase(text, path);
}

export function parseCaDatabase(text: string, path: string): CaDatabase {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CaDatabaseError(`CA database ${path} is not JSON: ${(e as Error).message}`);
  }
  return validate(parsed, path);
}

function validate(value: unknown, path: string): CaDatabase {
  const db = value as Partial<CaDatabase> | null;
  if (!db || db.format !== 'pnc-stack-ca-db/1' || !Array.isArray(db.entries)) throw new CaDatabaseError(`${path} is not a pnc-stack CA database`);
  for (const e of db.entries as unknown[]) {
    const x = (typeof e === 'object' && e !== null ? e : {}) as Partial<CaDatabaseEntry>;
    const ok =
      typeof x.id === 'string' &&
      typeof x.notAfter === 'string' &&
      !Number.isNaN(Date.parse(x.notAfter)) &&
      typeof x.issuerId === 'string' &&
      typeof x.serialHex === 'string' &&
      /^[0-9a-f]+$/.test(x.serialHex) &&
      (x.status === 'valid' || x.status === 'revoked') &&
      (x.reason === undefined || (CRL_REASONS as readonly string[]).includes(x.reason)) &&
      // A revoked entry says when: OCSP RevokedInfo.revocationTime is mandatory (RFC 6960 §4.2.1).
      (x.status === 'revoked' ? typeof x.revokedAt === 'string' && !Number.isNaN(Date.parse(x.revokedAt)) : x.revokedAt === undefined);
    if (!ok) throw new CaDatabaseError(`${path}: malformed entry ${JSON.stringify(e).slice(0, 200)}`);
  }
  return db as CaDatabase;
}

export function writeCaDatabase(path: string, db: CaDatabase): void {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(db, null, 1)}\n`, { mode: 0o644 });
  renameSync(tmp, path);
}

export function addEntries(db: CaDatabase, entries: readonly CaDatabaseEntry[]): CaDatabase {
  const taken = new Set(db.entries.map((e) => `${e.issuerId}:${e.serialHex}`));
  for (const e of entries) {
    // RFC 5280 §4.1.2.2: serials are unique per issuer.
    if (taken.has(`${e.issuerId}:${e.serialHex}`)) throw new CaDatabaseError(`serial ${e.serialHex} already issued by ${e.issuerId}`);
    taken.add(`${e.issuerId}:${e.serialHex}`);
  }
  return { ...db, entries: [...db.entries, ...entries] };
}

export function revokeEntries(db: CaDatabase, ids: readonly string[], at: number, reason: CrlReason): CaDatabase {
  const wanted = new Set(ids);
  return {
    ...db,
    entries: db.entries.map((e) =>
      wanted.has(e.id) && e.status !== 'revoked' ? { ...e, status: 'revoked' as const, revokedAt: new Date(at).toISOString(), reason } : e,
    ),
  };
}
