// The response a -2 SECC sends when it refuses a request: the response type that belongs to the request (an EV waits
// for that type), carrying the FAILED code and the least content the schema requires. The SECC then ends the session.
import type { iso2 } from '../../../exi/index.js';
import { physical, type EvseModel } from '../evseModel.js';

type Body = iso2.BodyType;
type Code = iso2.responseCodeType;

const acStatus = (): iso2.AC_EVSEStatusType => ({ NotificationMaxDelay: 0, EVSENotification: 'None', RCD: false });
const dcStatus = (): iso2.DC_EVSEStatusType => ({ NotificationMaxDelay: 0, EVSENotification: 'None', EVSEIsolationStatus: 'Invalid', EVSEStatusCode: 'EVSE_NotReady' });

/** The content CertificateInstallationRes and CertificateUpdateRes must carry even when they refuse. */
function emptyContractDelivery(): Omit<iso2.CertificateInstallationResType, 'ResponseCode'> {
  return {
    SAProvisioningCertificateChain: { Certificate: new Uint8Array(0) },
    ContractSignatureCertChain: { Certificate: new Uint8Array(0) },
    ContractSignatureEncryptedPrivateKey: { Id: 'id2', value: new Uint8Array(48) },
    DHpublickey: { Id: 'id3', value: new Uint8Array(65) },
    eMAID: { Id: 'id4', value: 'DEPNCC000000000' },
  };
}

/** The -2 request names the SECC answers, each with the body of its failed response. */
const FAILED: Readonly<Record<string, (code: Code, evse: EvseModel, dc: boolean) => Body>> = {
  SessionSetupReq: (code, evse) => ({ SessionSetupRes: { ResponseCode: code, EVSEID: evse.evseId } }),
  ServiceDiscoveryReq: (code) => ({
    ServiceDiscoveryRes: {
      ResponseCode: code,
      PaymentOptionList: { PaymentOption: ['ExternalPayment'] },
      ChargeService: { ServiceID: 1, ServiceCategory: 'EVCharging', FreeService: false, SupportedEnergyTransferMode: { EnergyTransferMode: ['AC_single_phase_core'] } },
    },
  }),
  ServiceDetailReq: (code) => ({ ServiceDetailRes: { ResponseCode: code, ServiceID: 0 } }),
  PaymentServiceSelectionReq: (code) => ({ PaymentServiceSelectionRes: { ResponseCode: code } }),
  PaymentDetailsReq: (code) => ({ PaymentDetailsRes: { ResponseCode: code, GenChallenge: new Uint8Array(16), EVSETimeStamp: 0n } }),
  AuthorizationReq: (code) => ({ AuthorizationRes: { ResponseCode: code, EVSEProcessing: 'Finished' } }),
  ChargeParameterDiscoveryReq: (code, evse) => ({
    ChargeParameterDiscoveryRes: {
      ResponseCode: code,
      EVSEProcessing: 'Finished',
      AC_EVSEChargeParameter: { AC_EVSEStatus: acStatus(), EVSENominalVoltage: physical(evse.acNominalVoltage, 'V'), EVSEMaxCurrent: physical(0, 'A') },
    },
  }),
  PowerDeliveryReq: (code, _evse, dc) => ({ PowerDeliveryRes: { ResponseCode: code, ...(dc ? { DC_EVSEStatus: dcStatus() } : { AC_EVSEStatus: acStatus() }) } }),
  ChargingStatusReq: (code, evse) => ({ ChargingStatusRes: { ResponseCode: code, EVSEID: evse.evseId, SAScheduleTupleID: 1, AC_EVSEStatus: acStatus() } }),
  MeteringReceiptReq: (code, _evse, dc) => ({ MeteringReceiptRes: { ResponseCode: code, ...(dc ? { DC_EVSEStatus: dcStatus() } : { AC_EVSEStatus: acStatus() }) } }),
  CableCheckReq: (code) => ({ CableCheckRes: { ResponseCode: code, DC_EVSEStatus: dcStatus(), EVSEProcessing: 'Finished' } }),
  PreChargeReq: (code) => ({ PreChargeRes: { ResponseCode: code, DC_EVSEStatus: dcStatus(), EVSEPresentVoltage: physical(0, 'V') } }),
  CurrentDemandReq: (code, evse) => ({
    CurrentDemandRes: {
      ResponseCode: code,
      DC_EVSEStatus: dcStatus(),
      EVSEPresentVoltage: physical(0, 'V'),
      EVSEPresentCurrent: physical(0, 'A'),
      EVSECurrentLimitAchieved: false,
      EVSEVoltageLimitAchieved: false,
      EVSEPowerLimitAchieved: false,
      EVSEID: evse.evseId,
      SAScheduleTupleID: 1,
    },
  }),
  WeldingDetectionReq: (code) => ({ WeldingDetectionRes: { ResponseCode: code, DC_EVSEStatus: dcStatus(), EVSEPresentVoltage: physical(0, 'V') } }),
  SessionStopReq: (code) => ({ SessionStopRes: { ResponseCode: code } }),
  CertificateInstallationReq: (code) => ({ CertificateInstallationRes: { ResponseCode: code, ...emptyContractDelivery() } }),
  CertificateUpdateReq: (code) => ({ CertificateUpdateRes: { ResponseCode: code, ...emptyContractDelivery() } }),
};

export const ISO2_REQUESTS: readonly string[] = Object.keys(FAILED);

export function isIso2Request(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(FAILED, name);
}

/** `dc`: the session's energy transfer is DC (the status branch of responses that carry one). */
export function iso2FailedResponse(requestName: string, code: Code, evse: EvseModel, dc = false): Body {
  const build = FAILED[requestName];
  if (!build) throw new Error(`no -2 response type for ${requestName}`);
  return build(code, evse, dc);
}
