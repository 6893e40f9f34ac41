// The -2 state machine as the runner sees a protocol session: every -2 message is an EXI V2G_Message under payload type
// 0x8001; bytes that are not one throw ExiError (the runner closes the connection).
import { ExiError, iso2 } from '../../../exi/index.js';
import { PAYLOAD_TYPE } from '../../transport/index.js';
import type { ProtocolSession } from '../seccSessionRunner.js';
import type { SessionTrace } from '../sessionTrace.js';
import type { Iso2SeccSession } from './iso2SeccSession.js';

export function iso2Adapter(s: Iso2SeccSession, trace: SessionTrace): ProtocolSession {
  return {
    machine: s,
    async handle(payloadType, payload) {
      if (payloadType !== PAYLOAD_TYPE.exi) throw new ExiError('input', `payload type 0x${payloadType.toString(16)} in a -2 session`);
      const doc = iso2.decodeIso2(payload);
      if (!doc.V2G_Message) throw new ExiError('input', 'the document is not a V2G_Message');
      trace.session = s.session?.sessionId;
      trace.received(Object.keys(doc.V2G_Message.Body)[0] ?? 'empty Body');
      const r = await s.handle(doc.V2G_Message, payload);
      // A backend's CertificateInstallationRes goes out verbatim.
      const bytes = r.raw ?? Uint8Array.from(iso2.encodeIso2({ V2G_Message: r.response }));
      return { payloadType: PAYLOAD_TYPE.exi, payload: bytes, name: Object.keys(r.response.Body)[0] ?? '', end: r.end, ...(r.outcome ? { outcome: r.outcome } : {}) };
    },
  };
}
