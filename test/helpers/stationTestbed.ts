// A whole charger for integration tests: a ChargingStation with its SQLite store in a temp dir, connected to the
// strict test CSMS (security profile 1), with the fixture PKI's SECC chain and roots, every trace event recorded and
// the pino log captured as text; plus the EV that plugs into it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ChargingStation, type ChargingStationOptions } from '../../src/charger/chargingStation.js';
import type { ChargerVariables } from '../../src/charger/deviceModel/chargerVariables.js';
import { openChargerStateStore, type SqlChargerStateStore } from '../../src/charger/store/sqlChargerStateStore.js';
import { runEvSession, type EvSessionResult } from '../../src/ev/evSession.js';
import { testEvse } from '../../src/iso15118/session/evseModel.js';
import type { TraceEvent } from '../../src/trace/traceEvent.js';
import { silentTracer, Tracer } from '../../src/trace/tracer.js';
import { cert, DAY, NOW } from './fixtures.js';
import type { KeyObject } from 'node:crypto';
import { encodePem } from '../../src/pki/certificate/pem.js';
import { buildCertificate, ext, keyIdentifier, randomSerial } from '../../src/pki/generator/certificateBuilder.js';
import { contractCredential } from './seccTestbed.js';
import { startTestCsms, type TestCsms } from './testCsms.js';
import { evTrust, PASSPHRASE, seccCredential } from './tlsTestbed.js';

export const STATION_ID = 'CS-PNC-TEST';
export const STATION_PASSWORD = 'station-password-0123456789';

export interface StationTestbed {
  readonly csms: TestCsms;
  readonly dir: string;
  readonly dbFile: string;
  readonly events: (TraceEvent & { time: number })[];
  /** Everything the charger's pino logger wrote. */
  readonly log: () => string;
  station: ChargingStation;
  store: SqlChargerStateStore;
  /** One EV session against the charger (-2 PnC by default). */
  ev(options?: Partial<Parameters<typeof runEvSession>[0]>): Promise<EvSessionResult>;
  /** Stops the charger (keeps the database) and starts it again, as after a restart. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** An iso2 SECC leaf for `key` as a CSMS's CPO Sub-CA 2 signs it (DC=CPO unless told otherwise), and its chain as PEM. */
export function cpoSignedSeccLeaf(key: KeyObject, domainComponent: string | undefined = 'CPO'): Buffer {
  const sub2 = cert('iso2/cpo-sub2');
  return buildCertificate({
    serial: randomSerial(),
    subject: { commonName: 'DE*PNC*E00001', organization: 'PNC CPO', country: 'DE', ...(domainComponent ? { domainComponent } : {}) },
    issuer: sub2.cert.subjectRaw,
    notBefore: NOW - DAY,
    notAfter: NOW + 60 * DAY,
    publicKey: key,
    extensions: [ext.basicConstraints(false), ext.keyUsage(['digitalSignature', 'keyAgreement']), ext.subjectKeyIdentifier(keyIdentifier(key)), ext.authorityKeyIdentifier(sub2.cert.subjectKeyId!)],
    signatureAlgorithm: 'ecdsa-with-SHA256',
    signingKey: sub2.key.privateKey,
  });
}

export const seccChainPem = (leaf: Buffer): string => [leaf, cert('iso2/cpo-sub2').der, cert('iso2/cpo-sub1').der].map((d) => encodePem('CERTIFICATE', d)).join('');

export const clockFrom = (start: number): (() => number) => {
  const t0 = Date.now();
  return () => start + (Date.now() - t0);
};

export interface StationTestbedOptions {
  readonly variables?: Partial<Record<keyof ChargerVariables, string>>;
  readonly csms?: TestCsms;
  readonly authorizeTimeoutMs?: number;
  /** The iso2 SECC chain and key (encrypted PEM or a PKCS#11 URI) instead of the fixture's. */
  readonly secc?: { readonly chain: readonly Buffer[]; readonly key: string };
  readonly pkcs11?: ChargingStationOptions['pkcs11'];
}

export async function startStationTestbed(options: StationTestbedOptions = {}): Promise<StationTestbed> {
  const csms = options.csms ?? (await startTestCsms({ security: { profile: 1, passwords: { [STATION_ID]: STATION_PASSWORD } }, heartbeatIntervalS: 300 }));
  const dir = mkdtempSync(join(tmpdir(), 'pnc-station-'));
  const dbFile = join(dir, 'charger.db');
  const events: (TraceEvent & { time: number })[] = [];
  let logText = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logText += chunk.toString('utf8');
      done();
    },
  });
  const clock = clockFrom(NOW);
  const secc = seccCredential('iso2');

  const open = async (): Promise<{ station: ChargingStation; store: SqlChargerStateStore }> => {
    const store = await openChargerStateStore(`sqlite:${dbFile}`, { passphrase: PASSPHRASE });
    const tracer = new Tracer({ party: 'charger', level: 'info', destination, listeners: [(e) => events.push(e)] });
    const o: ChargingStationOptions = {
      store,
      passphrase: PASSPHRASE,
      station: { model: 'pnc-test', vendorName: 'pnc-stack' },
      csms: { url: csms.url, identity: STATION_ID, security: { profile: 1, basicAuthPassword: STATION_PASSWORD }, backOff: { waitMinimumMs: 100, randomRangeMs: 0, repeatTimes: 0 }, callTimeoutMs: 5000 },
      firstStart: {
        seccChains: [{ suite: 'iso2', chain: options.secc?.chain ?? secc.chain, keyPem: options.secc?.key ?? secc.keyPem }],
        roots: [
          { use: 'V2GRootCertificate', der: cert('iso2/v2g-root').der },
          { use: 'MORootCertificate', der: cert('iso2/mo-root').der },
        ],
        variables: { seccId: 'DE*PNC*E00001', organizationName: 'PNC CPO', countryName: 'DE', txUpdatedIntervalS: '0', ...options.variables },
      },
      secc: { host: '127.0.0.1', port: 0, protocols: ['iso2'], evse: testEvse() },
      tracer,
      clock,
      authorizeTimeoutMs: options.authorizeTimeoutMs ?? 3000,
      ...(options.pkcs11 ? { pkcs11: options.pkcs11 } : {}),
    };
    return { store, station: await ChargingStation.start(o) };
  };

  const first = await open();
  const bed: StationTestbed = {
    csms,
    dir,
    dbFile,
    events,
    log: () => logText,
    station: first.station,
    store: first.store,
    ev: (o = {}) =>
      runEvSession({
        secc: { host: '127.0.0.1', port: bed.station.seccPort },
        protocol: 'iso2',
        security: 'tls',
        auth: 'pnc',
        energy: 'ac',
        contract: contractCredential('iso2'),
        seccTrust: evTrust('iso2'),
        tracer: silentTracer('ev'),
        clock,
        ongoingPollMs: 20,
        ...o,
      }),
    async restart() {
      await bed.station.stop();
      await bed.store.close();
      const next = await open();
      bed.station = next.station;
      bed.store = next.store;
    },
    async close() {
      await bed.station.stop();
      await bed.store.close();
      if (!options.csms) await csms.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return bed;
}
