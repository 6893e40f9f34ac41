// The loopback setup the trust scenarios run on: a fresh test PKI in a temporary directory whose AIA points at a real
// OCSP responder (HTTP on 127.0.0.1) serving that PKI's CA database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { initPki, PkiDirectory } from '../pki/generator/pkiDirectory.js';
import { OcspResponderCore, type OcspAnswer } from '../pki/ocsp/ocspResponderCore.js';
import { CaDatabaseStatus } from '../ocsp/caDatabaseStatus.js';
import { authoritiesFromPki } from '../ocsp/pkiAuthorities.js';
import { createOcspServer } from '../ocsp/ocspServer.js';
import type { Tracer } from '../trace/tracer.js';

export interface TrustTestbed {
  readonly dir: string;
  readonly pki: PkiDirectory;
  readonly passphrase: string;
  readonly ocspUrl: string;
  close(): Promise<void>;
}

export async function startTrustTestbed(options: { tracer: Tracer; passphrase: string; dir?: string }): Promise<TrustTestbed> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'pnc-demo-'));
  // The responder listens first (port 0), the PKI is then issued with its real URL in every AIA.
  let core: OcspResponderCore | undefined;
  const app: FastifyInstance = createOcspServer({
    core: { respond: (req: Buffer): OcspAnswer => core!.respond(req) },
    tracer: options.tracer,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const ocspUrl = `${address}/ocsp`;
  try {
    initPki(dir, { protocol: 'both', ocspUrl, passphrase: options.passphrase, force: true });
    const pki = PkiDirectory.open(dir);
    const statuses = new CaDatabaseStatus(pki.databasePath);
    core = new OcspResponderCore({ authorities: authoritiesFromPki(pki, options.passphrase), statuses });
    return {
      dir,
      pki,
      passphrase: options.passphrase,
      ocspUrl,
      close: async () => {
        await app.close();
        statuses.close();
        if (!options.dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await app.close();
    throw e;
  }
}
