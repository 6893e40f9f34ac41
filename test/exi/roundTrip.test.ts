// Property: random schema-valid values of every global element (every message type) of every schema set encode,
// decode to the same value, and encode again to the same bytes — also grown to the schema's limits (maxOccurs arrays,
// maximum-length certificates and strings), and for ISO 15118-2 / DIN inside a V2G_Message for every Body element.
import { describe, expect, it } from 'vitest';
import { SCHEMA_NAMES, schemaCodec } from '../../src/exi/index.js';
import { maximize, randomValue } from '../../scripts/exi/randomInstance.js';

const SEEDS = 4;

function roundTrip(codec: ReturnType<typeof schemaCodec>, doc: Record<string, unknown>): Uint8Array {
  const bytes = codec.encode(doc);
  const back = codec.decode(bytes, { maxBytes: 1 << 26 });
  expect(back).toEqual(doc);
  expect(Buffer.from(codec.encode(back)).equals(Buffer.from(bytes))).toBe(true);
  return bytes;
}

describe.each(SCHEMA_NAMES)('%s: every global element', (name) => {
  const codec = schemaCodec(name);
  it.each(codec.schema.document.entries.map((e) => [e.key, e] as const))('%s', (_key, entry) => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const value = randomValue(codec.schema, entry, seed * 7919);
      roundTrip(codec, { [entry.key]: value });
      const big = maximize(value, entry.shape, codec.shapes, 1600);
      roundTrip(codec, { [entry.key]: big });
    }
  });
});

describe.each(['iso2', 'din'] as const)('%s: V2G_Message with every Body element', (name) => {
  const codec = schemaCodec(name);
  const message = codec.schema.document.entries.find((e) => e.key === 'V2G_Message')!;
  const header = (randomValue(codec.schema, message, 1) as { Header: unknown }).Header;
  const bodyFields = Object.keys(codec.shapes.BodyType!);
  it.each(bodyFields)('%s', (body) => {
    const entry = codec.schema.document.entries.find((e) => e.key === body)!;
    for (let seed = 1; seed <= SEEDS; seed++) {
      roundTrip(codec, { V2G_Message: { Header: header, Body: { [body]: randomValue(codec.schema, entry, seed) } } });
    }
  });
});

describe('limits', () => {
  it('a -2 PaymentDetailsReq with a full contract chain: leaf and 4 sub-CA certificates of 800 bytes each', () => {
    const codec = schemaCodec('iso2');
    const cert = (n: number): Uint8Array => new Uint8Array(800).fill(n);
    const doc = {
      V2G_Message: {
        Header: { SessionID: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) },
        Body: {
          PaymentDetailsReq: {
            eMAID: 'DEPNCC00000001A',
            ContractSignatureCertChain: { Certificate: cert(1), SubCertificates: { Certificate: [cert(2), cert(3), cert(4), cert(5)] } },
          },
        },
      },
    };
    expect(roundTrip(codec, doc).length).toBeGreaterThan(5 * 800);
  });

  it('a -2 ChargeParameterDiscoveryRes with 3 SAScheduleTuples of 1024 PMaxScheduleEntries each', () => {
    const codec = schemaCodec('iso2');
    const entry = (i: number) => ({ RelativeTimeInterval: { start: i * 60 }, PMax: { Multiplier: 0, Unit: 'W', Value: 11000 } });
    const tuple = (id: number) => ({ SAScheduleTupleID: id, PMaxSchedule: { PMaxScheduleEntry: Array.from({ length: 1024 }, (_, i) => entry(i)) } });
    const doc = {
      V2G_Message: {
        Header: { SessionID: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) },
        Body: {
          ChargeParameterDiscoveryRes: {
            ResponseCode: 'OK',
            EVSEProcessing: 'Finished',
            SAScheduleList: { SAScheduleTuple: [tuple(1), tuple(2), tuple(3)] },
            AC_EVSEChargeParameter: {
              AC_EVSEStatus: { NotificationMaxDelay: 0, EVSENotification: 'None', RCD: false },
              EVSENominalVoltage: { Multiplier: 0, Unit: 'V', Value: 230 },
              EVSEMaxCurrent: { Multiplier: 0, Unit: 'A', Value: 32 },
            },
          },
        },
      },
    };
    roundTrip(codec, doc);
  });
});
