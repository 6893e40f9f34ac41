// Every way a registry operation can be refused, as one typed error the CLI and the server switch on.

export type StationRegistryErrorCode =
  | 'invalid-id' // not 1–48 OCPP identity characters
  | 'invalid-password' // not 16–40 printable ASCII characters
  | 'invalid-profile' // not 1, 2 or 3
  | 'invalid-count' // addMany: count out of range, or ids too long
  | 'exists' // add: the id is taken
  | 'not-found'; // the station is not registered

export class StationRegistryError extends Error {
  override readonly name = 'StationRegistryError';
  constructor(
    readonly code: StationRegistryErrorCode,
    message: string,
  ) {
    super(message);
  }
}
