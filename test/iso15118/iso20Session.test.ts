// Whole ISO 15118-20 sessions over real TLS 1.3 sockets on loopback: our EV simulator against our SECC, AC and DC,
// PnC with P-521 and Ed448 contracts and EIM, to SessionStop — and every refusal the SECC owes a misbehaving EV, after
// which it keeps serving other EVs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iso20 } from '../../src/exi/index.js';
import { runEvSession, type EvSessionOptions, type EvSessionResult } from '../../src/ev/evSession.js';
import type { Suite } from '../../src/pki/generator/testPki.js';
import type { SeccServer } from '../../src/iso15118/session/seccServer.js';
import { encodeV2gtp, PAYLOAD_TYPE } from '../../src/iso15118/transport/index.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { contractOf, DAY, NOW } from '../helpers/fixtures.js';
import { contractCredential, lastOutcome, seccTestbed } from '../helpers/seccTestbed.js';
import { evTrust, seccCredential, trustOf, vehicleCredential, vehicleTrust } from '../helpers/tlsTestbed.js';

type Iso20Suite = Extract<Suite, 'iso20-p521' | 'iso20-ed448'>;

const clock = (): number => NOW;
/** The TLS signature algorithm that makes the SECC present the leaf of this suite. */
const SIGALGS: Readonly<Record<Iso20Suite, string>> = { 'iso20-p521': 'ecdsa_secp521r1_sha512', 'iso20-ed448': 'ed448' };

const contractIn = contractCredential;

/** V2G and MO roots of every suite, as a charger serving -2 and both -20 suites holds them. */
const roots = (names: readonly string[]): ReturnType<typeof trustOf> => trustOf((['iso2', 'iso20-p521', 'iso20-ed448'] as const).flatMap((s) => names.map((n) => `${s}/${n}`)));

const bed = seccTestbed({
  protocols: ['iso2', 'iso20-ac', 'iso20-dc'],
  credentials: [seccCredential('iso2'), seccCredential('iso20-p521'), seccCredential('iso20-ed448')],
  vehicleTrust: vehicleTrust(),
  contractTrust: roots(['v2g-root', 'mo-root']),
});
const seccEvents = bed.events;
const secc = bed.secc;

let main: SeccServer;
beforeAll(async () => {
  main = await secc({}, { externalAfterMs: 300 });
});
afterAll(async () => {
  await bed.closeAll();
});

function ev(server: SeccServer, o: Partial<EvSessionOptions> & { suite?: Iso20Suite } = {}): Promise<EvSessionResult> {
  const { suite = 'iso20-p521', ...rest } = o;
  return runEvSession({
    secc: { host: '127.0.0.1', port: server.port },
    protocol: 'iso20',
    security: 'tls',
    auth: 'pnc',
    energy: 'ac',
    contract: contractIn(suite),
    vehicle: vehicleCredential(suite),
    seccTrust: evTrust(suite),
    tlsOverrides: { sigalgs: SIGALGS[suite] },
    tracer: silentTracer('ev'),
    clock,
    ongoingPollMs: 50,
    ...rest,
  });
}

describe('full -20 sessions to SessionStop', () => {
  it.each([
    ['AC', 'ac', 'iso20-p521'],
    ['DC', 'dc', 'iso20-ed448'],
    ['AC', 'ac', 'iso20-ed448'],
    ['DC', 'dc', 'iso20-p521'],
  ] as const)('-20 %s PnC with a %s contract over TLS 1.3: challenge, contract chain, signature, charge loop', async (_n, energy, suite) => {
    const before = main.outcomes.length;
    const from = seccEvents.length;
    const r = await ev(main, { energy, suite });
    expect(r.outcome).toBe('OK');
    const tls = seccEvents.slice(from).find((e) => e.kind === 'check' && e.check === 'TLS');
    expect(tls?.kind === 'check' && tls.detail).toMatch(new RegExp(`^TLSv1\\.3 .*\\(${suite}\\), vehicle certificate valid$`));
    expect(r).toMatchObject({ authorized: true, charged: true, stopped: true });
    expect(r.tls).toMatchObject({ version: 'TLSv1.3', seccValid: true });
    expect(r.responseCodes).toMatchObject({ SessionSetupRes: 'OK_NewSessionEstablished', AuthorizationSetupRes: 'OK', AuthorizationRes: 'OK', ServiceSelectionRes: 'OK', ScheduleExchangeRes: 'OK', PowerDeliveryRes: 'OK', SessionStopRes: 'OK' });
    if (energy === 'dc') expect(r.responseCodes).toMatchObject({ DC_ChargeParameterDiscoveryRes: 'OK', DC_CableCheckRes: 'OK', DC_PreChargeRes: 'OK', DC_ChargeLoopRes: 'OK', DC_WeldingDetectionRes: 'OK' });
    else expect(r.responseCodes).toMatchObject({ AC_ChargeParameterDiscoveryRes: 'OK', AC_ChargeLoopRes: 'OK' });
    const s = await lastOutcome(main, before);
    expect(s).toMatchObject({ protocol: energy === 'ac' ? 'iso20-ac' : 'iso20-dc', authorizedBy: 'pnc', outcome: 'SessionStop (Terminate)', sessionId: r.sessionId });
  });

  it('-20 EIM over TLS 1.3: Ongoing_WaitingForCustomerInteraction until the card is read, then charging', async () => {
    const before = main.outcomes.length;
    const r = await ev(main, { auth: 'eim', contract: undefined, energy: 'dc' });
    expect(r.outcome).toBe('OK');
    expect(r.authorized && r.charged && r.stopped).toBe(true);
    expect((await lastOutcome(main, before)).authorizedBy).toBe('eim');
  });

  it('-20 over plain TCP: not negotiated (-20 requires TLS), not even for EIM', async () => {
    const eim = await ev(main, { auth: 'eim', contract: undefined, security: 'none' });
    expect(eim.outcome).toBe('Failed_NoNegotiation');
    expect(eim.tls).toBeUndefined();
  });

  it('a PnC decision that takes time: the EV re-sends the same request while Ongoing, checked once', async () => {
    const slow = await secc({}, { contractDecisionMs: 300 });
    const from = seccEvents.length;
    const r = await ev(slow);
    expect(r.outcome).toBe('OK');
    const events = seccEvents.slice(from).filter((e) => e.session === r.sessionId);
    const polls = events.filter((e) => e.kind === 'message' && e.from === 'ev' && e.message === 'AuthorizationReq');
    expect(polls.length).toBeGreaterThan(2);
    expect(events.filter((e) => e.kind === 'check' && e.check === 'challenge')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'check' && e.check === 'signature')).toHaveLength(1);
  });

  it('the SECC traces each message, check and verdict of a session', async () => {
    const from = seccEvents.length;
    const r = await ev(main, { energy: 'dc', suite: 'iso20-ed448' });
    expect(r.outcome).toBe('OK');
    const events = seccEvents.slice(from).filter((e) => e.session === r.sessionId);
    const checks = events.filter((e) => e.kind === 'check').map((e) => (e.kind === 'check' ? `${e.check}:${e.ok}` : ''));
    expect(checks).toEqual(expect.arrayContaining(['identification offer:true', 'challenge:true', 'contract chain:true', 'signature:true', 'service selection:true']));
    expect(events.some((e) => e.kind === 'verdict' && e.verdict === 'authorized')).toBe(true);
    const received = events.filter((e) => e.kind === 'message' && e.from === 'ev').map((e) => (e.kind === 'message' ? e.message : ''));
    expect(received.slice(0, 9)).toEqual([
      'AuthorizationSetupReq',
      'AuthorizationReq',
      'ServiceDiscoveryReq',
      'ServiceDetailReq',
      'ServiceSelectionReq',
      'DC_ChargeParameterDiscoveryReq',
      'ScheduleExchangeReq',
      'DC_CableCheckReq',
      'DC_PreChargeReq',
    ]);
  });

  it('the same server still serves a -2 session over TLS 1.2', async () => {
    const r = await ev(main, { protocol: 'iso2', contract: contractIn('iso2'), seccTrust: evTrust('iso2'), vehicle: undefined, tlsOverrides: undefined });
    expect(r.outcome).toBe('OK');
    expect(r.tls?.version).toBe('TLSv1.2');
  });
});

describe('-20 refusals (each ends that session; the SECC keeps serving)', () => {
  it('a replayed PnC_AReqAuthorizationMode (old challenge, valid old signature) → WARNING_ChallengeInvalid', async () => {
    const first = await ev(main);
    expect(first.signedAuthorization).toBeDefined();
    const replay = await ev(main, { misbehave: { replay: first.signedAuthorization! } });
    expect(replay.outcome).toBe('WARNING_ChallengeInvalid');
    expect(replay.authorized).toBe(false);
    expect(replay.responseCodes.AuthorizationRes).toBe('WARNING_ChallengeInvalid');
  });

  it.each([
    ['a corrupted SignatureValue', { corruptSignature: true }, 'iso20-p521'],
    ['a corrupted SignatureValue', { corruptSignature: true }, 'iso20-ed448'],
    ['a signed element that differs from the one sent', { tamperSignedElement: true }, 'iso20-p521'],
  ] as const)('%s (%s) → FAILED_SignatureError', async (_n, misbehave, suite) => {
    const r = await ev(main, { misbehave, suite });
    expect(r.outcome).toBe('FAILED_SignatureError');
    expect(r.authorized).toBe(false);
  });

  it('an expired contract chain → WARNING_CertificateExpired', async () => {
    const later = await secc({ clock: () => NOW + 731 * DAY });
    const r = await ev(later);
    expect(r.outcome).toBe('WARNING_CertificateExpired');
    expect(r.responseCodes.AuthorizationRes).toBe('WARNING_CertificateExpired');
  });

  it('a contract chain under an MO root the charger does not hold → WARNING_eMSPUnknown', async () => {
    const noMo = await secc({ contractTrust: roots(['v2g-root']) });
    const r = await ev(noMo, { suite: 'iso20-ed448' });
    expect(r.outcome).toBe('WARNING_eMSPUnknown');
  });

  it('a contract of the other -20 suite than the TLS one is still judged on its own key', async () => {
    const r = await ev(main, { contract: contractIn('iso20-ed448') });
    expect(r.outcome).toBe('OK');
  });

  it('a -2 (P-256) contract in a -20 session → WARNING_CertificateValidationError', async () => {
    const r = await ev(main, { contract: { ...contractIn('iso2'), key: contractOf('iso20-p521').key.privateKey } });
    expect(r.outcome).toBe('WARNING_CertificateValidationError');
  });

  it('a request out of order → FAILED_SequenceError', async () => {
    const r = await ev(main, { misbehave: { skipToChargeParameters: true } });
    expect(r.outcome).toBe('FAILED_SequenceError');
    expect(r.responseCodes.AC_ChargeParameterDiscoveryRes).toBe('FAILED_SequenceError');
  });

  it('a SessionID other than the one assigned → FAILED_UnknownSession', async () => {
    const r = await ev(main, { misbehave: { forgeSessionId: true } });
    expect(r.outcome).toBe('FAILED_UnknownSession');
    expect(r.responseCodes.AuthorizationSetupRes).toBe('FAILED_UnknownSession');
  });

  it.each([
    ['garbage EXI', encodeV2gtp(PAYLOAD_TYPE.commonMessages, Buffer.from('ffffffffffffffffffff', 'hex'))],
    ['truncated EXI', encodeV2gtp(PAYLOAD_TYPE.commonMessages, Buffer.from('809a02', 'hex'))],
    ['a -20 request under the -2/SAP payload type', encodeV2gtp(PAYLOAD_TYPE.exi, iso20.encodeIso20({ AuthorizationSetupReq: { Header: { SessionID: new Uint8Array(8), TimeStamp: 0n } } }))],
    ['a CommonMessages request under the DC payload type', encodeV2gtp(PAYLOAD_TYPE.dc, iso20.encodeIso20({ AuthorizationSetupReq: { Header: { SessionID: new Uint8Array(8), TimeStamp: 0n } } }))],
  ])('%s: the SECC closes the connection', async (_n, bytes) => {
    const before = main.outcomes.length;
    const r = await ev(main, { misbehave: { rawAt: { afterMessages: 2, bytes } } });
    expect(r.outcome).toMatch(/^closed: /);
    expect((await lastOutcome(main, before)).outcome).toMatch(/^exi: /);
  });

  it('the SECC gives up on a contract decision after its authorization budget → FAILED', async () => {
    const never = await secc({ timeouts: { authorizationBudgetMs: 300 } }, { contractDecisionMs: 3_600_000 });
    const r = await ev(never);
    expect(r.outcome).toBe('FAILED');
    expect(r.responseCodes.AuthorizationRes).toBe('FAILED');
  });

  it('after all of the above, the SECC still serves a full PnC session', async () => {
    const r = await ev(main, { energy: 'dc' });
    expect(r.outcome).toBe('OK');
  });
});
