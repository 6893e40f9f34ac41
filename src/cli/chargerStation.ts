// `pnc charger --csms URL`: the whole charger — SECC for EVs plus the OCPP 2.0.1 station side — with its state in a
// store (SQLite by default). On its first start it takes its SECC chains, V2G/MO roots and identity variables from
// the PKI directory; afterwards the CSMS manages them over OCPP and the store keeps them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChargingStation } from '../charger/chargingStation.js';
import type { SecurityProfileConfig } from '../charger/station/securityProfile.js';
import { openChargerStateStore } from '../charger/store/sqlChargerStateStore.js';
import type { V2gProtocol } from '../iso15118/session/appProtocolNegotiation.js';
import type { EvseModel } from '../iso15118/session/evseModel.js';
import type { SeccServerOptions } from '../iso15118/session/seccServer.js';
import { parseCertificate } from '../pki/certificate/certificate.js';
import type { ChargerStore } from '../pki/generator/partyStores.js';
import type { Tracer } from '../trace/tracer.js';
import { UsageError, type CliIo } from './io.js';

export interface StationArgs {
  csms: string;
  id?: string;
  db?: string;
  securityProfile?: string;
  basicAuthPassword?: string;
  csmsCa?: string;
  clientCert?: string;
  clientKey?: string;
  evses?: string;
  seccToken?: string;
  pkcs11Module?: string;
}

function securityOf(a: StationArgs, io: CliIo, passphrase: string): SecurityProfileConfig {
  const profile = Number(a.securityProfile ?? (a.csms.startsWith('wss:') ? (a.clientCert ? 3 : 2) : 1));
  const password = a.basicAuthPassword ?? io.env.PNC_CSMS_PASSWORD;
  const read = (path: string | undefined, what: string): string => {
    if (!path) throw new UsageError(`security profile ${profile} needs ${what}`);
    return readFileSync(path, 'utf8');
  };
  if (profile === 1 || profile === 2) {
    if (!password) throw new UsageError(`security profile ${profile} needs --basic-auth-password or PNC_CSMS_PASSWORD`);
    return profile === 1 ? { profile, basicAuthPassword: password } : { profile, basicAuthPassword: password, csmsRootCertificates: read(a.csmsCa, '--csms-ca PEM') };
  }
  if (profile === 3) {
    return { profile, csmsRootCertificates: read(a.csmsCa, '--csms-ca PEM'), clientCertificateChain: read(a.clientCert, '--client-cert PEM'), clientPrivateKey: read(a.clientKey, '--client-key PEM'), clientKeyPassphrase: passphrase };
  }
  throw new UsageError('--security-profile expects 1, 2 or 3');
}

export async function startStation(
  a: StationArgs,
  o: { pki: string; stores: readonly ChargerStore[]; passphrase: string; protocols: readonly V2gProtocol[]; evse: EvseModel; host: string; port: number; allowPlain: boolean; tracer: Tracer; keyLogFile?: string; sdp?: SeccServerOptions['sdp'] },
  io: CliIo,
): Promise<ChargingStation> {
  const evses = a.evses === undefined ? 1 : Number(a.evses);
  if (!Number.isInteger(evses) || evses < 1 || evses > 64) throw new UsageError('--evses expects 1–64');
  const security = securityOf(a, io, o.passphrase);
  const store = await openChargerStateStore(a.db ?? `sqlite:${join(o.pki, 'charger', 'state.db')}`, { passphrase: o.passphrase });
  const seccLeaf = parseCertificate(o.stores[0]!.secc.chain[0]!);
  const roots = o.stores.flatMap((s) =>
    s.contractRoots.map((r) => ({ use: r.source.includes('mo-root') ? ('MORootCertificate' as const) : ('V2GRootCertificate' as const), der: r.der })),
  );
  try {
    return await ChargingStation.start({
      store,
      passphrase: o.passphrase,
      station: { model: 'pnc-charger', vendorName: 'pnc-stack' },
      csms: { url: a.csms, identity: a.id ?? 'PNC-CS-1', security },
      firstStart: {
        seccChains: o.stores.map((s) => ({ suite: s.suite, chain: s.secc.chain, keyPem: s.secc.keyPem })),
        roots,
        variables: {
          ...(seccLeaf.subject.commonName ? { seccId: seccLeaf.subject.commonName } : {}),
          ...(seccLeaf.subject.organization ? { organizationName: seccLeaf.subject.organization } : {}),
          ...(seccLeaf.subject.country ? { countryName: seccLeaf.subject.country } : {}),
        },
      },
      vehicleRoots: o.stores.flatMap((s) => s.vehicleRoots.map((r) => r.der)),
      secc: { host: o.host, port: o.port, allowPlain: o.allowPlain, protocols: o.protocols, evse: o.evse, ...(o.keyLogFile ? { keyLogFile: o.keyLogFile } : {}), ...(o.sdp ? { sdp: o.sdp } : {}) },
      evseCount: evses,
      ...(a.seccToken
        ? { pkcs11: { renewalToken: a.seccToken, defaults: { ...(a.pkcs11Module ? { modulePath: a.pkcs11Module } : {}), ...(io.env.PNC_PKCS11_PIN ? { pin: io.env.PNC_PKCS11_PIN } : {}) } } }
        : {}),
      tracer: o.tracer,
    });
  } catch (e) {
    await store.close();
    throw e;
  }
}
