// The size limit of one OCPP-J WebSocket message, for both directions. The largest message this station exchanges is
// a certificate chain (CertificateSigned: up to 10 000 characters of PEM by schema) or an EXI blob (Get15118EVCertificate:
// 5 600 characters) plus JSON framing, so 64 KiB leaves room while bounding what a peer can make us allocate.
// Incoming: the WebSocket layer refuses a larger message and closes with 1009 "Message Too Big" (RFC 6455 §7.4.1).
// Outgoing: we measure the frame before sending and refuse it locally.

export const MAX_OCPP_FRAME_BYTES = 64 * 1024;

// ocpp-rpc message ids are UUIDs: 36 characters.
const MESSAGE_ID_PLACEHOLDER = '00000000-0000-0000-0000-000000000000';

/** Bytes of the CALL frame `[2, id, action, payload]` as it goes on the wire. */
export function callFrameBytes(action: string, payload: unknown): number {
  return Buffer.byteLength(JSON.stringify([2, MESSAGE_ID_PLACEHOLDER, action, payload]), 'utf8');
}

/** Bytes of the CALLRESULT frame `[3, id, payload]` answering a CALL with the given id. */
export function callResultFrameBytes(messageId: string | undefined, payload: unknown): number {
  return Buffer.byteLength(JSON.stringify([3, messageId ?? MESSAGE_ID_PLACEHOLDER, payload]), 'utf8');
}
