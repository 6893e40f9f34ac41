// The CSMS admin API's roaming routes (mounted by the admin server, which authenticates the operator):
// POST /roaming/register {versionsUrl, token} — the OCPI registration with an eMSP (token = its CREDENTIALS_TOKEN_A);
// GET /roaming/emsps — the registered eMSPs (no tokens shown).
import type { FastifyInstance } from 'fastify';
import type { EmspPeer } from './emspPeer.js';
import { registerEmsp, type RegisterEmspDeps } from './registerEmsp.js';
import { RoamingError } from './roamingError.js';

export interface RegisteredEmspView {
  readonly id: number;
  readonly name: string;
  readonly version: string;
  readonly versionsUrl: string;
  readonly parties: readonly string[];
  readonly modules: readonly string[];
  readonly registeredAt: string;
}

export function emspView(peer: EmspPeer): RegisteredEmspView {
  return {
    id: peer.id,
    name: peer.name,
    version: peer.version,
    versionsUrl: peer.versionsUrl,
    parties: peer.parties.map((p) => `${p.countryCode}*${p.partyId}`),
    modules: peer.endpoints.map((e) => `${e.identifier}:${e.role}`),
    registeredAt: peer.registeredAt,
  };
}

const HTTP_STATUS: Record<RoamingError['code'], number> = {
  'invalid-input': 400,
  'not-found': 404,
  unreachable: 502,
  refused: 502,
  'no-mutual-version': 502,
  'missing-endpoints': 502,
};

/** Adds the routes to `app` (the admin server: `routes: [(app) => roamingAdminRoutes(app, deps)]`). */
export function roamingAdminRoutes(app: FastifyInstance, deps: RegisterEmspDeps): void {
  app.post('/roaming/register', async (req, reply) => {
    const body = req.body as { versionsUrl?: unknown; token?: unknown; tokenA?: unknown } | null | undefined;
    const versionsUrl = body?.versionsUrl;
    const token = body?.token ?? body?.tokenA;
    if (typeof versionsUrl !== 'string' || typeof token !== 'string') {
      return reply.status(400).send({ error: 'invalid-input', message: 'body: {"versionsUrl": string, "token": string}' });
    }
    try {
      const peer = await registerEmsp(deps, { versionsUrl, tokenA: token });
      return reply.status(200).send({ registered: emspView(peer) });
    } catch (e) {
      if (e instanceof RoamingError) return reply.status(HTTP_STATUS[e.code]).send({ error: e.code, message: e.message });
      throw e;
    }
  });

  app.get('/roaming/emsps', async () => ({ emsps: (await deps.registry.listPeers()).map(emspView) }));
}
