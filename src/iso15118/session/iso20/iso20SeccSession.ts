// The ISO 15118-20 SECC state machine for AC and DC sessions: which request may come next, what each request is
// answered with, and which answers end the session. One instance per V2G communication session; the transport (SAP,
// payload types, timeouts, sockets) is the runner's. PnC (signed PnC_AReqAuthorizationMode) and EIM, Scheduled mode.
import { randomBytes } from 'node:crypto';
import type { iso20, iso20Ac, iso20CommonTypes, iso20Dc } from '../../../exi/index.js';
import type { Certificate } from '../../../pki/certificate/certificate.js';
import { importPublicKey } from '../../../pki/certificate/signature.js';
import { chainVerdict } from '../../../pki/verdict/chainVerdict.js';
import { ISO20_ED448, ISO20_P521, keyMismatch, verifySignature } from '../../xmldsig/index.js';
import type { ContractRequest, IdentificationMethod, SessionContext } from '../seccDecisionPort.js';
import type { SeccSessionOptions } from '../seccSessionOptions.js';
import { energyServices, type EnergyService } from './iso20EnergyServices.js';
import { iso20FailedResponse } from './iso20FailedResponse.js';
import { PendingDecision } from '../pendingDecision.js';
import { requestHeader, requestName, type Iso20Request, type Iso20RequestName, type Iso20Response } from './iso20Messages.js';
import { rational } from './rationalNumber.js';
import { tracedCertificates } from '../../../trace/tracedCertificate.js';

type Code = iso20CommonTypes.responseCodeType;
type Header = iso20CommonTypes.MessageHeaderType;

/** What the SECC waits for next. */
type Stage =
  | 'SessionSetup'
  | 'AuthorizationSetup'
  | 'Authorization'
  | 'ServiceDiscovery'
  | 'ServiceSelection'
  | 'ChargeParameterDiscovery'
  | 'ScheduleExchange'
  | 'CableCheck'
  | 'PreCharge'
  | 'PowerDeliveryStart'
  | 'Charging'
  | 'Stopped'
  | 'Ended';

/** Codes the SECC answers an AuthorizationReq with when it refuses (the AuthorizationRes codes of notes §1.4). */
const AUTHORIZATION_REFUSALS: readonly Code[] = [
  'WARNING_CertificateExpired',
  'WARNING_CertificateNotYetValid',
  'WARNING_CertificateRevoked',
  'WARNING_CertificateValidationError',
  'WARNING_eMSPUnknown',
  'WARNING_GeneralPnCAuthorizationError',
  'WARNING_ChallengeInvalid',
  'WARNING_AuthorizationSelectionInvalid',
  'WARNING_EIMAuthorizationFailure',
  'FAILED',
  'FAILED_SequenceError',
  'FAILED_UnknownSession',
];

/** A refusal code from the decision port, if it is one an AuthorizationRes can carry; otherwise `fallback`. */
function refusalCode(code: string | undefined, fallback: Code): Code {
  return AUTHORIZATION_REFUSALS.find((c) => c === code) ?? fallback;
}

export interface Iso20SeccOptions extends SeccSessionOptions {
  readonly protocol: 'iso20-ac' | 'iso20-dc';
}

export interface Iso20Result {
  readonly response: Iso20Response;
  /** The session is over after this response (SessionStop, or a refusal: the SECC closes the connection). */
  readonly end: boolean;
  readonly outcome?: string;
}

const SCHEDULE_TUPLE_ID = 1;
/** Minimum AC current per phase a charger can signal (IEC 61851-1 PWM floor). */
const AC_MIN_CURRENT = 6;
const AC_NOMINAL_FREQUENCY = 50;

export class Iso20SeccSession {
  private stage: Stage = 'SessionSetup';
  private sessionId = new Uint8Array(8);
  private context: SessionContext | undefined;
  private offered: IdentificationMethod[] = [];
  private selected: IdentificationMethod | undefined;
  private challenge: Uint8Array | undefined;
  private contract: ContractRequest | undefined;
  private decision: PendingDecision | undefined;
  private services: EnergyService[] = [];
  private phases = 1;
  private authorized = false;

  constructor(private readonly o: Iso20SeccOptions) {}

  get authorizedBy(): 'pnc' | 'eim' | undefined {
    return this.authorized ? this.selected : undefined;
  }

  get session(): SessionContext | undefined {
    return this.context;
  }

  private get dc(): boolean {
    return this.o.protocol === 'iso20-dc';
  }

  private expected(): readonly Iso20RequestName[] {
    const cpd = this.dc ? 'DC_ChargeParameterDiscoveryReq' : 'AC_ChargeParameterDiscoveryReq';
    const loop = this.dc ? 'DC_ChargeLoopReq' : 'AC_ChargeLoopReq';
    switch (this.stage) {
      case 'SessionSetup':
        return ['SessionSetupReq'];
      case 'AuthorizationSetup':
        return ['AuthorizationSetupReq'];
      case 'Authorization':
        return ['AuthorizationReq'];
      case 'ServiceDiscovery':
        return ['ServiceDiscoveryReq'];
      case 'ServiceSelection':
        return ['ServiceDetailReq', 'ServiceSelectionReq'];
      case 'ChargeParameterDiscovery':
        return [cpd];
      case 'ScheduleExchange':
        return ['ScheduleExchangeReq'];
      case 'CableCheck':
        return ['DC_CableCheckReq', 'DC_PreChargeReq'];
      case 'PreCharge':
        return ['DC_PreChargeReq', 'PowerDeliveryReq'];
      case 'PowerDeliveryStart':
        return ['PowerDeliveryReq'];
      case 'Charging':
        return [loop, 'PowerDeliveryReq'];
      case 'Stopped':
        return this.dc ? ['DC_WeldingDetectionReq', 'SessionStopReq'] : ['SessionStopReq'];
      case 'Ended':
        return [];
    }
  }

  async handle(req: Iso20Request): Promise<Iso20Result> {
    const name = requestName(req);
    if (this.stage !== 'SessionSetup' && !equalBytes(requestHeader(req).SessionID, this.sessionId)) {
      return this.fail(name, 'FAILED_UnknownSession', 'SessionID differs from the one assigned at SessionSetup');
    }
    // SessionStopReq is accepted from AuthorizationSetup on, so the EV can always leave.
    const accepted = this.expected().includes(name) || (name === 'SessionStopReq' && this.stage !== 'SessionSetup' && this.stage !== 'Ended');
    if (!accepted) return this.fail(name, 'FAILED_SequenceError', `${name} while waiting for ${this.expected().join(' | ') || 'nothing'}`);
    if (req.SessionSetupReq) return this.sessionSetup(req.SessionSetupReq);
    if (req.AuthorizationSetupReq) return this.authorizationSetup();
    if (req.AuthorizationReq) return this.authorization(req.AuthorizationReq);
    if (req.ServiceDiscoveryReq) return this.serviceDiscovery();
    if (req.ServiceDetailReq) return this.serviceDetail(req.ServiceDetailReq);
    if (req.ServiceSelectionReq) return this.serviceSelection(req.ServiceSelectionReq);
    if (req.AC_ChargeParameterDiscoveryReq) return this.acChargeParameterDiscovery(req.AC_ChargeParameterDiscoveryReq);
    if (req.DC_ChargeParameterDiscoveryReq) return this.dcChargeParameterDiscovery(req.DC_ChargeParameterDiscoveryReq);
    if (req.ScheduleExchangeReq) return this.scheduleExchange(req.ScheduleExchangeReq);
    if (req.DC_CableCheckReq) return this.respond({ DC_CableCheckRes: { Header: this.header(), ResponseCode: 'OK', EVSEProcessing: 'Finished' } });
    if (req.DC_PreChargeReq) return this.preCharge(req.DC_PreChargeReq);
    if (req.PowerDeliveryReq) return this.powerDelivery(req.PowerDeliveryReq);
    if (req.AC_ChargeLoopReq) return this.acChargeLoop(req.AC_ChargeLoopReq);
    if (req.DC_ChargeLoopReq) return this.dcChargeLoop(req.DC_ChargeLoopReq);
    if (req.DC_WeldingDetectionReq) return this.respond({ DC_WeldingDetectionRes: { Header: this.header(), ResponseCode: 'OK', EVSEPresentVoltage: rational(0) } });
    if (req.SessionStopReq) return this.sessionStop(req.SessionStopReq);
    return this.fail(name, 'FAILED_SequenceError', `${name} is not handled`);
  }

  private sessionSetup(req: iso20.SessionSetupReqType): Iso20Result {
    // No paused sessions are kept, so a SessionID from the EV never joins one: a new session every time.
    this.sessionId = new Uint8Array(randomBytes(8));
    this.context = { sessionId: Buffer.from(this.sessionId).toString('hex'), protocol: this.o.protocol, secure: this.o.secure, evccId: req.EVCCID };
    this.stage = 'AuthorizationSetup';
    return this.respond({ SessionSetupRes: { Header: this.header(), ResponseCode: 'OK_NewSessionEstablished', EVSEID: this.o.evse.evseId } });
  }

  private authorizationSetup(): Iso20Result {
    const wanted = this.o.port.identificationOptions(this.context!);
    // PnC only over TLS: never offered on a plain connection.
    this.offered = wanted.filter((m) => m !== 'pnc' || this.o.secure);
    this.o.trace.check('identification offer', true, `offered ${this.offered.join(' + ') || 'nothing'}${wanted.includes('pnc') && !this.o.secure ? ' (PnC withheld: no TLS)' : ''}`);
    if (this.offered.length === 0) return this.fail('AuthorizationSetupReq', 'FAILED', 'no identification method can be offered');
    const pnc = this.offered.includes('pnc');
    // A fresh 16-byte challenge from the CSPRNG per session: what makes a signed AuthorizationReq unusable in another.
    if (pnc) this.challenge = new Uint8Array(randomBytes(16));
    this.stage = 'Authorization';
    return this.respond({
      AuthorizationSetupRes: {
        Header: this.header(),
        ResponseCode: 'OK',
        AuthorizationServices: this.offered.map((m) => (m === 'pnc' ? 'PnC' : 'EIM')),
        CertificateInstallationService: false,
        // The schema's choice holds one mode: the PnC challenge when PnC is offered, the (empty) EIM mode otherwise.
        ...(pnc ? { PnC_ASResAuthorizationMode: { GenChallenge: this.challenge! } } : { EIM_ASResAuthorizationMode: {} }),
      },
    });
  }

  private async authorization(req: iso20.AuthorizationReqType): Promise<Iso20Result> {
    const method: IdentificationMethod = req.SelectedAuthorizationService === 'PnC' ? 'pnc' : 'eim';
    if (!this.offered.includes(method)) return this.fail('AuthorizationReq', 'WARNING_AuthorizationSelectionInvalid', `${req.SelectedAuthorizationService} was not offered`);
    if (this.selected !== undefined && this.selected !== method) return this.fail('AuthorizationReq', 'WARNING_AuthorizationSelectionInvalid', 'the authorization service changed while Ongoing');
    this.selected = method;
    if (method === 'eim') return this.external();
    // While Ongoing the EV re-sends the same request unaltered: it is a poll, not a new proof of possession.
    if (!this.decision) {
      const refusal = this.checkContract(req);
      if (refusal) return refusal;
      const request = this.contract!;
      this.decision = new PendingDecision(() => this.o.port.authorizeContract(request), this.o.authorizationBudgetMs ?? 55_000, this.o.decisionWaitMs ?? 1500);
    }
    return this.pollContractDecision();
  }

  /** Challenge, contract chain and signature of the first PnC AuthorizationReq: a refusal, or undefined to go on. */
  private checkContract(req: iso20.AuthorizationReqType): Iso20Result | undefined {
    const mode = req.PnC_AReqAuthorizationMode;
    if (!mode) return this.fail('AuthorizationReq', 'WARNING_AuthorizationSelectionInvalid', 'PnC selected without PnC_AReqAuthorizationMode');
    if (!this.challenge || !equalBytes(mode.GenChallenge, this.challenge)) {
      this.o.trace.check('challenge', false, 'GenChallenge differs from the one sent in AuthorizationSetupRes');
      return this.fail('AuthorizationReq', 'WARNING_ChallengeInvalid', 'challenge mismatch');
    }
    this.o.trace.check('challenge', true, 'GenChallenge matches');
    const leaf = Buffer.from(mode.ContractCertificateChain.Certificate);
    const subs = mode.ContractCertificateChain.SubCertificates.Certificate.map((c) => Buffer.from(c));
    const t0 = performance.now();
    const verdict = chainVerdict({ leaf, subCAs: subs, trustStore: this.o.contractTrust, protocol: 'iso20', role: 'contract', at: this.o.clock() });
    const request: ContractRequest = { session: this.context!, emaid: verdict.emaid ?? verdict.path[0]?.subject.commonName ?? '', chain: [leaf, ...subs], verdict };
    const check = this.o.port.checkContractChain(request);
    this.o.trace.check('contract chain', check.proceed, `${check.iso20Code}: ${check.reason}`, performance.now() - t0, tracedCertificates(request.chain));
    if (!check.proceed) return this.fail('AuthorizationReq', refusalCode(check.iso20Code, 'WARNING_CertificateValidationError'), check.reason);
    const t1 = performance.now();
    const problem = this.signatureProblem(mode, req.Header, verdict.path[0]);
    this.o.trace.check('signature', problem === undefined, problem ?? 'PnC_AReqAuthorizationMode signed with the contract key', performance.now() - t1);
    if (problem) return this.fail('AuthorizationReq', 'FAILED_SignatureError', problem);
    this.contract = request;
    return undefined;
  }

  private signatureProblem(mode: iso20.PnC_AReqAuthorizationModeType, header: Header, leaf: Certificate | undefined): string | undefined {
    if (!header.Signature) return 'the AuthorizationReq carries no Signature';
    if (!leaf) return 'no contract certificate to verify with';
    const imported = importPublicKey(leaf);
    if ('problem' in imported) return `contract key: ${imported.problem}`;
    // The contract key decides the suite: P-521 → ECDSA-SHA512, Ed448 → EdDSA.
    const suite = [ISO20_P521, ISO20_ED448].find((s) => keyMismatch(s, imported.key) === undefined);
    if (!suite) return `the contract key (${leaf.publicKeyType}) fits no -20 signature suite`;
    const v = verifySignature(header.Signature, [{ PnC_AReqAuthorizationMode: mode }], imported.key, { schema: 'iso20', suite, requiredIds: [mode.Id] });
    return v.valid ? undefined : v.problems.join('; ');
  }

  private async pollContractDecision(): Promise<Iso20Result> {
    const result = await this.decision!.poll();
    if (result.status === 'accepted') return this.authorizedResponse('contract accepted', result.expiresSoon ? 'OK_CertificateExpiresSoon' : 'OK');
    if (result.status === 'rejected') {
      this.o.trace.check('contract authorization', false, result.reason);
      return this.fail('AuthorizationReq', refusalCode(result.iso20Code, 'FAILED'), result.reason);
    }
    if (result.status === 'expired') return this.fail('AuthorizationReq', 'FAILED', 'no contract decision within the authorization budget');
    return this.respond({ AuthorizationRes: { Header: this.header(), ResponseCode: 'OK', EVSEProcessing: 'Ongoing' } });
  }

  private external(): Iso20Result {
    const decision = this.o.port.authorizeExternal(this.context!);
    if (decision.status === 'pending') {
      return this.respond({ AuthorizationRes: { Header: this.header(), ResponseCode: 'OK', EVSEProcessing: 'Ongoing_WaitingForCustomerInteraction' } });
    }
    if (decision.status === 'rejected') return this.fail('AuthorizationReq', refusalCode(decision.iso20Code, 'FAILED'), decision.reason);
    return this.authorizedResponse('EIM accepted', 'OK');
  }

  private authorizedResponse(detail: string, code: Code): Iso20Result {
    this.authorized = true;
    this.stage = 'ServiceDiscovery';
    this.o.trace.verdict('authorized', detail);
    return this.respond({ AuthorizationRes: { Header: this.header(), ResponseCode: code, EVSEProcessing: 'Finished' } });
  }

  private serviceDiscovery(): Iso20Result {
    this.services = energyServices(this.o.protocol, this.o.evse);
    if (this.services.length === 0) return this.fail('ServiceDiscoveryReq', 'FAILED', `the charger has no energy mode for ${this.o.protocol}`);
    this.stage = 'ServiceSelection';
    return this.respond({
      ServiceDiscoveryRes: {
        Header: this.header(),
        ResponseCode: 'OK',
        ServiceRenegotiationSupported: false,
        EnergyTransferServiceList: { Service: this.services.map((s) => ({ ServiceID: s.serviceId, FreeService: false })) },
      },
    });
  }

  private serviceDetail(req: iso20.ServiceDetailReqType): Iso20Result {
    const service = this.services.find((s) => s.serviceId === req.ServiceID);
    if (!service) return this.fail('ServiceDetailReq', 'FAILED_ServiceIDInvalid', `ServiceID ${req.ServiceID} was not offered`);
    return this.respond({ ServiceDetailRes: { Header: this.header(), ResponseCode: 'OK', ServiceID: service.serviceId, ServiceParameterList: { ParameterSet: [...service.parameterSets] } } });
  }

  private serviceSelection(req: iso20.ServiceSelectionReqType): Iso20Result {
    const chosen = req.SelectedEnergyTransferService;
    const service = this.services.find((s) => s.serviceId === chosen.ServiceID);
    if (!service) return this.fail('ServiceSelectionReq', 'FAILED_ServiceSelectionInvalid', `energy service ${chosen.ServiceID} was not offered`);
    const set = service.parameterSets.find((p) => p.ParameterSetID === chosen.ParameterSetID);
    if (!set) return this.fail('ServiceSelectionReq', 'FAILED_ServiceSelectionInvalid', `parameter set ${chosen.ParameterSetID} of service ${chosen.ServiceID} was not offered`);
    if ((req.SelectedVASList?.SelectedService.length ?? 0) > 0) return this.fail('ServiceSelectionReq', 'FAILED_ServiceSelectionInvalid', 'no value-added services are offered');
    this.phases = !this.dc && set.Parameter.some((p) => p.Name === 'Connector' && p.intValue === 2) ? 3 : 1;
    this.stage = 'ChargeParameterDiscovery';
    this.o.trace.check('service selection', true, `ServiceID ${chosen.ServiceID}, parameter set ${chosen.ParameterSetID}`);
    return this.respond({ ServiceSelectionRes: { Header: this.header(), ResponseCode: 'OK' } });
  }

  private acMaxPower(): number {
    return this.o.evse.acNominalVoltage * this.o.evse.acMaxCurrent * this.phases;
  }

  private acChargeParameterDiscovery(req: iso20Ac.AC_ChargeParameterDiscoveryReqType): Iso20Result {
    if (!req.AC_CPDReqEnergyTransferMode) return this.fail('AC_ChargeParameterDiscoveryReq', 'FAILED_WrongChargeParameter', 'no AC_CPDReqEnergyTransferMode (bidirectional power transfer is not offered)');
    const e = this.o.evse;
    this.stage = 'ScheduleExchange';
    return this.respond({
      AC_ChargeParameterDiscoveryRes: {
        Header: this.header(),
        ResponseCode: 'OK',
        AC_CPDResEnergyTransferMode: {
          EVSEMaximumChargePower: rational(this.acMaxPower()),
          EVSEMinimumChargePower: rational(e.acNominalVoltage * AC_MIN_CURRENT * this.phases),
          EVSENominalFrequency: rational(AC_NOMINAL_FREQUENCY),
        },
      },
    });
  }

  private dcChargeParameterDiscovery(req: iso20Dc.DC_ChargeParameterDiscoveryReqType): Iso20Result {
    if (!req.DC_CPDReqEnergyTransferMode) return this.fail('DC_ChargeParameterDiscoveryReq', 'FAILED_WrongChargeParameter', 'no DC_CPDReqEnergyTransferMode (bidirectional power transfer is not offered)');
    const e = this.o.evse;
    this.stage = 'ScheduleExchange';
    return this.respond({
      DC_ChargeParameterDiscoveryRes: {
        Header: this.header(),
        ResponseCode: 'OK',
        DC_CPDResEnergyTransferMode: {
          EVSEMaximumChargePower: rational(e.dcMaxPower),
          EVSEMinimumChargePower: rational(0),
          EVSEMaximumChargeCurrent: rational(e.dcMaxCurrent),
          EVSEMinimumChargeCurrent: rational(0),
          EVSEMaximumVoltage: rational(e.dcMaxVoltage),
          EVSEMinimumVoltage: rational(e.dcMinVoltage),
        },
      },
    });
  }

  private scheduleExchange(req: iso20.ScheduleExchangeReqType): Iso20Result {
    if (!req.Scheduled_SEReqControlMode) return this.fail('ScheduleExchangeReq', 'FAILED', 'only the Scheduled control mode is offered');
    const maxPower = this.dc ? this.o.evse.dcMaxPower : this.acMaxPower();
    this.stage = this.dc ? 'CableCheck' : 'PowerDeliveryStart';
    return this.respond({
      ScheduleExchangeRes: {
        Header: this.header(),
        ResponseCode: 'OK',
        EVSEProcessing: 'Finished',
        Scheduled_SEResControlMode: {
          ScheduleTuple: [
            {
              ScheduleTupleID: SCHEDULE_TUPLE_ID,
              ChargingSchedule: { PowerSchedule: { TimeAnchor: this.timestamp(), PowerScheduleEntries: { PowerScheduleEntry: [{ Duration: 86_400, Power: rational(maxPower) }] } } },
            },
          ],
        },
      },
    });
  }

  private preCharge(req: iso20Dc.DC_PreChargeReqType): Iso20Result {
    this.stage = 'PreCharge';
    return this.respond({ DC_PreChargeRes: { Header: this.header(), ResponseCode: 'OK', EVSEPresentVoltage: req.EVTargetVoltage } });
  }

  private powerDelivery(req: iso20.PowerDeliveryReqType): Iso20Result {
    const ok = (): Iso20Result => this.respond({ PowerDeliveryRes: { Header: this.header(), ResponseCode: 'OK' } });
    switch (req.ChargeProgress) {
      case 'Start': {
        if (this.stage === 'Charging') return this.fail('PowerDeliveryReq', 'FAILED_SequenceError', 'already charging');
        // EVProcessing Ongoing: the EV is not ready yet and will ask again.
        if (req.EVProcessing !== 'Finished') return ok();
        const tuple = req.EVPowerProfile?.Scheduled_EVPPTControlMode?.SelectedScheduleTupleID;
        if (tuple !== undefined && tuple !== SCHEDULE_TUPLE_ID) return this.fail('PowerDeliveryReq', 'FAILED_ScheduleSelectionInvalid', `ScheduleTupleID ${tuple} was not offered`);
        this.stage = 'Charging';
        this.o.trace.verdict('charging', `${this.o.protocol} started`);
        return ok();
      }
      case 'Stop':
        if (this.stage !== 'Charging') return this.fail('PowerDeliveryReq', 'FAILED_SequenceError', 'stop before start');
        this.stage = 'Stopped';
        return ok();
      case 'Standby':
        // Refused, but the session goes on as it was.
        return this.respond({ PowerDeliveryRes: { Header: this.header(), ResponseCode: 'WARNING_StandbyNotAllowed' } });
      case 'ScheduleRenegotiation':
        return this.fail('PowerDeliveryReq', 'FAILED', 'schedule renegotiation is not supported');
    }
  }

  private meterInfo(): iso20CommonTypes.MeterInfoType {
    return { MeterID: this.o.evse.meterId, ChargedEnergyReadingWh: this.o.evse.meterReadingWh(this.context!.sessionId), MeterTimestamp: this.timestamp() };
  }

  /** EVSENotification Terminate once the charger wants the EV to end the session. */
  private evseStatus(): { EVSEStatus?: iso20CommonTypes.EVSEStatusType } {
    const stop = this.context !== undefined && (this.o.port.stopRequested?.(this.context) ?? false);
    return stop ? { EVSEStatus: { NotificationMaxDelay: 0, EVSENotification: 'Terminate' } } : {};
  }

  private acChargeLoop(req: iso20Ac.AC_ChargeLoopReqType): Iso20Result {
    if (!req.Scheduled_AC_CLReqControlMode) return this.fail('AC_ChargeLoopReq', 'FAILED', 'only the Scheduled control mode is offered');
    return this.respond({
      AC_ChargeLoopRes: {
        Header: this.header(),
        ResponseCode: 'OK',
        ...this.evseStatus(),
        ...(req.MeterInfoRequested ? { MeterInfo: this.meterInfo() } : {}),
        Scheduled_AC_CLResControlMode: { EVSETargetActivePower: rational(this.acMaxPower()) },
      },
    });
  }

  private dcChargeLoop(req: iso20Dc.DC_ChargeLoopReqType): Iso20Result {
    const mode = req.Scheduled_DC_CLReqControlMode;
    if (!mode) return this.fail('DC_ChargeLoopReq', 'FAILED', 'only the Scheduled control mode is offered');
    const e = this.o.evse;
    return this.respond({
      DC_ChargeLoopRes: {
        Header: this.header(),
        ResponseCode: 'OK',
        ...this.evseStatus(),
        ...(req.MeterInfoRequested ? { MeterInfo: this.meterInfo() } : {}),
        EVSEPresentCurrent: mode.EVTargetCurrent,
        EVSEPresentVoltage: mode.EVTargetVoltage,
        EVSEPowerLimitAchieved: false,
        EVSECurrentLimitAchieved: false,
        EVSEVoltageLimitAchieved: false,
        Scheduled_DC_CLResControlMode: { EVSEMaximumChargePower: rational(e.dcMaxPower), EVSEMaximumChargeCurrent: rational(e.dcMaxCurrent), EVSEMaximumVoltage: rational(e.dcMaxVoltage) },
      },
    });
  }

  private sessionStop(req: iso20.SessionStopReqType): Iso20Result {
    if (req.ChargingSession === 'ServiceRenegotiation') return this.fail('SessionStopReq', 'FAILED_NoServiceRenegotiationSupported', 'ServiceRenegotiationSupported was false');
    this.stage = 'Ended';
    return this.respond({ SessionStopRes: { Header: this.header(), ResponseCode: 'OK' } }, true, `SessionStop (${req.ChargingSession})`);
  }

  private timestamp(): bigint {
    return BigInt(Math.floor(this.o.clock() / 1000));
  }

  private header(): Header {
    return { SessionID: this.sessionId, TimeStamp: this.timestamp() };
  }

  private respond(response: Iso20Response, end = false, outcome?: string): Iso20Result {
    return { response, end, ...(outcome ? { outcome } : {}) };
  }

  /** A refusal ends the session: the SECC closes the connection after it. */
  private fail(requestName: Iso20RequestName, code: Code, reason: string): Iso20Result {
    this.stage = 'Ended';
    this.o.trace.verdict(code, reason);
    return { response: iso20FailedResponse(requestName, code, this.header(), this.o.evse), end: true, outcome: `${code}: ${reason}` };
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}
