// `pnc charger`: the SECC of a charger on one TCP port (TLS 1.2 for -2, TLS 1.3 mutual for -20, plain TCP when
// allowed), with SDP. `--standalone` decides with local chain verdicts only (no CSMS): for interop tests with other EVs.
import { parseCertificate } from '../pki/certificate/certificate.js';
import { chargerStore } from '../pki/generator/partyStores.js';
import { PkiDirectory } from '../pki/generator/pkiDirectory.js';
import type { Suite } from '../pki/generator/testPki.js';
import { createTrustStore } from '../pki/verdict/trustStore.js';
import type { V2gProtocol } from '../iso15118/session/appProtocolNegotiation.js';
import { testEvse } from '../iso15118/session/evseModel.js';
import { startSeccServer } from '../iso15118/session/seccServer.js';
import { standaloneDecisionPort } from '../iso15118/session/standaloneDecisionPort.js';
import type { SeccCredential } from '../iso15118/tls/seccListener.js';
import { Tracer } from '../trace/tracer.js';
import { Exit, UsageError, type CliIo } from './io.js';
import { resolvePassphrase } from './passphrase.js';
import { startStation, type StationArgs } from './chargerStation.js';

export interface ChargerArgs extends Omit<StationArgs, 'csms'> {
  pki: string;
  host?: string;
  tlsPort?: string;
  sdp?: boolean;
  sdpInterface?: string;
  sdpBind?: string;
  sdpPort?: string;
  csms?: string;
  standalone?: boolean;
  allowPlain?: boolean;
  keyLog?: string;
  evseId?: string;
  eimAfter?: string;
  passphrase?: string;
  logLevel?: string;
}

function port(value: string | undefined, name: string, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${name} expects 0–65535`);
  return n;
}

export async function charger(a: ChargerArgs, io: CliIo, stop: Promise<void>): Promise<number> {
  if (!a.standalone === !a.csms) throw new UsageError('give either --standalone or --csms URL');
  const pki = PkiDirectory.open(a.pki);
  const passphrase = resolvePassphrase(a.passphrase, io);
  const suites = pki.manifest.suites as Suite[];
  const stores = suites.map((s) => chargerStore(a.pki, s));
  const credentials: SeccCredential[] = stores.map((s) => ({ suite: s.suite, keyPem: s.secc.keyPem, passphrase, chain: s.secc.chain }));
  const contractTrust = createTrustStore(stores.flatMap((s) => s.contractRoots));
  const vehicleRoots = stores.flatMap((s) => s.vehicleRoots);
  const protocols: V2gProtocol[] = [...(suites.includes('iso2') ? (['iso2'] as const) : []), ...(suites.some((s) => s !== 'iso2') ? (['iso20-ac', 'iso20-dc'] as const) : [])];
  const level = a.logLevel ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'silent'].includes(level)) throw new UsageError(`unknown --log-level ${level}`);
  const tracer = new Tracer({ party: 'charger', level: level as 'info' });
  const eimAfter = a.eimAfter === undefined ? undefined : Number(a.eimAfter);
  if (eimAfter !== undefined && !(eimAfter >= 0)) throw new UsageError('--eim-after expects milliseconds');
  const sdpPort = port(a.sdpPort, '--sdp-port', 15118);
  const evse = testEvse(a.evseId ?? parseCertificate(stores[0]!.secc.chain[0]!).subject.commonName ?? 'DE*PNC*E00001*1');
  const host = a.host ?? '::';
  const tlsPort = port(a.tlsPort, '--tls-port', 0);
  const sdp = a.sdp === false ? {} : a.sdpInterface ? { sdp: { interface: a.sdpInterface, port: sdpPort } } : a.sdpBind ? { sdp: { bindAddress: a.sdpBind, port: sdpPort, announce: a.host ?? a.sdpBind } } : {};
  if (a.csms) {
    const station = await startStation({ ...a, csms: a.csms }, { pki: a.pki, stores, passphrase, protocols, evse, host, port: tlsPort, allowPlain: a.allowPlain ?? false, tracer, ...(a.keyLog ? { keyLogFile: a.keyLog } : {}), ...sdp }, io);
    io.out(`SECC listening on ${host} port ${station.seccPort}: ${suites.join(', ')}; protocols ${protocols.join(', ')}; OCPP 2.0.1 to ${a.csms} as ${a.id ?? 'PNC-CS-1'}\n`);
    await stop;
    await station.stop();
    return Exit.ok;
  }
  const server = await startSeccServer({
    host,
    port: tlsPort,
    credentials,
    contractTrust,
    ...(vehicleRoots.length ? { vehicleTrust: createTrustStore(vehicleRoots) } : {}),
    allowPlain: a.allowPlain ?? false,
    protocols,
    decisionPort: standaloneDecisionPort(eimAfter !== undefined ? { externalAfterMs: eimAfter } : {}),
    // The EVSEID defaults to the SECC certificate's CN (the SECC ID the PKI was made for).
    evse,
    tracer,
    ...(a.keyLog ? { keyLogFile: a.keyLog } : {}),
    ...sdp,
  });
  io.out(`SECC listening on ${a.host ?? '::'} port ${server.port}: ${suites.join(', ')}${a.allowPlain ? ', plain TCP' : ''}; protocols ${protocols.join(', ')}${server.sdpPort !== undefined ? `; SDP on UDP ${server.sdpPort}` : ''}\n`);
  await stop;
  await server.close();
  return Exit.ok;
}
