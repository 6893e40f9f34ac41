// The device-model variables this charger supports (OCPP 2.0.1 Part 2 Appendices, controller components), as data:
// what GetVariables/SetVariables may touch, how each value is typed and bounded, and where it is stored.
// Values are strings, as on the wire; `defaultValue` applies while nothing is stored.
import type { DataEnumType, MutabilityEnumType } from '../../ocpp/generated/ocpp201.js';
import type { VariableKey } from '../store/chargerStateStore.js';

export interface VariableDefinition {
  readonly component: string;
  readonly componentInstance?: string;
  readonly variable: string;
  readonly variableInstance?: string;
  readonly dataType: DataEnumType;
  readonly mutability: MutabilityEnumType;
  /** The value while none is stored; absent: the variable has no value until one is set (GetVariables answers ""). */
  readonly defaultValue?: string;
  /** integer / decimal bounds, inclusive. For LocalAuthListCtrlr.Entries maxLimit is the list's capacity. */
  readonly minLimit?: number;
  readonly maxLimit?: number;
  /** OptionList / MemberList / SequenceList members. */
  readonly valuesList?: readonly string[];
  /** string length bounds in characters (code points). */
  readonly minLength?: number;
  readonly maxLength?: number;
  /** string shape, checked after the length. */
  readonly pattern?: RegExp;
  readonly unit?: string;
  /** A change takes effect only after a reboot: SetVariables answers RebootRequired. */
  readonly rebootRequired: boolean;
  /** A change takes effect at the next connection to the CSMS (the caller reconnects). */
  readonly reconnectRequired?: boolean;
  /** ReadOnly value the charger derives from its state (list size, certificate count); never stored. */
  readonly computed?: boolean;
}

/** The most a SetVariableData.attributeValue may hold (schema: at most 1000 characters). */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 1000;

/** X.509 upper bounds (RFC 5280 Appendix A: ub-common-name, ub-organization-name = 64) for CSR subject fields. */
const X509_NAME_MAX = 64;

const TX_START_POINTS = ['ParkingBayOccupancy', 'EVConnected', 'Authorized', 'DataSigned', 'PowerPathClosed', 'EnergyTransfer'] as const;
const TX_STOP_POINTS = ['ParkingBayOccupancy', 'EVConnected', 'Authorized', 'PowerPathClosed', 'EnergyTransfer'] as const;

const bool = (component: string, variable: string, defaultValue: boolean, mutability: MutabilityEnumType = 'ReadWrite'): VariableDefinition => ({
  component,
  variable,
  dataType: 'boolean',
  mutability,
  defaultValue: String(defaultValue),
  rebootRequired: false,
});

const seconds = (component: string, variable: string, defaultValue: number, minLimit: number, maxLimit: number, extra: Partial<VariableDefinition> = {}): VariableDefinition => ({
  component,
  variable,
  dataType: 'integer',
  mutability: 'ReadWrite',
  defaultValue: String(defaultValue),
  minLimit,
  maxLimit,
  unit: 's',
  rebootRequired: false,
  ...extra,
});

export const VARIABLE_CATALOGUE: readonly VariableDefinition[] = [
  // ISO15118Ctrlr (Appendices §3.1.9; notes §3.5).
  bool('ISO15118Ctrlr', 'PnCEnabled', true),
  bool('ISO15118Ctrlr', 'CentralContractValidationAllowed', false),
  bool('ISO15118Ctrlr', 'ContractValidationOffline', true),
  bool('ISO15118Ctrlr', 'V2GCertificateInstallationEnabled', true),
  bool('ISO15118Ctrlr', 'ContractCertificateInstallationEnabled', true),
  // CN, O and C of the SECC certificate signing request.
  { component: 'ISO15118Ctrlr', variable: 'SeccId', dataType: 'string', mutability: 'ReadWrite', minLength: 1, maxLength: X509_NAME_MAX, rebootRequired: false },
  { component: 'ISO15118Ctrlr', variable: 'OrganizationName', dataType: 'string', mutability: 'ReadWrite', minLength: 1, maxLength: X509_NAME_MAX, rebootRequired: false },
  // ISO 3166-1 alpha-2, as X.509 countryName (exactly two letters).
  { component: 'ISO15118Ctrlr', variable: 'CountryName', dataType: 'string', mutability: 'ReadWrite', minLength: 2, maxLength: 2, pattern: /^[A-Z]{2}$/, rebootRequired: false },

  // AuthCtrlr.
  bool('AuthCtrlr', 'Enabled', true),
  bool('AuthCtrlr', 'LocalAuthorizeOffline', true),
  bool('AuthCtrlr', 'OfflineTxForUnknownIdEnabled', false),
  bool('AuthCtrlr', 'AuthorizeRemoteStart', true),
  bool('AuthCtrlr', 'LocalPreAuthorize', false),

  // LocalAuthListCtrlr. Entries.maxLimit is how many idTokens the list can hold.
  bool('LocalAuthListCtrlr', 'Enabled', true),
  { component: 'LocalAuthListCtrlr', variable: 'Entries', dataType: 'integer', mutability: 'ReadOnly', minLimit: 0, maxLimit: 10_000, computed: true, rebootRequired: false },
  bool('LocalAuthListCtrlr', 'Available', true, 'ReadOnly'),
  { component: 'LocalAuthListCtrlr', variable: 'ItemsPerMessage', dataType: 'integer', mutability: 'ReadOnly', defaultValue: '100', minLimit: 1, maxLimit: 10_000, rebootRequired: false },
  { component: 'LocalAuthListCtrlr', variable: 'BytesPerMessage', dataType: 'integer', mutability: 'ReadOnly', defaultValue: '65536', minLimit: 1, maxLimit: 1_048_576, rebootRequired: false },

  // OCPPCommCtrlr.
  seconds('OCPPCommCtrlr', 'HeartbeatInterval', 300, 1, 86_400),
  seconds('OCPPCommCtrlr', 'OfflineThreshold', 60, 0, 86_400),
  // Set through the network connection profile, not SetVariables.
  seconds('OCPPCommCtrlr', 'MessageTimeout', 30, 1, 3_600, { variableInstance: 'Default', mutability: 'ReadOnly' }),
  seconds('OCPPCommCtrlr', 'RetryBackOffWaitMinimum', 3, 0, 3_600),
  seconds('OCPPCommCtrlr', 'RetryBackOffRandomRange', 10, 0, 3_600),
  { component: 'OCPPCommCtrlr', variable: 'RetryBackOffRepeatTimes', dataType: 'integer', mutability: 'ReadWrite', defaultValue: '5', minLimit: 0, maxLimit: 20, rebootRequired: false },
  { component: 'OCPPCommCtrlr', variable: 'MessageAttempts', variableInstance: 'TransactionEvent', dataType: 'integer', mutability: 'ReadWrite', defaultValue: '3', minLimit: 1, maxLimit: 100, rebootRequired: false },
  seconds('OCPPCommCtrlr', 'MessageAttemptInterval', 60, 0, 86_400, { variableInstance: 'TransactionEvent' }),

  // TxCtrlr.
  bool('TxCtrlr', 'StopTxOnInvalidId', true),
  // No default: without a value there is no energy cap after a deauthorization.
  { component: 'TxCtrlr', variable: 'MaxEnergyOnInvalidId', dataType: 'integer', mutability: 'ReadWrite', minLimit: 0, maxLimit: 10_000_000, unit: 'Wh', rebootRequired: false },
  { component: 'TxCtrlr', variable: 'TxStartPoint', dataType: 'MemberList', mutability: 'ReadWrite', defaultValue: 'EVConnected,Authorized', valuesList: TX_START_POINTS, rebootRequired: false },
  { component: 'TxCtrlr', variable: 'TxStopPoint', dataType: 'MemberList', mutability: 'ReadWrite', defaultValue: 'EVConnected,Authorized', valuesList: TX_STOP_POINTS, rebootRequired: false },
  seconds('TxCtrlr', 'EVConnectionTimeOut', 120, 1, 86_400),

  // SecurityCtrlr. The profile follows from how the charger was started (2: TLS + basic auth, 3: mutual TLS).
  { component: 'SecurityCtrlr', variable: 'SecurityProfile', dataType: 'integer', mutability: 'ReadOnly', defaultValue: '2', minLimit: 1, maxLimit: 3, rebootRequired: false },
  // 16–40 characters (the password rules of OCPP 2.0.1 Part 2 A01); used at the next connection.
  { component: 'SecurityCtrlr', variable: 'BasicAuthPassword', dataType: 'string', mutability: 'WriteOnly', minLength: 16, maxLength: 40, rebootRequired: false, reconnectRequired: true },
  // The identity in the connection URL (identifierString, at most 48 characters).
  { component: 'SecurityCtrlr', variable: 'Identity', dataType: 'string', mutability: 'ReadOnly', minLength: 1, maxLength: 48, rebootRequired: false },
  { component: 'SecurityCtrlr', variable: 'OrganizationName', dataType: 'string', mutability: 'ReadWrite', minLength: 1, maxLength: X509_NAME_MAX, rebootRequired: false },
  { component: 'SecurityCtrlr', variable: 'CertificateEntries', dataType: 'integer', mutability: 'ReadOnly', minLimit: 0, computed: true, rebootRequired: false },

  // SampledDataCtrlr. 0: no periodic meter values in TransactionEvent Updated.
  seconds('SampledDataCtrlr', 'TxUpdatedInterval', 60, 0, 86_400),
];

/** Where a definition's value lives in the charger's store (the one instance field carries whichever instance it has). */
export function definitionKey(d: VariableDefinition): VariableKey {
  const instance = d.componentInstance ?? d.variableInstance;
  return instance === undefined ? { component: d.component, variable: d.variable } : { component: d.component, variable: d.variable, instance };
}

/** The catalogue entry for a component/variable (names and instances compared case-insensitively, as OCPP says). */
export function findDefinition(
  component: string,
  variable: string,
  instances: { readonly component?: string; readonly variable?: string } = {},
  catalogue: readonly VariableDefinition[] = VARIABLE_CATALOGUE,
): VariableDefinition | undefined {
  return catalogue.find(
    (d) =>
      sameName(d.component, component) &&
      sameInstance(d.componentInstance, instances.component) &&
      sameName(d.variable, variable) &&
      sameInstance(d.variableInstance, instances.variable),
  );
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function sameInstance(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameName(a, b);
}
