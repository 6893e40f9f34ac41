// csrDecision as a table: CSR facts and a policy in, accept or the reason out (OCPP A02/A03, ISO 15118 SECC profile).
import { describe, expect, it } from 'vitest';
import { decideCsr, type CsrFacts, type CsrPolicy, type CsrRejection } from '../../../src/csms/certificates/csrDecision.js';

const SECC: CsrFacts = {
  pemChars: 700,
  keyType: 'P-256',
  subject: { commonNames: ['DE*PNC*E00001'], organizations: ['PNC CPO'], countries: ['DE'], domainComponents: ['CPO'], otherAttributeTypes: [] },
  requested: { ca: false, certSign: false },
};
const V2G: CsrPolicy = { certificateType: 'V2GCertificate', allowedKeyTypes: ['P-256', 'P-521', 'Ed448'] };
const CS: CsrPolicy = { certificateType: 'ChargingStationCertificate', allowedKeyTypes: ['P-256', 'P-384', 'RSA'], stationId: 'CS-1' };
const STATION: CsrFacts = { ...SECC, subject: { ...SECC.subject!, commonNames: ['CS-1'], domainComponents: [] } };

const subject = (over: Partial<NonNullable<CsrFacts['subject']>>): CsrFacts => ({ ...SECC, subject: { ...SECC.subject!, ...over } });

const cases: readonly { name: string; facts: CsrFacts; policy: CsrPolicy; expected: 'accept' | CsrRejection }[] = [
  { name: 'a SECC CSR (P-256, DC=CPO)', facts: SECC, policy: V2G, expected: 'accept' },
  { name: 'P-521', facts: { ...SECC, keyType: 'P-521' }, policy: V2G, expected: 'accept' },
  { name: 'Ed448', facts: { ...SECC, keyType: 'Ed448' }, policy: V2G, expected: 'accept' },
  { name: 'CN of exactly 64 characters', facts: subject({ commonNames: ['x'.repeat(64)] }), policy: V2G, expected: 'accept' },
  { name: 'CN of 64 non-ASCII characters (counted as characters)', facts: subject({ commonNames: ['é'.repeat(64)] }), policy: V2G, expected: 'accept' },
  { name: 'PEM of exactly 5500 characters', facts: { ...SECC, pemChars: 5500 }, policy: V2G, expected: 'accept' },
  { name: 'PEM of 5501 characters', facts: { ...SECC, pemChars: 5501 }, policy: V2G, expected: 'size' },
  { name: 'oversize wins over an unreadable CSR', facts: { pemChars: 9000, unreadable: { problem: 'pem', detail: 'x' } }, policy: V2G, expected: 'size' },
  { name: 'bad self-signature', facts: { pemChars: 700, unreadable: { problem: 'badSignature', detail: 'CSR self-signature: does not verify' } }, policy: V2G, expected: 'signature' },
  { name: 'not PEM', facts: { pemChars: 5, unreadable: { problem: 'pem', detail: 'no block' } }, policy: V2G, expected: 'unreadable' },
  { name: 'malformed DER', facts: { pemChars: 100, unreadable: { problem: 'malformed', detail: 'bad' } }, policy: V2G, expected: 'unreadable' },
  { name: 'unsupported key algorithm', facts: { pemChars: 100, unreadable: { problem: 'unsupportedKey', detail: 'x' } }, policy: V2G, expected: 'unreadable' },
  { name: 'facts without a key (never read)', facts: { pemChars: 100 }, policy: V2G, expected: 'unreadable' },
  { name: 'P-384 for V2G', facts: { ...SECC, keyType: 'P-384' }, policy: V2G, expected: 'keyType' },
  { name: 'RSA for V2G', facts: { ...SECC, keyType: 'RSA', rsaBits: 4096 }, policy: V2G, expected: 'keyType' },
  { name: 'P-521 when only iso2 is configured', facts: { ...SECC, keyType: 'P-521' }, policy: { ...V2G, allowedKeyTypes: ['P-256'] }, expected: 'keyType' },
  { name: 'no CA configured at all', facts: SECC, policy: { ...V2G, allowedKeyTypes: [] }, expected: 'keyType' },
  { name: 'DC=MO (a contract CSR)', facts: subject({ domainComponents: ['MO'] }), policy: V2G, expected: 'domainComponent' },
  { name: 'DC=cpo in lower case', facts: subject({ domainComponents: ['cpo'] }), policy: V2G, expected: 'domainComponent' },
  { name: 'no DC', facts: subject({ domainComponents: [] }), policy: V2G, expected: 'domainComponent' },
  { name: 'two DCs (CPO and MO)', facts: subject({ domainComponents: ['CPO', 'MO'] }), policy: V2G, expected: 'domainComponent' },
  { name: 'no CN', facts: subject({ commonNames: [] }), policy: V2G, expected: 'commonName' },
  { name: 'empty CN', facts: subject({ commonNames: ['  '] }), policy: V2G, expected: 'commonName' },
  { name: 'CN of 65 characters', facts: subject({ commonNames: ['x'.repeat(65)] }), policy: V2G, expected: 'commonName' },
  { name: 'two CNs', facts: subject({ commonNames: ['A', 'B'] }), policy: V2G, expected: 'commonName' },
  { name: 'CN with a control character', facts: subject({ commonNames: ['DE*PNC\u0000E1'] }), policy: V2G, expected: 'commonName' },
  { name: 'no O', facts: subject({ organizations: [] }), policy: V2G, expected: 'organization' },
  { name: 'O of 65 characters', facts: subject({ organizations: ['o'.repeat(65)] }), policy: V2G, expected: 'organization' },
  { name: 'no C', facts: subject({ countries: [] }), policy: V2G, expected: 'country' },
  { name: 'C of three letters', facts: subject({ countries: ['DEU'] }), policy: V2G, expected: 'country' },
  { name: 'C in lower case', facts: subject({ countries: ['de'] }), policy: V2G, expected: 'country' },
  { name: 'C of digits', facts: subject({ countries: ['49'] }), policy: V2G, expected: 'country' },
  { name: 'two Cs', facts: subject({ countries: ['DE', 'FR'] }), policy: V2G, expected: 'country' },
  { name: 'an OU beside C, O, CN, DC', facts: subject({ otherAttributeTypes: ['2.5.4.11'] }), policy: V2G, expected: 'subject' },
  { name: 'asks for cA TRUE', facts: { ...SECC, requested: { ca: true, certSign: false } }, policy: V2G, expected: 'caRequested' },
  { name: 'asks for keyCertSign', facts: { ...SECC, requested: { ca: false, certSign: true } }, policy: V2G, expected: 'caRequested' },
  { name: 'requested extensions unreadable', facts: { ...SECC, requested: { ca: false, certSign: false, unreadable: 'bad BIT STRING' } }, policy: V2G, expected: 'unreadable' },
  { name: 'station certificate, CN = identity', facts: STATION, policy: CS, expected: 'accept' },
  { name: 'station certificate with P-384', facts: { ...STATION, keyType: 'P-384' }, policy: CS, expected: 'accept' },
  { name: 'station certificate with RSA 2048', facts: { ...STATION, keyType: 'RSA', rsaBits: 2048 }, policy: CS, expected: 'accept' },
  { name: 'station certificate with RSA 1024', facts: { ...STATION, keyType: 'RSA', rsaBits: 1024 }, policy: CS, expected: 'keyType' },
  { name: 'station certificate with Ed448', facts: { ...STATION, keyType: 'Ed448' }, policy: CS, expected: 'keyType' },
  { name: 'station certificate for another station', facts: { ...STATION, subject: { ...STATION.subject!, commonNames: ['CS-2'] } }, policy: CS, expected: 'stationIdentity' },
  { name: 'station certificate, identity unknown', facts: STATION, policy: { ...CS, stationId: undefined }, expected: 'stationIdentity' },
  { name: 'a SECC CSR sent as a station certificate (CN = SeccId)', facts: SECC, policy: CS, expected: 'stationIdentity' },
  { name: 'station certificate, no DC needed', facts: STATION, policy: CS, expected: 'accept' },
  { name: 'station certificate asking for a CA', facts: { ...STATION, requested: { ca: true, certSign: true } }, policy: CS, expected: 'caRequested' },
];

describe('decideCsr', () => {
  it.each(cases)('$name → $expected', ({ facts, policy, expected }) => {
    const d = decideCsr(facts, policy);
    expect(d.accepted ? 'accept' : d.reason).toBe(expected);
    if (!d.accepted) {
      expect(d.statusInfo.reasonCode.length).toBeLessThanOrEqual(20);
      expect(d.statusInfo.additionalInfo.length).toBeLessThanOrEqual(512);
      expect(d.statusInfo.reasonCode).toBe(expected === 'size' ? 'TooLargeElement' : 'InvalidCSR');
    }
  });

  it('a very long detail is cut to the 512 characters statusInfo allows', () => {
    const d = decideCsr({ pemChars: 10, unreadable: { problem: 'malformed', detail: 'y'.repeat(2000) } }, V2G);
    expect(d.accepted).toBe(false);
    if (!d.accepted) expect(d.statusInfo.additionalInfo).toHaveLength(512);
  });
});
