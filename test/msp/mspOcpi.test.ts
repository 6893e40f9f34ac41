// The MSP's OCPI modules through our OCPI client over HTTP on 127.0.0.1, for a CPO registered over 2.2.1 and over
// 2.3.0, on SQLite and PostgreSQL: real-time authorization per account state (eMAIDs in any spelling, EMAID and
// OTHER token types, unknown → 404/2004), PnC Direct, the paginated token list, and CDRs (stored once, GET by Location,
// settled once).
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { buildCdr } from '../../src/csms/roaming/cdrBuilder.js';
import { endpointUrl, type EmspPeer } from '../../src/csms/roaming/emspPeer.js';
import { isUnknownTokenError, OcpiClient } from '../../src/ocpi/ocpiClient.js';
import { OcpiError } from '../../src/ocpi/ocpiError.js';
import type { Cdr, OcpiToken, OcpiVersionNumber } from '../../src/ocpi/ocpiTypes.js';
import { computeCheckDigit } from '../../src/pki/emaid/emaid.js';
import { useDatabaseTargets } from '../helpers/databaseTargets.js';
import { CPO_PARTY, startCpo, startMsp, type TestCpo, type TestMsp } from '../csms/roaming/roamingTestbed.js';
import { TestPncDirect } from './testPncDirect.js';

const targets = useDatabaseTargets();

function emaid(instance: string): { dashed: string; plain: string } {
  const base = `DEPNC${instance}`;
  const digit = computeCheckDigit(base);
  return { dashed: `DE-PNC-${instance}-${digit}`, plain: `${base}${digit}` };
}

const ACTIVE = emaid('C12345678');
const SUSPENDED = emaid('C00000002');
const CANCELLED = emaid('C00000003');
const DIRECT_OK = emaid('C00000004');
const DIRECT_DECLINED = emaid('C00000005');
const DIRECT_BROKEN = emaid('C00000006');

const cases = targets.flatMap((target) => (['2.2.1', '2.3.0'] as const).map((version) => ({ target, version, dialect: target.dialect })));

describe.each(cases)('MSP OCPI modules over $version ($dialect)', ({ target, version }) => {
  let msp: TestMsp | undefined;
  let cpo: TestCpo | undefined;
  const client = new OcpiClient({ timeoutMs: 3000 });
  afterEach(async () => {
    await cpo?.close();
    await msp?.close();
    cpo = msp = undefined;
  });

  async function setup(ctx: TestContext, pncDirect?: TestPncDirect, maxPageSize?: number): Promise<{ msp: TestMsp; cpo: TestCpo; peer: EmspPeer; tokensUrl: string; cdrsUrl: string }> {
    msp = await startMsp(await target.newUrl(ctx), { versions: [version], ...(pncDirect ? { pncDirect } : {}), ...(maxPageSize ? { maxPageSize } : {}) });
    cpo = await startCpo(await target.newUrl(ctx));
    const peer = await cpo.register(msp);
    expect(peer.version).toBe(version);
    return { msp, cpo, peer, tokensUrl: endpointUrl(peer, 'tokens', 'SENDER')!, cdrsUrl: endpointUrl(peer, 'cdrs', 'RECEIVER')! };
  }

  const emaidType = version === '2.3.0' ? 'EMAID' : 'OTHER';

  it('authorizes by account state; eMAIDs match in any spelling; unknown tokens are 404/2004', async (ctx) => {
    const { msp, peer, tokensUrl } = await setup(ctx);
    await msp.store.accounts.add({ emaids: [ACTIVE.dashed], whitelist: 'ALLOWED_OFFLINE' });
    await msp.store.accounts.add({ emaids: [SUSPENDED.plain] });
    await msp.store.accounts.add({ emaids: [CANCELLED.plain] });
    await msp.store.accounts.setStatus(SUSPENDED.dashed, 'suspended');
    await msp.store.accounts.setStatus(CANCELLED.dashed, 'cancelled');

    const location = { location_id: 'CS-1', evse_uids: ['CS-1-1'] };
    for (const spelling of [ACTIVE.dashed, ACTIVE.plain, ACTIVE.plain.slice(0, 14), ACTIVE.plain.toLowerCase()]) {
      const info = await client.authorize(tokensUrl, peer.tokenC, version, spelling, emaidType, location);
      expect(info.allowed).toBe('ALLOWED');
      expect(info.token).toMatchObject({ uid: ACTIVE.plain, contract_id: ACTIVE.dashed, type: emaidType, valid: true, whitelist: 'ALLOWED_OFFLINE', country_code: 'DE', party_id: 'PNC' });
      expect(info.location).toEqual(location);
      expect(info.authorization_reference).toMatch(/^[0-9a-f-]{36}$/);
    }
    // Both types name eMAIDs (2.2.1 has only OTHER).
    await expect(client.authorize(tokensUrl, peer.tokenC, version, ACTIVE.plain, 'OTHER')).resolves.toMatchObject({ allowed: 'ALLOWED' });

    const suspended = await client.authorize(tokensUrl, peer.tokenC, version, SUSPENDED.plain, emaidType);
    expect(suspended).toMatchObject({ allowed: 'BLOCKED', token: { valid: false } });
    expect(suspended.authorization_reference).toBeUndefined();
    await expect(client.authorize(tokensUrl, peer.tokenC, version, CANCELLED.plain, emaidType)).resolves.toMatchObject({ allowed: 'EXPIRED', token: { valid: false } });

    // Unknown: another eMAID, a wrong check digit, the right eMAID as an RFID.
    const wrongDigit = `${ACTIVE.plain.slice(0, 14)}${ACTIVE.plain.endsWith('0') ? '1' : '0'}`;
    for (const [uid, type] of [[emaid('C99999999').plain, emaidType], [wrongDigit, emaidType], [ACTIVE.plain, 'RFID']] as const) {
      const e = await client.authorize(tokensUrl, peer.tokenC, version, uid, type).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(OcpiError);
      expect(e).toMatchObject({ code: 'http', httpStatus: 404, ocpiStatus: 2004 });
      expect(isUnknownTokenError(e)).toBe(true);
    }

    if (version === '2.2.1') {
      // EMAID is no 2.2.1 TokenType.
      await expect(client.authorize(tokensUrl, peer.tokenC, version, ACTIVE.plain, 'EMAID')).rejects.toMatchObject({ code: 'status', ocpiStatus: 2001 });
    }

    // Traces: who asked, the verdict, never the full eMAID.
    const text = JSON.stringify(msp.events);
    expect(msp.events.some((e) => e.kind === 'message' && e.message === 'OCPI authorize' && e.from === 'csms' && e.to === 'msp')).toBe(true);
    expect(msp.events.some((e) => e.kind === 'verdict' && e.verdict === 'BLOCKED')).toBe(true);
    for (const x of [ACTIVE, SUSPENDED, CANCELLED]) expect(text).not.toContain(x.plain.slice(5, 14));
  });

  it('PnC Direct: approved hold → ALLOWED with its reference, decline or processor failure → NO_CREDIT', async (ctx) => {
    const pnc = new TestPncDirect();
    const { msp, peer, tokensUrl } = await setup(ctx, pnc);
    await msp.store.accounts.add({ emaids: [DIRECT_OK.plain], paymentToken: 'card-ok' });
    await msp.store.accounts.add({ emaids: [DIRECT_DECLINED.plain], paymentToken: 'card-expired' });
    await msp.store.accounts.add({ emaids: [DIRECT_BROKEN.plain], paymentToken: 'card-broken' });

    const ok = await client.authorize(tokensUrl, peer.tokenC, version, DIRECT_OK.plain, emaidType);
    expect(ok.allowed).toBe('ALLOWED');
    expect(pnc.holds.has(ok.authorization_reference!)).toBe(true);
    expect(await msp.store.cdrs.findAuthorization(ok.authorization_reference!)).toMatchObject({ amountMinor: 5000, currency: 'EUR', emaid: DIRECT_OK.plain });
    await expect(client.authorize(tokensUrl, peer.tokenC, version, DIRECT_DECLINED.plain, emaidType)).resolves.toMatchObject({ allowed: 'NO_CREDIT' });
    await expect(client.authorize(tokensUrl, peer.tokenC, version, DIRECT_BROKEN.plain, emaidType)).resolves.toMatchObject({ allowed: 'NO_CREDIT' });
    expect(msp.events.some((e) => e.kind === 'error' && e.error === 'PnC Direct pre-authorization failed')).toBe(true);
  });

  it('a PnC Direct account without a processor configured gets NO_CREDIT', async (ctx) => {
    const { msp, peer, tokensUrl } = await setup(ctx);
    await msp.store.accounts.add({ emaids: [DIRECT_OK.plain], paymentToken: 'card-ok' });
    await expect(client.authorize(tokensUrl, peer.tokenC, version, DIRECT_OK.plain, emaidType)).resolves.toMatchObject({ allowed: 'NO_CREDIT' });
  });

  it('lists tokens page by page (Link, X-Total-Count, X-Limit) and filters by date', async (ctx) => {
    const { msp, peer, tokensUrl } = await setup(ctx, undefined, 2);
    const added = [];
    for (let i = 0; i < 5; i++) added.push(emaid(`C1000000${i}`));
    for (const e of added) await msp.store.accounts.add({ emaids: [e.dashed] });

    const seen: OcpiToken[] = [];
    let page = await client.getTokens(tokensUrl, peer.tokenC, version, { offset: 0, limit: 50 });
    const pages = [page];
    while (page.next) {
      page = await client.getTokensPage(page.next, peer.tokenC, version);
      pages.push(page);
    }
    for (const p of pages) seen.push(...p.tokens);
    expect(pages).toHaveLength(3);
    expect(pages[0]).toMatchObject({ totalCount: 5, limit: 2 });
    expect(pages[0]!.tokens).toHaveLength(2);
    expect(pages[2]!.next).toBeUndefined();
    expect(seen.map((t) => t.uid)).toEqual(added.map((e) => e.plain));
    expect(seen.every((t) => t.type === emaidType && t.valid)).toBe(true);

    const future = await client.getTokens(tokensUrl, peer.tokenC, version, { dateFrom: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future).toMatchObject({ tokens: [], totalCount: 0 });
    await expect(client.getTokens(tokensUrl, peer.tokenC, version, { offset: -1 })).rejects.toMatchObject({ code: 'status', ocpiStatus: 2001 });
  });

  function cdrFor(cpoVersion: OcpiVersionNumber, id: string, reference?: string): Cdr {
    return buildCdr({
      transaction: {
        cdrId: id,
        transactionId: `tx-${id}`,
        stationId: 'CS-1',
        evseId: 1,
        connectorId: 1,
        idToken: { idToken: DIRECT_OK.dashed, type: 'eMAID' },
        ...(reference ? { authorizationReference: reference } : {}),
        startedAt: '2026-11-24T10:00:00.000Z',
        endedAt: '2026-11-24T11:30:00.000Z',
        energyWh: 12_345,
        startedOffline: false,
      },
      cpo: CPO_PARTY,
      emsp: { countryCode: 'DE', partyId: 'PNC' },
      version: cpoVersion,
      tokenUid: DIRECT_OK.plain,
      contractId: DIRECT_OK.dashed,
      tariff: { pricePerKwh: 0.4, currency: 'EUR', vatPercent: 19 },
      now: new Date('2026-11-24T11:31:00Z'),
    });
  }

  it('stores a CDR once however often it is sent, and serves it at its Location', async (ctx) => {
    const { msp, peer, cdrsUrl } = await setup(ctx);
    const cdr = cdrFor(version, 'CDR-1');
    const first = await client.postCdr(cdrsUrl, peer.tokenC, cdr);
    const second = await client.postCdr(cdrsUrl, peer.tokenC, cdr);
    // The id is a CiString: another case is the same CDR.
    await client.postCdr(cdrsUrl, peer.tokenC, { ...cdr, id: 'cdr-1' });
    expect(first.location).toMatch(new RegExp(`/ocpi/${version.replace(/\./g, '\\.')}/cdrs/\\d+$`));
    expect(second.location).toBe(first.location);
    const stored = await msp.store.cdrs.list();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ countryCode: 'NL', partyId: 'CPO', cdrId: 'CDR-1', currency: 'EUR', settlement: 'not-pnc-direct' });
    expect(stored[0]!.totalCost).toBeCloseTo(version === '2.3.0' ? 4.94 + 0.94 : 5.88, 2);
    const back = await client.getCdr(first.location!, peer.tokenC, version);
    expect(back).toEqual(cdr);

    // Another CPO's CDR, and CDRs with a broken shape, are refused with 2001.
    await expect(client.postCdr(cdrsUrl, peer.tokenC, { ...cdr, id: 'CDR-2', party_id: 'XXX' })).rejects.toMatchObject({ code: 'status', ocpiStatus: 2001 });
    await expect(client.postCdr(cdrsUrl, peer.tokenC, { ...cdr, id: 'CDR-3', charging_periods: [] })).rejects.toMatchObject({ code: 'status', ocpiStatus: 2001 });
    expect(await msp.store.cdrs.list()).toHaveLength(1);
    // Unknown CDR URLs are 404.
    await expect(client.getCdr(first.location!.replace(/\d+$/, '999999'), peer.tokenC, version)).rejects.toMatchObject({ code: 'http', httpStatus: 404 });
  });

  it('retries a failed capture without the CPO sending the CDR again', async (ctx) => {
    const pnc = new TestPncDirect();
    const { msp, peer, tokensUrl, cdrsUrl } = await setup(ctx, pnc);
    await msp.store.accounts.add({ emaids: [DIRECT_OK.plain], paymentToken: 'card-ok' });
    const info = await client.authorize(tokensUrl, peer.tokenC, version, DIRECT_OK.plain, emaidType);
    pnc.failSettle = true;
    await client.postCdr(cdrsUrl, peer.tokenC, cdrFor(version, 'CDR-R', info.authorization_reference));
    expect(await msp.server.retryFailedSettlements()).toBe(1);
    expect((await msp.store.cdrs.list())[0]).toMatchObject({ settlement: 'error' });
    pnc.failSettle = false;
    expect(await msp.server.retryFailedSettlements()).toBe(1);
    expect((await msp.store.cdrs.list())[0]).toMatchObject({ settlement: 'captured' });
    expect(await msp.server.retryFailedSettlements()).toBe(0);
    expect(pnc.settlements).toHaveLength(1);
  });

  it('settles a PnC Direct CDR once (capture of its total), retrying a failed capture when the CDR comes again', async (ctx) => {
    const pnc = new TestPncDirect();
    const { msp, peer, tokensUrl, cdrsUrl } = await setup(ctx, pnc);
    await msp.store.accounts.add({ emaids: [DIRECT_OK.plain], paymentToken: 'card-ok' });
    const info = await client.authorize(tokensUrl, peer.tokenC, version, DIRECT_OK.plain, emaidType);
    const reference = info.authorization_reference!;

    pnc.failSettle = true;
    const cdr = cdrFor(version, 'CDR-PNC', reference);
    await client.postCdr(cdrsUrl, peer.tokenC, cdr);
    expect((await msp.store.cdrs.list())[0]).toMatchObject({ settlement: 'error' });
    pnc.failSettle = false;
    await client.postCdr(cdrsUrl, peer.tokenC, cdr);
    await client.postCdr(cdrsUrl, peer.tokenC, cdr);
    expect(pnc.settlements).toHaveLength(1);
    expect(await msp.server.retryFailedSettlements()).toBe(0);
    expect(pnc.settlements[0]).toEqual({ cdrId: 'NL*CPO*CDR-PNC', authorizationReference: reference, totalCostMinor: 588, currency: 'EUR' });
    expect((await msp.store.cdrs.list())[0]).toMatchObject({ settlement: 'captured' });
  });
});
