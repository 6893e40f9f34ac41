// `pnc csms …`: the CSMS process (`serve`) and its management commands (stations, tokens, roaming, station calls
// through the admin API).
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CsmsConfigError, startCsmsNode } from '../csms/csmsNode.js';
import { CsmsServerConfigError, type CsmsSecurity } from '../csms/server/csmsServer.js';
import { AdminServerError } from '../csms/admin/adminServer.js';
import { ResponderUrlPolicyError } from '../csms/revocation/responderUrlPolicy.js';
import { KnownIssuersError } from '../csms/revocation/knownIssuers.js';
import { V2gSignerError } from '../csms/certificates/v2gCertificateSigner.js';
import { openDatabase, redactDatabaseUrl } from '../store/index.js';
import { Tracer } from '../trace/tracer.js';
import { registerCsmsAdminCommands } from './csmsAdminCommands.js';
import { registerCsmsRoamingCommands } from './csmsRoamingCommands.js';
import { registerCsmsStationCommands } from './csmsStationCommands.js';
import { registerCsmsTokenCommands } from './csmsTokenCommands.js';
import { Exit, UsageError, type CliIo } from './io.js';
import { resolvePassphrase } from './passphrase.js';

export const CSMS_ADMIN_TOKEN_ENV = 'PNC_CSMS_ADMIN_TOKEN';

/** `pnc csms serve` could not start with what it was given (exit 1). */
export class CsmsStartError extends Error {
  override readonly name = 'CsmsStartError';
}
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

export interface CsmsServeArgs {
  db: string;
  pki?: string;
  roots?: string[];
  issuers?: string[];
  host?: string;
  port?: string;
  nodeId?: string;
  securityProfile?: '1' | '2' | '3';
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  ocspAllow?: string[];
  allowPrivateResponders?: boolean;
  ocspCache?: 'on' | 'off';
  ocspTimeout?: string;
  adminPort?: string;
  adminHost?: string;
  adminToken?: string;
  ocpiPort?: string;
  ocpiPublicUrl?: string;
  country?: string;
  party?: string;
  name?: string;
  tariffPerKwh?: string;
  currency?: string;
  heartbeat?: string;
  cdrInterval?: string;
  registerIssued?: boolean;
  passphrase?: string;
  logLevel?: string;
}

function integer(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} expects an integer in ${min}–${max}, got "${text}"`);
  return n;
}

function security(a: CsmsServeArgs): CsmsSecurity {
  const profile = Number(a.securityProfile ?? '1');
  if (profile === 1) return { profile: 1 };
  if (a.tlsCert === undefined || a.tlsKey === undefined) throw new UsageError(`security profile ${profile} needs --tls-cert and --tls-key`);
  const tls = { serverCertPem: readFileSync(a.tlsCert, 'utf8'), serverKeyPem: readFileSync(a.tlsKey, 'utf8') };
  if (profile === 2) return { profile: 2, ...tls, ...(a.clientCa !== undefined ? { clientCaPem: readFileSync(a.clientCa, 'utf8') } : {}) };
  if (a.clientCa === undefined) throw new UsageError('security profile 3 needs --client-ca (the CA of the station certificates)');
  return { profile: 3, ...tls, clientCaPem: readFileSync(a.clientCa, 'utf8') };
}

export async function csmsServe(a: CsmsServeArgs, io: CliIo, stop: Promise<void>): Promise<number> {
  const level = a.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`unknown --log-level ${level}`);
  if (a.pki === undefined && (a.roots ?? []).length === 0) throw new UsageError('give --pki DIR or --roots FILE… (V2G and MO roots)');
  const port = integer('--port', a.port ?? '9000', 0, 65535);
  const ocpiPort = integer('--ocpi-port', a.ocpiPort ?? '0', 0, 65535);
  const adminPort = a.adminPort !== undefined ? integer('--admin-port', a.adminPort, 0, 65535) : undefined;
  const tariff = Number(a.tariffPerKwh ?? '0.40');
  if (!(tariff >= 0 && tariff < 1000)) throw new UsageError('--tariff-per-kwh expects a price, e.g. 0.40');
  const country = (a.country ?? 'DE').toUpperCase();
  const party = (a.party ?? 'CPO').toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new UsageError('--country expects two letters');
  if (!/^[A-Z0-9]{3}$/.test(party)) throw new UsageError('--party expects three letters or digits');
  const adminToken = a.adminToken ?? io.env[CSMS_ADMIN_TOKEN_ENV];
  const tracer = new Tracer({ party: 'csms', level: level as 'info' });
  const database = await openDatabase<unknown>(a.db);
  try {
    const node = await startCsmsNode({
      database,
      tracer,
      ...(a.nodeId !== undefined ? { nodeId: a.nodeId } : {}),
      ocpp: {
        host: a.host ?? '127.0.0.1',
        port,
        security: security(a),
        ...(a.heartbeat !== undefined ? { heartbeatIntervalS: integer('--heartbeat', a.heartbeat, 1, 86_400) } : {}),
      },
      trust: {
        ...(a.pki !== undefined ? { pkiDir: a.pki, passphrase: resolvePassphrase(a.passphrase, io) } : {}),
        ...(a.roots ? { rootFiles: a.roots } : {}),
        ...(a.issuers ? { issuerFiles: a.issuers } : {}),
      },
      ocsp: {
        allowedOrigins: a.ocspAllow ?? [],
        allowPrivateAddresses: a.allowPrivateResponders === true,
        cache: a.ocspCache !== 'off',
        ...(a.ocspTimeout !== undefined ? { timeoutMs: integer('--ocsp-timeout', a.ocspTimeout, 100, 60_000) } : {}),
      },
      ocpi: {
        cpo: { countryCode: country, partyId: party, name: a.name ?? 'pnc-stack CPO' },
        tariff: { pricePerKwh: tariff, currency: a.currency ?? 'EUR' },
        host: a.host ?? '127.0.0.1',
        port: ocpiPort,
        ...(a.ocpiPublicUrl !== undefined ? { publicUrl: a.ocpiPublicUrl } : {}),
      },
      ...(adminPort !== undefined ? { admin: { host: a.adminHost ?? '127.0.0.1', port: adminPort, ...(adminToken !== undefined ? { token: adminToken } : {}) } } : {}),
      registerIssuedInPki: a.registerIssued === true,
      ...(a.cdrInterval !== undefined ? { cdrIntervalMs: integer('--cdr-interval', a.cdrInterval, 100, 3_600_000) } : {}),
    });
    io.out(
      `${JSON.stringify({
        ready: true,
        party: 'csms',
        nodeId: node.nodeId,
        ocppUrl: node.ocppUrl,
        ocpiUrl: node.ocpiVersionsUrl,
        ...(node.adminUrl !== undefined ? { adminUrl: node.adminUrl } : {}),
        db: redactDatabaseUrl(a.db),
        pid: process.pid,
      })}\n`,
    );
    await stop;
    await node.close();
  } catch (e) {
    if (e instanceof CsmsConfigError || e instanceof CsmsServerConfigError || e instanceof AdminServerError || e instanceof ResponderUrlPolicyError) throw new UsageError(e.message);
    // Unreadable trust material (a wrong passphrase, a broken PEM): a clear message and exit 1, not a stack trace.
    if (e instanceof V2gSignerError || e instanceof KnownIssuersError) throw new CsmsStartError(e.message, { cause: e });
    throw e;
  } finally {
    await database.close();
  }
  return Exit.ok;
}

export function registerCsmsCommands(program: Command, io: CliIo, setResult: (p: Promise<number> | number) => void, stop: () => Promise<void>): Command {
  const csms = program.command('csms').description('the CSMS: OCPP 2.0.1 server, contract revocation (OCSP), billing at eMSPs (OCPI), CDRs');
  csms
    .command('serve')
    .description('run a CSMS node; prints one JSON line {"ready":true,"party":"csms","ocppUrl",…} when listening')
    .requiredOption('--db <URL>', 'store: sqlite:FILE or postgres://… (several nodes may share one PostgreSQL)')
    .option('--pki <DIR>', 'PKI directory: V2G/MO roots, CA certificates for OCSP answers, CPO Sub-CA 2 for SignCertificate')
    .option('--roots <PEM...>', 'more V2G/MO root files (central contract validation)')
    .option('--issuers <PEM...>', 'more sub-CA files OCSP answers for hash data may be anchored to')
    .option('--host <HOST>', 'address to listen on (OCPP and OCPI)', '127.0.0.1')
    .option('--port <N>', 'OCPP port (0: any free one)', '9000')
    .option('--node-id <ID>', 'this node among those sharing the database (default host:pid)')
    .addOption(new Option('--security-profile <N>', 'OCPP security profile: 1 ws + Basic auth, 2 wss + Basic auth, 3 wss + client certificate').choices(['1', '2', '3']).default('1'))
    .option('--tls-cert <PEM>', 'profiles 2 and 3: server certificate chain')
    .option('--tls-key <PEM>', 'profiles 2 and 3: its private key (unencrypted PKCS#8)')
    .option('--client-ca <PEM>', 'profile 3 (or 2 + certificates): CA of the station certificates')
    .option('--ocsp-allow <ORIGIN...>', 'OCSP responder origins the CSMS may fetch (others are refused: SSRF)')
    .option('--allow-private-responders', 'also allow loopback/private responder addresses (tests and the demo only)')
    .addOption(new Option('--ocsp-cache <MODE>', 'reuse OCSP answers until nextUpdate').choices(['on', 'off']).default('on'))
    .option('--ocsp-timeout <MS>', 'time-out of one OCSP exchange', '5000')
    .option('--admin-port <N>', 'start the admin API (station calls, roaming registration) on this port')
    .option('--admin-host <HOST>', 'admin API address (a non-loopback one needs a token)', '127.0.0.1')
    .option('--admin-token <T>', `admin API bearer token, ≥ 16 characters (or env ${CSMS_ADMIN_TOKEN_ENV})`)
    .option('--ocpi-port <N>', 'port of the CPO’s OCPI endpoints (the eMSP calls them in the handshake)', '0')
    .option('--ocpi-public-url <URL>', 'base URL eMSPs reach those endpoints at (default: the listening address)')
    .option('--country <CC>', 'OCPI country code of this CPO', 'DE')
    .option('--party <ID>', 'OCPI party id of this CPO', 'CPO')
    .option('--name <NAME>', 'business name in the OCPI credentials', 'pnc-stack CPO')
    .option('--tariff-per-kwh <PRICE>', 'price per kWh in CDRs (excl. VAT)', '0.40')
    .option('--currency <CUR>', 'ISO 4217 currency of the tariff', 'EUR')
    .option('--heartbeat <S>', 'heartbeat interval given to stations in BootNotificationResponse', '300')
    .option('--cdr-interval <MS>', 'how often this node looks for CDRs due (retries, CDRs of dead nodes); an ended transaction sends at once', '15000')
    .option('--register-issued', 'add SECC certificates signed here to the PKI directory’s CA database (test PKI: its OCSP responder then knows them)')
    .option('--passphrase <P>', 'passphrase of the PKI keys (or env PNC_PKI_PASSPHRASE)')
    .addOption(new Option('--log-level <LEVEL>', 'trace events on stderr').choices(LOG_LEVELS).default('info'))
    .action((o: CsmsServeArgs) => setResult(csmsServe(o, io, stop())));
  registerCsmsStationCommands(csms, io, setResult);
  registerCsmsTokenCommands(csms, io, setResult);
  registerCsmsRoamingCommands(csms, io, setResult);
  registerCsmsAdminCommands(csms, io, setResult);
  return csms;
}
