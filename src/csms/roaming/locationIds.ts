// OCPI identifiers for where a session happens, derived from the OCPP station identity (OCPI location and EVSE uids
// are CiString(36); OCPP identities may be up to 48 characters): used as is when they fit, otherwise a stable hash.
import { createHash } from 'node:crypto';
import type { ChargingLocation } from '../authorize/authorizeTypes.js';
import type { LocationReferences } from '../../ocpi/ocpiTypes.js';

/** `text` when it is printable ASCII within `max` characters, else "H" + hex SHA-256 cut to `max`. Deterministic. */
export function ocpiId(text: string, max = 36): string {
  if (text.length > 0 && text.length <= max && /^[\x20-\x7e]+$/.test(text)) return text;
  return `H${createHash('sha256').update(text, 'utf8').digest('hex')}`.slice(0, max);
}

export function locationIdOf(stationId: string): string {
  return ocpiId(stationId);
}

export function evseUidOf(stationId: string, evseId: number | undefined): string {
  return ocpiId(`${stationId}-${evseId ?? 1}`);
}

export function defaultLocationReferences(location: ChargingLocation): LocationReferences {
  return {
    location_id: locationIdOf(location.stationId),
    ...(location.evseId !== undefined ? { evse_uids: [evseUidOf(location.stationId, location.evseId)] } : {}),
  };
}
