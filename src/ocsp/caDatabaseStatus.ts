// StatusSource over the CA database file. The file is re-read when it changes on disk (checked on every request, a
// stat costs microseconds), so `pnc pki revoke` takes effect on the very next OCSP request.
import { statSync } from 'node:fs';
import { readCaDatabase, type CaDatabase } from '../pki/generator/caDatabase.js';
import type { SingleStatus } from '../pki/ocsp/ocspMessages.js';
import type { StatusSource } from '../pki/ocsp/ocspResponderCore.js';

export class CaDatabaseStatus implements StatusSource {
  private stamp = '';
  private generation = 0;
  private index = new Map<string, SingleStatus>();

  constructor(private readonly path: string) {
    this.refresh();
  }

  /** Reloads if the file changed; a broken file keeps the last good state and throws for the caller to log. */
  refresh(): void {
    const st = statSync(this.path);
    const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (stamp === this.stamp) return;
    const db = readCaDatabase(this.path);
    this.index = indexOf(db);
    this.stamp = stamp;
    this.generation++;
  }

  status(authorityId: string, serialHex: string): SingleStatus {
    // RFC 6960 §2.2: "unknown" when the responder does not know the certificate, never "good" by default.
    return this.index.get(`${authorityId}:${serialHex}`) ?? { status: 'unknown' };
  }

  version(): number {
    this.refresh();
    return this.generation;
  }
}

function indexOf(db: CaDatabase): Map<string, SingleStatus> {
  const index = new Map<string, SingleStatus>();
  for (const e of db.entries) {
    const status: SingleStatus =
      e.status === 'revoked'
        ? { status: 'revoked', revokedAt: Date.parse(e.revokedAt ?? e.notAfter), ...(e.reason ? { reason: e.reason } : {}) }
        : { status: 'good' };
    index.set(`${e.issuerId}:${e.serialHex}`, status);
  }
  return index;
}
