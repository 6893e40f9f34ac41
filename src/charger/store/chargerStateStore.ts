// Everything the charger keeps across restarts (issue 5 §5): device-model variables, installed certificates, the SECC
// credential, the local authorization list, the contract block-list, open transactions and the durable queue of
// messages for the CSMS. Never the contract chain or an eMAID in clear: queued payloads are sealed (they may carry an
// idToken), the block-list holds SHA-256 fingerprints only.
import type { IdTokenInfoType, IdTokenType, InstallCertificateUseEnumType } from '../../ocpp/generated/ocpp201.js';

export type TlsSuiteName = 'iso2' | 'iso20-p521' | 'iso20-ed448';

export interface VariableKey {
  readonly component: string;
  readonly variable: string;
  /** Component/variable instance; '' when none. */
  readonly instance?: string;
}

export interface InstalledCertificate {
  readonly id: number;
  readonly use: InstallCertificateUseEnumType;
  readonly der: Buffer;
  readonly installedAt: string;
}

export interface SeccCredentialRecord {
  readonly suite: TlsSuiteName;
  /** SECC leaf then its sub-CAs, DER. */
  readonly chain: readonly Buffer[];
  /** Encrypted PKCS#8 PEM, or a PKCS#11 URI when the key lives in a token. */
  readonly key: string;
  readonly installedAt: string;
}

export interface LocalListEntry {
  readonly idToken: IdTokenType;
  readonly idTokenInfo: IdTokenInfoType;
}

/** Messages that must reach the CSMS even across a restart (TransactionEvent). */
export interface QueuedMessage {
  readonly id: number;
  readonly action: 'TransactionEvent';
  /** The request as it will be sent (opened from its sealed form). */
  readonly request: Record<string, unknown>;
  /** Delivery attempts that ended with a CALLERROR (not counting times the CSMS was unreachable). */
  readonly attempts: number;
  readonly enqueuedAt: string;
}

export interface OpenTransactionRecord {
  readonly transactionId: string;
  readonly evseId: number;
  readonly connectorId: number;
  /** Next TransactionEvent seqNo of this transaction (persisted so a restart never reuses one). */
  readonly nextSeqNo: number;
  readonly startedAt: string;
  readonly offline: boolean;
  /** SHA-256 fingerprint (hex) of the contract leaf of an offline PnC transaction, until the CSMS has judged it. */
  readonly contractFingerprint?: string;
  readonly ended: boolean;
}

export interface ChargerStateStore {
  // Device model: actual values, as strings (OCPP attribute values are strings).
  readVariables(): Promise<Map<string, string>>;
  writeVariable(key: VariableKey, value: string): Promise<void>;

  // Installed roots (InstallCertificate / DeleteCertificate / GetInstalledCertificateIds).
  listCertificates(): Promise<InstalledCertificate[]>;
  /** Returns the existing id when the same DER is already installed for that use. */
  addCertificate(use: InstallCertificateUseEnumType, der: Buffer): Promise<number>;
  removeCertificate(id: number): Promise<boolean>;

  // SECC credentials, one per TLS suite; a renewal's key waits as "pending" until CertificateSigned.
  seccCredential(suite: TlsSuiteName): Promise<SeccCredentialRecord | undefined>;
  setSeccCredential(record: Omit<SeccCredentialRecord, 'installedAt'>): Promise<void>;
  pendingSeccKey(suite: TlsSuiteName): Promise<string | undefined>;
  setPendingSeccKey(suite: TlsSuiteName, key: string | undefined): Promise<void>;
  /** Latest OCSP response (DER) for a suite's SECC leaf, fed to TLS stapling. */
  seccOcspResponse(suite: TlsSuiteName): Promise<Buffer | undefined>;
  setSeccOcspResponse(suite: TlsSuiteName, der: Buffer): Promise<void>;

  // Local authorization list (SendLocalList / GetLocalListVersion). Keys: `${type}:${idToken upper-cased}`.
  localListVersion(): Promise<number>;
  localListEntry(idToken: IdTokenType): Promise<LocalListEntry | undefined>;
  localListSize(): Promise<number>;
  replaceLocalList(version: number, entries: readonly LocalListEntry[]): Promise<void>;
  updateLocalList(version: number, upserts: readonly LocalListEntry[], removals: readonly IdTokenType[]): Promise<void>;

  // Contract block-list: SHA-256 fingerprints (hex, lower case) of contract leaves that failed a billing validation.
  isBlocked(fingerprint: string): Promise<boolean>;
  block(fingerprint: string, reason: string): Promise<void>;

  // Transactions and the durable queue.
  openTransactions(): Promise<OpenTransactionRecord[]>;
  saveTransaction(record: OpenTransactionRecord): Promise<void>;
  forgetTransaction(transactionId: string): Promise<void>;
  /** Appends in one SQL transaction with the transaction's seqNo bump, so a crash never leaves one without the other. */
  enqueue(action: QueuedMessage['action'], request: Record<string, unknown>, transaction?: OpenTransactionRecord): Promise<number>;
  /** Oldest first. */
  peekQueue(limit: number): Promise<QueuedMessage[]>;
  queueLength(): Promise<number>;
  /** Delivered (or given up): removed for good. */
  ackQueued(id: number): Promise<void>;
  recordAttempt(id: number): Promise<void>;

  close(): Promise<void>;
}

export function variableKeyString(k: VariableKey): string {
  return `${k.component}/${k.instance ?? ''}/${k.variable}`;
}
