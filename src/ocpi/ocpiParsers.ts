// Strict parsers for the OCPI objects this project receives: each takes untrusted JSON (already JSON.parse'd) and
// returns the typed object, or throws OcpiFormatError naming the field path. Version-dependent shapes (TokenType,
// Price) take the OCPI version the document belongs to.
import { Fields, checkDateTime, compact, expectArray, expectObject } from './ocpiFields.js';
import { OcpiFormatError } from './ocpiFormatError.js';
import {
  ALLOWED_TYPES,
  AUTH_METHODS,
  CDR_DIMENSION_TYPES,
  CONNECTOR_FORMATS,
  IMAGE_CATEGORIES,
  INTERFACE_ROLES,
  PARTY_ROLES,
  POWER_TYPES,
  PROFILE_TYPES,
  WHITELIST_TYPES,
  tokenTypesOf,
  type AuthorizationInfo,
  type BusinessDetails,
  type Cdr,
  type CdrDimension,
  type CdrLocation,
  type CdrToken,
  type ChargingPeriod,
  type Credentials,
  type CredentialsRole,
  type DisplayText,
  type EnergyContract,
  type GeoLocation,
  type LocationReferences,
  type OcpiEndpoint,
  type OcpiImage,
  type OcpiOpaqueObject,
  type OcpiPrice,
  type OcpiToken,
  type OcpiVersion,
  type OcpiVersionDetails,
  type OcpiVersionNumber,
  type TaxAmount,
  type TokenType,
} from './ocpiTypes.js';

/** Upper bounds on list lengths, so a hostile document cannot make us build huge arrays of objects. */
const MAX_VERSIONS = 32;
const MAX_ENDPOINTS = 128;
const MAX_ROLES = 64;
const MAX_EVSE_UIDS = 256;
const MAX_CHARGING_PERIODS = 10_000;
const MAX_DIMENSIONS = 32;
const MAX_TAXES = 32;
const MAX_TARIFFS = 64;
/** Tokens per page: servers choose the page size, a client still bounds what it accepts. */
export const MAX_TOKENS_PER_PAGE = 10_000;

const COUNTRY_CODE = /^[A-Za-z]{2}$/;
const PARTY_ID = /^[A-Za-z0-9]{3}$/;
const LATITUDE = /^-?[0-9]{1,2}\.[0-9]{5,7}$/;
const LONGITUDE = /^-?[0-9]{1,3}\.[0-9]{5,7}$/;
const CURRENCY = /^[A-Z]{3}$/;
const LANGUAGE = /^[a-z]{2}$/i;
const IDENTIFIER = /^[A-Za-z0-9_-]+$/;
/** 2.3.0 credentials token: printable non-whitespace ASCII (U+0021–U+007E). */
const CREDENTIALS_TOKEN = /^[\x21-\x7e]+$/;

export interface OcpiEnvelope {
  readonly statusCode: number;
  readonly statusMessage?: string;
  readonly timestamp: string;
  /** The data field as received (undefined when absent): parse it with the parser of the expected object. */
  readonly data: unknown;
}

/** The response format every OCPI answer has: status_code and timestamp required, data and status_message optional. */
export function parseEnvelope(value: unknown): OcpiEnvelope {
  const f = new Fields(value, '');
  const statusCode = f.integer('status_code', { min: 0, max: 9999 });
  const statusMessage = f.optString('status_message', 4096);
  const timestamp = f.dateTime('timestamp');
  return compact({ statusCode, statusMessage, timestamp, data: f.object.data === null ? undefined : f.object.data });
}

export function parseVersions(value: unknown, path = 'data'): OcpiVersion[] {
  return expectArray(value, path, MAX_VERSIONS).map((item, i) => {
    const f = new Fields(item, `${path}[${i}]`);
    return { version: f.string('version', 16, { min: 1, pattern: /^[0-9A-Za-z.-]+$/ }), url: f.url('url') };
  });
}

export function parseEndpoint(value: unknown, path: string): OcpiEndpoint {
  const f = new Fields(value, path);
  return { identifier: f.string('identifier', 64, { min: 1, pattern: IDENTIFIER }), role: f.oneOf('role', INTERFACE_ROLES), url: f.url('url') };
}

export function parseVersionDetails(value: unknown, path = 'data'): OcpiVersionDetails {
  const f = new Fields(value, path);
  return { version: f.string('version', 16, { min: 1, pattern: /^[0-9A-Za-z.-]+$/ }), endpoints: f.array('endpoints', parseEndpoint, { min: 1, max: MAX_ENDPOINTS }) };
}

function parseImage(value: unknown, path: string): OcpiImage {
  const f = new Fields(value, path);
  return compact({
    url: f.url('url'),
    thumbnail: f.optUrl('thumbnail'),
    category: f.oneOf('category', IMAGE_CATEGORIES),
    type: f.ciString('type', 4, { min: 1 }),
    width: f.optInteger('width', { min: 0, max: 99_999 }),
    height: f.optInteger('height', { min: 0, max: 99_999 }),
  });
}

export function parseBusinessDetails(value: unknown, path: string): BusinessDetails {
  const f = new Fields(value, path);
  return compact({ name: f.string('name', 100, { min: 1 }), website: f.optUrl('website'), logo: f.optNested('logo', parseImage) });
}

export function parseCredentialsRole(value: unknown, path: string): CredentialsRole {
  const f = new Fields(value, path);
  return {
    role: f.oneOf('role', PARTY_ROLES),
    business_details: f.nested('business_details', parseBusinessDetails),
    party_id: f.ciString('party_id', 3, { min: 3 }).toUpperCase(),
    country_code: f.ciString('country_code', 2, { min: 2 }).toUpperCase(),
  };
}

export function parseCredentials(value: unknown, path = 'data'): Credentials {
  const f = new Fields(value, path);
  const token = f.string('token', 64, { min: 1, pattern: CREDENTIALS_TOKEN });
  const url = f.url('url');
  const roles = f.array('roles', parseCredentialsRole, { min: 1, max: MAX_ROLES });
  for (const [i, r] of roles.entries()) {
    if (!PARTY_ID.test(r.party_id)) throw new OcpiFormatError(`${f.at('roles')}[${i}].party_id`, `"${r.party_id}" is not 3 letters or digits`);
    if (!COUNTRY_CODE.test(r.country_code)) throw new OcpiFormatError(`${f.at('roles')}[${i}].country_code`, `"${r.country_code}" is not 2 letters`);
  }
  return compact({
    token,
    url,
    roles,
    hub_party_id: f.optCiString('hub_party_id', 5),
  });
}

function parseEnergyContract(value: unknown, path: string): EnergyContract {
  const f = new Fields(value, path);
  return compact({ supplier_name: f.string('supplier_name', 64), contract_id: f.optString('contract_id', 64) });
}

function parseCountryCode(f: Fields): string {
  const v = f.ciString('country_code', 2, { min: 2 });
  if (!COUNTRY_CODE.test(v)) throw new OcpiFormatError(f.at('country_code'), `"${v}" is not 2 letters`);
  return v.toUpperCase();
}

function parsePartyId(f: Fields): string {
  const v = f.ciString('party_id', 3, { min: 3 });
  if (!PARTY_ID.test(v)) throw new OcpiFormatError(f.at('party_id'), `"${v}" is not 3 letters or digits`);
  return v.toUpperCase();
}

export function parseTokenType(value: unknown, version: OcpiVersionNumber, path: string): TokenType {
  const allowed = tokenTypesOf(version);
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new OcpiFormatError(path, `expected a TokenType of OCPI ${version} (${allowed.join(', ')})`);
  }
  return value as TokenType;
}

export function parseToken(value: unknown, version: OcpiVersionNumber, path = 'data'): OcpiToken {
  const f = new Fields(value, path);
  return compact({
    country_code: parseCountryCode(f),
    party_id: parsePartyId(f),
    uid: f.ciString('uid', 36, { min: 1 }),
    type: f.nested('type', (v, p) => parseTokenType(v, version, p)),
    contract_id: f.ciString('contract_id', 36, { min: 1 }),
    visual_number: f.optString('visual_number', 64),
    issuer: f.string('issuer', 64),
    group_id: f.optCiString('group_id', 36),
    valid: f.boolean('valid'),
    whitelist: f.oneOf('whitelist', WHITELIST_TYPES),
    language: f.optString('language', 2, { pattern: LANGUAGE }),
    default_profile_type: f.optOneOf('default_profile_type', PROFILE_TYPES),
    energy_contract: f.optNested('energy_contract', parseEnergyContract),
    last_updated: f.dateTime('last_updated'),
  });
}

export function parseTokenList(value: unknown, version: OcpiVersionNumber, path = 'data'): OcpiToken[] {
  return expectArray(value, path, MAX_TOKENS_PER_PAGE).map((t, i) => parseToken(t, version, `${path}[${i}]`));
}

export function parseLocationReferences(value: unknown, path = 'body'): LocationReferences {
  const f = new Fields(value, path);
  return compact({
    location_id: f.ciString('location_id', 36, { min: 1 }),
    evse_uids: f.optArray('evse_uids', (v, p) => ciStringValue(v, p, 36), { max: MAX_EVSE_UIDS }),
  });
}

function parseDisplayText(value: unknown, path: string): DisplayText {
  const f = new Fields(value, path);
  return { language: f.string('language', 2, { min: 2, pattern: LANGUAGE }), text: f.string('text', 512) };
}

export function parseAuthorizationInfo(value: unknown, version: OcpiVersionNumber, path = 'data'): AuthorizationInfo {
  const f = new Fields(value, path);
  return compact({
    allowed: f.oneOf('allowed', ALLOWED_TYPES),
    token: f.nested('token', (v, p) => parseToken(v, version, p)),
    location: f.optNested('location', parseLocationReferences),
    authorization_reference: f.optCiString('authorization_reference', 36),
    info: f.optNested('info', parseDisplayText),
  });
}

function parseCdrToken(value: unknown, version: OcpiVersionNumber, path: string): CdrToken {
  const f = new Fields(value, path);
  return {
    country_code: parseCountryCode(f),
    party_id: parsePartyId(f),
    uid: f.ciString('uid', 36, { min: 1 }),
    type: f.nested('type', (v, p) => parseTokenType(v, version, p)),
    contract_id: f.ciString('contract_id', 36, { min: 1 }),
  };
}

function parseGeoLocation(value: unknown, path: string): GeoLocation {
  const f = new Fields(value, path);
  return { latitude: f.string('latitude', 10, { pattern: LATITUDE }), longitude: f.string('longitude', 11, { pattern: LONGITUDE }) };
}

function parseCdrLocation(value: unknown, path: string): CdrLocation {
  const f = new Fields(value, path);
  return compact({
    id: f.ciString('id', 36, { min: 1 }),
    name: f.optString('name', 255),
    address: f.string('address', 45),
    city: f.string('city', 45),
    postal_code: f.optString('postal_code', 10),
    state: f.optString('state', 20),
    country: f.string('country', 3, { min: 3, pattern: /^[A-Z]{3}$/ }),
    coordinates: f.nested('coordinates', parseGeoLocation),
    evse_uid: f.ciString('evse_uid', 36, { min: 1 }),
    evse_id: f.ciString('evse_id', 48, { min: 1 }),
    connector_id: f.ciString('connector_id', 36, { min: 1 }),
    connector_standard: f.string('connector_standard', 64, { min: 1, pattern: /^[A-Z0-9_]+$/ }),
    connector_format: f.oneOf('connector_format', CONNECTOR_FORMATS),
    connector_power_type: f.oneOf('connector_power_type', POWER_TYPES),
  });
}

function parseDimension(value: unknown, path: string): CdrDimension {
  const f = new Fields(value, path);
  return { type: f.oneOf('type', CDR_DIMENSION_TYPES), volume: f.number('volume') };
}

function parseChargingPeriod(value: unknown, path: string): ChargingPeriod {
  const f = new Fields(value, path);
  return compact({
    start_date_time: f.dateTime('start_date_time'),
    dimensions: f.array('dimensions', parseDimension, { min: 1, max: MAX_DIMENSIONS }),
    tariff_id: f.optCiString('tariff_id', 36),
  });
}

function parseTaxAmount(value: unknown, path: string): TaxAmount {
  const f = new Fields(value, path);
  return compact({ name: f.string('name', 255, { min: 1 }), account_number: f.optString('account_number', 255), percentage: f.optNumber('percentage'), amount: f.number('amount') });
}

/** 2.2.1 {excl_vat, incl_vat?}; 2.3.0 {before_taxes, taxes*}. Negative amounts are legal (credit CDRs). */
export function parsePrice(value: unknown, version: OcpiVersionNumber, path: string): OcpiPrice {
  const f = new Fields(value, path);
  if (version === '2.3.0') return compact({ before_taxes: f.number('before_taxes'), taxes: f.optArray('taxes', parseTaxAmount, { max: MAX_TAXES }) });
  return compact({ excl_vat: f.number('excl_vat'), incl_vat: f.optNumber('incl_vat') });
}

function opaqueObject(value: unknown, path: string): OcpiOpaqueObject {
  return expectObject(value, path);
}

export function parseCdr(value: unknown, version: OcpiVersionNumber, path = 'body'): Cdr {
  const f = new Fields(value, path);
  const price = (v: unknown, p: string): OcpiPrice => parsePrice(v, version, p);
  const cdr = compact({
    country_code: parseCountryCode(f),
    party_id: parsePartyId(f),
    id: f.ciString('id', 39, { min: 1 }),
    start_date_time: f.dateTime('start_date_time'),
    end_date_time: f.dateTime('end_date_time'),
    session_id: f.optCiString('session_id', 36),
    cdr_token: f.nested('cdr_token', (v, p) => parseCdrToken(v, version, p)),
    auth_method: f.oneOf('auth_method', AUTH_METHODS),
    authorization_reference: f.optCiString('authorization_reference', 36),
    cdr_location: f.nested('cdr_location', parseCdrLocation),
    meter_id: f.optString('meter_id', 255),
    currency: f.string('currency', 3, { min: 3, pattern: CURRENCY }),
    tariffs: f.optArray('tariffs', opaqueObject, { max: MAX_TARIFFS }),
    charging_periods: f.array('charging_periods', parseChargingPeriod, { min: 1, max: MAX_CHARGING_PERIODS }),
    signed_data: f.optNested('signed_data', opaqueObject),
    total_cost: f.nested('total_cost', price),
    total_fixed_cost: f.optNested('total_fixed_cost', price),
    total_energy: f.number('total_energy'),
    total_energy_cost: f.optNested('total_energy_cost', price),
    total_time: f.number('total_time', { min: 0 }),
    total_time_cost: f.optNested('total_time_cost', price),
    total_parking_time: f.optNumber('total_parking_time', { min: 0 }),
    total_parking_cost: f.optNested('total_parking_cost', price),
    total_reservation_cost: f.optNested('total_reservation_cost', price),
    remark: f.optString('remark', 255),
    invoice_reference_id: f.optCiString('invoice_reference_id', 39),
    credit: f.optBoolean('credit'),
    credit_reference_id: f.optCiString('credit_reference_id', 39),
    home_charging_compensation: f.optBoolean('home_charging_compensation'),
    last_updated: f.dateTime('last_updated'),
  });
  if (Date.parse(asUtc(cdr.end_date_time)) < Date.parse(asUtc(cdr.start_date_time))) {
    throw new OcpiFormatError(f.at('end_date_time'), 'is before start_date_time');
  }
  if (cdr.credit === true && cdr.credit_reference_id === undefined) throw new OcpiFormatError(f.at('credit_reference_id'), 'required for a credit CDR');
  return cdr;
}

function asUtc(dateTime: string): string {
  return dateTime.endsWith('Z') || dateTime.endsWith('+00:00') ? dateTime : `${dateTime}Z`;
}

function ciStringValue(value: unknown, path: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !/^[\x20-\x7e]+$/.test(value)) {
    throw new OcpiFormatError(path, `expected a CiString of 1–${max} printable ASCII characters`);
  }
  return value;
}

/** Milliseconds since the epoch of an OCPI DateTime (which may leave out the 'Z'). */
export function dateTimeMillis(value: string, path = 'DateTime'): number {
  return Date.parse(asUtc(checkDateTime(value, path)));
}
