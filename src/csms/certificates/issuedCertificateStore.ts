// The log of certificates the CSMS signs for stations (SignCertificate → CertificateSigned): the request, the issued
// certificate and what the station answered. Several CSMS nodes may share it (PostgreSQL): a CSR is signed once per
// station because the database refuses a second row for it, and a redelivery is claimed by a conditional UPDATE.
import type { Kysely, Selectable } from 'kysely';
import { runMigrations, type StoreDatabase } from '../../store/index.js';
import { CERTIFICATE_MIGRATION_SCOPE, CERTIFICATE_MIGRATIONS } from './certificateMigrations.js';
import type { CertificateTables } from './certificateTables.js';
import type { SignedCertificateType } from './csrDecision.js';

export type IssuanceState =
  /** Claimed; the CA is signing. */
  | 'signing'
  /** The CA failed (detail says why); nothing was sent. */
  | 'signingFailed'
  /** Signed and stored; CertificateSigned is on its way. */
  | 'issued'
  /** The station answered CertificateSigned (station_status). */
  | 'answered'
  /** CertificateSigned could not be delivered (not connected, time-out, CALLERROR). */
  | 'deliveryFailed';

export interface IssuanceRecord {
  readonly id: number;
  readonly stationId: string;
  readonly certificateType: SignedCertificateType;
  readonly csrSha256: string;
  readonly state: IssuanceState;
  readonly suite?: string;
  readonly serialHex?: string;
  readonly fingerprint256?: string;
  readonly subject?: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly chainPem?: string;
  readonly stationStatus?: 'Accepted' | 'Rejected';
  readonly detail?: string;
  readonly requestedAt: string;
  readonly issuedAt?: string;
  readonly answeredAt?: string;
}

export interface IssuedFields {
  readonly suite?: string;
  readonly serialHex: string;
  readonly fingerprint256: string;
  readonly subject: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly chainPem: string;
}

export type ClaimResult = { readonly claimed: true; readonly id: number } | { readonly claimed: false; readonly existing: IssuanceRecord };

type Row = Selectable<CertificateTables['csms_issued_certificates']>;

function toRecord(r: Row): IssuanceRecord {
  const opt = <K extends string, V>(key: K, value: V | null): { [P in K]?: V } => (value === null ? {} : ({ [key]: value } as { [P in K]?: V }));
  return {
    id: Number(r.id),
    stationId: r.station_id,
    certificateType: r.certificate_type as SignedCertificateType,
    csrSha256: r.csr_sha256,
    state: r.state as IssuanceState,
    ...opt('suite', r.suite),
    ...opt('serialHex', r.serial_hex),
    ...opt('fingerprint256', r.fingerprint256),
    ...opt('subject', r.subject),
    ...opt('notBefore', r.not_before),
    ...opt('notAfter', r.not_after),
    ...opt('chainPem', r.chain_pem),
    ...opt('stationStatus', r.station_status as 'Accepted' | 'Rejected' | null),
    ...opt('detail', r.detail),
    requestedAt: r.requested_at,
    ...opt('issuedAt', r.issued_at),
    ...opt('answeredAt', r.answered_at),
  };
}

const clip = (s: string): string => (s.length <= 2000 ? s : `${s.slice(0, 1997)}...`);

export class IssuedCertificateStore {
  private constructor(
    private readonly db: Kysely<CertificateTables>,
    private readonly now: () => Date,
  ) {}

  /** Runs this area's migrations on `store` (which other areas may share) and returns the log. */
  static async open(store: StoreDatabase<unknown>, now: () => Date = () => new Date()): Promise<IssuedCertificateStore> {
    await runMigrations(store, CERTIFICATE_MIGRATION_SCOPE, CERTIFICATE_MIGRATIONS, now);
    return new IssuedCertificateStore(store.db as unknown as Kysely<CertificateTables>, now);
  }

  /** Claims the signing of one CSR for one station; a CSR seen before returns its record instead. */
  async claim(stationId: string, certificateType: SignedCertificateType, csrSha256: string): Promise<ClaimResult> {
    const row = await this.db
      .insertInto('csms_issued_certificates')
      .values({ station_id: stationId, certificate_type: certificateType, csr_sha256: csrSha256, state: 'signing', requested_at: this.now().toISOString() })
      .onConflict((oc) => oc.columns(['station_id', 'csr_sha256']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row) return { claimed: true, id: Number(row.id) };
    const existing = await this.db.selectFrom('csms_issued_certificates').selectAll().where('station_id', '=', stationId).where('csr_sha256', '=', csrSha256).executeTakeFirstOrThrow();
    return { claimed: false, existing: toRecord(existing) };
  }

  async recordIssued(id: number, issued: IssuedFields): Promise<void> {
    await this.db
      .updateTable('csms_issued_certificates')
      .set({
        state: 'issued',
        suite: issued.suite ?? null,
        serial_hex: issued.serialHex,
        fingerprint256: issued.fingerprint256,
        subject: issued.subject,
        not_before: new Date(issued.notBefore).toISOString(),
        not_after: new Date(issued.notAfter).toISOString(),
        chain_pem: issued.chainPem,
        issued_at: this.now().toISOString(),
      })
      .where('id', '=', id)
      .where('state', '=', 'signing')
      .execute();
  }

  async recordSigningFailed(id: number, detail: string): Promise<void> {
    await this.db.updateTable('csms_issued_certificates').set({ state: 'signingFailed', detail: clip(detail) }).where('id', '=', id).where('state', '=', 'signing').execute();
  }

  async recordAnswer(id: number, status: 'Accepted' | 'Rejected', detail?: string): Promise<void> {
    await this.db
      .updateTable('csms_issued_certificates')
      .set({ state: 'answered', station_status: status, detail: detail === undefined ? null : clip(detail), answered_at: this.now().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  async recordDeliveryFailed(id: number, detail: string): Promise<void> {
    await this.db.updateTable('csms_issued_certificates').set({ state: 'deliveryFailed', detail: clip(detail) }).where('id', '=', id).where('state', '=', 'issued').execute();
  }

  /** Takes a failed delivery back to 'issued' for one more attempt; false when another caller took it first. */
  async claimRedelivery(id: number): Promise<boolean> {
    const row = await this.db
      .updateTable('csms_issued_certificates')
      .set({ state: 'issued', detail: null })
      .where('id', '=', id)
      .where('state', '=', 'deliveryFailed')
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async get(id: number): Promise<IssuanceRecord | undefined> {
    const row = await this.db.selectFrom('csms_issued_certificates').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Newest first. */
  async list(options: { readonly stationId?: string; readonly limit?: number } = {}): Promise<IssuanceRecord[]> {
    let q = this.db.selectFrom('csms_issued_certificates').selectAll();
    if (options.stationId !== undefined) q = q.where('station_id', '=', options.stationId);
    const rows = await q.orderBy('id', 'desc').limit(Math.min(Math.max(options.limit ?? 100, 1), 1000)).execute();
    return rows.map(toRecord);
  }
}
