// The ISO 15118-20 requests and responses a charging session exchanges, across the three schemas a -20 AC or DC session
// uses (CommonMessages, AC, DC). Each message is its own root element with its Header inside, and the schema decides
// the V2GTP payload type it travels in.
import type { iso20, iso20Ac, iso20CommonTypes, iso20Dc, OneOf } from '../../../exi/index.js';
import { PAYLOAD_TYPE } from '../../transport/index.js';

type C = iso20.Iso20Elements;
type A = iso20Ac.Iso20AcElements;
type D = iso20Dc.Iso20DcElements;

export const COMMON_REQUESTS = [
  'SessionSetupReq',
  'AuthorizationSetupReq',
  'AuthorizationReq',
  'ServiceDiscoveryReq',
  'ServiceDetailReq',
  'ServiceSelectionReq',
  'ScheduleExchangeReq',
  'PowerDeliveryReq',
  'MeteringConfirmationReq',
  'SessionStopReq',
  'CertificateInstallationReq',
  'VehicleCheckInReq',
  'VehicleCheckOutReq',
] as const satisfies readonly (keyof C)[];
export const AC_REQUESTS = ['AC_ChargeParameterDiscoveryReq', 'AC_ChargeLoopReq'] as const satisfies readonly (keyof A)[];
export const DC_REQUESTS = ['DC_ChargeParameterDiscoveryReq', 'DC_CableCheckReq', 'DC_PreChargeReq', 'DC_ChargeLoopReq', 'DC_WeldingDetectionReq'] as const satisfies readonly (keyof D)[];

type CommonRequestName = (typeof COMMON_REQUESTS)[number];
type AcRequestName = (typeof AC_REQUESTS)[number];
type DcRequestName = (typeof DC_REQUESTS)[number];
export type Iso20RequestName = CommonRequestName | AcRequestName | DcRequestName;

type ResOf<N extends string> = N extends `${infer B}Req` ? `${B}Res` : never;
type CommonResponseName = ResOf<CommonRequestName> & keyof C;
type AcResponseName = ResOf<AcRequestName> & keyof A;
type DcResponseName = ResOf<DcRequestName> & keyof D;
export type Iso20ResponseName = CommonResponseName | AcResponseName | DcResponseName;

export type Iso20Requests = Pick<C, CommonRequestName> & Pick<A, AcRequestName> & Pick<D, DcRequestName>;
export type Iso20Responses = Pick<C, CommonResponseName> & Pick<A, AcResponseName> & Pick<D, DcResponseName>;

/** One -20 request: exactly one of the request elements. */
export type Iso20Request = OneOf<Iso20Requests>;
/** One -20 response: exactly one of the response elements. */
export type Iso20Response = OneOf<Iso20Responses>;

export type Iso20Schema = 'common' | 'ac' | 'dc';

export const ISO20_REQUESTS: readonly Iso20RequestName[] = [...COMMON_REQUESTS, ...AC_REQUESTS, ...DC_REQUESTS];

const has = (list: readonly string[], name: string): boolean => list.includes(name);

export function isIso20RequestName(name: string): name is Iso20RequestName {
  return has(ISO20_REQUESTS, name);
}

/** The schema (and so the payload type) a message belongs to, from its name. */
export function schemaOfMessage(name: string): Iso20Schema {
  if (name.startsWith('AC_')) return 'ac';
  if (name.startsWith('DC_')) return 'dc';
  return 'common';
}

export const PAYLOAD_TYPE_OF_SCHEMA: Readonly<Record<Iso20Schema, number>> = {
  common: PAYLOAD_TYPE.commonMessages,
  ac: PAYLOAD_TYPE.ac,
  dc: PAYLOAD_TYPE.dc,
};

export function requestName(request: Iso20Request): Iso20RequestName {
  const name = Object.keys(request)[0] ?? '';
  if (!isIso20RequestName(name)) throw new Error(`${name || 'an empty document'} is not a -20 request`);
  return name;
}

export function requestHeader(request: Iso20Request): iso20CommonTypes.MessageHeaderType {
  const all: Partial<Iso20Requests> = request;
  const body = all[requestName(request)];
  if (!body) throw new Error('a -20 request without a body');
  return body.Header;
}

export function responseName(response: Iso20Response): Iso20ResponseName {
  return Object.keys(response)[0] as Iso20ResponseName;
}

export function responseCode(response: Iso20Response): iso20CommonTypes.responseCodeType {
  const all: Partial<Iso20Responses> = response;
  const body = all[responseName(response)];
  if (!body) throw new Error('a -20 response without a body');
  return body.ResponseCode;
}
