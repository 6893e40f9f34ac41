// StatusSource over the CA database file. The file is re-read when it changes on disk, checked on every request, so
// `pnc pki revoke` takes effect on the very next OCSP request. The check is an fstat of the open file: writers replace
// the file by rename, which leaves the old inode with no links, and in-place edits change its size or mtime.
// A CA whose key is compromised takes every certificate under it down with it (RFC 6960 §2.7, see caCompromise below):
// that is how a revoked CPO Sub-CA reaches an EV, which only ever sees the stapled status of the SECC leaf.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { CaDatabaseError, parseCaDatabase, type CaDatabase, type CaDatabaseEntry } from '../pki/generator/caDatabase.js';
import type { CrlReason, SingleStatus } from '../pki/ocsp/ocspMessages.js';
import type { StatusSource } from '../pki/ocsp/ocspResponderCore.js';

export class CaDatabaseStatus implements StatusSource {
  private fd: number | undefined;
  private stamp = '';
  private generation = 0;
  private index = new Map<string, SingleStatus>();
  /** CA entry id → when it, or a CA above it, was revoked for a compromise (the earliest such time). */
  private compromisedSince = new Map<string, number>();

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
      const db = parseCaDatabase(text, this.path);
      this.index = indexOf(db);
      this.compromisedSince = compromisedCas(db);
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
    const own = this.index.get(`${authorityId}:${serialHex}`) ?? { status: 'unknown' };
    return withIssuerCompromise(own, this.compromisedSince.get(authorityId));
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

/**
 * CA revocation reasons that revoke everything the CA issued. RFC 6960 §2.7: "If an OCSP responder knows that a
 * particular CA's private key has been compromised, it MAY return the revoked state for all certificates issued by
 * that CA" — keyCompromise and cACompromise say exactly that. `unspecified` (and a revocation without a reason) is
 * treated the same way, failing closed: RFC 5280 §5.3.1 asks CAs to omit the reason rather than say unspecified, so such
 * an entry gives no assurance that the key is safe; it is also what `pnc pki revoke` records without --reason, and an
 * operator revoking a CPO Sub-CA expects its SECCs to be refused.
 * Not propagated: superseded, cessationOfOperation, affiliationChanged, privilegeWithdrawn, certificateHold (and
 * aACompromise, which concerns attribute authorities). The CA's key is then not in doubt, so what it signed before
 * stays authentic (RFC 5280 §5.3.1); each certificate keeps its own status here, and a relying party that checks the
 * whole path (RFC 5280 §6.1.3 (a)(3)) still sees the CA's own revocation when it asks about the CA.
 */
const COMPROMISE_REASONS: ReadonlySet<CrlReason | undefined> = new Set<CrlReason | undefined>(['keyCompromise', 'cACompromise', 'unspecified', undefined]);

function revokedForCompromise(e: CaDatabaseEntry): boolean {
  return e.status === 'revoked' && COMPROMISE_REASONS.has(e.reason);
}

/**
 * For every CA entry, the earliest compromise revocation of it or of a CA above it (walking issuerId up to the
 * self-issued root). Only entries that issued something are CAs, but any entry may be asked for: a leaf issues nothing.
 */
function compromisedCas(db: CaDatabase): Map<string, number> {
  const byId = new Map(db.entries.map((e) => [e.id, e]));
  const memo = new Map<string, number | undefined>();
  const since = (id: string, walking: Set<string>): number | undefined => {
    if (memo.has(id)) return memo.get(id);
    const e = byId.get(id);
    // An unknown issuer, or a loop in a hand-edited database: nothing more is known above.
    if (!e || walking.has(id)) return undefined;
    walking.add(id);
    const own = revokedForCompromise(e) ? Date.parse(e.revokedAt!) : undefined;
    const above = e.issuerId === e.id ? undefined : since(e.issuerId, walking);
    const earliest = own === undefined ? above : above === undefined ? own : Math.min(own, above);
    memo.set(id, earliest);
    return earliest;
  };
  const out = new Map<string, number>();
  for (const issuerId of new Set(db.entries.map((e) => e.issuerId))) {
    const t = since(issuerId, new Set());
    if (t !== undefined) out.set(issuerId, t);
  }
  return out;
}

/**
 * A certificate under a compromised CA is revoked with reason cACompromise (RFC 5280 §5.3.1: the certificate's issuer
 * — here, some CA on its path — was compromised) at the CA's revocation time; that includes serials the database never
 * recorded, since a certificate forged with the stolen key is the very one to refuse. A certificate revoked on its
 * own before the compromise keeps its own, earlier entry: revocationTime is the moment from which it is not to be
 * trusted.
 */
function withIssuerCompromise(own: SingleStatus, compromisedAt: number | undefined): SingleStatus {
  if (compromisedAt === undefined) return own;
  if (own.status === 'revoked' && own.revokedAt <= compromisedAt) return own;
  return { status: 'revoked', revokedAt: compromisedAt, reason: 'cACompromise' };
}
