// Every way opening or migrating a database can fail, as one typed error the callers switch on. Messages never carry
// a database password (URLs are redacted before they reach a message).

export type StoreErrorCode =
  | 'bad-url' // the URL names no supported database, or is malformed
  | 'open' // the SQLite file cannot be opened or created (missing directory, permissions, read-only)
  | 'corrupt' // the file is not a SQLite database, or fails its integrity check
  | 'pragma' // SQLite refused a durability setting (e.g. WAL on a file system without shared memory)
  | 'connect' // PostgreSQL could not be reached or refused the login
  | 'migration'; // a migration failed, or the database holds migrations this code does not know

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
