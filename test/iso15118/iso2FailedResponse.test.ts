// Every -2 request has a failed response the SECC can actually send: the right type, schema-valid, the code kept.
import { describe, expect, it } from 'vitest';
import { iso2 } from '../../src/exi/index.js';
import { testEvse } from '../../src/iso15118/session/evseModel.js';
import { ISO2_REQUESTS, iso2FailedResponse } from '../../src/iso15118/session/iso2/iso2FailedResponse.js';

describe('-2 failed responses', () => {
  it('cover every -2 request of the schema', () => {
    const schemaRequests = iso2.iso2Schema.document.entries.filter((e) => e.local.endsWith('Req')).map((e) => e.local);
    expect([...ISO2_REQUESTS].sort()).toEqual([...new Set(schemaRequests)].sort());
  });

  it.each(ISO2_REQUESTS.map((r) => [r]))('%s → its response type, encodable, decoding to the same code', (request) => {
    const body = iso2FailedResponse(request, 'FAILED_SequenceError', testEvse());
    const name = Object.keys(body)[0]!;
    expect(name).toBe(request.replace(/Req$/, 'Res'));
    const bytes = iso2.encodeIso2({ V2G_Message: { Header: { SessionID: new Uint8Array(8) }, Body: body } });
    const back = iso2.decodeIso2(bytes).V2G_Message!.Body as Record<string, { ResponseCode: string }>;
    expect(back[name]!.ResponseCode).toBe('FAILED_SequenceError');
  });
});
