// Whole ISO 15118-2 sessions over real sockets on loopback: our EV simulator against our SECC, TLS 1.2 and plain TCP,
// PnC and EIM, AC and DC, to SessionStop — and every refusal the SECC owes a misbehaving EV, after which it keeps
// serving other EVs.
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appHandshake, iso2 } from '../../src/exi/index.js';
import { runEvSession, type EvSessionOptions, type EvSessionResult } from '../../src/ev/evSession.js';
import { testEvse } from '../../src/iso15118/session/evseModel.js';
import { startSeccServer, type SeccServer } from '../../src/iso15118/session/seccServer.js';
import { standaloneDecisionPort } from '../../src/iso15118/session/standaloneDecisionPort.js';
import { encodeV2gtp, PAYLOAD_TYPE } from '../../src/iso15118/transport/index.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { cert, chargerTrust, DAY, NOW } from '../helpers/fixtures.js';
import { contractCredential, lastOutcome, seccTestbed } from '../helpers/seccTestbed.js';
import { evTrust, seccCredential, trustOf } from '../helpers/tlsTestbed.js';

const clock = (): number => NOW;
const contract = contractCredential('iso2');
const bed = seccTestbed({ credentials: [seccCredential('iso2')], contractTrust: chargerTrust('iso2') });
const seccEvents = bed.events;
const secc = bed.secc;

let main: SeccServer;
beforeAll(async () => {
  main = await secc({}, { externalAfterMs: 300 });
});
afterAll(async () => {
  await bed.closeAll();
});

function ev(server: SeccServer, o: Partial<EvSessionOptions> = {}): Promise<EvSessionResult> {
  return runEvSession({
    secc: { host: '127.0.0.1', port: server.port },
    protocol: 'iso2',
    security: 'tls',
    auth: 'pnc',
    energy: 'ac',
    contract,
    seccTrust: evTrust('iso2'),
    tracer: silentTracer('ev'),
    clock,
    ongoingPollMs: 50,
    ...o,
  });
}

describe('full sessions to SessionStop', () => {
  it.each([
    ['AC', 'ac'],
    ['DC', 'dc'],
  ] as const)('-2 %s PnC over TLS 1.2: contract verdict, challenge, signature, signed metering receipt', async (_n, energy) => {
    const before = main.outcomes.length;
    const r = await ev(main, { energy });
    expect(r.outcome).toBe('OK');
    expect(r).toMatchObject({ authorized: true, charged: true, stopped: true });
    expect(r.tls).toMatchObject({ version: 'TLSv1.2', cipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', seccValid: true });
    expect(r.responseCodes).toMatchObject({ PaymentDetailsRes: 'OK', AuthorizationRes: 'OK', MeteringReceiptRes: 'OK', SessionStopRes: 'OK' });
    if (energy === 'dc') expect(r.responseCodes).toMatchObject({ CableCheckRes: 'OK', PreChargeRes: 'OK', CurrentDemandRes: 'OK', WeldingDetectionRes: 'OK' });
    const s = await lastOutcome(main, before);
    expect(s).toMatchObject({ protocol: 'iso2', authorizedBy: 'pnc', outcome: 'SessionStop (Terminate)', sessionId: r.sessionId });
  });

  it('-2 EIM over TLS: Ongoing_WaitingForCustomerInteraction until the card is read, then charging', async () => {
    const before = main.outcomes.length;
    const r = await ev(main, { auth: 'eim', contract: undefined });
    expect(r.outcome).toBe('OK');
    expect(r.authorized && r.charged && r.stopped).toBe(true);
    expect(r.responseCodes.MeteringReceiptRes).toBeUndefined();
    expect((await lastOutcome(main, before)).authorizedBy).toBe('eim');
  });

  it('-2 EIM over plain TCP', async () => {
    const r = await ev(main, { auth: 'eim', security: 'none', contract: undefined });
    expect(r.outcome).toBe('OK');
    expect(r.tls).toBeUndefined();
  });

  it('a PnC decision that takes time: Ongoing (unsigned polls), then Finished', async () => {
    const slow = await secc({}, { contractDecisionMs: 300 });
    const from = seccEvents.length;
    const r = await ev(slow);
    expect(r.outcome).toBe('OK');
    const polls = seccEvents.slice(from).filter((e) => e.kind === 'message' && e.session === r.sessionId && e.message === 'AuthorizationReq');
    expect(polls.length).toBeGreaterThan(2);
  });

  it('the SECC traces each message, check and verdict of a session', async () => {
    const from = seccEvents.length;
    const r = await ev(main);
    expect(r.outcome).toBe('OK');
    const events = seccEvents.slice(from).filter((e) => e.session === r.sessionId);
    const checks = events.filter((e) => e.kind === 'check').map((e) => (e.kind === 'check' ? `${e.check}:${e.ok}` : ''));
    expect(checks).toEqual(expect.arrayContaining(['identification offer:true', 'contract chain:true', 'challenge:true', 'signature:true', 'metering receipt signature:true']));
    const received = events.filter((e) => e.kind === 'message' && e.from === 'ev').map((e) => (e.kind === 'message' ? e.message : ''));
    expect(received.slice(0, 6)).toEqual(['ServiceDiscoveryReq', 'PaymentServiceSelectionReq', 'PaymentDetailsReq', 'AuthorizationReq', 'ChargeParameterDiscoveryReq', 'PowerDeliveryReq']);
  });
});

describe('refusals (each ends that session; the SECC keeps serving)', () => {
  it('a replayed AuthorizationReq (old challenge, valid old signature) → FAILED_ChallengeInvalid', async () => {
    const first = await ev(main);
    expect(first.signedAuthorization).toBeDefined();
    const replay = await ev(main, { misbehave: { replay: first.signedAuthorization! } });
    expect(replay.outcome).toBe('FAILED_ChallengeInvalid');
    expect(replay.authorized).toBe(false);
  });

  it('a corrupted signature → FAILED_SignatureError', async () => {
    const r = await ev(main, { misbehave: { corruptSignature: true } });
    expect(r.outcome).toBe('FAILED_SignatureError');
  });

  it('a signed element that differs from the one sent (tampered fragment) → FAILED_SignatureError', async () => {
    const r = await ev(main, { misbehave: { tamperSignedElement: true } });
    expect(r.outcome).toBe('FAILED_SignatureError');
  });

  it('an expired contract chain → FAILED_CertificateExpired at PaymentDetails', async () => {
    const later = await secc({ clock: () => NOW + 731 * DAY, credentials: [seccCredential('iso2')] });
    const r = await ev(later);
    expect(r.outcome).toBe('FAILED_CertificateExpired');
    expect(r.responseCodes.PaymentDetailsRes).toBe('FAILED_CertificateExpired');
  });

  it('a contract chain under an MO root the charger does not hold → FAILED_CertificateNotAllowedAtThisEVSE', async () => {
    const noMo = await secc({ contractTrust: trustOf(['iso2/v2g-root']) });
    const r = await ev(noMo);
    expect(r.outcome).toBe('FAILED_CertificateNotAllowedAtThisEVSE');
  });

  it('an oversize chain (three sub-CAs in -2) → FAILED_CertChainError', async () => {
    const r = await ev(main, { contract: { ...contract, chain: [...contract.chain, cert('iso2/mo-root').der] } });
    expect(r.outcome).toBe('FAILED_CertChainError');
  });

  it('a contract chain whose eMAID differs from the leaf CN → FAILED_CertChainError', async () => {
    const r = await ev(main, { contract: { ...contract, emaid: 'DEPNCC000000099' } });
    expect(r.outcome).toBe('FAILED_CertChainError');
  });

  it('PnC requested over plain TCP: Contract is not offered', async () => {
    const r = await ev(main, { security: 'none' });
    expect(r.outcome).toMatch(/^not offered: Contract \(offered ExternalPayment\)/);
  });

  it('a request out of order → FAILED_SequenceError', async () => {
    const r = await ev(main, { misbehave: { skipToChargeParameters: true } });
    expect(r.outcome).toBe('FAILED_SequenceError');
  });

  it('a SessionID other than the one assigned → FAILED_UnknownSession', async () => {
    const r = await ev(main, { misbehave: { forgeSessionId: true } });
    expect(r.outcome).toBe('FAILED_UnknownSession');
  });

  it.each([
    ['a malformed V2GTP header', Buffer.from('02fd8001000000020000', 'hex'), /^framing: V2GTP version/],
    ['an oversize payload length', Buffer.from('01fe800100a00000', 'hex'), /^framing: V2GTP too-large/],
    ['garbage EXI', encodeV2gtp(PAYLOAD_TYPE.exi, Buffer.from('ffffffffffffffffffff', 'hex')), /^exi: /],
    ['truncated EXI', encodeV2gtp(PAYLOAD_TYPE.exi, Buffer.from('809a02', 'hex')), /^exi: /],
  ])('%s: the SECC closes the connection', async (_n, bytes, secc) => {
    const before = main.outcomes.length;
    const r = await ev(main, { misbehave: { rawAt: { afterMessages: 2, bytes } } });
    expect(r.outcome).toMatch(/^closed: /);
    expect((await lastOutcome(main, before)).outcome).toMatch(secc);
  });

  it('the SECC gives up on a contract decision after its authorization budget → FAILED', async () => {
    const never = await secc({ timeouts: { authorizationBudgetMs: 300 } }, { contractDecisionMs: 3_600_000 });
    const r = await runEvSession({ secc: { host: '127.0.0.1', port: never.port }, protocol: 'iso2', security: 'tls', auth: 'pnc', energy: 'ac', contract, seccTrust: evTrust('iso2'), tracer: silentTracer('ev'), clock, ongoingPollMs: 50 });
    expect(r.outcome).toBe('FAILED');
    expect(r.responseCodes.AuthorizationRes).toBe('FAILED');
  });

  it('a decision port that never answers: Ongoing each poll, FAILED after the budget, and the server still closes', async () => {
    const hung = await startSeccServer({
      host: '127.0.0.1',
      credentials: [seccCredential('iso2')],
      contractTrust: chargerTrust('iso2'),
      decisionPort: { ...standaloneDecisionPort(), authorizeContract: () => new Promise(() => undefined) },
      evse: testEvse(),
      tracer: silentTracer('charger'),
      clock,
      timeouts: { authorizationBudgetMs: 400, decisionWaitMs: 100 },
    });
    const r = await ev(hung);
    expect(r.outcome).toBe('FAILED');
    await hung.close();
    expect(hung.outcomes[0]!.outcome).toMatch(/^FAILED: no contract decision within the authorization budget/);
  });

  it('a decision port that throws: the contract is refused with FAILED, the charger goes on', async () => {
    const broken = await secc({ decisionPort: { ...standaloneDecisionPort(), authorizeContract: () => Promise.reject(new Error('backend down')) } });
    const r = await ev(broken);
    expect(r.outcome).toBe('FAILED');
    expect((await lastOutcome(broken, 0)).outcome).toMatch(/decision port failed: backend down/);
  });

  it('a response instead of a request: the SECC closes the connection and the port hears the end', async () => {
    const before = main.outcomes.length;
    const stray = iso2.encodeIso2({ V2G_Message: { Header: { SessionID: new Uint8Array(8) }, Body: { SessionStopRes: { ResponseCode: 'OK' } } } });
    const r = await ev(main, { misbehave: { rawAt: { afterMessages: 2, bytes: encodeV2gtp(PAYLOAD_TYPE.exi, stray) } } });
    expect(r.outcome).toMatch(/^closed: /);
    expect((await lastOutcome(main, before)).outcome).toMatch(/^exi: SessionStopRes is not a -2 request/);
  });

  it('an EV that goes silent: the SECC ends the session after its sequence time-out', async () => {
    const quick = await secc({ timeouts: { sequenceMs: 200, communicationSetupMs: 200 } });
    const s = netConnect({ host: '127.0.0.1', port: quick.port });
    s.on('error', () => undefined);
    await once(s, 'connect');
    const sap = appHandshake.encodeAppHandshake({
      supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: 'urn:iso:15118:2:2013:MsgDef', VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }] },
    });
    s.write(encodeV2gtp(PAYLOAD_TYPE.exi, sap));
    s.resume();
    await once(s, 'close');
    expect((await lastOutcome(quick, 0)).outcome).toMatch(/^timeout: /);
  });

  it('an EV offering only -20 on a TLS 1.2 connection: Failed_NoNegotiation', async () => {
    const s = netConnect({ host: '127.0.0.1', port: main.port });
    s.on('error', () => undefined);
    await once(s, 'connect');
    const sap = appHandshake.encodeAppHandshake({
      supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: 'urn:iso:std:iso:15118:-20:AC', VersionNumberMajor: 1, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }] },
    });
    s.write(encodeV2gtp(PAYLOAD_TYPE.exi, sap));
    const [data] = (await once(s, 'data')) as [Buffer];
    expect(appHandshake.decodeAppHandshake(data.subarray(8)).supportedAppProtocolRes?.ResponseCode).toBe('Failed_NoNegotiation');
    s.destroy();
  });

  it('after all of the above, the SECC still serves a full PnC session', async () => {
    const r = await ev(main, { energy: 'dc' });
    expect(r.outcome).toBe('OK');
  });
});
