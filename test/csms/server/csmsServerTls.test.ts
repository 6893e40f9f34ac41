// The CSMS's OCPP server over TLS (security profiles 2 and 3, and a profile-2 server that also admits certificates),
// with certificates made by openssl (test/helpers/ocppTlsPki.ts) and strict ocpp-rpc station clients.
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CsmsSecurity } from '../../../src/csms/server/csmsServer.js';
import { ocppTlsPki, type OcppTlsPki } from '../../helpers/ocppTlsPki.js';
import { BOOT, refusalStatus, startServerBed, stationClient, type ServerBed } from './csmsServerTestbed.js';

const PASSWORD = 'tls-station-password-0123';
let pki: OcppTlsPki;
const beds: ServerBed[] = [];
const clients: { close(o?: { force?: boolean }): Promise<unknown> }[] = [];

beforeAll(async () => {
  pki = await ocppTlsPki();
}, 60_000);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ force: true })));
  await Promise.all(beds.splice(0).map((b) => b.close()));
});

async function bed(security: CsmsSecurity, extra: Parameters<typeof startServerBed>[0] = {}): Promise<ServerBed> {
  const b = await startServerBed({ security, stations: { 'CS-TLS-1': PASSWORD, 'CS-TLS-2': PASSWORD }, ...extra });
  beds.push(b);
  return b;
}

function client(url: string, identity: string, options: { password?: string; cert?: { certPem: string; keyPem: string }; ca?: string } = {}): ReturnType<typeof stationClient> {
  const c = stationClient(url, identity, {
    ...(options.password !== undefined ? { password: options.password } : {}),
    wsOpts: { ca: options.ca ?? pki.csmsRootPem, minVersion: 'TLSv1.2', ...(options.cert ? { cert: options.cert.certPem, key: options.cert.keyPem } : {}) },
  });
  clients.push(c);
  return c;
}

const profile2 = (): CsmsSecurity => ({ profile: 2, serverCertPem: pki.csmsServer.certPem, serverKeyPem: pki.csmsServer.keyPem });
const profile3 = (): CsmsSecurity => ({ profile: 3, serverCertPem: pki.csmsServer.certPem, serverKeyPem: pki.csmsServer.keyPem, clientCaPem: pki.stationCaPem });
const mixed = (): CsmsSecurity => ({ profile: 2, serverCertPem: pki.csmsServer.certPem, serverKeyPem: pki.csmsServer.keyPem, clientCaPem: pki.stationCaPem });

describe('security profile 2: TLS + Basic auth', () => {
  it('admits the right password over wss, refuses a wrong one with 401', async () => {
    const b = await bed(profile2());
    expect(b.server.url).toMatch(/^wss:\/\/localhost:\d+$/);
    const station = client(b.server.url, 'CS-TLS-1', { password: PASSWORD });
    await station.connect();
    expect(await station.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
    expect(await refusalStatus(client(b.server.url, 'CS-TLS-2', { password: 'not-the-password-123' }))).toBe(401);
    expect(await refusalStatus(client(b.server.url, 'CS-UNKNOWN', { password: PASSWORD }))).toBe(401);
    expect(b.events.some((e) => e.kind === 'check' && e.check === 'station authentication' && e.ok && (e.detail ?? '').includes('profile 2'))).toBe(true);
  });

  it('a station that does not trust the server certificate cannot connect; plain ws:// gets no WebSocket', async () => {
    const b = await bed(profile2());
    await expect(client(b.server.url, 'CS-TLS-1', { password: PASSWORD, ca: pki.rogueRootPem }).connect()).rejects.toThrow(/certificate/i);
    await expect(client(b.server.url.replace('wss:', 'ws:'), 'CS-TLS-1', { password: PASSWORD }).connect()).rejects.toThrow();
    expect(b.server.connectedIds()).toEqual([]);
  });

  it('refuses a station registered for profile 3 that comes with a password', async () => {
    const b = await bed(profile2());
    await b.registry.setMinSecurityProfile('CS-TLS-1', 3);
    expect(await refusalStatus(client(b.server.url, 'CS-TLS-1', { password: PASSWORD }))).toBe(401);
  });

  it('drops a TCP client that never starts the TLS handshake', async () => {
    const b = await bed(profile2(), { handshakeTimeoutMs: 300 });
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const socket = netConnect(b.server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('only TLS 1.2 or newer', async () => {
    const b = await bed(profile2());
    const outcome = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: b.server.port, servername: 'localhost', ca: pki.csmsRootPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }, () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (e: Error) => resolve(e.message));
    });
    expect(outcome).not.toBe('connected');
  });
});

describe('security profile 3: mutual TLS', () => {
  it('admits a station by its certificate (CN = identity), no password needed', async () => {
    const b = await bed(profile3());
    const station = client(b.server.url, 'CS-TLS-1', { cert: await pki.stationCertificate('CS-TLS-1') });
    await station.connect();
    expect(await station.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
    expect(b.events.some((e) => e.kind === 'check' && e.ok && (e.detail ?? '').includes('profile 3 (certificate)'))).toBe(true);
  });

  it('refuses a certificate whose CN is another station', async () => {
    const b = await bed(profile3());
    expect(await refusalStatus(client(b.server.url, 'CS-TLS-1', { cert: await pki.stationCertificate('CS-TLS-2') }))).toBe(401);
    expect(b.events.some((e) => e.kind === 'check' && !e.ok && (e.detail ?? '').includes('CN'))).toBe(true);
  });

  it('refuses a certificate of an unregistered station', async () => {
    const b = await bed(profile3());
    expect(await refusalStatus(client(b.server.url, 'CS-NOT-REGISTERED', { cert: await pki.stationCertificate('CS-NOT-REGISTERED') }))).toBe(401);
  });

  it('refuses a certificate from a rogue CA, and no certificate at all, in the TLS handshake', async () => {
    const b = await bed(profile3());
    await expect(client(b.server.url, 'CS-TLS-1', { cert: await pki.stationCertificate('CS-TLS-1', 'rogue') }).connect()).rejects.toThrow();
    await expect(client(b.server.url, 'CS-TLS-1', { password: PASSWORD }).connect()).rejects.toThrow();
    expect(b.server.connectedIds()).toEqual([]);
    // The server is still fine for a proper station.
    const station = client(b.server.url, 'CS-TLS-1', { cert: await pki.stationCertificate('CS-TLS-1') });
    await station.connect();
    expect(b.server.connectedIds()).toEqual(['CS-TLS-1']);
  });

  it('checks the certificate organisation when configured', async () => {
    const b = await bed(profile3(), { clientCertificateOrganization: 'Some Other CPO' });
    expect(await refusalStatus(client(b.server.url, 'CS-TLS-1', { cert: await pki.stationCertificate('CS-TLS-1') }))).toBe(401);
    const ok = await bed(profile3(), { clientCertificateOrganization: 'pnc-stack CPO' });
    const station = client(ok.server.url, 'CS-TLS-1', { cert: await pki.stationCertificate('CS-TLS-1') });
    await station.connect();
  });
});

describe('profile 2 server that also admits client certificates', () => {
  it('admits by certificate (profile 3) or by password (profile 2), and enforces each station’s minimum', async () => {
    const b = await bed(mixed());
    await b.registry.setMinSecurityProfile('CS-TLS-2', 3);
    const byPassword = client(b.server.url, 'CS-TLS-1', { password: PASSWORD });
    await byPassword.connect();
    // CS-TLS-2 needs profile 3: its password is not enough, its certificate is.
    expect(await refusalStatus(client(b.server.url, 'CS-TLS-2', { password: PASSWORD }))).toBe(401);
    const byCert = client(b.server.url, 'CS-TLS-2', { cert: await pki.stationCertificate('CS-TLS-2') });
    await byCert.connect();
    expect(b.server.connectedIds().sort()).toEqual(['CS-TLS-1', 'CS-TLS-2']);
    // A presented certificate is judged by itself, never by the password: wrong CN with the right password → 401.
    expect(await refusalStatus(client(b.server.url, 'CS-TLS-1', { password: PASSWORD, cert: await pki.stationCertificate('CS-TLS-2') }))).toBe(401);
    // A rogue certificate is refused even with the right password.
    await expect(client(b.server.url, 'CS-TLS-1', { password: PASSWORD, cert: await pki.stationCertificate('CS-TLS-1', 'rogue') }).connect()).rejects.toThrow();
    expect(b.events.some((e) => e.kind === 'error' && e.error === 'client certificate refused')).toBe(true);
  });
});
