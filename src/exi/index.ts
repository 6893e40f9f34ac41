// EXI for ISO 15118 / DIN 70121: generated schema-informed codecs (non-strict, ISO 15118 profile) and their runtime.
export { SCHEMA_NAMES, isSchemaName, schemaCodec, type SchemaCodec } from './schemaCodec.js';
export { generatedSets, type SchemaName } from './generated/index.js';
export {
  ExiError,
  MAX_STREAM_BYTES,
  type AnyAttribute,
  type AnyElement,
  type DecodeOptions,
  type ElementFragmentValue,
  type ExiErrorCode,
  type OneOf,
  type SchemaRuntime,
} from './runtime/index.js';
export * as appHandshake from './generated/appHandshake.js';
export * as din from './generated/din.js';
export * as iso2 from './generated/iso2.js';
export * as iso20 from './generated/iso20.js';
export * as iso20Ac from './generated/iso20Ac.js';
export * as iso20Dc from './generated/iso20Dc.js';
export * as iso20Wpt from './generated/iso20Wpt.js';
export * as iso20Acdp from './generated/iso20Acdp.js';
export * as iso20CommonTypes from './generated/iso20CommonTypes.js';
export * as xmldsig from './generated/xmldsig.js';
