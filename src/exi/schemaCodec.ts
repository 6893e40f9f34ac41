// One schema set's codec by its name in the CLI contract: documents, fragments and their JSON form.
import { generatedSets, type SchemaName } from './generated/index.js';
import {
  decodeDocument,
  decodeFragment,
  documentFromJson,
  documentToJson,
  encodeDocument,
  encodeFragment,
  ExiError,
  fragmentFromJson,
  fragmentToJson,
  type DecodeOptions,
  type JsonContext,
} from './runtime/index.js';

export const SCHEMA_NAMES = Object.keys(generatedSets) as SchemaName[];

export interface SchemaCodec extends JsonContext {
  readonly name: SchemaName;
  readonly description: string;
  decode(bytes: Uint8Array, options?: DecodeOptions): Record<string, unknown>;
  encode(doc: unknown): Uint8Array;
  decodeFragment(bytes: Uint8Array, options?: DecodeOptions): Record<string, unknown>[];
  encodeFragment(items: readonly unknown[]): Uint8Array;
  toJson(doc: unknown): Record<string, unknown>;
  fromJson(json: unknown): Record<string, unknown>;
  fragmentToJson(items: readonly unknown[]): Record<string, unknown>[];
  fragmentFromJson(json: unknown): Record<string, unknown>[];
}

export function isSchemaName(name: string): name is SchemaName {
  return Object.prototype.hasOwnProperty.call(generatedSets, name);
}

export function schemaCodec(name: string): SchemaCodec {
  if (!isSchemaName(name)) throw new ExiError('input', `unknown schema ${name}; one of ${SCHEMA_NAMES.join(', ')}`);
  const set = generatedSets[name];
  const ctx: JsonContext = { schema: set.schema, shapes: set.shapes };
  return {
    name,
    description: set.description,
    schema: set.schema,
    shapes: set.shapes,
    decode: (bytes, options) => decodeDocument(bytes, set.schema, options),
    encode: (doc) => encodeDocument(doc, set.schema),
    decodeFragment: (bytes, options) => decodeFragment(bytes, set.schema, options),
    encodeFragment: (items) => encodeFragment(items, set.schema),
    toJson: (doc) => documentToJson(doc, ctx),
    fromJson: (json) => documentFromJson(json, ctx),
    fragmentToJson: (items) => fragmentToJson(items, ctx),
    fragmentFromJson: (json) => fragmentFromJson(json, ctx),
  };
}
