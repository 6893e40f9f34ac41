// JSON schemas of the admin API's request bodies: the OCPP 2.0.1 request of each route with the official schema's
// limits (maxLength, enums, minItems), stricter in one way — no customData and no unknown properties — so that a bad
// body is a 400 here, not a CALLERROR from the station. fastify compiles them once at start-up.
import type {
  AttributeEnumType,
  AuthorizationStatusEnumType,
  GetCertificateIdUseEnumType,
  HashAlgorithmEnumType,
  IdTokenEnumType,
  InstallCertificateUseEnumType,
  MessageFormatEnumType,
  MessageTriggerEnumType,
  UpdateEnumType,
} from '../../ocpp/generated/ocpp201.js';

/** The values of a string union, checked by tsc to be exactly the union's members. */
function exhaustive<T extends string>() {
  return <const V extends readonly T[]>(values: V & ([Exclude<T, V[number]>] extends [never] ? unknown : { readonly missing: Exclude<T, V[number]> })): V => values;
}

export const INSTALL_CERTIFICATE_TYPES = exhaustive<InstallCertificateUseEnumType>()(['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate', 'ManufacturerRootCertificate']);
export const CERTIFICATE_ID_TYPES = exhaustive<GetCertificateIdUseEnumType>()(['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate', 'V2GCertificateChain', 'ManufacturerRootCertificate']);
export const HASH_ALGORITHMS = exhaustive<HashAlgorithmEnumType>()(['SHA256', 'SHA384', 'SHA512']);
export const TRIGGER_MESSAGES = exhaustive<MessageTriggerEnumType>()([
  'BootNotification',
  'LogStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'MeterValues',
  'SignChargingStationCertificate',
  'SignV2GCertificate',
  'StatusNotification',
  'TransactionEvent',
  'SignCombinedCertificate',
  'PublishFirmwareStatusNotification',
]);
export const UPDATE_TYPES = exhaustive<UpdateEnumType>()(['Full', 'Differential']);
const ID_TOKEN_TYPES = exhaustive<IdTokenEnumType>()(['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization']);
const AUTHORIZATION_STATUSES = exhaustive<AuthorizationStatusEnumType>()(['Accepted', 'Blocked', 'ConcurrentTx', 'Expired', 'Invalid', 'NoCredit', 'NotAllowedTypeEVSE', 'NotAtThisLocation', 'NotAtThisTime', 'Unknown']);
const ATTRIBUTE_TYPES = exhaustive<AttributeEnumType>()(['Actual', 'Target', 'MinSet', 'MaxSet']);
const MESSAGE_FORMATS = exhaustive<MessageFormatEnumType>()(['ASCII', 'HTML', 'URI', 'UTF8']);

/** InstallCertificateRequest.certificate and SignCertificateRequest.csr maxLength. */
export const MAX_CERTIFICATE_PEM_CHARS = 5500;
/** Entries of one admin request (variables, local list entries): far above any station's ItemsPerMessage. */
const MAX_ITEMS = 10_000;

const str = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const closed = <P extends Record<string, unknown>>(properties: P, required: readonly (keyof P & string)[] = []) =>
  ({ type: 'object', additionalProperties: false, properties, required: [...required] }) as const;

const evse = closed({ id: { type: 'integer', minimum: 0 }, connectorId: { type: 'integer', minimum: 0 } }, ['id']);
const component = closed({ name: str(50), instance: str(50), evse }, ['name']);
const variable = closed({ name: str(50), instance: str(50) }, ['name']);
const idToken = closed(
  {
    idToken: str(36),
    type: { enum: ID_TOKEN_TYPES },
    additionalInfo: { type: 'array', minItems: 1, maxItems: 100, items: closed({ additionalIdToken: str(36), type: str(50) }, ['additionalIdToken', 'type']) },
  },
  ['idToken', 'type'],
);
const idTokenInfo = closed(
  {
    status: { enum: AUTHORIZATION_STATUSES },
    cacheExpiryDateTime: { type: 'string', format: 'date-time' },
    chargingPriority: { type: 'integer', minimum: -9, maximum: 9 },
    language1: str(8),
    language2: str(8),
    evseId: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'integer', minimum: 0 } },
    groupIdToken: idToken,
    personalMessage: closed({ format: { enum: MESSAGE_FORMATS }, language: str(8), content: str(512) }, ['format', 'content']),
  },
  ['status'],
);

export const stationParams = closed({ id: { type: 'string', minLength: 1, maxLength: 48, pattern: '^[A-Za-z0-9*_=:+|@.-]+$' } }, ['id']);

export const installCertificateBody = closed({ certificateType: { enum: INSTALL_CERTIFICATE_TYPES }, certificate: { type: 'string', minLength: 1, maxLength: MAX_CERTIFICATE_PEM_CHARS } }, ['certificateType', 'certificate']);

export const deleteCertificateBody = closed(
  {
    certificateHashData: closed({ hashAlgorithm: { enum: HASH_ALGORITHMS }, issuerNameHash: str(128), issuerKeyHash: str(128), serialNumber: str(40) }, ['hashAlgorithm', 'issuerNameHash', 'issuerKeyHash', 'serialNumber']),
  },
  ['certificateHashData'],
);

export const getInstalledCertificateIdsBody = closed({ certificateType: { type: 'array', minItems: 1, maxItems: 5, uniqueItems: true, items: { enum: CERTIFICATE_ID_TYPES } } });

export const sendLocalListBody = closed(
  {
    versionNumber: { type: 'integer' },
    updateType: { enum: UPDATE_TYPES },
    localAuthorizationList: { type: 'array', minItems: 1, maxItems: MAX_ITEMS, items: closed({ idToken, idTokenInfo }, ['idToken']) },
  },
  ['versionNumber', 'updateType'],
);

export const emptyBody = closed({});

export const setVariablesBody = closed(
  {
    setVariableData: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_ITEMS,
      items: closed({ attributeType: { enum: ATTRIBUTE_TYPES }, attributeValue: str(1000), component, variable }, ['attributeValue', 'component', 'variable']),
    },
  },
  ['setVariableData'],
);

export const getVariablesBody = closed(
  {
    getVariableData: { type: 'array', minItems: 1, maxItems: MAX_ITEMS, items: closed({ attributeType: { enum: ATTRIBUTE_TYPES }, component, variable }, ['component', 'variable']) },
  },
  ['getVariableData'],
);

export const triggerMessageBody = closed({ requestedMessage: { enum: TRIGGER_MESSAGES }, evse }, ['requestedMessage']);

/** ISO15118Ctrlr variables (OCPP 2.0.1 Part 2 Appendices §3.1.9) the /iso15118 route sets, with their data types. */
export const ISO15118_VARIABLES = {
  Enabled: 'boolean',
  PnCEnabled: 'boolean',
  ContractValidationOffline: 'boolean',
  CentralContractValidationAllowed: 'boolean',
  V2GCertificateInstallationEnabled: 'boolean',
  ContractCertificateInstallationEnabled: 'boolean',
  RequestMeteringReceipt: 'boolean',
  SeccId: 'string',
  OrganizationName: 'string',
  CountryName: 'string',
  MaxScheduleEntries: 'integer',
  RequestedEnergyTransferMode: 'string',
} as const;
export type Iso15118Variable = keyof typeof ISO15118_VARIABLES;

const iso15118Properties = Object.fromEntries(
  Object.entries(ISO15118_VARIABLES).map(([name, type]) => [
    name,
    type === 'string' ? { type: 'string', minLength: 1, maxLength: name === 'CountryName' ? 2 : 1000 } : type === 'integer' ? { type: 'integer', minimum: 0 } : { type: 'boolean' },
  ]),
);

export const iso15118Body = {
  type: 'object',
  additionalProperties: false,
  // At least one variable besides evse.
  minProperties: 1,
  not: { type: 'object', required: ['evse'], maxProperties: 1 },
  properties: { ...iso15118Properties, evse: { type: 'integer', minimum: 1 } },
} as const;
