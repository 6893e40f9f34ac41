// Every public vector decodes to the values its source states and re-encodes to the same bytes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { iso2, schemaCodec, type SchemaCodec } from '../../src/exi/index.js';
import { ExiWriter } from '../../src/exi/runtime/index.js';

interface Vector {
  readonly id: string;
  readonly schema: string;
  readonly hex: string;
  readonly sha256?: string;
}

const vectors = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8')) as Vector[];

/** The decoded values, written out from each vector's `meaning`. */
const EXPECTED: Record<string, unknown> = {
  'sap-req-iso20-ac': {
    supportedAppProtocolReq: {
      AppProtocol: [{ ProtocolNamespace: 'urn:iso:std:iso:15118:-20:AC', VersionNumberMajor: 1, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }],
    },
  },
  'sap-res-ok-schema1': { supportedAppProtocolRes: { ResponseCode: 'OK_SuccessfulNegotiation', SchemaID: 1 } },
  'din-session-setup-req': { V2G_Message: { Header: { SessionID: '0000000000000000' }, Body: { SessionSetupReq: { EVCCID: '84877260f358' } } } },
  'din-session-setup-res': {
    V2G_Message: {
      Header: { SessionID: '4758fdd348a5eb24' },
      Body: { SessionSetupRes: { ResponseCode: 'OK_NewSessionEstablished', EVSEID: '49a89a6360', DateTimeNow: 1667918014 } },
    },
  },
  'din-service-discovery-req': { V2G_Message: { Header: { SessionID: '4758fdd348a5eb24' }, Body: { ServiceDiscoveryReq: { ServiceCategory: 'EVCharging' } } } },
  'din-service-discovery-res': {
    V2G_Message: {
      Header: { SessionID: '4758fdd348a5eb24' },
      Body: {
        ServiceDiscoveryRes: {
          ResponseCode: 'OK',
          PaymentOptions: { PaymentOption: ['ExternalPayment'] },
          ChargeService: { ServiceTag: { ServiceID: 1, ServiceCategory: 'EVCharging' }, FreeService: false, EnergyTransferType: 'DC_extended' },
        },
      },
    },
  },
  'iso2-annexj-authorizationreq-fragment': [{ AuthorizationReq: { Id: 'ID1', GenChallenge: Buffer.from('Some Random Data').toString('hex') } }],
  'iso2-annexj-signedinfo-fragment': [
    {
      SignedInfo: {
        CanonicalizationMethod: { Algorithm: 'http://www.w3.org/TR/canonical-exi/' },
        SignatureMethod: { Algorithm: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256' },
        Reference: [
          {
            URI: '#ID1',
            Transforms: { Transform: [{ Algorithm: 'http://www.w3.org/TR/canonical-exi/' }] },
            DigestMethod: { Algorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' },
            DigestValue: 'd1b5e03d0065bee56b317984453051eb54ca18fc0e0916174f8b3c77a98f4aa9',
          },
        ],
      },
    },
  ],
  'iso2-rise-contractsignatureencryptedprivatekey-fragment': [
    {
      ContractSignatureEncryptedPrivateKey: {
        Id: 'id2',
        value: '803340c03fefbc0cf47613e50d74c660ef471d2104c2eb1c1eae39bae700eab0dc9ae909ce234ff2619dd3a721c60aa0',
      },
    },
  ],
  'iso2-rise-dhpublickey-fragment': [
    {
      DHpublickey: {
        Id: 'id3',
        value:
          '04be426a534ebcd5444476c0809425f9a593875aa7a4c2a2167c8a295b2b9069e054ad61801552fab1f7c710d9506890120354c763800891da595a1619e06254e9',
      },
    },
  ],
  'iso2-rise-emaid-element-fragment': [
    { eMAID: { attributes: [{ ns: 'urn:iso:15118:2:2013:MsgDataTypes', local: 'Id', value: 'id4' }], content: ['DEABCC123ABC56'] } },
  ],
  'iso20-session-setup-req': { SessionSetupReq: { Header: { SessionID: '0000000000000000', TimeStamp: 1739635913 }, EVCCID: 'WMIV1234567890ABCDEX' } },
  'iso20-session-setup-res': {
    SessionSetupRes: { Header: { SessionID: '2efa1894dc7b9011', TimeStamp: 1739635913 }, ResponseCode: 'OK_NewSessionEstablished', EVSEID: 'DE*PNX*E12345*1' },
  },
  'iso20-authorization-setup-res-pnc': {
    AuthorizationSetupRes: {
      Header: { SessionID: 'f21915b9dddc12d1', TimeStamp: 1691411798 },
      ResponseCode: 'OK',
      AuthorizationServices: ['EIM', 'PnC'],
      CertificateInstallationService: true,
      PnC_ASResAuthorizationMode: { GenChallenge: '0102030405060708090a0b0c0d0e0f10' },
    },
  },
  'iso20-authorization-req-eim': {
    AuthorizationReq: { Header: { SessionID: 'f21915b9dddc12d1', TimeStamp: 1691411798 }, SelectedAuthorizationService: 'EIM', EIM_AReqAuthorizationMode: {} },
  },
  'iso20-ac-charge-loop-req': {
    AC_ChargeLoopReq: {
      Header: { SessionID: '3d30d3ad4c3b83df', TimeStamp: 1695358101 },
      MeterInfoRequested: false,
      BPT_Scheduled_AC_CLReqControlMode: { EVPresentActivePower: { Exponent: 3, Value: 200 } },
    },
  },
  'iso20-dc-charge-loop-req': {
    DC_ChargeLoopReq: {
      Header: { SessionID: '5a2cde53f701d4ac', TimeStamp: 1718607534 },
      MeterInfoRequested: false,
      EVPresentVoltage: { Exponent: 0, Value: 400 },
      BPT_Scheduled_DC_CLReqControlMode: { EVTargetCurrent: { Exponent: 0, Value: 20 }, EVTargetVoltage: { Exponent: 0, Value: 400 } },
    },
  },
};

/** Vector schema names → our schema set and whether the stream is a fragment. */
function codecOf(v: Vector): { codec: SchemaCodec; fragment: boolean } {
  switch (v.schema) {
    case 'iso2-fragment':
    case 'iso2-element-fragment':
      return { codec: schemaCodec('iso2'), fragment: true };
    case 'xmldsig-fragment':
      return { codec: schemaCodec('xmldsig'), fragment: true };
    default:
      return { codec: schemaCodec(v.schema), fragment: false };
  }
}

describe('public EXI vectors', () => {
  it('covers every vector of the set', () => {
    expect(vectors.map((v) => v.id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const v of vectors) {
    it(`${v.id}: decodes to the stated values and re-encodes byte for byte`, () => {
      const bytes = Uint8Array.from(Buffer.from(v.hex, 'hex'));
      const { codec, fragment } = codecOf(v);
      if (fragment) {
        const items = codec.decodeFragment(bytes);
        expect(codec.fragmentToJson(items)).toEqual(EXPECTED[v.id]);
        expect(Buffer.from(codec.encodeFragment(items)).toString('hex')).toBe(v.hex);
        // and from JSON, as the CLI does it
        expect(Buffer.from(codec.encodeFragment(codec.fragmentFromJson(EXPECTED[v.id]))).toString('hex')).toBe(v.hex);
      } else {
        const doc = codec.decode(bytes);
        expect(codec.toJson(doc)).toEqual(EXPECTED[v.id]);
        expect(Buffer.from(codec.encode(doc)).toString('hex')).toBe(v.hex);
        expect(Buffer.from(codec.encode(codec.fromJson(EXPECTED[v.id]))).toString('hex')).toBe(v.hex);
      }
      if (v.sha256) expect(createHash('sha256').update(bytes).digest('hex')).toBe(v.sha256);
    });
  }

  it('eMAID needs the element fragment grammar: its complex-type grammar gives other bytes and another digest', () => {
    const v = vectors.find((x) => x.id === 'iso2-rise-emaid-element-fragment')!;
    const w = new ExiWriter(iso2.iso2Schema);
    w.header();
    const entries = iso2.iso2Schema.fragment.entries;
    w.bits(entries.findIndex((e) => e.key === 'eMAID'), iso2.iso2Schema.fragment.bits);
    iso2.encodeEMAIDType(w, { Id: 'id4', value: 'DEABCC123ABC56' });
    w.bits(entries.length + 1, iso2.iso2Schema.fragment.bits);
    const asComplexType = w.finish();
    expect(Buffer.from(asComplexType).toString('hex')).not.toBe(v.hex);
    expect(createHash('sha256').update(asComplexType).digest('hex')).not.toBe(v.sha256);
  });
});
