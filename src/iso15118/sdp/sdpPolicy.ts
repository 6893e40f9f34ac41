// Which endpoint the SECC announces for an SDP request. Pure, so the policy is testable without sockets.
import type { SdpRequest, SdpResponse } from './sdpMessages.js';

export interface SdpOffer {
  /** The SECC's address on the link (normally its IPv6 link-local address). */
  readonly address: string;
  /** The TCP port of the V2G server to announce. */
  readonly port: number;
  /** A TLS server is up. */
  readonly tlsAvailable: boolean;
  /** A plain-TCP server is up (and allowed by configuration). */
  readonly plainAvailable: boolean;
}

/**
 * The response to send, or undefined for no answer (the EV then repeats its request and finally gives up).
 *
 * - UDP transport: never answered. A V2G session needs TCP; 0x10 is reserved (notes §6, EvseV2G rejects non-TCP).
 * - TLS requested: TLS if the TLS server is up; otherwise plain TCP if that is up (as EvseV2G does, notes §6). The EV
 *   learns from the security byte that it did not get TLS, and Plug & Charge must not be offered on that session
 *   (notes §7 #16); it may still proceed with EIM.
 * - No TLS requested: plain TCP if available; otherwise TLS. Announcing TLS is better than silence: silence only
 *   makes the EV retry 50 times into nothing, while an answer lets the EV decide whether it can use TLS.
 */
export function sdpAnswer(request: SdpRequest, offer: SdpOffer): SdpResponse | undefined {
  if (request.transport !== 'tcp') return undefined;
  const respond = (security: SdpResponse['security']): SdpResponse => ({ address: offer.address, port: offer.port, security, transport: 'tcp' });
  const preferred = request.security === 'tls' ? offer.tlsAvailable : offer.plainAvailable;
  if (preferred) return respond(request.security);
  const fallback = request.security === 'tls' ? offer.plainAvailable : offer.tlsAvailable;
  if (fallback) return respond(request.security === 'tls' ? 'none' : 'tls');
  return undefined;
}
