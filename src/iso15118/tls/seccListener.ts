// The SECC's one TCP port for every EV: TLS 1.2 (-2), TLS 1.3 (-20, mutual) and — when allowed — plain TCP. The first
// bytes decide: a TLS record (0x16) is read up to the end of its ClientHello, the profile is chosen from it and the
// untouched bytes go to the node:tls server of that profile; a V2GTP header (0x01) is a plain session.
import { appendFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type PeerCertificate, type DetailedPeerCertificate, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { encodePem } from '../../pki/certificate/pem.js';
import { chainVerdict, type ChainVerdict } from '../../pki/verdict/chainVerdict.js';
import type { TrustStore } from '../../pki/verdict/trustStore.js';
import type { PlainConnection, TlsConnection } from './tlsConnection.js';
import { ClientHelloError, clientHelloBytesMissing, parseClientHello } from './clientHello.js';
import { serverProfileOptions, TLS_PROFILES, type TlsSuite } from './tlsProfile.js';
import { chooseTlsSuite } from './tlsSuiteChoice.js';

/** The SECC leaf's private key: encrypted PKCS#8 PEM and its passphrase (never decrypted into a string), or a key an
 *  OpenSSL engine holds (a PKCS#11 token: the key never leaves it). */
export type SeccKey =
  | { readonly keyPem: string; readonly passphrase: string }
  | { readonly engineKey: { readonly privateKeyEngine: string; readonly privateKeyIdentifier: string } };

export type SeccCredential = SeccKey & {
  readonly suite: TlsSuite;
  /** SECC leaf then its sub-CAs (CPO Sub-CA 2, Sub-CA 1), DER. */
  readonly chain: readonly Buffer[];
};

export type SeccConnection =
  | (PlainConnection & { readonly remote: string })
  | (TlsConnection & {
      readonly remote: string;
      /** -20: the verdict on the vehicle certificate chain the EV presented. */
      readonly vehicle?: ChainVerdict;
      readonly handshakeMs: number;
    });

export type SeccRejection = {
  readonly remote: string;
  readonly stage: 'preamble' | 'handshake' | 'vehicle-certificate';
  readonly reason: string;
};

export interface SeccListenerOptions {
  readonly credentials: readonly SeccCredential[];
  /** Roots a -20 vehicle certificate chain must lead to (OEM roots; V2G roots for vehicles under the V2G PKI). */
  readonly vehicleTrust?: TrustStore;
  /** Plain TCP sessions on the same port (EIM only: PnC is never offered without TLS). */
  readonly allowPlain?: boolean;
  /** The OCSP response stapled for a suite's SECC leaf (status_request), when one is held. */
  readonly ocspStaple?: (suite: TlsSuite) => Buffer | undefined;
  /** Append TLS secrets in SSLKEYLOGFILE format (for Wireshark). Never enable in production. */
  readonly keyLogFile?: string;
  /** Time for the ClientHello and the handshake (ms); EvseV2G uses 15 s. */
  readonly handshakeTimeoutMs?: number;
  readonly iso20Preference?: readonly TlsSuite[];
  readonly clock?: () => number;
  readonly onConnection: (connection: SeccConnection) => void;
  readonly onRejection?: (rejection: SeccRejection) => void;
}

export interface SeccListener {
  readonly port: number;
  readonly address: AddressInfo;
  readonly suites: readonly TlsSuite[];
  /** A renewed SECC certificate and key for a suite: used from the next handshake on (running sessions keep theirs). */
  replaceCredential(credential: SeccCredential): void;
  close(): Promise<void>;
}

const TLS_HANDSHAKE = 0x16;
const V2GTP_VERSION = 0x01;

export async function startSeccListener(options: SeccListenerOptions & { host?: string; port?: number }): Promise<SeccListener> {
  const clock = options.clock ?? Date.now;
  const timeoutMs = options.handshakeTimeoutMs ?? 15_000;
  const reject = (rejection: SeccRejection): void => options.onRejection?.(rejection);
  const tlsServers = new Map<TlsSuite, TlsServer>();
  const open = new Set<Socket>();
  for (const credential of options.credentials) {
    if (tlsServers.has(credential.suite)) throw new Error(`two SECC credentials for ${credential.suite}`);
    const profile = TLS_PROFILES[credential.suite];
    if (profile.mutual && !options.vehicleTrust) throw new Error(`${credential.suite} needs vehicle trust anchors (mutual TLS)`);
    const server = createTlsServer({
      ...serverProfileOptions(profile),
      ...credentialOptions(credential),
      requestCert: profile.mutual,
      // The vehicle chain is judged by the pki verdict below (profiles, DC, sizes), not by OpenSSL's purpose checks,
      // which refuse real PKIs (notes §7 #4); the handshake still proves possession of the vehicle key.
      rejectUnauthorized: false,
      handshakeTimeout: timeoutMs,
    });
    server.on('secureConnection', (socket: TLSSocket) => admit(socket, credential.suite));
    server.on('tlsClientError', (err, socket) => reject({ remote: remoteOf(socket), stage: 'handshake', reason: err.message }));
    if (options.keyLogFile) {
      const file = options.keyLogFile;
      server.on('keylog', (line: Buffer) => appendFileSync(file, line, { mode: 0o600 }));
    }
    if (options.ocspStaple) {
      const staple = options.ocspStaple;
      server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, response?: Buffer) => void) => {
        const response = staple(credential.suite);
        done(null, response);
      });
    }
    tlsServers.set(credential.suite, server);
  }
  const suites = [...tlsServers.keys()];
  // When each connection's first byte arrived, by remote address (the TLS socket is a new object over the raw one).
  const started = new Map<string, number>();

  function admit(socket: TLSSocket, suite: TlsSuite): void {
    const remote = remoteOf(socket);
    const handshakeMs = performance.now() - (started.get(remote) ?? performance.now());
    started.delete(remote);
    const base = {
      secure: true as const,
      socket,
      remote,
      suite,
      tlsVersion: socket.getProtocol() ?? '',
      cipher: socket.getCipher().standardName,
      handshakeMs,
    };
    if (!TLS_PROFILES[suite].mutual) {
      options.onConnection(base);
      return;
    }
    const chain = peerChain(socket.getPeerCertificate(true));
    if (chain.length === 0) {
      reject({ remote: base.remote, stage: 'vehicle-certificate', reason: 'the EV presented no vehicle certificate (-20 requires mutual TLS)' });
      socket.destroy();
      return;
    }
    const verdict = chainVerdict({ leaf: chain[0]!, subCAs: chain.slice(1), trustStore: options.vehicleTrust!, protocol: 'iso20', role: 'vehicle', at: clock() });
    if (!verdict.valid) {
      const failed = verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      reject({ remote: base.remote, stage: 'vehicle-certificate', reason: `vehicle certificate refused (${verdict.iso20ResponseCode}): ${failed.join('; ')}` });
      socket.destroy();
      return;
    }
    options.onConnection({ ...base, vehicle: verdict });
  }

  const server: Server = createServer((socket) => {
    open.add(socket);
    const remote = remoteOf(socket);
    started.set(remote, performance.now());
    let buffered: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail('no ClientHello or V2GTP header in time'), timeoutMs);
    socket.once('close', () => {
      open.delete(socket);
      clearTimeout(timer);
      started.delete(remote);
    });
    const fail = (reason: string): void => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      reject({ remote: remoteOf(socket), stage: 'preamble', reason });
      socket.destroy();
    };
    const handOver = (target: (s: Socket) => void): void => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.pause();
      socket.unshift(buffered);
      target(socket);
    };
    const onData = (chunk: Buffer): void => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      if (buffered[0] === V2GTP_VERSION) {
        if (!options.allowPlain) return fail('plain TCP is not offered (TLS only)');
        return handOver((s) => {
          options.onConnection({ secure: false, socket: s, remote: remoteOf(s) });
          // The consumer attached its listeners; the bytes read so far were put back.
          s.resume();
        });
      }
      if (buffered[0] !== TLS_HANDSHAKE) return fail(`first byte 0x${buffered[0]!.toString(16)} is neither TLS nor V2GTP`);
      let missing: number;
      try {
        missing = clientHelloBytesMissing(buffered);
      } catch (e) {
        if (!(e instanceof ClientHelloError)) throw e;
        return fail(e.message);
      }
      if (missing > 0) return;
      let suite: TlsSuite | undefined;
      try {
        const choice = chooseTlsSuite(parseClientHello(buffered), suites, options.iso20Preference);
        suite = choice.suite;
        if (!suite) return fail(choice.reason);
      } catch (e) {
        if (!(e instanceof ClientHelloError)) throw e;
        return fail(e.message);
      }
      const tlsServer = tlsServers.get(suite)!;
      handOver((s) => tlsServer.emit('connection', s));
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, options.host ?? '::', () => {
      server.removeListener('error', rejectListen);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    address,
    suites,
    replaceCredential(credential) {
      const tlsServer = tlsServers.get(credential.suite);
      if (!tlsServer) throw new Error(`no TLS server for ${credential.suite}`);
      tlsServer.setSecureContext({ ...serverProfileOptions(TLS_PROFILES[credential.suite]), ...credentialOptions(credential) });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function credentialOptions(credential: SeccCredential): { cert: string } & ({ key: { pem: string; passphrase: string }[] } | { privateKeyEngine: string; privateKeyIdentifier: string }) {
  const cert = credential.chain.map((der) => encodePem('CERTIFICATE', der)).join('');
  if ('engineKey' in credential) return { cert, ...credential.engineKey };
  return { cert, key: [{ pem: credential.keyPem, passphrase: credential.passphrase }] };
}

function remoteOf(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}

/** The chain the peer sent, leaf first, without a self-signed root (the verdict picks the root from its trust store). */
export function peerChain(cert: DetailedPeerCertificate | PeerCertificate | Record<string, never>): Buffer[] {
  const out: Buffer[] = [];
  let c = cert as DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (c && 'raw' in c && c.raw) {
    const key = c.raw.toString('latin1');
    if (seen.has(key)) break;
    seen.add(key);
    if (c.issuerCertificate === c) break; // self-signed root
    out.push(c.raw);
    c = c.issuerCertificate;
  }
  return out;
}
