// What the MSP store refuses, typed, so the CLI and the OCPI routes can answer precisely.
export type MspStoreErrorCode =
  | 'invalid-emaid' // not an eMAID (CC-PPP-IIIIIIIII[-D])
  | 'duplicate-emaid' // the eMAID already belongs to an account
  | 'not-found' // no account (or peer) with that key
  | 'invalid-argument'; // a status, whitelist type or payment token the store does not take

export class MspStoreError extends Error {
  override readonly name = 'MspStoreError';
  constructor(
    readonly code: MspStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}
