// C07.FR.13–17 answers of the CSMS, read as ISO 15118-2 and -20 AuthorizationRes codes.
import { describe, expect, it } from 'vitest';
import { contractAuthorizationCodes } from '../../src/charger/authorizeResponseCodes.js';
import type { AuthorizeCertificateStatusEnumType, AuthorizationStatusEnumType } from '../../src/ocpp/generated/ocpp201.js';

const cases: [AuthorizeCertificateStatusEnumType | undefined, AuthorizationStatusEnumType, boolean, string, string][] = [
  ['Accepted', 'Accepted', true, 'OK', 'OK'],
  [undefined, 'Accepted', true, 'OK', 'OK'],
  ['CertificateRevoked', 'Invalid', false, 'FAILED_CertificateRevoked', 'WARNING_CertificateRevoked'],
  ['CertificateExpired', 'Expired', false, 'FAILED', 'WARNING_CertificateExpired'],
  ['CertChainError', 'Invalid', false, 'FAILED', 'WARNING_CertificateValidationError'],
  ['SignatureError', 'Invalid', false, 'FAILED', 'WARNING_CertificateValidationError'],
  ['NoCertificateAvailable', 'Invalid', false, 'FAILED', 'WARNING_CertificateValidationError'],
  ['ContractCancelled', 'Blocked', false, 'FAILED', 'WARNING_GeneralPnCAuthorizationError'],
  ['ContractCancelled', 'Unknown', false, 'FAILED', 'WARNING_eMSPUnknown'],
  ['Accepted', 'Unknown', false, 'FAILED', 'WARNING_eMSPUnknown'],
  ['Accepted', 'NoCredit', false, 'FAILED', 'WARNING_GeneralPnCAuthorizationError'],
  ['Accepted', 'ConcurrentTx', false, 'FAILED', 'WARNING_GeneralPnCAuthorizationError'],
  ['Accepted', 'NotAtThisLocation', false, 'FAILED', 'WARNING_GeneralPnCAuthorizationError'],
  ['Accepted', 'NotAtThisTime', false, 'FAILED', 'WARNING_GeneralPnCAuthorizationError'],
  // The account says yes but the chain does not: the chain decides.
  ['CertificateRevoked', 'Accepted', false, 'FAILED_CertificateRevoked', 'WARNING_CertificateRevoked'],
];

describe('AuthorizeResponse → AuthorizationRes codes', () => {
  it.each(cases)('certificateStatus %s, idToken %s → accepted %s, -2 %s, -20 %s', (certificateStatus, status, accepted, iso2, iso20) => {
    const r = contractAuthorizationCodes({ idTokenInfo: { status }, ...(certificateStatus ? { certificateStatus } : {}) });
    expect(r).toMatchObject({ accepted, iso2Code: iso2, iso20Code: iso20 });
    expect(r.reason).toMatch(status);
  });
});
