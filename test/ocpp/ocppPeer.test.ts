// Typed OCPP 2.0.1 over real WebSockets with ocpp-rpc in strict mode: a station and a CSMS exchange messages; frames
// that break the schema are refused with the OCPP-J error codes on both sides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RPCClient, RPCServer } from 'ocpp-rpc';
import type { AddressInfo } from 'node:net';
import { ocppPeer, STRICT_OCPP201, type OcppPeer } from '../../src/ocpp/ocppPeer.js';
import type { BootNotificationRequest } from '../../src/ocpp/generated/ocpp201.js';

type ClientOptions = ConstructorParameters<typeof RPCClient>[0];

let server: RPCServer;
let port = 0;
let csmsSide: OcppPeer | undefined;
const connected: Promise<OcppPeer> = new Promise((resolve) => {
  beforeAll(async () => {
    server = new RPCServer({ ...STRICT_OCPP201, protocols: [...STRICT_OCPP201.protocols] });
    server.auth((accept) => accept({}, 'ocpp2.0.1'));
    server.on('client', (client: RPCClient) => {
      csmsSide = ocppPeer(client);
      csmsSide.handle('BootNotification', (req) => ({ currentTime: new Date(0).toISOString(), interval: 300, status: req.reason === 'PowerUp' ? 'Accepted' : 'Pending' }));
      csmsSide.handle('Authorize', (req) => ({
        idTokenInfo: { status: req.idToken.type === 'eMAID' ? 'Accepted' : 'Invalid' },
        ...(req.iso15118CertificateHashData ? { certificateStatus: 'Accepted' as const } : {}),
      }));
      // A handler that breaks the response schema (StatusNotificationResponse has no such property).
      csmsSide.handle('StatusNotification', () => ({ unexpected: true }) as never);
      resolve(csmsSide);
    });
    const http = await server.listen(0, '127.0.0.1');
    port = (http.address() as AddressInfo).port;
  });
});

let client: RPCClient;
let station: OcppPeer;

beforeAll(async () => {
  client = new RPCClient({ endpoint: `ws://127.0.0.1:${port}`, identity: 'CS001', reconnect: false, ...STRICT_OCPP201, protocols: [...STRICT_OCPP201.protocols] } as ClientOptions);
  await client.connect();
  station = ocppPeer(client);
  await connected;
});

afterAll(async () => {
  await client.close({ force: true });
  await server.close({ force: true });
});

const boot: BootNotificationRequest = { reason: 'PowerUp', chargingStation: { model: 'pnc-stack SECC', vendorName: 'pnc-stack' } };

describe('typed OCPP 2.0.1 over ocpp-rpc strict mode', () => {
  it('BootNotification and Authorize: typed request in, typed response out', async () => {
    const r = await station.call('BootNotification', boot);
    expect(r).toEqual({ currentTime: '1970-01-01T00:00:00.000Z', interval: 300, status: 'Accepted' });
    const a = await station.call('Authorize', {
      idToken: { idToken: 'DEPNCC00000001A', type: 'eMAID' },
      iso15118CertificateHashData: [{ hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '1', responderURL: 'http://127.0.0.1:2560/ocsp' }],
    });
    expect(a).toEqual({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
  });

  it('a request that breaks the schema is refused before it is sent', async () => {
    const e = (await station.call('BootNotification', { reason: 'PowerUp' } as never).catch((x: unknown) => x)) as { rpcErrorCode?: string };
    // OCPP-J error code as ocpp-rpc spells it for 2.0.1 (the OCPP 1.6 spelling with one 'r').
    expect(e.rpcErrorCode).toBe('OccurenceConstraintViolation');
    const long = (await station.call('Authorize', { idToken: { idToken: 'x'.repeat(37), type: 'eMAID' } }).catch((x: unknown) => x)) as { rpcErrorCode?: string };
    expect(long.rpcErrorCode).toBe('FormatViolation');
  });

  it('a raw frame that breaks the schema gets a CALLERROR from the other side', async () => {
    const raw = new RPCClient({ endpoint: `ws://127.0.0.1:${port}`, identity: 'CS002', reconnect: false, protocols: ['ocpp2.0.1'], strictMode: false } as ClientOptions);
    await raw.connect();
    const e = (await raw.call('BootNotification', { reason: 'NotAReason', chargingStation: { model: 'm', vendorName: 'v' } }).catch((x: unknown) => x)) as { rpcErrorCode?: string };
    expect(e.rpcErrorCode).toBe('FormatViolation');
    await raw.close({ force: true });
  });

  it('a handler response that breaks the schema never reaches the caller as data', async () => {
    const e = (await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 }).catch((x: unknown) => x)) as { rpcErrorCode?: string };
    expect(e.rpcErrorCode).toBe('InternalError');
  });

  it('an action the other side does not handle → NotImplemented', async () => {
    const e = (await station.call('DataTransfer', { vendorId: 'pnc-stack' }).catch((x: unknown) => x)) as { rpcErrorCode?: string };
    expect(e.rpcErrorCode).toBe('NotImplemented');
  });
});
