// Strict OCPI parsers as tables: valid documents of both versions parse to exactly their known fields (unknown fields
// are ignored, as 2.3.0 requires), and each kind of defect is refused with an OcpiFormatError naming the field path.
import { describe, expect, it } from 'vitest';
import { OcpiFormatError } from '../../src/ocpi/ocpiFormatError.js';
import {
  parseAuthorizationInfo,
  parseCdr,
  parseCredentials,
  parseEnvelope,
  parseLocationReferences,
  parseToken,
  parseVersionDetails,
  parseVersions,
} from '../../src/ocpi/ocpiParsers.js';
import { priceTotal } from '../../src/ocpi/ocpiTypes.js';

const token = {
  country_code: 'DE',
  party_id: 'PNC',
  uid: 'DEPNCC123456789',
  type: 'EMAID',
  contract_id: 'DE-PNC-C12345678-9',
  issuer: 'PnC Mobility',
  valid: true,
  whitelist: 'ALLOWED',
  last_updated: '2026-11-24T10:00:00Z',
};

const cdr221 = {
  country_code: 'NL',
  party_id: 'CPO',
  id: 'CDR-1',
  start_date_time: '2026-11-24T10:00:00Z',
  end_date_time: '2026-11-24T11:00:00Z',
  cdr_token: { country_code: 'DE', party_id: 'PNC', uid: 'DEPNCC123456789', type: 'OTHER', contract_id: 'DE-PNC-C12345678-9' },
  auth_method: 'AUTH_REQUEST',
  authorization_reference: 'ref-1',
  cdr_location: {
    id: 'LOC1',
    address: 'Main St 1',
    city: 'Amsterdam',
    country: 'NLD',
    coordinates: { latitude: '52.370216', longitude: '4.895168' },
    evse_uid: 'EVSE1',
    evse_id: 'NL*CPO*E1',
    connector_id: '1',
    connector_standard: 'IEC_62196_T2',
    connector_format: 'SOCKET',
    connector_power_type: 'AC_3_PHASE',
  },
  currency: 'EUR',
  charging_periods: [{ start_date_time: '2026-11-24T10:00:00Z', dimensions: [{ type: 'ENERGY', volume: 10 }] }],
  total_cost: { excl_vat: 4, incl_vat: 4.76 },
  total_energy: 10,
  total_time: 1,
  last_updated: '2026-11-24T11:00:01Z',
};

const cdr230 = { ...cdr221, cdr_token: { ...cdr221.cdr_token, type: 'EMAID' }, total_cost: { before_taxes: 4, taxes: [{ name: 'VAT', percentage: 19, amount: 0.76 }] } };

function refusal(parse: () => unknown): OcpiFormatError {
  try {
    parse();
  } catch (e) {
    if (e instanceof OcpiFormatError) return e;
    throw e;
  }
  throw new Error('expected an OcpiFormatError');
}

describe('OCPI parsers', () => {
  it('parse valid documents of both versions, ignoring unknown fields and treating null as absent', () => {
    expect(parseToken({ ...token, extension_field: { x: 1 }, visual_number: null }, '2.3.0')).toEqual(token);
    expect(parseToken({ ...token, type: 'OTHER', country_code: 'de', party_id: 'pnc' }, '2.2.1')).toEqual({ ...token, type: 'OTHER' });
    expect(parseCdr(cdr221, '2.2.1')).toEqual(cdr221);
    expect(parseCdr({ ...cdr230, vendor: 'x' }, '2.3.0')).toEqual(cdr230);
    expect(priceTotal(parseCdr(cdr221, '2.2.1').total_cost)).toBe(4.76);
    expect(priceTotal(parseCdr(cdr230, '2.3.0').total_cost)).toBeCloseTo(4.76, 6);
    expect(parseAuthorizationInfo({ allowed: 'ALLOWED', token, authorization_reference: 'r' }, '2.3.0')).toMatchObject({ allowed: 'ALLOWED', authorization_reference: 'r' });
    expect(parseEnvelope({ status_code: 1000, timestamp: '2026-11-24T10:00:00.123Z', data: [1] })).toEqual({ statusCode: 1000, timestamp: '2026-11-24T10:00:00.123Z', data: [1] });
    expect(parseEnvelope({ status_code: 2004, timestamp: '2026-11-24T10:00:00', data: null })).toEqual({ statusCode: 2004, timestamp: '2026-11-24T10:00:00' });
    expect(parseVersions([{ version: '2.1.1', url: 'https://x.example/2.1.1' }])).toEqual([{ version: '2.1.1', url: 'https://x.example/2.1.1' }]);
    expect(parseLocationReferences({ location_id: 'L1' })).toEqual({ location_id: 'L1' });
    expect(
      parseCredentials({ token: 'abc', url: 'http://x/v', roles: [{ role: 'CPO', party_id: 'cpo', country_code: 'nl', business_details: { name: 'n', logo: { url: 'http://x/l.png', category: 'OPERATOR', type: 'png' } } }] }),
    ).toEqual({ token: 'abc', url: 'http://x/v', roles: [{ role: 'CPO', party_id: 'CPO', country_code: 'NL', business_details: { name: 'n', logo: { url: 'http://x/l.png', category: 'OPERATOR', type: 'png' } } }] });
  });

  const refusals: readonly [string, () => unknown, string][] = [
    ['envelope without status_code', () => parseEnvelope({ timestamp: '2026-11-24T10:00:00Z' }), 'status_code'],
    ['envelope with a string status_code', () => parseEnvelope({ status_code: '1000', timestamp: '2026-11-24T10:00:00Z' }), 'status_code'],
    ['envelope without timestamp', () => parseEnvelope({ status_code: 1000 }), 'timestamp'],
    ['envelope with a bad timestamp', () => parseEnvelope({ status_code: 1000, timestamp: 'yesterday' }), 'timestamp'],
    ['envelope that is an array', () => parseEnvelope([]), ''],
    ['EMAID token type in 2.2.1', () => parseToken(token, '2.2.1'), 'data.type'],
    ['unknown whitelist', () => parseToken({ ...token, whitelist: 'SOMETIMES' }, '2.3.0'), 'data.whitelist'],
    ['valid as a string', () => parseToken({ ...token, valid: 'true' }, '2.3.0'), 'data.valid'],
    ['uid too long', () => parseToken({ ...token, uid: 'X'.repeat(37) }, '2.3.0'), 'data.uid'],
    ['non-ASCII uid', () => parseToken({ ...token, uid: 'DÉPNC' }, '2.3.0'), 'data.uid'],
    ['party id of 4', () => parseToken({ ...token, party_id: 'PNCX' }, '2.3.0'), 'data.party_id'],
    ['unknown AllowedType', () => parseAuthorizationInfo({ allowed: 'MAYBE', token }, '2.3.0'), 'data.allowed'],
    ['AuthorizationInfo without token', () => parseAuthorizationInfo({ allowed: 'ALLOWED' }, '2.3.0'), 'data.token'],
    ['nested token defect', () => parseAuthorizationInfo({ allowed: 'ALLOWED', token: { ...token, last_updated: 5 } }, '2.3.0'), 'data.token.last_updated'],
    ['2.3.0 price in a 2.2.1 CDR', () => parseCdr({ ...cdr230, cdr_token: cdr221.cdr_token }, '2.2.1'), 'body.total_cost.excl_vat'],
    ['2.2.1 price in a 2.3.0 CDR', () => parseCdr({ ...cdr221, cdr_token: cdr230.cdr_token }, '2.3.0'), 'body.total_cost.before_taxes'],
    ['CDR without charging periods', () => parseCdr({ ...cdr221, charging_periods: [] }, '2.2.1'), 'body.charging_periods'],
    ['CDR dimension with a string volume', () => parseCdr({ ...cdr221, charging_periods: [{ start_date_time: '2026-11-24T10:00:00Z', dimensions: [{ type: 'ENERGY', volume: '10' }] }] }, '2.2.1'), 'body.charging_periods[0].dimensions[0].volume'],
    ['CDR latitude of the wrong form', () => parseCdr({ ...cdr221, cdr_location: { ...cdr221.cdr_location, coordinates: { latitude: '52.3', longitude: '4.895168' } } }, '2.2.1'), 'body.cdr_location.coordinates.latitude'],
    ['CDR country of 2 letters', () => parseCdr({ ...cdr221, cdr_location: { ...cdr221.cdr_location, country: 'NL' } }, '2.2.1'), 'body.cdr_location.country'],
    ['CDR ending before it starts', () => parseCdr({ ...cdr221, end_date_time: '2026-11-24T09:00:00Z' }, '2.2.1'), 'body.end_date_time'],
    ['credit CDR without reference', () => parseCdr({ ...cdr221, credit: true }, '2.2.1'), 'body.credit_reference_id'],
    ['CDR currency in lower case', () => parseCdr({ ...cdr221, currency: 'eur' }, '2.2.1'), 'body.currency'],
    ['CDR with NaN-like energy', () => parseCdr({ ...cdr221, total_energy: null }, '2.2.1'), 'body.total_energy'],
    ['versions not an array', () => parseVersions({ version: '2.2.1' }), 'data'],
    ['version URL not http', () => parseVersions([{ version: '2.2.1', url: 'ftp://x/y' }]), 'data[0].url'],
    ['details without endpoints', () => parseVersionDetails({ version: '2.2.1', endpoints: [] }), 'data.endpoints'],
    ['endpoint role unknown', () => parseVersionDetails({ version: '2.2.1', endpoints: [{ identifier: 'tokens', role: 'BOTH', url: 'http://x/t' }] }), 'data.endpoints[0].role'],
    ['credentials token with a space', () => parseCredentials({ token: 'a b', url: 'http://x/v', roles: [] }), 'data.token'],
    ['credentials without roles', () => parseCredentials({ token: 'a', url: 'http://x/v', roles: [] }), 'data.roles'],
    ['credentials role with bad country', () => parseCredentials({ token: 'a', url: 'http://x/v', roles: [{ role: 'CPO', party_id: 'CPO', country_code: '1X', business_details: { name: 'n' } }] }), 'data.roles[0].country_code'],
    ['location references with 300 EVSEs', () => parseLocationReferences({ location_id: 'L', evse_uids: Array.from({ length: 300 }, (_, i) => `E${i}`) }), 'body.evse_uids'],
  ];

  it.each(refusals)('refuses %s, naming the field', (_name, parse, path) => {
    const e = refusal(parse);
    expect(e.path).toBe(path);
    expect(e.message.startsWith(`${path}: `)).toBe(true);
    expect(e.message.length).toBeLessThan(300);
  });
});
