// `pnc csms roaming register|list`: the OCPI registration with an eMSP, run by the CSMS itself through its admin API
// (POST /roaming/register, GET /roaming/emsps — see src/csms/roaming/roamingAdminRoutes.ts), so the node that holds
// the registry and serves our OCPI endpoints does the handshake.
import type { Command } from 'commander';
import { AdminClient, AdminClientError } from '../csms/admin/adminClient.js';
import type { RegisteredEmspView } from '../csms/roaming/roamingAdminRoutes.js';
import { Exit, UsageError, type CliIo } from './io.js';

/** The admin API refused or failed the registration; `code` is the roaming error code when it said one. */
export class RoamingAdminError extends Error {
  override readonly name = 'RoamingAdminError';
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** Asks the CSMS at `adminUrl` to register with the eMSP whose versions endpoint and token A are given. */
export async function registerEmspViaAdmin(adminUrl: string, adminToken: string | undefined, versionsUrl: string, tokenA: string, timeoutMs = 60_000): Promise<RegisteredEmspView> {
  const answer = await adminCall(adminUrl, adminToken, timeoutMs, 'POST', 'roaming/register', { versionsUrl, token: tokenA });
  const body = answer.body as { registered?: RegisteredEmspView } | null;
  if (body?.registered === undefined) throw new RoamingAdminError('bad-answer', 'the admin API answered without the registered eMSP', answer.status);
  return body.registered;
}

export async function listEmspsViaAdmin(adminUrl: string, adminToken: string | undefined, timeoutMs = 30_000): Promise<RegisteredEmspView[]> {
  const answer = await adminCall(adminUrl, adminToken, timeoutMs, 'GET', 'roaming/emsps');
  const body = answer.body as { emsps?: RegisteredEmspView[] } | null;
  if (!Array.isArray(body?.emsps)) throw new RoamingAdminError('bad-answer', 'the admin API answered without a list of eMSPs', answer.status);
  return body.emsps;
}

async function adminCall(adminUrl: string, adminToken: string | undefined, timeoutMs: number, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  let answer;
  try {
    answer = await new AdminClient({ url: adminUrl, ...(adminToken !== undefined ? { token: adminToken } : {}), timeoutMs }).request(method, path, body);
  } catch (e) {
    if (e instanceof AdminClientError) throw new RoamingAdminError(e.code, e.message);
    throw e;
  }
  if (answer.status !== 200) {
    const said = answer.body as { error?: unknown; message?: unknown } | null;
    const code = typeof said?.error === 'string' ? said.error : `http-${answer.status}`;
    const message = typeof said?.message === 'string' ? said.message : `the admin API answered HTTP ${answer.status}`;
    throw new RoamingAdminError(code, message, answer.status);
  }
  return answer;
}

export interface RoamingRegisterArgs {
  admin: string;
  adminToken?: string;
  versionsUrl: string;
  token: string;
}

/** The action of `pnc csms roaming register`: prints {"registered": {...}} or the refusal. */
export async function csmsRoamingRegister(a: RoamingRegisterArgs, io: CliIo): Promise<number> {
  const adminToken = a.adminToken ?? io.env.PNC_CSMS_ADMIN_TOKEN;
  try {
    const registered = await registerEmspViaAdmin(a.admin, adminToken, a.versionsUrl, a.token);
    io.out(`${JSON.stringify({ registered })}\n`);
    return Exit.ok;
  } catch (e) {
    if (!(e instanceof RoamingAdminError)) throw e;
    if (e.code === 'config' || e.code === 'invalid-input') throw new UsageError(e.message);
    io.err(`pnc: registration failed (${e.code}): ${e.message}\n`);
    return Exit.failed;
  }
}

export async function csmsRoamingList(a: { admin: string; adminToken?: string }, io: CliIo): Promise<number> {
  try {
    io.out(`${JSON.stringify({ emsps: await listEmspsViaAdmin(a.admin, a.adminToken ?? io.env.PNC_CSMS_ADMIN_TOKEN) })}\n`);
    return Exit.ok;
  } catch (e) {
    if (!(e instanceof RoamingAdminError)) throw e;
    if (e.code === 'config') throw new UsageError(e.message);
    io.err(`pnc: ${e.message}\n`);
    return Exit.failed;
  }
}

/** Adds `roaming register` and `roaming list` under the `csms` command. */
export function registerCsmsRoamingCommands(csms: Command, io: CliIo, setResult: (p: Promise<number> | number) => void): Command {
  const roaming = csms.command('roaming').description('OCPI roaming with eMSPs (through the CSMS admin API)');
  roaming
    .command('register')
    .description('register with an eMSP over OCPI (credentials handshake, CPO side); prints the registered eMSP as JSON')
    .requiredOption('--admin <URL>', 'the CSMS admin API, e.g. http://127.0.0.1:9001')
    .option('--admin-token <T>', 'its bearer token (or env PNC_CSMS_ADMIN_TOKEN)')
    .requiredOption('--versions-url <URL>', 'the eMSP’s OCPI versions endpoint')
    .requiredOption('--token <TOKEN_A>', 'the registration token the eMSP issued (pnc msp peer token)')
    .action((o: RoamingRegisterArgs) => setResult(csmsRoamingRegister(o, io)));
  roaming
    .command('list')
    .description('print the registered eMSPs as JSON')
    .requiredOption('--admin <URL>', 'the CSMS admin API')
    .option('--admin-token <T>', 'its bearer token (or env PNC_CSMS_ADMIN_TOKEN)')
    .action((o: { admin: string; adminToken?: string }) => setResult(csmsRoamingList(o, io)));
  return roaming;
}
