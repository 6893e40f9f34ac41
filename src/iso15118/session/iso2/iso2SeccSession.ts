// The ISO 15118-2 SECC state machine: which request may come next, what each request is answered with, and which
// answers end the session. One instance per V2G communication session; the transport (SAP, timeouts, sockets) is the
// runner's. PnC and EIM, AC and DC.
import { randomBytes, type KeyObject } from 'node:crypto';
import { ExiError, type iso2 } from '../../../exi/index.js';
import { CertificateParseError, parseCertificate } from '../../../pki/certificate/certificate.js';
import { importPublicKey } from '../../../pki/certificate/signature.js';
import { chainVerdict } from '../../../pki/verdict/chainVerdict.js';
import { ISO2_P256, verifySignature } from '../../xmldsig/index.js';
import type { ContractRequest, IdentificationMethod, SessionContext } from '../seccDecisionPort.js';
import { physical } from '../evseModel.js';
import type { SeccSessionOptions } from '../seccSessionOptions.js';
import { isIso2Request, iso2FailedResponse } from './iso2FailedResponse.js';
import { PendingDecision } from '../pendingDecision.js';
import { tracedCertificates } from '../../../trace/tracedCertificate.js';

type Body = iso2.BodyType;
type Code = iso2.responseCodeType;

/** What the SECC waits for next. */
type Stage =
  | 'SessionSetup'
  | 'ServiceDiscovery'
  | 'PaymentServiceSelection'
  | 'PaymentDetails'
  | 'Authorization'
  | 'ChargeParameterDiscovery'
  | 'CableCheck'
  | 'PreCharge'
  | 'PowerDeliveryStart'
  | 'Charging'
  | 'Stopped'
  | 'Ended';

/** Requests accepted in each stage (SessionStopReq is accepted from ServiceDiscovery on, so the EV can always leave). */
const EXPECTED: Readonly<Record<Stage, readonly string[]>> = {
  SessionSetup: ['SessionSetupReq'],
  ServiceDiscovery: ['ServiceDiscoveryReq'],
  PaymentServiceSelection: ['ServiceDetailReq', 'PaymentServiceSelectionReq'],
  PaymentDetails: ['PaymentDetailsReq', 'CertificateInstallationReq'],
  Authorization: ['AuthorizationReq'],
  ChargeParameterDiscovery: ['ChargeParameterDiscoveryReq'],
  CableCheck: ['CableCheckReq', 'PreChargeReq'],
  PreCharge: ['PreChargeReq', 'PowerDeliveryReq'],
  PowerDeliveryStart: ['PowerDeliveryReq'],
  Charging: ['ChargingStatusReq', 'CurrentDemandReq', 'MeteringReceiptReq', 'PowerDeliveryReq'],
  Stopped: ['WeldingDetectionReq', 'SessionStopReq', 'ChargeParameterDiscoveryReq'],
  Ended: [],
};

export type Iso2SeccOptions = SeccSessionOptions;

export interface Iso2Result {
  readonly response: iso2.V2G_Message;
  /** Bytes to send instead of encoding `response`: a CertificateInstallationRes from the backend, verbatim. */
  readonly raw?: Uint8Array;
  /** The session is over after this response (SessionStop, or a FAILED code: the SECC closes the connection). */
  readonly end: boolean;
  readonly outcome?: string;
}

const SCHEDULE_TUPLE_ID = 1;
const CHARGE_SERVICE_ID = 1;

export class Iso2SeccSession {
  private stage: Stage = 'SessionSetup';
  private sessionId = new Uint8Array(8);
  private context: SessionContext | undefined;
  private offered: IdentificationMethod[] = [];
  private selected: 'Contract' | 'ExternalPayment' | undefined;
  private contract: { request: ContractRequest; key: KeyObject } | undefined;
  private challenge: Uint8Array | undefined;
  private signatureChecked = false;
  private decision: PendingDecision | undefined;
  private energyMode: iso2.EnergyTransferModeType | undefined;
  private chargeLoops = 0;
  private receiptAsked = false;
  private authorized = false;
  private installationDone = false;

  constructor(private readonly o: Iso2SeccOptions) {}

  get authorizedBy(): 'pnc' | 'eim' | undefined {
    return this.authorized ? (this.selected === 'Contract' ? 'pnc' : 'eim') : undefined;
  }

  get session(): SessionContext | undefined {
    return this.context;
  }

  /** `raw`: the request's EXI as received (forwarded verbatim for certificate installation). */
  async handle(message: iso2.V2G_Message, raw?: Uint8Array): Promise<Iso2Result> {
    const name = Object.keys(message.Body)[0] ?? '';
    // A body that is no request has no response type to answer with: the runner closes the connection.
    if (!isIso2Request(name)) throw new ExiError('input', `${name || 'an empty Body'} is not a -2 request`);
    if (this.stage !== 'SessionSetup' && !equalBytes(message.Header.SessionID, this.sessionId)) {
      return this.fail(name, 'FAILED_UnknownSession', 'SessionID differs from the one assigned at SessionSetup');
    }
    const accepted = EXPECTED[this.stage].includes(name) || (name === 'SessionStopReq' && this.stage !== 'SessionSetup');
    if (!accepted) return this.fail(name, 'FAILED_SequenceError', `${name} while waiting for ${EXPECTED[this.stage].join(' | ')}`);
    const b = message.Body;
    if (b.SessionSetupReq) return this.sessionSetup(b.SessionSetupReq, message.Header.SessionID);
    if (b.ServiceDiscoveryReq) return this.serviceDiscovery();
    if (b.ServiceDetailReq) return this.respond({ ServiceDetailRes: { ResponseCode: 'FAILED_ServiceIDInvalid', ServiceID: b.ServiceDetailReq.ServiceID } }, true, 'no value-added services');
    if (b.PaymentServiceSelectionReq) return this.paymentServiceSelection(b.PaymentServiceSelectionReq);
    if (b.PaymentDetailsReq) return this.paymentDetails(b.PaymentDetailsReq);
    if (b.CertificateInstallationReq) return this.certificateInstallation(b.CertificateInstallationReq, message.Header, raw);
    if (b.AuthorizationReq) return this.authorization(b.AuthorizationReq, message.Header);
    if (b.ChargeParameterDiscoveryReq) return this.chargeParameterDiscovery(b.ChargeParameterDiscoveryReq);
    if (b.CableCheckReq) return this.cableCheck();
    if (b.PreChargeReq) return this.preCharge(b.PreChargeReq);
    if (b.PowerDeliveryReq) return this.powerDelivery(b.PowerDeliveryReq);
    if (b.ChargingStatusReq) return this.chargingStatus();
    if (b.CurrentDemandReq) return this.currentDemand(b.CurrentDemandReq);
    if (b.MeteringReceiptReq) return this.meteringReceipt(b.MeteringReceiptReq, message.Header);
    if (b.WeldingDetectionReq) return this.respond({ WeldingDetectionRes: { ResponseCode: 'OK', DC_EVSEStatus: this.dcStatus('EVSE_Ready'), EVSEPresentVoltage: physical(0, 'V') } });
    if (b.SessionStopReq) {
      this.stage = 'Ended';
      return this.respond({ SessionStopRes: { ResponseCode: 'OK' } }, true, `SessionStop (${b.SessionStopReq.ChargingSession})`);
    }
    return this.fail(name, 'FAILED_SequenceError', `${name} is not handled`);
  }

  private sessionSetup(req: iso2.SessionSetupReqType, requested: Uint8Array): Iso2Result {
    // No paused sessions are kept, so a SessionID from the EV never joins one: a new session every time.
    void requested;
    this.sessionId = new Uint8Array(randomBytes(8));
    this.context = { sessionId: Buffer.from(this.sessionId).toString('hex'), protocol: 'iso2', secure: this.o.secure, evccId: Buffer.from(req.EVCCID).toString('hex') };
    this.stage = 'ServiceDiscovery';
    return this.respond({ SessionSetupRes: { ResponseCode: 'OK_NewSessionEstablished', EVSEID: this.o.evse.evseId, EVSETimeStamp: this.timestamp() } });
  }

  private serviceDiscovery(): Iso2Result {
    const wanted = this.o.port.identificationOptions(this.context!);
    // PnC only over TLS: Contract is never offered on a plain connection (notes §2.2, §7 #16).
    this.offered = wanted.filter((m) => m !== 'pnc' || this.o.secure);
    this.o.trace.check('identification offer', true, `offered ${this.offered.join(' + ') || 'nothing'}${wanted.includes('pnc') && !this.o.secure ? ' (PnC withheld: no TLS)' : ''}`);
    if (this.offered.length === 0) return this.fail('ServiceDiscoveryReq', 'FAILED', 'no identification method can be offered');
    const options: iso2.paymentOptionType[] = this.offered.map((m) => (m === 'pnc' ? 'Contract' : 'ExternalPayment'));
    this.stage = 'PaymentServiceSelection';
    return this.respond({
      ServiceDiscoveryRes: {
        ResponseCode: 'OK',
        PaymentOptionList: { PaymentOption: options },
        ChargeService: {
          ServiceID: CHARGE_SERVICE_ID,
          ServiceCategory: 'EVCharging',
          FreeService: false,
          SupportedEnergyTransferMode: { EnergyTransferMode: [...this.o.evse.energyModes] },
        },
      },
    });
  }

  private paymentServiceSelection(req: iso2.PaymentServiceSelectionReqType): Iso2Result {
    const option = req.SelectedPaymentOption;
    const offered = this.offered.includes(option === 'Contract' ? 'pnc' : 'eim');
    if (!offered) return this.fail('PaymentServiceSelectionReq', 'FAILED_PaymentSelectionInvalid', `${option} was not offered`);
    const ids = req.SelectedServiceList.SelectedService.map((s) => s.ServiceID);
    if (!ids.includes(CHARGE_SERVICE_ID)) return this.fail('PaymentServiceSelectionReq', 'FAILED_NoChargeServiceSelected', 'the charge service was not selected');
    if (ids.some((id) => id !== CHARGE_SERVICE_ID)) return this.fail('PaymentServiceSelectionReq', 'FAILED_ServiceSelectionInvalid', `unknown services ${ids.join(', ')}`);
    this.selected = option;
    this.stage = option === 'Contract' ? 'PaymentDetails' : 'Authorization';
    this.o.trace.check('payment selection', true, option);
    return this.respond({ PaymentServiceSelectionRes: { ResponseCode: 'OK' } });
  }

  private paymentDetails(req: iso2.PaymentDetailsReqType): Iso2Result {
    const chain = req.ContractSignatureCertChain;
    const leaf = Buffer.from(chain.Certificate);
    const subs = (chain.SubCertificates?.Certificate ?? []).map((c) => Buffer.from(c));
    const t0 = performance.now();
    const verdict = chainVerdict({ leaf, subCAs: subs, trustStore: this.o.contractTrust, protocol: 'iso2', role: 'contract', at: this.o.clock(), expectedEmaid: req.eMAID });
    const request: ContractRequest = { session: this.context!, emaid: verdict.emaid ?? req.eMAID, chain: [leaf, ...subs], verdict };
    const check = this.o.port.checkContractChain(request);
    this.o.trace.check('contract chain', check.proceed, `${check.iso2Code}: ${check.reason}`, performance.now() - t0, tracedCertificates(request.chain));
    if (!check.proceed) return this.fail('PaymentDetailsReq', check.iso2Code as Code, check.reason);
    // The contract key checks the AuthorizationReq and MeteringReceiptReq signatures. A port may let a chain it could
    // not judge go on (central validation), but without a parsable leaf there is no key to check them with.
    const leafCert = verdict.path[0];
    if (!leafCert) return this.fail('PaymentDetailsReq', 'FAILED_CertChainError', 'the contract certificate cannot be parsed');
    const imported = importPublicKey(leafCert);
    if ('problem' in imported) return this.fail('PaymentDetailsReq', 'FAILED_CertChainError', imported.problem);
    this.contract = { request, key: imported.key };
    // A fresh 16-byte challenge from the CSPRNG for every PaymentDetailsRes: what makes a signed AuthorizationReq
    // unusable in another session.
    this.challenge = new Uint8Array(randomBytes(16));
    this.stage = 'Authorization';
    // Going on means an OK code, whatever the port's chain code said.
    const code: Code = check.iso2Code === 'OK_CertificateExpiresSoon' ? 'OK_CertificateExpiresSoon' : 'OK';
    return this.respond({ PaymentDetailsRes: { ResponseCode: code, GenChallenge: this.challenge, EVSETimeStamp: this.timestamp() } });
  }

  /**
   * CertificateInstallationReq: the OEM provisioning signature is checked here, the contract comes from the backend
   * through the port (OCPP Get15118EVCertificate forwards the request's EXI and returns the response's EXI verbatim).
   */
  private async certificateInstallation(req: iso2.CertificateInstallationReqType, header: iso2.MessageHeaderType, raw: Uint8Array | undefined): Promise<Iso2Result> {
    const port = this.o.port;
    if (this.installationDone) return this.fail('CertificateInstallationReq', 'FAILED_SequenceError', 'one certificate installation per session');
    this.installationDone = true;
    if (!port.installCertificate || !raw) return this.fail('CertificateInstallationReq', 'FAILED_NoCertificateAvailable', 'no certificate installation service at this charger');
    let problem: string | undefined;
    const oem = certificateOrProblem(req.OEMProvisioningCert);
    if ('problem' in oem) problem = `OEM provisioning certificate: ${oem.problem}`;
    else if (!header.Signature) problem = 'CertificateInstallationReq carries no Signature';
    else {
      const v = verifySignature(header.Signature, [{ CertificateInstallationReq: req }], oem.key, { schema: 'iso2', suite: ISO2_P256, requiredIds: [req.Id] });
      if (!v.valid) problem = v.problems.join('; ');
    }
    this.o.trace.check('OEM provisioning signature', problem === undefined, problem ?? 'CertificateInstallationReq signed with the OEM provisioning key');
    if (problem) return this.fail('CertificateInstallationReq', 'FAILED_SignatureError', problem);
    const t0 = performance.now();
    const response = await port.installCertificate(this.context!, raw);
    this.o.trace.check('certificate installation', response !== undefined, response ? 'contract delivered by the backend' : 'the backend delivered no contract', performance.now() - t0);
    if (!response) return this.fail('CertificateInstallationReq', 'FAILED_NoCertificateAvailable', 'no contract from the backend');
    return { ...this.respond(iso2FailedResponse('CertificateInstallationReq', 'OK', this.o.evse)), raw: response };
  }

  private async authorization(req: iso2.AuthorizationReqType, header: iso2.MessageHeaderType): Promise<Iso2Result> {
    if (this.selected === 'Contract') {
      if (!this.signatureChecked) {
        // [V2G2-684]: only the first AuthorizationReq after PaymentDetails carries the challenge and the signature.
        if (!req.GenChallenge || !this.challenge || !equalBytes(req.GenChallenge, this.challenge)) {
          this.o.trace.check('challenge', false, req.GenChallenge ? 'GenChallenge differs from the one sent in PaymentDetailsRes' : 'no GenChallenge');
          return this.fail('AuthorizationReq', 'FAILED_ChallengeInvalid', 'challenge mismatch ([V2G2-475])');
        }
        this.o.trace.check('challenge', true, 'GenChallenge matches');
        const t0 = performance.now();
        const problem = this.signatureProblem(req, header);
        this.o.trace.check('signature', problem === undefined, problem ?? 'AuthorizationReq signed with the contract key', performance.now() - t0);
        if (problem) return this.fail('AuthorizationReq', 'FAILED_SignatureError', problem);
        this.signatureChecked = true;
        const request = this.contract!.request;
        this.decision = new PendingDecision(() => this.o.port.authorizeContract(request), this.o.authorizationBudgetMs ?? 55_000, this.o.decisionWaitMs ?? 1500);
      }
      return this.pollContractDecision();
    }
    const decision = this.o.port.authorizeExternal(this.context!);
    if (decision.status === 'pending') {
      // [V2G2-854]: EIM pending → Ongoing_WaitingForCustomerInteraction.
      return this.respond({ AuthorizationRes: { ResponseCode: 'OK', EVSEProcessing: 'Ongoing_WaitingForCustomerInteraction' } });
    }
    if (decision.status === 'rejected') return this.fail('AuthorizationReq', authorizationRefusal(decision.iso2Code), decision.reason);
    return this.authorizedResponse('EIM accepted');
  }

  private async pollContractDecision(): Promise<Iso2Result> {
    const result = await this.decision!.poll();
    if (result.status === 'accepted') return this.authorizedResponse('contract accepted');
    if (result.status === 'rejected') {
      this.o.trace.check('contract authorization', false, result.reason);
      return this.fail('AuthorizationReq', authorizationRefusal(result.iso2Code), result.reason);
    }
    if (result.status === 'expired') return this.fail('AuthorizationReq', 'FAILED', 'no contract decision within the authorization budget');
    return this.respond({ AuthorizationRes: { ResponseCode: 'OK', EVSEProcessing: 'Ongoing' } });
  }

  private authorizedResponse(detail: string): Iso2Result {
    this.authorized = true;
    this.stage = 'ChargeParameterDiscovery';
    this.o.trace.verdict('authorized', detail);
    return this.respond({ AuthorizationRes: { ResponseCode: 'OK', EVSEProcessing: 'Finished' } });
  }

  private signatureProblem(req: iso2.AuthorizationReqType, header: iso2.MessageHeaderType): string | undefined {
    if (!header.Signature) return 'the first AuthorizationReq carries no Signature';
    if (!req.Id) return 'AuthorizationReq has no Id to sign';
    const verdict = verifySignature(header.Signature, [{ AuthorizationReq: req }], this.contract!.key, { schema: 'iso2', suite: ISO2_P256, requiredIds: [req.Id] });
    return verdict.valid ? undefined : verdict.problems.join('; ');
  }

  private chargeParameterDiscovery(req: iso2.ChargeParameterDiscoveryReqType): Iso2Result {
    const mode = req.RequestedEnergyTransferMode;
    if (!this.o.evse.energyModes.includes(mode)) return this.fail('ChargeParameterDiscoveryReq', 'FAILED_WrongEnergyTransferMode', `${mode} is not offered`);
    const dc = mode.startsWith('DC');
    if (dc ? !req.DC_EVChargeParameter : !req.AC_EVChargeParameter) return this.fail('ChargeParameterDiscoveryReq', 'FAILED_WrongChargeParameter', `${mode} needs ${dc ? 'DC' : 'AC'}_EVChargeParameter`);
    this.energyMode = mode;
    const e = this.o.evse;
    const maxPower = dc ? e.dcMaxPower : e.acNominalVoltage * e.acMaxCurrent * (mode === 'AC_three_phase_core' ? 3 : 1);
    this.stage = dc ? 'CableCheck' : 'PowerDeliveryStart';
    return this.respond({
      ChargeParameterDiscoveryRes: {
        ResponseCode: 'OK',
        EVSEProcessing: 'Finished',
        SAScheduleList: {
          SAScheduleTuple: [
            { SAScheduleTupleID: SCHEDULE_TUPLE_ID, PMaxSchedule: { PMaxScheduleEntry: [{ RelativeTimeInterval: { start: 0, duration: 86_400 }, PMax: physical(maxPower, 'W') }] } },
          ],
        },
        ...(dc
          ? {
              DC_EVSEChargeParameter: {
                DC_EVSEStatus: this.dcStatus('EVSE_Ready'),
                EVSEMaximumCurrentLimit: physical(e.dcMaxCurrent, 'A'),
                EVSEMaximumPowerLimit: physical(e.dcMaxPower, 'W'),
                EVSEMaximumVoltageLimit: physical(e.dcMaxVoltage, 'V'),
                EVSEMinimumCurrentLimit: physical(0, 'A'),
                EVSEMinimumVoltageLimit: physical(e.dcMinVoltage, 'V'),
                EVSEPeakCurrentRipple: physical(1, 'A'),
              },
            }
          : { AC_EVSEChargeParameter: { AC_EVSEStatus: this.acStatus(), EVSENominalVoltage: physical(e.acNominalVoltage, 'V'), EVSEMaxCurrent: physical(e.acMaxCurrent, 'A') } }),
      },
    });
  }

  private cableCheck(): Iso2Result {
    if (!this.isDc()) return this.fail('CableCheckReq', 'FAILED_SequenceError', 'CableCheck in an AC session');
    return this.respond({ CableCheckRes: { ResponseCode: 'OK', DC_EVSEStatus: this.dcStatus('EVSE_Ready', 'Valid'), EVSEProcessing: 'Finished' } });
  }

  private preCharge(req: iso2.PreChargeReqType): Iso2Result {
    if (!this.isDc()) return this.fail('PreChargeReq', 'FAILED_SequenceError', 'PreCharge in an AC session');
    this.stage = 'PreCharge';
    return this.respond({ PreChargeRes: { ResponseCode: 'OK', DC_EVSEStatus: this.dcStatus('EVSE_Ready', 'Valid'), EVSEPresentVoltage: req.EVTargetVoltage } });
  }

  private powerDelivery(req: iso2.PowerDeliveryReqType): Iso2Result {
    if (req.ChargeProgress === 'Start') {
      if (this.stage === 'Charging') return this.fail('PowerDeliveryReq', 'FAILED_SequenceError', 'already charging');
      if (req.SAScheduleTupleID !== SCHEDULE_TUPLE_ID) return this.fail('PowerDeliveryReq', 'FAILED_TariffSelectionInvalid', `SAScheduleTupleID ${req.SAScheduleTupleID} was not offered`);
      this.stage = 'Charging';
      this.o.trace.verdict('charging', `${this.energyMode} started`);
    } else if (req.ChargeProgress === 'Stop') {
      if (this.stage !== 'Charging') return this.fail('PowerDeliveryReq', 'FAILED_SequenceError', 'stop before start');
      this.stage = 'Stopped';
    } else {
      return this.fail('PowerDeliveryReq', 'FAILED', 'renegotiation is not supported');
    }
    return this.respond({ PowerDeliveryRes: { ResponseCode: 'OK', ...(this.isDc() ? { DC_EVSEStatus: this.dcStatus('EVSE_Ready', 'Valid') } : { AC_EVSEStatus: this.acStatus() }) } });
  }

  private chargingStatus(): Iso2Result {
    if (this.isDc()) return this.fail('ChargingStatusReq', 'FAILED_SequenceError', 'ChargingStatus in a DC session');
    const e = this.o.evse;
    return this.respond({
      ChargingStatusRes: {
        ResponseCode: 'OK',
        EVSEID: e.evseId,
        SAScheduleTupleID: SCHEDULE_TUPLE_ID,
        EVSEMaxCurrent: physical(e.acMaxCurrent, 'A'),
        MeterInfo: this.meterInfo(),
        ReceiptRequired: this.receiptRequired(),
        AC_EVSEStatus: this.acStatus(),
      },
    });
  }

  private currentDemand(req: iso2.CurrentDemandReqType): Iso2Result {
    if (!this.isDc()) return this.fail('CurrentDemandReq', 'FAILED_SequenceError', 'CurrentDemand in an AC session');
    const e = this.o.evse;
    return this.respond({
      CurrentDemandRes: {
        ResponseCode: 'OK',
        DC_EVSEStatus: this.dcStatus('EVSE_Ready', 'Valid'),
        EVSEPresentVoltage: req.EVTargetVoltage,
        EVSEPresentCurrent: req.EVTargetCurrent,
        EVSECurrentLimitAchieved: false,
        EVSEVoltageLimitAchieved: false,
        EVSEPowerLimitAchieved: false,
        EVSEMaximumVoltageLimit: physical(e.dcMaxVoltage, 'V'),
        EVSEMaximumCurrentLimit: physical(e.dcMaxCurrent, 'A'),
        EVSEMaximumPowerLimit: physical(e.dcMaxPower, 'W'),
        EVSEID: e.evseId,
        SAScheduleTupleID: SCHEDULE_TUPLE_ID,
        MeterInfo: this.meterInfo(),
        ReceiptRequired: this.receiptRequired(),
      },
    });
  }

  private meteringReceipt(req: iso2.MeteringReceiptReqType, header: iso2.MessageHeaderType): Iso2Result {
    if (this.selected !== 'Contract' || !this.contract) return this.fail('MeteringReceiptReq', 'FAILED_SequenceError', 'no contract to sign a receipt with');
    if (!equalBytes(req.SessionID, this.sessionId)) return this.fail('MeteringReceiptReq', 'FAILED_UnknownSession', 'receipt for another session');
    let problem: string | undefined;
    if (!header.Signature) problem = 'MeteringReceiptReq carries no Signature';
    else if (!req.Id) problem = 'MeteringReceiptReq has no Id';
    else {
      const v = verifySignature(header.Signature, [{ MeteringReceiptReq: req }], this.contract.key, { schema: 'iso2', suite: ISO2_P256, requiredIds: [req.Id] });
      if (!v.valid) problem = v.problems.join('; ');
    }
    this.o.trace.check('metering receipt signature', problem === undefined, problem ?? 'signed with the contract key');
    if (problem) return this.fail('MeteringReceiptReq', 'FAILED_MeteringSignatureNotValid', problem);
    return this.respond({ MeteringReceiptRes: { ResponseCode: 'OK', ...(this.isDc() ? { DC_EVSEStatus: this.dcStatus('EVSE_Ready', 'Valid') } : { AC_EVSEStatus: this.acStatus() }) } });
  }

  /** PnC sessions ask the EV once for a signed receipt, on the second charge-loop response. */
  private receiptRequired(): boolean {
    this.chargeLoops++;
    if (this.selected !== 'Contract' || this.receiptAsked || this.chargeLoops < 2) return false;
    this.receiptAsked = true;
    return true;
  }

  private meterInfo(): iso2.MeterInfoType {
    return { MeterID: this.o.evse.meterId, MeterReading: this.o.evse.meterReadingWh(this.context!.sessionId), TMeter: this.timestamp() };
  }

  private isDc(): boolean {
    return this.energyMode?.startsWith('DC') ?? false;
  }

  private acStatus(): iso2.AC_EVSEStatusType {
    return { NotificationMaxDelay: 0, EVSENotification: this.notification(), RCD: false };
  }

  private dcStatus(code: iso2.DC_EVSEStatusCodeType, isolation: iso2.isolationLevelType = 'Invalid'): iso2.DC_EVSEStatusType {
    return { NotificationMaxDelay: 0, EVSENotification: this.notification(), EVSEIsolationStatus: isolation, EVSEStatusCode: code };
  }

  /** StopCharging once the charger wants the EV to end the session (the EV then sends PowerDeliveryReq Stop). */
  private notification(): iso2.EVSENotificationType {
    const stop = this.context !== undefined && (this.o.port.stopRequested?.(this.context) ?? false);
    return stop ? 'StopCharging' : 'None';
  }

  private timestamp(): bigint {
    return BigInt(Math.floor(this.o.clock() / 1000));
  }

  private respond(body: Body, end = false, outcome?: string): Iso2Result {
    return { response: { Header: { SessionID: this.sessionId }, Body: body }, end, ...(outcome ? { outcome } : {}) };
  }

  /** A FAILED answer ends the session: the SECC closes the connection after it. */
  private fail(requestName: string, code: Code, reason: string): Iso2Result {
    this.stage = 'Ended';
    this.o.trace.verdict(code, reason);
    return { response: { Header: { SessionID: this.sessionId }, Body: iso2FailedResponse(requestName, code, this.o.evse, this.isDc()) }, end: true, outcome: `${code}: ${reason}` };
  }
}

/**
 * The codes an AuthorizationRes may refuse with (as Josev filters them, notes §1.2), plus FAILED_CertificateRevoked
 * (EVerest, for a contract the backend found revoked); anything else a port says becomes FAILED.
 */
const AUTHORIZATION_REFUSALS: readonly Code[] = ['FAILED', 'FAILED_SequenceError', 'FAILED_SignatureError', 'FAILED_UnknownSession', 'FAILED_ChallengeInvalid', 'FAILED_CertificateRevoked'];

function authorizationRefusal(code: string | undefined): Code {
  return AUTHORIZATION_REFUSALS.find((c) => c === code) ?? 'FAILED';
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

function certificateOrProblem(der: Uint8Array): { key: KeyObject } | { problem: string } {
  try {
    return importPublicKey(parseCertificate(Buffer.from(der)));
  } catch (e) {
    if (e instanceof CertificateParseError) return { problem: e.message };
    throw e;
  }
}
