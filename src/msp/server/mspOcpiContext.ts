// What the MSP's OCPI route modules share: the store, who we are, the tracer, PnC Direct, and the caller check.
import type { FastifyRequest } from 'fastify';
import type { OcpiClient } from '../../ocpi/ocpiClient.js';
import { OcpiStatus } from '../../ocpi/ocpiStatus.js';
import type { OcpiVersionNumber } from '../../ocpi/ocpiTypes.js';
import type { Tracer } from '../../trace/tracer.js';
import { maskEmaid } from '../../pki/emaid/maskEmaid.js';
import type { MspParty } from '../mspTokenObject.js';
import type { PncDirect } from '../payment/paymentProcessor.js';
import type { MspStore } from '../store/mspStore.js';
import type { MspPeer } from '../store/peerStore.js';
import { OcpiReplyError } from './ocpiReply.js';
import type { OcpiCaller, PeerAuthenticator } from './peerAuthentication.js';

export interface MspOcpiContext {
  readonly store: MspStore;
  readonly party: MspParty;
  readonly tracer: Tracer;
  readonly pncDirect: PncDirect | undefined;
  /** For the GETs of the credentials handshake. */
  readonly client: OcpiClient;
  readonly versions: readonly OcpiVersionNumber[];
  readonly auth: PeerAuthenticator;
  /** Tokens per page at most. */
  readonly maxPageSize: number;
  /** Public base URL (scheme://host:port[/prefix]) without a trailing '/'. */
  baseUrl(): string;
}

export function versionsUrl(ctx: MspOcpiContext): string {
  return `${ctx.baseUrl()}/ocpi/versions`;
}

export function moduleUrl(ctx: MspOcpiContext, version: OcpiVersionNumber, module: string): string {
  return `${ctx.baseUrl()}/ocpi/${version}/${module}`;
}

/** X-Correlation-ID as the trace session (the CSMS sends its session id), when it is a sane printable string. */
export function correlation(req: FastifyRequest): string | undefined {
  const v = req.headers['x-correlation-id'];
  return typeof v === 'string' && /^[\x21-\x7e]{1,128}$/.test(v) ? v : undefined;
}

/** Method and path for a trace line: the token uid in a tokens path is masked (it is an eMAID), length bounded. */
export function tracePath(req: FastifyRequest): string {
  const path = req.url.slice(0, 200).replace(/(\/tokens\/)([^/?]+)/, (_m, prefix: string, uid: string) => `${prefix}${maskEmaid(safeDecode(uid))}`);
  return `${req.method} ${path}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The caller, or HTTP 401 (transport_and_format: unknown or missing credentials token). */
export async function requireCaller(ctx: MspOcpiContext, req: FastifyRequest): Promise<OcpiCaller> {
  const caller = await ctx.auth.identify(req.headers.authorization);
  if (!caller) {
    ctx.tracer.emit({ kind: 'error', party: 'msp', error: 'OCPI unauthorized', detail: `${tracePath(req)}: missing or unknown credentials token` });
    throw new OcpiReplyError(401, OcpiStatus.clientError, 'missing or unknown credentials token', { 'www-authenticate': 'Token' });
  }
  return caller;
}

/** A registered peer (token C): anything else is 401, or 405 for a caller that is still registering (token A). */
export async function requirePeer(ctx: MspOcpiContext, req: FastifyRequest, registeringStatus = 401): Promise<{ peer: MspPeer; token: string }> {
  const caller = await requireCaller(ctx, req);
  if (caller.kind !== 'peer') {
    throw new OcpiReplyError(registeringStatus, OcpiStatus.clientError, registeringStatus === 405 ? 'not registered yet: POST the credentials first' : 'this module needs a registered credentials token');
  }
  return caller;
}
