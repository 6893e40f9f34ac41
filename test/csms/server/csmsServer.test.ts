// The CSMS's OCPP server in security profile 1 against real strict ocpp-rpc station clients and raw WebSockets on
// loopback: authentication, subprotocol, limits, strict-mode errors, handler failures, reconnects, calls to stations,
// hostile frames and URLs.
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StationCallError } from '../../../src/csms/server/stationCallError.js';
import { StationNotConnectedError } from '../../../src/csms/csmsTypes.js';
import { RPCGenericError } from '../../../src/ocpp/ocppRpc.js';
import { BOOT, closeOf, refusalStatus, startServerBed, stationClient, waitFor, type ServerBed } from './csmsServerTestbed.js';

const PASSWORD = 'correct-horse-battery-staple-1';
const beds: ServerBed[] = [];
const clients: { close(o?: { force?: boolean }): Promise<unknown> }[] = [];

async function bed(options: Parameters<typeof startServerBed>[0] = {}): Promise<ServerBed> {
  const b = await startServerBed({ stations: { 'CS-1': PASSWORD, 'CS-2': PASSWORD }, ...options });
  beds.push(b);
  return b;
}

function client(...args: Parameters<typeof stationClient>): ReturnType<typeof stationClient> {
  const c = stationClient(...args);
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ force: true })));
  await Promise.all(beds.splice(0).map((b) => b.close()));
});

/** A raw WebSocket to the server, authenticated as `identity`; resolves once open. */
async function rawSocket(url: string, identity: string, options: { protocol?: string | null; password?: string } = {}): Promise<WebSocket> {
  const auth = `Basic ${Buffer.from(`${identity}:${options.password ?? PASSWORD}`).toString('base64')}`;
  const protocols = options.protocol === null ? [] : [options.protocol ?? 'ocpp2.0.1'];
  const ws = new WebSocket(`${url}/${identity}`, protocols, { headers: { authorization: auth }, perMessageDeflate: false });
  clients.push({ close: () => Promise.resolve(ws.terminate()) });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return ws;
}

function nextMessage(ws: WebSocket, timeoutMs = 3000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      resolve(JSON.parse(data.toString('utf8')));
    });
  });
}

function wsClosed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code: number) => resolve(code)));
}

/** Raw HTTP upgrade request with an arbitrary path; resolves with the status line's code. */
function upgradeStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ocpp2.0.1\r\nAuthorization: Basic ${Buffer.from(`CS-1:${PASSWORD}`).toString('base64')}\r\n\r\n`,
      );
    });
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on('error', reject);
    socket.setTimeout(3000, () => reject(new Error(`no answer for ${path}`)));
  });
}

describe('CSMS server, security profile 1', () => {
  it('admits a registered station with its password; BootNotification, Heartbeat and StatusNotification are recorded', async () => {
    const b = await bed();
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    await station.connect();
    const boot = (await station.call('BootNotification', BOOT)) as { status: string; interval: number; currentTime: string };
    expect(boot).toMatchObject({ status: 'Accepted', interval: 120 });
    expect(Math.abs(Date.parse(boot.currentTime) - Date.now())).toBeLessThan(5000);
    const hb = (await station.call('Heartbeat', {})) as { currentTime: string };
    expect(Date.parse(hb.currentTime)).toBeGreaterThan(0);
    await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    // Boot and connector facts are written behind, in the next batch.
    await b.facts.flush();

    const record = await b.registry.get('CS-1');
    expect(record?.boot).toMatchObject({ vendor: 'pnc-stack', model: 'test-station', serialNumber: 'SN-1', firmwareVersion: '1.2.3', reason: 'PowerUp' });
    expect(await b.registry.connectorStatuses('CS-1')).toMatchObject([{ evseId: 1, connectorId: 1, status: 'Available' }]);
    expect(b.server.connectedIds()).toEqual(['CS-1']);
    expect(b.server.stations.isConnected('CS-1')).toBe(true);
    expect(b.server.stations.connectedCount).toBe(1);
    expect(await waitFor('presence', async () => ((await b.registry.whereConnected('CS-1')) === b.server.nodeId ? true : undefined))).toBe(true);

    // Traces: the station's calls as message events, session = station id.
    const messages = b.events.filter((e) => e.kind === 'message' && e.session === 'CS-1').map((e) => (e.kind === 'message' ? `${e.from}>${e.to}:${e.message}` : ''));
    expect(messages).toEqual(expect.arrayContaining(['charger>csms:BootNotification', 'csms>charger:BootNotificationResponse', 'charger>csms:Heartbeat', 'charger>csms:StatusNotification']));

    const closed = closeOf(station);
    await station.close();
    await closed;
    await waitFor('disconnect recorded', async () => ((await b.registry.whereConnected('CS-1')) === undefined ? true : undefined));
    expect(b.server.stations.isConnected('CS-1')).toBe(false);
  });

  it.for([
    ['wrong password', 'CS-1', 'wrong-password-0123456789'],
    ['unknown station', 'CS-404', PASSWORD],
    ['no password at all', 'CS-1', undefined],
    ["another station's password", 'CS-2', 'a-different-password-42'],
  ] as const)('refuses %s with HTTP 401', async ([, id, password]) => {
    const b = await bed();
    expect(await refusalStatus(client(b.server.url, id, password === undefined ? {} : { password }))).toBe(401);
    expect(b.server.connectedIds()).toEqual([]);
    expect(b.events.some((e) => e.kind === 'check' && e.check === 'station authentication' && !e.ok && e.session === id)).toBe(true);
  });

  it('refuses a station registered for a higher security profile (no downgrade to profile 1)', async () => {
    const b = await bed();
    await b.registry.add('CS-SECURE', { password: PASSWORD, minSecurityProfile: 2 });
    expect(await refusalStatus(client(b.server.url, 'CS-SECURE', { password: PASSWORD }))).toBe(401);
    expect(b.events.some((e) => e.kind === 'check' && !e.ok && (e.detail ?? '').includes('requires security profile 2'))).toBe(true);
  });

  it('refuses a handshake without the ocpp2.0.1 subprotocol', async () => {
    const b = await bed();
    // A client that only offers OCPP 1.6: the handshake completes without a subprotocol, which the client refuses.
    await expect(client(b.server.url, 'CS-1', { password: PASSWORD, protocols: ['ocpp1.6'] }).connect()).rejects.toThrow(/subprotocol/);
    // A client offering none: the server closes at once (1002), the station never counts as connected.
    const ws = await rawSocket(b.server.url, 'CS-1', { protocol: null });
    expect(await wsClosed(ws)).toBe(1002);
    expect(b.server.connectedIds()).toEqual([]);
    // The server still admits a proper station.
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    await station.connect();
    expect(b.server.connectedIds()).toEqual(['CS-1']);
  });

  it('closes the connection with 1009 on a frame above the size limit', async () => {
    const b = await bed({ maxFrameBytes: 4096 });
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    await station.connect();
    const closed = closeOf(station);
    station.sendRaw(JSON.stringify([2, 'big-1', 'DataTransfer', { vendorId: 'x', data: 'A'.repeat(5000) }]));
    expect((await closed).code).toBe(1009);
    await waitFor('server forgets the station', () => (b.server.connectedIds().length === 0 ? true : undefined));
    // A frame just below the limit is fine.
    const again = client(b.server.url, 'CS-1', { password: PASSWORD });
    await again.connect();
    await expect(again.call('DataTransfer', { vendorId: 'x', data: 'A'.repeat(3000) })).rejects.toMatchObject({ rpcErrorCode: 'NotImplemented' });
  });

  it('answers a schema-invalid CALL with the OCPP-J error and keeps the link up', async () => {
    const b = await bed();
    const ws = await rawSocket(b.server.url, 'CS-1');
    ws.send(JSON.stringify([2, 'm-1', 'BootNotification', { chargingStation: { vendorName: 'v', model: 'm' } }]));
    const missing = (await nextMessage(ws)) as unknown[];
    expect(missing.slice(0, 2)).toEqual([4, 'm-1']);
    // OCPP-J 2.0.1 spells it OccurrenceConstraintViolation; ocpp-rpc 2.2.1 sends the 1.6 spelling for ocpp2.0.1 (a
    // library bug, reported with a proposed fix in src/ocpp); either is accepted here, nothing else.
    expect(missing[2]).toMatch(/^Occurr?enceConstraintViolation$/);
    ws.send(JSON.stringify([2, 'm-2', 'StatusNotification', { timestamp: 'x', connectorStatus: 'Exploded', evseId: 1, connectorId: 1 }]));
    const badEnum = (await nextMessage(ws)) as unknown[];
    expect(badEnum.slice(0, 2)).toEqual([4, 'm-2']);
    expect(badEnum[2]).toMatch(/Violation/);
    ws.send(JSON.stringify([2, 'm-3', 'Heartbeat', {}]));
    expect(((await nextMessage(ws)) as unknown[]).slice(0, 2)).toEqual([3, 'm-3']);
    expect(b.events.some((e) => e.kind === 'error' && e.error === 'schema-invalid CALL from station' && e.session === 'CS-1')).toBe(true);
    // Nothing of the invalid boot reached the registry.
    await b.facts.flush();
    expect((await b.registry.get('CS-1'))?.boot).toBeUndefined();
  });

  it('answers NotImplemented for actions without a handler', async () => {
    const b = await bed();
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    await station.connect();
    await expect(station.call('FirmwareStatusNotification', { status: 'Idle' })).rejects.toMatchObject({ rpcErrorCode: 'NotImplemented' });
    // An action name OCPP does not have at all.
    const ws = await rawSocket(b.server.url, 'CS-2');
    ws.send(JSON.stringify([2, 'x-1', 'SelfDestruct', {}]));
    expect(((await nextMessage(ws)) as unknown[]).slice(0, 3)).toEqual([4, 'x-1', 'NotImplemented']);
  });

  it('answers InternalError when a handler throws, traces it, and keeps serving', async () => {
    const b = await bed({
      handlers: {
        MeterValues: () => Promise.reject(new Error('database exploded: secret detail')),
        DataTransfer: () => Promise.reject(new RPCGenericError('vendor data refused')),
      },
    });
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    await station.connect();
    const failure = station.call('MeterValues', { evseId: 1, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: 1 }] }] });
    await expect(failure).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    await failure.catch((e: Error) => expect(e.message).not.toContain('secret'));
    // A handler's own CALLERROR goes out as chosen.
    await expect(station.call('DataTransfer', { vendorId: 'v' })).rejects.toMatchObject({ rpcErrorCode: 'GenericError', message: 'vendor data refused' });
    expect(b.events.some((e) => e.kind === 'error' && e.error === 'MeterValues handler failed' && (e.detail ?? '').includes('database exploded'))).toBe(true);
    expect(await station.call('Heartbeat', {})).toHaveProperty('currentTime');
  });

  it('answers InternalError when a handler returns a schema-invalid response', async () => {
    const b = await bed({ handlers: { Heartbeat: () => Promise.resolve({ currentTime: 'yesterday-ish' }) } });
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    await station.connect();
    await expect(station.call('Heartbeat', {})).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    expect(b.events.some((e) => e.kind === 'error' && e.error.startsWith('schema-invalid answer to station'))).toBe(true);
  });

  it('limits how many calls of one station are handled at once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const b = await bed({ maxConcurrentCallsPerStation: 2, handlers: { NotifyEvent: async () => (await gate, {}) } });
    const ws = await rawSocket(b.server.url, 'CS-1');
    const event = { generatedAt: new Date().toISOString(), seqNo: 0, eventData: [{ eventId: 1, timestamp: new Date().toISOString(), trigger: 'Alerting', actualValue: '1', eventNotificationType: 'HardWiredNotification', component: { name: 'X' }, variable: { name: 'Y' } }] };
    const answers: unknown[][] = [];
    ws.on('message', (d: Buffer) => answers.push(JSON.parse(d.toString('utf8')) as unknown[]));
    for (const id of ['a', 'b', 'c']) ws.send(JSON.stringify([2, id, 'NotifyEvent', event]));
    await waitFor('refusal of the third call', () => (answers.length >= 1 ? true : undefined));
    expect(answers[0]?.slice(0, 3)).toEqual([4, 'c', 'GenericError']);
    release();
    await waitFor('the first two answered', () => (answers.length >= 3 ? true : undefined));
    expect(answers.slice(1).map((a) => a.slice(0, 2))).toEqual([
      [3, 'a'],
      [3, 'b'],
    ]);
  });

  it('a reconnecting station replaces its old connection', async () => {
    const b = await bed();
    const first = client(b.server.url, 'CS-1', { password: PASSWORD });
    await first.connect();
    const firstClosed = closeOf(first);
    const second = client(b.server.url, 'CS-1', { password: PASSWORD });
    second.handle('GetVariables', () => Promise.resolve({ getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: 'second', component: { name: 'C' }, variable: { name: 'V' } }] }));
    await second.connect();
    await firstClosed;
    expect(b.server.connectedIds()).toEqual(['CS-1']);
    const r = await b.server.stations.call('CS-1', 'GetVariables', { getVariableData: [{ component: { name: 'C' }, variable: { name: 'V' } }] });
    expect(r.getVariableResult[0]?.attributeValue).toBe('second');
    // The old connection's late disconnect does not clear the new one's presence.
    await b.server.close();
    const reopened = await b.registry.get('CS-1');
    expect(reopened?.connectedNode).toBeUndefined();
  });

  it('with pings on, drops a station that stops answering them; connect/disconnect hooks report it', async () => {
    const seen: string[] = [];
    const b = await bed({
      pingIntervalMs: 150,
      onStationConnected: (id, info) => seen.push(`up ${id} p${info.securityProfile}`),
      onStationDisconnected: (id, info) => seen.push(`down ${id} ${info.code}`),
    });
    const auth = `Basic ${Buffer.from(`CS-1:${PASSWORD}`).toString('base64')}`;
    const silent = new WebSocket(`${b.server.url}/CS-1`, ['ocpp2.0.1'], { headers: { authorization: auth }, autoPong: false });
    clients.push({ close: () => Promise.resolve(silent.terminate()) });
    const closed = wsClosed(silent);
    await waitFor('connected', () => (b.server.stations.isConnected('CS-1') ? true : undefined));
    expect(await closed).toBe(1006);
    await waitFor('dropped', () => (b.server.stations.isConnected('CS-1') ? undefined : true));
    expect(seen).toEqual(['up CS-1 p1', 'down CS-1 1006']);
    // A normal client answers pings and stays.
    const station = client(b.server.url, 'CS-2', { password: PASSWORD });
    await station.connect();
    await new Promise((r) => setTimeout(r, 600));
    expect(b.server.stations.isConnected('CS-2')).toBe(true);
  });

  it('the old connection closing does not clear the presence of the new one', async () => {
    const b = await bed();
    const first = client(b.server.url, 'CS-1', { password: PASSWORD });
    await first.connect();
    const second = client(b.server.url, 'CS-1', { password: PASSWORD });
    await second.connect();
    await closeOf(first).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(await b.registry.whereConnected('CS-1')).toBe(b.server.nodeId);
    expect(b.server.stations.isConnected('CS-1')).toBe(true);
  });

  it('calls a connected station: result, CALLERROR, time-out, not connected, too large', async () => {
    const b = await bed();
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    station.handle('GetVariables', ({ params }) => {
      const data = (params as { getVariableData: { component: { name: string }; variable: { name: string } }[] }).getVariableData;
      return Promise.resolve({ getVariableResult: data.map((d) => ({ attributeStatus: 'Accepted', attributeValue: `${d.component.name}.${d.variable.name}=42`, component: d.component, variable: d.variable })) });
    });
    station.handle('Reset', () => Promise.reject(new RPCGenericError('not now')));
    station.handle('ClearCache', () => new Promise(() => undefined));
    await station.connect();

    const r = await b.server.stations.call('CS-1', 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
    expect(r.getVariableResult).toEqual([{ attributeStatus: 'Accepted', attributeValue: 'OCPPCommCtrlr.HeartbeatInterval=42', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }]);
    expect(b.events.some((e) => e.kind === 'message' && e.from === 'csms' && e.to === 'charger' && e.message === 'GetVariables' && e.session === 'CS-1')).toBe(true);

    await expect(b.server.stations.call('CS-1', 'Reset', { type: 'Immediate' })).rejects.toMatchObject({ name: 'StationCallError', code: 'rejected', rpcErrorCode: 'GenericError' });
    await expect(b.server.stations.call('CS-1', 'ClearCache', {}, { timeoutMs: 200 })).rejects.toMatchObject({ name: 'StationCallError', code: 'timeout' });
    // The station's unhandled action: its ocpp-rpc answers NotImplemented.
    await expect(b.server.stations.call('CS-1', 'UnlockConnector', { evseId: 1, connectorId: 1 })).rejects.toMatchObject({ code: 'rejected', rpcErrorCode: 'NotImplemented' });
    // Our own strict mode refuses an invalid request before it is sent.
    await expect(b.server.stations.call('CS-1', 'Reset', { type: 'Sometime' } as never)).rejects.toBeInstanceOf(StationCallError);
    await expect(b.server.stations.call('CS-1', 'DataTransfer', { vendorId: 'v', data: 'x'.repeat(70_000) })).rejects.toMatchObject({ code: 'too-large' });

    const notHere = b.server.stations.call('CS-9', 'Reset', { type: 'Immediate' });
    await expect(notHere).rejects.toBeInstanceOf(StationNotConnectedError);
    await expect(notHere).rejects.toMatchObject({ stationId: 'CS-9' });
    // The connection survived all of that.
    expect(await station.call('Heartbeat', {})).toHaveProperty('currentTime');
  });

  it('a call outstanding when the station disconnects fails as disconnected', async () => {
    const b = await bed();
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    station.handle('ClearCache', () => new Promise(() => undefined));
    await station.connect();
    const pending = b.server.stations.call('CS-1', 'ClearCache', {}, { timeoutMs: 5000 });
    setTimeout(() => void station.close({ force: true }), 50);
    await expect(pending).rejects.toMatchObject({ code: 'disconnected' });
    await waitFor('gone', () => (b.server.stations.isConnected('CS-1') ? undefined : true));
    await expect(b.server.stations.call('CS-1', 'ClearCache', {})).rejects.toBeInstanceOf(StationNotConnectedError);
  });

  it('survives hostile raw frames: errors for each, then closes after too many in a row; other stations unaffected', async () => {
    const b = await bed({ maxBadMessages: 5 });
    const good = client(b.server.url, 'CS-2', { password: PASSWORD });
    await good.connect();
    const ws = await rawSocket(b.server.url, 'CS-1');
    const answers: unknown[][] = [];
    ws.on('message', (d: Buffer) => answers.push(JSON.parse(d.toString('utf8')) as unknown[]));
    const closed = wsClosed(ws);
    // Well-formed frames with wrong types are CALLs strict mode refuses; the link stays up.
    ws.send('[2,"m","Heartbeat","params are a string"]');
    ws.send('[2,"n","Heartbeat",{"unexpected":1}]');
    ws.send('[2,"o","Heartbeat",[1,2,3]]');
    await waitFor('strict-mode answers', () => (answers.length >= 3 ? true : undefined));
    expect(answers.map((a) => a.slice(0, 2))).toEqual([
      [4, 'm'],
      [4, 'n'],
      [4, 'o'],
    ]);
    answers.length = 0;
    const hostile = ['not json at all', '{"an":"object"}', '[2]', '["2","id","Heartbeat",{}]', '[2,42,"Heartbeat",{}]'];
    for (const frame of hostile) ws.send(frame);
    // Each is answered with an RPC framework error (message id "-1" where none could be read).
    await waitFor('answers', () => (answers.length >= 5 ? true : undefined));
    expect(answers.map((a) => [a[0], a[2]])).toEqual(hostile.map(() => [4, 'RpcFrameworkError']));
    // A sixth malformed frame in a row: closed with 1002.
    ws.send('\u0000\u0001garbage');
    expect(await closed).toBe(1002);
    expect(b.events.some((e) => e.kind === 'error' && e.error === 'malformed frame from station' && e.session === 'CS-1')).toBe(true);
    // Other kinds of junk on a fresh connection: binary, an unknown message type, a CALLRESULT for nothing.
    const ws2 = await rawSocket(b.server.url, 'CS-1');
    const answers2: unknown[][] = [];
    ws2.on('message', (d: Buffer) => answers2.push(JSON.parse(d.toString('utf8')) as unknown[]));
    ws2.send(Buffer.from([0xff, 0xfe, 0x00]));
    ws2.send('[7,"t","Whatever",{}]');
    ws2.send('[3,"nobody-asked",{}]');
    ws2.send('[4,"nobody-asked-either","GenericError","",{}]');
    ws2.send('[2,"h","Heartbeat",{}]');
    await waitFor('heartbeat answer', () => (answers2.some((a) => a[0] === 3 && a[1] === 'h') ? true : undefined));
    expect(answers2.some((a) => a[2] === 'MessageTypeNotSupported')).toBe(true);
    expect(await good.call('Heartbeat', {})).toHaveProperty('currentTime');
  });

  it.for([
    ['/CS-1/extra', 404],
    ['/ocpp/CS-1', 404],
    ['/%E0%A4%A', 400],
    ['/CS%2F1', 400],
    ['/bad%20id', 400],
    ['/', 400],
    [`/${'X'.repeat(49)}`, 400],
    ['/CS:1', 400],
  ] as const)('refuses the upgrade path %s with %i and stays up', async ([path, status]) => {
    const b = await bed();
    expect(await upgradeStatus(b.server.port, path)).toBe(status);
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    await station.connect();
    expect(b.server.connectedIds()).toEqual(['CS-1']);
  });

  it('serves stations under a base path', async () => {
    const b = await bed({ basePath: '/ocpp/v201' });
    expect(b.server.url).toMatch(/\/ocpp\/v201$/);
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    await station.connect();
    expect(await upgradeStatus(b.server.port, '/CS-1')).toBe(404);
  });

  it('answers plain HTTP requests with 426 and malformed HTTP with 400', async () => {
    const b = await bed();
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: b.server.port, path: '/CS-1' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(426);
    const garbage = await new Promise<string>((resolve) => {
      const s = netConnect(b.server.port, '127.0.0.1', () => s.write('\u0000\u0001 BLAH\r\n\r\n'));
      let text = '';
      s.on('data', (d: Buffer) => (text += d.toString('latin1')));
      s.on('close', () => resolve(text));
    });
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    // Headers beyond Node's limit (16 KiB).
    const huge = await new Promise<string>((resolve) => {
      const s = netConnect(b.server.port, '127.0.0.1', () => s.write(`GET /CS-1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nX-Fill: ${'a'.repeat(40_000)}\r\n\r\n`));
      let text = '';
      s.on('data', (d: Buffer) => (text += d.toString('latin1')));
      s.on('error', () => undefined);
      s.on('close', () => resolve(text));
    });
    expect(huge).toMatch(/^HTTP\/1\.1 431/);
  });

  it('drops a client that sends its upgrade request too slowly (slowloris)', async () => {
    const b = await bed({ handshakeTimeoutMs: 300 });
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const socket = netConnect(b.server.port, '127.0.0.1', () => socket.write('GET /CS-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'));
      // One header byte every 100 ms, never finishing.
      const drip = setInterval(() => socket.writable && socket.write('X'), 100);
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(text);
      });
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(outcome).toMatch(/^HTTP\/1\.1 408/);
    const station = client(b.server.url, 'CS-1', { password: PASSWORD });
    await station.connect();
  });

  it('answers 503 when the registry does not answer within the handshake time-out', async () => {
    const b = await bed({
      handshakeTimeoutMs: 200,
      registryFor: (registry) => ({
        authenticate: () => new Promise(() => undefined),
        recordFacts: (c) => registry.recordFacts(c),
        clearNode: (n) => registry.clearNode(n),
      }),
    });
    const started = Date.now();
    expect(await refusalStatus(client(b.server.url, 'CS-1', { password: PASSWORD }))).toBe(503);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers 503 when the registry fails', async () => {
    const b = await bed({
      registryFor: (registry) => ({
        authenticate: () => Promise.reject(new Error('connection refused')),
        recordFacts: (c) => registry.recordFacts(c),
        clearNode: (n) => registry.clearNode(n),
      }),
    });
    expect(await refusalStatus(client(b.server.url, 'CS-1', { password: PASSWORD }))).toBe(503);
    expect(b.events.some((e) => e.kind === 'error' && e.error === 'station registry unavailable')).toBe(true);
  });

  it('close() disconnects every station and clears this node from the registry', async () => {
    const b = await bed();
    const s1 = client(b.server.url, 'CS-1', { password: PASSWORD });
    const s2 = client(b.server.url, 'CS-2', { password: PASSWORD });
    await Promise.all([s1.connect(), s2.connect()]);
    await waitFor('presence', async () => ((await b.registry.whereConnected('CS-2')) !== undefined ? true : undefined));
    const closed = Promise.all([closeOf(s1), closeOf(s2)]);
    await b.server.close();
    await closed;
    expect(await b.registry.whereConnected('CS-1')).toBeUndefined();
    expect(await b.registry.whereConnected('CS-2')).toBeUndefined();
    await expect(client(b.server.url, 'CS-1', { password: PASSWORD }).connect()).rejects.toThrow();
  });

  it('a node restarting clears connections recorded for it by its earlier run', async () => {
    const b = await bed({ nodeId: 'node-A' });
    await b.registry.recordConnected('CS-2', 'node-B', 'conn-b');
    await b.registry.recordConnected('CS-1', 'node-A', 'stale');
    await b.server.close();
    beds.splice(beds.indexOf(b), 1);
    // The same database, a new server with the same node id.
    const { startCsmsServer } = await import('../../../src/csms/server/csmsServer.js');
    const { silentTracer } = await import('../../../src/trace/tracer.js');
    await b.registry.recordConnected('CS-1', 'node-A', 'stale-again');
    const again = await startCsmsServer({ registry: b.registry, handlers: {}, tracer: silentTracer('csms'), security: { profile: 1 }, nodeId: 'node-A' });
    expect(await b.registry.whereConnected('CS-1')).toBeUndefined();
    expect(await b.registry.whereConnected('CS-2')).toBe('node-B');
    await again.close();
    await b.store.close();
  });
});
