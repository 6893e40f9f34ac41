// Non-strict decoding (EXI 1.0 §8.5.4.4): the schema-deviation productions a conformant encoder may use are accepted
// — undeclared attributes and elements are skipped, untyped values are parsed into their declared type — and what
// cannot be represented as a schema-valid value is refused with a typed error. Streams are written event by event
// with the writer, against the grammar states of the generated decoders.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExiError, schemaCodec } from '../../src/exi/index.js';
import { ExiWriter } from '../../src/exi/runtime/index.js';

const iso2 = schemaCodec('iso2');
const sap = schemaCodec('appHandshake');
const MSGBODY = 'urn:iso:15118:2:2013:MsgBody';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD = 'http://www.w3.org/2001/XMLSchema';
const GC = Buffer.from('Some Random Data');
const annexJ = (JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8')) as { id: string; hex: string }[]).find(
  (v) => v.id === 'iso2-annexj-authorizationreq-fragment',
)!.hex;

/** An iso2 fragment holding one element: header, SE(F_i) in 8 bits, the element's events, ED = 244. */
function fragment(key: string, events: (w: ExiWriter) => void): Uint8Array {
  const w = new ExiWriter(iso2.schema);
  w.header();
  w.bits(
    iso2.schema.fragment.entries.findIndex((e) => e.key === key),
    8,
  );
  events(w);
  w.bits(244, 8);
  return w.finish();
}

// AuthorizationReqType: state 0 {AT(Id), SE(GenChallenge), EE, escape} in 2 bits; state 1 after Id {SE(GenChallenge),
// EE, escape} in 2 bits; after GenChallenge {EE, escape} in 1 bit. Second levels: first start tag (with EE) {xsi:type,
// xsi:nil, AT(*), AT untyped, SE(*), CH} in 3 bits; later start tag {AT(*), AT untyped, SE(*), CH} in 2 bits.
const id = (w: ExiWriter): void => {
  w.bits(0, 2);
  w.string('ID1');
};
const genChallenge = (w: ExiWriter): void => {
  w.bits(0, 2); // SE(GenChallenge) is code 0 in state 1 and in element content alike
  w.bits(0, 1); // CH
  w.binary(GC);
  w.bits(0, 1); // EE of GenChallenge
};
const endAfterGenChallenge = (w: ExiWriter): void => w.bits(0, 1);
const EXPECTED = [{ AuthorizationReq: { Id: 'ID1', GenChallenge: new Uint8Array(GC) } }];

function expectExiError(f: () => unknown, code: string, path?: string[]): ExiError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExiError);
    const err = e as ExiError;
    expect(err.code, err.message).toBe(code);
    if (path) expect(err.path).toEqual(path);
    return err;
  }
  throw new Error('expected an ExiError');
}

describe('the stream writer used here', () => {
  it('writes the Annex J AuthorizationReq fragment exactly', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      id(w);
      genChallenge(w);
      endAfterGenChallenge(w);
    });
    expect(Buffer.from(bytes).toString('hex')).toBe(annexJ);
  });
});

describe('accepted deviations', () => {
  it('AT(*): an undeclared attribute is skipped', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      w.bits(3, 2); // escape
      w.bits(2, 3); // AT(*)
      w.qnames.writeQName(w, { ns: 'urn:vendor', local: 'x' });
      w.string('1');
      id(w);
      genChallenge(w);
      endAfterGenChallenge(w);
    });
    expect(iso2.decodeFragment(bytes)).toEqual(EXPECTED);
  });

  it('AT untyped: a declared attribute sent as a string is parsed into its type', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      w.bits(3, 2);
      w.bits(3, 3); // AT(qname)[untyped value]
      w.bits(0, 1); // third level: declared attribute 0 of 1 (Id)
      w.string('ID1');
      genChallenge(w);
      endAfterGenChallenge(w);
    });
    expect(iso2.decodeFragment(bytes)).toEqual(EXPECTED);
  });

  it('SE(*): an undeclared element (built-in grammar) is skipped, and the content goes on', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      id(w);
      w.bits(2, 2); // escape in state 1
      w.bits(2, 2); // SE(*)
      w.qnames.writeQName(w, { ns: 'urn:vendor', local: 'note' });
      w.bits(1, 2); // built-in AT(*)
      w.qnames.writeQName(w, { ns: '', local: 'lang' });
      w.string('en');
      w.bits(3, 2); // CH
      w.string('hello');
      w.bits(0, 1); // EE in ElementContent
      genChallenge(w);
      endAfterGenChallenge(w);
    });
    expect(iso2.decodeFragment(bytes)).toEqual(EXPECTED);
  });

  it('SE(*) as the EXI Profile writes it: xsi:type="xs:anyType" on the undeclared element', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      id(w);
      w.bits(2, 2);
      w.bits(2, 2);
      w.qnames.writeQName(w, { ns: 'urn:vendor', local: 'ext' });
      w.bits(1, 2); // AT(*) …
      w.qnames.writeQName(w, { ns: XSI, local: 'type' }); // … xsi:type
      w.qnames.writeQName(w, { ns: XSD, local: 'anyType' });
      w.bits(3, 3); // anyType start tag: CH
      w.string('text');
      w.bits(1, 2); // anyType content: EE
      genChallenge(w);
      endAfterGenChallenge(w);
    });
    expect(iso2.decodeFragment(bytes)).toEqual(EXPECTED);
  });

  it('SE(*) naming a declared global element: decoded with its grammar, then skipped', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      id(w);
      w.bits(2, 2);
      w.bits(2, 2);
      w.qnames.writeQName(w, { ns: DSIG, local: 'KeyName' });
      w.bits(0, 1); // KeyName (xs:string): CH
      w.string('key-1');
      w.bits(0, 1); // EE
      genChallenge(w);
      endAfterGenChallenge(w);
    });
    expect(iso2.decodeFragment(bytes)).toEqual(EXPECTED);
  });

  it('xsi:type naming the element’s own type changes nothing', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      w.bits(3, 2);
      w.bits(0, 3); // xsi:type
      w.qnames.writeQName(w, { ns: MSGBODY, local: 'AuthorizationReqType' });
      id(w);
      genChallenge(w);
      endAfterGenChallenge(w);
    });
    expect(iso2.decodeFragment(bytes)).toEqual(EXPECTED);
  });

  it('xsi:nil="true" where the content may be empty: the element keeps its attributes only', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      w.bits(3, 2);
      w.bits(1, 3); // xsi:nil
      w.bits(1, 1); // true
      w.bits(0, 2); // TypeEmpty: AT(Id)
      w.string('ID1');
      w.bits(0, 1); // EE
    });
    expect(iso2.decodeFragment(bytes)).toEqual([{ AuthorizationReq: { Id: 'ID1' } }]);
  });

  it('CH untyped: a simple value sent as a string is parsed into its type (SchemaID "17")', () => {
    const bytes = sapRes((w) => w.string('17'));
    expect(sap.decode(bytes)).toEqual({ supportedAppProtocolRes: { ResponseCode: 'OK_SuccessfulNegotiation', SchemaID: 17 } });
  });
});

/** supportedAppProtocolRes with ResponseCode OK and SchemaID sent as an untyped string. */
function sapRes(value: (w: ExiWriter) => void): Uint8Array {
  const w = new ExiWriter(sap.schema);
  w.header();
  w.bits(1, 2); // SE(supportedAppProtocolRes)
  w.bits(0, 1); // SE(ResponseCode)
  w.bits(0, 1); // CH
  w.bits(0, 2); // OK_SuccessfulNegotiation
  w.bits(0, 1); // EE
  w.bits(0, 2); // SE(SchemaID)
  w.bits(1, 1); // escape in SchemaID's first start tag
  w.bits(6, 3); // CH [untyped value]
  value(w);
  w.bits(1, 1); // escape in the value state (which has no EE)
  w.bits(0, 2); // EE
  w.bits(0, 1); // EE of supportedAppProtocolRes
  return w.finish();
}

describe('refused deviations', () => {
  it('an untyped value that is not valid for its type', () => {
    expectExiError(() => sap.decode(sapRes((w) => w.string('x17'))), 'value', ['supportedAppProtocolRes', 'SchemaID']);
    expectExiError(() => sap.decode(sapRes((w) => w.string('300'))), 'facet', ['supportedAppProtocolRes', 'SchemaID']);
  });

  it('EE before required content', () => {
    const bytes = fragment('PaymentDetailsReq', (w) => {
      w.bits(1, 1); // escape: the only production is SE(eMAID)
      w.bits(0, 3); // EE
    });
    const e = expectExiError(() => iso2.decodeFragment(bytes), 'missing', ['PaymentDetailsReq']);
    expect(e.message).toMatch(/eMAID/);
  });

  it('SE(*) or CH before a required attribute (a stream `npm run fuzz:exi` found decoding to a value without it)', () => {
    // ...SignatureProperty: {AT(Id), AT(Target)} then an undeclared element by deviation, skipping the required Target.
    const found =
      '804d00cbc1e8a64848a6ea25a86aed8f0b0a801775726e3a6578616d706c653a657874656e73696f6e05657874304415ada5b99018e8d8b4df0657675531a0198da1a5b193062f49df012f080565787431440384322d25ba003810808b238e32bbcaca5a8a9ac17bc2c192583db0e4c5d5a5619584bba4054d5d588001100e06bf833396a1b9d000e04280';
    const e = expectExiError(() => schemaCodec('iso20-wpt').decode(Buffer.from(found, 'hex')), 'missing', ['SignatureProperties', 'SignatureProperty']);
    expect(e.message).toMatch(/Target/);
  });

  it('xsi:type naming another type of the schema', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      w.bits(3, 2);
      w.bits(0, 3);
      w.qnames.writeQName(w, { ns: MSGBODY, local: 'PaymentDetailsReqType' });
    });
    expectExiError(() => iso2.decodeFragment(bytes), 'unsupported', ['AuthorizationReq']);
  });

  it('xsi:nil="true" where content is required', () => {
    const bytes = fragment('PaymentDetailsReq', (w) => {
      w.bits(1, 1);
      w.bits(2, 3); // xsi:nil (first start tag without EE: {EE, xsi:type, xsi:nil, …})
      w.bits(1, 1);
    });
    expectExiError(() => iso2.decodeFragment(bytes), 'missing', ['PaymentDetailsReq']);
  });

  it('a second-level code beyond the list', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      w.bits(3, 2);
      w.bits(7, 3);
    });
    expectExiError(() => iso2.decodeFragment(bytes), 'event', ['AuthorizationReq']);
  });

  it('undeclared elements nested beyond the depth limit', () => {
    const bytes = fragment('AuthorizationReq', (w) => {
      id(w);
      w.bits(2, 2);
      w.bits(2, 2);
      for (let i = 0; i < 40; i++) {
        w.qnames.writeQName(w, { ns: 'urn:vendor', local: 'deep' });
        w.bits(2, 2); // SE(*) child in the built-in start tag
      }
    });
    expectExiError(() => iso2.decodeFragment(bytes), 'unsupported');
  });
});

describe('stream level', () => {
  const valid = Uint8Array.from(Buffer.from(annexJ, 'hex'));

  it.each([
    ['empty stream', new Uint8Array(0), 'eof'],
    ['another header byte', Uint8Array.of(0x81, ...valid.subarray(1)), 'header'],
    ['an EXI cookie', Uint8Array.from([...Buffer.from('$EXI'), ...valid]), 'header'],
    ['options present', Uint8Array.of(0xa0, ...valid.subarray(1)), 'header'],
    ['truncated', valid.subarray(0, valid.length - 3), 'eof'],
    ['trailing bytes', Uint8Array.of(...valid, 0, 0), 'trailing'],
  ] as const)('%s', (_name, bytes, code) => {
    expectExiError(() => iso2.decodeFragment(bytes), code);
  });

  it('a stream over the size limit is refused before it is read', () => {
    expectExiError(() => iso2.decode(new Uint8Array(2 << 20)), 'value');
    expectExiError(() => iso2.decode(valid, { maxBytes: 8 }), 'value');
  });

  it('a length prefix far beyond the stream fails without allocating it', () => {
    // SE(GenChallenge), CH, then a binary length of 2^35 as an Unsigned Integer.
    const bytes = fragment('AuthorizationReq', (w) => {
      id(w);
      w.bits(0, 2);
      w.bits(0, 1);
      w.uint(2 ** 35);
    });
    expectExiError(() => iso2.decodeFragment(bytes), 'facet', ['AuthorizationReq', 'GenChallenge']);
  });
});
