// Credentials module, receiver side of the registration (credentials.asciidoc):
// POST with an unused token A: GET the CPO's versions and version details with its token B (for the version of the
// endpoint that was called), store the CPO with a fresh token C, answer our credentials carrying C; token A is
// spent. PUT with token C: the same with new data and a new C. DELETE: unregister. GET: our credentials.
// POST by a registered caller and PUT/DELETE by an unregistered one are HTTP 405, as the module demands.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OcpiError } from '../../ocpi/ocpiError.js';
import { OcpiFormatError } from '../../ocpi/ocpiFormatError.js';
import { parseCredentials } from '../../ocpi/ocpiParsers.js';
import { OcpiStatus } from '../../ocpi/ocpiStatus.js';
import type { Credentials, CredentialsRole, OcpiVersionNumber } from '../../ocpi/ocpiTypes.js';
import type { PeerRegistration } from '../store/peerStore.js';
import { requireCaller, requirePeer, versionsUrl, type MspOcpiContext } from './mspOcpiContext.js';
import { OcpiReplyError, sendOcpi } from './ocpiReply.js';

export function registerCredentialsRoutes(app: FastifyInstance, ctx: MspOcpiContext): void {
  for (const version of ctx.versions) {
    const path = `/ocpi/${version}/credentials`;

    app.get(path, async (req, reply) => {
      const { token } = await requirePeer(ctx, req, 405);
      return sendOcpi(reply, 200, OcpiStatus.success, ourCredentials(ctx, token));
    });

    app.post(path, async (req, reply) => {
      const caller = await requireCaller(ctx, req);
      if (caller.kind === 'peer') throw new OcpiReplyError(405, OcpiStatus.clientError, 'already registered: use PUT to update or DELETE to unregister');
      const credentials = readCredentials(req);
      const registration = await fetchPlatform(ctx, credentials, version);
      const outcome = await ctx.store.peers.completeRegistration(caller.token, registration);
      if (outcome.kind === 'token-used') throw new OcpiReplyError(401, OcpiStatus.clientError, 'the registration token was used meanwhile');
      ctx.auth.invalidate();
      ctx.tracer.emit({
        kind: 'verdict',
        party: 'msp',
        verdict: 'registered',
        detail: `CPO ${registration.countryCode}*${registration.partyId} (${registration.name}) registered over OCPI ${version}`,
      });
      return sendOcpi(reply, 200, OcpiStatus.success, ourCredentials(ctx, outcome.tokenC));
    });

    app.put(path, async (req, reply) => {
      const { peer } = await requirePeer(ctx, req, 405);
      const credentials = readCredentials(req);
      const registration = await fetchPlatform(ctx, credentials, version);
      if (registration.countryCode !== peer.countryCode || registration.partyId !== peer.partyId) {
        throw new OcpiReplyError(200, OcpiStatus.invalidParameters, `a PUT cannot change the party (${peer.countryCode}*${peer.partyId})`);
      }
      const updated = await ctx.store.peers.update(peer.id, registration);
      ctx.auth.invalidate();
      if (!updated) throw new OcpiReplyError(405, OcpiStatus.clientError, 'not registered');
      ctx.tracer.emit({ kind: 'verdict', party: 'msp', verdict: 'credentials updated', detail: `CPO ${peer.countryCode}*${peer.partyId} now on OCPI ${version}` });
      return sendOcpi(reply, 200, OcpiStatus.success, ourCredentials(ctx, updated.tokenC));
    });

    app.delete(path, async (req, reply) => {
      const { peer } = await requirePeer(ctx, req, 405);
      await ctx.store.peers.remove(peer.id);
      ctx.auth.invalidate();
      ctx.tracer.emit({ kind: 'verdict', party: 'msp', verdict: 'unregistered', detail: `CPO ${peer.countryCode}*${peer.partyId}` });
      return sendOcpi(reply, 200, OcpiStatus.success);
    });
  }
}

function ourCredentials(ctx: MspOcpiContext, token: string): Credentials {
  const business = { name: ctx.party.name, ...(ctx.party.website !== undefined ? { website: ctx.party.website } : {}) };
  const role: CredentialsRole = { role: 'EMSP', business_details: business, party_id: ctx.party.partyId, country_code: ctx.party.countryCode };
  return { token, url: versionsUrl(ctx), roles: [role] };
}

function readCredentials(req: FastifyRequest): Credentials {
  try {
    return parseCredentials(req.body, 'body');
  } catch (e) {
    if (e instanceof OcpiFormatError) throw new OcpiReplyError(200, OcpiStatus.invalidParameters, e.message);
    throw e;
  }
}

/**
 * The CPO's platform as its token B shows it: versions, then the details of `version` — the version of the endpoint
 * it POSTed to (a POST registers for that endpoint's version). Failures are OCPI 3001/3002 in the answer.
 */
async function fetchPlatform(ctx: MspOcpiContext, credentials: Credentials, version: OcpiVersionNumber): Promise<PeerRegistration> {
  const cpo = credentials.roles.find((r) => r.role === 'CPO');
  if (!cpo) throw new OcpiReplyError(200, OcpiStatus.invalidParameters, 'body.roles: no CPO role (this platform is an eMSP and registers CPOs)');
  let versionsList;
  try {
    versionsList = await ctx.client.getVersions(credentials.url, credentials.token);
  } catch (e) {
    if (e instanceof OcpiError) throw unableToUse(ctx, 'versions', e);
    throw e;
  }
  const match = versionsList.find((v) => v.version === version);
  if (!match) throw new OcpiReplyError(200, OcpiStatus.unsupportedVersion, `the CPO does not list OCPI ${version} at ${credentials.url}`);
  let details;
  try {
    details = await ctx.client.getVersionDetails(match.url, credentials.token);
  } catch (e) {
    if (e instanceof OcpiError) throw unableToUse(ctx, 'version details', e);
    throw e;
  }
  if (details.version !== version) throw new OcpiReplyError(200, OcpiStatus.unableToUseClientApi, `the CPO's ${version} details say version ${details.version}`);
  return {
    countryCode: cpo.country_code,
    partyId: cpo.party_id,
    name: cpo.business_details.name,
    roles: credentials.roles,
    version,
    versionsUrl: credentials.url,
    endpoints: details.endpoints,
    tokenB: credentials.token,
  };
}

function unableToUse(ctx: MspOcpiContext, what: string, e: OcpiError): OcpiReplyError {
  ctx.tracer.emit({ kind: 'error', party: 'msp', error: 'OCPI registration', detail: `GET of the CPO's ${what} failed: ${e.message}` });
  return new OcpiReplyError(200, OcpiStatus.unableToUseClientApi, `cannot use the CPO's API (${what}): ${e.code}: ${e.message.slice(0, 300)}`);
}
