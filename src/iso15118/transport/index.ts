// V2GTP (ISO 15118 transport protocol): payload types, the 8-byte header, and a TCP stream framer.
export { V2gtpError, type V2gtpErrorCode } from './v2gtpError.js';
export {
  isKnownPayloadType,
  isManufacturerSpecific,
  MANUFACTURER_SPECIFIC_FIRST,
  MANUFACTURER_SPECIFIC_LAST,
  PAYLOAD_TYPE,
  payloadTypeName,
  type PayloadTypeName,
} from './payloadType.js';
export {
  decodeV2gtp,
  DEFAULT_MAX_PAYLOAD_BYTES,
  encodeV2gtp,
  parseV2gtpHeader,
  V2GTP_HEADER_LENGTH,
  V2GTP_INVERSE_VERSION,
  V2GTP_VERSION,
  type V2gtpHeader,
  type V2gtpLimits,
  type V2gtpMessage,
} from './v2gtpHeader.js';
export { V2gtpFramer, type V2gtpFramerOptions } from './v2gtpFramer.js';
