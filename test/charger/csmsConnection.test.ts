// The station's OCPP-J connection against the strict test CSMS over real sockets: security profiles 1–3 (Basic auth,
// server-authenticated TLS, mutual TLS with openssl-made certificates), typed connection failures, the reconnect
// back-off measured on the clock, handlers that survive reconnects, and hostile frames (schema violations, oversize).
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey } from 'node:crypto';
import { RPCClient, RPCError, RPCServer } from 'ocpp-rpc';
import { connectToCsms, type CsmsConnection, type CsmsConnectionEvent, type CsmsConnectionOptions, type CsmsDisconnectReason } from '../../src/charger/station/csmsConnection.js';
import { CsmsOfflineError, OcppFrameTooLargeError, type CsmsConnectionError } from '../../src/charger/station/csmsConnectionError.js';
import { MAX_OCPP_FRAME_BYTES } from '../../src/charger/station/ocppFrameLimit.js';
import type { SecurityProfileConfig } from '../../src/charger/station/securityProfile.js';
import { ocppTlsPki, type OcppTlsPki } from '../helpers/ocppTlsPki.js';
import { startTestCsms, type TestCsms, type TestCsmsSecurity } from '../helpers/testCsms.js';

const ID = 'CS-PNC-001';
const PASSWORD = 'correct-horse-battery-staple-42';
const BOOT = { reason: 'PowerUp', chargingStation: { model: 'pnc-stack SECC', vendorName: 'pnc-stack' } } as const;
// Small back-off for the tests: 150 ms, no random part, doubled twice.
const FAST = { waitMinimumMs: 150, randomRangeMs: 0, repeatTimes: 2 };

let pki: OcppTlsPki;
beforeAll(async () => {
  pki = await ocppTlsPki();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function csmsWith(security: TestCsmsSecurity): Promise<TestCsms> {
  const csms = await startTestCsms({ security });
  cleanups.push(() => csms.close());
  return csms;
}

interface Station {
  readonly connection: CsmsConnection;
  readonly events: (CsmsConnectionEvent & { readonly t: number })[];
  readonly failures: CsmsConnectionError[];
  readonly disconnects: CsmsDisconnectReason[];
  nextFailure(): Promise<CsmsConnectionError>;
}

function station(url: string, security: SecurityProfileConfig, extra: Partial<CsmsConnectionOptions> = {}): Station {
  const events: (CsmsConnectionEvent & { t: number })[] = [];
  const failures: CsmsConnectionError[] = [];
  const disconnects: CsmsDisconnectReason[] = [];
  const connection = connectToCsms({ url, identity: ID, security, backOff: FAST, connectTimeoutMs: 2000, callTimeoutMs: 2000, onEvent: (e) => events.push({ ...e, t: performance.now() }), ...extra });
  connection.onAttemptFailed((e) => failures.push(e));
  connection.onDisconnected((d) => disconnects.push(d));
  cleanups.push(() => connection.close({ force: true }));
  return {
    connection,
    events,
    failures,
    disconnects,
    nextFailure: () => new Promise((resolve) => {
      const off = connection.onAttemptFailed((e) => {
        off();
        resolve(e);
      });
    }),
  };
}

const profile1 = (password = PASSWORD): SecurityProfileConfig => ({ profile: 1, basicAuthPassword: password });
const profile2 = (password = PASSWORD, roots = pki.csmsRootPem): SecurityProfileConfig => ({ profile: 2, basicAuthPassword: password, csmsRootCertificates: roots });
const csms1 = (): Promise<TestCsms> => csmsWith({ profile: 1, passwords: { [ID]: PASSWORD } });
const csms2 = (server = pki.csmsServer): Promise<TestCsms> => csmsWith({ profile: 2, passwords: { [ID]: PASSWORD }, serverCertPem: server.certPem, serverKeyPem: server.keyPem });
const csms3 = (): Promise<TestCsms> => csmsWith({ profile: 3, serverCertPem: pki.csmsServer.certPem, serverKeyPem: pki.csmsServer.keyPem, clientCaPem: pki.stationCaPem });

async function profile3(issuer: 'station' | 'rogue' = 'station', identity = ID): Promise<SecurityProfileConfig> {
  const c = await pki.stationCertificate(identity, issuer);
  const passphrase = 'station-key-passphrase';
  const encrypted = createPrivateKey(c.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
  return { profile: 3, csmsRootCertificates: pki.csmsRootPem, clientCertificateChain: c.certPem, clientPrivateKey: encrypted, clientKeyPassphrase: passphrase };
}

function listen(server: NetServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  const port = await listen(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('security profile 1 (ws + Basic auth)', () => {
  it('connects, calls the CSMS and is recorded frame by frame', async () => {
    const csms = await csms1();
    const s = station(csms.url, profile1());
    const peer = await s.connection.waitForConnection({ timeoutMs: 3000 });
    expect(s.connection.peer()).toBe(peer);
    const boot = await peer.call('BootNotification', BOOT);
    expect(boot.status).toBe('Accepted');
    expect(boot.interval).toBe(300);
    const hb = await peer.call('Heartbeat', {});
    expect(Date.parse(hb.currentTime)).not.toBeNaN();
    const frames = csms.frames(ID);
    expect(frames.map((f) => [f.type, f.action])).toEqual([
      ['CALL', 'BootNotification'],
      ['CALL', 'Heartbeat'],
    ]);
    expect(frames[0]?.payload).toEqual(BOOT);
    expect(csms.handshakes).toEqual([expect.objectContaining({ identity: ID, outcome: 'accepted' })]);
    const connected = s.events.find((e) => e.type === 'connected');
    expect(connected).toMatchObject({ type: 'connected', identity: ID, attempt: 1 });
    expect(connected && 'tlsVersion' in connected).toBe(false);
  });

  it('a wrong password is auth-rejected (HTTP 401) and retried with the back-off', async () => {
    const csms = await csms1();
    const s = station(csms.url, profile1('wrong-password-1234567'));
    const failure = await s.nextFailure();
    expect(failure.kind).toBe('auth-rejected');
    expect(failure.detail.httpStatus).toBe(401);
    expect(s.connection.peer()).toBeUndefined();
    expect(s.connection.lastError()).toBe(failure);
    await expect(s.connection.waitForConnection({ timeoutMs: 200 })).rejects.toMatchObject({ name: 'CsmsOfflineError', reason: 'timeout', lastError: { kind: 'auth-rejected' } });
    // The CSMS fixes the password: the next attempt of the back-off gets in.
    csms.setPassword(ID, 'wrong-password-1234567');
    await s.connection.waitForConnection({ timeoutMs: 3000 });
    expect(csms.handshakes.map((h) => h.outcome)).toContain('rejected');
    expect(csms.handshakes.at(-1)?.outcome).toBe('accepted');
  });
});

describe('security profile 2 (wss + Basic auth, CSMS certificate checked)', () => {
  it('connects over TLS 1.2+ and calls work', async () => {
    const csms = await csms2();
    const s = station(csms.url, profile2());
    const peer = await s.connection.waitForConnection({ timeoutMs: 3000 });
    expect((await peer.call('Heartbeat', {})).currentTime).toBeTypeOf('string');
    const connected = s.events.find((e) => e.type === 'connected');
    expect(connected).toMatchObject({ type: 'connected', tlsVersion: expect.stringMatching(/^TLSv1\.[23]$/) as unknown });
  });

  it('a wrong password is auth-rejected', async () => {
    const csms = await csms2();
    const s = station(csms.url, profile2('another-wrong-password-99'));
    const failure = await s.nextFailure();
    expect(failure).toMatchObject({ name: 'CsmsConnectionError', kind: 'auth-rejected', detail: { httpStatus: 401 } });
  });

  it('a CSMS certificate from an unknown CA is a tls error; nothing reaches the CSMS', async () => {
    const csms = await csms2(pki.rogueServer);
    const s = station(csms.url, profile2());
    const failure = await s.nextFailure();
    expect(failure.kind).toBe('tls');
    expect(failure.detail.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(csms.handshakes).toEqual([]);
  });

  it('a CSMS certificate for another host name is a tls error', async () => {
    const csms = await csms2(pki.otherNameServer);
    const s = station(csms.url, profile2());
    const failure = await s.nextFailure();
    expect(failure).toMatchObject({ kind: 'tls', detail: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } });
    expect(csms.handshakes).toEqual([]);
  });
});

describe('security profile 3 (mutual TLS, no password)', () => {
  it('connects with the station certificate (CN = identity) and an encrypted key', async () => {
    const csms = await csms3();
    const s = station(csms.url, await profile3());
    const peer = await s.connection.waitForConnection({ timeoutMs: 3000 });
    expect((await peer.call('BootNotification', BOOT)).status).toBe('Accepted');
    expect(csms.handshakes.at(-1)).toMatchObject({ identity: ID, outcome: 'accepted' });
  });

  it('a client certificate from another CA is refused in the TLS handshake', async () => {
    const csms = await csms3();
    const s = station(csms.url, await profile3('rogue'));
    const failure = await s.nextFailure();
    // Node's TLS server ends the connection without an alert: the station sees a reset during / right after the handshake.
    expect(failure.kind).toBe('tls');
    expect(csms.handshakes).toEqual([]);
    expect(csms.tlsErrors[0]?.message).toBe('client certificate refused: UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('a trusted certificate of another station is auth-rejected (CN ≠ identity)', async () => {
    const csms = await csms3();
    const s = station(csms.url, await profile3('station', 'CS-SOMEONE-ELSE'));
    const failure = await s.nextFailure();
    expect(failure.kind).toBe('auth-rejected');
    expect(csms.handshakes.at(-1)).toMatchObject({ outcome: 'rejected', status: 401 });
  });
});

describe('typed connection failures', () => {
  it('nothing listening → refused', async () => {
    const s = station(`ws://127.0.0.1:${await freePort()}`, profile1());
    expect((await s.nextFailure()).kind).toBe('refused');
  });

  it('a server that never answers the upgrade → timeout after connectTimeoutMs', async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => void sockets.push(socket));
    const port = await listen(silent);
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const started = performance.now();
    const s = station(`ws://127.0.0.1:${port}`, profile1(), { connectTimeoutMs: 300 });
    const failure = await s.nextFailure();
    const elapsed = performance.now() - started;
    expect(failure.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
  });

  it('a server without the ocpp2.0.1 subprotocol → protocol-mismatch', async () => {
    const server = new RPCServer({ protocols: ['ocpp1.6'] });
    const http = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close({ force: true }));
    const s = station(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`, profile1());
    expect((await s.nextFailure()).kind).toBe('protocol-mismatch');
  });

  it('another HTTP status → http-rejected with the status', async () => {
    const csms = await csms1();
    csms.refuseUpgrades(ID, 503);
    const s = station(csms.url, profile1());
    expect(await s.nextFailure()).toMatchObject({ kind: 'http-rejected', detail: { httpStatus: 503 } });
  });
});

/** Times from each loss (disconnect or failed attempt) to the next 'connecting' event, with the announced wait. */
function measuredWaits(events: readonly (CsmsConnectionEvent & { t: number })[]): { announced: number; measured: number }[] {
  const out: { announced: number; measured: number }[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const announced = e.type === 'disconnected' ? e.retryInMs : e.type === 'connect-failed' ? e.retryInMs : undefined;
    if (announced === undefined) continue;
    const next = events.slice(i + 1).find((n) => n.type === 'connecting');
    if (next) out.push({ announced, measured: next.t - e.t });
  }
  return out;
}

describe('reconnect with the OCPP back-off', () => {
  it('after a drop: reconnects after RetryBackOffWaitMinimum (+ the injected random part), handlers still answer', async () => {
    const csms = await csms1();
    // random part: floor(0.5 × 101) = 50 ms on top of the 150 ms minimum.
    const s = station(csms.url, profile1(), { backOff: { waitMinimumMs: 150, randomRangeMs: 100, repeatTimes: 2 }, random: () => 0.5 });
    const seen: string[] = [];
    s.connection.handle('SetVariables', (req) => {
      seen.push(req.setVariableData.map((d) => d.variable.name).join(','));
      return { setVariableResult: req.setVariableData.map((d) => ({ attributeStatus: 'Accepted' as const, component: d.component, variable: d.variable })) };
    });
    await csms.waitForConnection(ID);
    const first = await csms.call(ID, 'SetVariables', { setVariableData: [{ attributeValue: 'true', component: { name: 'ISO15118Ctrlr' }, variable: { name: 'PnCEnabled' } }] });
    expect(first.setVariableResult[0]?.attributeStatus).toBe('Accepted');

    // A handler registered through the live peer is the connection's too.
    s.connection.peer()?.handle('GetVariables', (req) => ({
      getVariableResult: req.getVariableData.map((d) => ({ attributeStatus: 'Accepted' as const, attributeValue: '42', component: d.component, variable: d.variable })),
    }));

    await csms.drop(ID);
    await csms.waitForConnection(ID, { count: 2, timeoutMs: 3000 });
    expect(s.disconnects).toEqual([{ code: 1006, reason: '', retryInMs: 200 }]);
    const [wait] = measuredWaits(s.events);
    expect(wait?.announced).toBe(200);
    expect(wait?.measured).toBeGreaterThanOrEqual(195);
    expect(wait?.measured).toBeLessThan(450);

    const again = await csms.call(ID, 'SetVariables', { setVariableData: [{ attributeValue: 'false', component: { name: 'ISO15118Ctrlr' }, variable: { name: 'CentralContractValidationAllowed' } }] });
    expect(again.setVariableResult[0]?.attributeStatus).toBe('Accepted');
    expect(seen).toEqual(['PnCEnabled', 'CentralContractValidationAllowed']);
    const got = await csms.call(ID, 'GetVariables', { getVariableData: [{ component: { name: 'ISO15118Ctrlr' }, variable: { name: 'SeccId' } }] });
    expect(got.getVariableResult[0]?.attributeValue).toBe('42');
    // An unregistered action still gets NotImplemented, not silence.
    await expect(csms.call(ID, 'Reset', { type: 'Immediate' })).rejects.toMatchObject({ rpcErrorCode: 'NotImplemented' });
  });

  it('while the CSMS is down: waits double RepeatTimes times, then stay constant; reconnects when it is back', async () => {
    const csms = await csms1();
    const s = station(csms.url, profile1());
    let reconnected = 0;
    s.connection.onConnected(() => void reconnected++);
    await csms.waitForConnection(ID);
    await csms.stop();
    // Disconnect → 150, then refused attempts → 300, 600, 600 (RepeatTimes = 2).
    while (s.failures.length < 3) await s.nextFailure();
    await csms.start();
    await csms.waitForConnection(ID, { count: 2, timeoutMs: 3000 });
    expect(s.failures.slice(0, 3).map((f) => f.kind)).toEqual(['refused', 'refused', 'refused']);
    const waits = measuredWaits(s.events);
    expect(waits.slice(0, 4).map((w) => w.announced)).toEqual([150, 300, 600, 600]);
    for (const w of waits) {
      expect(w.measured).toBeGreaterThanOrEqual(w.announced - 5);
      expect(w.measured).toBeLessThan(w.announced + 250);
    }
    await vitestWait(() => reconnected === 2);
    // A successful connection starts the schedule again.
    await csms.drop(ID);
    await csms.waitForConnection(ID, { count: 3, timeoutMs: 3000 });
    expect(s.disconnects.at(-1)?.retryInMs).toBe(150);
  });

  it('waitForConnection: times out with the last error while down, then resolves; rejects once closed', async () => {
    const csms = await csms1();
    await csms.stop();
    const s = station(csms.url, profile1());
    const offline = await s.connection.waitForConnection({ timeoutMs: 250 }).catch((e: unknown) => e);
    expect(offline).toBeInstanceOf(CsmsOfflineError);
    expect(offline).toMatchObject({ reason: 'timeout', lastError: { kind: 'refused' } });
    const later = s.connection.waitForConnection({ timeoutMs: 3000 });
    await csms.start();
    await expect(later).resolves.toBeDefined();
    const aborted = new AbortController();
    await csms.stop();
    await vitestWait(() => s.connection.peer() === undefined);
    const pending = s.connection.waitForConnection({ signal: aborted.signal });
    aborted.abort();
    await expect(pending).rejects.toMatchObject({ reason: 'aborted' });
    const whileClosing = s.connection.waitForConnection();
    await s.connection.close();
    await expect(whileClosing).rejects.toMatchObject({ reason: 'closed' });
    await expect(s.connection.waitForConnection()).rejects.toMatchObject({ reason: 'closed' });
    expect(s.events.at(-1)).toEqual(expect.objectContaining({ type: 'closed' }));
  });

  it('close() ends the connection with 1000 and stops reconnecting', async () => {
    const csms = await csms1();
    const s = station(csms.url, profile1());
    await s.connection.waitForConnection();
    await s.connection.close();
    await csms.waitForDisconnect(ID);
    expect(s.disconnects).toEqual([{ code: 1000, reason: 'station closing the connection', retryInMs: undefined }]);
    await new Promise((r) => setTimeout(r, 400));
    expect(csms.connectionCount(ID)).toBe(1);
    expect(s.connection.peer()).toBeUndefined();
  });
});

async function vitestWait(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('hostile frames (strict mode, size limit)', () => {
  async function connected(): Promise<{ csms: TestCsms; s: Station; handled: unknown[] }> {
    const csms = await csms1();
    const s = station(csms.url, profile1());
    const handled: unknown[] = [];
    s.connection.handle('SetVariables', (req) => {
      handled.push(req);
      return { setVariableResult: req.setVariableData.map((d) => ({ attributeStatus: 'Rejected' as const, component: d.component, variable: d.variable })) };
    });
    await csms.waitForConnection(ID);
    await s.connection.waitForConnection();
    return { csms, s, handled };
  }

  it('a CALL that breaks the schema gets a CALLERROR from the station; the handler is not called, the connection stays', async () => {
    const { csms, s, handled } = await connected();
    csms.sendRaw(ID, JSON.stringify([2, 'bad-1', 'SetVariables', { setVariableData: 'not an array' }]));
    const error = await csms.waitForFrame(ID, (f) => f.messageId === 'bad-1');
    expect(error).toMatchObject({ type: 'CALLERROR', errorCode: 'TypeConstraintViolation' });
    csms.sendRaw(ID, JSON.stringify([2, 'bad-2', 'SetVariables', {}]));
    expect(await csms.waitForFrame(ID, (f) => f.messageId === 'bad-2')).toMatchObject({ type: 'CALLERROR', errorCode: 'OccurenceConstraintViolation' });
    expect(handled).toEqual([]);
    expect(s.events.filter((e) => e.type === 'strict-validation-failure')).toEqual([
      expect.objectContaining({ action: 'SetVariables', messageId: 'bad-1', direction: 'inbound', isCall: true, rpcErrorCode: 'TypeConstraintViolation' }),
      expect.objectContaining({ action: 'SetVariables', messageId: 'bad-2', direction: 'inbound', isCall: true }),
    ]);
    expect(s.disconnects).toEqual([]);
    expect((await s.connection.peer()!.call('Heartbeat', {})).currentTime).toBeTypeOf('string');
  });

  it('a frame that is not OCPP-J gets an RpcFrameworkError CALLERROR; the connection stays', async () => {
    const { csms, s } = await connected();
    csms.sendRaw(ID, '{"not":"an array"');
    const error = await csms.waitForFrame(ID, (f) => f.type === 'CALLERROR');
    expect(error).toMatchObject({ messageId: '-1', errorCode: 'RpcFrameworkError' });
    expect(s.events.some((e) => e.type === 'bad-message')).toBe(true);
    expect(s.disconnects).toEqual([]);
    expect((await s.connection.peer()!.call('Heartbeat', {})).currentTime).toBeTypeOf('string');
  });

  it('an oversize frame from the CSMS is refused with close 1009; the station reconnects and works', async () => {
    const { csms, s } = await connected();
    csms.sendRaw(ID, JSON.stringify([2, 'big-1', 'SetVariables', { setVariableData: [{ attributeValue: 'x'.repeat(MAX_OCPP_FRAME_BYTES), component: { name: 'C' }, variable: { name: 'V' } }] }]));
    await csms.waitForConnection(ID, { count: 2, timeoutMs: 3000 });
    expect(s.disconnects[0]?.code).toBe(1009);
    expect(csms.frames(ID).some((f) => f.messageId === 'big-1')).toBe(false);
    const peer = await s.connection.waitForConnection();
    expect((await peer.call('Heartbeat', {})).currentTime).toBeTypeOf('string');
  });

  it('an oversize CALL from the station is refused locally and never sent', async () => {
    const { csms, s } = await connected();
    const before = csms.frames(ID).length;
    const err = await s.connection
      .peer()!
      .call('DataTransfer', { vendorId: 'org.pnc-stack', data: 'y'.repeat(MAX_OCPP_FRAME_BYTES) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OcppFrameTooLargeError);
    expect(err).toMatchObject({ action: 'DataTransfer', limit: MAX_OCPP_FRAME_BYTES });
    expect(s.events.some((e) => e.type === 'frame-too-large' && e.isCall)).toBe(true);
    expect(csms.frames(ID).length).toBe(before);
    expect((await s.connection.peer()!.call('Heartbeat', {})).currentTime).toBeTypeOf('string');
  });

  it('an oversize response from a station handler becomes a CALLERROR', async () => {
    const { csms, s } = await connected();
    s.connection.handle('GetVariables', (req) => ({
      getVariableResult: Array.from({ length: 40 }, () => ({ attributeStatus: 'Accepted' as const, attributeValue: 'z'.repeat(2500), component: req.getVariableData[0]!.component, variable: req.getVariableData[0]!.variable })),
    }));
    const err = await csms.call(ID, 'GetVariables', { getVariableData: [{ component: { name: 'C' }, variable: { name: 'V' } }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RPCError);
    expect(err).toMatchObject({ rpcErrorCode: 'GenericError' });
    expect(s.disconnects).toEqual([]);
  });

  it('the test CSMS refuses an oversize frame from a station (1009) and keeps serving the others', async () => {
    const { csms, s } = await connected();
    const rogue = new RPCClient({ endpoint: csms.url, identity: 'CS-ROGUE', password: PASSWORD, protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as ConstructorParameters<typeof RPCClient>[0]);
    csms.setPassword('CS-ROGUE', PASSWORD);
    await rogue.connect();
    const closed = new Promise<unknown>((resolve) => rogue.once('close', resolve));
    rogue.sendRaw(JSON.stringify([2, 'huge', 'Heartbeat', { pad: 'q'.repeat(MAX_OCPP_FRAME_BYTES) }]));
    expect(await closed).toMatchObject({ code: 1009 });
    expect(csms.frames('CS-ROGUE')).toEqual([]);
    expect((await s.connection.peer()!.call('Heartbeat', {})).currentTime).toBeTypeOf('string');
    expect(csms.isConnected(ID)).toBe(true);
  });

  it('the test CSMS completes an upgrade without ocpp2.0.1 without a subprotocol, so the client gives up', async () => {
    const csms = await csms1();
    csms.setPassword('CS-OLD', PASSWORD);
    const old = new RPCClient({ endpoint: csms.url, identity: 'CS-OLD', password: PASSWORD, protocols: ['ocpp1.6'], reconnect: false } as ConstructorParameters<typeof RPCClient>[0]);
    await expect(old.connect()).rejects.toThrow('Server sent no subprotocol');
    expect(csms.handshakes).toEqual([expect.objectContaining({ identity: 'CS-OLD', outcome: 'rejected', reason: 'no ocpp2.0.1 subprotocol' })]);
    expect(csms.isConnected('CS-OLD')).toBe(false);
  });

  it('the test CSMS answers a schema-breaking station CALL with a CALLERROR and records the violation', async () => {
    const { csms } = await connected();
    const raw = new RPCClient({ endpoint: csms.url, identity: 'CS-SLOPPY', password: PASSWORD, protocols: ['ocpp2.0.1'], reconnect: false } as ConstructorParameters<typeof RPCClient>[0]);
    csms.setPassword('CS-SLOPPY', PASSWORD);
    await raw.connect();
    cleanups.push(async () => void (await raw.close({ force: true })));
    await expect(raw.call('BootNotification', { reason: 'PowerUp' })).rejects.toMatchObject({ rpcErrorCode: 'OccurenceConstraintViolation' });
    expect(csms.frames('CS-SLOPPY')).toEqual([expect.objectContaining({ type: 'CALL', action: 'BootNotification', violation: 'OccurenceConstraintViolation' })]);
    expect(csms.calls('CS-SLOPPY', 'BootNotification')).toEqual([]);
  });
});
