// The size limit of one OCPP-J WebSocket message on the CSMS side, the same as the charger's
// (src/charger/station/ocppFrameLimit.ts; parties do not import each other): 64 KiB holds the largest message of
// OCPP 2.0.1 (CertificateSigned: up to 10 000 characters of PEM chain; Get15118EVCertificate: 5 600 characters of EXI)
// with room to spare, while bounding what a peer can make us allocate. Incoming: the WebSocket layer refuses a larger
// message and closes with 1009 "Message Too Big" (RFC 6455 §7.4.1). Outgoing: measured before sending.

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
