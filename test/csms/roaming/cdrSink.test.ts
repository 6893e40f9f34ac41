// The CDR path CPO → eMSP over HTTP: the sink builds a valid OCPI CDR for the peer's version and the MSP keeps it once
// even when it is delivered twice; PnC Direct captures once by the authorization reference; tokens of nobody we roam
// with are "not roaming"; an unreachable eMSP is a CdrDeliveryError (the ledger retries). Both dialects.
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { buildCdr, DEFAULT_CDR_SITE } from '../../../src/csms/roaming/cdrBuilder.js';
import { CdrDeliveryError, type CompletedTransaction } from '../../../src/csms/transactions/completedTransaction.js';
import { parseCdr } from '../../../src/ocpi/ocpiParsers.js';
import { computeCheckDigit } from '../../../src/pki/emaid/emaid.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';
import { TestPncDirect } from '../../msp/testPncDirect.js';
import { CPO_PARTY, startCpo, startMsp, type TestCpo, type TestMsp } from './roamingTestbed.js';

const targets = useDatabaseTargets();
const EMAID = `DE-PNC-C00000042-${computeCheckDigit('DEPNCC00000042')}`;

function transaction(over: Partial<CompletedTransaction> = {}): CompletedTransaction {
  return {
    cdrId: 'CS-1-tx-1',
    transactionId: 'tx-1',
    stationId: 'CS-1',
    evseId: 1,
    connectorId: 1,
    idToken: { idToken: EMAID, type: 'eMAID' },
    startedAt: '2026-11-24T10:00:00.000Z',
    endedAt: '2026-11-24T10:45:00.000Z',
    energyWh: 22_000,
    startedOffline: false,
    ...over,
  };
}

describe('CDR builder', () => {
  it.for(['2.2.1', '2.3.0'] as const)('builds a CDR our strict %s parser accepts', (version) => {
    const now = new Date('2026-11-24T10:46:00Z');
    const input = { cpo: CPO_PARTY, emsp: { countryCode: 'DE', partyId: 'PNC' }, version, tokenUid: EMAID.replace(/-/g, ''), contractId: EMAID, tariff: { pricePerKwh: 0.39, currency: 'EUR' }, now };
    const cdr = buildCdr({ ...input, transaction: transaction({ authorizationReference: 'ref-123', stoppedReason: 'EVDisconnected' }) });
    expect(parseCdr(JSON.parse(JSON.stringify(cdr)), version)).toEqual(cdr);
    expect(cdr).toMatchObject({
      country_code: 'NL',
      party_id: 'CPO',
      id: 'CS-1-tx-1',
      auth_method: 'AUTH_REQUEST',
      authorization_reference: 'ref-123',
      cdr_token: { country_code: 'DE', party_id: 'PNC', type: version === '2.3.0' ? 'EMAID' : 'OTHER', contract_id: EMAID },
      total_energy: 22,
      total_time: 0.75,
      currency: 'EUR',
      remark: 'stopped: EVDisconnected',
      start_date_time: '2026-11-24T10:00:00Z',
    });
    expect(cdr.total_cost).toEqual(version === '2.3.0' ? { before_taxes: 8.58 } : { excl_vat: 8.58 });

    // Offline-started (no reference): WHITELIST. Identities too long for CiString(36) become stable hashes.
    const long = 'S'.repeat(48);
    const offline = buildCdr({ ...input, transaction: transaction({ cdrId: `${long}-tx-99`, stationId: long, startedOffline: true }) });
    expect(offline.auth_method).toBe('WHITELIST');
    expect(offline.authorization_reference).toBeUndefined();
    expect(offline.id.length).toBeLessThanOrEqual(36);
    expect(offline.cdr_location.id.length).toBeLessThanOrEqual(36);
    expect(buildCdr({ ...input, transaction: transaction({ cdrId: `${long}-tx-99`, stationId: long }) }).id).toBe(offline.id);
    expect(parseCdr(JSON.parse(JSON.stringify(offline)), version)).toEqual(offline);
    expect(offline.cdr_location.country).toBe(DEFAULT_CDR_SITE.country);
  });
});

describe.each(targets)('OCPI CDR sink → MSP ($dialect)', (target) => {
  let msp: TestMsp | undefined;
  let cpo: TestCpo | undefined;
  afterEach(async () => {
    await cpo?.close();
    await msp?.close();
    cpo = msp = undefined;
  });

  async function setup(ctx: TestContext, pncDirect?: TestPncDirect): Promise<{ msp: TestMsp; cpo: TestCpo }> {
    msp = await startMsp(await target.newUrl(ctx), pncDirect ? { pncDirect } : {});
    cpo = await startCpo(await target.newUrl(ctx), { tariff: { pricePerKwh: 0.5, currency: 'EUR' } });
    await cpo.register(msp);
    return { msp, cpo };
  }

  it('delivers a CDR; sent twice, the MSP keeps it once', async (ctx) => {
    const { msp, cpo } = await setup(ctx);
    const tx = transaction();
    await expect(cpo.roaming.cdrSink.deliver(tx)).resolves.toEqual({ kind: 'sent', emsp: 'DE*PNC' });
    await expect(cpo.roaming.cdrSink.deliver(tx)).resolves.toEqual({ kind: 'sent', emsp: 'DE*PNC' });
    const stored = await msp.store.cdrs.list();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ countryCode: 'NL', partyId: 'CPO', cdrId: 'CS-1-TX-1', totalCost: 11, currency: 'EUR', version: '2.3.0' });
    expect(cpo.events.filter((e) => e.kind === 'message' && e.message === 'OCPI CDR')).toHaveLength(2);
  });

  it('PnC Direct: authorize at start, the CDR captures its cost once', async (ctx) => {
    const pnc = new TestPncDirect();
    const { msp, cpo } = await setup(ctx, pnc);
    await msp.store.accounts.add({ emaids: [EMAID], paymentToken: 'card-ok' });
    const billing = await cpo.roaming.billing.authorizeEmaid(EMAID, { stationId: 'CS-1', evseId: 1 }, {});
    expect(billing.status).toBe('Accepted');
    const tx = transaction({ authorizationReference: billing.authorizationReference! });
    await cpo.roaming.cdrSink.deliver(tx);
    await cpo.roaming.cdrSink.deliver(tx);
    expect(pnc.settlements).toEqual([{ cdrId: 'NL*CPO*CS-1-TX-1', authorizationReference: billing.authorizationReference, totalCostMinor: 1100, currency: 'EUR' }]);
    expect((await msp.store.cdrs.list())[0]).toMatchObject({ settlement: 'captured' });
  });

  it('is "not roaming" for the CPO’s own tokens and unknown providers, and a CdrDeliveryError when the MSP is down', async (ctx) => {
    const started = await setup(ctx);
    const cpo = started.cpo;
    await expect(cpo.roaming.cdrSink.deliver(transaction({ idToken: { idToken: '04A2B3C4', type: 'ISO14443' } }))).resolves.toMatchObject({ kind: 'not-roaming' });
    await expect(cpo.roaming.cdrSink.deliver(transaction({ idToken: { idToken: `FR-XYZ-C00000001-${computeCheckDigit('FRXYZC00000001')}`, type: 'eMAID' } }))).resolves.toMatchObject({ kind: 'not-roaming' });
    await expect(cpo.roaming.cdrSink.deliver(transaction({ idToken: { idToken: 'not an emaid', type: 'eMAID' } }))).resolves.toMatchObject({ kind: 'not-roaming' });
    await started.msp.close();
    msp = undefined;
    const e = await cpo.roaming.cdrSink.deliver(transaction()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CdrDeliveryError);
    expect((e as Error).message).toContain('DE*PNC');
  });
});
