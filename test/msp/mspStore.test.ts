// The MSP store on SQLite and PostgreSQL: accounts and eMAIDs (any spelling finds the account, check digits must
// agree, duplicates refused), status changes, the token page, single-use registration tokens under concurrency,
// re-registration of a party, CDRs stored exactly once under concurrent delivery, PnC Direct authorizations.
import { describe, expect, it } from 'vitest';
import { MspStoreError } from '../../src/msp/store/mspStoreError.js';
import { openMspStore } from '../../src/msp/store/mspStore.js';
import type { PeerRegistration } from '../../src/msp/store/peerStore.js';
import { computeCheckDigit } from '../../src/pki/emaid/emaid.js';
import { useDatabaseTargets } from '../helpers/databaseTargets.js';

const targets = useDatabaseTargets();
const digit = computeCheckDigit('DEPNCC12345678');
const wrong = digit === '0' ? '1' : '0';

const registration: PeerRegistration = {
  countryCode: 'NL',
  partyId: 'CPO',
  name: 'CPO',
  roles: [{ role: 'CPO', party_id: 'CPO', country_code: 'NL', business_details: { name: 'CPO' } }],
  version: '2.3.0',
  versionsUrl: 'http://127.0.0.1:1/ocpi/versions',
  endpoints: [{ identifier: 'credentials', role: 'SENDER', url: 'http://127.0.0.1:1/ocpi/2.3.0/credentials' }],
  tokenB: 'token-b',
};

describe.each(targets)('MSP store ($dialect)', (target) => {
  it('keeps accounts with several eMAIDs, found in any spelling; check digits must agree', async (ctx) => {
    const store = await openMspStore(await target.newUrl(ctx));
    try {
      const a = await store.accounts.add({ emaids: [`DE-PNC-C12345678-${digit}`, 'de-pnc-c00000099'], whitelist: 'ALLOWED_OFFLINE' });
      expect(a).toMatchObject({ status: 'active', whitelist: 'ALLOWED_OFFLINE', emaids: [`DEPNCC12345678${digit}`, 'DEPNCC00000099'] });
      for (const s of [`DEPNCC12345678${digit}`, 'DEPNCC12345678', `de-pnc-c12345678-${digit.toLowerCase()}`, 'DE-PNC-C00000099', `DEPNCC00000099${computeCheckDigit('DEPNCC00000099')}`]) {
        expect((await store.accounts.findByEmaid(s))?.account.id, s).toBe(a.id);
      }
      expect(await store.accounts.findByEmaid(`DEPNCC12345678${wrong}`)).toBeUndefined();
      expect(await store.accounts.findByEmaid('not-an-emaid')).toBeUndefined();
      await expect(store.accounts.add({ emaids: ['DEPNCC12345678'] })).rejects.toMatchObject({ name: 'MspStoreError', code: 'duplicate-emaid' });
      await expect(store.accounts.add({ emaids: ['12345'] })).rejects.toMatchObject({ code: 'invalid-emaid' });
      await expect(store.accounts.add({ emaids: [] })).rejects.toBeInstanceOf(MspStoreError);
      await expect(store.accounts.add({ emaids: ['DEPNCC00000001'], paymentToken: 'has space' })).rejects.toMatchObject({ code: 'invalid-argument' });

      const suspended = await store.accounts.setStatus('DE-PNC-C00000099', 'suspended');
      expect(suspended).toMatchObject({ id: a.id, status: 'suspended' });
      expect((await store.accounts.findByEmaid('DEPNCC12345678'))?.account.status).toBe('suspended');
      await expect(store.accounts.setStatus('DEPNCC99999999', 'cancelled')).rejects.toMatchObject({ code: 'not-found' });

      const direct = await store.accounts.add({ emaids: ['DEPNCC00000001'], paymentToken: 'card-ok' });
      expect(direct.paymentToken).toBe('card-ok');
      expect(await store.accounts.list()).toHaveLength(2);
      expect(await store.accounts.list({ emaid: 'DE-PNC-C00000001' })).toEqual([direct]);
      expect(await store.accounts.list({ emaid: 'DEPNCC77777777' })).toEqual([]);

      const page = await store.accounts.tokenPage({ offset: 1, limit: 1 });
      expect(page.total).toBe(3);
      expect(page.items.map((i) => i.emaid)).toEqual(['DEPNCC00000099']);
    } finally {
      await store.close();
    }
  });

  it('spends a registration token exactly once, even when two registrations race', async (ctx) => {
    const store = await openMspStore(await target.newUrl(ctx));
    try {
      const tokenA = await store.peers.issueRegistrationToken('race');
      expect(await store.peers.isUnusedRegistrationToken(tokenA)).toBe(true);
      const outcomes = await Promise.all(Array.from({ length: 6 }, () => store.peers.completeRegistration(tokenA, registration)));
      expect(outcomes.filter((o) => o.kind === 'registered')).toHaveLength(1);
      expect(await store.peers.isUnusedRegistrationToken(tokenA)).toBe(false);
      const registered = outcomes.find((o) => o.kind === 'registered');
      if (registered?.kind !== 'registered') throw new Error('no registration');
      expect(await store.peers.findByToken(registered.tokenC)).toMatchObject({ countryCode: 'NL', partyId: 'CPO', tokenB: 'token-b' });
      expect(await store.peers.findByToken(tokenA)).toBeUndefined();

      // The same party registering again (new token A) replaces the old registration and its token C.
      const again = await store.peers.completeRegistration(await store.peers.issueRegistrationToken('again'), { ...registration, tokenB: 'token-b2' });
      expect(again.kind).toBe('registered');
      expect(await store.peers.findByToken(registered.tokenC)).toBeUndefined();
      expect(await store.peers.list()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('stores a CDR exactly once under concurrent delivery, and keeps PnC Direct authorizations', async (ctx) => {
    const store = await openMspStore(await target.newUrl(ctx));
    try {
      const cdr = { countryCode: 'NL', partyId: 'CPO', cdrId: 'cdr-7', peerId: 1, version: '2.3.0', totalCost: 12.5, currency: 'EUR', body: '{}', authorizationReference: 'ref-7' };
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.cdrs.insertOnce({ ...cdr, cdrId: i % 2 ? 'CDR-7' : 'cdr-7' })));
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      expect(new Set(results.map((r) => r.cdr.id)).size).toBe(1);
      expect(await store.cdrs.list()).toHaveLength(1);
      const id = results[0]!.cdr.id;
      await store.cdrs.setSettlement(id, 'captured', '1250 EUR');
      expect(await store.cdrs.get(id)).toMatchObject({ settlement: 'captured', settlementDetail: '1250 EUR', totalCost: 12.5, authorizationReference: 'ref-7' });

      await store.cdrs.recordAuthorization({ reference: 'ref-7', accountId: 3, peerId: 1, emaid: 'DEPNCC00000001', amountMinor: 5000, currency: 'EUR' });
      expect(await store.cdrs.findAuthorization('ref-7')).toMatchObject({ accountId: 3, amountMinor: 5000 });
      expect(await store.cdrs.findAuthorization('nope')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
