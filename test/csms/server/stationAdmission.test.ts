// The handshake decisions as tables: which credential a connection must present at which profile, the no-downgrade
// rule, and the station identity from the upgrade URL.
import { describe, expect, it } from 'vitest';
import { admitProfile, parseStationPath, planAuthentication, type ClientCertificateFacts, type HandshakeFacts } from '../../../src/csms/server/stationAdmission.js';

const good: ClientCertificateFacts = { presented: true, authorized: true, commonNames: ['CS-1'], organizations: ['CPO'] };
const base = { identity: 'CS-1' } as const;

describe('planAuthentication', () => {
  it.for<[string, HandshakeFacts, string]>([
    ['profile 1: Basic auth', { ...base, serverProfile: 1, requestsCertificates: false }, 'password/1'],
    ['profile 1 ignores any certificate facts', { ...base, serverProfile: 1, requestsCertificates: false, certificate: good }, 'password/1'],
    ['profile 2: Basic auth over TLS', { ...base, serverProfile: 2, requestsCertificates: false, certificate: { presented: false, authorized: false, commonNames: [], organizations: [] } }, 'password/2'],
    ['profile 2 not asking for certificates ignores one', { ...base, serverProfile: 2, requestsCertificates: false, certificate: good }, 'password/2'],
    ['mixed: certificate presented → profile 3', { ...base, serverProfile: 2, requestsCertificates: true, certificate: good }, 'certificate/3'],
    ['mixed: no certificate → Basic auth, profile 2', { ...base, serverProfile: 2, requestsCertificates: true, certificate: { presented: false, authorized: false, commonNames: [], organizations: [] } }, 'password/2'],
    ['mixed: untrusted certificate → refused, no fallback to the password', { ...base, serverProfile: 2, requestsCertificates: true, certificate: { ...good, authorized: false } }, 'refuse/401'],
    ['mixed: CN of another station → refused', { ...base, serverProfile: 2, requestsCertificates: true, certificate: { ...good, commonNames: ['CS-2'] } }, 'refuse/401'],
    ['profile 3: good certificate', { ...base, serverProfile: 3, requestsCertificates: true, certificate: good }, 'certificate/3'],
    ['profile 3: no certificate', { ...base, serverProfile: 3, requestsCertificates: true, certificate: { presented: false, authorized: false, commonNames: [], organizations: [] } }, 'refuse/401'],
    ['profile 3: plain connection (no TLS facts)', { ...base, serverProfile: 3, requestsCertificates: true }, 'refuse/401'],
    ['profile 3: untrusted issuer', { ...base, serverProfile: 3, requestsCertificates: true, certificate: { ...good, authorized: false } }, 'refuse/401'],
    ['profile 3: CN differs only in case', { ...base, serverProfile: 3, requestsCertificates: true, certificate: { ...good, commonNames: ['cs-1'] } }, 'refuse/401'],
    ['profile 3: two CNs', { ...base, serverProfile: 3, requestsCertificates: true, certificate: { ...good, commonNames: ['CS-1', 'CS-2'] } }, 'refuse/401'],
    ['profile 3: no CN', { ...base, serverProfile: 3, requestsCertificates: true, certificate: { ...good, commonNames: [] } }, 'refuse/401'],
    ['profile 3: expected O present', { ...base, serverProfile: 3, requestsCertificates: true, certificate: good, expectedOrganization: 'CPO' }, 'certificate/3'],
    ['profile 3: expected O absent', { ...base, serverProfile: 3, requestsCertificates: true, certificate: good, expectedOrganization: 'Other' }, 'refuse/401'],
    ['malformed identity', { identity: 'CS/1', serverProfile: 1, requestsCertificates: false }, 'refuse/400'],
  ])('%s', ([, facts, expected]) => {
    const plan = planAuthentication(facts);
    expect(plan.kind === 'refuse' ? `refuse/${plan.status}` : `${plan.kind}/${plan.profile}`).toBe(expected);
  });
});

describe('admitProfile', () => {
  it.for([
    [1, 1, true],
    [1, 2, false],
    [1, 3, false],
    [2, 1, true],
    [2, 2, true],
    [2, 3, false],
    [3, 1, true],
    [3, 2, true],
    [3, 3, true],
  ] as const)('connection profile %i, station minimum %i → %s', ([connection, minimum, ok]) => {
    expect(admitProfile(connection, minimum).ok).toBe(ok);
  });
});

describe('parseStationPath', () => {
  it.for([
    ['/CS-1', '', 'CS-1'],
    ['/CS-1?x=1', '', 'CS-1'],
    ['/CS%2D1', '', 'CS-1'],
    ['/a*b=c+d|e@f.g_h', '', 'a*b=c+d|e@f.g_h'],
    ['/ocpp/CS-1', '/ocpp', 'CS-1'],
    ['/x/../CS-1', '', 'CS-1'],
    ['/CS-1/', '', 404],
    ['/', '', 400],
    [undefined, '', 400],
    ['/a/CS-1', '', 404],
    ['/CS-1', '/ocpp', 404],
    ['/ocpp/v2/CS-1', '/ocpp', 404],
    ['/%E0%A4%A', '', 400],
    ['/%', '', 400],
    ['/CS%2F1', '', 400],
    ['/CS%3A1', '', 400],
    ['/CS%001', '', 400],
    ['/CS%20', '', 400],
    [`/${'A'.repeat(48)}`, '', 'A'.repeat(48)],
    [`/${'A'.repeat(49)}`, '', 400],
    ['/ünicode', '', 400],
  ] as const)('%s under %j → %s', ([url, basePath, expected]) => {
    const r = parseStationPath(url, basePath);
    expect(r.ok ? r.identity : r.status).toBe(expected);
  });
});
