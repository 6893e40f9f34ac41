// The MSP's authorization decision as a table: account state × PnC Direct result → AllowedType; and the small pure
// helpers around it (display form of an eMAID, token type per version, minor units per currency).
import { describe, expect, it } from 'vitest';
import { decideAuthorization, type AuthorizationDecision } from '../../src/msp/authorizationDecision.js';
import { currencyExponent, toMinorUnits } from '../../src/msp/currencyMinorUnits.js';
import { maskEmaid } from '../../src/pki/emaid/maskEmaid.js';
import { displayEmaid, emaidTokenType, tokenObject } from '../../src/msp/mspTokenObject.js';
import type { PncDirectAuthorization } from '../../src/msp/payment/paymentProcessor.js';
import type { AccountStatus } from '../../src/msp/store/accountStore.js';

type Row = [string, { status: AccountStatus; paymentToken?: string } | undefined, PncDirectAuthorization | 'not-configured' | undefined, AuthorizationDecision['kind'], string?];

const approved: PncDirectAuthorization = { allowed: 'ALLOWED', authorizationReference: 'r', amountMinor: 5000, currency: 'EUR' };
const declined: PncDirectAuthorization = { allowed: 'NO_CREDIT', reason: 'expired_card' };
const unavailable: PncDirectAuthorization = { allowed: 'NO_CREDIT', reason: 'processor-unavailable' };

const table: Row[] = [
  ['no account', undefined, undefined, 'unknown-token'],
  ['no account, even with a processor answer', undefined, approved, 'unknown-token'],
  ['active', { status: 'active' }, undefined, 'answer', 'ALLOWED'],
  ['suspended', { status: 'suspended' }, undefined, 'answer', 'BLOCKED'],
  ['cancelled', { status: 'cancelled' }, undefined, 'answer', 'EXPIRED'],
  ['active PnC Direct, not yet asked', { status: 'active', paymentToken: 'card' }, undefined, 'pre-authorize'],
  ['active PnC Direct, approved', { status: 'active', paymentToken: 'card' }, approved, 'answer', 'ALLOWED'],
  ['active PnC Direct, declined', { status: 'active', paymentToken: 'card' }, declined, 'answer', 'NO_CREDIT'],
  ['active PnC Direct, processor down', { status: 'active', paymentToken: 'card' }, unavailable, 'answer', 'NO_CREDIT'],
  ['active PnC Direct, no processor configured', { status: 'active', paymentToken: 'card' }, 'not-configured', 'answer', 'NO_CREDIT'],
  ['suspended PnC Direct: never asks the processor', { status: 'suspended', paymentToken: 'card' }, undefined, 'answer', 'BLOCKED'],
  ['cancelled PnC Direct: never asks the processor', { status: 'cancelled', paymentToken: 'card' }, undefined, 'answer', 'EXPIRED'],
];

describe('MSP authorization decision', () => {
  it.each(table)('%s', (_name, account, pnc, kind, allowed) => {
    const d = decideAuthorization(account, pnc);
    expect(d.kind).toBe(kind);
    if (d.kind === 'answer') {
      expect(d.allowed).toBe(allowed);
      // Token.valid: only an active contract is a valid token.
      expect(d.valid).toBe(account?.status === 'active');
      expect(d.reason.length).toBeGreaterThan(0);
    }
  });

  it('writes the token object per version', () => {
    const party = { countryCode: 'DE', partyId: 'PNC', name: 'PnC Mobility' };
    const account = { id: 1, status: 'suspended' as const, whitelist: 'ALLOWED' as const, createdAt: '2026-11-24T10:00:00.000Z', updatedAt: '2026-11-24T11:00:00.500Z' };
    expect(tokenObject(party, account, 'DEPNCC123456789', emaidTokenType('2.3.0'))).toEqual({
      country_code: 'DE',
      party_id: 'PNC',
      uid: 'DEPNCC123456789',
      type: 'EMAID',
      contract_id: 'DE-PNC-C12345678-9',
      issuer: 'PnC Mobility',
      valid: false,
      whitelist: 'ALLOWED',
      last_updated: '2026-11-24T11:00:00Z',
    });
    expect(emaidTokenType('2.2.1')).toBe('OTHER');
    expect(displayEmaid('DEPNCC12345678')).toBe('DE-PNC-C12345678');
    expect(displayEmaid('odd')).toBe('odd');
  });

  it.each([
    [12.345, 'EUR', 1235],
    [0.1 + 0.2, 'EUR', 30],
    [-4.755, 'EUR', -476],
    [1234, 'JPY', 1234],
    [1.2345, 'KWD', 1235],
    [1.5, 'XX1', 150],
  ])('%f %s is %i minor units', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
  });

  it('masks eMAIDs and knows currency exponents', () => {
    expect(maskEmaid('DE-PNC-C12345678-9')).toBe('DEPNC*********9');
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
  });
});
