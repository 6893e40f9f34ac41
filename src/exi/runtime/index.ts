// The EXI runtime the generated codecs are built on.
export { BitReader } from './bitReader.js';
export { BitWriter, codePointLength } from './bitWriter.js';
export { parseLexical, readValue, writeValue, type Datatype, type SimpleValue } from './datatype.js';
export { decodeDocument, decodeFragment, encodeDocument, encodeFragment, MAX_STREAM_BYTES, type DecodeOptions } from './documentCodec.js';
export { readElementFragment, writeElementFragment } from './elementFragment.js';
export { ExiError, atField, choiceConflict, excessItems, missingField, notAnObject, type ExiErrorCode } from './exiError.js';
export {
  DEV_AT_ANY,
  DEV_AT_UNTYPED,
  DEV_CH_ANY,
  DEV_EE,
  DEV_SE_ANY,
  DEV_XSI_NIL,
  DEV_XSI_TYPE,
  ExiReader,
  KIND_CONTENT,
  KIND_FIRST,
  KIND_START,
} from './exiReader.js';
export { ExiWriter } from './exiWriter.js';
export { QNameTable, type InitialNames, type QName } from './qnameTable.js';
export {
  defineSchema,
  entry,
  qnameKey,
  type AnyAttribute,
  type AnyElement,
  type ElementCodec,
  type ElementEntry,
  type ElementFragmentValue,
  type OneOf,
  type SchemaRuntime,
} from './schemaRuntime.js';
export { documentFromJson, documentToJson, fragmentFromJson, fragmentToJson, parseShape, type JsonContext, type Shapes } from './json.js';
