// Schema facets are enforced on encode and decode, and every refusal is an ExiError naming the path of the field.
import { describe, expect, it } from 'vitest';
import { ExiError, schemaCodec } from '../../src/exi/index.js';
import { ExiWriter } from '../../src/exi/runtime/index.js';

const iso2 = schemaCodec('iso2');
const iso20 = schemaCodec('iso20');
const SESSION = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const CERT = new Uint8Array(500).fill(7);

function paymentDetails(req: Record<string, unknown>, header: Record<string, unknown> = { SessionID: SESSION }): Record<string, unknown> {
  return { V2G_Message: { Header: header, Body: { PaymentDetailsReq: req } } };
}
const validReq = { eMAID: 'DEPNCC00000001A', ContractSignatureCertChain: { Certificate: CERT } };

function refusal(f: () => unknown): ExiError {
  try {
    f();
  } catch (e) {
    if (e instanceof ExiError) return e;
    throw e;
  }
  throw new Error('expected an ExiError');
}

const PDR = ['V2G_Message', 'Body', 'PaymentDetailsReq'];

describe('encoder: facets and types, with the path of the field', () => {
  it('encodes the valid message', () => {
    expect(iso2.decode(iso2.encode(paymentDetails(validReq)))).toEqual(paymentDetails(validReq));
  });

  it.each([
    ['string shorter than minLength', { ...validReq, eMAID: 'DE' }, 'facet', [...PDR, 'eMAID']],
    ['string longer than maxLength', { ...validReq, eMAID: 'DEPNCC00000001AXX' }, 'facet', [...PDR, 'eMAID']],
    ['a number where a string is declared', { ...validReq, eMAID: 12 }, 'input', [...PDR, 'eMAID']],
    ['required element missing', { eMAID: validReq.eMAID }, 'missing', [...PDR, 'ContractSignatureCertChain']],
    ['certificate over 800 bytes', { ...validReq, ContractSignatureCertChain: { Certificate: new Uint8Array(801) } }, 'facet', [...PDR, 'ContractSignatureCertChain', 'Certificate']],
    ['bytes given as a string', { ...validReq, ContractSignatureCertChain: { Certificate: 'abcd' } }, 'input', [...PDR, 'ContractSignatureCertChain', 'Certificate']],
    [
      'more sub-certificates than maxOccurs (4)',
      { ...validReq, ContractSignatureCertChain: { Certificate: CERT, SubCertificates: { Certificate: [CERT, CERT, CERT, CERT, CERT] } } },
      'facet',
      [...PDR, 'ContractSignatureCertChain', 'SubCertificates', 'Certificate'],
    ],
    ['an object where an element is expected', { ...validReq, ContractSignatureCertChain: 5 }, 'input', [...PDR, 'ContractSignatureCertChain']],
  ] as const)('%s', (_name, req, code, path) => {
    const e = refusal(() => iso2.encode(paymentDetails(req)));
    expect(e.code).toBe(code);
    expect(e.path).toEqual(path);
    expect(e.message.startsWith(path.join('.'))).toBe(true);
  });

  it('hexBinary length facet in the header (SessionID is 8 bytes at most)', () => {
    const e = refusal(() => iso2.encode(paymentDetails(validReq, { SessionID: new Uint8Array(9) })));
    expect([e.code, e.path]).toEqual(['facet', ['V2G_Message', 'Header', 'SessionID']]);
  });

  it('an enumeration value outside the list', () => {
    const doc = {
      V2G_Message: { Header: { SessionID: SESSION }, Body: { SessionSetupRes: { ResponseCode: 'OK_Great', EVSEID: 'DE*PNX*E1' } } },
    };
    expect(refusal(() => iso2.encode(doc)).path).toEqual(['V2G_Message', 'Body', 'SessionSetupRes', 'ResponseCode']);
  });

  it('an integer outside its range', () => {
    const doc = { SessionStopReq: { Header: { SessionID: SESSION, TimeStamp: -1n }, ChargingSession: 'Terminate' } };
    const e = refusal(() => iso20.encode(doc));
    expect([e.code, e.path]).toEqual(['facet', ['SessionStopReq', 'Header', 'TimeStamp']]);
    const e2 = refusal(() => iso20.encode({ SessionStopReq: { Header: { SessionID: SESSION, TimeStamp: 1 }, ChargingSession: 'Terminate' } }));
    expect([e2.code, e2.path]).toEqual(['input', ['SessionStopReq', 'Header', 'TimeStamp']]);
  });

  it('two members of a choice (two Body messages)', () => {
    const doc = { V2G_Message: { Header: { SessionID: SESSION }, Body: { PaymentDetailsReq: validReq, SessionStopReq: { ChargingSession: 'Terminate' } } } };
    const e = refusal(() => iso2.encode(doc));
    expect(e.code).toBe('input');
    expect(e.path).toEqual(['V2G_Message', 'Body']);
    expect(e.message).toMatch(/PaymentDetailsReq, SessionStopReq cannot appear together/);
  });

  it('documents with no root or two roots, and unknown roots', () => {
    expect(refusal(() => iso2.encode({})).code).toBe('input');
    expect(refusal(() => iso2.encode({ V2G_Message: {}, SignedInfo: {} })).code).toBe('input');
    expect(refusal(() => iso2.encode({ NotAnElement: {} })).code).toBe('input');
    expect(refusal(() => iso2.encode(null)).code).toBe('input');
  });

  it('lone surrogates cannot be encoded', () => {
    expect(refusal(() => iso2.encode(paymentDetails({ ...validReq, eMAID: 'DEPNCC0000000\ud800' }))).code).toBe('input');
  });
});

describe('decoder: facets of the stream, with the path of the field', () => {
  /** Header with a SessionID, then SE(Body). */
  function header(w: ExiWriter): void {
    w.bits(0, 1); // SE(Header)
    w.bits(0, 1); // SE(SessionID)
    w.bits(0, 1); // CH
    w.binary(SESSION);
    w.bits(0, 1); // EE
    w.bits(2, 2); // EE of Header (after SessionID: {SE(Notification), SE(Signature), EE})
    w.bits(0, 1); // SE(Body)
  }

  /** Body's 36 productions in 6 bits: the BodyElement substitution group by name, abstract head included, then EE. */
  function bodyCode(name: string): number {
    return [...Object.keys(iso2.shapes.BodyType!), 'BodyElement'].sort((a, b) => (a < b ? -1 : 1)).indexOf(name);
  }

  /** V2G_Message with a PaymentDetailsReq whose eMAID is written as `eMAID` regardless of its facets. */
  function rawEmaid(emaid: string): Uint8Array {
    const w = new ExiWriter(iso2.schema);
    w.header();
    w.bits(76, 7); // SE(V2G_Message)
    header(w);
    w.bits(bodyCode('PaymentDetailsReq'), 6);
    w.bits(0, 1); // SE(eMAID)
    w.bits(0, 1); // CH
    w.string(emaid);
    return w.finish();
  }

  it('a string beyond maxLength in the stream', () => {
    const e = refusal(() => iso2.decode(rawEmaid('DEPNCC00000001AXXXXXXX')));
    expect([e.code, e.path]).toEqual(['facet', [...PDR, 'eMAID']]);
  });

  it('a string below minLength in the stream', () => {
    const e = refusal(() => iso2.decode(rawEmaid('DE')));
    expect([e.code, e.path]).toEqual(['facet', [...PDR, 'eMAID']]);
  });

  it('an abstract element in the stream (BodyElement)', () => {
    const w = new ExiWriter(iso2.schema);
    w.header();
    w.bits(76, 7);
    header(w);
    w.bits(bodyCode('BodyElement'), 6);
    const e = refusal(() => iso2.decode(w.finish()));
    expect([e.code, e.path]).toEqual(['facet', ['V2G_Message', 'Body']]);
    expect(e.message).toMatch(/BodyElement is abstract/);
  });
});

describe('JSON form', () => {
  it('bytes as hex, bigints as numbers when safe and strings beyond', () => {
    const doc = { SessionStopReq: { Header: { SessionID: SESSION, TimeStamp: 2n ** 64n - 1n }, ChargingSession: 'Terminate' } };
    const json = iso20.toJson(iso20.decode(iso20.encode(doc)));
    expect(json).toEqual({ SessionStopReq: { Header: { SessionID: '0102030405060708', TimeStamp: '18446744073709551615' }, ChargingSession: 'Terminate' } });
    expect(iso20.fromJson(JSON.parse(JSON.stringify(json)))).toEqual(doc);
  });

  it('unknown fields and malformed values are refused with their path', () => {
    const e = refusal(() => iso20.fromJson({ SessionStopReq: { Header: { SessionID: '0102', TimeStamp: 1, Extra: 1 }, ChargingSession: 'Terminate' } }));
    expect([e.code, e.path]).toEqual(['input', ['SessionStopReq', 'Header', 'Extra']]);
    const e2 = refusal(() => iso20.fromJson({ SessionStopReq: { Header: { SessionID: 'xyz', TimeStamp: 1 }, ChargingSession: 'Terminate' } }));
    expect(e2.path).toEqual(['SessionStopReq', 'Header', 'SessionID']);
    const e3 = refusal(() => iso20.fromJson({ SessionStopReq: { Header: { SessionID: '01', TimeStamp: 1.5 }, ChargingSession: 'Terminate' } }));
    expect(e3.path).toEqual(['SessionStopReq', 'Header', 'TimeStamp']);
  });
});
