// Every -20 request of the CommonMessages, AC and DC schemas has a failed response the SECC can actually send: the
// right type, schema-valid, in the payload type of its schema, the code kept.
import { describe, expect, it } from 'vitest';
import { iso20, iso20Ac, iso20Dc } from '../../src/exi/index.js';
import { testEvse } from '../../src/iso15118/session/evseModel.js';
import { decodeIso20Response, encodeIso20Message } from '../../src/iso15118/session/iso20/iso20Codec.js';
import { iso20FailedResponse } from '../../src/iso15118/session/iso20/iso20FailedResponse.js';
import { ISO20_REQUESTS, responseCode, responseName } from '../../src/iso15118/session/iso20/iso20Messages.js';
import { PAYLOAD_TYPE } from '../../src/iso15118/transport/index.js';

const header = { SessionID: new Uint8Array(8).fill(7), TimeStamp: 1_800_000_000n };
const requestsOf = (entries: readonly { local: string }[]): string[] => [...new Set(entries.map((e) => e.local).filter((n) => n.endsWith('Req')))];

describe('-20 failed responses', () => {
  it('cover every request of the CommonMessages, AC and DC schemas', () => {
    const schemaRequests = [...requestsOf(iso20.iso20Schema.document.entries), ...requestsOf(iso20Ac.iso20AcSchema.document.entries), ...requestsOf(iso20Dc.iso20DcSchema.document.entries)];
    expect([...ISO20_REQUESTS].sort()).toEqual([...new Set(schemaRequests)].sort());
  });

  it.each(ISO20_REQUESTS.map((r) => [r]))('%s → its response type, encodable, decoding to the same code', (request) => {
    const response = iso20FailedResponse(request, 'FAILED_SequenceError', header, testEvse());
    const name = responseName(response);
    expect(name).toBe(request.replace(/Req$/, 'Res'));
    const encoded = encodeIso20Message(response);
    const expected = request.startsWith('AC_') ? PAYLOAD_TYPE.ac : request.startsWith('DC_') ? PAYLOAD_TYPE.dc : PAYLOAD_TYPE.commonMessages;
    expect(encoded.payloadType).toBe(expected);
    const back = decodeIso20Response(encoded.payloadType, encoded.payload);
    expect(responseName(back)).toBe(name);
    expect(responseCode(back)).toBe('FAILED_SequenceError');
  });

  it('a response under the payload type of another schema is refused', () => {
    const encoded = encodeIso20Message(iso20FailedResponse('DC_CableCheckReq', 'FAILED', header, testEvse()));
    expect(() => decodeIso20Response(PAYLOAD_TYPE.exi, encoded.payload)).toThrow(/payload type 0x8001/);
  });
});
