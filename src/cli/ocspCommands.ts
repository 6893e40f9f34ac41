// `pnc ocsp serve`: the RFC 6960 responder for every CA of a test PKI directory.
import { PkiDirectory } from '../pki/generator/pkiDirectory.js';
import { OcspResponderCore } from '../pki/ocsp/ocspResponderCore.js';
import { CaDatabaseStatus } from '../ocsp/caDatabaseStatus.js';
import { authoritiesFromPki } from '../ocsp/pkiAuthorities.js';
import { createOcspServer } from '../ocsp/ocspServer.js';
import { Tracer } from '../trace/tracer.js';
import { Exit, UsageError, type CliIo } from './io.js';
import { resolvePassphrase } from './passphrase.js';

export interface ServeArgs {
  dir: string;
  host?: string;
  port?: string;
  passphrase?: string;
  validity?: string;
  logLevel?: string;
}

export async function ocspServe(a: ServeArgs, io: CliIo, stop: Promise<void>): Promise<number> {
  const pki = PkiDirectory.open(a.dir);
  // Default port: the one the certificates' AIA points at, so that clients following the AIA find this responder.
  const aia = new URL(pki.manifest.ocspUrl);
  const port = a.port !== undefined ? Number(a.port) : Number(aia.port || (aia.protocol === 'https:' ? 443 : 80));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port expects 0–65535');
  const validityMs = a.validity !== undefined ? Number(a.validity) * 1000 : undefined;
  if (validityMs !== undefined && !(validityMs > 0)) throw new UsageError('--validity expects seconds');
  const level = a.logLevel ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(level)) throw new UsageError(`unknown --log-level ${level}`);
  const authorities = authoritiesFromPki(pki, resolvePassphrase(a.passphrase, io));
  // A response signed by an expired signer fails at every client: say so at start rather than per request.
  for (const x of authorities) {
    if (x.signer.cert.notAfter < Date.now()) io.err(`pnc: warning: the OCSP signer of ${x.id} expired ${new Date(x.signer.cert.notAfter).toISOString()}\n`);
  }
  const statuses = new CaDatabaseStatus(pki.databasePath);
  try {
    const core = new OcspResponderCore({ authorities, statuses, ...(validityMs ? { validityMs } : {}) });
    const app = createOcspServer({ core, tracer: new Tracer({ party: 'ocsp', level: level as 'info' }) });
    const address = await app.listen({ host: a.host ?? '127.0.0.1', port });
    io.out(`OCSP responder for ${authorities.length} CAs listening on ${address} (certificates point at ${pki.manifest.ocspUrl})\n`);
    await stop;
    await app.close();
  } finally {
    statuses.close();
  }
  return Exit.ok;
}
