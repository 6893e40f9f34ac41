// The whole charger against a strict OCPP 2.0.1 CSMS (ocpp-rpc strict mode validates every frame both ways), with an
// EV over ISO 15118-2 TLS: registration, PnC and EIM transactions, offline operation and reconciliation.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePem } from '../../src/pki/certificate/pem.js';
import { parseCertificationRequestPem } from '../../src/pki/certificate/certificationRequest.js';
import { certIdFor, certIdFromRequestData } from '../../src/pki/ocsp/certId.js';
import { encodeOcspRequest } from '../../src/pki/ocsp/ocspMessages.js';
import { OcspResponderCore } from '../../src/pki/ocsp/ocspResponderCore.js';
import { cert, NOW } from '../helpers/fixtures.js';
import { contractCredential } from '../helpers/seccTestbed.js';
import { clockFrom, cpoSignedSeccLeaf, seccChainPem, startStationTestbed, STATION_ID, type StationTestbed } from '../helpers/stationTestbed.js';

let bed: StationTestbed;
beforeAll(async () => {
  bed = await startStationTestbed();
  await bed.csms.waitFor(STATION_ID, 'StatusNotification');
});
afterAll(async () => {
  await bed?.close();
});

const emaid = contractCredential('iso2').emaid;

describe('registration', () => {
  it('BootNotification (PowerUp) then StatusNotification Available, in that order', () => {
    const frames = bed.csms.frames(STATION_ID).filter((f) => f.type === 'CALL');
    expect(frames[0]).toMatchObject({ action: 'BootNotification', payload: { reason: 'PowerUp', chargingStation: { model: 'pnc-test', vendorName: 'pnc-stack' } } });
    expect(frames[1]).toMatchObject({ action: 'StatusNotification', payload: { connectorStatus: 'Available', evseId: 1, connectorId: 1 } });
    expect(bed.station.registered).toBe(true);
  });
});

describe('a PnC session online', () => {
  it('one Authorize with the eMAID and OCSP hash data, one transaction Started → Ended with the eMAID once', async () => {
    const before = bed.csms.frames(STATION_ID).length;
    const r = await bed.ev();
    expect(r.outcome).toBe('OK');
    const ended = await bed.csms.waitFor(STATION_ID, 'TransactionEvent', (t) => t.eventType === 'Ended', { afterSeq: before });
    const calls = bed.csms.frames(STATION_ID).slice(before).filter((f) => f.type === 'CALL');
    const authorizes = calls.filter((f) => f.action === 'Authorize');
    expect(authorizes).toHaveLength(1);
    expect(authorizes[0]!.payload).toMatchObject({ idToken: { idToken: emaid, type: 'eMAID' } });
    expect((authorizes[0]!.payload as { iso15118CertificateHashData: unknown[] }).iso15118CertificateHashData.length).toBeGreaterThan(0);
    const tx = calls.filter((f) => f.action === 'TransactionEvent').map((f) => f.payload as { eventType: string; seqNo: number; idToken?: { idToken: string }; transactionInfo: { transactionId: string } });
    expect(tx.map((t) => t.eventType)).toEqual(['Started', 'Ended']);
    expect(tx.map((t) => t.seqNo)).toEqual([0, 1]);
    expect(tx[0]!.idToken?.idToken).toBe(emaid);
    expect(tx[1]!.idToken).toBeUndefined();
    expect(new Set(tx.map((t) => t.transactionInfo.transactionId)).size).toBe(1);
    expect(ended.payload.transactionInfo.stoppedReason).toBe('StoppedByEV');
  });
});

const RFID = { idToken: 'AABBCCDD11', type: 'ISO14443' as const };
const txEvents = (afterSeq: number) =>
  bed.csms
    .frames(STATION_ID)
    .filter((f) => f.seq > afterSeq && f.type === 'CALL' && f.action === 'TransactionEvent')
    .map((f) => f.payload as { eventType: string; seqNo: number; offline?: boolean; idToken?: { idToken: string; type: string }; transactionInfo: { transactionId: string; stoppedReason?: string } });
const authorizes = (afterSeq: number) => bed.csms.frames(STATION_ID).filter((f) => f.seq > afterSeq && f.type === 'CALL' && f.action === 'Authorize').map((f) => f.payload as { idToken: { idToken: string; type: string } });
const lastSeq = () => bed.csms.frames(STATION_ID).at(-1)?.seq ?? 0;
const ended = (afterSeq: number) => bed.csms.waitFor(STATION_ID, 'TransactionEvent', (t) => t.eventType === 'Ended', { afterSeq, timeoutMs: 15_000 });

describe('identification: EIM and PnC identify a plug-in once', () => {
  it('EIM first (tap, then plug in): PnC is not offered, one Authorize, one transaction with the RFID token', async () => {
    const from = lastSeq();
    await bed.station.presentIdToken(1, RFID);
    const r = await bed.ev({ auth: 'eim' });
    expect(r.outcome).toBe('OK');
    await ended(from);
    expect(authorizes(from).map((a) => a.idToken)).toEqual([RFID]);
    const tx = txEvents(from);
    expect(tx.filter((t) => t.eventType === 'Started')).toHaveLength(1);
    expect(tx[0]!.idToken).toEqual(RFID);
    const offer = bed.events.filter((e) => e.kind === 'check' && e.check === 'identification offer').at(-1);
    expect(offer && 'detail' in offer ? offer.detail : '').toMatch(/^offered eim\b|ExternalPayment|offered eim$/);
  });

  it('an RFID tap while PnC waits for the CSMS is held and dropped when PnC succeeds: one Authorize, one Started', async () => {
    const from = lastSeq();
    bed.csms.answer('Authorize', (req) => new Promise((resolve) => setTimeout(() => resolve({ idTokenInfo: { status: 'Accepted' }, ...(req.iso15118CertificateHashData ? { certificateStatus: 'Accepted' as const } : {}) }), 800)));
    const session = bed.ev();
    await bed.csms.waitFor(STATION_ID, 'Authorize', (a) => a.idToken.type === 'eMAID', { afterSeq: from });
    await bed.station.presentIdToken(1, RFID);
    const r = await session;
    bed.csms.answer('Authorize', undefined);
    expect(r.outcome).toBe('OK');
    await ended(from);
    expect(authorizes(from).map((a) => a.idToken.type)).toEqual(['eMAID']);
    const tx = txEvents(from);
    expect(tx.filter((t) => t.eventType === 'Started')).toHaveLength(1);
    expect(tx[0]!.idToken).toEqual({ idToken: emaid, type: 'eMAID' });
  });

  it('PnC refused by the CSMS while a tap was held: the tap identifies (EIM as backup), still one transaction', async () => {
    const from = lastSeq();
    bed.csms.answer('Authorize', (req) =>
      req.idToken.type === 'eMAID'
        ? new Promise((resolve) => setTimeout(() => resolve({ idTokenInfo: { status: 'Unknown' }, certificateStatus: 'Accepted' }), 600))
        : { idTokenInfo: { status: 'Accepted' } },
    );
    const session = bed.ev();
    await bed.csms.waitFor(STATION_ID, 'Authorize', (a) => a.idToken.type === 'eMAID', { afterSeq: from });
    await bed.station.presentIdToken(1, RFID);
    const r = await session;
    bed.csms.answer('Authorize', undefined);
    // -2: a FAILED AuthorizationRes ends the EV's PnC session; the held tap still identified this plug-in once.
    expect(r.authorized).toBe(false);
    expect(authorizes(from).map((a) => a.idToken.type)).toEqual(['eMAID', 'ISO14443']);
    await ended(from);
    expect(txEvents(from).filter((t) => t.eventType === 'Started').map((t) => t.idToken)).toEqual([RFID]);
  });
});

describe('offline: PnC from the local verdict, the block-list, the local list, reconciliation after reconnect', () => {
  const fingerprint = () => createHash('sha256').update(contractCredential('iso2').chain[0]!).digest('hex');

  it('setup over OCPP: ContractValidationOffline true, a local list with the RFID card', async () => {
    const set = await bed.csms.call(STATION_ID, 'SetVariables', { setVariableData: [{ component: { name: 'ISO15118Ctrlr' }, variable: { name: 'ContractValidationOffline' }, attributeValue: 'true' }] });
    expect(set.setVariableResult[0]!.attributeStatus).toBe('Accepted');
    const list = await bed.csms.call(STATION_ID, 'SendLocalList', { versionNumber: 1, updateType: 'Full', localAuthorizationList: [{ idToken: RFID, idTokenInfo: { status: 'Accepted' } }] });
    expect(list.status).toBe('Accepted');
    expect(bed.station.variables().contractValidationOffline).toBe(true);
  });

  it('CSMS unreachable at plug-in: PnC accepted on the valid local verdict, events queued with offline=true', async () => {
    await bed.csms.stop();
    const r = await bed.ev();
    expect(r.outcome).toBe('OK');
    await bed.station.evses[0]!.settled();
    expect(await bed.store.queueLength()).toBeGreaterThanOrEqual(2);
  });

  it('after reconnect the queue is delivered in order; the CSMS refuses the contract afterwards → fingerprint blocked', async () => {
    const from = lastSeq();
    bed.csms.answer('TransactionEvent', (req) => (req.idToken ? { idTokenInfo: { status: 'Blocked' } } : {}));
    await bed.csms.start();
    await ended(from);
    bed.csms.answer('TransactionEvent', undefined);
    const tx = txEvents(from);
    expect(tx.map((t) => [t.eventType, t.seqNo, t.offline])).toEqual([
      ['Started', 0, true],
      ['Ended', 1, true],
    ]);
    expect(authorizes(from)).toEqual([]);
    await bed.station.queue.settled();
    expect(await bed.store.queueLength()).toBe(0);
    expect(await bed.store.isBlocked(fingerprint())).toBe(true);
  });

  it('offline again: the blocked contract is refused; the RFID card on the local list charges', async () => {
    await bed.csms.stop();
    const pnc = await bed.ev();
    expect(pnc.authorized).toBe(false);
    expect(bed.events.some((e) => e.kind === 'check' && e.check === 'offline contract authorization' && !e.ok && /failed a billing validation/.test(e.detail ?? ''))).toBe(true);
    await bed.station.presentIdToken(1, RFID);
    const eim = await bed.ev({ auth: 'eim' });
    expect(eim.outcome).toBe('OK');
    const from = lastSeq();
    await bed.csms.start();
    await ended(from);
    const started = txEvents(from).filter((t) => t.eventType === 'Started');
    expect(started.map((t) => [t.idToken, t.offline])).toEqual([[RFID, true]]);
  });

  it('an unknown card offline is refused (OfflineTxForUnknownIdEnabled false)', async () => {
    await bed.csms.stop();
    await bed.station.presentIdToken(1, { idToken: 'FFFF0000', type: 'ISO14443' });
    const r = await bed.ev({ auth: 'eim' });
    expect(r.authorized).toBe(false);
    expect(bed.events.some((e) => e.kind === 'check' && e.check === 'offline EIM authorization' && !e.ok)).toBe(true);
    await bed.csms.start();
    await bed.csms.waitForConnection(STATION_ID, { count: 4 });
  });
});

describe('the CSMS answer as the EV reads it', () => {
  it('revoked at the CSMS: FAILED_CertificateRevoked, no transaction', async () => {
    const from = lastSeq();
    bed.csms.answer('Authorize', () => ({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' }));
    const r = await bed.ev();
    bed.csms.answer('Authorize', undefined);
    expect(r).toMatchObject({ outcome: 'FAILED_CertificateRevoked', charged: false });
    expect(txEvents(from)).toEqual([]);
  });

  it('a slow CSMS: the SECC answers Ongoing meanwhile, then Finished', async () => {
    bed.csms.answer('Authorize', () => new Promise((resolve) => setTimeout(() => resolve({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' }), 1800)));
    const r = await bed.ev();
    bed.csms.answer('Authorize', undefined);
    expect(r.outcome).toBe('OK');
    expect(r.responseCodes.AuthorizationRes).toBe('OK');
  });
});

describe('CSMS → station: device model, certificates, local list, trigger', () => {
  it('GetVariables / SetVariables: typed values, read-only and unknown variables refused', async () => {
    const set = await bed.csms.call(STATION_ID, 'SetVariables', {
      setVariableData: [
        { component: { name: 'ISO15118Ctrlr' }, variable: { name: 'CentralContractValidationAllowed' }, attributeValue: 'true' },
        { component: { name: 'ISO15118Ctrlr' }, variable: { name: 'PnCEnabled' }, attributeValue: 'yes' },
        { component: { name: 'ISO15118Ctrlr' }, variable: { name: 'CountryName' }, attributeValue: 'DEU' },
        { component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'Entries' }, attributeValue: '3' },
        { component: { name: 'NoSuchCtrlr' }, variable: { name: 'X' }, attributeValue: '1' },
      ],
    });
    expect(set.setVariableResult.map((r) => r.attributeStatus)).toEqual(['Accepted', 'Rejected', 'Rejected', 'Rejected', 'UnknownComponent']);
    const get = await bed.csms.call(STATION_ID, 'GetVariables', {
      getVariableData: [
        { component: { name: 'ISO15118Ctrlr' }, variable: { name: 'CentralContractValidationAllowed' } },
        { component: { name: 'ISO15118Ctrlr' }, variable: { name: 'SeccId' } },
        { component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'Entries' } },
        { component: { name: 'AuthCtrlr' }, variable: { name: 'LocalAuthorizeOffline' } },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
      ],
    });
    expect(get.getVariableResult.map((r) => [r.attributeStatus, r.attributeValue])).toEqual([
      ['Accepted', 'true'],
      ['Accepted', 'DE*PNC*E00001'],
      ['Accepted', '1'],
      ['Accepted', 'true'],
      ['Rejected', undefined],
    ]);
    // Survives a restart: it is in the store.
    const stored = await bed.store.readVariables();
    expect([...stored.entries()].find(([k]) => k.endsWith('CentralContractValidationAllowed'))?.[1]).toBe('true');
  });

  it('InstallCertificate → GetInstalledCertificateIds → DeleteCertificate → NotFound', async () => {
    const root = cert('iso20-p521/mo-root');
    const pem = encodePem('CERTIFICATE', root.der);
    expect(await bed.csms.call(STATION_ID, 'InstallCertificate', { certificateType: 'MORootCertificate', certificate: pem })).toEqual({ status: 'Accepted' });
    expect((await bed.csms.call(STATION_ID, 'InstallCertificate', { certificateType: 'MORootCertificate', certificate: encodePem('CERTIFICATE', cert('iso2/cpo-sub2').der) })).status).toBe('Rejected');
    expect((await bed.csms.call(STATION_ID, 'InstallCertificate', { certificateType: 'V2GRootCertificate', certificate: 'garbage' })).status).toBe('Rejected');
    const ids = await bed.csms.call(STATION_ID, 'GetInstalledCertificateIds', { certificateType: ['MORootCertificate'] });
    expect(ids.status).toBe('Accepted');
    expect(ids.certificateHashDataChain).toHaveLength(2);
    const all = await bed.csms.call(STATION_ID, 'GetInstalledCertificateIds', {});
    expect(all.certificateHashDataChain!.map((c) => c.certificateType).sort()).toEqual(['MORootCertificate', 'MORootCertificate', 'V2GCertificateChain', 'V2GRootCertificate']);
    const added = ids.certificateHashDataChain!.find((c) => c.certificateHashData.serialNumber === root.cert.serialHex.replace(/^0+/, '').toLowerCase())!;
    expect(added).toBeDefined();
    expect(await bed.csms.call(STATION_ID, 'DeleteCertificate', { certificateHashData: added.certificateHashData })).toEqual({ status: 'Accepted' });
    expect((await bed.csms.call(STATION_ID, 'DeleteCertificate', { certificateHashData: added.certificateHashData })).status).toBe('NotFound');
    // The charger's own SECC certificate cannot be deleted this way.
    const secc = all.certificateHashDataChain!.find((c) => c.certificateType === 'V2GCertificateChain')!;
    expect((await bed.csms.call(STATION_ID, 'DeleteCertificate', { certificateHashData: secc.certificateHashData })).status).toBe('Failed');
  });

  it('SendLocalList Differential / GetLocalListVersion; an old version is a VersionMismatch', async () => {
    expect(await bed.csms.call(STATION_ID, 'GetLocalListVersion', {})).toEqual({ versionNumber: 1 });
    const d = await bed.csms.call(STATION_ID, 'SendLocalList', { versionNumber: 2, updateType: 'Differential', localAuthorizationList: [{ idToken: { idToken: 'CAFE01', type: 'ISO14443' }, idTokenInfo: { status: 'Blocked' } }] });
    expect(d.status).toBe('Accepted');
    expect((await bed.csms.call(STATION_ID, 'SendLocalList', { versionNumber: 2, updateType: 'Differential' })).status).toBe('VersionMismatch');
    expect(await bed.csms.call(STATION_ID, 'GetLocalListVersion', {})).toEqual({ versionNumber: 2 });
  });
});

describe('SECC certificate: OCSP stapling data and renewal', () => {
  it('GetCertificateStatus: the OCSP response the CSMS returns is checked and stapled; the EV sees it', async () => {
    const sub2 = cert('iso2/cpo-sub2');
    const core = new OcspResponderCore({ authorities: [{ id: 'cpo-sub2', ca: sub2.cert, signer: { cert: sub2.cert, key: sub2.key.privateKey } }], statuses: { status: () => ({ status: 'good' }), version: () => 1 }, now: clockFrom(NOW) });
    bed.csms.answer('GetCertificateStatus', (req) => {
      const answer = core.respond(encodeOcspRequest([certIdFromRequestData(req.ocspRequestData)]));
      return { status: 'Accepted', ocspResult: answer.response.toString('base64') };
    });
    const result = await bed.station.refreshOcsp();
    expect(result.get('iso2')).toBe('good');
    const r = await bed.ev();
    expect(r.outcome).toBe('OK');
    expect(r.tls?.ocsp).toMatch(/good/);
  });

  it('a GetCertificateStatus answer for another certificate is refused, the old staple stays', async () => {
    const other = cert('iso2/mo-sub2');
    const core = new OcspResponderCore({ authorities: [{ id: 'mo', ca: other.cert, signer: { cert: other.cert, key: other.key.privateKey } }], statuses: { status: () => ({ status: 'good' }), version: () => 1 }, now: clockFrom(NOW) });
    bed.csms.answer('GetCertificateStatus', () => ({ status: 'Accepted', ocspResult: core.respond(encodeOcspRequest([certIdFor(cert('iso2/mo-sub1').cert, other.cert)])).response.toString('base64') }));
    const result = await bed.station.refreshOcsp();
    expect(result.get('iso2')).toMatch(/OCSP response refused/);
    expect(bed.station.stapling.staple('iso2')).toBeDefined();
    bed.csms.answer('GetCertificateStatus', undefined);
  });

  it('TriggerMessage SignV2GCertificate → SignCertificate with a CSR (SeccId, O, C, DC=CPO) → CertificateSigned → the next EV sees the new chain', async () => {
    const from = lastSeq();
    expect(await bed.csms.call(STATION_ID, 'TriggerMessage', { requestedMessage: 'SignV2GCertificate' })).toEqual({ status: 'Accepted' });
    const sign = await bed.csms.waitFor(STATION_ID, 'SignCertificate', undefined, { afterSeq: from });
    expect(sign.payload.certificateType).toBe('V2GCertificate');
    const csr = parseCertificationRequestPem(sign.payload.csr);
    expect(csr.subject).toMatchObject({ commonName: 'DE*PNC*E00001', organization: 'PNC CPO', country: 'DE', domainComponents: ['CPO'] });
    const sign2 = (dc: string | undefined, key = csr.publicKey) => cpoSignedSeccLeaf(key, dc);
    const chainPem = seccChainPem;
    // A leaf without DC=CPO, or for another key, is refused; the current certificate stays.
    expect((await bed.csms.call(STATION_ID, 'CertificateSigned', { certificateChain: chainPem(sign2('MO')), certificateType: 'V2GCertificate' })).status).toBe('Rejected');
    expect((await bed.csms.call(STATION_ID, 'CertificateSigned', { certificateChain: chainPem(sign2('CPO', cert('iso2/secc').key.publicKey)), certificateType: 'V2GCertificate' })).status).toBe('Rejected');
    const leaf = sign2('CPO');
    expect(await bed.csms.call(STATION_ID, 'CertificateSigned', { certificateChain: chainPem(leaf), certificateType: 'V2GCertificate' })).toEqual({ status: 'Accepted' });
    const stored = await bed.store.seccCredential('iso2');
    expect(stored!.chain[0]!.equals(leaf)).toBe(true);
    const r = await bed.ev();
    expect(r.outcome).toBe('OK');
    const tls = bed.events.filter((e) => e.kind === 'verdict' && e.verdict === 'SECC certificate renewed');
    expect(tls).toHaveLength(1);
  });
});

describe('faults', () => {
  // The CSMS is cut off right after the Started event reached it, before its answer reached the charger: the charger
  // cannot know it arrived and sends it again (at-least-once). OCPP's seqNo is what makes that safe: the repeat is the
  // identical message, and the CSMS's ledger keyed by (transactionId, seqNo) has every event exactly once.
  it('the CSMS goes away mid-transaction: events queued (offline=true), delivered in order after reconnect; the ledger has each seqNo once, none lost', async () => {
    await bed.csms.call(STATION_ID, 'SetVariables', { setVariableData: [{ component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: '1' }] });
    const from = lastSeq();
    const session = bed.ev({ chargeLoops: 30, chargeLoopPauseMs: 100 });
    const started = await bed.csms.waitFor(STATION_ID, 'TransactionEvent', (t) => t.eventType === 'Started', { afterSeq: from });
    await bed.csms.stop();
    await new Promise((r) => setTimeout(r, 1600));
    await bed.csms.start();
    const r = await session;
    expect(r.outcome).toBe('OK');
    await ended(from);
    await bed.csms.call(STATION_ID, 'SetVariables', { setVariableData: [{ component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: '0' }] });
    const raw = txEvents(from).filter((t) => t.transactionInfo.transactionId === started.payload.transactionInfo.transactionId);
    const ledger = new Map<number, (typeof raw)[number]>();
    for (const t of raw) {
      const seen = ledger.get(t.seqNo);
      if (seen) expect(t, `seqNo ${t.seqNo} sent again`).toEqual(seen);
      ledger.set(t.seqNo, t);
    }
    const tx = [...ledger.values()];
    expect(tx.map((t) => t.seqNo)).toEqual(tx.map((_, i) => i));
    // In order: a later seqNo never arrives before an earlier one was first delivered.
    expect(raw.map((t) => t.seqNo)).toEqual([...raw.map((t) => t.seqNo)].sort((a, b) => a - b));
    expect(tx.at(-1)!.eventType).toBe('Ended');
    expect(tx.some((t) => t.offline)).toBe(true);
    expect(await bed.store.queueLength()).toBe(0);
  });
});

describe('a later rejection stops the session (TxCtrlr.StopTxOnInvalidId)', () => {
  it('the CSMS answers the Started event with idToken Blocked: the EV is told to stop, the transaction ends DeAuthorized', async () => {
    const from = lastSeq();
    bed.csms.answer('TransactionEvent', (req) => (req.idToken ? { idTokenInfo: { status: 'Blocked' } } : {}));
    const r = await bed.ev({ chargeLoops: 100, chargeLoopPauseMs: 50 });
    bed.csms.answer('TransactionEvent', undefined);
    expect(r).toMatchObject({ outcome: 'OK', stoppedByCharger: true });
    const end = await ended(from);
    expect(end.payload).toMatchObject({ triggerReason: 'Deauthorized', transactionInfo: { stoppedReason: 'DeAuthorized' } });
  });
});

describe('nothing of the contract stays behind', () => {
  it('after the sessions, neither the database files nor the log hold the eMAID or any certificate of the contract chain', async () => {
    await bed.station.queue.settled();
    const files = [bed.dbFile, `${bed.dbFile}-wal`, `${bed.dbFile}-shm`].filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThan(0);
    const needles = [Buffer.from(emaid), Buffer.from(emaid, 'utf16le'), ...contractCredential('iso2').chain.slice(0, 1), contractCredential('iso2').chain[0]!.subarray(-64)];
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const n of needles) expect(bytes.includes(n), `${f} holds ${n.length} bytes of the contract`).toBe(false);
    }
    const log = bed.log();
    expect(log.length).toBeGreaterThan(1000);
    expect(log).not.toContain(emaid);
    expect(log).not.toContain(contractCredential('iso2').chain[0]!.toString('base64').slice(0, 60));
    // The masked form is there: the sessions were logged.
    expect(log).toContain(emaid.slice(0, 5));
  });
});
