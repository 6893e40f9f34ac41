// The issued-certificate log on SQLite and PostgreSQL: one row per CSR and station, even with concurrent claims;
// a redelivery is taken by exactly one caller; the record carries the certificate and the station's answer.
import { describe, expect, it } from 'vitest';
import { IssuedCertificateStore } from '../../../src/csms/certificates/issuedCertificateStore.js';
import { openDatabase } from '../../../src/store/index.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';

const targets = useDatabaseTargets();

const FIELDS = { suite: 'iso2', serialHex: '1f2e', fingerprint256: 'ab'.repeat(32), subject: 'C=DE, O=PNC CPO, CN=DE*PNC*E00001, DC=CPO', notBefore: Date.UTC(2026, 0, 1), notAfter: Date.UTC(2026, 2, 1), chainPem: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n' };

describe.each(targets)('IssuedCertificateStore on $dialect', (target) => {
  it('claim → issued → answered; the record says what happened', async (ctx) => {
    const store = await openDatabase<unknown>(await target.newUrl(ctx));
    try {
      const log = await IssuedCertificateStore.open(store);
      const claim = await log.claim('CS-1', 'V2GCertificate', 'c'.repeat(64));
      expect(claim.claimed).toBe(true);
      if (!claim.claimed) return;
      expect((await log.get(claim.id))?.state).toBe('signing');
      await log.recordIssued(claim.id, FIELDS);
      await log.recordAnswer(claim.id, 'Rejected', 'InvalidCertificate: DC');
      const r = await log.get(claim.id);
      expect(r).toMatchObject({ stationId: 'CS-1', certificateType: 'V2GCertificate', state: 'answered', stationStatus: 'Rejected', detail: 'InvalidCertificate: DC', suite: 'iso2', serialHex: '1f2e', chainPem: FIELDS.chainPem, notBefore: '2026-01-01T00:00:00.000Z' });
      expect(r?.issuedAt).toBeDefined();
      expect(r?.answeredAt).toBeDefined();
      // A second open runs no migration again and sees the row.
      const again = await IssuedCertificateStore.open(store);
      expect((await again.list({ stationId: 'CS-1' })).map((x) => x.id)).toEqual([claim.id]);
      expect(await again.list({ stationId: 'CS-2' })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('the same CSR twice, concurrently: one claim wins, the other sees its record; another station may use it', async (ctx) => {
    const store = await openDatabase<unknown>(await target.newUrl(ctx));
    try {
      const log = await IssuedCertificateStore.open(store);
      const results = await Promise.all(Array.from({ length: 8 }, () => log.claim('CS-1', 'V2GCertificate', 'd'.repeat(64))));
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      const winner = results.find((r) => r.claimed)!;
      for (const r of results) if (!r.claimed) expect(r.existing.id).toBe(winner.claimed ? winner.id : -1);
      expect((await log.claim('CS-2', 'V2GCertificate', 'd'.repeat(64))).claimed).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('a failed delivery is taken back for redelivery by exactly one caller; signing failures stay failed', async (ctx) => {
    const store = await openDatabase<unknown>(await target.newUrl(ctx));
    try {
      const log = await IssuedCertificateStore.open(store);
      const c = await log.claim('CS-1', 'V2GCertificate', 'e'.repeat(64));
      if (!c.claimed) throw new Error('not claimed');
      await log.recordIssued(c.id, FIELDS);
      await log.recordDeliveryFailed(c.id, 'Timeout: no answer');
      expect((await log.get(c.id))?.state).toBe('deliveryFailed');
      const takes = await Promise.all(Array.from({ length: 6 }, () => log.claimRedelivery(c.id)));
      expect(takes.filter(Boolean)).toHaveLength(1);
      expect((await log.get(c.id))?.state).toBe('issued');

      const f = await log.claim('CS-1', 'ChargingStationCertificate', 'f'.repeat(64));
      if (!f.claimed) throw new Error('not claimed');
      await log.recordSigningFailed(f.id, 'caNotValid: expired');
      // A late recordIssued for a failed signing changes nothing.
      await log.recordIssued(f.id, FIELDS);
      expect(await log.get(f.id)).toMatchObject({ state: 'signingFailed', detail: 'caNotValid: expired' });
      expect(await log.claimRedelivery(f.id)).toBe(false);
      expect((await log.list()).map((r) => r.id)).toEqual([f.id, c.id]);
      const long = await log.claim('CS-1', 'V2GCertificate', '0'.repeat(64));
      if (!long.claimed) throw new Error('not claimed');
      await log.recordSigningFailed(long.id, 'x'.repeat(10_000));
      expect((await log.get(long.id))?.detail?.length).toBe(2000);
    } finally {
      await store.close();
    }
  });
});
