import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaDatabaseStatus } from '../../src/ocsp/caDatabaseStatus.js';
import { authoritiesFromPki } from '../../src/ocsp/pkiAuthorities.js';
import { issueContractInPki, PkiDirectory, revokeInPki } from '../../src/pki/generator/pkiDirectory.js';
import type { Suite } from '../../src/pki/generator/testPki.js';
import { computeCheckDigit } from '../../src/pki/emaid/emaid.js';
import { certIdFor, type CertId, type OcspHashAlgorithm } from '../../src/pki/ocsp/certId.js';
import {
  encodeOcspError,
  encodeOcspRequest,
  parseOcspResponse,
  type BasicOcspResponse,
  type OcspResponseStatusName,
  type SingleStatus,
} from '../../src/pki/ocsp/ocspMessages.js';
import { OcspResponderCore, type OcspAnswer, type OcspResponderOptions, type StatusSource } from '../../src/pki/ocsp/ocspResponderCore.js';
import { verifyOcspResponse } from '../../src/pki/ocsp/ocspVerify.js';
import type { Certificate } from '../../src/pki/certificate/certificate.js';
import { DAY, NOW, cert, contractOf } from '../helpers/fixtures.js';
import { MemoryStatus, fixtureAuthority, tempPki } from '../helpers/ocspTestbed.js';

const SUITES: readonly Suite[] = ['iso2', 'iso20-p521', 'iso20-ed448'];
const HOUR = 3_600_000;
const CAS = [...SUITES.map((s) => `${s}/mo-sub2`), 'iso2/cpo-sub2'];

function basicOf(response: Buffer): BasicOcspResponse {
  const r = parseOcspResponse(response);
  if (r.status !== 'successful') throw new Error(`responder answered ${r.status}`);
  return r.basic;
}

interface Bench {
  readonly core: OcspResponderCore;
  readonly statuses: MemoryStatus;
  readonly clock: { now: number };
}

function bench(options: Partial<OcspResponderOptions> = {}, authorities = CAS): Bench {
  const statuses = new MemoryStatus();
  const clock = { now: NOW };
  for (const suite of SUITES) {
    statuses.set(`${suite}/mo-sub2`, contractOf(suite).cert.serialHex, { status: 'good' });
  }
  statuses.set('iso2/cpo-sub2', cert('iso2/secc').cert.serialHex, { status: 'revoked', revokedAt: NOW - DAY, reason: 'keyCompromise' });
  const core = new OcspResponderCore({ authorities: authorities.map(fixtureAuthority), statuses, now: () => clock.now, ...options });
  return { core, statuses, clock };
}

const contractId = (suite: Suite, alg: OcspHashAlgorithm = 'SHA256'): CertId => certIdFor(contractOf(suite).cert, cert(`${suite}/mo-sub2`).cert, alg);
const seccId = (): CertId => certIdFor(cert('iso2/secc').cert, cert('iso2/cpo-sub2').cert);
const NONCE = Buffer.from('0f0e0d0c0b0a09080706050403020100', 'hex');

function expectRefused(a: OcspAnswer, status: Exclude<OcspResponseStatusName, 'successful'>): void {
  expect(a.status).toBe(status);
  expect(a.response.equals(encodeOcspError(status))).toBe(true);
  expect(a.answers).toEqual([]);
  expect(typeof a.error).toBe('string');
}

/** The answer, verified as a client would (signer, signature, CertID, freshness, nonce). */
function verified(a: OcspAnswer, requests: readonly { certId: CertId; issuer: Certificate }[], now: number, nonce?: Buffer): SingleStatus[] {
  expect(a.status).toBe('successful');
  const v = verifyOcspResponse(a.response, { requests, now, ...(nonce ? { nonce } : {}) });
  return v.results.map((r) => r.status);
}

describe('OcspResponderCore with an in-memory status source', () => {
  it.each(SUITES)('%s: good for a known contract, signed by the delegated signer, verifiable', (suite) => {
    const { core } = bench();
    const a = core.respond(encodeOcspRequest([contractId(suite)], NONCE));
    expect(verified(a, [{ certId: contractId(suite), issuer: cert(`${suite}/mo-sub2`).cert }], NOW, NONCE)).toEqual([{ status: 'good' }]);
    expect(a.answers).toEqual([{ serialHex: contractOf(suite).cert.serialHex, authorityId: `${suite}/mo-sub2`, status: 'good' }]);
    expect(a.reused).toBe(false);
    const basic = basicOf(a.response);
    expect(basic.certs).toHaveLength(1);
    expect(basic.certs[0]!.equals(cert(`${suite}/mo-sub2-ocsp`).der)).toBe(true);
  });

  it('revoked with reason and time', () => {
    const { core } = bench();
    const a = core.respond(encodeOcspRequest([seccId()]));
    expect(verified(a, [{ certId: seccId(), issuer: cert('iso2/cpo-sub2').cert }], NOW)).toEqual([
      { status: 'revoked', revokedAt: NOW - DAY, reason: 'keyCompromise' },
    ]);
  });

  it.each(SUITES)('%s: a serial the CA database does not hold is unknown, never good', (suite) => {
    const { core } = bench();
    const id: CertId = { ...contractId(suite), serialHex: '7fffffffffffffffffffffffffffff01' };
    const a = core.respond(encodeOcspRequest([id], NONCE));
    expect(verified(a, [{ certId: id, issuer: cert(`${suite}/mo-sub2`).cert }], NOW, NONCE)).toEqual([{ status: 'unknown' }]);
    // A real certificate of that CA that is simply missing from the database: unknown too.
    const sub2Signer = certIdFor(cert(`${suite}/mo-sub2-ocsp`).cert, cert(`${suite}/mo-sub2`).cert);
    expect(core.respond(encodeOcspRequest([sub2Signer])).answers.map((x) => x.status)).toEqual(['unknown']);
  });

  it('several CertIDs of one CA in one request, answered in order', () => {
    const { core, statuses } = bench();
    statuses.set('iso2/mo-sub2', 'abc', { status: 'revoked', revokedAt: NOW - HOUR });
    const ids = [contractId('iso2'), { ...contractId('iso2'), serialHex: 'abc' }, { ...contractId('iso2'), serialHex: 'abd' }];
    const a = core.respond(encodeOcspRequest(ids, NONCE));
    const issuer = cert('iso2/mo-sub2').cert;
    expect(verified(a, ids.map((certId) => ({ certId, issuer })), NOW, NONCE).map((x) => x.status)).toEqual(['good', 'revoked', 'unknown']);
    expect(basicOf(a.response).responses.map((r) => r.certId.serialHex)).toEqual(ids.map((i) => i.serialHex));
  });

  it.each(['SHA1', 'SHA256', 'SHA384', 'SHA512'] as const)('answers a %s CertID and echoes it byte for byte', (alg) => {
    const { core } = bench();
    const id = contractId('iso20-p521', alg);
    const request = encodeOcspRequest([id]);
    const a = core.respond(request);
    expect(verified(a, [{ certId: id, issuer: cert('iso20-p521/mo-sub2').cert }], NOW)).toEqual([{ status: 'good' }]);
    const echoed = basicOf(a.response).responses[0]!.certId;
    expect(echoed.hashAlgorithm).toBe(alg);
    expect(request.includes(echoed.raw)).toBe(true);
  });

  it('thisUpdate and producedAt are whole seconds; nextUpdate = thisUpdate + validityMs', () => {
    const { core, clock } = bench({ validityMs: 15 * 60_000 });
    clock.now = NOW + 1234;
    const basic = basicOf(core.respond(encodeOcspRequest([contractId('iso2')], NONCE)).response);
    expect(basic.producedAt).toBe(NOW + 1000);
    expect(basic.responses[0]!.thisUpdate).toBe(NOW + 1000);
    expect(basic.responses[0]!.nextUpdate).toBe(NOW + 1000 + 15 * 60_000);
  });

  describe('nonce (RFC 8954)', () => {
    it.each([1, 16, 32])('a %i-byte nonce is echoed', (n) => {
      const { core } = bench();
      const nonce = Buffer.alloc(n, 0x5a);
      const a = core.respond(encodeOcspRequest([contractId('iso2')], nonce));
      expect(basicOf(a.response).nonce?.equals(nonce)).toBe(true);
      expect(verified(a, [{ certId: contractId('iso2'), issuer: cert('iso2/mo-sub2').cert }], NOW, nonce)).toEqual([{ status: 'good' }]);
    });

    it.each([0, 33, 1000])('a %i-byte nonce → malformedRequest, nothing looked up', (n) => {
      const { core, statuses } = bench();
      const before = statuses.lookups;
      expectRefused(core.respond(encodeOcspRequest([contractId('iso2')], Buffer.alloc(n, 1))), 'malformedRequest');
      expect(statuses.lookups).toBe(before);
    });

    it('a request without nonce gets a response without nonce', () => {
      const { core } = bench();
      expect(basicOf(core.respond(encodeOcspRequest([contractId('iso2')])).response).nonce).toBeUndefined();
    });
  });

  describe('refusals', () => {
    it('CertIDs of two CAs in one request → unauthorized', () => {
      const { core } = bench();
      expectRefused(core.respond(encodeOcspRequest([contractId('iso2'), seccId()], NONCE)), 'unauthorized');
      expectRefused(core.respond(encodeOcspRequest([contractId('iso2'), contractId('iso20-ed448')])), 'unauthorized');
    });

    it('a CA this responder does not serve → unauthorized', () => {
      const { core } = bench({}, ['iso2/mo-sub2']);
      expectRefused(core.respond(encodeOcspRequest([seccId()])), 'unauthorized');
      // Sub-CA 1 issued MO Sub-CA 2; it is not served either.
      expectRefused(core.respond(encodeOcspRequest([certIdFor(cert('iso2/mo-sub2').cert, cert('iso2/mo-sub1').cert)])), 'unauthorized');
    });

    it('a CertID with the right name hash but another key hash → unauthorized', () => {
      const { core } = bench();
      const id = { ...contractId('iso2'), issuerKeyHash: certIdFor(contractOf('iso2').cert, cert('iso2/cpo-sub2').cert).issuerKeyHash };
      expectRefused(core.respond(encodeOcspRequest([id])), 'unauthorized');
    });

    it.each([
      ['empty', Buffer.alloc(0)],
      ['text', Buffer.from('GET / HTTP/1.1\r\n\r\n')],
      ['a certificate', cert('iso2/secc').der],
      ['an OCSP response', encodeOcspError('tryLater')],
      ['a truncated request', encodeOcspRequest([contractId('iso2')], NONCE).subarray(0, 50)],
      ['33 CertIDs', encodeOcspRequest(Array.from({ length: 33 }, (_, i) => ({ ...contractId('iso2'), serialHex: (i + 1).toString(16) })))],
    ])('garbage (%s) → malformedRequest', (_name, bytes) => {
      const { core } = bench();
      expectRefused(core.respond(bytes), 'malformedRequest');
    });

    it('maxCertIdsPerRequest lowers the limit', () => {
      const { core } = bench({ maxCertIdsPerRequest: 2 });
      const ids = Array.from({ length: 3 }, (_, i) => ({ ...contractId('iso2'), serialHex: (i + 1).toString(16) }));
      expectRefused(core.respond(encodeOcspRequest(ids)), 'malformedRequest');
      expect(core.respond(encodeOcspRequest(ids.slice(0, 2))).status).toBe('successful');
    });

    it('a status source that throws → internalError, never good', () => {
      const failing: StatusSource = {
        status: () => {
          throw new Error('database unreadable');
        },
        version: () => 1,
      };
      const core = new OcspResponderCore({ authorities: [fixtureAuthority('iso2/mo-sub2')], statuses: failing, now: () => NOW });
      const a = core.respond(encodeOcspRequest([contractId('iso2')], NONCE));
      expectRefused(a, 'internalError');
      expect(a.error).toContain('database unreadable');
    });
  });

  describe('pre-produced responses (requests without nonce)', () => {
    it('the same no-nonce request within reuseMs gets the same bytes, marked reused', () => {
      const { core, clock, statuses } = bench();
      const request = encodeOcspRequest([contractId('iso2')]);
      const first = core.respond(request);
      const lookups = statuses.lookups;
      clock.now += 30_000;
      const second = core.respond(request);
      expect(second.reused).toBe(true);
      expect(second.response.equals(first.response)).toBe(true);
      expect(second.answers).toEqual(first.answers);
      expect(statuses.lookups).toBe(lookups);
    });

    it('requests with a nonce are always signed afresh', () => {
      const { core } = bench();
      const a = core.respond(encodeOcspRequest([contractId('iso2')], NONCE));
      const b = core.respond(encodeOcspRequest([contractId('iso2')], NONCE));
      expect(a.reused).toBe(false);
      expect(b.reused).toBe(false);
    });

    it('after reuseMs the response is produced again', () => {
      const { core, clock } = bench({ reuseMs: 10_000 });
      const request = encodeOcspRequest([contractId('iso2')]);
      core.respond(request);
      clock.now += 10_001;
      const again = core.respond(request);
      expect(again.reused).toBe(false);
      expect(basicOf(again.response).producedAt).toBe(NOW + 10_000);
    });

    it('a status change is visible on the very next request, reuse or not', () => {
      const { core, statuses } = bench();
      const request = encodeOcspRequest([contractId('iso2')]);
      expect(core.respond(request).answers[0]!.status).toBe('good');
      expect(core.respond(request).reused).toBe(true);
      statuses.set('iso2/mo-sub2', contractOf('iso2').cert.serialHex, { status: 'revoked', revokedAt: NOW, reason: 'cessationOfOperation' });
      const after = core.respond(request);
      expect(after.reused).toBe(false);
      expect(verified(after, [{ certId: contractId('iso2'), issuer: cert('iso2/mo-sub2').cert }], NOW)).toEqual([
        { status: 'revoked', revokedAt: NOW, reason: 'cessationOfOperation' },
      ]);
    });

    it('is never served past its own nextUpdate (validityMs shorter than reuseMs)', () => {
      const { core, clock } = bench({ validityMs: 10_000 });
      const request = encodeOcspRequest([contractId('iso2')]);
      core.respond(request);
      clock.now += 20_000;
      const later = core.respond(request);
      const single = basicOf(later.response).responses[0]!;
      expect(single.nextUpdate).toBeDefined();
      expect(single.nextUpdate!).toBeGreaterThanOrEqual(clock.now);
    });
  });
});

describe('OcspResponderCore over the CA database of a PKI directory (CaDatabaseStatus)', () => {
  let bench: ReturnType<typeof tempPki> | undefined;
  let dir: string;
  let pki: PkiDirectory;
  let passphrase: string;
  let core: OcspResponderCore;

  beforeAll(() => {
    bench = tempPki({ protocol: 'iso2' });
    ({ dir, pki, passphrase } = bench);
    core = new OcspResponderCore({ authorities: authoritiesFromPki(pki, passphrase), statuses: new CaDatabaseStatus(pki.databasePath) });
  });
  afterAll(() => bench?.cleanup());

  const idOf = (certId: string, alg: OcspHashAlgorithm = 'SHA256'): CertId => certIdFor(pki.certificate(certId), pki.certificate(pki.entry(certId).issuerId), alg);
  const contract = (): string => pki.entries((e) => e.role === 'contract')[0]!.id;

  it('serves every CA that has a delegated signer', () => {
    const cas = authoritiesFromPki(pki, passphrase).map((a) => a.id);
    expect(cas).toEqual(expect.arrayContaining(['iso2/mo-sub2', 'iso2/cpo-sub2', 'iso2/mo-root', 'iso2/v2g-root']));
  });

  it('good for every certificate of the database, with any hash algorithm', () => {
    for (const e of pki.entries((x) => x.kind !== 'root')) {
      for (const alg of ['SHA1', 'SHA512'] as const) {
        const a = core.respond(encodeOcspRequest([idOf(e.id, alg)], NONCE));
        expect(a.status, e.id).toBe('successful');
        expect(a.answers, e.id).toEqual([{ serialHex: pki.entry(e.id).serialHex, authorityId: e.issuerId, status: 'good' }]);
      }
    }
  });

  it('revokeInPki is visible on the very next request, even for a pre-produced response', () => {
    const id = contract();
    const request = encodeOcspRequest([idOf(id)]);
    expect(core.respond(request).answers[0]!.status).toBe('good');
    expect(core.respond(request).reused).toBe(true);
    const at = Date.now() - 5000;
    revokeInPki(dir, id, { reason: 'keyCompromise', at });
    const after = core.respond(request);
    expect(after.reused).toBe(false);
    const issuer = pki.certificate(pki.entry(id).issuerId);
    expect(verified(after, [{ certId: idOf(id), issuer }], Date.now())).toEqual([
      { status: 'revoked', revokedAt: Math.floor(at / 1000) * 1000, reason: 'keyCompromise' },
    ]);
  });

  it('a contract issued while the responder runs is good on the next request; a neighbouring serial stays unknown', () => {
    const emaid = `DEPNCC00000077${computeCheckDigit('DEPNCC00000077')}`;
    const [entry] = issueContractInPki(dir, { emaid, passphrase, protocol: 'iso2' });
    const fresh = PkiDirectory.open(dir);
    const certId = certIdFor(fresh.certificate(entry!.id), fresh.certificate(entry!.issuerId));
    expect(core.respond(encodeOcspRequest([certId])).answers[0]!.status).toBe('good');
    expect(core.respond(encodeOcspRequest([{ ...certId, serialHex: `${certId.serialHex}0` }])).answers[0]!.status).toBe('unknown');
  });

  it('a corrupt ca-database.json → internalError (never the pre-produced good), and recovery once it is fixed', () => {
    const good = pki.entries((e) => e.kind === 'ocsp-signer')[0]!.id;
    const request = encodeOcspRequest([idOf(good)]);
    expect(core.respond(request).answers[0]!.status).toBe('good');
    expect(core.respond(request).reused).toBe(true);
    const original = readFileSync(pki.databasePath, 'utf8');
    try {
      writeFileSync(pki.databasePath, original.slice(0, original.length / 2));
      expectRefused(core.respond(request), 'internalError');
      expectRefused(core.respond(encodeOcspRequest([idOf(good)], NONCE)), 'internalError');
      writeFileSync(pki.databasePath, JSON.stringify({ format: 'pnc-stack-ca-db/1', entries: [{ id: 'x', issuerId: 'y', serialHex: 'NOT HEX', status: 'valid' }] }));
      expectRefused(core.respond(request), 'internalError');
      rmSync(pki.databasePath);
      expectRefused(core.respond(request), 'internalError');
    } finally {
      writeFileSync(pki.databasePath, original);
    }
    expect(core.respond(request).answers[0]!.status).toBe('good');
  });
});

