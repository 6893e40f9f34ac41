// `pnc csms roaming register` end to end: the CLI function → the CSMS admin API (bearer token) → our roaming admin
// route → the OCPI registration with a real MSP; refusals come back as typed errors with the roaming error code.
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { Command } from 'commander';
import { startAdminServer, type AdminServer } from '../../../src/csms/admin/adminServer.js';
import type { StationCaller } from '../../../src/csms/csmsTypes.js';
import { roamingAdminRoutes } from '../../../src/csms/roaming/roamingAdminRoutes.js';
import { registerCsmsRoamingCommands, registerEmspViaAdmin, RoamingAdminError } from '../../../src/cli/csmsRoamingCommands.js';
import type { CliIo } from '../../../src/cli/io.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';
import { startCpo, startMsp, type TestCpo, type TestMsp } from './roamingTestbed.js';

const targets = useDatabaseTargets();
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

const noStations: StationCaller = {
  call: () => Promise.reject(new Error('no stations in this test')),
  isConnected: () => false,
  connectedCount: 0,
};

describe('CSMS roaming through the admin API (sqlite)', () => {
  let msp: TestMsp | undefined;
  let cpo: TestCpo | undefined;
  let admin: AdminServer | undefined;
  afterEach(async () => {
    await admin?.close();
    await cpo?.close();
    await msp?.close();
    admin = cpo = msp = undefined;
  });

  async function setup(ctx: TestContext): Promise<{ msp: TestMsp; admin: AdminServer }> {
    msp = await startMsp(await targets[0]!.newUrl(ctx));
    cpo = await startCpo(await targets[0]!.newUrl(ctx));
    const deps = cpo.roaming.registerDeps;
    admin = await startAdminServer({ stations: noStations, tracer: silentTracer('csms'), token: ADMIN_TOKEN, routes: [(app) => roamingAdminRoutes(app, deps)] });
    return { msp, admin };
  }

  it('registers with the eMSP and lists it', async (ctx) => {
    const { msp, admin } = await setup(ctx);
    const tokenA = await msp.store.peers.issueRegistrationToken('cli');
    const registered = await registerEmspViaAdmin(admin.url, ADMIN_TOKEN, msp.versionsUrl, tokenA);
    expect(registered).toMatchObject({ name: 'PnC Mobility', version: '2.3.0', parties: ['DE*PNC'] });
    const stored = await cpo!.roaming.registry.listPeers();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(registered)).not.toContain(stored[0]!.tokenC);

    // Through commander, as `pnc csms roaming list`.
    const out: string[] = [];
    const io: CliIo = { out: (t) => out.push(t), err: (t) => out.push(t), env: { PNC_CSMS_ADMIN_TOKEN: ADMIN_TOKEN } };
    const holder: { result?: Promise<number> | number } = {};
    const program = new Command('pnc').exitOverride();
    registerCsmsRoamingCommands(program.command('csms'), io, (r) => {
      holder.result = r;
    });
    await program.parseAsync(['csms', 'roaming', 'list', '--admin', admin.url], { from: 'user' });
    expect(await holder.result).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ emsps: [{ parties: ['DE*PNC'], version: '2.3.0' }] });
  });

  it('reports refusals with their code: spent token, wrong admin token, unreachable eMSP, bad input', async (ctx) => {
    const { msp, admin } = await setup(ctx);
    const tokenA = await msp.store.peers.issueRegistrationToken('cli');
    await registerEmspViaAdmin(admin.url, ADMIN_TOKEN, msp.versionsUrl, tokenA);
    await expect(registerEmspViaAdmin(admin.url, ADMIN_TOKEN, msp.versionsUrl, tokenA)).rejects.toMatchObject({ name: 'RoamingAdminError', code: 'refused', httpStatus: 502 });
    await expect(registerEmspViaAdmin(admin.url, 'wrong-admin-token-0123456789', msp.versionsUrl, 'x')).rejects.toMatchObject({ httpStatus: 401 });
    await expect(registerEmspViaAdmin(admin.url, ADMIN_TOKEN, 'http://127.0.0.1:9/ocpi/versions', 'x')).rejects.toMatchObject({ code: 'unreachable' });
    await expect(registerEmspViaAdmin(admin.url, ADMIN_TOKEN, 'not a url', 'x')).rejects.toMatchObject({ code: 'invalid-input', httpStatus: 400 });
    const e = await registerEmspViaAdmin('http://127.0.0.1:9', ADMIN_TOKEN, msp.versionsUrl, 'x').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RoamingAdminError);
    expect((e as RoamingAdminError).code).toBe('network');
  });
});
