// The charger's device model: catalogue sanity, SetVariables and GetVariables decisions, and the typed view.
import { describe, expect, it } from 'vitest';
import { CHARGER_VARIABLE_SOURCES, chargerVariableKey, InvalidStoredVariableError, readChargerVariables } from '../../src/charger/deviceModel/chargerVariables.js';
import { decideGetVariable } from '../../src/charger/deviceModel/getVariablesDecision.js';
import { decideSetVariable } from '../../src/charger/deviceModel/setVariablesDecision.js';
import { definitionKey, findDefinition, VARIABLE_CATALOGUE, type VariableDefinition } from '../../src/charger/deviceModel/variableCatalogue.js';
import { checkValue } from '../../src/charger/deviceModel/variableValue.js';
import { variableKeyString } from '../../src/charger/store/chargerStateStore.js';
import type { AttributeEnumType, ComponentType, GetVariableStatusEnumType, MutabilityEnumType, SetVariableStatusEnumType, VariableType } from '../../src/ocpp/generated/ocpp201.js';

interface Address {
  readonly component: ComponentType;
  readonly variable: VariableType;
  readonly attributeType?: AttributeEnumType;
}

const at = (component: string, variable: string, o: { ci?: string; vi?: string; evse?: number; attributeType?: AttributeEnumType } = {}): Address => ({
  component: { name: component, ...(o.ci !== undefined ? { instance: o.ci } : {}), ...(o.evse !== undefined ? { evse: { id: o.evse } } : {}) },
  variable: { name: variable, ...(o.vi !== undefined ? { instance: o.vi } : {}) },
  ...(o.attributeType !== undefined ? { attributeType: o.attributeType } : {}),
});

const NONE = new Map<string, string>();
const key = (component: string, variable: string, instance?: string): string => variableKeyString({ component, variable, ...(instance !== undefined ? { instance } : {}) });

describe('variable catalogue', () => {
  it('has no two entries for the same component/variable (case-insensitively)', () => {
    const seen = new Set(VARIABLE_CATALOGUE.map((d) => variableKeyString(definitionKey(d)).toLowerCase()));
    expect(seen.size).toBe(VARIABLE_CATALOGUE.length);
  });

  it.each(VARIABLE_CATALOGUE.filter((d) => d.defaultValue !== undefined).map((d) => [`${d.component}.${d.variable}`, d] as const))('default of %s passes its own definition', (_name, d) => {
    const r = checkValue(d, d.defaultValue!);
    expect(r).toEqual({ ok: true, value: d.defaultValue });
  });

  it('computed values are read-only and never defaulted', () => {
    for (const d of VARIABLE_CATALOGUE.filter((x) => x.computed)) {
      expect(d.mutability).toBe('ReadOnly');
      expect(d.defaultValue).toBeUndefined();
    }
  });

  const required: [string, string, string | undefined, string, MutabilityEnumType][] = [
    ['ISO15118Ctrlr', 'PnCEnabled', undefined, 'boolean', 'ReadWrite'],
    ['ISO15118Ctrlr', 'CentralContractValidationAllowed', undefined, 'boolean', 'ReadWrite'],
    ['ISO15118Ctrlr', 'ContractValidationOffline', undefined, 'boolean', 'ReadWrite'],
    ['ISO15118Ctrlr', 'V2GCertificateInstallationEnabled', undefined, 'boolean', 'ReadWrite'],
    ['ISO15118Ctrlr', 'ContractCertificateInstallationEnabled', undefined, 'boolean', 'ReadWrite'],
    ['ISO15118Ctrlr', 'SeccId', undefined, 'string', 'ReadWrite'],
    ['ISO15118Ctrlr', 'OrganizationName', undefined, 'string', 'ReadWrite'],
    ['ISO15118Ctrlr', 'CountryName', undefined, 'string', 'ReadWrite'],
    ['AuthCtrlr', 'Enabled', undefined, 'boolean', 'ReadWrite'],
    ['AuthCtrlr', 'LocalAuthorizeOffline', undefined, 'boolean', 'ReadWrite'],
    ['AuthCtrlr', 'OfflineTxForUnknownIdEnabled', undefined, 'boolean', 'ReadWrite'],
    ['AuthCtrlr', 'AuthorizeRemoteStart', undefined, 'boolean', 'ReadWrite'],
    ['AuthCtrlr', 'LocalPreAuthorize', undefined, 'boolean', 'ReadWrite'],
    ['LocalAuthListCtrlr', 'Enabled', undefined, 'boolean', 'ReadWrite'],
    ['LocalAuthListCtrlr', 'Entries', undefined, 'integer', 'ReadOnly'],
    ['LocalAuthListCtrlr', 'Available', undefined, 'boolean', 'ReadOnly'],
    ['LocalAuthListCtrlr', 'ItemsPerMessage', undefined, 'integer', 'ReadOnly'],
    ['LocalAuthListCtrlr', 'BytesPerMessage', undefined, 'integer', 'ReadOnly'],
    ['OCPPCommCtrlr', 'HeartbeatInterval', undefined, 'integer', 'ReadWrite'],
    ['OCPPCommCtrlr', 'OfflineThreshold', undefined, 'integer', 'ReadWrite'],
    ['OCPPCommCtrlr', 'MessageTimeout', 'Default', 'integer', 'ReadOnly'],
    ['OCPPCommCtrlr', 'RetryBackOffWaitMinimum', undefined, 'integer', 'ReadWrite'],
    ['OCPPCommCtrlr', 'RetryBackOffRandomRange', undefined, 'integer', 'ReadWrite'],
    ['OCPPCommCtrlr', 'RetryBackOffRepeatTimes', undefined, 'integer', 'ReadWrite'],
    ['OCPPCommCtrlr', 'MessageAttempts', 'TransactionEvent', 'integer', 'ReadWrite'],
    ['OCPPCommCtrlr', 'MessageAttemptInterval', 'TransactionEvent', 'integer', 'ReadWrite'],
    ['TxCtrlr', 'StopTxOnInvalidId', undefined, 'boolean', 'ReadWrite'],
    ['TxCtrlr', 'MaxEnergyOnInvalidId', undefined, 'integer', 'ReadWrite'],
    ['TxCtrlr', 'TxStartPoint', undefined, 'MemberList', 'ReadWrite'],
    ['TxCtrlr', 'TxStopPoint', undefined, 'MemberList', 'ReadWrite'],
    ['TxCtrlr', 'EVConnectionTimeOut', undefined, 'integer', 'ReadWrite'],
    ['SecurityCtrlr', 'SecurityProfile', undefined, 'integer', 'ReadOnly'],
    ['SecurityCtrlr', 'BasicAuthPassword', undefined, 'string', 'WriteOnly'],
    ['SecurityCtrlr', 'Identity', undefined, 'string', 'ReadOnly'],
    ['SecurityCtrlr', 'OrganizationName', undefined, 'string', 'ReadWrite'],
    ['SecurityCtrlr', 'CertificateEntries', undefined, 'integer', 'ReadOnly'],
    ['SampledDataCtrlr', 'TxUpdatedInterval', undefined, 'integer', 'ReadWrite'],
  ];
  it.each(required)('supports %s.%s[%s] as %s, %s', (component, variable, vi, dataType, mutability) => {
    const d = findDefinition(component, variable, vi === undefined ? {} : { variable: vi });
    expect(d).toMatchObject({ dataType, mutability });
  });
});

describe('SetVariables decision', () => {
  type Row = [label: string, address: Address, value: string, status: SetVariableStatusEnumType, reasonCode: string | undefined, stored: string | undefined];
  const rows: Row[] = [
    ['boolean true', at('ISO15118Ctrlr', 'PnCEnabled'), 'true', 'Accepted', undefined, 'true'],
    ['boolean upper case is normalised', at('ISO15118Ctrlr', 'PnCEnabled'), 'TRUE', 'Accepted', undefined, 'true'],
    ['boolean False', at('ISO15118Ctrlr', 'CentralContractValidationAllowed'), 'False', 'Accepted', undefined, 'false'],
    ['"yes" is not a boolean', at('ISO15118Ctrlr', 'PnCEnabled'), 'yes', 'Rejected', 'InvalidValue', undefined],
    ['"1" is not a boolean', at('ISO15118Ctrlr', 'PnCEnabled'), '1', 'Rejected', 'InvalidValue', undefined],
    ['empty is not a boolean', at('AuthCtrlr', 'LocalAuthorizeOffline'), '', 'Rejected', 'InvalidValue', undefined],
    ['names are case-insensitive', at('iso15118ctrlr', 'PNCENABLED'), 'false', 'Accepted', undefined, 'false'],
    ['integer', at('OCPPCommCtrlr', 'HeartbeatInterval'), '600', 'Accepted', undefined, '600'],
    ['integer leading zeros normalised', at('OCPPCommCtrlr', 'HeartbeatInterval'), '0600', 'Accepted', undefined, '600'],
    ['"1.5" is not an integer', at('OCPPCommCtrlr', 'HeartbeatInterval'), '1.5', 'Rejected', 'InvalidValue', undefined],
    ['"1e3" is not an integer', at('OCPPCommCtrlr', 'HeartbeatInterval'), '1e3', 'Rejected', 'InvalidValue', undefined],
    ['padded integer refused', at('OCPPCommCtrlr', 'HeartbeatInterval'), ' 60', 'Rejected', 'InvalidValue', undefined],
    ['hex integer refused', at('OCPPCommCtrlr', 'HeartbeatInterval'), '0x10', 'Rejected', 'InvalidValue', undefined],
    ['20-digit integer refused', at('OCPPCommCtrlr', 'HeartbeatInterval'), '99999999999999999999', 'Rejected', 'InvalidValue', undefined],
    ['integer below minLimit', at('OCPPCommCtrlr', 'HeartbeatInterval'), '0', 'Rejected', 'ValueOutOfRange', undefined],
    ['negative integer', at('OCPPCommCtrlr', 'HeartbeatInterval'), '-5', 'Rejected', 'ValueOutOfRange', undefined],
    ['integer above maxLimit', at('OCPPCommCtrlr', 'HeartbeatInterval'), '86401', 'Rejected', 'ValueOutOfRange', undefined],
    ['integer at maxLimit', at('OCPPCommCtrlr', 'HeartbeatInterval'), '86400', 'Accepted', undefined, '86400'],
    ['0 allowed where minLimit is 0', at('SampledDataCtrlr', 'TxUpdatedInterval'), '0', 'Accepted', undefined, '0'],
    ['MaxEnergyOnInvalidId set', at('TxCtrlr', 'MaxEnergyOnInvalidId'), '5000', 'Accepted', undefined, '5000'],
    ['CountryName DE', at('ISO15118Ctrlr', 'CountryName'), 'DE', 'Accepted', undefined, 'DE'],
    ['3-letter CountryName', at('ISO15118Ctrlr', 'CountryName'), 'DEU', 'Rejected', 'ValueOutOfRange', undefined],
    ['1-letter CountryName', at('ISO15118Ctrlr', 'CountryName'), 'D', 'Rejected', 'ValueOutOfRange', undefined],
    ['lower-case CountryName', at('ISO15118Ctrlr', 'CountryName'), 'de', 'Rejected', 'InvalidValue', undefined],
    ['CountryName with a digit', at('ISO15118Ctrlr', 'CountryName'), 'D1', 'Rejected', 'InvalidValue', undefined],
    ['SeccId at 64 characters', at('ISO15118Ctrlr', 'SeccId'), 'S'.repeat(64), 'Accepted', undefined, 'S'.repeat(64)],
    ['SeccId over 64 characters', at('ISO15118Ctrlr', 'SeccId'), 'S'.repeat(65), 'Rejected', 'ValueOutOfRange', undefined],
    ['SeccId counted in characters, not UTF-16 units', at('ISO15118Ctrlr', 'SeccId'), '⚡'.repeat(64), 'Accepted', undefined, '⚡'.repeat(64)],
    ['empty SeccId', at('ISO15118Ctrlr', 'SeccId'), '', 'Rejected', 'ValueOutOfRange', undefined],
    ['SeccId with a newline', at('ISO15118Ctrlr', 'SeccId'), 'SECC\n1', 'Rejected', 'InvalidValue', undefined],
    ['OrganizationName with NUL', at('SecurityCtrlr', 'OrganizationName'), 'CPO\u0000', 'Rejected', 'InvalidValue', undefined],
    ['value over the 1000-character attribute limit', at('ISO15118Ctrlr', 'OrganizationName'), 'O'.repeat(1001), 'Rejected', 'ValueOutOfRange', undefined],
    ['password too short', at('SecurityCtrlr', 'BasicAuthPassword'), 'p'.repeat(15), 'Rejected', 'ValueOutOfRange', undefined],
    ['password too long', at('SecurityCtrlr', 'BasicAuthPassword'), 'p'.repeat(41), 'Rejected', 'ValueOutOfRange', undefined],
    ['password ok', at('SecurityCtrlr', 'BasicAuthPassword'), 'p'.repeat(16), 'Accepted', undefined, 'p'.repeat(16)],
    ['MemberList', at('TxCtrlr', 'TxStartPoint'), 'Authorized,EVConnected', 'Accepted', undefined, 'Authorized,EVConnected'],
    ['MemberList spaces trimmed', at('TxCtrlr', 'TxStartPoint'), 'Authorized, PowerPathClosed', 'Accepted', undefined, 'Authorized,PowerPathClosed'],
    ['MemberList repeated member', at('TxCtrlr', 'TxStartPoint'), 'EVConnected,EVConnected', 'Rejected', 'InvalidValue', undefined],
    ['MemberList unknown member', at('TxCtrlr', 'TxStartPoint'), 'EVConnected,Plugged', 'Rejected', 'InvalidValue', undefined],
    ['MemberList member in wrong case', at('TxCtrlr', 'TxStartPoint'), 'evconnected', 'Rejected', 'InvalidValue', undefined],
    ['MemberList empty', at('TxCtrlr', 'TxStopPoint'), '', 'Rejected', 'InvalidValue', undefined],
    ['MemberList empty member', at('TxCtrlr', 'TxStopPoint'), 'EVConnected,', 'Rejected', 'InvalidValue', undefined],
    ['DataSigned is no stop point', at('TxCtrlr', 'TxStopPoint'), 'DataSigned', 'Rejected', 'InvalidValue', undefined],
    ['variable instance', at('OCPPCommCtrlr', 'MessageAttempts', { vi: 'TransactionEvent' }), '5', 'Accepted', undefined, '5'],
    ['variable instance case-insensitive', at('OCPPCommCtrlr', 'MessageAttemptInterval', { vi: 'transactionevent' }), '30', 'Accepted', undefined, '30'],
    ['read-only', at('SecurityCtrlr', 'SecurityProfile'), '3', 'Rejected', 'ReadOnly', undefined],
    ['read-only computed', at('LocalAuthListCtrlr', 'Entries'), '5', 'Rejected', 'ReadOnly', undefined],
    ['read-only with instance', at('OCPPCommCtrlr', 'MessageTimeout', { vi: 'Default' }), '10', 'Rejected', 'ReadOnly', undefined],
    ['read-only even with a bad value', at('SecurityCtrlr', 'Identity'), '', 'Rejected', 'ReadOnly', undefined],
    ['explicit Actual', at('AuthCtrlr', 'Enabled', { attributeType: 'Actual' }), 'false', 'Accepted', undefined, 'false'],
    ['Target', at('AuthCtrlr', 'Enabled', { attributeType: 'Target' }), 'false', 'NotSupportedAttributeType', 'UnsupportedParam', undefined],
    ['MinSet', at('OCPPCommCtrlr', 'HeartbeatInterval', { attributeType: 'MinSet' }), '10', 'NotSupportedAttributeType', 'UnsupportedParam', undefined],
    ['MaxSet', at('OCPPCommCtrlr', 'HeartbeatInterval', { attributeType: 'MaxSet' }), '10', 'NotSupportedAttributeType', 'UnsupportedParam', undefined],
    ['unknown component', at('FooCtrlr', 'Enabled'), 'true', 'UnknownComponent', undefined, undefined],
    ['component instance that does not exist', at('AuthCtrlr', 'Enabled', { ci: 'Second' }), 'true', 'UnknownComponent', undefined, undefined],
    ['component on an EVSE', at('TxCtrlr', 'StopTxOnInvalidId', { evse: 1 }), 'true', 'UnknownComponent', undefined, undefined],
    ['unknown variable', at('ISO15118Ctrlr', 'Foo'), 'true', 'UnknownVariable', undefined, undefined],
    ['missing variable instance', at('OCPPCommCtrlr', 'MessageAttempts'), '5', 'UnknownVariable', undefined, undefined],
    ['wrong variable instance', at('OCPPCommCtrlr', 'MessageAttempts', { vi: 'Default' }), '5', 'UnknownVariable', undefined, undefined],
    ['instance where none exists', at('OCPPCommCtrlr', 'HeartbeatInterval', { vi: 'Default' }), '5', 'UnknownVariable', undefined, undefined],
    ['unknown variable before attribute type', at('ISO15118Ctrlr', 'Foo', { attributeType: 'Target' }), 'x', 'UnknownVariable', undefined, undefined],
  ];

  it.each(rows)('%s', (_label, address, value, status, reasonCode, stored) => {
    const d = decideSetVariable({ ...address, attributeValue: value }, NONE);
    expect(d.result.attributeStatus).toBe(status);
    expect(d.result.component).toEqual(address.component);
    expect(d.result.variable).toEqual(address.variable);
    expect(d.result.attributeType).toBe(address.attributeType);
    expect(d.result.attributeStatusInfo?.reasonCode).toBe(reasonCode);
    expect(d.store?.value).toBe(stored);
    if (d.result.attributeStatusInfo?.additionalInfo !== undefined) expect(d.result.attributeStatusInfo.additionalInfo.length).toBeLessThanOrEqual(512);
  });

  it('stores under the catalogue spelling, whatever case the CSMS used', () => {
    expect(decideSetVariable({ ...at('iso15118ctrlr', 'pncenabled'), attributeValue: 'false' }, NONE).store?.key).toEqual({ component: 'ISO15118Ctrlr', variable: 'PnCEnabled' });
    expect(decideSetVariable({ ...at('ocppcommctrlr', 'messageattempts', { vi: 'TRANSACTIONEVENT' }), attributeValue: '4' }, NONE).store?.key).toEqual({
      component: 'OCPPCommCtrlr',
      variable: 'MessageAttempts',
      instance: 'TransactionEvent',
    });
  });

  it('never echoes a refused value (it may be a password)', () => {
    const secret = 'short-secret';
    const d = decideSetVariable({ ...at('SecurityCtrlr', 'BasicAuthPassword'), attributeValue: secret }, NONE);
    expect(d.result.attributeStatus).toBe('Rejected');
    expect(JSON.stringify(d)).not.toContain(secret);
  });

  it('a new password asks for a reconnect; the same one does not', () => {
    const pw = 'correct-horse-battery';
    const first = decideSetVariable({ ...at('SecurityCtrlr', 'BasicAuthPassword'), attributeValue: pw }, NONE);
    expect(first).toMatchObject({ store: { changed: true }, reconnect: true });
    const values = new Map([[variableKeyString(first.store!.key), first.store!.value]]);
    const again = decideSetVariable({ ...at('SecurityCtrlr', 'BasicAuthPassword'), attributeValue: pw }, values);
    expect(again.store?.changed).toBe(false);
    expect(again.reconnect).toBeUndefined();
  });

  it('reports whether the value changes against the stored value or the default', () => {
    expect(decideSetVariable({ ...at('ISO15118Ctrlr', 'PnCEnabled'), attributeValue: 'true' }, NONE).store?.changed).toBe(false);
    expect(decideSetVariable({ ...at('ISO15118Ctrlr', 'PnCEnabled'), attributeValue: 'true' }, new Map([[key('ISO15118Ctrlr', 'PnCEnabled'), 'false']])).store?.changed).toBe(true);
    expect(decideSetVariable({ ...at('TxCtrlr', 'MaxEnergyOnInvalidId'), attributeValue: '0' }, NONE).store?.changed).toBe(true);
  });

  it('answers RebootRequired for a variable that needs one, only when the value changes', () => {
    const catalogue: VariableDefinition[] = [...VARIABLE_CATALOGUE, { component: 'OCPPCommCtrlr', variable: 'NetworkConfigurationPriority', dataType: 'SequenceList', mutability: 'ReadWrite', defaultValue: '1', valuesList: ['1', '2', '3'], rebootRequired: true }];
    const changed = decideSetVariable({ ...at('OCPPCommCtrlr', 'NetworkConfigurationPriority'), attributeValue: '2,1' }, NONE, catalogue);
    expect(changed.result.attributeStatus).toBe('RebootRequired');
    expect(changed.store?.value).toBe('2,1');
    expect(decideSetVariable({ ...at('OCPPCommCtrlr', 'NetworkConfigurationPriority'), attributeValue: '1' }, NONE, catalogue).result.attributeStatus).toBe('Accepted');
    expect(decideSetVariable({ ...at('OCPPCommCtrlr', 'NetworkConfigurationPriority'), attributeValue: '1,1' }, NONE, catalogue).result.attributeStatus).toBe('Rejected');
  });
});

describe('value checks for the other data types', () => {
  const decimal: VariableDefinition = { component: 'X', variable: 'D', dataType: 'decimal', mutability: 'ReadWrite', minLimit: -10, maxLimit: 10, rebootRequired: false };
  const option: VariableDefinition = { component: 'X', variable: 'O', dataType: 'OptionList', mutability: 'ReadWrite', valuesList: ['AC', 'DC'], rebootRequired: false };
  const when: VariableDefinition = { component: 'X', variable: 'T', dataType: 'dateTime', mutability: 'ReadWrite', rebootRequired: false };
  const rows: [VariableDefinition, string, string | undefined][] = [
    [decimal, '1.50', '1.5'],
    [decimal, '-2', '-2'],
    [decimal, '10.0', '10'],
    [decimal, '10.01', undefined],
    [decimal, '1.', undefined],
    [decimal, '.5', undefined],
    [decimal, 'NaN', undefined],
    [decimal, 'Infinity', undefined],
    [option, 'DC', 'DC'],
    [option, 'AC,DC', undefined],
    [option, 'dc', undefined],
    [when, '2025-03-01T10:00:00+01:00', '2025-03-01T09:00:00.000Z'],
    [when, '2025-03-01T10:00:00', undefined],
    [when, '2025-13-01T10:00:00Z', undefined],
    [when, 'yesterday', undefined],
  ];
  it.each(rows)('%#: %j ← "%s" → %s', (d, raw, expected) => {
    const r = checkValue(d, raw);
    expect(r.ok ? r.value : undefined).toBe(expected);
  });
});

describe('GetVariables decision', () => {
  const stored = new Map([
    [key('ISO15118Ctrlr', 'PnCEnabled'), 'false'],
    [key('SecurityCtrlr', 'BasicAuthPassword'), 'p'.repeat(20)],
    [key('ISO15118Ctrlr', 'SeccId'), 'SECC-1'],
  ]);
  const computed = new Map([[key('LocalAuthListCtrlr', 'Entries'), '42']]);
  type Row = [label: string, address: Address, status: GetVariableStatusEnumType, value: string | undefined, reasonCode: string | undefined];
  const rows: Row[] = [
    ['stored value', at('ISO15118Ctrlr', 'PnCEnabled'), 'Accepted', 'false', undefined],
    ['default when nothing is stored', at('ISO15118Ctrlr', 'ContractValidationOffline'), 'Accepted', 'true', undefined],
    ['stored string', at('ISO15118Ctrlr', 'SeccId'), 'Accepted', 'SECC-1', undefined],
    ['unset value without default is empty', at('ISO15118Ctrlr', 'CountryName'), 'Accepted', '', undefined],
    ['read-only default', at('SecurityCtrlr', 'SecurityProfile'), 'Accepted', '2', undefined],
    ['variable instance, case-insensitive', at('OCPPCommCtrlr', 'MessageTimeout', { vi: 'default' }), 'Accepted', '30', undefined],
    ['computed value', at('LocalAuthListCtrlr', 'Entries'), 'Accepted', '42', undefined],
    ['computed value not supplied', at('SecurityCtrlr', 'CertificateEntries'), 'Rejected', undefined, 'InternalError'],
    ['write-only', at('SecurityCtrlr', 'BasicAuthPassword'), 'Rejected', undefined, 'WriteOnly'],
    ['Target', at('ISO15118Ctrlr', 'PnCEnabled', { attributeType: 'Target' }), 'NotSupportedAttributeType', undefined, 'UnsupportedParam'],
    ['MaxSet', at('OCPPCommCtrlr', 'HeartbeatInterval', { attributeType: 'MaxSet' }), 'NotSupportedAttributeType', undefined, 'UnsupportedParam'],
    ['explicit Actual', at('ISO15118Ctrlr', 'PnCEnabled', { attributeType: 'Actual' }), 'Accepted', 'false', undefined],
    ['unknown component', at('SmartChargingCtrlr', 'Enabled'), 'UnknownComponent', undefined, undefined],
    ['component on an EVSE', at('AuthCtrlr', 'Enabled', { evse: 2 }), 'UnknownComponent', undefined, undefined],
    ['unknown variable', at('AuthCtrlr', 'MasterPassGroupId'), 'UnknownVariable', undefined, undefined],
    ['missing instance', at('OCPPCommCtrlr', 'MessageTimeout'), 'UnknownVariable', undefined, undefined],
  ];
  it.each(rows)('%s', (_label, address, status, value, reasonCode) => {
    const r = decideGetVariable(address, stored, computed);
    expect(r.attributeStatus).toBe(status);
    expect(r.attributeValue).toBe(value);
    expect(r.attributeStatusInfo?.reasonCode).toBe(reasonCode);
    expect(r.component).toEqual(address.component);
    expect(r.variable).toEqual(address.variable);
    expect(r.attributeType).toBe(address.attributeType);
  });

  it('the write-only password never appears in the answer', () => {
    expect(JSON.stringify(decideGetVariable(at('SecurityCtrlr', 'BasicAuthPassword'), stored, computed))).not.toContain('pppp');
  });

  it('reads back what SetVariables stored, in normal form', () => {
    const values = new Map<string, string>();
    for (const [a, v] of [
      [at('iso15118ctrlr', 'pncenabled'), 'FALSE'],
      [at('OCPPCommCtrlr', 'HeartbeatInterval'), '0120'],
      [at('TxCtrlr', 'TxStopPoint'), 'EVConnected , Authorized'],
    ] as const) {
      const d = decideSetVariable({ ...a, attributeValue: v }, values);
      values.set(variableKeyString(d.store!.key), d.store!.value);
    }
    expect(decideGetVariable(at('ISO15118Ctrlr', 'PnCEnabled'), values, NONE).attributeValue).toBe('false');
    expect(decideGetVariable(at('OCPPCommCtrlr', 'HeartbeatInterval'), values, NONE).attributeValue).toBe('120');
    expect(decideGetVariable(at('TxCtrlr', 'TxStopPoint'), values, NONE).attributeValue).toBe('EVConnected,Authorized');
  });
});

describe('typed charger variables', () => {
  it('uses the catalogue defaults when nothing is stored', () => {
    expect(readChargerVariables(NONE)).toEqual({
      pncEnabled: true,
      centralContractValidationAllowed: false,
      contractValidationOffline: true,
      v2gCertificateInstallationEnabled: true,
      contractCertificateInstallationEnabled: true,
      authEnabled: true,
      localAuthorizeOffline: true,
      offlineTxForUnknownIdEnabled: false,
      authorizeRemoteStart: true,
      localPreAuthorize: false,
      localAuthListEnabled: true,
      localAuthListAvailable: true,
      localAuthListItemsPerMessage: 100,
      localAuthListBytesPerMessage: 65536,
      localAuthListMaxEntries: 10000,
      heartbeatIntervalS: 300,
      offlineThresholdS: 60,
      messageTimeoutS: 30,
      retryBackOffWaitMinimumS: 3,
      retryBackOffRandomRangeS: 10,
      retryBackOffRepeatTimes: 5,
      messageAttemptsTransactionEvent: 3,
      messageAttemptIntervalTransactionEventS: 60,
      stopTxOnInvalidId: true,
      txStartPoint: ['EVConnected', 'Authorized'],
      txStopPoint: ['EVConnected', 'Authorized'],
      evConnectionTimeOutS: 120,
      securityProfile: 2,
      txUpdatedIntervalS: 60,
    });
  });

  it('reads stored values over the defaults', () => {
    const values = new Map([
      [key('ISO15118Ctrlr', 'PnCEnabled'), 'false'],
      [key('ISO15118Ctrlr', 'SeccId'), 'SECC-7'],
      [key('ISO15118Ctrlr', 'OrganizationName'), 'Example CPO'],
      [key('ISO15118Ctrlr', 'CountryName'), 'NL'],
      [key('OCPPCommCtrlr', 'HeartbeatInterval'), '45'],
      [key('OCPPCommCtrlr', 'MessageAttempts', 'TransactionEvent'), '7'],
      [key('OCPPCommCtrlr', 'MessageAttemptInterval', 'TransactionEvent'), '15'],
      [key('TxCtrlr', 'StopTxOnInvalidId'), 'false'],
      [key('TxCtrlr', 'MaxEnergyOnInvalidId'), '5000'],
      [key('TxCtrlr', 'TxStartPoint'), 'PowerPathClosed'],
      [key('SecurityCtrlr', 'SecurityProfile'), '3'],
      [key('SecurityCtrlr', 'Identity'), 'CS-001'],
      [key('SecurityCtrlr', 'BasicAuthPassword'), 'q'.repeat(24)],
      [key('SecurityCtrlr', 'OrganizationName'), 'Example CPO B.V.'],
      [key('AuthCtrlr', 'OfflineTxForUnknownIdEnabled'), 'true'],
    ]);
    expect(readChargerVariables(values)).toMatchObject({
      pncEnabled: false,
      seccId: 'SECC-7',
      organizationName: 'Example CPO',
      countryName: 'NL',
      heartbeatIntervalS: 45,
      messageAttemptsTransactionEvent: 7,
      messageAttemptIntervalTransactionEventS: 15,
      stopTxOnInvalidId: false,
      maxEnergyOnInvalidIdWh: 5000,
      txStartPoint: ['PowerPathClosed'],
      securityProfile: 3,
      identity: 'CS-001',
      basicAuthPassword: 'q'.repeat(24),
      securityOrganizationName: 'Example CPO B.V.',
      offlineTxForUnknownIdEnabled: true,
    });
  });

  it.each([
    [key('ISO15118Ctrlr', 'PnCEnabled'), 'yes'],
    [key('OCPPCommCtrlr', 'HeartbeatInterval'), '1.5'],
    [key('ISO15118Ctrlr', 'CountryName'), 'NLD'],
    [key('TxCtrlr', 'TxStartPoint'), 'Whenever'],
  ])('a stored %s of "%s" is an error, not a silent default', (k, v) => {
    expect(() => readChargerVariables(new Map([[k, v]]))).toThrow(InvalidStoredVariableError);
  });

  it('a catalogue without a field the charger reads is an error', () => {
    const catalogue = VARIABLE_CATALOGUE.filter((d) => d.variable !== 'HeartbeatInterval');
    expect(() => readChargerVariables(NONE, catalogue)).toThrow(InvalidStoredVariableError);
  });

  it('every typed field maps to a catalogue entry, and keys are what SetVariables stores', () => {
    for (const field of Object.keys(CHARGER_VARIABLE_SOURCES) as (keyof typeof CHARGER_VARIABLE_SOURCES)[]) expect(() => chargerVariableKey(field)).not.toThrow();
    expect(chargerVariableKey('heartbeatIntervalS')).toEqual({ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' });
    expect(chargerVariableKey('messageAttemptsTransactionEvent')).toEqual({ component: 'OCPPCommCtrlr', variable: 'MessageAttempts', instance: 'TransactionEvent' });
    const set = decideSetVariable({ ...at('OCPPCommCtrlr', 'HeartbeatInterval'), attributeValue: '90' }, NONE);
    expect(set.store?.key).toEqual(chargerVariableKey('heartbeatIntervalS'));
  });
});
