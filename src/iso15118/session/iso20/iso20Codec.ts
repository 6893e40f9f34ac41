// -20 messages to and from V2GTP payloads: the payload type names the schema the EXI stream is decoded with
// (CommonMessages 0x8002, AC 0x8003, DC 0x8004). A payload type that does not fit the message, or bytes that are not a
// message of that schema, are an ExiError: no response type can be known, so the receiver closes the connection.
import { ExiError, iso20, iso20Ac, iso20Dc } from '../../../exi/index.js';
import { PAYLOAD_TYPE } from '../../transport/index.js';
import { isIso20RequestName, PAYLOAD_TYPE_OF_SCHEMA, schemaOfMessage, type Iso20Request, type Iso20Response, type Iso20Schema } from './iso20Messages.js';

export interface Iso20Payload {
  readonly payloadType: number;
  readonly payload: Uint8Array;
  /** Root element name. */
  readonly name: string;
}

type Document = iso20.Iso20Document | iso20Ac.Iso20AcDocument | iso20Dc.Iso20DcDocument;

function schemaOfPayloadType(payloadType: number): Iso20Schema {
  if (payloadType === PAYLOAD_TYPE.commonMessages) return 'common';
  if (payloadType === PAYLOAD_TYPE.ac) return 'ac';
  if (payloadType === PAYLOAD_TYPE.dc) return 'dc';
  throw new ExiError('input', `payload type 0x${payloadType.toString(16)} carries no -20 AC/DC session message`);
}

function decodeDocument(payloadType: number, payload: Uint8Array): { name: string; doc: Document } {
  const schema = schemaOfPayloadType(payloadType);
  const doc: Document = schema === 'common' ? iso20.decodeIso20(payload) : schema === 'ac' ? iso20Ac.decodeIso20Ac(payload) : iso20Dc.decodeIso20Dc(payload);
  const name = Object.keys(doc)[0] ?? '';
  // A message of another schema under this payload type (each schema has its own, notes §6).
  if (schemaOfMessage(name) !== schema) throw new ExiError('input', `${name} under payload type 0x${payloadType.toString(16)}`);
  return { name, doc };
}

export function decodeIso20Request(payloadType: number, payload: Uint8Array): Iso20Request {
  const { name, doc } = decodeDocument(payloadType, payload);
  if (!isIso20RequestName(name)) throw new ExiError('input', `${name || 'an empty document'} is not a -20 request`);
  return doc as Iso20Request;
}

export function decodeIso20Response(payloadType: number, payload: Uint8Array): Iso20Response {
  const { name, doc } = decodeDocument(payloadType, payload);
  if (!name.endsWith('Res')) throw new ExiError('input', `${name || 'an empty document'} is not a -20 response`);
  return doc as Iso20Response;
}

/** The EXI bytes of a request or response and the payload type its schema travels in. */
export function encodeIso20Message(message: Iso20Request | Iso20Response): Iso20Payload {
  const name = Object.keys(message)[0] ?? '';
  const schema = schemaOfMessage(name);
  const payload =
    schema === 'ac'
      ? iso20Ac.encodeIso20Ac(message as iso20Ac.Iso20AcDocument)
      : schema === 'dc'
        ? iso20Dc.encodeIso20Dc(message as iso20Dc.Iso20DcDocument)
        : iso20.encodeIso20(message as iso20.Iso20Document);
  return { payloadType: PAYLOAD_TYPE_OF_SCHEMA[schema], payload, name };
}
