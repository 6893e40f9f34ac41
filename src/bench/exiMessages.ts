// The messages `pnc bench exi` measures, built from a real test PKI (certificates and signatures are genuine) and
// sized like the C reference's: a SAP request offering -2 and DIN, a -2 CurrentDemandReq, a signed -2
// AuthorizationReq, a -2 PaymentDetailsReq with the whole contract chain, a -2 CertificateInstallationRes, -20
// AC_ChargeLoopReq/Res and a -20 ScheduleExchangeRes.
import { randomBytes } from 'node:crypto';
import { schemaCodec, type SchemaName } from '../exi/index.js';
import { createSignature, emaidFragmentItem, ISO2_P256 } from '../iso15118/xmldsig/index.js';
import { buildTestPki, DEFAULT_TEST_PKI, type IssuedCertificate } from '../pki/generator/testPki.js';

export interface BenchMessage {
  readonly name: string;
  readonly schema: SchemaName;
  readonly bytes: Uint8Array;
}

const SESSION = Uint8Array.of(0x4b, 0x1f, 0x7c, 0x22, 0x90, 0x0a, 0xe3, 0x55);
const TIMESTAMP = 1_780_000_000n;
const pv = (Value: number, Unit: string, Multiplier = 0) => ({ Multiplier, Unit, Value });
const rn = (Value: number, Exponent = 0) => ({ Exponent, Value });

export function benchMessages(now = Date.now()): BenchMessage[] {
  const pki = new Map(buildTestPki({ suites: ['iso2'], now, ...DEFAULT_TEST_PKI }).map((c) => [c.name, c] as const));
  const cert = (name: string): IssuedCertificate => {
    const c = pki.get(name) ?? [...pki.values()].find((x) => x.name.startsWith(`${name}/`));
    if (!c) throw new Error(`test PKI has no ${name}`);
    return c;
  };
  const emaid = cert('contract').cert.subject.commonName ?? DEFAULT_TEST_PKI.emaid;
  const iso2 = schemaCodec('iso2');
  const message = (body: Record<string, unknown>, signature?: unknown) => ({
    V2G_Message: { Header: { SessionID: SESSION, ...(signature ? { Signature: signature } : {}) }, Body: body },
  });

  const authorizationReq = { AuthorizationReq: { Id: 'ID1', GenChallenge: Uint8Array.from(randomBytes(16)) } };
  const authSignature = createSignature([authorizationReq], cert('contract').key.privateKey, { schema: 'iso2', suite: ISO2_P256 });

  const contractChain = { Id: 'id1', Certificate: cert('contract').der, SubCertificates: { Certificate: [cert('mo-sub2').der, cert('mo-sub1').der] } };
  const encryptedKey = { Id: 'id2', value: Uint8Array.from(randomBytes(48)) };
  const dhPublicKey = { Id: 'id3', value: Uint8Array.of(4, ...randomBytes(64)) };
  const emaidValue = { Id: 'id4', value: emaid };
  const installSignature = createSignature(
    [{ ContractSignatureCertChain: contractChain }, { ContractSignatureEncryptedPrivateKey: encryptedKey }, { DHpublickey: dhPublicKey }, emaidFragmentItem(emaidValue)],
    cert('cps').key.privateKey,
    { schema: 'iso2', suite: ISO2_P256 },
  );

  const header20 = { SessionID: SESSION, TimeStamp: TIMESTAMP };
  const scheduleEntries = Array.from({ length: 24 }, (_, i) => ({ Duration: 3600, Power: rn(11 + (i % 3), 3) }));
  const priceRules = (n: number) => Array.from({ length: n }, (_, i) => ({ EnergyFee: rn(30 + i, -2), PowerRangeStart: rn(i * 10, 3) }));

  const messages: [string, SchemaName, Record<string, unknown>][] = [
    [
      'supportedAppProtocolReq',
      'appHandshake',
      {
        supportedAppProtocolReq: {
          AppProtocol: [
            { ProtocolNamespace: 'urn:iso:15118:2:2013:MsgDef', VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 },
            { ProtocolNamespace: 'urn:din:70121:2012:MsgDef', VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 2, Priority: 2 },
          ],
        },
      },
    ],
    [
      '-2 CurrentDemandReq',
      'iso2',
      message({
        CurrentDemandReq: {
          DC_EVStatus: { EVReady: true, EVErrorCode: 'NO_ERROR', EVRESSSOC: 55 },
          EVTargetCurrent: pv(120, 'A'),
          EVMaximumVoltageLimit: pv(450, 'V'),
          EVMaximumCurrentLimit: pv(200, 'A'),
          EVMaximumPowerLimit: pv(90, 'W', 3),
          BulkChargingComplete: false,
          ChargingComplete: false,
          RemainingTimeToFullSoC: pv(1800, 's'),
          RemainingTimeToBulkSoC: pv(1200, 's'),
          EVTargetVoltage: pv(400, 'V'),
        },
      }),
    ],
    ['-2 AuthorizationReq (signed)', 'iso2', message(authorizationReq, authSignature)],
    ['-2 PaymentDetailsReq (contract chain)', 'iso2', message({ PaymentDetailsReq: { eMAID: emaid, ContractSignatureCertChain: { Certificate: contractChain.Certificate, SubCertificates: contractChain.SubCertificates } } })],
    [
      '-2 CertificateInstallationRes',
      'iso2',
      message(
        {
          CertificateInstallationRes: {
            ResponseCode: 'OK',
            SAProvisioningCertificateChain: { Certificate: cert('cps').der, SubCertificates: { Certificate: [cert('cps-sub2').der, cert('cps-sub1').der] } },
            ContractSignatureCertChain: contractChain,
            ContractSignatureEncryptedPrivateKey: encryptedKey,
            DHpublickey: dhPublicKey,
            eMAID: emaidValue,
          },
        },
        installSignature,
      ),
    ],
    [
      '-20 AC_ChargeLoopReq',
      'iso20-ac',
      { AC_ChargeLoopReq: { Header: header20, MeterInfoRequested: false, BPT_Scheduled_AC_CLReqControlMode: { EVPresentActivePower: rn(200, 3) } } },
    ],
    [
      '-20 AC_ChargeLoopRes',
      'iso20-ac',
      {
        AC_ChargeLoopRes: {
          Header: header20,
          ResponseCode: 'OK',
          EVSEStatus: { NotificationMaxDelay: 60, EVSENotification: 'ExitStandby' },
          Scheduled_AC_CLResControlMode: { EVSETargetActivePower: rn(11, 3), EVSETargetFrequency: rn(50) },
        },
      },
    ],
    [
      '-20 ScheduleExchangeRes',
      'iso20',
      {
        ScheduleExchangeRes: {
          Header: header20,
          ResponseCode: 'OK',
          EVSEProcessing: 'Finished',
          Scheduled_SEResControlMode: {
            ScheduleTuple: [
              {
                ScheduleTupleID: 1,
                ChargingSchedule: {
                  PowerSchedule: { TimeAnchor: TIMESTAMP, PowerScheduleEntries: { PowerScheduleEntry: scheduleEntries } },
                  AbsolutePriceSchedule: {
                    Id: 'price1',
                    TimeAnchor: TIMESTAMP,
                    PriceScheduleID: 1,
                    Currency: 'EUR',
                    Language: 'ENG',
                    PriceAlgorithm: 'urn:iso:std:iso:15118:-20:PriceAlgorithm:1-Power',
                    PriceRuleStacks: { PriceRuleStack: [0, 1, 2, 3, 4, 5, 6].map((k) => ({ Duration: 12000 * k, PriceRule: priceRules(8) })) },
                  },
                },
              },
            ],
          },
        },
      },
    ],
  ];
  return messages.map(([name, schema, doc]) => {
    const codec = schemaCodec(schema);
    return { name, schema, bytes: schema === 'iso2' ? iso2.encode(doc) : codec.encode(doc) };
  });
}
