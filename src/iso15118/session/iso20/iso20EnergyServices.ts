// The energy transfer services a -20 SECC offers: AC (ServiceID 1) or DC (ServiceID 2), as the negotiated namespace and
// the charger's energy modes allow, each with the parameter sets ServiceDetailRes lists.
import type { iso20 } from '../../../exi/index.js';
import type { V2gProtocol } from '../appProtocolNegotiation.js';
import type { EvseModel } from '../evseModel.js';

export const AC_SERVICE_ID = 1;
export const DC_SERVICE_ID = 2;

/** ControlMode parameter: 1 Scheduled, 2 Dynamic. Only Scheduled is implemented. */
const CONTROL_MODE_SCHEDULED = 1;
/** MobilityNeedsMode parameter: 1 the EV provides its mobility needs. */
const MOBILITY_NEEDS_BY_EVCC = 1;
/** Pricing parameter: 0 no pricing. */
const PRICING_NONE = 0;

export interface EnergyService {
  readonly serviceId: number;
  readonly parameterSets: readonly iso20.ParameterSetType[];
}

const int = (Name: string, intValue: number): iso20.ParameterType => ({ Name, intValue });

/** The services of a -20 session: only the one the SupportedAppProtocol namespace names, if the charger has it. */
export function energyServices(protocol: V2gProtocol, evse: EvseModel): EnergyService[] {
  if (protocol === 'iso20-ac') {
    // Connector: 1 single phase, 2 three phase.
    const sets = evse.energyModes
      .filter((m) => m.startsWith('AC_'))
      .map((m, i) => ({
        ParameterSetID: i + 1,
        Parameter: [
          int('Connector', m === 'AC_three_phase_core' ? 2 : 1),
          int('ControlMode', CONTROL_MODE_SCHEDULED),
          int('EVSENominalVoltage', evse.acNominalVoltage),
          int('MobilityNeedsMode', MOBILITY_NEEDS_BY_EVCC),
          int('Pricing', PRICING_NONE),
        ],
      }));
    return sets.length > 0 ? [{ serviceId: AC_SERVICE_ID, parameterSets: sets }] : [];
  }
  if (protocol === 'iso20-dc') {
    // Connector: 1 core, 2 extended.
    const sets = evse.energyModes
      .filter((m) => m.startsWith('DC_'))
      .map((m, i) => ({
        ParameterSetID: i + 1,
        Parameter: [int('Connector', m === 'DC_extended' ? 2 : 1), int('ControlMode', CONTROL_MODE_SCHEDULED), int('MobilityNeedsMode', MOBILITY_NEEDS_BY_EVCC), int('Pricing', PRICING_NONE)],
      }));
    return sets.length > 0 ? [{ serviceId: DC_SERVICE_ID, parameterSets: sets }] : [];
  }
  return [];
}
