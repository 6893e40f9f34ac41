// The -20 state machine as the runner sees a protocol session: V2GTP payloads in (payload type per schema), the
// response's payload out. Bytes that are not a request of the schema their payload type names throw ExiError.
import type { ProtocolSession } from '../seccSessionRunner.js';
import type { SessionTrace } from '../sessionTrace.js';
import { decodeIso20Request, encodeIso20Message } from './iso20Codec.js';
import { requestName } from './iso20Messages.js';
import type { Iso20SeccSession } from './iso20SeccSession.js';

export function iso20Adapter(s: Iso20SeccSession, trace: SessionTrace): ProtocolSession {
  return {
    machine: s,
    async handle(payloadType, payload) {
      const request = decodeIso20Request(payloadType, payload);
      trace.session = s.session?.sessionId;
      trace.received(requestName(request));
      const r = await s.handle(request);
      const encoded = encodeIso20Message(r.response);
      return { payloadType: encoded.payloadType, payload: encoded.payload, name: encoded.name, end: r.end, ...(r.outcome ? { outcome: r.outcome } : {}) };
    },
  };
}
