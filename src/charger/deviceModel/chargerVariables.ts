// The device model as the charger's code reads it: typed fields from the stored values map, catalogue defaults for
// what is not stored. A stored value that no longer passes its definition (a hand-edited database) is an error, not
// a silent default.
import { variableKeyString, type VariableKey } from '../store/chargerStateStore.js';
import { definitionKey, findDefinition, VARIABLE_CATALOGUE, type VariableDefinition } from './variableCatalogue.js';
import { checkValue } from './variableValue.js';

export interface ChargerVariables {
  // ISO15118Ctrlr
  readonly pncEnabled: boolean;
  readonly centralContractValidationAllowed: boolean;
  readonly contractValidationOffline: boolean;
  readonly v2gCertificateInstallationEnabled: boolean;
  readonly contractCertificateInstallationEnabled: boolean;
  readonly seccId?: string;
  readonly organizationName?: string;
  readonly countryName?: string;
  // AuthCtrlr
  readonly authEnabled: boolean;
  readonly localAuthorizeOffline: boolean;
  readonly offlineTxForUnknownIdEnabled: boolean;
  readonly authorizeRemoteStart: boolean;
  readonly localPreAuthorize: boolean;
  // LocalAuthListCtrlr
  readonly localAuthListEnabled: boolean;
  readonly localAuthListAvailable: boolean;
  readonly localAuthListItemsPerMessage: number;
  readonly localAuthListBytesPerMessage: number;
  /** Entries.maxLimit: how many idTokens the list may hold. */
  readonly localAuthListMaxEntries: number;
  // OCPPCommCtrlr
  readonly heartbeatIntervalS: number;
  readonly offlineThresholdS: number;
  readonly messageTimeoutS: number;
  readonly retryBackOffWaitMinimumS: number;
  readonly retryBackOffRandomRangeS: number;
  readonly retryBackOffRepeatTimes: number;
  readonly messageAttemptsTransactionEvent: number;
  readonly messageAttemptIntervalTransactionEventS: number;
  // TxCtrlr
  readonly stopTxOnInvalidId: boolean;
  readonly maxEnergyOnInvalidIdWh?: number;
  readonly txStartPoint: readonly string[];
  readonly txStopPoint: readonly string[];
  readonly evConnectionTimeOutS: number;
  // SecurityCtrlr
  readonly securityProfile: number;
  readonly basicAuthPassword?: string;
  readonly identity?: string;
  readonly securityOrganizationName?: string;
  // SampledDataCtrlr
  readonly txUpdatedIntervalS: number;
}

type Ref = readonly [component: string, variable: string, variableInstance?: string];

/** Where each typed field comes from. */
export const CHARGER_VARIABLE_SOURCES = {
  pncEnabled: ['ISO15118Ctrlr', 'PnCEnabled'],
  centralContractValidationAllowed: ['ISO15118Ctrlr', 'CentralContractValidationAllowed'],
  contractValidationOffline: ['ISO15118Ctrlr', 'ContractValidationOffline'],
  v2gCertificateInstallationEnabled: ['ISO15118Ctrlr', 'V2GCertificateInstallationEnabled'],
  contractCertificateInstallationEnabled: ['ISO15118Ctrlr', 'ContractCertificateInstallationEnabled'],
  seccId: ['ISO15118Ctrlr', 'SeccId'],
  organizationName: ['ISO15118Ctrlr', 'OrganizationName'],
  countryName: ['ISO15118Ctrlr', 'CountryName'],
  authEnabled: ['AuthCtrlr', 'Enabled'],
  localAuthorizeOffline: ['AuthCtrlr', 'LocalAuthorizeOffline'],
  offlineTxForUnknownIdEnabled: ['AuthCtrlr', 'OfflineTxForUnknownIdEnabled'],
  authorizeRemoteStart: ['AuthCtrlr', 'AuthorizeRemoteStart'],
  localPreAuthorize: ['AuthCtrlr', 'LocalPreAuthorize'],
  localAuthListEnabled: ['LocalAuthListCtrlr', 'Enabled'],
  localAuthListAvailable: ['LocalAuthListCtrlr', 'Available'],
  localAuthListItemsPerMessage: ['LocalAuthListCtrlr', 'ItemsPerMessage'],
  localAuthListBytesPerMessage: ['LocalAuthListCtrlr', 'BytesPerMessage'],
  localAuthListMaxEntries: ['LocalAuthListCtrlr', 'Entries'],
  heartbeatIntervalS: ['OCPPCommCtrlr', 'HeartbeatInterval'],
  offlineThresholdS: ['OCPPCommCtrlr', 'OfflineThreshold'],
  messageTimeoutS: ['OCPPCommCtrlr', 'MessageTimeout', 'Default'],
  retryBackOffWaitMinimumS: ['OCPPCommCtrlr', 'RetryBackOffWaitMinimum'],
  retryBackOffRandomRangeS: ['OCPPCommCtrlr', 'RetryBackOffRandomRange'],
  retryBackOffRepeatTimes: ['OCPPCommCtrlr', 'RetryBackOffRepeatTimes'],
  messageAttemptsTransactionEvent: ['OCPPCommCtrlr', 'MessageAttempts', 'TransactionEvent'],
  messageAttemptIntervalTransactionEventS: ['OCPPCommCtrlr', 'MessageAttemptInterval', 'TransactionEvent'],
  stopTxOnInvalidId: ['TxCtrlr', 'StopTxOnInvalidId'],
  maxEnergyOnInvalidIdWh: ['TxCtrlr', 'MaxEnergyOnInvalidId'],
  txStartPoint: ['TxCtrlr', 'TxStartPoint'],
  txStopPoint: ['TxCtrlr', 'TxStopPoint'],
  evConnectionTimeOutS: ['TxCtrlr', 'EVConnectionTimeOut'],
  securityProfile: ['SecurityCtrlr', 'SecurityProfile'],
  basicAuthPassword: ['SecurityCtrlr', 'BasicAuthPassword'],
  identity: ['SecurityCtrlr', 'Identity'],
  securityOrganizationName: ['SecurityCtrlr', 'OrganizationName'],
  txUpdatedIntervalS: ['SampledDataCtrlr', 'TxUpdatedInterval'],
} as const satisfies Record<keyof ChargerVariables, Ref>;

/** A stored value that fails its definition, or a field whose definition is missing from the catalogue. */
export class InvalidStoredVariableError extends Error {
  override readonly name = 'InvalidStoredVariableError';
  constructor(
    readonly key: string,
    readonly detail: string,
  ) {
    super(`device model variable ${key}: ${detail}`);
  }
}

/** The store key of a typed field (for writers such as the BootNotification interval). */
export function chargerVariableKey(field: keyof ChargerVariables, catalogue: readonly VariableDefinition[] = VARIABLE_CATALOGUE): VariableKey {
  return definitionKey(definitionOf(field, catalogue));
}

export function readChargerVariables(values: ReadonlyMap<string, string>, catalogue: readonly VariableDefinition[] = VARIABLE_CATALOGUE): ChargerVariables {
  const raw = (field: keyof ChargerVariables): string | undefined => {
    const d = definitionOf(field, catalogue);
    const key = variableKeyString(definitionKey(d));
    const stored = values.get(key);
    const value = stored ?? d.defaultValue;
    if (value === undefined) return undefined;
    const checked = checkValue(d, value);
    if (!checked.ok) throw new InvalidStoredVariableError(key, `${stored === undefined ? 'default' : 'stored'} value: ${checked.detail}`);
    return checked.value;
  };
  const bool = (f: keyof ChargerVariables): boolean => required(f, raw(f)) === 'true';
  const int = (f: keyof ChargerVariables): number => Number(required(f, raw(f)));
  const optInt = (f: keyof ChargerVariables): number | undefined => {
    const v = raw(f);
    return v === undefined ? undefined : Number(v);
  };
  const list = (f: keyof ChargerVariables): readonly string[] => required(f, raw(f)).split(',');
  const required = (f: keyof ChargerVariables, v: string | undefined): string => {
    if (v === undefined) throw new InvalidStoredVariableError(variableKeyString(chargerVariableKey(f, catalogue)), 'no value and no default');
    return v;
  };
  const optional = <K extends keyof ChargerVariables, V>(k: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));

  const maxEntries = definitionOf('localAuthListMaxEntries', catalogue).maxLimit;
  if (maxEntries === undefined) throw new InvalidStoredVariableError('LocalAuthListCtrlr//Entries', 'no maxLimit (list capacity)');

  return {
    pncEnabled: bool('pncEnabled'),
    centralContractValidationAllowed: bool('centralContractValidationAllowed'),
    contractValidationOffline: bool('contractValidationOffline'),
    v2gCertificateInstallationEnabled: bool('v2gCertificateInstallationEnabled'),
    contractCertificateInstallationEnabled: bool('contractCertificateInstallationEnabled'),
    ...optional('seccId', raw('seccId')),
    ...optional('organizationName', raw('organizationName')),
    ...optional('countryName', raw('countryName')),
    authEnabled: bool('authEnabled'),
    localAuthorizeOffline: bool('localAuthorizeOffline'),
    offlineTxForUnknownIdEnabled: bool('offlineTxForUnknownIdEnabled'),
    authorizeRemoteStart: bool('authorizeRemoteStart'),
    localPreAuthorize: bool('localPreAuthorize'),
    localAuthListEnabled: bool('localAuthListEnabled'),
    localAuthListAvailable: bool('localAuthListAvailable'),
    localAuthListItemsPerMessage: int('localAuthListItemsPerMessage'),
    localAuthListBytesPerMessage: int('localAuthListBytesPerMessage'),
    localAuthListMaxEntries: maxEntries,
    heartbeatIntervalS: int('heartbeatIntervalS'),
    offlineThresholdS: int('offlineThresholdS'),
    messageTimeoutS: int('messageTimeoutS'),
    retryBackOffWaitMinimumS: int('retryBackOffWaitMinimumS'),
    retryBackOffRandomRangeS: int('retryBackOffRandomRangeS'),
    retryBackOffRepeatTimes: int('retryBackOffRepeatTimes'),
    messageAttemptsTransactionEvent: int('messageAttemptsTransactionEvent'),
    messageAttemptIntervalTransactionEventS: int('messageAttemptIntervalTransactionEventS'),
    stopTxOnInvalidId: bool('stopTxOnInvalidId'),
    ...optional('maxEnergyOnInvalidIdWh', optInt('maxEnergyOnInvalidIdWh')),
    txStartPoint: list('txStartPoint'),
    txStopPoint: list('txStopPoint'),
    evConnectionTimeOutS: int('evConnectionTimeOutS'),
    securityProfile: int('securityProfile'),
    ...optional('basicAuthPassword', raw('basicAuthPassword')),
    ...optional('identity', raw('identity')),
    ...optional('securityOrganizationName', raw('securityOrganizationName')),
    txUpdatedIntervalS: int('txUpdatedIntervalS'),
  };
}

function definitionOf(field: keyof ChargerVariables, catalogue: readonly VariableDefinition[]): VariableDefinition {
  const [component, variable, variableInstance] = CHARGER_VARIABLE_SOURCES[field] as Ref;
  const d = findDefinition(component, variable, variableInstance === undefined ? {} : { variable: variableInstance }, catalogue);
  if (!d) throw new InvalidStoredVariableError(`${component}.${variable}`, 'not in the variable catalogue');
  return d;
}
