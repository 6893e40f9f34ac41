// One SetVariableData item → its SetVariableResult and, when accepted, the normalised value to store. Only the Actual
// attribute exists here (no Target/MinSet/MaxSet). Items of one SetVariablesRequest are decided in order, each against
// the values as left by the previous ones (the caller stores between items).
import type { SetVariableDataType, SetVariableResultType, StatusInfoType } from '../../ocpp/generated/ocpp201.js';
import { variableKeyString, type VariableKey } from '../store/chargerStateStore.js';
import { definitionKey, VARIABLE_CATALOGUE, type VariableDefinition } from './variableCatalogue.js';
import { lookupVariable } from './variableLookup.js';
import { checkValue } from './variableValue.js';

export interface SetVariableDecision {
  readonly result: SetVariableResultType;
  /** Present when the value is to be written (Accepted or RebootRequired). `changed` is false when the stored value
   *  (or the default, when none is stored) already equals it: the write and any reconnect may be skipped. */
  readonly store?: { readonly key: VariableKey; readonly value: string; readonly changed: boolean };
  /** The new value is used from the next connection: the caller reconnects (e.g. BasicAuthPassword). */
  readonly reconnect?: boolean;
}

/** StatusInfoType.additionalInfo holds at most 512 characters. */
const MAX_ADDITIONAL_INFO = 512;

export function decideSetVariable(
  item: SetVariableDataType,
  values: ReadonlyMap<string, string>,
  catalogue: readonly VariableDefinition[] = VARIABLE_CATALOGUE,
): SetVariableDecision {
  const base = {
    component: item.component,
    variable: item.variable,
    ...(item.attributeType !== undefined ? { attributeType: item.attributeType } : {}),
  };
  const refuse = (attributeStatus: SetVariableResultType['attributeStatus'], info?: StatusInfoType): SetVariableDecision => ({
    result: { ...base, attributeStatus, ...(info ? { attributeStatusInfo: info } : {}) },
  });

  const found = lookupVariable(catalogue, item.component, item.variable);
  if (found.kind === 'unknownComponent') return refuse('UnknownComponent');
  if (found.kind === 'unknownVariable') return refuse('UnknownVariable');
  const d = found.definition;
  if ((item.attributeType ?? 'Actual') !== 'Actual') return refuse('NotSupportedAttributeType', info('UnsupportedParam', 'only the Actual attribute is supported'));
  if (d.mutability === 'ReadOnly') return refuse('Rejected', info('ReadOnly', `${d.component}.${d.variable} is read-only`));

  const checked = checkValue(d, item.attributeValue);
  if (!checked.ok) return refuse('Rejected', info(checked.reasonCode, `${d.component}.${d.variable}: ${checked.detail}`));

  const key = definitionKey(d);
  const changed = (values.get(variableKeyString(key)) ?? d.defaultValue) !== checked.value;
  return {
    result: { ...base, attributeStatus: d.rebootRequired && changed ? 'RebootRequired' : 'Accepted' },
    store: { key, value: checked.value, changed },
    ...(d.reconnectRequired && changed ? { reconnect: true } : {}),
  };
}

function info(reasonCode: string, additionalInfo: string): StatusInfoType {
  return { reasonCode, additionalInfo: additionalInfo.slice(0, MAX_ADDITIONAL_INFO) };
}
