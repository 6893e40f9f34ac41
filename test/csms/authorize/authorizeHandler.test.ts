// The Authorize handler's order of checks and its answers, with the revocation, billing and log seams as in-test
// implementations that record their calls. (The real OCSP/OCPI paths are tested end to end in test/csms/csmsNode.)
import { describe, expect, it } from 'vitest';
import { authorizeHandler } from '../../../src/csms/authorize/authorizeHandler.js';
import type {
  AuthorizationLogEntry,
  BillingChecker,
  BillingOutcome,
  ContractRevocationChecker,
  RevocationOutcome,
  TokenAuthorizer,
} from '../../../src/csms/authorize/authorizeTypes.js';
import type { AuthorizationStatusEnumType, AuthorizeRequest, OCSPRequestDataType } from '../../../src/ocpp/generated/ocpp201.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { silentTracer } from '../../../src/trace/tracer.js';

const EMAID = 'DEPNCC00000001A';
const HASH: OCSPRequestDataType = { hashAlgorithm: 'SHA256', issuerNameHash: 'aa'.repeat(32), issuerKeyHash: 'bb'.repeat(32), serialNumber: '1f', responderURL: 'http://ocsp.example/ocsp' };

function harness(chain: RevocationOutcome['kind'], billingStatus: AuthorizationStatusEnumType = 'Accepted', listed: AuthorizationStatusEnumType = 'Accepted') {
  const calls: string[] = [];
  const logged: AuthorizationLogEntry[] = [];
  const events: TraceEvent[] = [];
  const outcome: RevocationOutcome = chain === 'valid' ? { kind: 'valid', checks: [] } : { kind: chain, detail: `chain ${chain}`, checks: [] };
  const revocation: ContractRevocationChecker = {
    checkHashData: (entries) => {
      calls.push(`hash:${entries.length}`);
      return Promise.resolve(outcome);
    },
    checkCertificateChain: (pem, emaid) => {
      calls.push(`chain:${emaid}:${pem.length}`);
      return Promise.resolve(outcome);
    },
  };
  const billing: BillingChecker = {
    authorizeEmaid: (emaid, location) => {
      calls.push(`billing:${emaid}@${location.stationId}`);
      const o: BillingOutcome = { status: billingStatus, detail: 'test', ...(billingStatus === 'Accepted' ? { authorizationReference: 'REF-1' } : {}) };
      return Promise.resolve(o);
    },
  };
  const tokens: TokenAuthorizer = {
    authorizeToken: (idToken) => {
      calls.push(`token:${idToken.type}`);
      return Promise.resolve({ idTokenInfo: { status: listed } });
    },
  };
  const handler = authorizeHandler({
    revocation,
    billing,
    tokens,
    authorizationLog: {
      record: (e) => {
        logged.push(e);
        return Promise.resolve();
      },
      latest: () => Promise.resolve(undefined),
    },
    tracer: silentTracer('csms', [(e) => events.push(e)]),
    clock: () => new Date('2026-11-24T10:00:00Z'),
  });
  const authorize = (request: AuthorizeRequest) => handler(request, { stationId: 'CS-1' });
  return { calls, logged, events, authorize };
}

describe('Authorize with a contract', () => {
  const rows: [RevocationOutcome['kind'], AuthorizationStatusEnumType, string, AuthorizationStatusEnumType, boolean][] = [
    ['valid', 'Accepted', 'Accepted', 'Accepted', true],
    ['valid', 'Blocked', 'ContractCancelled', 'Blocked', true],
    ['valid', 'Unknown', 'ContractCancelled', 'Unknown', true],
    ['valid', 'NoCredit', 'Accepted', 'NoCredit', true],
    ['valid', 'NotAtThisTime', 'Accepted', 'NotAtThisTime', true],
    ['expired', 'Accepted', 'CertificateExpired', 'Expired', false],
    ['revoked', 'Accepted', 'CertificateRevoked', 'Invalid', false],
    ['unverifiable', 'Accepted', 'CertChainError', 'Invalid', false],
  ];
  it.each(rows)('hash data: chain %s, account %s → %s + %s (billing asked: %s)', async (chain, account, certificateStatus, status, billed) => {
    const h = harness(chain, account);
    const response = await h.authorize({ idToken: { idToken: EMAID, type: 'eMAID' }, iso15118CertificateHashData: [HASH, HASH] });
    expect(response).toEqual({ idTokenInfo: { status }, certificateStatus });
    expect(h.calls).toEqual(billed ? ['hash:2', `billing:${EMAID}@CS-1`] : ['hash:2']);
    expect(h.logged.length).toBe(status === 'Accepted' ? 1 : 0);
  });

  it('the accepted authorization is logged with its OCPI reference for the transaction that follows', async () => {
    const h = harness('valid');
    await h.authorize({ idToken: { idToken: EMAID, type: 'eMAID' }, iso15118CertificateHashData: [HASH] });
    expect(h.logged).toEqual([{ stationId: 'CS-1', idToken: EMAID, tokenType: 'eMAID', status: 'Accepted', authorizationReference: 'REF-1', at: '2026-11-24T10:00:00.000Z' }]);
  });

  it('with both a certificate and hash data, the chain is judged (central validation) and the hash data ignored', async () => {
    const h = harness('valid');
    await h.authorize({ idToken: { idToken: EMAID, type: 'eMAID' }, certificate: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n', iso15118CertificateHashData: [HASH] });
    expect(h.calls[0]).toMatch(/^chain:DEPNCC00000001A:/);
    expect(h.calls).toHaveLength(2);
  });

  it('traces the request, the chain check, the verdict with its rule and the answer, never the full eMAID', async () => {
    const h = harness('revoked');
    await h.authorize({ idToken: { idToken: EMAID, type: 'eMAID' }, iso15118CertificateHashData: [HASH] });
    expect(h.events.map((e) => e.kind)).toEqual(['message', 'check', 'verdict', 'message']);
    expect(h.events[2]).toMatchObject({ kind: 'verdict', verdict: 'CertificateRevoked / Invalid' });
    expect(JSON.stringify(h.events)).toContain('C07.FR.16');
    expect(JSON.stringify(h.events)).not.toContain(EMAID);
  });
});

describe('Authorize without certificate data', () => {
  it('an RFID card is answered from the token list, without certificateStatus', async () => {
    const h = harness('valid', 'Accepted', 'Blocked');
    const response = await h.authorize({ idToken: { idToken: '04A1B2C3', type: 'ISO14443' } });
    expect(response).toEqual({ idTokenInfo: { status: 'Blocked' } });
    expect(h.calls).toEqual(['token:ISO14443']);
  });

  it('an eMAID with no hash data and no certificate is a token check only', async () => {
    const h = harness('valid');
    const response = await h.authorize({ idToken: { idToken: EMAID, type: 'eMAID' } });
    expect(response).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(h.calls).toEqual(['token:eMAID']);
  });
});
