// `pnc csms install-certificate | delete-certificate | get-installed-certificate-ids | send-local-list |
// get-local-list-version | set-variables | get-variables | iso15118 | trigger-message`: one OCPP call to a station
// through the CSMS admin API (src/csms/admin/adminServer.ts). The station's response is printed as one JSON line.
// Exit 0 when the station accepted, 1 when it did not (or the CSMS could not reach it: 409/502), 2 on wrong usage
// (including a request the admin API refuses as malformed, or a wrong token).
import { readFileSync, statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ADMIN_ROUTES, AdminClient, AdminClientError, type AdminAnswer, type AdminBody, type AdminRouteName } from '../csms/admin/adminClient.js';
import { CERTIFICATE_ID_TYPES, INSTALL_CERTIFICATE_TYPES, ISO15118_VARIABLES, TRIGGER_MESSAGES, UPDATE_TYPES, type Iso15118Variable } from '../csms/admin/adminSchemas.js';
import { findInstalled } from '../csms/admin/installedCertificateMatch.js';
import type {
  AuthorizationData,
  CertificateHashDataChainType,
  CertificateHashDataType,
  GetCertificateIdUseEnumType,
  GetVariableDataType,
  InstallCertificateUseEnumType,
  MessageTriggerEnumType,
  SetVariableDataType,
  UpdateEnumType,
} from '../ocpp/generated/ocpp201.js';
import { CertificateParseError, parseCertificate, type Certificate } from '../pki/certificate/certificate.js';
import { importPublicKey, verifyCertificateSignature } from '../pki/certificate/signature.js';
import { readCertificates } from './certificateFiles.js';
import { Exit, UsageError, type CliIo } from './io.js';

type SetResult = (p: Promise<number> | number) => void;

export interface AdminArgs {
  admin: string;
  adminToken?: string;
  station: string;
  timeout?: string;
}

/** Largest file read for a certificate or a local list. */
const MAX_FILE_BYTES = 1 << 20;

function client(a: AdminArgs, io: CliIo): AdminClient {
  const token = a.adminToken ?? (io.env.PNC_CSMS_ADMIN_TOKEN || undefined);
  const timeoutMs = a.timeout !== undefined ? Number(a.timeout) : undefined;
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new UsageError('--timeout expects milliseconds');
  try {
    return new AdminClient({ url: a.admin, ...(token !== undefined ? { token } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  } catch (e) {
    if (e instanceof AdminClientError) throw new UsageError(e.message);
    throw e;
  }
}

/** Whether the station's response says yes: `status` Accepted, and every per-item status accepted. */
export function stationAccepted(route: AdminRouteName, body: unknown): boolean {
  const b = (body ?? {}) as { status?: unknown; setVariableResult?: { attributeStatus: string }[]; getVariableResult?: { attributeStatus: string }[] };
  if (b.status !== undefined && b.status !== 'Accepted') return false;
  if (b.setVariableResult?.some((r) => r.attributeStatus !== 'Accepted' && r.attributeStatus !== 'RebootRequired')) return false;
  if (b.getVariableResult?.some((r) => r.attributeStatus !== 'Accepted')) return false;
  // GetLocalListVersion has no status: an answer is a yes.
  return route === 'get-local-list-version' || b.status !== undefined || b.setVariableResult !== undefined || b.getVariableResult !== undefined;
}

/** Prints the answer; the exit code from the HTTP status and, for 200, the station's response. */
function conclude(route: AdminRouteName, answer: AdminAnswer, io: CliIo): number {
  io.out(`${JSON.stringify(answer.body)}\n`);
  if (answer.status === 200) return stationAccepted(route, answer.body) ? Exit.ok : Exit.failed;
  const message = (answer.body as { message?: unknown } | null)?.message;
  io.err(`pnc: the CSMS answered HTTP ${answer.status}${typeof message === 'string' ? `: ${message}` : ''}\n`);
  return answer.status >= 400 && answer.status < 500 && answer.status !== 409 ? Exit.usage : Exit.failed;
}

async function send<R extends AdminRouteName>(a: AdminArgs, io: CliIo, route: R, body: AdminBody<R>): Promise<number> {
  const c = client(a, io);
  try {
    return conclude(route, await c.station(a.station, route, body), io);
  } catch (e) {
    if (!(e instanceof AdminClientError)) throw e;
    io.err(`pnc: ${e.message}\n`);
    return Exit.failed;
  }
}

function readText(path: string): string {
  try {
    if (statSync(path).size > MAX_FILE_BYTES) throw new UsageError(`${path} is larger than ${MAX_FILE_BYTES} bytes`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} is not JSON: ${(e as Error).message}`);
  }
}

/** `Component[:instance][@evse].Variable[:instance]` — e.g. `ISO15118Ctrlr.PnCEnabled`, `EVSE@1.Power`. */
export function parseComponentVariable(spec: string): Pick<GetVariableDataType, 'component' | 'variable'> {
  const m = /^([^.:@=\s]+)(?::([^.@=\s]+))?(?:@(\d+))?\.([^.:=\s]+)(?::([^=\s]+))?$/.exec(spec);
  if (!m) throw new UsageError(`"${spec}" is not Component.Variable (optionally Component:instance@evse.Variable:instance)`);
  const [, component, componentInstance, evse, variable, variableInstance] = m;
  return {
    component: { name: component!, ...(componentInstance ? { instance: componentInstance } : {}), ...(evse ? { evse: { id: Number(evse) } } : {}) },
    variable: { name: variable!, ...(variableInstance ? { instance: variableInstance } : {}) },
  };
}

export function parseAssignment(spec: string): SetVariableDataType {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new UsageError(`"${spec}" is not Component.Variable=value`);
  return { ...parseComponentVariable(spec.slice(0, eq)), attributeValue: spec.slice(eq + 1) };
}

function parseBoolean(value: string, option: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`${option} expects true or false, not "${value}"`);
}

function integerOption(value: string | undefined, option: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${option} expects an integer ≥ ${min}`);
  return n;
}

/** A local list file: an array of AuthorizationData, or an object with localAuthorizationList. */
export function readLocalList(path: string): AuthorizationData[] {
  const value = parseJson(readText(path), path);
  const list = Array.isArray(value) ? value : (value as { localAuthorizationList?: unknown } | null)?.localAuthorizationList;
  if (!Array.isArray(list)) throw new UsageError(`${path} must hold a JSON array of AuthorizationData or { "localAuthorizationList": [...] }`);
  // The CSMS validates every entry against the schema (400 → exit 2).
  return list as AuthorizationData[];
}

const selfSigned = (c: Certificate): boolean => {
  if (!c.subjectRaw.equals(c.issuerRaw)) return false;
  const key = importPublicKey(c);
  return 'key' in key && verifyCertificateSignature(c, key.key, c.publicKeyType).ok;
};

/** The certificate of FILE and its issuer (itself for a root, else the next certificate in the file that issued it). */
export function certificateAndIssuer(path: string): { cert: Certificate; issuer: Certificate } {
  let certs: Certificate[];
  try {
    certs = readCertificates(path).map((d) => parseCertificate(d));
  } catch (e) {
    if (e instanceof CertificateParseError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
  const cert = certs[0];
  if (!cert) throw new UsageError(`${path} holds no certificate`);
  if (selfSigned(cert)) return { cert, issuer: cert };
  const issuer = certs.slice(1).find((c) => {
    if (!c.subjectRaw.equals(cert.issuerRaw)) return false;
    const key = importPublicKey(c);
    return 'key' in key && verifyCertificateSignature(cert, key.key, c.publicKeyType).ok;
  });
  if (!issuer) throw new UsageError(`${path}: the certificate is not self-signed; put its issuer after it in the file (the hash data names the issuer)`);
  return { cert, issuer };
}

function parseHashData(text: string): CertificateHashDataType {
  const v = parseJson(text, '--hash-data') as Partial<CertificateHashDataType> | null;
  if (!v || typeof v !== 'object' || typeof v.issuerNameHash !== 'string' || typeof v.issuerKeyHash !== 'string' || typeof v.serialNumber !== 'string' || typeof v.hashAlgorithm !== 'string') {
    throw new UsageError('--hash-data expects {"hashAlgorithm","issuerNameHash","issuerKeyHash","serialNumber"}');
  }
  return { hashAlgorithm: v.hashAlgorithm, issuerNameHash: v.issuerNameHash, issuerKeyHash: v.issuerKeyHash, serialNumber: v.serialNumber };
}

async function deleteCertificate(file: string | undefined, a: AdminArgs & { hashData?: string }, io: CliIo): Promise<number> {
  if ((file === undefined) === (a.hashData === undefined)) throw new UsageError('give either a certificate FILE or --hash-data JSON');
  if (a.hashData !== undefined) return send(a, io, 'delete-certificate', { certificateHashData: parseHashData(a.hashData) });
  const { cert, issuer } = certificateAndIssuer(file!);
  const c = client(a, io);
  try {
    // M04.FR.07: the hash data is computed with the algorithm the station reported for the certificate.
    const installed = await c.station(a.station, 'get-installed-certificate-ids', {});
    const body = installed.body as { status?: string; certificateHashDataChain?: CertificateHashDataChainType[] } | null;
    if (installed.status !== 200 || body?.status !== 'Accepted') {
      if (installed.status === 200 && body?.status === 'NotFound') {
        io.out(`${JSON.stringify({ status: 'NotFound', reason: 'the station reports no installed certificates' })}\n`);
        return Exit.failed;
      }
      return conclude('get-installed-certificate-ids', installed, io);
    }
    const match = findInstalled(body.certificateHashDataChain ?? [], cert, issuer);
    if (!match) {
      io.out(`${JSON.stringify({ status: 'NotFound', reason: `${file} is not among the station's installed certificates` })}\n`);
      return Exit.failed;
    }
    return conclude('delete-certificate', await c.station(a.station, 'delete-certificate', { certificateHashData: match.hashData }), io);
  } catch (e) {
    if (!(e instanceof AdminClientError)) throw e;
    io.err(`pnc: ${e.message}\n`);
    return Exit.failed;
  }
}

const ISO15118_OPTIONS: readonly { readonly variable: Iso15118Variable; readonly flag: string; readonly key: string }[] = (Object.keys(ISO15118_VARIABLES) as Iso15118Variable[]).map((variable) => {
  const flag = variable
    .replace(/V2G/g, 'V2g')
    .replace(/PnC/g, 'Pnc')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
  const key = flag.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  return { variable, flag, key };
});

export function registerCsmsAdminCommands(csms: Command, io: CliIo, setResult: SetResult): void {
  const admin = (c: Command): Command =>
    c
      .requiredOption('--admin <URL>', 'the CSMS admin API, e.g. http://127.0.0.1:9001')
      .option('--admin-token <T>', 'bearer token of the admin API (or env PNC_CSMS_ADMIN_TOKEN)')
      .requiredOption('--station <ID>', 'the station identity')
      .option('--timeout <MS>', 'give up after this long (default 60000)');
  const run = (f: () => Promise<number>): void => setResult(f());

  admin(csms.command('install-certificate').description('InstallCertificate: put a root certificate on a station (M05)'))
    .addOption(new Option('--type <T>', 'certificateType').choices([...INSTALL_CERTIFICATE_TYPES]).makeOptionMandatory())
    .argument('<FILE>', 'the certificate, PEM')
    .action((file: string, o: AdminArgs & { type: InstallCertificateUseEnumType }) => run(() => send(o, io, 'install-certificate', { certificateType: o.type, certificate: readText(file) })));

  admin(csms.command('delete-certificate').description('DeleteCertificate (M04): by a certificate file (hash data as the station computes it) or by --hash-data'))
    .argument('[FILE]', 'the certificate (PEM/DER; a non-root followed by its issuer)')
    .option('--hash-data <JSON>', 'CertificateHashData as JSON, sent as is')
    .action((file: string | undefined, o: AdminArgs & { hashData?: string }) => run(() => deleteCertificate(file, o, io)));

  admin(csms.command('get-installed-certificate-ids').description('GetInstalledCertificateIds (M03)'))
    .addOption(new Option('--type <T...>', 'only these certificate types').choices([...CERTIFICATE_ID_TYPES]))
    .action((o: AdminArgs & { type?: GetCertificateIdUseEnumType[] }) => run(() => send(o, io, 'get-installed-certificate-ids', o.type?.length ? { certificateType: [...new Set(o.type)] } : {})));

  admin(csms.command('send-local-list').description('SendLocalList: a full or differential local authorization list'))
    .requiredOption('--version <N>', 'versionNumber of the list after the update')
    .addOption(new Option('--update <U>', 'updateType').choices([...UPDATE_TYPES]).makeOptionMandatory())
    .argument('[FILE]', 'JSON: an array of AuthorizationData (none: an empty Full list clears it)')
    .action((file: string | undefined, o: AdminArgs & { version: string; update: UpdateEnumType }) =>
      run(() => {
        const versionNumber = integerOption(o.version, '--version')!;
        const list = file !== undefined ? readLocalList(file) : [];
        return send(o, io, 'send-local-list', { versionNumber, updateType: o.update, ...(list.length ? { localAuthorizationList: list } : {}) });
      }),
    );

  admin(csms.command('get-local-list-version').description('GetLocalListVersion')).action((o: AdminArgs) => run(() => send(o, io, 'get-local-list-version', {})));

  admin(csms.command('set-variables').description('SetVariables: Component.Variable=value …'))
    .argument('<ASSIGNMENT...>', 'Component[:instance][@evse].Variable[:instance]=value')
    .action((specs: string[], o: AdminArgs) => run(() => send(o, io, 'set-variables', { setVariableData: specs.map(parseAssignment) })));

  admin(csms.command('get-variables').description('GetVariables: Component.Variable …'))
    .argument('<VARIABLE...>', 'Component[:instance][@evse].Variable[:instance]')
    .action((specs: string[], o: AdminArgs) => run(() => send(o, io, 'get-variables', { getVariableData: specs.map(parseComponentVariable) })));

  const iso = admin(csms.command('iso15118').description('SetVariables on ISO15118Ctrlr (PnC switches and the SECC certificate subject)')).option('--evse <N>', 'only this EVSE’s ISO15118Ctrlr');
  for (const { variable, flag } of ISO15118_OPTIONS) {
    const kind = ISO15118_VARIABLES[variable];
    iso.option(`--${flag} <${kind === 'boolean' ? 'true|false' : kind === 'integer' ? 'N' : 'VALUE'}>`, `ISO15118Ctrlr.${variable}`);
  }
  iso.action((o: AdminArgs & Record<string, string | undefined>) =>
    run(() => {
      const body: Record<string, unknown> = {};
      for (const { variable, flag, key } of ISO15118_OPTIONS) {
        const value = o[key];
        if (value === undefined) continue;
        const kind = ISO15118_VARIABLES[variable];
        body[variable] = kind === 'boolean' ? parseBoolean(value, `--${flag}`) : kind === 'integer' ? integerOption(value, `--${flag}`) : value;
      }
      if (Object.keys(body).length === 0) throw new UsageError(`give at least one of ${ISO15118_OPTIONS.map((x) => `--${x.flag}`).join(', ')}`);
      const evse = integerOption(o.evse, '--evse', 1);
      return send(o, io, 'iso15118', { ...body, ...(evse !== undefined ? { evse } : {}) });
    }),
  );

  admin(csms.command('trigger-message').description('TriggerMessage: ask the station to send a message now'))
    .argument('<NAME>', `requestedMessage: ${TRIGGER_MESSAGES.join(', ')}`)
    .option('--evse <N>', 'for this EVSE')
    .option('--connector <N>', 'and this connector')
    .action((name: string, o: AdminArgs & { evse?: string; connector?: string }) =>
      run(() => {
        if (!(TRIGGER_MESSAGES as readonly string[]).includes(name)) throw new UsageError(`unknown message ${name} (one of ${TRIGGER_MESSAGES.join(', ')})`);
        const evse = integerOption(o.evse, '--evse');
        const connectorId = integerOption(o.connector, '--connector');
        if (connectorId !== undefined && evse === undefined) throw new UsageError('--connector needs --evse');
        return send(o, io, 'trigger-message', { requestedMessage: name as MessageTriggerEnumType, ...(evse !== undefined ? { evse: { id: evse, ...(connectorId !== undefined ? { connectorId } : {}) } } : {}) });
      }),
    );
}

/** Which OCPP action each command sends (for documentation and tests). */
export const CSMS_ADMIN_COMMANDS = ADMIN_ROUTES;
