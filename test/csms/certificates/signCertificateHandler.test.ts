// SignCertificate → CertificateSigned end to end: our charger renews its SECC certificate with the CSMS's CPO Sub-CA 2
// (TriggerMessage SignV2GCertificate → SignCertificate → Accepted → CertificateSigned → Accepted → the charger serves
// the new chain to EVs); and, with a bare strict station, what our charger never sends: DC=MO, station certificates,
// no certificateType, a station that refuses or does not answer, the same CSR twice.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BackgroundJobs } from '../../../src/csms/certificates/backgroundJobs.js';
import { IssuedCertificateStore } from '../../../src/csms/certificates/issuedCertificateStore.js';
import { signCertificateHandler, type SignCertificateDeps } from '../../../src/csms/certificates/signCertificateHandler.js';
import { StationCertificateSigner } from '../../../src/csms/certificates/stationCertificateSigner.js';
import { cpoSubCa2From, V2gCertificateSigner } from '../../../src/csms/certificates/v2gCertificateSigner.js';
import type { CsmsHandler } from '../../../src/csms/csmsTypes.js';
import { connectToSecc } from '../../../src/iso15118/tls/evccConnect.js';
import { hasKeyUsage, parseCertificate } from '../../../src/pki/certificate/certificate.js';
import { decodePemCertificates } from '../../../src/pki/certificate/pem.js';
import { buildCertificate, ext, keyIdentifier, randomSerial } from '../../../src/pki/generator/certificateBuilder.js';
import { Oid } from '../../../src/pki/oids.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import { cert, NOW } from '../../helpers/fixtures.js';
import { opensslVerify } from '../../helpers/openssl.js';
import { clockFrom, startStationTestbed, STATION_ID, type StationTestbed } from '../../helpers/stationTestbed.js';
import { evTrust } from '../../helpers/tlsTestbed.js';
import { attr, sampleCsr, seccSubject } from './csrSamples.js';
import { connectBareStation, serve, stationCallerOver, type BareStation } from './testStations.js';

const clock = clockFrom(NOW);
let bed: StationTestbed;
let db: StoreDatabase<unknown>;
let log: IssuedCertificateStore;
let events: TraceEvent[];
let jobs: BackgroundJobs;
let handler: CsmsHandler<'SignCertificate'>;

// A CSO PKI for station certificates: root and issuing CA.
const csoRootKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const csoCaKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const csoRoot = buildCertificate({
  serial: randomSerial(),
  subject: { country: 'DE', organization: 'PNC CSO', commonName: 'PNC CSO Root' },
  issuer: { country: 'DE', organization: 'PNC CSO', commonName: 'PNC CSO Root' },
  notBefore: NOW - 86_400_000,
  notAfter: NOW + 3650 * 86_400_000,
  publicKey: csoRootKey.publicKey,
  extensions: [ext.basicConstraints(true), ext.keyUsage(['keyCertSign', 'cRLSign']), ext.subjectKeyIdentifier(keyIdentifier(csoRootKey.publicKey))],
  signatureAlgorithm: 'ecdsa-with-SHA256',
  signingKey: csoRootKey.privateKey,
});
const csoCa = buildCertificate({
  serial: randomSerial(),
  subject: { country: 'DE', organization: 'PNC CSO', commonName: 'PNC CSO Issuing CA' },
  issuer: parseCertificate(csoRoot).subjectRaw,
  notBefore: NOW - 86_400_000,
  notAfter: NOW + 1000 * 86_400_000,
  publicKey: csoCaKey.publicKey,
  extensions: [ext.basicConstraints(true, 0), ext.keyUsage(['keyCertSign', 'cRLSign']), ext.subjectKeyIdentifier(keyIdentifier(csoCaKey.publicKey)), ext.authorityKeyIdentifier(keyIdentifier(csoRootKey.publicKey))],
  signatureAlgorithm: 'ecdsa-with-SHA256',
  signingKey: csoRootKey.privateKey,
});

const v2gSigner = new V2gCertificateSigner([cpoSubCa2From([cert('iso2/cpo-sub2').der, cert('iso2/cpo-sub1').der], cert('iso2/cpo-sub2').key.privateKey, 'fixture')], { clock });
const stationSigner = new StationCertificateSigner([csoCa, csoRoot], csoCaKey.privateKey, { clock });

function makeHandler(over: Partial<SignCertificateDeps> = {}): CsmsHandler<'SignCertificate'> {
  return signCertificateHandler({ stations: stationCallerOver(bed.csms, () => [STATION_ID, 'CS-RAW']), store: log, tracer: silentTracer('csms', [(e) => events.push(e)]), jobs, v2gSigner, stationSigner, callTimeoutMs: 2000, ...over });
}

beforeAll(async () => {
  bed = await startStationTestbed();
  await bed.csms.waitFor(STATION_ID, 'StatusNotification');
  db = await openDatabase<unknown>('sqlite::memory:');
  log = await IssuedCertificateStore.open(db);
});
afterAll(async () => {
  await jobs?.close();
  await bed?.close();
  await db?.close();
});
beforeEach(() => {
  events = [];
  jobs = new BackgroundJobs((e) => events.push({ kind: 'error', party: 'csms', error: 'job', detail: String(e) }));
  handler = makeHandler();
  serve(bed.csms, 'SignCertificate', handler);
});

describe('our charger renews its SECC certificate through the CSMS', () => {
  it('TriggerMessage SignV2GCertificate → SignCertificate Accepted → CertificateSigned Accepted → the EV sees the new chain', async () => {
    const stations = stationCallerOver(bed.csms, () => [STATION_ID]);
    const from = bed.csms.frames(STATION_ID).at(-1)?.seq ?? 0;
    expect(await stations.call(STATION_ID, 'TriggerMessage', { requestedMessage: 'SignV2GCertificate' })).toEqual({ status: 'Accepted' });
    const sign = await bed.csms.waitFor(STATION_ID, 'SignCertificate', undefined, { afterSeq: from });
    expect(sign.payload.certificateType).toBe('V2GCertificate');
    // The charger's answer to CertificateSigned is the next CALLRESULT it sends.
    const signed = await bed.csms.waitForFrame(STATION_ID, (f) => f.type === 'CALLRESULT', { afterSeq: sign.seq, timeoutMs: 10_000 });
    expect(signed.payload).toEqual({ status: 'Accepted' });
    await jobs.idle();
    // What the charger got as SignCertificateResponse.
    expect(bed.events.filter((e) => e.kind === 'message' && e.message === 'SignCertificateResponse').at(-1)).toMatchObject({ detail: 'iso2: Accepted' });
    const [record] = await log.list({ stationId: STATION_ID });
    expect(record).toMatchObject({ state: 'answered', stationStatus: 'Accepted', certificateType: 'V2GCertificate', suite: 'iso2' });
    const chain = decodePemCertificates(record!.chainPem!);
    expect(chain).toHaveLength(3);
    const leaf = parseCertificate(chain[0]!);
    expect(leaf.subject).toMatchObject({ commonName: 'DE*PNC*E00001', organization: 'PNC CPO', country: 'DE', domainComponents: ['CPO'] });
    expect(leaf.serialHex).toBe(record!.serialHex);

    // The charger stored it and its TLS server presents it.
    const stored = await bed.store.seccCredential('iso2');
    expect(stored!.chain[0]!.equals(chain[0]!)).toBe(true);
    const connection = await connectToSecc({ host: '127.0.0.1', port: bed.station.seccPort, security: 'iso2', seccTrust: evTrust('iso2'), clock });
    try {
      if (!connection.secure) throw new Error('expected TLS');
      expect(connection.secc.valid).toBe(true);
      expect(connection.secc.path[0]!.der.equals(chain[0]!)).toBe(true);
    } finally {
      connection.socket.destroy();
    }
    const r = await bed.ev();
    expect(r.outcome).toBe('OK');

    const kinds = events.map((e) => (e.kind === 'message' ? e.message : e.kind === 'check' ? `check:${e.ok}` : e.kind === 'verdict' ? e.verdict : `error:${e.error}`));
    expect(kinds).toEqual(['SignCertificateRequest', 'check:true', 'V2GCertificate issued', 'CertificateSignedRequest', 'CertificateSignedResponse']);
    expect(events.every((e) => e.party === 'csms')).toBe(true);
  });
});

describe('a bare strict station', () => {
  let raw: BareStation;
  const certificateSigned: { chain: string; type?: string }[] = [];
  let answer: () => Promise<{ status: 'Accepted' | 'Rejected' }> = () => Promise.resolve({ status: 'Accepted' });
  beforeAll(async () => {
    raw = await connectBareStation(bed.csms, 'CS-RAW', 'raw-station-password-0123');
    raw.handle('CertificateSigned', (req) => {
      certificateSigned.push({ chain: req.certificateChain, ...(req.certificateType ? { type: req.certificateType } : {}) });
      return answer();
    });
  });
  afterAll(async () => {
    await raw?.close();
  });
  beforeEach(() => {
    certificateSigned.length = 0;
    answer = () => Promise.resolve({ status: 'Accepted' });
  });

  it('a CSR with DC=MO is Rejected with InvalidCSR; nothing is signed or sent', async () => {
    const r = await raw.peer.call('SignCertificate', { csr: sampleCsr({ subject: seccSubject({ dc: 'MO' }) }).pem, certificateType: 'V2GCertificate' });
    expect(r).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidCSR' } });
    expect(r.statusInfo?.additionalInfo).toMatch(/DC=CPO/);
    await jobs.idle();
    expect(certificateSigned).toEqual([]);
    expect(events.find((e) => e.kind === 'check')).toMatchObject({ ok: false });
  });

  it('a forged CSR (broken self-signature) and a P-384 key are Rejected', async () => {
    expect((await raw.peer.call('SignCertificate', { csr: sampleCsr({ corruptSignature: true }).pem, certificateType: 'V2GCertificate' })).statusInfo?.additionalInfo).toMatch(/signature/);
    expect((await raw.peer.call('SignCertificate', { csr: sampleCsr({ keyType: 'P-384' }).pem, certificateType: 'V2GCertificate' })).status).toBe('Rejected');
  });

  it('the station refuses the chain: Rejected recorded with its reason', async () => {
    answer = () => Promise.resolve({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidCertificate', additionalInfo: 'not for me' } } as { status: 'Rejected' });
    const csr = sampleCsr();
    expect((await raw.peer.call('SignCertificate', { csr: csr.pem, certificateType: 'V2GCertificate' })).status).toBe('Accepted');
    await jobs.idle();
    expect(certificateSigned).toHaveLength(1);
    expect(certificateSigned[0]!.type).toBe('V2GCertificate');
    const [record] = await log.list({ stationId: 'CS-RAW' });
    expect(record).toMatchObject({ state: 'answered', stationStatus: 'Rejected', detail: 'InvalidCertificate: not for me' });
    // The leaf certifies the CSR's key.
    expect(parseCertificate(decodePemCertificates(certificateSigned[0]!.chain)[0]!).spki.equals(csr.key.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  });

  it('no answer in time: deliveryFailed; the same CSR again sends the same certificate, signs nothing new', async () => {
    let release: (() => void) | undefined;
    answer = () => new Promise((resolve) => (release = () => resolve({ status: 'Accepted' })));
    handler = makeHandler({ callTimeoutMs: 300 });
    serve(bed.csms, 'SignCertificate', handler);
    const csr = sampleCsr();
    expect((await raw.peer.call('SignCertificate', { csr: csr.pem, certificateType: 'V2GCertificate' })).status).toBe('Accepted');
    await jobs.idle();
    const [first] = await log.list({ stationId: 'CS-RAW' });
    expect(first).toMatchObject({ state: 'deliveryFailed' });
    expect(first!.detail).toMatch(/^Timeout/);
    expect(events.some((e) => e.kind === 'error' && e.error === 'CertificateSigned not delivered')).toBe(true);
    release?.();

    answer = () => Promise.resolve({ status: 'Accepted' });
    expect((await raw.peer.call('SignCertificate', { csr: csr.pem, certificateType: 'V2GCertificate' })).status).toBe('Accepted');
    await jobs.idle();
    const all = await log.list({ stationId: 'CS-RAW' });
    expect(all[0]!.id).toBe(first!.id);
    expect(all[0]).toMatchObject({ state: 'answered', stationStatus: 'Accepted' });
    expect(certificateSigned.map((c) => c.chain)).toEqual([first!.chainPem, first!.chainPem]);

    // Once answered, a third copy of the CSR changes nothing and sends nothing.
    expect((await raw.peer.call('SignCertificate', { csr: csr.pem, certificateType: 'V2GCertificate' })).status).toBe('Accepted');
    await jobs.idle();
    expect(certificateSigned).toHaveLength(2);
    expect((await log.list({ stationId: 'CS-RAW' }))[0]!.id).toBe(first!.id);
  });

  it('ChargingStationCertificate with CN = the identity: signed by the CSO CA, client-auth, verifies with openssl', async () => {
    const csr = sampleCsr({ subject: [attr.C('DE'), attr.O('PNC CSO'), attr.CN('CS-RAW')], extensions: [] });
    expect((await raw.peer.call('SignCertificate', { csr: csr.pem, certificateType: 'ChargingStationCertificate' })).status).toBe('Accepted');
    await jobs.idle();
    expect(certificateSigned).toHaveLength(1);
    expect(certificateSigned[0]!.type).toBe('ChargingStationCertificate');
    const chain = decodePemCertificates(certificateSigned[0]!.chain);
    expect(chain).toHaveLength(2); // leaf + issuing CA, no root
    const leaf = parseCertificate(chain[0]!);
    expect(leaf.subject.commonName).toBe('CS-RAW');
    expect(leaf.extKeyUsage).toEqual([Oid.kpClientAuth]);
    expect(hasKeyUsage(leaf, 'digitalSignature')).toBe(true);
    expect((await opensslVerify(chain[0]!, chain.slice(1), [csoRoot], clock())).ok).toBe(true);
    expect((await log.list({ stationId: 'CS-RAW' }))[0]).toMatchObject({ certificateType: 'ChargingStationCertificate', stationStatus: 'Accepted' });
  });

  it('no certificateType: taken as ChargingStationCertificate, and CertificateSigned carries no type either', async () => {
    const ok = sampleCsr({ subject: [attr.C('DE'), attr.O('PNC CSO'), attr.CN('CS-RAW')], extensions: [] });
    expect((await raw.peer.call('SignCertificate', { csr: ok.pem })).status).toBe('Accepted');
    await jobs.idle();
    expect(certificateSigned).toHaveLength(1);
    expect(certificateSigned[0]!.type).toBeUndefined();
    // A SECC CSR without a type is not a V2G certificate request: its CN is not the station identity.
    const secc = await raw.peer.call('SignCertificate', { csr: sampleCsr().pem });
    expect(secc).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidCSR' } });
    expect(secc.statusInfo?.additionalInfo).toMatch(/identity/);
  });

  it('a station certificate for another identity is Rejected', async () => {
    const r = await raw.peer.call('SignCertificate', { csr: sampleCsr({ subject: [attr.C('DE'), attr.O('PNC CSO'), attr.CN(STATION_ID)], extensions: [] }).pem, certificateType: 'ChargingStationCertificate' });
    expect(r.status).toBe('Rejected');
  });

  it('without a CSO CA, or without a CPO Sub-CA: Rejected NotSupported', async () => {
    serve(bed.csms, 'SignCertificate', makeHandler({ stationSigner: undefined, v2gSigner: undefined }));
    const cs = await raw.peer.call('SignCertificate', { csr: sampleCsr({ subject: [attr.C('DE'), attr.O('X'), attr.CN('CS-RAW')] }).pem, certificateType: 'ChargingStationCertificate' });
    expect(cs).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'NotSupported' } });
    expect((await raw.peer.call('SignCertificate', { csr: sampleCsr().pem, certificateType: 'V2GCertificate' })).statusInfo?.reasonCode).toBe('NotSupported');
  });

  it('the station is gone when CertificateSigned is due: deliveryFailed, NotConnected', async () => {
    const gone = await connectBareStation(bed.csms, 'CS-GONE', 'gone-station-password-01');
    serve(bed.csms, 'SignCertificate', makeHandler({ deliveryDelayMs: 300 }));
    expect((await gone.peer.call('SignCertificate', { csr: sampleCsr().pem, certificateType: 'V2GCertificate' })).status).toBe('Accepted');
    await gone.close();
    await jobs.idle();
    const [gone1] = await log.list({ stationId: 'CS-GONE' });
    expect(gone1?.state).toBe('deliveryFailed');
    expect(gone1?.detail).toMatch(/^NotConnected/);
  });

  it('too many jobs in flight: Rejected Busy rather than unbounded work', async () => {
    jobs = new BackgroundJobs(() => undefined, 0);
    serve(bed.csms, 'SignCertificate', makeHandler());
    expect((await raw.peer.call('SignCertificate', { csr: sampleCsr().pem, certificateType: 'V2GCertificate' })).statusInfo?.reasonCode).toBe('Busy');
  });
});
