// Every way a V2GTP header or frame can be refused. The caller closes the connection (TCP) or drops the datagram
// (UDP); the code says why, so logs and tests can tell the cases apart.

export type V2gtpErrorCode =
  | 'version' // byte 0 is not 0x01 or byte 1 is not its inverse 0xFE (notes §6: Josev validates both)
  | 'payload-type' // not a defined payload type nor manufacturer-specific, or not allowed in this context
  | 'too-large' // the declared payload length exceeds the configured maximum
  | 'length-mismatch' // a datagram's declared length differs from the bytes that follow the header
  | 'truncated'; // fewer bytes than the header (or the declared payload) needs

export class V2gtpError extends Error {
  override readonly name = 'V2gtpError';
  constructor(
    readonly code: V2gtpErrorCode,
    message: string,
  ) {
    super(message);
  }
}
