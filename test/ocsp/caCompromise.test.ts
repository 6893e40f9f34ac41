// RFC 6960 §2.7 at our responder: a CA revoked because its key is (or may be) compromised takes every certificate
// below it down — answered revoked, reason cACompromise, at the CA's revocation time — while other CA revocation
// reasons leave the certificates it issued with their own status. This is how a revoked CPO Sub-CA reaches an EV,
// which sees only the stapled status of the SECC leaf (status_request).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToSecc, EvccTlsError } from '../../src/iso15118/tls/evccConnect.js';
import { startSeccListener, type SeccListener } from '../../src/iso15118/tls/seccListener.js';
import { CaDatabaseStatus } from '../../src/ocsp/caDatabaseStatus.js';
import { authoritiesFromPki } from '../../src/ocsp/pkiAuthorities.js';
import { readCaDatabase, revokeEntries, writeCaDatabase, type CaDatabase } from '../../src/pki/generator/caDatabase.js';
import { revokeInPki } from '../../src/pki/generator/pkiDirectory.js';
import { certIdFor } from '../../src/pki/ocsp/certId.js';
import { OcspClient } from '../../src/pki/ocsp/ocspClient.js';
import { encodeOcspRequest, type CrlReason, type SingleStatus } from '../../src/pki/ocsp/ocspMessages.js';
import { OcspResponderCore } from '../../src/pki/ocsp/ocspResponderCore.js';
import { verifyOcspResponse } from '../../src/pki/ocsp/ocspVerify.js';
import { createTrustStore } from '../../src/pki/verdict/trustStore.js';
import { DAY } from '../helpers/fixtures.js';
import { startOcspServer, tempPki, type RunningOcspServer } from '../helpers/ocspTestbed.js';

const HOUR = 3_600_000;
/** A fixed revocation time, whole seconds (OCSP GeneralizedTime carries no fractions). */
const T = Date.UTC(2026, 0, 15, 12, 0, 0);

const bench = tempPki({ protocol: 'iso2' });
const { dir, pki, passphrase } = bench;
afterAll(() => bench.cleanup());

const serialOf = (id: string): string => pki.entry(id).serialHex;
const contractId = (): string => pki.entries((e) => e.role === 'contract')[0]!.id;

interface Revocation {
  readonly id: string;
  readonly reason: CrlReason;
  readonly at?: number;
}

/** The PKI's database with these revocations applied, in a file of its own (the PKI's own file stays untouched). */
let original: CaDatabase;
let files = 0;
function statusesWith(revocations: readonly Revocation[]): CaDatabaseStatus {
  let db = original;
  for (const r of revocations) db = revokeEntries(db, [r.id], r.at ?? T, r.reason);
  const path = join(dir, `case-${files++}.json`);
  writeCaDatabase(path, db);
  return new CaDatabaseStatus(path);
}

const revoked = (reason: CrlReason, at = T): SingleStatus => ({ status: 'revoked', revokedAt: at, reason });
const good: SingleStatus = { status: 'good' };

describe('CaDatabaseStatus: a compromised CA revokes what it issued (RFC 6960 §2.7)', () => {
  beforeAll(() => {
    original = readCaDatabase(pki.databasePath);
  });

  // [case, revocations, authority asked, certificate asked (manifest id, or a serial the database never recorded), expected]
  it.each<[string, readonly Revocation[], string, string | { serialHex: string }, SingleStatus]>([
    ['nothing revoked: the SECC leaf is good', [], 'iso2/cpo-sub2', 'iso2/secc', good],
    ['SECC leaf under a Sub-CA 2 revoked for keyCompromise', [{ id: 'iso2/cpo-sub2', reason: 'keyCompromise' }], 'iso2/cpo-sub2', 'iso2/secc', revoked('cACompromise')],
    ['SECC leaf under a Sub-CA 2 revoked for cACompromise', [{ id: 'iso2/cpo-sub2', reason: 'cACompromise' }], 'iso2/cpo-sub2', 'iso2/secc', revoked('cACompromise')],
    ['SECC leaf under a Sub-CA 2 revoked with reason unspecified (fails closed)', [{ id: 'iso2/cpo-sub2', reason: 'unspecified' }], 'iso2/cpo-sub2', 'iso2/secc', revoked('cACompromise')],
    ['SECC leaf two levels under a Sub-CA 1 revoked for keyCompromise', [{ id: 'iso2/cpo-sub1', reason: 'keyCompromise' }], 'iso2/cpo-sub2', 'iso2/secc', revoked('cACompromise')],
    ['Sub-CA 2 under a compromised Sub-CA 1', [{ id: 'iso2/cpo-sub1', reason: 'keyCompromise' }], 'iso2/cpo-sub1', 'iso2/cpo-sub2', revoked('cACompromise')],
    ['SECC leaf three levels under a compromised V2G root', [{ id: 'iso2/v2g-root', reason: 'keyCompromise' }], 'iso2/cpo-sub2', 'iso2/secc', revoked('cACompromise')],
    ['Sub-CA 2 superseded: the SECC leaf stays good', [{ id: 'iso2/cpo-sub2', reason: 'superseded' }], 'iso2/cpo-sub2', 'iso2/secc', good],
    ['Sub-CA 1 superseded: two levels down stays good', [{ id: 'iso2/cpo-sub1', reason: 'superseded' }], 'iso2/cpo-sub2', 'iso2/secc', good],
    ['Sub-CA 2 cessationOfOperation: good', [{ id: 'iso2/cpo-sub2', reason: 'cessationOfOperation' }], 'iso2/cpo-sub2', 'iso2/secc', good],
    ['Sub-CA 2 affiliationChanged: good', [{ id: 'iso2/cpo-sub2', reason: 'affiliationChanged' }], 'iso2/cpo-sub2', 'iso2/secc', good],
    ['Sub-CA 2 certificateHold: good', [{ id: 'iso2/cpo-sub2', reason: 'certificateHold' }], 'iso2/cpo-sub2', 'iso2/secc', good],
    ['Sub-CA 2 privilegeWithdrawn: good', [{ id: 'iso2/cpo-sub2', reason: 'privilegeWithdrawn' }], 'iso2/cpo-sub2', 'iso2/secc', good],
    ['Sub-CA 2 aACompromise (attribute authorities, not this CA): good', [{ id: 'iso2/cpo-sub2', reason: 'aACompromise' }], 'iso2/cpo-sub2', 'iso2/secc', good],
    ['the compromised Sub-CA 2 itself keeps its own status and reason', [{ id: 'iso2/cpo-sub2', reason: 'keyCompromise' }], 'iso2/cpo-sub1', 'iso2/cpo-sub2', revoked('keyCompromise')],
    ['a superseded Sub-CA 2 itself is answered revoked (superseded)', [{ id: 'iso2/cpo-sub2', reason: 'superseded' }], 'iso2/cpo-sub1', 'iso2/cpo-sub2', revoked('superseded')],
    ['the Sub-CA 1 above a compromised Sub-CA 2 stays good', [{ id: 'iso2/cpo-sub2', reason: 'keyCompromise' }], 'iso2/v2g-root', 'iso2/cpo-sub1', good],
    ['the MO branch is not touched by a CPO compromise', [{ id: 'iso2/cpo-sub2', reason: 'keyCompromise' }], 'iso2/mo-sub2', 'contract', good],
    ['a contract under a compromised MO Sub-CA 2', [{ id: 'iso2/mo-sub2', reason: 'keyCompromise' }], 'iso2/mo-sub2', 'contract', revoked('cACompromise')],
    ['a serial the compromised CA never recorded (forged with its key): revoked', [{ id: 'iso2/cpo-sub2', reason: 'keyCompromise' }], 'iso2/cpo-sub2', { serialHex: 'abcdef0123' }, revoked('cACompromise')],
    ['a serial a superseded CA never recorded: unknown', [{ id: 'iso2/cpo-sub2', reason: 'superseded' }], 'iso2/cpo-sub2', { serialHex: 'abcdef0123' }, { status: 'unknown' }],
    ['leaf revoked on its own before the compromise keeps its earlier entry', [{ id: 'iso2/secc', reason: 'keyCompromise', at: T - DAY }, { id: 'iso2/cpo-sub2', reason: 'keyCompromise' }], 'iso2/cpo-sub2', 'iso2/secc', revoked('keyCompromise', T - DAY)],
    ['leaf superseded after the compromise: the earlier compromise wins', [{ id: 'iso2/secc', reason: 'superseded', at: T + DAY }, { id: 'iso2/cpo-sub2', reason: 'keyCompromise' }], 'iso2/cpo-sub2', 'iso2/secc', revoked('cACompromise')],
    ['Sub-CA 1 and Sub-CA 2 both compromised: the earlier time', [{ id: 'iso2/cpo-sub2', reason: 'keyCompromise', at: T + HOUR }, { id: 'iso2/cpo-sub1', reason: 'cACompromise', at: T }], 'iso2/cpo-sub2', 'iso2/secc', revoked('cACompromise', T)],
  ])('%s', (_name, revocations, authorityId, certificate, expected) => {
    const statuses = statusesWith(revocations);
    try {
      const serialHex = typeof certificate === 'string' ? serialOf(certificate === 'contract' ? contractId() : certificate) : certificate.serialHex;
      expect(statuses.status(authorityId, serialHex)).toEqual(expected);
    } finally {
      statuses.close();
    }
  });

  it('a loop of issuers in a hand-edited database ends, it does not hang', () => {
    const looped: CaDatabase = {
      ...original,
      entries: original.entries.map((e) => (e.id === 'iso2/cpo-sub1' ? { ...e, issuerId: 'iso2/cpo-sub2' } : e)),
    };
    const path = join(dir, 'looped.json');
    writeCaDatabase(path, revokeEntries(looped, ['iso2/cpo-sub1'], T, 'keyCompromise'));
    const statuses = new CaDatabaseStatus(path);
    try {
      expect(statuses.status('iso2/cpo-sub2', serialOf('iso2/secc'))).toEqual(revoked('cACompromise'));
      expect(statuses.status('iso2/mo-sub2', serialOf(contractId()))).toEqual(good);
    } finally {
      statuses.close();
    }
  });
});

describe('the responder over HTTP after `pnc pki revoke` of a CPO Sub-CA 2 (keyCompromise)', () => {
  let statuses: CaDatabaseStatus;
  let core: OcspResponderCore;
  let server: RunningOcspServer;
  let url: string;
  let listener: SeccListener;
  let staple: Buffer | undefined;
  const secc = (): ReturnType<typeof pki.certificate> => pki.certificate('iso2/secc');
  const sub2 = (): ReturnType<typeof pki.certificate> => pki.certificate('iso2/cpo-sub2');

  /** What a charger staples: a nonce-less answer for its leaf (RFC 5019), fetched over HTTP from the responder. */
  async function fetchStaple(): Promise<Buffer> {
    const request = encodeOcspRequest([certIdFor(secc(), sub2(), 'SHA256')]);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: request, signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  }

  const evConnect = (): ReturnType<typeof connectToSecc> =>
    connectToSecc({
      host: '127.0.0.1',
      port: listener.port,
      security: 'iso2',
      seccTrust: createTrustStore([{ der: pki.der('iso2/v2g-root'), source: 'V2G root' }]),
      timeoutMs: 5000,
    });

  beforeAll(async () => {
    statuses = new CaDatabaseStatus(pki.databasePath);
    core = new OcspResponderCore({ authorities: authoritiesFromPki(pki, passphrase), statuses });
    server = await startOcspServer(core);
    url = `${server.origin}/ocsp`;
    listener = await startSeccListener({
      host: '127.0.0.1',
      credentials: [{ suite: 'iso2', keyPem: readFileSync(pki.path(pki.entry('iso2/secc').key), 'utf8'), passphrase, chain: ['iso2/secc', 'iso2/cpo-sub2', 'iso2/cpo-sub1'].map((id) => pki.der(id)) }],
      handshakeTimeoutMs: 5000,
      ocspStaple: () => staple,
      onConnection: (c) => c.socket.on('error', () => undefined),
    });
  });
  afterAll(async () => {
    await listener?.close();
    await server?.close();
    statuses?.close();
  });

  it('before: good at the responder, our OCSP client verifies it, and the EV accepts the stapled answer', async () => {
    const checked = await new OcspClient().check(secc(), sub2(), url);
    expect(checked.status).toEqual(good);
    staple = await fetchStaple();
    // The same nonce-less request is now pre-produced: the revocation below must still reach it.
    expect(core.respond(encodeOcspRequest([certIdFor(secc(), sub2(), 'SHA256')])).reused).toBe(true);
    const c = await evConnect();
    try {
      expect(c.secure && c.ocsp).toBe('good');
    } finally {
      c.socket.destroy();
    }
  });

  it('after: revoked (cACompromise, at the CA\'s revocation time) for the SECC leaf, the Sub-CA 2 itself keyCompromise', async () => {
    const at = Math.floor((Date.now() - 60_000) / 1000) * 1000;
    revokeInPki(dir, 'iso2/cpo-sub2', { reason: 'keyCompromise', at });

    const leaf = await new OcspClient().check(secc(), sub2(), url);
    expect(leaf.status).toEqual(revoked('cACompromise', at));
    expect(leaf.signedBy).toBe('pnc-stack CPO Sub-CA 2 OCSP');
    const ca = await new OcspClient().check(sub2(), pki.certificate('iso2/cpo-sub1'), url);
    expect(ca.status).toEqual(revoked('keyCompromise', at));
    // Another branch is not touched.
    const contract = await new OcspClient().check(pki.certificate(contractId()), pki.certificate('iso2/mo-sub2'), url);
    expect(contract.status).toEqual(good);

    // The pre-produced good answer was dropped: the nonce-less request gets a fresh, revoked one.
    staple = await fetchStaple();
    const stapled = verifyOcspResponse(staple, { requests: [{ certId: certIdFor(secc(), sub2(), 'SHA256'), issuer: sub2() }], now: Date.now() });
    expect(stapled.results[0]!.status).toEqual(revoked('cACompromise', at));
  });

  it('after: the EV refuses the SECC that staples that answer (ocsp-revoked), before sending anything', async () => {
    expect(staple).toBeDefined();
    const e = await evConnect().then(
      (c) => {
        c.socket.destroy();
        throw new Error('the EV accepted a SECC under a compromised Sub-CA 2');
      },
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(EvccTlsError);
    expect((e as EvccTlsError).code).toBe('ocsp-revoked');
    expect((e as EvccTlsError).message).toMatch(/revoked \(cACompromise\)/);
    // The chain is kept with the error (for the EV's trace).
    expect((e as EvccTlsError).seccChain?.map((d) => d.length)).toEqual(['iso2/secc', 'iso2/cpo-sub2', 'iso2/cpo-sub1'].map((id) => pki.der(id).length));
  });
});
