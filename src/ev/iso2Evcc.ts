// The EV side of an ISO 15118-2 session, from SupportedAppProtocol to SessionStop: PnC (PaymentDetails with the
// contract chain, signed AuthorizationReq, signed MeteringReceipt) or EIM, AC or DC. Misbehaviour switches turn it into
// a test peer for the SECC's refusals.
import type { KeyObject } from 'node:crypto';
import { appHandshake, iso2, type xmldsig } from '../exi/index.js';
import { PROTOCOL_DEFINITIONS } from '../iso15118/session/appProtocolNegotiation.js';
import { V2gChannel } from '../iso15118/session/v2gChannel.js';
import type { SessionTrace } from '../iso15118/session/sessionTrace.js';
import { PAYLOAD_TYPE } from '../iso15118/transport/index.js';
import { createSignature, ISO2_P256 } from '../iso15118/xmldsig/index.js';
import { physical } from '../iso15118/session/evseModel.js';
import type { Socket } from 'node:net';
import { tracedCertificates } from '../trace/tracedCertificate.js';
import type { TracedCertificate } from '../trace/traceEvent.js';
import { EvccProgress, EvccStop, runEvccSequence, whileOngoing, type EvccResult } from './evccRun.js';

export interface ContractCredential {
  /** Contract leaf then MO Sub-CA 2, Sub-CA 1 (DER). */
  readonly chain: readonly Buffer[];
  readonly key: KeyObject;
  readonly emaid: string;
}

/** What a previous session's EV signed, to replay it. */
export interface SignedAuthorization {
  readonly request: iso2.AuthorizationReqType;
  readonly signature: xmldsig.SignatureType;
}

export interface Iso2Misbehaviour {
  /** Send this earlier session's signed AuthorizationReq instead of signing the new challenge. */
  readonly replay?: SignedAuthorization;
  /** Flip a bit of the SignatureValue. */
  readonly corruptSignature?: boolean;
  /** Sign one AuthorizationReq, send another (the GenChallenge differs by one bit in what was signed). */
  readonly tamperSignedElement?: boolean;
  /** Use another SessionID than the SECC assigned, after SessionSetup. */
  readonly forgeSessionId?: boolean;
  /** Send ChargeParameterDiscoveryReq right after SessionSetup. */
  readonly skipToChargeParameters?: boolean;
  /** Instead of the request after this many messages, send these raw bytes (a whole V2GTP frame or anything). */
  readonly rawAt?: { readonly afterMessages: number; readonly bytes: Uint8Array };
}

export interface Iso2EvccOptions {
  readonly auth: 'pnc' | 'eim';
  readonly energy: 'ac' | 'dc';
  readonly contract?: ContractCredential;
  readonly evccId?: Uint8Array;
  /** Charge-loop messages before stopping, and the pause between them. */
  readonly chargeLoops?: number;
  readonly chargeLoopPauseMs?: number;
  /** V2G_EVCC_Ongoing_Timeout (60 s) and the pause between Ongoing polls. */
  readonly ongoingTimeoutMs?: number;
  readonly ongoingPollMs?: number;
  /** Per-message time-out (the notes' table; 2 s for most, 5 s for PaymentDetails and PowerDelivery). */
  readonly messageTimeoutMs?: (request: string) => number;
  readonly misbehave?: Iso2Misbehaviour;
  readonly trace: SessionTrace;
}

export type Iso2EvccResult = EvccResult<SignedAuthorization>;

/** V2G_EVCC_Msg_Timeout per request, as Josev and RISE-V2G code it (notes §5). */
export function iso2MessageTimeout(request: string): number {
  if (['ServiceDetailReq', 'CertificateInstallationReq', 'CertificateUpdateReq', 'PaymentDetailsReq', 'PowerDeliveryReq'].includes(request)) return 5000;
  if (request === 'CurrentDemandReq') return 250;
  return 2000;
}


export async function runIso2Evcc(socket: Socket, o: Iso2EvccOptions): Promise<Iso2EvccResult> {
  const channel = new V2gChannel(socket, { maxPayloadBytes: 65_536 });
  const progress = new EvccProgress<SignedAuthorization>();
  const codes = progress.codes;
  const timeoutOf = o.messageTimeoutMs ?? iso2MessageTimeout;
  let sessionId = new Uint8Array(8);
  let lastSessionId = new Uint8Array(8);
  let assigned = false;
  let sent = 0;

  const sendRaw = (payloadType: number, payload: Uint8Array): boolean => {
    const raw = o.misbehave?.rawAt;
    sent++;
    if (raw && raw.afterMessages === sent - 1) {
      socket.write(raw.bytes);
      return false;
    }
    channel.send(payloadType, payload);
    return true;
  };

  async function exchange<K extends keyof iso2.BodyType>(body: iso2.BodyType, expect: K, signature?: xmldsig.SignatureType): Promise<NonNullable<iso2.BodyType[K]>> {
    const name = Object.keys(body)[0]!;
    const header: iso2.MessageHeaderType = { SessionID: sessionId, ...(signature ? { Signature: signature } : {}) };
    const started = performance.now();
    sendRaw(PAYLOAD_TYPE.exi, iso2.encodeIso2({ V2G_Message: { Header: header, Body: body } }));
    o.trace.sent(name, undefined, undefined, carriedChain(body));
    const m = await channel.receive(timeoutOf(name));
    const doc = iso2.decodeIso2(m.payload);
    if (doc.V2G_Message) lastSessionId = Uint8Array.from(doc.V2G_Message.Header.SessionID);
    // After SessionSetup every response must carry the SessionID the SECC assigned.
    if (assigned && !o.misbehave?.forgeSessionId && !Buffer.from(lastSessionId).equals(Buffer.from(sessionId))) throw new EvccStop('the SECC answered with another SessionID');
    const res = doc.V2G_Message?.Body[expect];
    const got = Object.keys(doc.V2G_Message?.Body ?? {})[0] ?? 'nothing';
    if (!res) throw new EvccStop(`unexpected ${got} after ${name}`);
    const code = (res as { ResponseCode: string }).ResponseCode;
    codes[String(expect)] = code;
    o.trace.received(String(expect), code);
    o.trace.check(`${String(expect)} in time`, true, undefined, performance.now() - started);
    if (!code.startsWith('OK')) throw new EvccStop(code);
    return res;
  }

  const ongoing = <T extends { EVSEProcessing: string }>(first: T, again: () => Promise<T>): Promise<T> => whileOngoing(first, again, o.ongoingTimeoutMs, o.ongoingPollMs);

  return runEvccSequence(channel, progress, () => sessionId, async () => {
    // SupportedAppProtocol
    const sap = PROTOCOL_DEFINITIONS.iso2;
    sendRaw(PAYLOAD_TYPE.exi, appHandshake.encodeAppHandshake({ supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: sap.namespace, VersionNumberMajor: sap.major, VersionNumberMinor: sap.minor, SchemaID: 1, Priority: 1 }] } }));
    o.trace.sent('supportedAppProtocolReq');
    const sapRes = appHandshake.decodeAppHandshake((await channel.receive(2000)).payload).supportedAppProtocolRes;
    o.trace.received('supportedAppProtocolRes', sapRes?.ResponseCode);
    if (!sapRes || sapRes.ResponseCode === 'Failed_NoNegotiation') throw new EvccStop('Failed_NoNegotiation');

    await exchange({ SessionSetupReq: { EVCCID: o.evccId ?? Uint8Array.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]) } }, 'SessionSetupRes');
    // The SECC assigns the SessionID in the header of SessionSetupRes; every later request carries it.
    sessionId = o.misbehave?.forgeSessionId ? lastSessionId.map((b) => b ^ 0xff) : lastSessionId;
    assigned = true;
    o.trace.session = Buffer.from(sessionId).toString('hex');
    if (o.misbehave?.skipToChargeParameters) await exchange(chargeParameterRequest(o.energy), 'ChargeParameterDiscoveryRes');

    const discovery = await exchange({ ServiceDiscoveryReq: {} }, 'ServiceDiscoveryRes');
    const option = o.auth === 'pnc' ? 'Contract' : 'ExternalPayment';
    if (!discovery.PaymentOptionList.PaymentOption.includes(option)) throw new EvccStop(`not offered: ${option} (offered ${discovery.PaymentOptionList.PaymentOption.join(', ')})`);
    await exchange({ PaymentServiceSelectionReq: { SelectedPaymentOption: option, SelectedServiceList: { SelectedService: [{ ServiceID: discovery.ChargeService.ServiceID }] } } }, 'PaymentServiceSelectionRes');

    if (o.auth === 'pnc') {
      const c = o.contract;
      if (!c) throw new EvccStop('no contract certificate for PnC');
      const details = await exchange(
        { PaymentDetailsReq: { eMAID: c.emaid, ContractSignatureCertChain: { Certificate: c.chain[0]!, SubCertificates: { Certificate: c.chain.slice(1) } } } },
        'PaymentDetailsRes',
      );
      const signed = signAuthorization(details.GenChallenge, c.key, o.misbehave);
      progress.signedAuthorization = o.misbehave?.replay ?? { request: signed.request, signature: signed.signature };
      const outgoing = o.misbehave?.replay ?? { request: signed.sent, signature: signed.signature };
      const first = await exchange({ AuthorizationReq: outgoing.request }, 'AuthorizationRes', outgoing.signature);
      // [V2G2-684]: Ongoing polls carry neither challenge nor signature.
      await ongoing(first, () => exchange({ AuthorizationReq: {} }, 'AuthorizationRes'));
    } else {
      const first = await exchange({ AuthorizationReq: {} }, 'AuthorizationRes');
      await ongoing(first, () => exchange({ AuthorizationReq: {} }, 'AuthorizationRes'));
    }
    progress.authorize();

    let cpd = await exchange(chargeParameterRequest(o.energy), 'ChargeParameterDiscoveryRes');
    cpd = await ongoing(cpd, () => exchange(chargeParameterRequest(o.energy), 'ChargeParameterDiscoveryRes'));
    const tupleId = cpd.SAScheduleList?.SAScheduleTuple[0]?.SAScheduleTupleID ?? 1;
    const dcStatus: iso2.DC_EVStatusType = { EVReady: true, EVErrorCode: 'NO_ERROR', EVRESSSOC: 40 };
    if (o.energy === 'dc') {
      const cc = await exchange({ CableCheckReq: { DC_EVStatus: dcStatus } }, 'CableCheckRes');
      await ongoing(cc, () => exchange({ CableCheckReq: { DC_EVStatus: dcStatus } }, 'CableCheckRes'));
      await exchange({ PreChargeReq: { DC_EVStatus: dcStatus, EVTargetVoltage: physical(400, 'V'), EVTargetCurrent: physical(2, 'A') } }, 'PreChargeRes');
    }
    await exchange(
      { PowerDeliveryReq: { ChargeProgress: 'Start', SAScheduleTupleID: tupleId, ...(o.energy === 'dc' ? { DC_EVPowerDeliveryParameter: { DC_EVStatus: dcStatus, ChargingComplete: false } } : {}) } },
      'PowerDeliveryRes',
    );
    progress.charged = true;
    for (let i = 0; i < (o.chargeLoops ?? 3); i++) {
      if (i > 0 && o.chargeLoopPauseMs) await new Promise((r) => setTimeout(r, o.chargeLoopPauseMs));
      const loop =
        o.energy === 'dc'
          ? await exchange(
              { CurrentDemandReq: { DC_EVStatus: dcStatus, EVTargetCurrent: physical(100, 'A'), ChargingComplete: i === (o.chargeLoops ?? 3) - 1, EVTargetVoltage: physical(400, 'V') } },
              'CurrentDemandRes',
            )
          : await exchange({ ChargingStatusReq: {} }, 'ChargingStatusRes');
      const status = 'DC_EVSEStatus' in loop ? loop.DC_EVSEStatus : loop.AC_EVSEStatus;
      if (status?.EVSENotification === 'StopCharging') {
        o.trace.check('EVSE notification', false, 'StopCharging: the charger ends the session');
        progress.stoppedByCharger = true;
        break;
      }
      if (loop.ReceiptRequired && o.auth === 'pnc' && loop.MeterInfo && o.contract) {
        const receipt: iso2.MeteringReceiptReqType = { Id: 'ID2', SessionID: sessionId, SAScheduleTupleID: tupleId, MeterInfo: loop.MeterInfo };
        const signature = createSignature([{ MeteringReceiptReq: receipt }], o.contract.key, { schema: 'iso2', suite: ISO2_P256 });
        await exchange({ MeteringReceiptReq: receipt }, 'MeteringReceiptRes', signature);
      }
    }
    await exchange(
      { PowerDeliveryReq: { ChargeProgress: 'Stop', SAScheduleTupleID: tupleId, ...(o.energy === 'dc' ? { DC_EVPowerDeliveryParameter: { DC_EVStatus: dcStatus, ChargingComplete: true } } : {}) } },
      'PowerDeliveryRes',
    );
    if (o.energy === 'dc') await exchange({ WeldingDetectionReq: { DC_EVStatus: dcStatus } }, 'WeldingDetectionRes');
    await exchange({ SessionStopReq: { ChargingSession: 'Terminate' } }, 'SessionStopRes');
    progress.stopped = true;
  });
}

/** The contract chain PaymentDetailsReq carries, as the trace shows it (the only -2 request of the EV with a chain). */
function carriedChain(body: iso2.BodyType): TracedCertificate[] | undefined {
  const chain = body.PaymentDetailsReq?.ContractSignatureCertChain;
  if (!chain) return undefined;
  return tracedCertificates([chain.Certificate, ...(chain.SubCertificates?.Certificate ?? [])].map((c) => Buffer.from(c)));
}

function chargeParameterRequest(energy: 'ac' | 'dc'): iso2.BodyType {
  if (energy === 'ac') {
    return {
      ChargeParameterDiscoveryReq: {
        RequestedEnergyTransferMode: 'AC_three_phase_core',
        AC_EVChargeParameter: { EAmount: physical(20_000, 'Wh'), EVMaxVoltage: physical(400, 'V'), EVMaxCurrent: physical(32, 'A'), EVMinCurrent: physical(6, 'A') },
      },
    };
  }
  return {
    ChargeParameterDiscoveryReq: {
      RequestedEnergyTransferMode: 'DC_extended',
      DC_EVChargeParameter: {
        DC_EVStatus: { EVReady: true, EVErrorCode: 'NO_ERROR', EVRESSSOC: 40 },
        EVMaximumCurrentLimit: physical(125, 'A'),
        EVMaximumPowerLimit: physical(50_000, 'W'),
        EVMaximumVoltageLimit: physical(450, 'V'),
        EVEnergyCapacity: physical(60_000, 'Wh'),
        EVEnergyRequest: physical(30_000, 'Wh'),
        FullSOC: 100,
        BulkSOC: 80,
      },
    },
  };
}

/** The first AuthorizationReq: Id + the SECC's challenge, signed with the contract key over its EXI fragment. */
function signAuthorization(challenge: Uint8Array, key: KeyObject, misbehave: Iso2Misbehaviour | undefined): { request: iso2.AuthorizationReqType; sent: iso2.AuthorizationReqType; signature: xmldsig.SignatureType } {
  const request: iso2.AuthorizationReqType = { Id: 'ID1', GenChallenge: Uint8Array.from(challenge) };
  const signedCopy = misbehave?.tamperSignedElement ? { ...request, GenChallenge: flipBit(request.GenChallenge!) } : request;
  const signature = createSignature([{ AuthorizationReq: signedCopy }], key, { schema: 'iso2', suite: ISO2_P256 });
  if (misbehave?.corruptSignature) signature.SignatureValue = { ...signature.SignatureValue, value: flipBit(signature.SignatureValue.value) };
  return { request, sent: request, signature };
}

function flipBit(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[copy.length - 1] = copy[copy.length - 1]! ^ 1;
  return copy;
}
