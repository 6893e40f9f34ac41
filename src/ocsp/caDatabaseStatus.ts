// StatusSource over the CA database file. The file is re-read when it changes on disk, checked on every request, so
// `pnc pki revoke` takes effect on the very next OCSP request. The check is an fstat of the open file: writers replace
// the file by rename, which leaves the old inode with no links, and in-place edits change its size or mtime.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { CaDatabaseError, parseCaDatabase, type CaDatabase } from '../pki/generator/caDatabase.js';
import type { SingleStatus } from '../pki/ocsp/ocspMessages.js';
import type { StatusSource } from '../pki/ocsp/ocspResponderCore.js';

export class CaDatabaseStatus implements StatusSource {
  private fd: number | undefined;
  private stamp = '';
  private generation = 0;
  private index = new Map<string, SingleStatus>();

  constructor(private readonly path: string) {
    this.refresh();
  }

  /** Reloads if the file changed; a broken file throws (the responder then answers internalError, never stale data). */
  refresh(): void {
    if (this.fd !== undefined) {
      const st = fstatSync(this.fd);
      if (st.nlink > 0 && `${st.size}:${st.mtimeMs}:${st.ctimeMs}` === this.stamp) return;
      closeSync(this.fd);
      this.fd = undefined;
    }
    const fd = openSync(this.path, 'r');
    try {
      const st = fstatSync(fd);
      const text = readFileSync(fd, 'utf8');
      this.index = indexOf(parseCaDatabase(text, this.path));
      this.stamp = `${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
      this.fd = fd;
      this.generation++;
    } catch (e) {
      closeSync(fd);
      if (e instanceof CaDatabaseError) throw e;
      throw new CaDatabaseError(`cannot read CA database ${this.path}: ${(e as Error).message}`);
    }
  }

  status(authorityId: string, serialHex: string): SingleStatus {
    // RFC 6960 §2.2: "unknown" when the responder does not know the certificate, never "good" by default.
    return this.index.get(`${authorityId}:${serialHex}`) ?? { status: 'unknown' };
  }

  version(): number {
    this.refresh();
    return this.generation;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function indexOf(db: CaDatabase): Map<string, SingleStatus> {
  const index = new Map<string, SingleStatus>();
  for (const e of db.entries) {
    const status: SingleStatus =
      e.status === 'revoked'
        ? { status: 'revoked', revokedAt: Date.parse(e.revokedAt!), ...(e.reason ? { reason: e.reason } : {}) }
        : { status: 'good' };
    index.set(`${e.issuerId}:${e.serialHex}`, status);
  }
  return index;
}
