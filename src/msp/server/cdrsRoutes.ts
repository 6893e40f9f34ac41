// CDRs module, eMSP (RECEIVER) interface: POST stores a CDR once per (country_code, party_id, id) — a repeat is
// answered success and not stored again — and answers its Location; GET on that Location returns it to the CPO
// that sent it. A CDR whose authorization_reference names a PnC Direct pre-authorization of this CPO is then settled
// (capture of the CDR's total); a settlement that failed is retried when the CPO sends the CDR again, and by
// retryFailedSettlements (msp serve runs it every minute).
import type { FastifyInstance } from 'fastify';
import { OcpiFormatError } from '../../ocpi/ocpiFormatError.js';
import { parseCdr } from '../../ocpi/ocpiParsers.js';
import { OcpiStatus } from '../../ocpi/ocpiStatus.js';
import { priceTotal, type Cdr, type OcpiVersionNumber } from '../../ocpi/ocpiTypes.js';
import { toMinorUnits } from '../currencyMinorUnits.js';
import type { StoredCdr } from '../store/cdrStore.js';
import { correlation, moduleUrl, requirePeer, type MspOcpiContext } from './mspOcpiContext.js';
import { OcpiReplyError, sendOcpi } from './ocpiReply.js';

export function registerCdrsRoutes(app: FastifyInstance, ctx: MspOcpiContext): void {
  for (const version of ctx.versions) {
    app.post(`/ocpi/${version}/cdrs`, async (req, reply) => {
      const { peer } = await requirePeer(ctx, req);
      let cdr: Cdr;
      try {
        cdr = parseCdr(req.body, version, 'body');
      } catch (e) {
        if (e instanceof OcpiFormatError) throw new OcpiReplyError(200, OcpiStatus.invalidParameters, e.message);
        throw e;
      }
      // A CPO sends its own CDRs only: the owner must be one of the roles it registered with.
      if (!peer.roles.some((r) => r.role === 'CPO' && r.country_code === cdr.country_code && r.party_id === cdr.party_id)) {
        throw new OcpiReplyError(200, OcpiStatus.invalidParameters, `body.country_code/party_id: ${cdr.country_code}*${cdr.party_id} is not a CPO role of this platform`);
      }
      const { cdr: stored, inserted } = await ctx.store.cdrs.insertOnce({
        countryCode: cdr.country_code,
        partyId: cdr.party_id,
        cdrId: cdr.id,
        peerId: peer.id,
        version,
        ...(cdr.authorization_reference !== undefined ? { authorizationReference: cdr.authorization_reference } : {}),
        totalCost: priceTotal(cdr.total_cost),
        currency: cdr.currency,
        body: JSON.stringify(req.body),
      });
      const session = correlation(req);
      ctx.tracer.emit({
        kind: 'message',
        party: 'msp',
        ...(session ? { session } : {}),
        from: 'csms',
        to: 'msp',
        message: 'OCPI CDR',
        detail: `${cdr.country_code}*${cdr.party_id} CDR ${cdr.id}: ${stored.totalCost} ${stored.currency}${inserted ? '' : ' (repeat, already stored)'}`,
      });
      if (stored.settlement === undefined || stored.settlement === 'error') await settle(ctx, peer.id, stored, session);
      return sendOcpi(reply.header('location', cdrUrl(ctx, version, stored)), inserted ? 201 : 200, OcpiStatus.success);
    });

    app.get(`/ocpi/${version}/cdrs/:id`, async (req, reply) => {
      const { peer } = await requirePeer(ctx, req);
      const id = (req.params as { id: string }).id;
      const stored = /^\d{1,15}$/.test(id) ? await ctx.store.cdrs.get(Number(id)) : undefined;
      // Another CPO's CDR is as unknown as a missing one.
      if (!stored || stored.peerId !== peer.id) throw new OcpiReplyError(404, OcpiStatus.clientError, 'unknown CDR');
      return sendOcpi(reply, 200, OcpiStatus.success, JSON.parse(stored.body) as unknown);
    });
  }
}

function cdrUrl(ctx: MspOcpiContext, version: OcpiVersionNumber, stored: StoredCdr): string {
  return `${moduleUrl(ctx, version, 'cdrs')}/${stored.id}`;
}

/** Settles again the CDRs whose capture failed; returns how many were tried. */
export async function retryFailedSettlements(ctx: MspOcpiContext, limit = 100): Promise<number> {
  const failed = await ctx.store.cdrs.failedSettlements(limit);
  for (const stored of failed) await settle(ctx, stored.peerId, stored, undefined);
  return failed.length;
}

async function settle(ctx: MspOcpiContext, peerId: number, stored: StoredCdr, session: string | undefined): Promise<void> {
  const reference = stored.authorizationReference;
  const pre = reference !== undefined ? await ctx.store.cdrs.findAuthorization(reference) : undefined;
  if (reference === undefined || !pre) {
    await ctx.store.cdrs.setSettlement(stored.id, 'not-pnc-direct', 'no PnC Direct pre-authorization referenced');
    return;
  }
  const s = session ? { session } : {};
  if (pre.peerId !== peerId) {
    ctx.tracer.emit({ kind: 'error', party: 'msp', ...s, error: 'PnC Direct settlement refused', detail: `CDR ${stored.cdrId} references a pre-authorization given to another CPO` });
    await ctx.store.cdrs.setSettlement(stored.id, 'refused', 'pre-authorization belongs to another CPO');
    return;
  }
  if (!ctx.pncDirect) {
    ctx.tracer.emit({ kind: 'error', party: 'msp', ...s, error: 'PnC Direct settlement', detail: `CDR ${stored.cdrId}: no payment processor configured` });
    await ctx.store.cdrs.setSettlement(stored.id, 'error', 'no payment processor configured');
    return;
  }
  const totalCostMinor = toMinorUnits(stored.totalCost, stored.currency);
  try {
    const result = await ctx.pncDirect.settle({ cdrId: `${stored.countryCode}*${stored.partyId}*${stored.cdrId}`, authorizationReference: reference, totalCostMinor, currency: stored.currency });
    const detail = result.status === 'captured' ? `${result.amountMinor} ${result.currency} (minor units) captured` : result.status === 'refused' ? result.reason : 'processor does not know the reference';
    await ctx.store.cdrs.setSettlement(stored.id, result.status, detail);
    ctx.tracer.emit({ kind: 'verdict', party: 'msp', ...s, verdict: `PnC Direct ${result.status}`, detail: `CDR ${stored.cdrId}: ${detail}` });
  } catch (e) {
    // Kept as 'error': the CDR stays stored and answered; the capture is retried when the CPO repeats the CDR.
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    await ctx.store.cdrs.setSettlement(stored.id, 'error', detail);
    ctx.tracer.emit({ kind: 'error', party: 'msp', ...s, error: 'PnC Direct settlement failed', detail: `CDR ${stored.cdrId}: ${detail}` });
  }
}
