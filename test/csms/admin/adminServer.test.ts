// The admin API against a real charger (strict OCPP 2.0.1 both ways): every route, the token, bad and oversize bodies,
// a station connected elsewhere (409), a station that fails the call (502), and a mounted extra route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminServerError, DEFAULT_ADMIN_BODY_LIMIT, iso15118Variables, startAdminServer, type AdminServer } from '../../../src/csms/admin/adminServer.js';
import { RPCError } from '../../../src/ocpp/ocppRpc.js';
import { encodePem } from '../../../src/pki/certificate/pem.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import { cert } from '../../helpers/fixtures.js';
import { startStationTestbed, STATION_ID, type StationTestbed } from '../../helpers/stationTestbed.js';
import { connectBareStation, stationCallerOver, type BareStation } from '../certificates/testStations.js';

const TOKEN = 'admin-token-0123456789abcdef';
let bed: StationTestbed;
let admin: AdminServer;
let bare: BareStation;
const events: TraceEvent[] = [];
let whereCalls = 0;

beforeAll(async () => {
  bed = await startStationTestbed();
  await bed.csms.waitFor(STATION_ID, 'StatusNotification');
  bare = await connectBareStation(bed.csms, 'CS-BARE', 'bare-station-password-01');
  bare.handle('TriggerMessage', () => new Promise(() => undefined)); // never answers
  bare.handle('GetLocalListVersion', () => {
    throw Object.assign(new RPCError('no local list here'), { rpcErrorCode: 'NotSupported' });
  });
  admin = await startAdminServer({
    stations: stationCallerOver(bed.csms, () => [STATION_ID, 'CS-BARE']),
    tracer: silentTracer('csms', [(e) => events.push(e)]),
    token: TOKEN,
    nodeId: 'node-a',
    callTimeoutMs: 500,
    listConnected: () => [STATION_ID, 'CS-BARE'].filter((id) => bed.csms.isConnected(id)),
    whereConnected: (id) => {
      whereCalls++;
      if (id === 'CS-BROKEN-LOOKUP') return Promise.reject(new Error('database down'));
      return Promise.resolve(id === 'CS-ELSEWHERE' ? 'node-b' : undefined);
    },
    routes: [
      (app) => {
        app.post('/roaming/register', (req, reply) => reply.send({ registered: true, body: req.body }));
      },
    ],
  });
});
afterAll(async () => {
  await admin?.close();
  await bare?.close();
  await bed?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${admin.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const station = (action: string) => `/stations/${STATION_ID}/${action}`;

describe('token', () => {
  it('missing, wrong, wrong scheme → 401 with WWW-Authenticate; the right one passes', async () => {
    for (const authorization of ['', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, `Bearer  ${TOKEN}`, 'Bearer']) {
      const res = await fetch(`${admin.url}${station('get-local-list-version')}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: '{}' });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    const get = await fetch(`${admin.url}/stations`);
    expect(get.status).toBe(401);
    expect((await post(station('get-local-list-version'), {})).status).toBe(200);
    expect(events.some((e) => e.kind === 'check' && e.check === 'admin token' && !e.ok)).toBe(true);
  });

  it('an unauthenticated oversize body is refused before it is read (401, not 413)', async () => {
    const res = await fetch(`${admin.url}${station('set-variables')}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(200_000) });
    expect(res.status).toBe(401);
  });
});

describe('every route against the real charger', () => {
  it('GET /stations lists the stations connected here', async () => {
    const res = await fetch(`${admin.url}/stations`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ node: 'node-a', connectedCount: 2, connected: [STATION_ID, 'CS-BARE'].sort() });
  });

  it('install-certificate → get-installed-certificate-ids → delete-certificate → NotFound', async () => {
    const root = cert('iso20-ed448/mo-root');
    const installed = await post(station('install-certificate'), { certificateType: 'MORootCertificate', certificate: encodePem('CERTIFICATE', root.der) });
    expect(installed).toEqual({ status: 200, json: { status: 'Accepted' } });
    const ids = await post(station('get-installed-certificate-ids'), { certificateType: ['MORootCertificate'] });
    expect(ids.status).toBe(200);
    const chain = ids.json.certificateHashDataChain as { certificateType: string; certificateHashData: { serialNumber: string } }[];
    const entry = chain.find((c) => c.certificateHashData.serialNumber === root.cert.serialHex);
    expect(entry).toBeDefined();
    expect((await post(station('get-installed-certificate-ids'), {})).json.status).toBe('Accepted');
    expect(await post(station('delete-certificate'), { certificateHashData: entry!.certificateHashData })).toEqual({ status: 200, json: { status: 'Accepted' } });
    expect((await post(station('delete-certificate'), { certificateHashData: entry!.certificateHashData })).json).toEqual({ status: 'NotFound' });
  });

  it('install-certificate refuses what is not one CA certificate before calling the station', async () => {
    const leafPem = encodePem('CERTIFICATE', cert('iso2/secc').der);
    for (const certificate of ['garbage', leafPem, leafPem + encodePem('CERTIFICATE', cert('iso2/v2g-root').der), encodePem('CERTIFICATE', Buffer.from('not a certificate'))]) {
      const r = await post(station('install-certificate'), { certificateType: 'V2GRootCertificate', certificate });
      expect(r.status, certificate.slice(0, 30)).toBe(400);
    }
    const big = await post(station('install-certificate'), { certificateType: 'V2GRootCertificate', certificate: 'A'.repeat(5501) });
    expect(big.status).toBe(400);
  });

  it('send-local-list and get-local-list-version', async () => {
    const full = await post(station('send-local-list'), { versionNumber: 7, updateType: 'Full', localAuthorizationList: [{ idToken: { idToken: 'AABBCCDD', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } }] });
    expect(full).toEqual({ status: 200, json: { status: 'Accepted' } });
    expect(await post(station('get-local-list-version'), {})).toEqual({ status: 200, json: { versionNumber: 7 } });
    expect((await post(station('send-local-list'), { versionNumber: 7, updateType: 'Differential' })).json.status).toBe('VersionMismatch');
  });

  it('set-variables / get-variables, and /iso15118 as SetVariables on ISO15118Ctrlr', async () => {
    const set = await post(station('set-variables'), { setVariableData: [{ component: { name: 'AuthCtrlr' }, variable: { name: 'LocalAuthorizeOffline' }, attributeValue: 'false' }] });
    expect(set.status).toBe(200);
    expect((set.json.setVariableResult as { attributeStatus: string }[])[0]!.attributeStatus).toBe('Accepted');
    const iso = await post(station('iso15118'), { ContractValidationOffline: false, CentralContractValidationAllowed: true, PnCEnabled: true });
    expect(iso.status).toBe(200);
    expect((iso.json.setVariableResult as { attributeStatus: string; variable: { name: string } }[]).map((r) => [r.variable.name, r.attributeStatus])).toEqual([
      ['PnCEnabled', 'Accepted'],
      ['ContractValidationOffline', 'Accepted'],
      ['CentralContractValidationAllowed', 'Accepted'],
    ]);
    const get = await post(station('get-variables'), {
      getVariableData: [
        { component: { name: 'ISO15118Ctrlr' }, variable: { name: 'ContractValidationOffline' } },
        { component: { name: 'ISO15118Ctrlr' }, variable: { name: 'CentralContractValidationAllowed' } },
        { component: { name: 'AuthCtrlr' }, variable: { name: 'LocalAuthorizeOffline' } },
      ],
    });
    expect((get.json.getVariableResult as { attributeValue?: string }[]).map((r) => r.attributeValue)).toEqual(['false', 'true', 'false']);
    // A value the station refuses comes back as the station's answer, not an HTTP error.
    const refused = await post(station('iso15118'), { CountryName: 'de' });
    expect(refused.status).toBe(200);
    expect((refused.json.setVariableResult as { attributeStatus: string }[])[0]!.attributeStatus).toBe('Rejected');
  });

  it('trigger-message', async () => {
    expect(await post(station('trigger-message'), { requestedMessage: 'Heartbeat' })).toEqual({ status: 200, json: { status: 'Accepted' } });
    expect((await post(station('trigger-message'), { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } })).json.status).toBe('Accepted');
  });

  it('traces each call as a message pair', () => {
    const pairs = events.filter((e) => e.kind === 'message' && e.message.startsWith('TriggerMessage'));
    expect(pairs.map((e) => (e.kind === 'message' ? [e.from, e.to, e.message] : []))).toContainEqual(['csms', 'charger', 'TriggerMessageRequest']);
    expect(pairs.map((e) => (e.kind === 'message' ? e.message : ''))).toContain('TriggerMessageResponse');
  });
});

describe('bad requests', () => {
  it('schema violations → 400 and no call', async () => {
    const before = bed.csms.frames(STATION_ID).length;
    const bad: [string, unknown][] = [
      ['install-certificate', { certificateType: 'V2GCertificateChain', certificate: 'x' }],
      ['install-certificate', { certificate: 'x' }],
      ['delete-certificate', { certificateHashData: { hashAlgorithm: 'MD5', issuerNameHash: 'a', issuerKeyHash: 'b', serialNumber: '1' } }],
      ['delete-certificate', { certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'a'.repeat(129), issuerKeyHash: 'b', serialNumber: '1' } }],
      ['get-installed-certificate-ids', { certificateType: [] }],
      ['get-installed-certificate-ids', { certificateType: ['MORootCertificate', 'MORootCertificate'] }],
      ['send-local-list', { versionNumber: '7', updateType: 'Full' }],
      ['send-local-list', { versionNumber: 1.5, updateType: 'Full' }],
      ['send-local-list', { versionNumber: 1, updateType: 'Partial' }],
      ['send-local-list', { versionNumber: 1, updateType: 'Full', localAuthorizationList: [{ idToken: { idToken: 'x'.repeat(37), type: 'ISO14443' } }] }],
      ['send-local-list', { versionNumber: 1, updateType: 'Full', localAuthorizationList: [{ idToken: { idToken: 'AA', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted', cacheExpiryDateTime: 'tomorrow' } }] }],
      ['set-variables', { setVariableData: [] }],
      ['set-variables', { setVariableData: [{ component: { name: 'X' }, variable: { name: 'Y' }, attributeValue: 'v'.repeat(1001) }] }],
      ['set-variables', { setVariableData: [{ component: { name: 'X', extra: 1 }, variable: { name: 'Y' }, attributeValue: 'v' }] }],
      ['get-variables', { getVariableData: [{ component: {}, variable: { name: 'Y' } }] }],
      ['trigger-message', { requestedMessage: 'Reboot' }],
      ['trigger-message', { requestedMessage: 'Heartbeat', evse: { id: -1 } }],
      ['iso15118', {}],
      ['iso15118', { evse: 1 }],
      ['iso15118', { PnCEnabled: 'true' }],
      ['iso15118', { NoSuchVariable: true }],
      ['iso15118', { CountryName: 'DEU' }],
      ['get-local-list-version', { extra: true }],
      ['set-variables', '{"setVariableData": ['],
      ['set-variables', '[]'],
    ];
    for (const [path, body] of bad) {
      const r = await post(station(path), body);
      expect(r.status, `${path} ${JSON.stringify(body).slice(0, 80)}`).toBe(400);
      expect(r.json.error).toBe('BadRequest');
    }
    // A station id that is not an OCPP identity.
    expect((await post('/stations/bad%20id/get-local-list-version', {})).status).toBe(400);
    expect((await post(`/stations/${'A'.repeat(49)}/get-local-list-version`, {})).status).toBe(400);
    expect(bed.csms.frames(STATION_ID).length).toBe(before);
  });

  it('another content type → 415; an unknown route → 404', async () => {
    const r = await post(station('get-local-list-version'), 'versionNumber=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
    expect((await post('/stations/X/reset', {})).status).toBe(404);
  });

  it(`a body over ${DEFAULT_ADMIN_BODY_LIMIT} bytes → 413`, async () => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({ idToken: { idToken: `CARD${String(i).padStart(8, '0')}`, type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } }));
    const r = await post(station('send-local-list'), { versionNumber: 9, updateType: 'Full', localAuthorizationList: entries });
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('PayloadTooLarge');
  });
});

describe('station not here, or failing', () => {
  it('connected to another node → 409 naming it; nowhere → 409 with null; a failed lookup is reported', async () => {
    const elsewhere = await post('/stations/CS-ELSEWHERE/trigger-message', { requestedMessage: 'Heartbeat' });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.json).toMatchObject({ error: 'NotConnectedHere', stationId: 'CS-ELSEWHERE', node: 'node-a', connectedNode: 'node-b', lookup: 'ok' });
    expect(elsewhere.json.message).toMatch(/node-b/);
    const nowhere = await post('/stations/CS-NOWHERE/get-local-list-version', {});
    expect(nowhere.json).toMatchObject({ error: 'NotConnectedHere', connectedNode: null, lookup: 'ok' });
    const broken = await post('/stations/CS-BROKEN-LOOKUP/get-local-list-version', {});
    expect(broken).toMatchObject({ status: 409, json: { lookup: 'failed', connectedNode: null } });
    expect(events.some((e) => e.kind === 'error' && e.error === 'station location lookup')).toBe(true);
    expect(whereCalls).toBe(3);
  });

  it('no answer in time → 502 Timeout; a CALLERROR → 502 with its code', async () => {
    const t0 = Date.now();
    const timeout = await post('/stations/CS-BARE/trigger-message', { requestedMessage: 'Heartbeat' });
    expect(timeout.status).toBe(502);
    expect(timeout.json).toMatchObject({ error: 'StationCallFailed', code: 'Timeout', action: 'TriggerMessage' });
    expect(Date.now() - t0).toBeLessThan(3000);
    const callError = await post('/stations/CS-BARE/get-local-list-version', {});
    expect(callError).toMatchObject({ status: 502, json: { code: 'NotSupported' } });
    // Not handled at all by the bare station: ocpp-rpc answers NotImplemented.
    expect((await post('/stations/CS-BARE/get-variables', { getVariableData: [{ component: { name: 'X' }, variable: { name: 'Y' } }] })).json.code).toBe('NotImplemented');
  });
});

describe('extra routes and start-up rules', () => {
  it('a mounted route (the roaming helper’s) runs behind the same token', async () => {
    expect(await post('/roaming/register', { versionsUrl: 'http://x' })).toEqual({ status: 200, json: { registered: true, body: { versionsUrl: 'http://x' } } });
    expect((await fetch(`${admin.url}/roaming/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('refuses a non-loopback host without a token, and a short token', async () => {
    const stations = stationCallerOver(bed.csms, () => []);
    const tracer = silentTracer('csms');
    await expect(startAdminServer({ stations, tracer, host: '0.0.0.0' })).rejects.toMatchObject({ name: 'AdminServerError', code: 'insecure' });
    await expect(startAdminServer({ stations, tracer, host: '::' })).rejects.toBeInstanceOf(AdminServerError);
    await expect(startAdminServer({ stations, tracer, token: 'short' })).rejects.toMatchObject({ code: 'token' });
    await expect(startAdminServer({ stations, tracer, token: 'has a space in it 0123' })).rejects.toMatchObject({ code: 'token' });
  });

  it('without a token (loopback): no auth, but only loopback Host headers', async () => {
    const open = await startAdminServer({ stations: stationCallerOver(bed.csms, () => [STATION_ID]), tracer: silentTracer('csms') });
    try {
      const ok = await fetch(`${open.url}/stations/${STATION_ID}/get-local-list-version`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(ok.status).toBe(200);
      const stationsRes = await fetch(`${open.url}/stations`);
      expect(await stationsRes.json()).toEqual({ node: null, connectedCount: 1 });
      // DNS rebinding: the browser sends the attacker's name as Host.
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${open.url}/stations`, { headers: { host: `evil.example:${open.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(403);
    } finally {
      await open.close();
    }
  });

  it('a client that stops half-way through its request is cut off after the request time-out', async () => {
    const slow = await startAdminServer({ stations: stationCallerOver(bed.csms, () => []), tracer: silentTracer('csms'), token: TOKEN, requestTimeoutMs: 400 });
    try {
      const { connect } = await import('node:net');
      const t0 = Date.now();
      const closedAfter = await new Promise<number>((resolve, reject) => {
        const socket = connect(slow.port, '127.0.0.1', () => {
          socket.write(`POST /stations/X/get-local-list-version HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`);
        });
        socket.on('data', () => undefined);
        socket.on('error', reject);
        socket.on('close', () => resolve(Date.now() - t0));
        setTimeout(() => reject(new Error('the server kept the connection open')), 5000);
      });
      expect(closedAfter).toBeLessThan(3000);
    } finally {
      await slow.close();
    }
  });

  it('iso15118Variables builds ISO15118Ctrlr SetVariableData in catalogue order, on an EVSE when asked', () => {
    expect(iso15118Variables({ CountryName: 'DE', PnCEnabled: false, MaxScheduleEntries: 24, evse: 2 })).toEqual([
      { component: { name: 'ISO15118Ctrlr', evse: { id: 2 } }, variable: { name: 'PnCEnabled' }, attributeValue: 'false' },
      { component: { name: 'ISO15118Ctrlr', evse: { id: 2 } }, variable: { name: 'CountryName' }, attributeValue: 'DE' },
      { component: { name: 'ISO15118Ctrlr', evse: { id: 2 } }, variable: { name: 'MaxScheduleEntries' }, attributeValue: '24' },
    ]);
  });
});
