// Tokens module, eMSP (SENDER) interface: the paginated token list, and real-time authorization
// POST {tokens}/{uid}/authorize?type=… (mod_tokens). eMAIDs are found in any spelling (see emaidKey); a 2.2.1 CPO
// asks with type OTHER (2.2.1 has no EMAID type), a 2.3.0 CPO with EMAID — both are accepted for eMAIDs. An unknown
// token is HTTP 404 with status 2004.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OcpiFormatError } from '../../ocpi/ocpiFormatError.js';
import { linkHeader } from '../../ocpi/ocpiPagination.js';
import { checkDateTime } from '../../ocpi/ocpiFields.js';
import { parseLocationReferences } from '../../ocpi/ocpiParsers.js';
import { OcpiStatus } from '../../ocpi/ocpiStatus.js';
import { tokenTypesOf, type AuthorizationInfo, type LocationReferences, type OcpiVersionNumber, type TokenType } from '../../ocpi/ocpiTypes.js';
import { decideAuthorization } from '../authorizationDecision.js';
import { maskEmaid } from '../../pki/emaid/maskEmaid.js';
import { emaidTokenType, tokenObject } from '../mspTokenObject.js';
import type { PncDirectAuthorization } from '../payment/paymentProcessor.js';
import type { EmaidAccount } from '../store/accountStore.js';
import type { MspPeer } from '../store/peerStore.js';
import { correlation, moduleUrl, requirePeer, type MspOcpiContext } from './mspOcpiContext.js';
import { OcpiReplyError, sendOcpi } from './ocpiReply.js';

/** Token types under which the MSP's eMAIDs are known. */
const EMAID_TYPES: readonly TokenType[] = ['EMAID', 'OTHER'];

export function registerTokensRoutes(app: FastifyInstance, ctx: MspOcpiContext): void {
  for (const version of ctx.versions) {
    app.get(`/ocpi/${version}/tokens`, async (req, reply) => {
      await requirePeer(ctx, req);
      const q = readPageQuery(req, ctx.maxPageSize);
      const page = await ctx.store.accounts.tokenPage(q);
      const type = emaidTokenType(version);
      const data = page.items.map((item) => tokenObject(ctx.party, item.account, item.emaid, type));
      void reply.header('x-total-count', String(page.total)).header('x-limit', String(ctx.maxPageSize));
      if (q.offset + page.items.length < page.total) {
        const next = new URL(moduleUrl(ctx, version, 'tokens'));
        if (q.rawDateFrom !== undefined) next.searchParams.set('date_from', q.rawDateFrom);
        if (q.rawDateTo !== undefined) next.searchParams.set('date_to', q.rawDateTo);
        next.searchParams.set('offset', String(q.offset + page.items.length));
        next.searchParams.set('limit', String(q.limit));
        void reply.header('link', linkHeader(next.toString()));
      }
      return sendOcpi(reply, 200, OcpiStatus.success, data);
    });

    app.post(`/ocpi/${version}/tokens/:uid/authorize`, async (req, reply) => {
      const started = performance.now();
      const { peer } = await requirePeer(ctx, req);
      const uid = (req.params as { uid: string }).uid;
      if (uid.length === 0 || uid.length > 36 || !/^[\x20-\x7e]+$/.test(uid)) throw new OcpiReplyError(200, OcpiStatus.invalidParameters, 'token uid: 1–36 printable ASCII characters (CiString(36))');
      const type = readTokenType(req, version);
      const location = readLocation(req);
      const session = correlation(req);
      ctx.tracer.emit({
        kind: 'message',
        party: 'msp',
        ...(session ? { session } : {}),
        from: 'csms',
        to: 'msp',
        message: 'OCPI authorize',
        detail: `${maskEmaid(uid)} type ${type} from CPO ${peer.countryCode}*${peer.partyId} (OCPI ${version})`,
      });
      const found = EMAID_TYPES.includes(type) ? await ctx.store.accounts.findByEmaid(uid) : undefined;
      const info = found ? await answer(ctx, peer, found, type, location) : undefined;
      const ms = performance.now() - started;
      if (!info) {
        ctx.tracer.emit({ kind: 'verdict', party: 'msp', ...(session ? { session } : {}), verdict: 'unknown token', detail: `${maskEmaid(uid)} type ${type}: 2004`, ms });
        throw new OcpiReplyError(404, OcpiStatus.unknownToken, 'unknown token');
      }
      ctx.tracer.emit({ kind: 'verdict', party: 'msp', ...(session ? { session } : {}), verdict: info.allowed, detail: `${maskEmaid(uid)}: ${info.reason}`, ms });
      return sendOcpi(reply, 200, OcpiStatus.success, info.body);
    });
  }
}

async function answer(
  ctx: MspOcpiContext,
  peer: MspPeer,
  found: EmaidAccount,
  type: TokenType,
  location: LocationReferences | undefined,
): Promise<{ allowed: AuthorizationInfo['allowed']; reason: string; body: AuthorizationInfo }> {
  let decision = decideAuthorization(found.account);
  let reference: string | undefined;
  if (decision.kind === 'pre-authorize') {
    reference = randomUUID();
    const result = await preauthorize(ctx, found, reference);
    decision = decideAuthorization(found.account, result);
    if (result !== 'not-configured' && result.allowed === 'ALLOWED') {
      await ctx.store.cdrs.recordAuthorization({ reference, accountId: found.account.id, peerId: peer.id, emaid: found.emaid, amountMinor: result.amountMinor, currency: result.currency });
    }
  }
  if (decision.kind !== 'answer') throw new Error(`authorization decision did not settle: ${decision.kind}`);
  const allowed = decision.allowed === 'ALLOWED';
  // Every ALLOWED answer carries a reference the CDR brings back; only PnC Direct ones are stored (they settle).
  if (allowed && reference === undefined) reference = randomUUID();
  const body: AuthorizationInfo = {
    allowed: decision.allowed,
    token: tokenObject(ctx.party, found.account, found.emaid, type),
    ...(allowed && location ? { location } : {}),
    ...(allowed && reference !== undefined ? { authorization_reference: reference } : {}),
  };
  return { allowed: decision.allowed, reason: decision.reason, body };
}

async function preauthorize(ctx: MspOcpiContext, found: EmaidAccount, reference: string): Promise<PncDirectAuthorization | 'not-configured'> {
  if (!ctx.pncDirect) return 'not-configured';
  try {
    return await ctx.pncDirect.authorize({ accountId: String(found.account.id), paymentToken: found.account.paymentToken ?? '' }, reference);
  } catch (e) {
    // The interface answers declines itself; a throw is a processor we could not use: no credit, and the trace says why.
    ctx.tracer.emit({ kind: 'error', party: 'msp', error: 'PnC Direct pre-authorization failed', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    return { allowed: 'NO_CREDIT', reason: 'processor-unavailable' };
  }
}

function readTokenType(req: FastifyRequest, version: OcpiVersionNumber): TokenType {
  const raw = (req.query as Record<string, unknown>).type;
  if (raw === undefined) return 'RFID'; // mod_tokens: type defaults to RFID
  const allowed = tokenTypesOf(version);
  if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) {
    throw new OcpiReplyError(200, OcpiStatus.invalidParameters, `type: expected one of ${allowed.join(', ')} (OCPI ${version})`);
  }
  return raw as TokenType;
}

function readLocation(req: FastifyRequest): LocationReferences | undefined {
  if (req.body === undefined || req.body === null) return undefined;
  try {
    return parseLocationReferences(req.body, 'body');
  } catch (e) {
    if (e instanceof OcpiFormatError) throw new OcpiReplyError(200, OcpiStatus.invalidParameters, e.message);
    throw e;
  }
}

interface PageQuery {
  readonly offset: number;
  readonly limit: number;
  readonly dateFrom?: string;
  readonly dateTo?: string;
  readonly rawDateFrom?: string;
  readonly rawDateTo?: string;
}

function readPageQuery(req: FastifyRequest, maxPageSize: number): PageQuery {
  const q = req.query as Record<string, unknown>;
  const int = (name: string, fallback: number, min: number): number => {
    const v = q[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !/^\d{1,9}$/.test(v) || Number(v) < min) throw new OcpiReplyError(200, OcpiStatus.invalidParameters, `${name}: expected an integer ≥ ${min}`);
    return Number(v);
  };
  const date = (name: string): { iso: string; raw: string } | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    try {
      const raw = checkDateTime(v, name);
      return { iso: new Date(raw.endsWith('Z') || raw.endsWith('+00:00') ? raw : `${raw}Z`).toISOString(), raw };
    } catch (e) {
      if (e instanceof OcpiFormatError) throw new OcpiReplyError(200, OcpiStatus.invalidParameters, e.message);
      throw e;
    }
  };
  const from = date('date_from');
  const to = date('date_to');
  return {
    offset: int('offset', 0, 0),
    // The server may return fewer than asked (X-Limit tells the client its cap).
    limit: Math.min(int('limit', maxPageSize, 1), maxPageSize),
    ...(from ? { dateFrom: from.iso, rawDateFrom: from.raw } : {}),
    ...(to ? { dateTo: to.iso, rawDateTo: to.raw } : {}),
  };
}
