// The response a -20 SECC sends when it refuses a request: the response type that belongs to the request (an EV waits
// for that type), carrying the code and the least content the schema requires. The SECC then ends the session.
import type { iso20CommonTypes } from '../../../exi/index.js';
import type { EvseModel } from '../evseModel.js';
import { AC_SERVICE_ID } from './iso20EnergyServices.js';
import type { Iso20RequestName, Iso20Response } from './iso20Messages.js';
import { rational } from './rationalNumber.js';

type Code = iso20CommonTypes.responseCodeType;
type Header = iso20CommonTypes.MessageHeaderType;

const zero = rational(0);

/** Every -20 request of the CommonMessages, AC and DC schemas, each with the body of its failed response. */
const FAILED: Readonly<Record<Iso20RequestName, (code: Code, Header: Header, evse: EvseModel) => Iso20Response>> = {
  SessionSetupReq: (ResponseCode, Header, evse) => ({ SessionSetupRes: { Header, ResponseCode, EVSEID: evse.evseId } }),
  AuthorizationSetupReq: (ResponseCode, Header) => ({
    AuthorizationSetupRes: { Header, ResponseCode, AuthorizationServices: ['EIM'], CertificateInstallationService: false, EIM_ASResAuthorizationMode: {} },
  }),
  AuthorizationReq: (ResponseCode, Header) => ({ AuthorizationRes: { Header, ResponseCode, EVSEProcessing: 'Finished' } }),
  ServiceDiscoveryReq: (ResponseCode, Header) => ({
    ServiceDiscoveryRes: { Header, ResponseCode, ServiceRenegotiationSupported: false, EnergyTransferServiceList: { Service: [{ ServiceID: AC_SERVICE_ID, FreeService: false }] } },
  }),
  ServiceDetailReq: (ResponseCode, Header) => ({
    ServiceDetailRes: { Header, ResponseCode, ServiceID: 0, ServiceParameterList: { ParameterSet: [{ ParameterSetID: 0, Parameter: [{ Name: 'Connector', intValue: 0 }] }] } },
  }),
  ServiceSelectionReq: (ResponseCode, Header) => ({ ServiceSelectionRes: { Header, ResponseCode } }),
  ScheduleExchangeReq: (ResponseCode, Header) => ({ ScheduleExchangeRes: { Header, ResponseCode, EVSEProcessing: 'Finished', Dynamic_SEResControlMode: {} } }),
  PowerDeliveryReq: (ResponseCode, Header) => ({ PowerDeliveryRes: { Header, ResponseCode } }),
  MeteringConfirmationReq: (ResponseCode, Header) => ({ MeteringConfirmationRes: { Header, ResponseCode } }),
  SessionStopReq: (ResponseCode, Header) => ({ SessionStopRes: { Header, ResponseCode } }),
  CertificateInstallationReq: (ResponseCode, Header) => ({
    CertificateInstallationRes: {
      Header,
      ResponseCode,
      EVSEProcessing: 'Finished',
      CPSCertificateChain: { Certificate: new Uint8Array(0) },
      SignedInstallationData: {
        Id: 'id1',
        ContractCertificateChain: { Certificate: new Uint8Array(0), SubCertificates: { Certificate: [new Uint8Array(0)] } },
        ECDHCurve: 'SECP521',
        DHPublicKey: new Uint8Array(133),
        SECP521_EncryptedPrivateKey: new Uint8Array(94),
      },
      RemainingContractCertificateChains: 0,
    },
  }),
  VehicleCheckInReq: (ResponseCode, Header) => ({ VehicleCheckInRes: { Header, ResponseCode } }),
  VehicleCheckOutReq: (ResponseCode, Header) => ({ VehicleCheckOutRes: { Header, ResponseCode, EVSECheckOutStatus: 'Completed' } }),
  AC_ChargeParameterDiscoveryReq: (ResponseCode, Header) => ({
    AC_ChargeParameterDiscoveryRes: {
      Header,
      ResponseCode,
      AC_CPDResEnergyTransferMode: { EVSEMaximumChargePower: zero, EVSEMinimumChargePower: zero, EVSENominalFrequency: rational(50) },
    },
  }),
  AC_ChargeLoopReq: (ResponseCode, Header) => ({ AC_ChargeLoopRes: { Header, ResponseCode, Scheduled_AC_CLResControlMode: {} } }),
  DC_ChargeParameterDiscoveryReq: (ResponseCode, Header) => ({
    DC_ChargeParameterDiscoveryRes: {
      Header,
      ResponseCode,
      DC_CPDResEnergyTransferMode: {
        EVSEMaximumChargePower: zero,
        EVSEMinimumChargePower: zero,
        EVSEMaximumChargeCurrent: zero,
        EVSEMinimumChargeCurrent: zero,
        EVSEMaximumVoltage: zero,
        EVSEMinimumVoltage: zero,
      },
    },
  }),
  DC_CableCheckReq: (ResponseCode, Header) => ({ DC_CableCheckRes: { Header, ResponseCode, EVSEProcessing: 'Finished' } }),
  DC_PreChargeReq: (ResponseCode, Header) => ({ DC_PreChargeRes: { Header, ResponseCode, EVSEPresentVoltage: zero } }),
  DC_ChargeLoopReq: (ResponseCode, Header) => ({
    DC_ChargeLoopRes: {
      Header,
      ResponseCode,
      EVSEPresentCurrent: zero,
      EVSEPresentVoltage: zero,
      EVSEPowerLimitAchieved: false,
      EVSECurrentLimitAchieved: false,
      EVSEVoltageLimitAchieved: false,
      Scheduled_DC_CLResControlMode: {},
    },
  }),
  DC_WeldingDetectionReq: (ResponseCode, Header) => ({ DC_WeldingDetectionRes: { Header, ResponseCode, EVSEPresentVoltage: zero } }),
};

export function iso20FailedResponse(requestName: Iso20RequestName, code: Code, header: Header, evse: EvseModel): Iso20Response {
  return FAILED[requestName](code, header, evse);
}
