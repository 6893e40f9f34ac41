// The CPO's side after registration: pulling the eMSP's token list (paginated) feeds the offline fallback, so a token
// never authorised here is still accepted while the eMSP is down if its whitelist allows; the eMSP unregistering
// (DELETE on our credentials) removes it; our OCPI endpoints refuse unknown tokens, POST and PUT.
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { pullEmspTokens } from '../../../src/csms/roaming/pullEmspTokens.js';
import { OcpiClient } from '../../../src/ocpi/ocpiClient.js';
import { computeCheckDigit } from '../../../src/pki/emaid/emaid.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';
import { startCpo, startMsp, type TestCpo, type TestMsp } from './roamingTestbed.js';

const targets = useDatabaseTargets();
const emaid = (i: string): string => `DE-PNC-${i}-${computeCheckDigit(`DEPNC${i}`)}`;

describe.each(targets)('CPO roaming endpoints and token pull ($dialect)', (target) => {
  let msp: TestMsp | undefined;
  let cpo: TestCpo | undefined;
  const client = new OcpiClient({ timeoutMs: 3000 });
  afterEach(async () => {
    await cpo?.close();
    await msp?.close();
    cpo = msp = undefined;
  });

  async function setup(ctx: TestContext): Promise<{ msp: TestMsp; cpo: TestCpo }> {
    msp = await startMsp(await target.newUrl(ctx), { maxPageSize: 2 });
    cpo = await startCpo(await target.newUrl(ctx));
    return { msp, cpo };
  }

  it('pulls the token list page by page, and the pulled whitelist serves while the eMSP is down', async (ctx) => {
    const s = await setup(ctx);
    for (const [i, whitelist] of [['C00000001', 'ALLOWED_OFFLINE'], ['C00000002', 'ALLOWED'], ['C00000003', 'ALWAYS'], ['C00000004', 'NEVER'], ['C00000005', 'ALLOWED_OFFLINE']] as const) {
      await s.msp.store.accounts.add({ emaids: [emaid(i)], whitelist });
    }
    await s.msp.store.accounts.setStatus(emaid('C00000005'), 'suspended');
    const peer = await s.cpo.register(s.msp);
    await expect(pullEmspTokens(client, s.cpo.roaming.tokens, peer)).resolves.toEqual({ tokens: 5, pages: 3 });
    expect(await s.cpo.roaming.registry.lastKnownToken('DE', 'PNC', 'DEPNCC00000001')).toMatchObject({ whitelist: 'ALLOWED_OFFLINE', valid: true });

    await s.msp.close();
    msp = undefined;
    const billing = s.cpo.roaming.billing;
    const loc = { stationId: 'CS-1' };
    await expect(billing.authorizeEmaid(emaid('C00000001'), loc, {})).resolves.toMatchObject({ status: 'Accepted' });
    await expect(billing.authorizeEmaid(emaid('C00000002'), loc, {})).resolves.toMatchObject({ status: 'NotAtThisTime' });
    await expect(billing.authorizeEmaid(emaid('C00000003'), loc, {})).resolves.toMatchObject({ status: 'Accepted' });
    await expect(billing.authorizeEmaid(emaid('C00000004'), loc, {})).resolves.toMatchObject({ status: 'NotAtThisTime' });
    // Suspended: valid=false in the list, so not accepted offline either.
    await expect(billing.authorizeEmaid(emaid('C00000005'), loc, {})).resolves.toMatchObject({ status: 'NotAtThisTime' });
  });

  it('refuses unknown tokens, POST and PUT on our endpoints; the eMSP unregisters with DELETE', async (ctx) => {
    const s = await setup(ctx);
    await s.cpo.register(s.msp);
    const tokenB = (await s.msp.store.peers.list())[0]!.tokenB;
    const details = await client.getVersionDetails(`${s.cpo.versionsUrl.replace(/versions$/, '')}2.3.0`, tokenB);
    const credentialsUrl = details.endpoints.find((e) => e.identifier === 'credentials')!.url;
    await expect(client.getCredentials(credentialsUrl, tokenB)).resolves.toMatchObject({ token: tokenB, roles: [{ role: 'CPO', country_code: 'NL', party_id: 'CPO' }] });
    await expect(client.getCredentials(credentialsUrl, 'guess')).rejects.toMatchObject({ code: 'unauthorized', ocpiStatus: 2000 });
    const ours = await client.getCredentials(credentialsUrl, tokenB);
    await expect(client.postCredentials(credentialsUrl, tokenB, ours)).rejects.toMatchObject({ code: 'http', httpStatus: 405 });
    await expect(client.putCredentials(credentialsUrl, tokenB, ours)).rejects.toMatchObject({ code: 'http', httpStatus: 405 });

    await client.deleteCredentials(credentialsUrl, tokenB);
    expect(await s.cpo.roaming.registry.listPeers()).toEqual([]);
    await expect(client.getVersions(s.cpo.versionsUrl, tokenB)).rejects.toMatchObject({ code: 'unauthorized' });
    // The directory was told: the eMSP is no longer a roaming partner.
    await expect(s.cpo.roaming.billing.authorizeEmaid(emaid('C00000001'), { stationId: 'CS-1' }, {})).resolves.toMatchObject({ status: 'Unknown' });
  });
});
