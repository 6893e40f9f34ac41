// Our real charger (src/charger/chargingStation.ts, with its own strict ocpp-rpc client, reconnect loop and SQLite
// store) against the CSMS server in security profiles 1 and 3: it registers, reports its connectors, reconnects after
// a CSMS restart on the same port, and the CSMS can call it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ChargingStation, type ChargingStationOptions } from '../../../src/charger/chargingStation.js';
import type { SecurityProfileConfig } from '../../../src/charger/station/securityProfile.js';
import { openChargerStateStore, type SqlChargerStateStore } from '../../../src/charger/store/sqlChargerStateStore.js';
import { startCsmsServer, type CsmsSecurity } from '../../../src/csms/server/csmsServer.js';
import { stationHandlers } from '../../../src/csms/stations/stationHandlers.js';
import { testEvse } from '../../../src/iso15118/session/evseModel.js';
import { silentTracer, Tracer } from '../../../src/trace/tracer.js';
import { cert, NOW } from '../../helpers/fixtures.js';
import { ocppTlsPki } from '../../helpers/ocppTlsPki.js';
import { clockFrom } from '../../helpers/stationTestbed.js';
import { PASSPHRASE, seccCredential } from '../../helpers/tlsTestbed.js';
import { startServerBed, waitFor, type ServerBed } from './csmsServerTestbed.js';

const STATION = 'CS-REAL-1';
const PASSWORD = 'real-charger-password-01';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startCharger(url: string, security: SecurityProfileConfig): Promise<{ station: ChargingStation; store: SqlChargerStateStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'pnc-real-charger-'));
  const store = await openChargerStateStore(`sqlite:${join(dir, 'charger.db')}`, { passphrase: PASSPHRASE });
  const secc = seccCredential('iso2');
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const options: ChargingStationOptions = {
    store,
    passphrase: PASSPHRASE,
    station: { model: 'pnc-real', vendorName: 'pnc-stack' },
    csms: { url, identity: STATION, security, backOff: { waitMinimumMs: 100, randomRangeMs: 0, repeatTimes: 0 }, callTimeoutMs: 5000 },
    firstStart: {
      seccChains: [{ suite: 'iso2', chain: secc.chain, keyPem: secc.keyPem }],
      roots: [
        { use: 'V2GRootCertificate', der: cert('iso2/v2g-root').der },
        { use: 'MORootCertificate', der: cert('iso2/mo-root').der },
      ],
      variables: { seccId: 'DE*PNC*E00001', organizationName: 'PNC CPO', countryName: 'DE', txUpdatedIntervalS: '0' },
    },
    secc: { host: '127.0.0.1', port: 0, protocols: ['iso2'], evse: testEvse() },
    tracer: new Tracer({ party: 'charger', level: 'info', destination: sink }),
    clock: clockFrom(NOW),
    authorizeTimeoutMs: 3000,
  };
  const station = await ChargingStation.start(options);
  cleanups.push(async () => {
    await station.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { station, store };
}

async function bed(security: CsmsSecurity): Promise<ServerBed> {
  const b = await startServerBed({ security, stations: { [STATION]: PASSWORD } });
  cleanups.push(() => b.close());
  return b;
}

describe('the real charger against the CSMS server', () => {
  it('profile 1: boots, reports its connector, answers a CSMS call, and comes back after a CSMS restart', async () => {
    const b = await bed({ profile: 1 });
    await startCharger(b.server.url, { profile: 1, basicAuthPassword: PASSWORD });
    const booted = await waitFor('boot recorded', async () => (await b.registry.get(STATION))?.boot, 10_000);
    expect(booted).toMatchObject({ vendor: 'pnc-stack', model: 'pnc-real', reason: 'PowerUp' });
    const statuses = await waitFor('connector status', async () => ((await b.registry.connectorStatuses(STATION)).length > 0 ? b.registry.connectorStatuses(STATION) : undefined), 10_000);
    expect(statuses).toMatchObject([{ evseId: 1, connectorId: 1, status: 'Available' }]);
    expect(b.events.some((e) => e.kind === 'message' && e.session === STATION && e.message === 'BootNotification')).toBe(true);

    // The CSMS asks the charger something over the same connection.
    const r = await b.server.stations.call(STATION, 'GetVariables', { getVariableData: [{ component: { name: 'ISO15118Ctrlr' }, variable: { name: 'OrganizationName' } }] });
    expect(r.getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: 'PNC CPO' });

    // A CSMS restart on the same port: the charger's back-off loop reconnects to the new server.
    const port = b.server.port;
    await b.server.close();
    const again = await startCsmsServer({ registry: b.registry, handlers: stationHandlers({ registry: b.registry, tracer: silentTracer('csms') }), tracer: silentTracer('csms'), security: { profile: 1 }, port });
    cleanups.push(() => again.close());
    await waitFor('reconnect', () => (again.stations.isConnected(STATION) ? true : undefined), 15_000);
  });

  it('profile 1: a charger with the wrong password is refused and not connected', async () => {
    const b = await bed({ profile: 1 });
    const { station } = await startCharger(b.server.url, { profile: 1, basicAuthPassword: 'wrong-password-for-it' });
    await waitFor('refusal traced', () => (b.events.some((e) => e.kind === 'check' && !e.ok && e.session === STATION) ? true : undefined), 10_000);
    expect(b.server.stations.isConnected(STATION)).toBe(false);
    expect(station.registered).toBe(false);
  });

  it('profile 3: boots over mutual TLS with its station certificate', async () => {
    const pki = await ocppTlsPki();
    const b = await bed({ profile: 3, serverCertPem: pki.csmsServer.certPem, serverKeyPem: pki.csmsServer.keyPem, clientCaPem: pki.stationCaPem });
    const credential = await pki.stationCertificate(STATION);
    await startCharger(b.server.url, { profile: 3, csmsRootCertificates: pki.csmsRootPem, clientCertificateChain: credential.certPem, clientPrivateKey: credential.keyPem });
    const booted = await waitFor('boot recorded', async () => (await b.registry.get(STATION))?.boot, 10_000);
    expect(booted).toMatchObject({ model: 'pnc-real' });
    expect(b.events.some((e) => e.kind === 'check' && e.ok && e.session === STATION && (e.detail ?? '').includes('profile 3'))).toBe(true);
  }, 60_000);
});
