// Versions module: the versions we speak (2.2.1 and 2.3.0) and, per version, our endpoints: credentials, tokens
// (SENDER: we own the tokens, the CPO asks us) and cdrs (RECEIVER: the CPO pushes CDRs to us).
import type { FastifyInstance } from 'fastify';
import { OcpiStatus } from '../../ocpi/ocpiStatus.js';
import type { OcpiEndpoint, OcpiVersion, OcpiVersionDetails } from '../../ocpi/ocpiTypes.js';
import { moduleUrl, requireCaller, type MspOcpiContext } from './mspOcpiContext.js';
import { sendOcpi } from './ocpiReply.js';

export function registerVersionsRoutes(app: FastifyInstance, ctx: MspOcpiContext): void {
  app.get('/ocpi/versions', async (req, reply) => {
    await requireCaller(ctx, req);
    const data: OcpiVersion[] = ctx.versions.map((version) => ({ version, url: `${ctx.baseUrl()}/ocpi/${version}` }));
    return sendOcpi(reply, 200, OcpiStatus.success, data);
  });
  for (const version of ctx.versions) {
    app.get(`/ocpi/${version}`, async (req, reply) => {
      await requireCaller(ctx, req);
      const endpoints: OcpiEndpoint[] = [
        // 2.3.0 advises SENDER for one's own credentials endpoint (the role is not relevant for this module).
        { identifier: 'credentials', role: 'SENDER', url: moduleUrl(ctx, version, 'credentials') },
        { identifier: 'tokens', role: 'SENDER', url: moduleUrl(ctx, version, 'tokens') },
        { identifier: 'cdrs', role: 'RECEIVER', url: moduleUrl(ctx, version, 'cdrs') },
      ];
      const data: OcpiVersionDetails = { version, endpoints };
      return sendOcpi(reply, 200, OcpiStatus.success, data);
    });
  }
}
