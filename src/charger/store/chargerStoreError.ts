// Failures of the charger's state store beyond opening the database (those are StoreError from src/store).

export type ChargerStoreErrorCode =
  | 'invalid-argument' // a value the store refuses to write (a fingerprint that is not SHA-256 hex, a bad limit…)
  | 'wrong-key' // the passphrase or seal key is not the one this database was sealed with
  | 'unreadable-row' // a sealed row does not open (tampered, or written with another key); `rowId` names it
  | 'closed'; // used after close()

export class ChargerStoreError extends Error {
  override readonly name = 'ChargerStoreError';
  readonly table: string | undefined;
  readonly rowId: number | string | undefined;
  constructor(
    readonly code: ChargerStoreErrorCode,
    message: string,
    options?: ErrorOptions & { readonly table?: string; readonly rowId?: number | string },
  ) {
    super(message, options);
    this.table = options?.table;
    this.rowId = options?.rowId;
  }
}
