// Certificates for OCPP security profiles 2 and 3, made by the real openssl binary: a CSMS root CA with the CSMS server
// certificate (SAN localhost / 127.0.0.1) and one for another name, a charging-station CA issuing station client certificates (CN = identity),
// and a "rogue" CA issuing look-alikes that nobody trusts. EC P-256, valid for two days from now (TLS checks the clock).
import { createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl, scratch } from './openssl.js';

export interface TlsCredential {
  /** Leaf certificate PEM. */
  readonly certPem: string;
  /** Unencrypted PKCS#8 PEM. */
  readonly keyPem: string;
}

export interface OcppTlsPki {
  /** Root that signs the CSMS server certificate; the station's "CSMSRootCertificate". */
  readonly csmsRootPem: string;
  readonly csmsServer: TlsCredential;
  /** Root that signs station certificates; the CSMS trusts it for mutual TLS. */
  readonly stationCaPem: string;
  /** From the CSMS root, but for the name csms.invalid only (host-name check). */
  readonly otherNameServer: TlsCredential;
  /** A root nobody trusts, with a server certificate for the same names. */
  readonly rogueRootPem: string;
  readonly rogueServer: TlsCredential;
  /** A station client certificate with CN = identity, from the station CA (or the rogue CA). */
  stationCertificate(identity: string, issuer?: 'station' | 'rogue'): Promise<TlsCredential>;
}

const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
[server-other-name]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:csms.invalid
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

async function run(args: readonly string[]): Promise<void> {
  const r = await openssl(args);
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

// Subject names are built by us from fixed strings and identities matching the station identity alphabet.
const subj = (o: string, cn: string): string => `/O=${o}/CN=${cn}`;

let cached: Promise<OcppTlsPki> | undefined;

/** One PKI per test process. */
export function ocppTlsPki(): Promise<OcppTlsPki> {
  cached ??= build();
  return cached;
}

async function build(): Promise<OcppTlsPki> {
  const s = scratch('pnc-ocpp-tls-');
  // Station certificates are issued on demand from the CA files, so the directory lives as long as the process.
  process.once('exit', () => s.cleanup());
  const cfg = s.file('openssl.cnf', CONFIG);
  const path = (name: string): string => join(s.dir, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

  const makeRoot = async (name: string, cn: string): Promise<void> => {
    await run(['req', '-x509', ...ecKey, '-config', cfg, '-extensions', 'ca', '-subj', subj('pnc-stack test', cn), '-days', '2', '-keyout', path(`${name}.key`), '-out', path(`${name}.pem`)]);
  };
  let counter = 0;
  const issue = async (ca: string, profile: 'server' | 'server-other-name' | 'client', o: string, cn: string): Promise<TlsCredential> => {
    const name = `leaf-${++counter}`;
    await run(['req', '-new', ...ecKey, '-config', cfg, '-subj', subj(o, cn), '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`)]);
    await run([
      'x509', '-req', '-in', path(`${name}.csr`), '-CA', path(`${ca}.pem`), '-CAkey', path(`${ca}.key`),
      '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-days', '2', '-extfile', cfg, '-extensions', profile, '-out', path(`${name}.pem`),
    ]);
    const keyPem = createPrivateKey(readFileSync(path(`${name}.key`), 'utf8')).export({ type: 'pkcs8', format: 'pem' }) as string;
    return { certPem: readFileSync(path(`${name}.pem`), 'utf8'), keyPem };
  };

  await Promise.all([makeRoot('csms-root', 'CSMS Root CA'), makeRoot('station-ca', 'Charging Station CA'), makeRoot('rogue-root', 'Rogue Root CA')]);
  const [csmsServer, otherNameServer, rogueServer] = await Promise.all([
    issue('csms-root', 'server', 'pnc-stack CSMS', 'localhost'),
    issue('csms-root', 'server-other-name', 'pnc-stack CSMS', 'csms.invalid'),
    issue('rogue-root', 'server', 'pnc-stack CSMS', 'localhost'),
  ]);
  const roots = { csms: readFileSync(path('csms-root.pem'), 'utf8'), station: readFileSync(path('station-ca.pem'), 'utf8'), rogue: readFileSync(path('rogue-root.pem'), 'utf8') };
  const stationCerts = new Map<string, Promise<TlsCredential>>();
  return {
    csmsRootPem: roots.csms,
    csmsServer,
    otherNameServer,
    stationCaPem: roots.station,
    rogueRootPem: roots.rogue,
    rogueServer,
    stationCertificate(identity, issuer = 'station') {
      const key = `${issuer}/${identity}`;
      let c = stationCerts.get(key);
      if (!c) {
        c = issue(issuer === 'station' ? 'station-ca' : 'rogue-root', 'client', 'pnc-stack CPO', identity);
        stationCerts.set(key, c);
      }
      return c;
    },
  };
}
