// Pure pieces of the CPO roaming side as tables: AllowedType → OCPP status, the offline (eMSP unreachable) rule per
// last known whitelist, token cache keys, and OCPI identifiers derived from station identities.
import { describe, expect, it } from 'vitest';
import { offlineDecision, statusForAllowed } from '../../../src/csms/roaming/billingDecision.js';
import { defaultLocationReferences, ocpiId } from '../../../src/csms/roaming/locationIds.js';
import { roamingTokenKey } from '../../../src/csms/roaming/roamingTokenUid.js';
import type { AllowedType, WhitelistType } from '../../../src/ocpi/ocpiTypes.js';

describe('billing decisions', () => {
  it.each([
    ['ALLOWED', 'Accepted'],
    ['BLOCKED', 'Blocked'],
    ['EXPIRED', 'Expired'],
    ['NO_CREDIT', 'NoCredit'],
    ['NOT_ALLOWED', 'NotAtThisLocation'],
  ] as const)('%s → %s', (allowed: AllowedType, status) => {
    expect(statusForAllowed(allowed)).toBe(status);
  });

  it.each([
    [undefined, undefined, 'NotAtThisTime'],
    ['ALLOWED_OFFLINE', true, 'Accepted'],
    ['ALWAYS', true, 'Accepted'],
    ['ALLOWED', true, 'NotAtThisTime'],
    ['NEVER', true, 'NotAtThisTime'],
    ['ALLOWED_OFFLINE', false, 'NotAtThisTime'],
    ['ALWAYS', false, 'NotAtThisTime'],
  ] as const)('eMSP unreachable, last known %s valid=%s → %s', (whitelist: WhitelistType | undefined, valid, status) => {
    const lastKnown = whitelist === undefined ? undefined : { whitelist, valid: valid === true, updatedAt: '2026-11-24T10:00:00.000Z' };
    const d = offlineDecision(lastKnown);
    expect(d.status).toBe(status);
    expect(d.detail.length).toBeGreaterThan(0);
  });

  it.each([
    ['DE-PNC-C12345678-9', 'DEPNCC12345678'],
    ['depncc123456789', 'DEPNCC12345678'],
    ['DEPNCC12345678', 'DEPNCC12345678'],
    ['04-a2-b3', '04A2B3'],
  ])('keys token %s as %s', (uid, key) => {
    expect(roamingTokenKey(uid)).toBe(key);
  });

  it('derives OCPI identifiers that fit CiString(36), stable for long identities', () => {
    expect(ocpiId('CS-1')).toBe('CS-1');
    const long = 'X'.repeat(48);
    expect(ocpiId(long)).toHaveLength(36);
    expect(ocpiId(long)).toBe(ocpiId(long));
    expect(ocpiId(long)).not.toBe(ocpiId(`${long}Y`));
    expect(ocpiId('Ünïcode')).toMatch(/^H[0-9a-f]{35}$/);
    expect(defaultLocationReferences({ stationId: 'CS-1' })).toEqual({ location_id: 'CS-1' });
    expect(defaultLocationReferences({ stationId: 'CS-1', evseId: 2 })).toEqual({ location_id: 'CS-1', evse_uids: ['CS-1-2'] });
  });
});
