// One GetVariableData item → its GetVariableResult. Stored values come from the store's values map, derived read-only
// values (list size, certificate count) from `computed`; both keyed by variableKeyString(definitionKey(d)).
import type { GetVariableDataType, GetVariableResultType, StatusInfoType } from '../../ocpp/generated/ocpp201.js';
import { variableKeyString } from '../store/chargerStateStore.js';
import { definitionKey, VARIABLE_CATALOGUE, type VariableDefinition } from './variableCatalogue.js';
import { lookupVariable } from './variableLookup.js';

export function decideGetVariable(
  item: GetVariableDataType,
  values: ReadonlyMap<string, string>,
  computed: ReadonlyMap<string, string>,
  catalogue: readonly VariableDefinition[] = VARIABLE_CATALOGUE,
): GetVariableResultType {
  const base = {
    component: item.component,
    variable: item.variable,
    ...(item.attributeType !== undefined ? { attributeType: item.attributeType } : {}),
  };
  const refuse = (attributeStatus: GetVariableResultType['attributeStatus'], info?: StatusInfoType): GetVariableResultType => ({
    ...base,
    attributeStatus,
    ...(info ? { attributeStatusInfo: info } : {}),
  });

  const found = lookupVariable(catalogue, item.component, item.variable);
  if (found.kind === 'unknownComponent') return refuse('UnknownComponent');
  if (found.kind === 'unknownVariable') return refuse('UnknownVariable');
  const d = found.definition;
  if ((item.attributeType ?? 'Actual') !== 'Actual') return refuse('NotSupportedAttributeType', { reasonCode: 'UnsupportedParam', additionalInfo: 'only the Actual attribute is supported' });
  if (d.mutability === 'WriteOnly') return refuse('Rejected', { reasonCode: 'WriteOnly', additionalInfo: `${d.component}.${d.variable} is write-only` });

  const key = variableKeyString(definitionKey(d));
  if (d.computed) {
    const value = computed.get(key);
    // A derived value the caller did not supply is a fault here, not a value to invent.
    return value === undefined ? refuse('Rejected', { reasonCode: 'InternalError', additionalInfo: `${d.component}.${d.variable} is not available` }) : { ...base, attributeStatus: 'Accepted', attributeValue: value };
  }
  return { ...base, attributeStatus: 'Accepted', attributeValue: values.get(key) ?? d.defaultValue ?? '' };
}
