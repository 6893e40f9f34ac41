// OCPI registration end to end between the CSMS's roaming side (initiator, CPO) and our MSP (receiver), over HTTP on
// 127.0.0.1 with both databases on both dialects: token A is single use, token C is required afterwards, wrong tokens
// get HTTP 401 with an OCPI 2xxx status, and the chosen version is the highest both speak.
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { OcpiClient } from '../../../src/ocpi/ocpiClient.js';
import { OcpiError } from '../../../src/ocpi/ocpiError.js';
import { RoamingError } from '../../../src/csms/roaming/roamingError.js';
import { registerEmsp } from '../../../src/csms/roaming/registerEmsp.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';
import { MSP_PARTY, startCpo, startMsp, type TestCpo, type TestMsp } from './roamingTestbed.js';

const targets = useDatabaseTargets();

describe.each(targets)('OCPI registration CPO → MSP ($dialect)', (target) => {
  let msp: TestMsp | undefined;
  let cpo: TestCpo | undefined;
  const client = new OcpiClient({ timeoutMs: 3000 });
  afterEach(async () => {
    await cpo?.close();
    await msp?.close();
    cpo = msp = undefined;
  });

  async function start(ctx: TestContext, versions?: { msp?: ('2.2.1' | '2.3.0')[]; cpo?: ('2.2.1' | '2.3.0')[] }): Promise<{ msp: TestMsp; cpo: TestCpo }> {
    msp = await startMsp(await target.newUrl(ctx), versions?.msp ? { versions: versions.msp } : {});
    cpo = await startCpo(await target.newUrl(ctx), versions?.cpo ? { versions: versions.cpo } : {});
    return { msp, cpo };
  }

  it('registers with the highest mutual version; token A is spent, token C works, wrong tokens get 401', async (ctx) => {
    const { msp, cpo } = await start(ctx);
    const tokenA = await msp.store.peers.issueRegistrationToken('NL CPO');
    const peer = await registerEmsp(cpo.roaming.registerDeps, { versionsUrl: msp.versionsUrl, tokenA });
    expect(peer.version).toBe('2.3.0');
    expect(peer.parties).toEqual([{ countryCode: 'DE', partyId: 'PNC' }]);
    expect(peer.endpoints.map((e) => `${e.identifier}:${e.role}`).sort()).toEqual(['cdrs:RECEIVER', 'credentials:SENDER', 'tokens:SENDER']);

    // The MSP stored the CPO, with the endpoints it fetched with token B.
    const mspPeers = await msp.store.peers.list();
    expect(mspPeers).toHaveLength(1);
    expect(mspPeers[0]).toMatchObject({ countryCode: 'NL', partyId: 'CPO', version: '2.3.0' });
    expect(mspPeers[0]!.endpoints.map((e) => e.identifier)).toEqual(['credentials']);

    // Token A is single use: versions refuse it now, and a second registration with it is refused.
    const refusedA = await client.getVersions(msp.versionsUrl, tokenA).catch((e: unknown) => e);
    expect(refusedA).toBeInstanceOf(OcpiError);
    expect((refusedA as OcpiError).code).toBe('unauthorized');
    expect((refusedA as OcpiError).httpStatus).toBe(401);
    expect((refusedA as OcpiError).ocpiStatus).toBeGreaterThanOrEqual(2000);
    expect((refusedA as OcpiError).ocpiStatus).toBeLessThan(3000);
    await expect(registerEmsp(cpo.roaming.registerDeps, { versionsUrl: msp.versionsUrl, tokenA })).rejects.toMatchObject({ name: 'RoamingError', code: 'refused' });

    // Token C works on every module; a made-up token does not.
    const details = await client.getVersionDetails(`${msp.versionsUrl.replace(/versions$/, '')}2.3.0`, peer.tokenC);
    expect(details.version).toBe('2.3.0');
    const creds = await client.getCredentials(details.endpoints.find((e) => e.identifier === 'credentials')!.url, peer.tokenC);
    expect(creds.token).toBe(peer.tokenC);
    expect(creds.roles[0]).toMatchObject({ role: 'EMSP', country_code: MSP_PARTY.countryCode, party_id: MSP_PARTY.partyId });
    const tokensUrl = details.endpoints.find((e) => e.identifier === 'tokens')!.url;
    await expect(client.getTokens(tokensUrl, 'not-a-token', '2.3.0')).rejects.toMatchObject({ code: 'unauthorized', httpStatus: 401 });
    await expect(client.getTokens(tokensUrl, peer.tokenC, '2.3.0')).resolves.toMatchObject({ tokens: [] });

    // The MSP's token B works on the CPO's endpoints; anything else is 401 there too.
    const cpoVersions = await client.getVersions(cpo.versionsUrl, mspPeers[0]!.tokenB);
    expect(cpoVersions.map((v) => v.version)).toEqual(['2.2.1', '2.3.0']);
    await expect(client.getVersions(cpo.versionsUrl, peer.tokenC)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(client.getVersions(cpo.versionsUrl, tokenA)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('picks 2.2.1 when one side speaks only 2.2.1', async (ctx) => {
    const { msp, cpo } = await start(ctx, { msp: ['2.2.1'] });
    const peer = await cpo.register(msp);
    expect(peer.version).toBe('2.2.1');
    expect((await msp.store.peers.list())[0]!.version).toBe('2.2.1');
  });

  it('refuses when there is no mutual version, and leaves token A usable', async (ctx) => {
    const { msp, cpo } = await start(ctx, { msp: ['2.2.1'], cpo: ['2.3.0'] });
    const tokenA = await msp.store.peers.issueRegistrationToken('x');
    const e = await registerEmsp(cpo.roaming.registerDeps, { versionsUrl: msp.versionsUrl, tokenA }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RoamingError);
    expect((e as RoamingError).code).toBe('no-mutual-version');
    expect(await msp.store.peers.isUnusedRegistrationToken(tokenA)).toBe(true);
  });

  it('refuses an unknown token A with "refused" and a dead eMSP with "unreachable"', async (ctx) => {
    const started = await start(ctx);
    const cpo = started.cpo;
    await expect(registerEmsp(cpo.roaming.registerDeps, { versionsUrl: started.msp.versionsUrl, tokenA: 'never-issued' })).rejects.toMatchObject({ code: 'refused' });
    const url = started.msp.versionsUrl;
    await started.msp.close();
    msp = undefined;
    await expect(registerEmsp(cpo.roaming.registerDeps, { versionsUrl: url, tokenA: 'whatever' })).rejects.toMatchObject({ code: 'unreachable' });
    await expect(registerEmsp(cpo.roaming.registerDeps, { versionsUrl: 'file:///etc/passwd', tokenA: 'x' })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('PUT renews token C (the old one stops working), DELETE unregisters, POST twice is 405', async (ctx) => {
    const { msp, cpo } = await start(ctx);
    const peer = await cpo.register(msp);
    const credentialsUrl = peer.endpoints.find((e) => e.identifier === 'credentials')!.url;
    const mspPeer = (await msp.store.peers.list())[0]!;
    const ours = { token: mspPeer.tokenB, url: cpo.versionsUrl, roles: mspPeer.roles };

    await expect(client.postCredentials(credentialsUrl, peer.tokenC, ours)).rejects.toMatchObject({ code: 'http', httpStatus: 405 });
    const renewed = await client.putCredentials(credentialsUrl, peer.tokenC, ours);
    expect(renewed.token).not.toBe(peer.tokenC);
    await expect(client.getCredentials(credentialsUrl, peer.tokenC)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(client.getCredentials(credentialsUrl, renewed.token)).resolves.toMatchObject({ token: renewed.token });

    await client.deleteCredentials(credentialsUrl, renewed.token);
    expect(await msp.store.peers.list()).toEqual([]);
    await expect(client.getCredentials(credentialsUrl, renewed.token)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('an eMSP that cannot reach back to the CPO during the POST answers 3001 and keeps token A', async (ctx) => {
    const { msp, cpo } = await start(ctx);
    const tokenA = await msp.store.peers.issueRegistrationToken('x');
    // Our credentials point at a versions URL nobody listens on.
    const deps = { ...cpo.roaming.registerDeps, ourVersionsUrl: 'http://127.0.0.1:9/ocpi/versions' };
    await expect(registerEmsp(deps, { versionsUrl: msp.versionsUrl, tokenA })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('3001') as unknown });
    expect(await msp.store.peers.isUnusedRegistrationToken(tokenA)).toBe(true);
    expect(await msp.store.peers.list()).toEqual([]);
  });
});
