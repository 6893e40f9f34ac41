// OCPI 2.2.1 and 2.3.0 objects this project exchanges (versions, credentials, tokens, cdrs), as they travel in JSON:
// snake_case fields, optional fields absent rather than null. Where the two versions differ (TokenType EMAID, Price)
// the union covers both and the parsers check the version's shape.

export type OcpiVersionNumber = '2.2.1' | '2.3.0';

/** Versions this project speaks, oldest first. */
export const OCPI_VERSIONS: readonly OcpiVersionNumber[] = ['2.2.1', '2.3.0'];

export function isOcpiVersionNumber(v: string): v is OcpiVersionNumber {
  return (OCPI_VERSIONS as readonly string[]).includes(v);
}

/** A versions-endpoint entry. `version` is any string: peers also list versions we do not speak (2.1.1). */
export interface OcpiVersion {
  readonly version: string;
  readonly url: string;
}

export type InterfaceRole = 'SENDER' | 'RECEIVER';
export const INTERFACE_ROLES: readonly InterfaceRole[] = ['SENDER', 'RECEIVER'];

/** ModuleID is an OpenEnum in 2.3.0: any identifier, the known ones being credentials, tokens, cdrs, locations… */
export interface OcpiEndpoint {
  readonly identifier: string;
  readonly role: InterfaceRole;
  readonly url: string;
}

export interface OcpiVersionDetails {
  readonly version: string;
  readonly endpoints: readonly OcpiEndpoint[];
}

/** 2.2.1 has HUB; 2.3.0 dropped it (hubs list the parties they route instead). */
export type PartyRole = 'CPO' | 'EMSP' | 'HUB' | 'NAP' | 'NSP' | 'OTHER' | 'SCSP';
export const PARTY_ROLES: readonly PartyRole[] = ['CPO', 'EMSP', 'HUB', 'NAP', 'NSP', 'OTHER', 'SCSP'];

export type ImageCategory = 'CHARGER' | 'ENTRANCE' | 'LOCATION' | 'NETWORK' | 'OPERATOR' | 'OTHER' | 'OWNER';
export const IMAGE_CATEGORIES: readonly ImageCategory[] = ['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER'];

export interface OcpiImage {
  readonly url: string;
  readonly thumbnail?: string;
  readonly category: ImageCategory;
  readonly type: string;
  readonly width?: number;
  readonly height?: number;
}

export interface BusinessDetails {
  readonly name: string;
  readonly website?: string;
  readonly logo?: OcpiImage;
}

export interface CredentialsRole {
  readonly role: PartyRole;
  readonly business_details: BusinessDetails;
  readonly party_id: string;
  readonly country_code: string;
}

export interface Credentials {
  /** The credentials token for the other party to call us; plain text here (only the HTTP header is base64). */
  readonly token: string;
  /** Our versions endpoint. */
  readonly url: string;
  readonly roles: readonly CredentialsRole[];
  /** 2.3.0 only: the hub this platform routes through (CC + party id, 5 characters). */
  readonly hub_party_id?: string;
}

/** 2.2.1 is a closed enum without EMAID; 2.3.0 adds EMAID (ISO 15118 contracts). */
export type TokenType = 'AD_HOC_USER' | 'APP_USER' | 'EMAID' | 'OTHER' | 'RFID';
export const TOKEN_TYPES_221: readonly TokenType[] = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'];
export const TOKEN_TYPES_230: readonly TokenType[] = ['AD_HOC_USER', 'APP_USER', 'EMAID', 'OTHER', 'RFID'];

export function tokenTypesOf(version: OcpiVersionNumber): readonly TokenType[] {
  return version === '2.3.0' ? TOKEN_TYPES_230 : TOKEN_TYPES_221;
}

export type WhitelistType = 'ALWAYS' | 'ALLOWED' | 'ALLOWED_OFFLINE' | 'NEVER';
export const WHITELIST_TYPES: readonly WhitelistType[] = ['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER'];

export type AllowedType = 'ALLOWED' | 'BLOCKED' | 'EXPIRED' | 'NO_CREDIT' | 'NOT_ALLOWED';
export const ALLOWED_TYPES: readonly AllowedType[] = ['ALLOWED', 'BLOCKED', 'EXPIRED', 'NO_CREDIT', 'NOT_ALLOWED'];

export type ProfileType = 'CHEAP' | 'FAST' | 'GREEN' | 'REGULAR';
export const PROFILE_TYPES: readonly ProfileType[] = ['CHEAP', 'FAST', 'GREEN', 'REGULAR'];

export interface EnergyContract {
  readonly supplier_name: string;
  readonly contract_id?: string;
}

export interface OcpiToken {
  readonly country_code: string;
  readonly party_id: string;
  readonly uid: string;
  readonly type: TokenType;
  readonly contract_id: string;
  readonly visual_number?: string;
  readonly issuer: string;
  readonly group_id?: string;
  readonly valid: boolean;
  readonly whitelist: WhitelistType;
  readonly language?: string;
  readonly default_profile_type?: ProfileType;
  readonly energy_contract?: EnergyContract;
  readonly last_updated: string;
}

export interface LocationReferences {
  readonly location_id: string;
  readonly evse_uids?: readonly string[];
}

export interface DisplayText {
  readonly language: string;
  readonly text: string;
}

export interface AuthorizationInfo {
  readonly allowed: AllowedType;
  readonly token: OcpiToken;
  readonly location?: LocationReferences;
  readonly authorization_reference?: string;
  readonly info?: DisplayText;
}

export type AuthMethod = 'AUTH_REQUEST' | 'COMMAND' | 'WHITELIST';
export const AUTH_METHODS: readonly AuthMethod[] = ['AUTH_REQUEST', 'COMMAND', 'WHITELIST'];

export interface CdrToken {
  readonly country_code: string;
  readonly party_id: string;
  readonly uid: string;
  readonly type: TokenType;
  readonly contract_id: string;
}

export interface GeoLocation {
  /** Decimal degrees as a string, -?[0-9]{1,2}\.[0-9]{5,7}. */
  readonly latitude: string;
  readonly longitude: string;
}

export type ConnectorFormat = 'SOCKET' | 'CABLE';
export const CONNECTOR_FORMATS: readonly ConnectorFormat[] = ['SOCKET', 'CABLE'];

export type PowerType = 'AC_1_PHASE' | 'AC_2_PHASE' | 'AC_2_PHASE_SPLIT' | 'AC_3_PHASE' | 'DC';
export const POWER_TYPES: readonly PowerType[] = ['AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC'];

export interface CdrLocation {
  readonly id: string;
  readonly name?: string;
  readonly address: string;
  readonly city: string;
  readonly postal_code?: string;
  readonly state?: string;
  /** ISO 3166-1 alpha-3. */
  readonly country: string;
  readonly coordinates: GeoLocation;
  readonly evse_uid: string;
  readonly evse_id: string;
  readonly connector_id: string;
  /** ConnectorType: a long (open) list such as IEC_62196_T2, CHADEMO; kept as its upper-case identifier. */
  readonly connector_standard: string;
  readonly connector_format: ConnectorFormat;
  readonly connector_power_type: PowerType;
}

export type CdrDimensionType =
  | 'CURRENT'
  | 'ENERGY'
  | 'ENERGY_EXPORT'
  | 'ENERGY_IMPORT'
  | 'MAX_CURRENT'
  | 'MIN_CURRENT'
  | 'MAX_POWER'
  | 'MIN_POWER'
  | 'PARKING_TIME'
  | 'POWER'
  | 'RESERVATION_TIME'
  | 'STATE_OF_CHARGE'
  | 'TIME';
export const CDR_DIMENSION_TYPES: readonly CdrDimensionType[] = [
  'CURRENT',
  'ENERGY',
  'ENERGY_EXPORT',
  'ENERGY_IMPORT',
  'MAX_CURRENT',
  'MIN_CURRENT',
  'MAX_POWER',
  'MIN_POWER',
  'PARKING_TIME',
  'POWER',
  'RESERVATION_TIME',
  'STATE_OF_CHARGE',
  'TIME',
];

export interface CdrDimension {
  readonly type: CdrDimensionType;
  readonly volume: number;
}

export interface ChargingPeriod {
  readonly start_date_time: string;
  readonly dimensions: readonly CdrDimension[];
  readonly tariff_id?: string;
}

/** OCPI 2.2.1 Price. */
export interface Price221 {
  readonly excl_vat: number;
  readonly incl_vat?: number;
}

export interface TaxAmount {
  readonly name: string;
  readonly account_number?: string;
  readonly percentage?: number;
  readonly amount: number;
}

/** OCPI 2.3.0 Price: the amount before taxes plus each tax relevant to the receiver. */
export interface Price230 {
  readonly before_taxes: number;
  readonly taxes?: readonly TaxAmount[];
}

export type OcpiPrice = Price221 | Price230;

/** What the payer pays: 2.2.1 incl_vat (excl_vat when no VAT is given); 2.3.0 before_taxes plus every tax. */
export function priceTotal(price: OcpiPrice): number {
  if ('before_taxes' in price) return (price.taxes ?? []).reduce((sum, t) => sum + t.amount, price.before_taxes);
  return price.incl_vat ?? price.excl_vat;
}

/** Objects carried through but not interpreted here (tariffs, signed data): checked to be JSON objects only. */
export type OcpiOpaqueObject = { readonly [key: string]: unknown };

export interface Cdr {
  readonly country_code: string;
  readonly party_id: string;
  readonly id: string;
  readonly start_date_time: string;
  readonly end_date_time: string;
  readonly session_id?: string;
  readonly cdr_token: CdrToken;
  readonly auth_method: AuthMethod;
  readonly authorization_reference?: string;
  readonly cdr_location: CdrLocation;
  readonly meter_id?: string;
  readonly currency: string;
  readonly tariffs?: readonly OcpiOpaqueObject[];
  readonly charging_periods: readonly ChargingPeriod[];
  readonly signed_data?: OcpiOpaqueObject;
  readonly total_cost: OcpiPrice;
  readonly total_fixed_cost?: OcpiPrice;
  readonly total_energy: number;
  readonly total_energy_cost?: OcpiPrice;
  readonly total_time: number;
  readonly total_time_cost?: OcpiPrice;
  readonly total_parking_time?: number;
  readonly total_parking_cost?: OcpiPrice;
  readonly total_reservation_cost?: OcpiPrice;
  readonly remark?: string;
  readonly invoice_reference_id?: string;
  readonly credit?: boolean;
  readonly credit_reference_id?: string;
  readonly home_charging_compensation?: boolean;
  readonly last_updated: string;
}

/** The response format of every OCPI answer (transport_and_format: Response format). */
export interface OcpiResponse<T> {
  readonly data?: T;
  readonly status_code: number;
  readonly status_message?: string;
  readonly timestamp: string;
}
