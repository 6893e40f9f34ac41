// The EV side of an ISO 15118-20 AC or DC session, from SupportedAppProtocol to SessionStop: PnC (the contract chain
// and the SECC's challenge in a signed PnC_AReqAuthorizationMode) or EIM, Scheduled mode. Misbehaviour switches turn it
// into a test peer for the SECC's refusals.
import type { KeyObject } from 'node:crypto';
import type { Socket } from 'node:net';
import { appHandshake, type iso20, type iso20CommonTypes, type xmldsig } from '../exi/index.js';
import { PROTOCOL_DEFINITIONS } from '../iso15118/session/appProtocolNegotiation.js';
import { decodeIso20Response, encodeIso20Message } from '../iso15118/session/iso20/iso20Codec.js';
import { AC_SERVICE_ID, DC_SERVICE_ID } from '../iso15118/session/iso20/iso20EnergyServices.js';
import { requestName, responseName, type Iso20Request, type Iso20ResponseName, type Iso20Responses } from '../iso15118/session/iso20/iso20Messages.js';
import { rational, rationalValue } from '../iso15118/session/iso20/rationalNumber.js';
import type { SessionTrace } from '../iso15118/session/sessionTrace.js';
import { V2gChannel } from '../iso15118/session/v2gChannel.js';
import { PAYLOAD_TYPE } from '../iso15118/transport/index.js';
import { createSignature, ISO20_ED448, ISO20_P521, keyMismatch, type SignatureSuite } from '../iso15118/xmldsig/index.js';
import type { ContractCredential } from './iso2Evcc.js';
import { tracedCertificates } from '../trace/tracedCertificate.js';
import type { TracedCertificate } from '../trace/traceEvent.js';
import { EvccProgress, EvccStop, runEvccSequence, whileOngoing, type EvccResult } from './evccRun.js';

/** What a previous -20 session's EV signed, to replay it. */
export interface SignedIso20Authorization {
  readonly request: iso20.PnC_AReqAuthorizationModeType;
  readonly signature: xmldsig.SignatureType;
}

export interface Iso20Misbehaviour {
  /** Send this earlier session's signed PnC_AReqAuthorizationMode instead of signing the new challenge. */
  readonly replay?: SignedIso20Authorization;
  /** Flip a bit of the SignatureValue. */
  readonly corruptSignature?: boolean;
  /** Sign one PnC_AReqAuthorizationMode, send another (the GenChallenge differs by one bit in what was signed). */
  readonly tamperSignedElement?: boolean;
  /** Use another SessionID than the SECC assigned, after SessionSetup. */
  readonly forgeSessionId?: boolean;
  /** Send the ChargeParameterDiscoveryReq right after SessionSetup. */
  readonly skipToChargeParameters?: boolean;
  /** Instead of the request after this many messages, send these raw bytes (a whole V2GTP frame or anything). */
  readonly rawAt?: { readonly afterMessages: number; readonly bytes: Uint8Array };
}

export interface Iso20EvccOptions {
  readonly auth: 'pnc' | 'eim';
  readonly energy: 'ac' | 'dc';
  readonly contract?: ContractCredential;
  readonly evccId?: string;
  /** Charge-loop messages before stopping. */
  readonly chargeLoops?: number;
  /** Pause between charge-loop messages. */
  readonly chargeLoopPauseMs?: number;
  /** V2G_EVCC_Ongoing_Timeout (60 s) and the pause between Ongoing polls. */
  readonly ongoingTimeoutMs?: number;
  readonly ongoingPollMs?: number;
  /** Per-message time-out (notes §5: 2 s for most, 5 s for ServiceDetail, 0.5 s in the charge loop). */
  readonly messageTimeoutMs?: (request: string) => number;
  readonly misbehave?: Iso20Misbehaviour;
  readonly trace: SessionTrace;
  /** For the header TimeStamp. */
  readonly clock?: () => number;
}

export type Iso20EvccResult = EvccResult<SignedIso20Authorization>;

/** V2G_EVCC_Msg_Timeout per -20 request, as Josev codes it (notes §5). */
export function iso20MessageTimeout(request: string): number {
  if (request === 'ServiceDetailReq' || request === 'CertificateInstallationReq') return 5000;
  if (request === 'AC_ChargeLoopReq' || request === 'DC_ChargeLoopReq') return 500;
  return 2000;
}


const EV_MAX_AC_POWER = 11_000;
const EV_MAX_DC_POWER = 50_000;
const EV_TARGET_VOLTAGE = 400;

export async function runIso20Evcc(socket: Socket, o: Iso20EvccOptions): Promise<Iso20EvccResult> {
  const channel = new V2gChannel(socket, { maxPayloadBytes: 65_536 });
  const progress = new EvccProgress<SignedIso20Authorization>();
  const codes = progress.codes;
  const timeoutOf = o.messageTimeoutMs ?? iso20MessageTimeout;
  const clock = o.clock ?? Date.now;
  let sessionId = new Uint8Array(8);
  let lastSessionId = new Uint8Array(8);
  let sent = 0;

  const header = (): iso20CommonTypes.MessageHeaderType => ({ SessionID: sessionId, TimeStamp: BigInt(Math.floor(clock() / 1000)) });

  const sendRaw = (payloadType: number, payload: Uint8Array): void => {
    const raw = o.misbehave?.rawAt;
    sent++;
    if (raw && raw.afterMessages === sent - 1) socket.write(raw.bytes);
    else channel.send(payloadType, payload);
  };

  async function exchange<K extends Iso20ResponseName>(request: Iso20Request, expect: K): Promise<Iso20Responses[K]> {
    const name = requestName(request);
    const encoded = encodeIso20Message(request);
    const started = performance.now();
    sendRaw(encoded.payloadType, encoded.payload);
    o.trace.sent(name, undefined, undefined, carriedChain(request));
    const m = await channel.receive(timeoutOf(name));
    const response = decodeIso20Response(m.payloadType, m.payload);
    const all: Partial<Iso20Responses> = response;
    const res = all[expect];
    if (!res) throw new EvccStop(`unexpected ${responseName(response)} after ${name}`);
    lastSessionId = Uint8Array.from(res.Header.SessionID);
    const code = res.ResponseCode;
    codes[expect] = code;
    o.trace.received(expect, code);
    o.trace.check(`${expect} in time`, true, undefined, performance.now() - started);
    if (!code.startsWith('OK')) throw new EvccStop(code);
    return res;
  }

  const ongoing = <T extends { EVSEProcessing: string }>(first: T, again: () => Promise<T>): Promise<T> => whileOngoing(first, again, o.ongoingTimeoutMs, o.ongoingPollMs);

  const chargeParameters = (): Promise<unknown> =>
    o.energy === 'ac'
      ? exchange(
          { AC_ChargeParameterDiscoveryReq: { Header: header(), AC_CPDReqEnergyTransferMode: { EVMaximumChargePower: rational(EV_MAX_AC_POWER), EVMinimumChargePower: rational(1_380) } } },
          'AC_ChargeParameterDiscoveryRes',
        )
      : exchange(
          {
            DC_ChargeParameterDiscoveryReq: {
              Header: header(),
              DC_CPDReqEnergyTransferMode: {
                EVMaximumChargePower: rational(EV_MAX_DC_POWER),
                EVMinimumChargePower: rational(0),
                EVMaximumChargeCurrent: rational(125),
                EVMinimumChargeCurrent: rational(0),
                EVMaximumVoltage: rational(450),
                EVMinimumVoltage: rational(200),
                TargetSOC: 80,
              },
            },
          },
          'DC_ChargeParameterDiscoveryRes',
        );

  return runEvccSequence(channel, progress, () => sessionId, async () => {
    // SupportedAppProtocol
    const sap = PROTOCOL_DEFINITIONS[o.energy === 'ac' ? 'iso20-ac' : 'iso20-dc'];
    sendRaw(PAYLOAD_TYPE.exi, appHandshake.encodeAppHandshake({ supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: sap.namespace, VersionNumberMajor: sap.major, VersionNumberMinor: sap.minor, SchemaID: 1, Priority: 1 }] } }));
    o.trace.sent('supportedAppProtocolReq');
    const sapRes = appHandshake.decodeAppHandshake((await channel.receive(2000)).payload).supportedAppProtocolRes;
    o.trace.received('supportedAppProtocolRes', sapRes?.ResponseCode);
    if (!sapRes || sapRes.ResponseCode === 'Failed_NoNegotiation') throw new EvccStop('Failed_NoNegotiation');

    await exchange({ SessionSetupReq: { Header: header(), EVCCID: o.evccId ?? 'PNCVIN00000000001' } }, 'SessionSetupRes');
    // The SECC assigns the SessionID in the header of SessionSetupRes; every later request carries it.
    sessionId = o.misbehave?.forgeSessionId ? lastSessionId.map((b) => b ^ 0xff) : lastSessionId;
    o.trace.session = Buffer.from(sessionId).toString('hex');
    if (o.misbehave?.skipToChargeParameters) await chargeParameters();

    const setup = await exchange({ AuthorizationSetupReq: { Header: header() } }, 'AuthorizationSetupRes');
    const service = o.auth === 'pnc' ? 'PnC' : 'EIM';
    if (!setup.AuthorizationServices.includes(service)) throw new EvccStop(`not offered: ${service} (offered ${setup.AuthorizationServices.join(', ')})`);
    let authorization: Iso20Request;
    if (o.auth === 'pnc') {
      const c = o.contract;
      if (!c) throw new EvccStop('no contract certificate for PnC');
      const challenge = setup.PnC_ASResAuthorizationMode?.GenChallenge;
      if (!challenge) throw new EvccStop('no GenChallenge in AuthorizationSetupRes');
      const signed = signAuthorization(challenge, c, o.misbehave);
      progress.signedAuthorization = o.misbehave?.replay ?? { request: signed.request, signature: signed.signature };
      const outgoing = o.misbehave?.replay ?? { request: signed.request, signature: signed.signature };
      authorization = { AuthorizationReq: { Header: { ...header(), Signature: outgoing.signature }, SelectedAuthorizationService: 'PnC', PnC_AReqAuthorizationMode: outgoing.request } };
    } else {
      authorization = { AuthorizationReq: { Header: header(), SelectedAuthorizationService: 'EIM', EIM_AReqAuthorizationMode: {} } };
    }
    // While Ongoing the EV re-sends the same request unaltered (notes §1.4).
    const first = await exchange(authorization, 'AuthorizationRes');
    await ongoing(first, () => exchange(authorization, 'AuthorizationRes'));
    progress.authorize();

    const wanted = o.energy === 'ac' ? AC_SERVICE_ID : DC_SERVICE_ID;
    const discovery = await exchange({ ServiceDiscoveryReq: { Header: header() } }, 'ServiceDiscoveryRes');
    const offered = discovery.EnergyTransferServiceList.Service.map((s) => s.ServiceID);
    if (!offered.includes(wanted)) throw new EvccStop(`not offered: energy service ${wanted} (offered ${offered.join(', ')})`);
    const detail = await exchange({ ServiceDetailReq: { Header: header(), ServiceID: wanted } }, 'ServiceDetailRes');
    const set = pickParameterSet(detail.ServiceParameterList.ParameterSet);
    if (!set) throw new EvccStop('not offered: a parameter set with the Scheduled control mode');
    await exchange({ ServiceSelectionReq: { Header: header(), SelectedEnergyTransferService: { ServiceID: wanted, ParameterSetID: set.ParameterSetID } } }, 'ServiceSelectionRes');
    await chargeParameters();
    const scheduleRequest = (): Iso20Request => ({ ScheduleExchangeReq: { Header: header(), MaximumSupportingPoints: 1024, Scheduled_SEReqControlMode: { EVTargetEnergyRequest: rational(30_000) } } });
    let schedule = await exchange(scheduleRequest(), 'ScheduleExchangeRes');
    schedule = await ongoing(schedule, () => exchange(scheduleRequest(), 'ScheduleExchangeRes'));
    const tupleId = schedule.Scheduled_SEResControlMode?.ScheduleTuple[0]?.ScheduleTupleID ?? 1;

    if (o.energy === 'dc') {
      const cc = await exchange({ DC_CableCheckReq: { Header: header() } }, 'DC_CableCheckRes');
      await ongoing(cc, () => exchange({ DC_CableCheckReq: { Header: header() } }, 'DC_CableCheckRes'));
      // Ongoing until the SECC's output reaches the battery voltage, then Finished.
      const pre = await exchange({ DC_PreChargeReq: { Header: header(), EVProcessing: 'Ongoing', EVPresentVoltage: rational(EV_TARGET_VOLTAGE), EVTargetVoltage: rational(EV_TARGET_VOLTAGE) } }, 'DC_PreChargeRes');
      if (Math.abs(rationalValue(pre.EVSEPresentVoltage) - EV_TARGET_VOLTAGE) > 20) throw new EvccStop(`PreCharge: the SECC reached ${rationalValue(pre.EVSEPresentVoltage)} V`);
      await exchange({ DC_PreChargeReq: { Header: header(), EVProcessing: 'Finished', EVPresentVoltage: rational(EV_TARGET_VOLTAGE), EVTargetVoltage: rational(EV_TARGET_VOLTAGE) } }, 'DC_PreChargeRes');
    }
    const power = o.energy === 'ac' ? EV_MAX_AC_POWER : EV_MAX_DC_POWER;
    await exchange(
      {
        PowerDeliveryReq: {
          Header: header(),
          EVProcessing: 'Finished',
          ChargeProgress: 'Start',
          EVPowerProfile: {
            TimeAnchor: header().TimeStamp,
            Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: tupleId },
            EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: rational(power) }] },
          },
        },
      },
      'PowerDeliveryRes',
    );
    progress.charged = true;
    const loops = o.chargeLoops ?? 3;
    for (let i = 0; i < loops; i++) {
      if (i > 0 && o.chargeLoopPauseMs) await new Promise((r) => setTimeout(r, o.chargeLoopPauseMs));
      const display = { PresentSOC: 40 + i, ChargingComplete: i === loops - 1 };
      let status: { EVSENotification: string } | undefined;
      if (o.energy === 'ac') {
        status = (await exchange(
          { AC_ChargeLoopReq: { Header: header(), DisplayParameters: display, MeterInfoRequested: i === 0, Scheduled_AC_CLReqControlMode: { EVPresentActivePower: rational(power) } } },
          'AC_ChargeLoopRes',
        )).EVSEStatus;
      } else {
        status = (await exchange(
          {
            DC_ChargeLoopReq: {
              Header: header(),
              DisplayParameters: display,
              MeterInfoRequested: i === 0,
              EVPresentVoltage: rational(EV_TARGET_VOLTAGE),
              Scheduled_DC_CLReqControlMode: { EVTargetCurrent: rational(100), EVTargetVoltage: rational(EV_TARGET_VOLTAGE) },
            },
          },
          'DC_ChargeLoopRes',
        )).EVSEStatus;
      }
      if (status?.EVSENotification === 'Terminate') {
        o.trace.check('EVSE notification', false, 'Terminate: the charger ends the session');
        progress.stoppedByCharger = true;
        break;
      }
    }
    await exchange({ PowerDeliveryReq: { Header: header(), EVProcessing: 'Finished', ChargeProgress: 'Stop' } }, 'PowerDeliveryRes');
    if (o.energy === 'dc') await exchange({ DC_WeldingDetectionReq: { Header: header(), EVProcessing: 'Finished' } }, 'DC_WeldingDetectionRes');
    await exchange({ SessionStopReq: { Header: header(), ChargingSession: 'Terminate' } }, 'SessionStopRes');
    progress.stopped = true;
  });
}

/** The contract chain a PnC AuthorizationReq carries (PnC_AReqAuthorizationMode), as the trace shows it. */
function carriedChain(request: Iso20Request): TracedCertificate[] | undefined {
  const chain = 'AuthorizationReq' in request ? request.AuthorizationReq?.PnC_AReqAuthorizationMode?.ContractCertificateChain : undefined;
  if (!chain) return undefined;
  return tracedCertificates([chain.Certificate, ...chain.SubCertificates.Certificate].map((c) => Buffer.from(c)));
}

/** A Scheduled parameter set; for AC the three-phase connector when offered. */
function pickParameterSet(sets: readonly iso20.ParameterSetType[]): iso20.ParameterSetType | undefined {
  const value = (set: iso20.ParameterSetType, name: string): number | undefined => set.Parameter.find((p) => p.Name === name)?.intValue;
  const scheduled = sets.filter((s) => value(s, 'ControlMode') === 1);
  return scheduled.find((s) => value(s, 'Connector') === 2) ?? scheduled[0];
}

/** PnC_AReqAuthorizationMode with the SECC's challenge and the contract chain, signed with the contract key over its EXI fragment. */
function signAuthorization(
  challenge: Uint8Array,
  contract: ContractCredential,
  misbehave: Iso20Misbehaviour | undefined,
): { request: iso20.PnC_AReqAuthorizationModeType; signature: xmldsig.SignatureType } {
  const request: iso20.PnC_AReqAuthorizationModeType = {
    Id: 'id1',
    GenChallenge: Uint8Array.from(challenge),
    ContractCertificateChain: { Certificate: contract.chain[0]!, SubCertificates: { Certificate: [...contract.chain.slice(1)] } },
  };
  const signedCopy = misbehave?.tamperSignedElement ? { ...request, GenChallenge: flipBit(request.GenChallenge) } : request;
  const signature = createSignature([{ PnC_AReqAuthorizationMode: signedCopy }], contract.key, { schema: 'iso20', suite: suiteOf(contract.key) });
  if (misbehave?.corruptSignature) signature.SignatureValue = { ...signature.SignatureValue, value: flipBit(signature.SignatureValue.value) };
  return { request, signature };
}

function suiteOf(key: KeyObject): SignatureSuite {
  const suite = [ISO20_P521, ISO20_ED448].find((s) => keyMismatch(s, key) === undefined);
  if (!suite) throw new EvccStop(`the contract key fits no -20 signature suite: ${keyMismatch(ISO20_P521, key)}`);
  return suite;
}

function flipBit(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[copy.length - 1] = copy[copy.length - 1]! ^ 1;
  return copy;
}
