// The certificate features through the CSMS's own OCPP server (src/csms/server/csmsServer.ts), with its station
// registry on a shared database and two CSMS nodes: our charger renews its SECC certificate when the admin API
// triggers it; the CLI installs a root through node A; node B's admin API answers 409 naming node A.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCsmsAdminCommands } from '../../../src/cli/csmsAdminCommands.js';
import type { CliIo } from '../../../src/cli/io.js';
import { startAdminServer, type AdminServer } from '../../../src/csms/admin/adminServer.js';
import { BackgroundJobs } from '../../../src/csms/certificates/backgroundJobs.js';
import { IssuedCertificateStore } from '../../../src/csms/certificates/issuedCertificateStore.js';
import { signCertificateHandler } from '../../../src/csms/certificates/signCertificateHandler.js';
import { cpoSubCa2From, V2gCertificateSigner } from '../../../src/csms/certificates/v2gCertificateSigner.js';
import type { StationCaller } from '../../../src/csms/csmsTypes.js';
import { startCsmsServer, type CsmsServer } from '../../../src/csms/server/csmsServer.js';
import { stationHandlers } from '../../../src/csms/stations/stationHandlers.js';
import { StationRegistry } from '../../../src/csms/stations/stationRegistry.js';
import { connectToSecc } from '../../../src/iso15118/tls/evccConnect.js';
import { parseCertificate } from '../../../src/pki/certificate/certificate.js';
import { decodePemCertificates, encodePem } from '../../../src/pki/certificate/pem.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import { cert, NOW } from '../../helpers/fixtures.js';
import { clockFrom, startStationTestbed, STATION_ID, STATION_PASSWORD, type StationTestbed } from '../../helpers/stationTestbed.js';
import type { TestCsms } from '../../helpers/testCsms.js';
import { evTrust } from '../../helpers/tlsTestbed.js';

const TOKEN = 'integration-admin-token-0123';
const clock = clockFrom(NOW);
let dir: string;
let db: StoreDatabase<unknown>;
let registry: StationRegistry;
let log: IssuedCertificateStore;
let jobs: BackgroundJobs;
let nodeA: CsmsServer;
let nodeB: CsmsServer;
let adminA: AdminServer;
let adminB: AdminServer;
let bed: StationTestbed;
const events: TraceEvent[] = [];

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pnc-csms-int-'));
  db = await openDatabase<unknown>(`sqlite:${join(dir, 'csms.db')}`);
  registry = await StationRegistry.open(db);
  await registry.add(STATION_ID, { password: STATION_PASSWORD });
  log = await IssuedCertificateStore.open(db);
  const tracer = silentTracer('csms', [(e) => events.push(e)]);
  jobs = new BackgroundJobs((e) => events.push({ kind: 'error', party: 'csms', error: 'job', detail: String(e) }));
  const signer = new V2gCertificateSigner([cpoSubCa2From([cert('iso2/cpo-sub2').der, cert('iso2/cpo-sub1').der], cert('iso2/cpo-sub2').key.privateKey, 'fixture')], { clock });
  // The handler calls stations through the server it is a handler of: bind it late.
  const start = async (nodeId: string): Promise<CsmsServer> => {
    const holder: { server?: CsmsServer } = {};
    const stations: StationCaller = {
      call: (id, action, request, options) => holder.server!.stations.call(id, action, request, options),
      isConnected: (id) => holder.server?.stations.isConnected(id) ?? false,
      get connectedCount() {
        return holder.server?.stations.connectedCount ?? 0;
      },
    };
    holder.server = await startCsmsServer({
      registry,
      tracer,
      security: { profile: 1 },
      nodeId,
      presenceFlushMs: 20,
      handlers: { ...stationHandlers({ registry, tracer }), SignCertificate: signCertificateHandler({ stations, store: log, tracer, jobs, v2gSigner: signer }) },
    });
    return holder.server;
  };
  nodeA = await start('node-a');
  nodeB = await start('node-b');
  const admin = (node: CsmsServer) =>
    startAdminServer({ stations: node.stations, tracer, token: TOKEN, nodeId: node.nodeId, listConnected: () => node.connectedIds(), whereConnected: (id) => registry.whereConnected(id) });
  adminA = await admin(nodeA);
  adminB = await admin(nodeB);
  bed = await startStationTestbed({ csms: { url: nodeA.url } as unknown as TestCsms });
  await until('the charger on node A', () => Promise.resolve(nodeA.stations.isConnected(STATION_ID) ? true : undefined));
});
afterAll(async () => {
  await jobs?.close();
  await bed?.close();
  await adminA?.close();
  await adminB?.close();
  await nodeA?.close();
  await nodeB?.close();
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const post = async (admin: AdminServer, path: string, body: unknown) => {
  const res = await fetch(`${admin.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

describe('through the CSMS server', () => {
  it('admin trigger-message SignV2GCertificate → SignCertificate → CertificateSigned Accepted; the charger serves the new leaf', async () => {
    expect(await post(adminA, `/stations/${STATION_ID}/trigger-message`, { requestedMessage: 'SignV2GCertificate' })).toEqual({ status: 200, json: { status: 'Accepted' } });
    const record = await until('the station’s CertificateSigned answer', async () => {
      const [r] = await log.list({ stationId: STATION_ID });
      return r?.state === 'answered' ? r : undefined;
    });
    expect(record).toMatchObject({ stationStatus: 'Accepted', certificateType: 'V2GCertificate', suite: 'iso2' });
    const leaf = decodePemCertificates(record.chainPem!)[0]!;
    expect(parseCertificate(leaf).subject.domainComponents).toEqual(['CPO']);
    const connection = await connectToSecc({ host: '127.0.0.1', port: bed.station.seccPort, security: 'iso2', seccTrust: evTrust('iso2'), clock });
    try {
      if (!connection.secure) throw new Error('expected TLS');
      expect(connection.secc.path[0]!.der.equals(leaf)).toBe(true);
    } finally {
      connection.socket.destroy();
    }
    expect(events.some((e) => e.kind === 'verdict' && e.verdict === 'V2GCertificate issued')).toBe(true);
  });

  it('GET /stations on each node; the CLI installs a root through node A', async () => {
    const list = async (admin: AdminServer) => (await fetch(`${admin.url}/stations`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(await list(adminA)).toEqual({ node: 'node-a', connectedCount: 1, connected: [STATION_ID] });
    expect(await list(adminB)).toEqual({ node: 'node-b', connectedCount: 0, connected: [] });

    const file = join(dir, 'root.pem');
    writeFileSync(file, encodePem('CERTIFICATE', cert('iso20-p521/v2g-root').der));
    let out = '';
    const io: CliIo = { out: (t) => void (out += t), err: () => undefined, env: { PNC_CSMS_ADMIN_TOKEN: TOKEN } };
    const result: { code: Promise<number> | number } = { code: -1 };
    const program = new Command('pnc').exitOverride();
    registerCsmsAdminCommands(program.command('csms'), io, (r) => {
      result.code = r;
    });
    await program.parseAsync(['csms', 'install-certificate', '--admin', adminA.url, '--station', STATION_ID, '--type', 'V2GRootCertificate', file], { from: 'user' });
    expect(await result.code).toBe(0);
    expect(JSON.parse(out)).toEqual({ status: 'Accepted' });
  });

  it('node B is asked for a station on node A: 409 naming node-a', async () => {
    await until('the registry to record node-a', async () => ((await registry.whereConnected(STATION_ID)) === 'node-a' ? true : undefined));
    const r = await post(adminB, `/stations/${STATION_ID}/get-local-list-version`, {});
    expect(r).toMatchObject({ status: 409, json: { error: 'NotConnectedHere', node: 'node-b', connectedNode: 'node-a', lookup: 'ok' } });
  });
});
