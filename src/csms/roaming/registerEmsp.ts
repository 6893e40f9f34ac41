// The OCPI registration with an eMSP, CPO side as the initiator (credentials.asciidoc, Registration):
// 1. GET the eMSP's versions with token A (given to our operator out of band), pick the highest version both speak;
// 2. GET that version's details; it must offer credentials and tokens (real-time authorization), cdrs if it takes CDRs;
// 3. create token B, let our OCPI endpoints accept it (the eMSP GETs our versions with it during the POST);
// 4. POST our credentials (token B) with token A; the answer holds the eMSP's credentials with token C;
// 5. GET the version details again with token C (proves C works; these endpoints are the ones kept);
// 6. store the platform and its eMSP parties; token A is never used again.
import type { OcpiClient } from '../../ocpi/ocpiClient.js';
import { OcpiError } from '../../ocpi/ocpiError.js';
import { newCredentialsToken } from '../../ocpi/ocpiAuthorization.js';
import { OCPI_VERSIONS, type OcpiVersionDetails, type OcpiVersionNumber } from '../../ocpi/ocpiTypes.js';
import { highestMutualVersion } from '../../ocpi/ocpiVersions.js';
import type { Tracer } from '../../trace/tracer.js';
import { cpoCredentials, type CpoParty } from './cpoParty.js';
import type { EmspDirectory } from './emspDirectory.js';
import { partyLabel, type EmspPeer } from './emspPeer.js';
import { RoamingError } from './roamingError.js';
import type { RoamingRegistry } from './roamingRegistry.js';

export interface RegisterEmspDeps {
  readonly registry: RoamingRegistry;
  readonly client: OcpiClient;
  /** Our versions endpoint (what the eMSP will call back); a function when it is known only once our server listens. */
  readonly ourVersionsUrl: string | (() => string);
  readonly cpo: CpoParty;
  /** Versions we are willing to use (default 2.2.1 and 2.3.0). */
  readonly versions?: readonly OcpiVersionNumber[];
  /** Told about the new peer, so cached views reload. */
  readonly directory?: EmspDirectory;
  readonly tracer?: Tracer;
  /** How long token B is accepted before the registration completes (default 10 minutes). */
  readonly pendingTokenTtlMs?: number;
}

export interface RegisterEmspRequest {
  readonly versionsUrl: string;
  readonly tokenA: string;
}

export async function registerEmsp(deps: RegisterEmspDeps, request: RegisterEmspRequest): Promise<EmspPeer> {
  checkInput(request);
  const ours = deps.versions ?? OCPI_VERSIONS;
  const versions = await step('GET versions', () => deps.client.getVersions(request.versionsUrl, request.tokenA));
  const chosen = highestMutualVersion(versions, ours);
  if (!chosen) {
    throw new RoamingError('no-mutual-version', `the eMSP lists ${versions.map((v) => v.version).join(', ') || 'no versions'}; we speak ${ours.join(', ')}`);
  }
  const details = await step('GET version details', () => deps.client.getVersionDetails(chosen.url, request.tokenA));
  const credentialsUrl = requiredEndpoints(details, chosen.version);

  const tokenB = newCredentialsToken();
  await deps.registry.addPendingToken(tokenB, deps.pendingTokenTtlMs ?? 10 * 60_000);
  try {
    const theirs = await step('POST credentials', () => deps.client.postCredentials(credentialsUrl, request.tokenA, cpoCredentials(deps.cpo, tokenB, typeof deps.ourVersionsUrl === 'string' ? deps.ourVersionsUrl : deps.ourVersionsUrl())));
    const parties = theirs.roles.filter((r) => r.role === 'EMSP').map((r) => ({ countryCode: r.country_code, partyId: r.party_id }));
    if (parties.length === 0) throw new RoamingError('missing-endpoints', 'the eMSP credentials list no EMSP role');
    const confirmed = await step('GET version details with token C', () => deps.client.getVersionDetails(chosen.url, theirs.token));
    requiredEndpoints(confirmed, chosen.version);
    const peer = await deps.registry.savePeer({
      name: theirs.roles.find((r) => r.role === 'EMSP')?.business_details.name ?? 'eMSP',
      version: chosen.version,
      versionsUrl: theirs.url,
      endpoints: confirmed.endpoints,
      roles: theirs.roles,
      tokenC: theirs.token,
      tokenB,
      parties,
    });
    deps.directory?.invalidate();
    deps.tracer?.emit({
      kind: 'verdict',
      party: 'csms',
      verdict: 'eMSP registered',
      detail: `${parties.map(partyLabel).join(', ')} (${peer.name}) over OCPI ${chosen.version}`,
    });
    return peer;
  } catch (e) {
    await deps.registry.removePendingToken(tokenB);
    throw e;
  }
}

function checkInput(r: RegisterEmspRequest): void {
  let url: URL;
  try {
    url = new URL(r.versionsUrl);
  } catch {
    throw new RoamingError('invalid-input', `"${String(r.versionsUrl).slice(0, 100)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RoamingError('invalid-input', 'the versions URL must be http(s)');
  if (typeof r.tokenA !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(r.tokenA)) throw new RoamingError('invalid-input', 'token A is 1–64 printable ASCII characters');
}

/** The credentials URL; throws unless credentials and tokens (SENDER) are offered. */
function requiredEndpoints(details: OcpiVersionDetails, version: OcpiVersionNumber): string {
  if (details.version !== version) throw new RoamingError('unreachable', `the ${version} details say version ${details.version}`);
  const credentials = details.endpoints.find((e) => e.identifier === 'credentials');
  if (!credentials) throw new RoamingError('missing-endpoints', 'the eMSP offers no credentials module');
  if (!details.endpoints.some((e) => e.identifier === 'tokens' && e.role === 'SENDER')) {
    throw new RoamingError('missing-endpoints', 'the eMSP offers no tokens module (SENDER): real-time authorization is impossible');
  }
  return credentials.url;
}

async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (!(e instanceof OcpiError)) throw e;
    const refused = e.code === 'unauthorized' || e.code === 'status' || (e.code === 'http' && e.httpStatus !== undefined && e.httpStatus < 500);
    throw new RoamingError(refused ? 'refused' : 'unreachable', `${what}: ${e.message}`, { cause: e });
  }
}
