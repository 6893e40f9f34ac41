// Every way SDP (SECC Discovery Protocol) can fail, as one typed error. Decoders, the server's options check and the
// client all throw or reject with it; the server reports (never throws) it for datagrams it drops.

export type SdpErrorCode =
  | 'header' // the V2GTP header of the datagram is invalid (cause: the V2gtpError)
  | 'payload-type' // a valid V2GTP datagram, but not the SDP message expected (e.g. a response where a request belongs)
  | 'length' // SDP payload not 2 bytes (request) or 20 bytes (response)
  | 'security' // security byte neither 0x00 (TLS) nor 0x10 (no TLS)
  | 'transport' // transport byte neither 0x00 (TCP) nor 0x10 (UDP), or UDP where only TCP can be used
  | 'address' // not an IPv6 (or IPv4, carried mapped) address
  | 'port' // not a usable TCP port (1..65535)
  | 'interface' // unknown network interface name, or one without IPv6
  | 'options' // other invalid options (port, bind address, retry settings)
  | 'socket' // the operating system refused a socket operation (cause: the system error)
  | 'timeout' // the client sent every request without a usable response
  | 'aborted'; // the caller's AbortSignal fired (cause: signal.reason)

export class SdpError extends Error {
  override readonly name = 'SdpError';
  constructor(
    readonly code: SdpErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
