// Which catalogue entry a GetVariables/SetVariables item addresses, or why none: the component is unknown (no entry
// with that name and instance, or an EVSE/connector this station-level component does not have), or the component is
// known but not the variable.
import type { ComponentType, VariableType } from '../../ocpp/generated/ocpp201.js';
import { sameInstance, sameName, type VariableDefinition } from './variableCatalogue.js';

export type VariableLookup =
  | { readonly kind: 'found'; readonly definition: VariableDefinition }
  | { readonly kind: 'unknownComponent' }
  | { readonly kind: 'unknownVariable' };

export function lookupVariable(catalogue: readonly VariableDefinition[], component: ComponentType, variable: VariableType): VariableLookup {
  // Every supported component is a station-level controller: none exists per EVSE.
  if (component.evse !== undefined) return { kind: 'unknownComponent' };
  const ofComponent = catalogue.filter((d) => sameName(d.component, component.name) && sameInstance(d.componentInstance, component.instance));
  if (ofComponent.length === 0) return { kind: 'unknownComponent' };
  const definition = ofComponent.find((d) => sameName(d.variable, variable.name) && sameInstance(d.variableInstance, variable.instance));
  return definition ? { kind: 'found', definition } : { kind: 'unknownVariable' };
}
