// Why a call from the CSMS to a connected station failed (StationNotConnectedError, from the seam, covers "not here").

export type StationCallErrorCode =
  | 'timeout' // no answer within the call's time-out
  | 'rejected' // the station answered with a CALLERROR (rpcErrorCode says which), or our strict mode refused the request or the answer
  | 'disconnected' // the connection closed while the call was outstanding
  | 'too-large'; // the CALL frame would exceed the message size limit (the station would close the connection)

export class StationCallError extends Error {
  override readonly name = 'StationCallError';
  constructor(
    readonly code: StationCallErrorCode,
    readonly stationId: string,
    readonly action: string,
    message: string,
    readonly rpcErrorCode?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
