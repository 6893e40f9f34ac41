// `pnc exi decode|encode`: EXI streams of a schema set to JSON and back, one item per argument or per stdin line.
// A failing item prints `{ "error": … }` on its line and the command goes on; the exit code is 1 if any failed.
import { createInterface } from 'node:readline';
import { ExiError, isSchemaName, SCHEMA_NAMES, schemaCodec, type SchemaCodec } from '../exi/index.js';
import { Exit, UsageError, type CliIo } from './io.js';

export interface ExiArgs {
  schema: string;
  fragment?: boolean;
  v2gtp?: boolean;
}

/** V2GTP header (ISO 15118-2 §7.8.3): version 0x01, inverse 0xFE, payload type, payload length. */
const V2GTP_HEADER = 8;

async function* items(args: readonly string[], io: CliIo): AsyncGenerator<string> {
  if (args.length) {
    yield* args;
    return;
  }
  if (!io.stdin) throw new UsageError('give the input as arguments or on stdin');
  for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    if (line.trim() !== '') yield line;
  }
}

function codecOf(a: ExiArgs): SchemaCodec {
  if (!isSchemaName(a.schema)) throw new UsageError(`unknown --schema ${a.schema}; one of ${SCHEMA_NAMES.join(', ')}`);
  return schemaCodec(a.schema);
}

function errorLine(e: unknown): string {
  if (e instanceof ExiError) return JSON.stringify({ error: { code: e.code, path: e.path, message: e.message } });
  if (e instanceof SyntaxError) return JSON.stringify({ error: { code: 'input', path: [], message: `not JSON: ${e.message}` } });
  throw e;
}

export function parseHexStream(text: string, v2gtp: boolean): Uint8Array {
  const hex = text.trim().replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new ExiError('input', 'not a hex string');
  const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
  if (!v2gtp) return bytes;
  if (bytes.length < V2GTP_HEADER || bytes[0] !== 0x01 || bytes[1] !== 0xfe) throw new ExiError('input', 'no V2GTP header (01 fe …)');
  const length = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readUInt32BE(4);
  if (length !== bytes.length - V2GTP_HEADER) throw new ExiError('input', `V2GTP payload length ${length}, but ${bytes.length - V2GTP_HEADER} bytes follow`);
  return bytes.subarray(V2GTP_HEADER);
}

export async function exiDecode(inputs: readonly string[], a: ExiArgs, io: CliIo): Promise<number> {
  const codec = codecOf(a);
  let failed = false;
  for await (const item of items(inputs, io)) {
    try {
      const bytes = parseHexStream(item, a.v2gtp === true);
      const json = a.fragment ? codec.fragmentToJson(codec.decodeFragment(bytes)) : codec.toJson(codec.decode(bytes));
      io.out(`${JSON.stringify(json)}\n`);
    } catch (e) {
      failed = true;
      io.out(`${errorLine(e)}\n`);
    }
  }
  return failed ? Exit.failed : Exit.ok;
}

export async function exiEncode(inputs: readonly string[], a: ExiArgs, io: CliIo): Promise<number> {
  const codec = codecOf(a);
  let failed = false;
  for await (const item of items(inputs, io)) {
    try {
      const json: unknown = JSON.parse(item);
      const bytes = a.fragment ? codec.encodeFragment(codec.fragmentFromJson(json)) : codec.encode(codec.fromJson(json));
      io.out(`${Buffer.from(bytes).toString('hex')}\n`);
    } catch (e) {
      failed = true;
      io.out(`${errorLine(e)}\n`);
    }
  }
  return failed ? Exit.failed : Exit.ok;
}
