// The OCPI billing check of the CSMS against a scripted eMSP (every AllowedType, unknown token, and every way an eMSP
// can fail: refused connection, time-out, malformed JSON, wrong envelope, bad data, oversize, HTTP errors) and against
// our real MSP on both dialects. Also: the whitelist fallback (ALLOWED_OFFLINE / ALWAYS honoured, from memory and from
// the database), the request shape (type EMAID for 2.3.0, OTHER for 2.2.1), traces, and no registry query per call.
import { afterEach, beforeEach, describe, expect, it, vi, type TestContext } from 'vitest';
import type { AuthorizationStatusEnumType } from '../../../src/ocpp/generated/ocpp201.js';
import { OcpiClient } from '../../../src/ocpi/ocpiClient.js';
import type { OcpiVersionNumber } from '../../../src/ocpi/ocpiTypes.js';
import { computeCheckDigit } from '../../../src/pki/emaid/emaid.js';
import { CachedEmspDirectory } from '../../../src/csms/roaming/emspDirectory.js';
import { LastKnownTokens } from '../../../src/csms/roaming/lastKnownTokens.js';
import { OcpiBillingChecker } from '../../../src/csms/roaming/ocpiBillingChecker.js';
import { openRoamingStore, type RoamingStore } from '../../../src/csms/roaming/roamingRegistry.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';
import { startCpo, startMsp, type TestCpo, type TestMsp } from './roamingTestbed.js';
import { startScriptedEmsp, type ScriptedAnswer, type ScriptedEmsp } from './scriptedEmsp.js';

const targets = useDatabaseTargets();
const base = 'DEPNCC1234567';
const EMAID = `DE-PNC-C12345678-${computeCheckDigit(`${base}8`)}`;
const PLAIN = EMAID.replace(/-/g, '');
const LOCATION = { stationId: 'CS-1', evseId: 1 };

interface Bed {
  readonly store: RoamingStore;
  readonly emsp: ScriptedEmsp;
  readonly directory: CachedEmspDirectory;
  readonly tokens: LastKnownTokens;
  readonly checker: OcpiBillingChecker;
  readonly events: TraceEvent[];
}

async function bed(ctx: TestContext, dbUrl: string, version: OcpiVersionNumber, client: OcpiClient): Promise<Bed> {
  const store = await openRoamingStore(dbUrl);
  const emsp = await startScriptedEmsp();
  ctx.onTestFinished(async () => {
    await emsp.close();
    await store.close();
  });
  await store.registry.savePeer({
    name: 'Scripted eMSP',
    version,
    versionsUrl: `${emsp.url}/ocpi/versions`,
    endpoints: [
      { identifier: 'credentials', role: 'SENDER', url: `${emsp.url}/ocpi/${version}/credentials` },
      { identifier: 'tokens', role: 'SENDER', url: `${emsp.url}/ocpi/${version}/tokens` },
    ],
    roles: [],
    tokenC: 'token-c-for-scripted',
    tokenB: `token-b-${Math.random()}`,
    parties: [{ countryCode: 'DE', partyId: 'PNC' }],
  });
  const events: TraceEvent[] = [];
  const tracer = silentTracer('csms', [(e) => events.push(e)]);
  const directory = new CachedEmspDirectory(() => store.registry.listPeers(), { ttlMs: 60_000 });
  const tokens = new LastKnownTokens(store.registry);
  const checker = new OcpiBillingChecker({ directory, client, tokens, tracer, timeoutMs: 300 });
  return { store, emsp, directory, tokens, checker, events };
}

async function settled(tokens: LastKnownTokens): Promise<void> {
  await vi.waitFor(() => expect(tokens.pending).toBe(0));
}

describe('OCPI billing check against a scripted eMSP (sqlite)', () => {
  let client: OcpiClient;
  beforeEach(() => {
    client = new OcpiClient({ timeoutMs: 2000, maxResponseBytes: 256 * 1024 });
  });
  afterEach(() => client.close());
  const sqlite = targets[0]!;

  const table: readonly [string, ScriptedAnswer, AuthorizationStatusEnumType][] = [
    ['ALLOWED', { kind: 'allowed', allowed: 'ALLOWED', reference: 'ref-1' }, 'Accepted'],
    ['BLOCKED', { kind: 'allowed', allowed: 'BLOCKED' }, 'Blocked'],
    ['EXPIRED', { kind: 'allowed', allowed: 'EXPIRED' }, 'Expired'],
    ['NO_CREDIT', { kind: 'allowed', allowed: 'NO_CREDIT' }, 'NoCredit'],
    ['NOT_ALLOWED', { kind: 'allowed', allowed: 'NOT_ALLOWED' }, 'NotAtThisLocation'],
    ['unknown token (404/2004)', { kind: 'unknown' }, 'Unknown'],
    ['unknown token as HTTP 200 with 2004', { kind: 'status', code: 2004 }, 'Unknown'],
    ['bare 404 without an OCPI envelope (wrong URL)', { kind: 'bare-404' }, 'NotAtThisTime'],
    ['slow eMSP (time-out)', { kind: 'slow' }, 'NotAtThisTime'],
    ['malformed JSON', { kind: 'malformed' }, 'NotAtThisTime'],
    ['wrong envelope', { kind: 'wrong-envelope' }, 'NotAtThisTime'],
    ['AuthorizationInfo of the wrong shape', { kind: 'bad-data' }, 'NotAtThisTime'],
    ['oversize answer', { kind: 'oversize' }, 'NotAtThisTime'],
    ['HTTP 500', { kind: 'http', status: 500 }, 'NotAtThisTime'],
    ['HTTP 401 (our token refused)', { kind: 'http', status: 401 }, 'NotAtThisTime'],
    ['OCPI 3000 in a 200', { kind: 'status', code: 3000 }, 'NotAtThisTime'],
    ['connection reset', { kind: 'reset' }, 'NotAtThisTime'],
  ];

  it.for(table)('%s → %s', async ([, answer, expected], ctx) => {
    const b = await bed(ctx, await sqlite.newUrl(ctx), '2.3.0', client);
    b.emsp.answer = answer;
    const started = Date.now();
    const outcome = await b.checker.authorizeEmaid(EMAID, LOCATION, { session: 'CS-1/1' });
    expect(outcome.status).toBe(expected);
    expect(Date.now() - started).toBeLessThan(1500);
    if (expected === 'Accepted') expect(outcome.authorizationReference).toBe('ref-1');
    expect(outcome.emsp).toEqual({ countryCode: 'DE', partyId: 'PNC' });
    // Exactly one billing check traced, eMAID masked, eMSP named.
    const checks = b.events.filter((e) => e.kind === 'check' && e.check === 'billing');
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ party: 'csms', session: 'CS-1/1', ok: expected === 'Accepted' });
    expect(JSON.stringify(b.events)).not.toContain(PLAIN.slice(5, 14));
    expect(JSON.stringify(checks[0])).toContain('DE*PNC');
  });

  it('asks with type EMAID (2.3.0) or OTHER (2.2.1), the eMAID without dashes, our token C, and LocationReferences', async (ctx) => {
    for (const [version, type] of [['2.3.0', 'EMAID'], ['2.2.1', 'OTHER']] as const) {
      const b = await bed(ctx, await sqlite.newUrl(ctx), version, client);
      await b.checker.authorizeEmaid(EMAID, LOCATION, {});
      expect(b.emsp.asked).toHaveLength(1);
      expect(b.emsp.asked[0]).toMatchObject({ method: 'POST', path: `/ocpi/${version}/tokens/${PLAIN}/authorize`, type });
      expect(b.emsp.asked[0]!.authorization).toBe(`Token ${Buffer.from('token-c-for-scripted').toString('base64')}`);
      expect(JSON.parse(b.emsp.asked[0]!.body)).toEqual({ location_id: 'CS-1', evse_uids: ['CS-1-1'] });
    }
  });

  it('unknown provider → Unknown, not an eMAID → Invalid, without asking anyone', async (ctx) => {
    const b = await bed(ctx, await sqlite.newUrl(ctx), '2.3.0', client);
    const other = `FR-XYZ-C12345678-${computeCheckDigit('FRXYZC12345678')}`;
    await expect(b.checker.authorizeEmaid(other, LOCATION, {})).resolves.toMatchObject({ status: 'Unknown' });
    await expect(b.checker.authorizeEmaid('04A2B3C4D5E6F7', LOCATION, {})).resolves.toMatchObject({ status: 'Invalid' });
    expect(b.emsp.asked).toHaveLength(0);
  });

  it('honours ALLOWED_OFFLINE and ALWAYS when the eMSP is down, from memory and from the database; ALLOWED and NEVER are not enough', async (ctx) => {
    const url = await sqlite.newUrl(ctx);
    const b = await bed(ctx, url, '2.3.0', client);
    for (const [whitelist, valid, offline] of [
      ['ALLOWED_OFFLINE', true, 'Accepted'],
      ['ALWAYS', true, 'Accepted'],
      ['ALLOWED_OFFLINE', false, 'NotAtThisTime'],
      ['ALLOWED', true, 'NotAtThisTime'],
      ['NEVER', true, 'NotAtThisTime'],
    ] as const) {
      b.emsp.answer = { kind: 'allowed', allowed: 'ALLOWED', whitelist, valid };
      await b.checker.authorizeEmaid(EMAID, LOCATION, {});
      await settled(b.tokens);
      b.emsp.answer = { kind: 'http', status: 503 };
      expect((await b.checker.authorizeEmaid(EMAID, LOCATION, {})).status, `${whitelist} valid=${valid}`).toBe(offline);
      // A fresh node (empty memory) reads the same from the database.
      const fresh = new OcpiBillingChecker({ directory: b.directory, client, tokens: new LastKnownTokens(b.store.registry), tracer: silentTracer('csms'), timeoutMs: 300 });
      expect((await fresh.authorizeEmaid(EMAID.replace(/-/g, '').slice(0, 14), LOCATION, {})).status, `fresh ${whitelist}`).toBe(offline);
    }
    // A token the eMSP stopped knowing is not accepted offline any more, however it was whitelisted before.
    b.emsp.answer = { kind: 'allowed', allowed: 'ALLOWED', whitelist: 'ALWAYS' };
    await b.checker.authorizeEmaid(EMAID, LOCATION, {});
    b.emsp.answer = { kind: 'unknown' };
    await expect(b.checker.authorizeEmaid(EMAID, LOCATION, {})).resolves.toMatchObject({ status: 'Unknown' });
    await settled(b.tokens);
    b.emsp.answer = { kind: 'http', status: 503 };
    await expect(b.checker.authorizeEmaid(EMAID, LOCATION, {})).resolves.toMatchObject({ status: 'NotAtThisTime' });
    // Connection refused altogether (eMSP process gone).
    b.emsp.answer = { kind: 'allowed', allowed: 'ALLOWED', whitelist: 'ALLOWED_OFFLINE' };
    await b.checker.authorizeEmaid(EMAID, LOCATION, {});
    await settled(b.tokens);
    await b.emsp.close();
    await expect(b.checker.authorizeEmaid(EMAID, LOCATION, {})).resolves.toMatchObject({ status: 'Accepted', detail: expect.stringContaining('network') as unknown });
  });

  it('does no registry query and no token write per call once warm', async (ctx) => {
    const b = await bed(ctx, await sqlite.newUrl(ctx), '2.3.0', client);
    const list = vi.spyOn(b.store.registry, 'listPeers');
    const write = vi.spyOn(b.store.registry, 'rememberTokens');
    const read = vi.spyOn(b.store.registry, 'lastKnownToken');
    for (let i = 0; i < 200; i++) expect((await b.checker.authorizeEmaid(EMAID, LOCATION, {})).status).toBe('Accepted');
    await settled(b.tokens);
    expect(b.directory.loads).toBe(1);
    expect(list).toHaveBeenCalledTimes(1);
    expect(write).toHaveBeenCalledTimes(1);
    expect(read).not.toHaveBeenCalled();
    // 200 requests over a handful of kept-alive connections.
    const sockets = new Set(b.emsp.asked.map((a) => a.authorization));
    expect(sockets.size).toBe(1);
  });

  it('answers NotAtThisTime when the registry cannot be read at all, and keeps an older view when a reload fails', async (ctx) => {
    const b = await bed(ctx, await sqlite.newUrl(ctx), '2.3.0', client);
    let fail = false;
    const errors: unknown[] = [];
    let now = 0;
    const directory = new CachedEmspDirectory(
      async () => {
        if (fail) throw new Error('database gone');
        return b.store.registry.listPeers();
      },
      { ttlMs: 1000, now: () => now, onReloadError: (e) => errors.push(e) },
    );
    const checker = new OcpiBillingChecker({ directory, client, tokens: b.tokens, tracer: silentTracer('csms'), timeoutMs: 300 });
    await expect(checker.authorizeEmaid(EMAID, LOCATION, {})).resolves.toMatchObject({ status: 'Accepted' });
    fail = true;
    now = 5000;
    await expect(checker.authorizeEmaid(EMAID, LOCATION, {})).resolves.toMatchObject({ status: 'Accepted' });
    expect(errors).toHaveLength(1);
    const cold = new OcpiBillingChecker({ directory: new CachedEmspDirectory(() => Promise.reject(new Error('database gone'))), client, tokens: b.tokens, tracer: silentTracer('csms') });
    await expect(cold.authorizeEmaid(EMAID, LOCATION, {})).resolves.toMatchObject({ status: 'NotAtThisTime' });
  });
});

describe.each(targets)('OCPI billing check against our MSP ($dialect)', (target) => {
  let msp: TestMsp | undefined;
  let cpo: TestCpo | undefined;
  afterEach(async () => {
    await cpo?.close();
    await msp?.close();
    cpo = msp = undefined;
  });

  it.for(['2.2.1', '2.3.0'] as const)('maps the account states over %s', async (version, ctx) => {
    msp = await startMsp(await target.newUrl(ctx), { versions: [version] });
    cpo = await startCpo(await target.newUrl(ctx));
    await cpo.register(msp);
    const ids = ['C00000001', 'C00000002', 'C00000003', 'C00000004'].map((i) => `DE-PNC-${i}-${computeCheckDigit(`DEPNC${i}`)}`);
    await msp.store.accounts.add({ emaids: [ids[0]!] });
    await msp.store.accounts.add({ emaids: [ids[1]!] });
    await msp.store.accounts.add({ emaids: [ids[2]!] });
    await msp.store.accounts.add({ emaids: [ids[3]!], paymentToken: 'card-ok' });
    await msp.store.accounts.setStatus(ids[1]!, 'suspended');
    await msp.store.accounts.setStatus(ids[2]!, 'cancelled');
    const billing = cpo.roaming.billing;
    const active = await billing.authorizeEmaid(ids[0]!, LOCATION, { session: 's1' });
    expect(active).toMatchObject({ status: 'Accepted', emsp: { countryCode: 'DE', partyId: 'PNC' } });
    expect(active.authorizationReference).toMatch(/^[0-9a-f-]{36}$/);
    await expect(billing.authorizeEmaid(ids[1]!, LOCATION, {})).resolves.toMatchObject({ status: 'Blocked' });
    await expect(billing.authorizeEmaid(ids[2]!, LOCATION, {})).resolves.toMatchObject({ status: 'Expired' });
    // PnC Direct account, MSP without a processor: NO_CREDIT.
    await expect(billing.authorizeEmaid(ids[3]!, LOCATION, {})).resolves.toMatchObject({ status: 'NoCredit' });
    await expect(billing.authorizeEmaid(`DE-PNC-C99999999-${computeCheckDigit('DEPNCC99999999')}`, LOCATION, {})).resolves.toMatchObject({ status: 'Unknown' });
    // The MSP's trace joined the CSMS session through X-Correlation-ID.
    expect(msp.events.some((e) => e.kind === 'message' && e.session === 's1' && e.message === 'OCPI authorize')).toBe(true);
    // MSP down: ALLOWED (the default whitelist) needs the eMSP.
    await msp.close();
    msp = undefined;
    await expect(billing.authorizeEmaid(ids[0]!, LOCATION, {})).resolves.toMatchObject({ status: 'NotAtThisTime' });
  });
});
