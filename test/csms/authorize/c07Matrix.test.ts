// The C07.FR.13–17 matrix (OCPP 2.0.1 Edition 2 errata 2023-12) as a table.
import { describe, expect, it } from 'vitest';
import { c07Answer } from '../../../src/csms/authorize/c07Matrix.js';
import type { RevocationOutcome } from '../../../src/csms/authorize/authorizeTypes.js';
import type { AuthorizationStatusEnumType, AuthorizeCertificateStatusEnumType } from '../../../src/ocpp/generated/ocpp201.js';

type Row = [RevocationOutcome['kind'], AuthorizationStatusEnumType | undefined, AuthorizeCertificateStatusEnumType, AuthorizationStatusEnumType, string];

const rows: Row[] = [
  // FR.13: chain valid, contract not.
  ['valid', 'Blocked', 'ContractCancelled', 'Blocked', 'C07.FR.13'],
  ['valid', 'Expired', 'ContractCancelled', 'Expired', 'C07.FR.13'],
  ['valid', 'Invalid', 'ContractCancelled', 'Invalid', 'C07.FR.13'],
  ['valid', 'Unknown', 'ContractCancelled', 'Unknown', 'C07.FR.13'],
  // FR.14: chain valid, the token status passes through.
  ['valid', 'Accepted', 'Accepted', 'Accepted', 'C07.FR.14'],
  ['valid', 'NoCredit', 'Accepted', 'NoCredit', 'C07.FR.14'],
  ['valid', 'NotAtThisLocation', 'Accepted', 'NotAtThisLocation', 'C07.FR.14'],
  ['valid', 'NotAtThisTime', 'Accepted', 'NotAtThisTime', 'C07.FR.14'],
  ['valid', 'ConcurrentTx', 'Accepted', 'ConcurrentTx', 'C07.FR.14'],
  ['valid', 'NotAllowedTypeEVSE', 'Accepted', 'NotAllowedTypeEVSE', 'C07.FR.14'],
  // FR.15–17: the chain decides; the account is not asked.
  ['expired', undefined, 'CertificateExpired', 'Expired', 'C07.FR.15'],
  ['revoked', undefined, 'CertificateRevoked', 'Invalid', 'C07.FR.16'],
  ['unverifiable', undefined, 'CertChainError', 'Invalid', 'C07.FR.17'],
  // Whatever the account would have said.
  ['revoked', 'Accepted', 'CertificateRevoked', 'Invalid', 'C07.FR.16'],
  ['expired', 'Accepted', 'CertificateExpired', 'Expired', 'C07.FR.15'],
  ['unverifiable', 'Blocked', 'CertChainError', 'Invalid', 'C07.FR.17'],
];

describe('C07.FR.13–17', () => {
  it.each(rows)('chain %s, token %s → %s + %s (%s)', (chain, token, certificateStatus, status, rule) => {
    expect(c07Answer(chain, token)).toEqual({ certificateStatus, status, rule });
  });

  it('never answers the statuses the errata mark "<not used>"', () => {
    const all: AuthorizationStatusEnumType[] = ['Accepted', 'Blocked', 'ConcurrentTx', 'Expired', 'Invalid', 'NoCredit', 'NotAllowedTypeEVSE', 'NotAtThisLocation', 'NotAtThisTime', 'Unknown'];
    for (const chain of ['valid', 'expired', 'revoked', 'unverifiable'] as const) {
      for (const token of all) expect(['SignatureError', 'NoCertificateAvailable']).not.toContain(c07Answer(chain, token).certificateStatus);
    }
  });

  it('a valid chain without a token status is a programming error', () => {
    expect(() => c07Answer('valid')).toThrow(TypeError);
  });
});
