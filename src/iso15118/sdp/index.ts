// SDP (SECC Discovery Protocol): messages, response policy, the SECC's UDP server and the EV's client.
export { SdpError, type SdpErrorCode } from './sdpError.js';
export { ipv6FromBytes, ipv6ToBytes } from './ipv6Address.js';
export {
  decodeSdpRequest,
  decodeSdpResponse,
  encodeSdpRequest,
  encodeSdpResponse,
  SDP_REQUEST_PAYLOAD_LENGTH,
  SDP_RESPONSE_PAYLOAD_LENGTH,
  type SdpRequest,
  type SdpResponse,
  type SdpSecurity,
  type SdpTransport,
} from './sdpMessages.js';
export { sdpAnswer, type SdpOffer } from './sdpPolicy.js';
export { linkLocalAddress, multicastInterfaceAddress, SDP_MULTICAST_GROUP, SDP_SERVER_PORT } from './sdpInterface.js';
export { startSdpServer, type SdpDecision, type SdpDropReason, type SdpServer, type SdpServerEvent, type SdpServerOptions } from './sdpServer.js';
export { discoverSecc, SDP_MAX_REQUESTS, SDP_RETRY_INTERVAL_MS, type DiscoverSeccOptions, type SdpDiscovery } from './sdpClient.js';
