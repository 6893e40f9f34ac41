// Shared OCSP test setup: responder authorities from the fixture PKI, an in-memory status source, signed responses built
// with the real encoders, temporary PKI directories, and small loopback HTTP servers that count what reaches them.
import { sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import type { SignatureAlgorithm } from '../../src/pki/certificate/certificate.js';
import { algorithmIdentifier, signatureAlgorithmForKey, signatureSpec } from '../../src/pki/certificate/signatureAlgorithms.js';
import { initPki, PkiDirectory } from '../../src/pki/generator/pkiDirectory.js';
import type { IssuedCertificate } from '../../src/pki/generator/testPki.js';
import { hashOf } from '../../src/pki/ocsp/certId.js';
import { encodeBasicResponse, encodeResponseData, encodeSingleResponse, type SingleResponseSpec, type SingleStatus } from '../../src/pki/ocsp/ocspMessages.js';
import type { OcspAnswer, OcspAuthority, StatusSource } from '../../src/pki/ocsp/ocspResponderCore.js';
import { createOcspServer } from '../../src/ocsp/ocspServer.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { cert } from './fixtures.js';
import { scratch } from './openssl.js';

/** Statuses kept in memory; every change bumps the version (as the CA database file does). */
export class MemoryStatus implements StatusSource {
  private readonly map = new Map<string, SingleStatus>();
  private generation = 0;
  lookups = 0;

  set(authorityId: string, serialHex: string, status: SingleStatus): this {
    this.map.set(`${authorityId}:${serialHex}`, status);
    this.generation++;
    return this;
  }

  status(authorityId: string, serialHex: string): SingleStatus {
    this.lookups++;
    return this.map.get(`${authorityId}:${serialHex}`) ?? { status: 'unknown' };
  }

  version(): number {
    return this.generation;
  }
}

/** The fixture CA `caId` with its delegated OCSP signer (`<caId>-ocsp`). */
export function fixtureAuthority(caId: string): OcspAuthority {
  const signer = cert(`${caId}-ocsp`);
  return { id: caId, ca: cert(caId).cert, signer: { cert: signer.cert, key: signer.key.privateKey } };
}

export interface ResponseSpec {
  /** Whose key signs; its SHA-1 key hash is the ResponderID unless `responderKeyHash` is given. */
  readonly signer: IssuedCertificate;
  readonly singles: readonly SingleResponseSpec[];
  readonly producedAt: number;
  readonly nonce?: Buffer;
  /** Certificates to embed (default: none). */
  readonly certs?: readonly Buffer[];
  readonly responderKeyHash?: Buffer;
  /** Replace the tbsResponseData after signing (tampering). */
  readonly swapTbs?: Buffer;
  /** Change the signature after signing. */
  readonly mangleSignature?: (sig: Buffer) => Buffer;
  /** Claim another signature algorithm than the one used. */
  readonly claimAlgorithm?: SignatureAlgorithm;
}

/** tbsResponseData of a spec (what gets signed). */
export function responseData(spec: ResponseSpec): Buffer {
  const keyHash = spec.responderKeyHash ?? hashOf('SHA1', spec.signer.cert.publicKeyBits);
  return encodeResponseData(keyHash, spec.producedAt, spec.singles.map(encodeSingleResponse), spec.nonce);
}

/** A successful OCSPResponse built with the project's encoders and signed with node:crypto. */
export function signedResponse(spec: ResponseSpec): Buffer {
  const alg = signatureAlgorithmForKey(spec.signer.cert.publicKeyType);
  if (!alg) throw new Error(`no signature algorithm for ${spec.signer.cert.publicKeyType}`);
  const tbs = responseData(spec);
  let signature: Buffer = sign(signatureSpec(alg)!.digest, tbs, spec.signer.key.privateKey);
  if (spec.mangleSignature) signature = spec.mangleSignature(signature);
  return encodeBasicResponse(spec.swapTbs ?? tbs, algorithmIdentifier(spec.claimAlgorithm ?? alg), signature, spec.certs ?? []);
}

/** A PKI directory on disk (real clock unless `now`), removed by cleanup(). */
export function tempPki(options: { protocol?: 'iso2' | 'iso20' | 'both'; ocspUrl?: string; now?: number } = {}): {
  readonly dir: string;
  readonly pki: PkiDirectory;
  readonly passphrase: string;
  cleanup(): void;
} {
  const s = scratch('pnc-ocsp-pki-');
  const passphrase = 'ocsp-test-passphrase';
  initPki(s.dir, {
    protocol: options.protocol ?? 'both',
    passphrase,
    ...(options.ocspUrl ? { ocspUrl: options.ocspUrl } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  return { dir: s.dir, pki: PkiDirectory.open(s.dir), passphrase, cleanup: () => s.cleanup() };
}

export interface RunningOcspServer {
  readonly app: FastifyInstance;
  /** Base address, e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  /** Requests that reached the responder core. */
  readonly calls: () => number;
  /** HTTP method and URL of every request the server received, in order. */
  readonly seen: readonly { readonly method: string; readonly url: string }[];
  close(): Promise<void>;
}

/** createOcspServer on 127.0.0.1, port 0, counting the requests the core sees. */
export async function startOcspServer(core: { respond(request: Buffer): OcspAnswer }, maxRequestBytes?: number): Promise<RunningOcspServer> {
  let calls = 0;
  const app = createOcspServer({
    core: {
      respond: (req) => {
        calls++;
        return core.respond(req);
      },
    },
    tracer: silentTracer('ocsp'),
    ...(maxRequestBytes !== undefined ? { maxRequestBytes } : {}),
  });
  const seen: { method: string; url: string }[] = [];
  app.addHook('onRequest', (req, _reply, done) => {
    seen.push({ method: req.method, url: req.url });
    done();
  });
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, origin, calls: () => calls, seen, close: () => app.close() };
}

export interface RawServer {
  readonly origin: string;
  readonly requests: () => number;
  close(): Promise<void>;
}

/** A plain node:http server on 127.0.0.1, port 0; close() also drops connections the handler left hanging. */
export async function startRawServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RawServer> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP port that was free a moment ago (bound on all interfaces, as `openssl ocsp -port` binds). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once the child's stdout or stderr matched `pattern` (e.g. openssl's "ACCEPT [::]:PORT" line, printed after it
 * listens). Port probing is no option for `openssl ocsp -port`: an empty connection stalls its single-threaded loop.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const done = (err?: Error): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(seen);
    };
    const onData = (d: Buffer): void => {
      seen += d.toString();
      if (pattern.test(seen)) done();
    };
    const onExit = (code: number | null): void => done(new Error(`process exited (${code}) before printing ${pattern}: ${seen}`));
    const timer = setTimeout(() => done(new Error(`no ${pattern} within ${timeoutMs} ms: ${seen}`)), timeoutMs);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Ends a child process we started and waits for it to be gone. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Reads a whole request body (for raw servers). */
export function drain(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
