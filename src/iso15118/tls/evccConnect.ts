// The EV's side of the ISO 15118 TLS profiles: connect, judge the SECC chain against the EV's V2G roots with the pki
// verdict (role secc: DC=CPO [V2G2-875], profile, sizes) and check a stapled OCSP response when the SECC sends one.
// Nothing is sent on the connection before both pass.
import { appendFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { parseCertificate } from '../../pki/certificate/certificate.js';
import { encodePem } from '../../pki/certificate/pem.js';
import { certIdFor } from '../../pki/ocsp/certId.js';
import { OcspError } from '../../pki/ocsp/ocspError.js';
import { verifyOcspResponse } from '../../pki/ocsp/ocspVerify.js';
import { chainVerdict, type ChainVerdict } from '../../pki/verdict/chainVerdict.js';
import type { TrustStore } from '../../pki/verdict/trustStore.js';
import { peerChain } from './seccListener.js';
import type { PlainConnection, TlsConnection } from './tlsConnection.js';
import { clientProfileOptions, type TlsSuite } from './tlsProfile.js';

export class EvccTlsError extends Error {
  override readonly name = 'EvccTlsError';
  constructor(
    readonly code: 'connect' | 'handshake' | 'timeout' | 'secc-certificate' | 'ocsp-revoked' | 'ocsp-invalid' | 'ocsp-missing',
    message: string,
    readonly verdict?: ChainVerdict,
    /** The SECC chain as received (leaf first, DER), when the handshake got that far. */
    readonly seccChain?: readonly Buffer[],
  ) {
    super(message);
  }
}

export interface VehicleCredential {
  readonly keyPem: string;
  readonly passphrase: string;
  /** Vehicle leaf then its sub-CAs, DER. */
  readonly chain: readonly Buffer[];
}

export interface EvccConnectOptions {
  readonly host: string;
  readonly port: number;
  /** `none`: plain TCP (EIM only). */
  readonly security: 'iso2' | 'iso20' | 'none';
  /** The EV's V2G roots. */
  readonly seccTrust?: TrustStore;
  /** -20: the vehicle certificate for mutual TLS. */
  readonly vehicle?: VehicleCredential;
  /** Refuse a SECC that staples no OCSP response (default: checked when present). */
  readonly requireStapledOcsp?: boolean;
  readonly keyLogFile?: string;
  readonly timeoutMs?: number;
  readonly clock?: () => number;
  /** Test hook: the client's cipher/version options instead of the profile's (to show what the SECC refuses). */
  readonly tlsOverrides?: Record<string, unknown>;
}

export type EvccConnection =
  | (PlainConnection & { readonly connectMs: number })
  | (TlsConnection & {
      /** The ECDHE group agreed (e.g. prime256v1, secp521r1, X448). */
      readonly keyExchange: string;
      readonly secc: ChainVerdict;
      /** The SECC chain as received (leaf first, DER, without a self-signed root). */
      readonly seccChain: readonly Buffer[];
      readonly ocsp: 'good' | 'absent';
      readonly connectMs: number;
    });

export function connectToSecc(options: EvccConnectOptions): Promise<EvccConnection> {
  const clock = options.clock ?? Date.now;
  const t0 = performance.now();
  const timeoutMs = options.timeoutMs ?? 20_000;
  if (options.security === 'none') {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: options.host, port: options.port });
      socket.setTimeout(timeoutMs, () => socket.destroy(new EvccTlsError('timeout', `no TCP connection within ${timeoutMs} ms`)));
      socket.once('error', (e) => reject(e instanceof EvccTlsError ? e : new EvccTlsError('connect', e.message)));
      socket.once('connect', () => {
        socket.setTimeout(0);
        resolve({ secure: false, socket, connectMs: performance.now() - t0 });
      });
    });
  }
  const protocol = options.security;
  const trust = options.seccTrust;
  if (!trust) return Promise.reject(new EvccTlsError('secc-certificate', 'no V2G roots to check the SECC certificate with'));
  return new Promise((resolve, reject) => {
    let staple: Buffer | undefined;
    // requestOCSP is a TLSSocket option tls.connect() passes through (status_request); @types/node omits it here.
    const tlsOptions: ConnectionOptions & { requestOCSP: boolean } = {
      host: options.host,
      port: options.port,
      ...clientProfileOptions(protocol, vehicleKeyType(options.vehicle)),
      // A -20 EV asks only for SECC leaves it can check: the signature schemes of its V2G roots.
      ...(protocol === 'iso20' ? { sigalgs: iso20Sigalgs(trust) } : {}),
      // The SECC chain is judged by the pki verdict below: OpenSSL's purpose checks refuse real V2G PKIs (notes §7 #4)
      // and know nothing of DC=CPO. Nothing is written before the verdict passes.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      requestOCSP: true,
      ...(options.vehicle ? { key: [{ pem: options.vehicle.keyPem, passphrase: options.vehicle.passphrase }], cert: options.vehicle.chain.map((d) => encodePem('CERTIFICATE', d)).join('') } : {}),
      ...(options.tlsOverrides ?? {}),
    };
    const socket = tlsConnect(tlsOptions);
    if (options.keyLogFile) {
      const file = options.keyLogFile;
      socket.on('keylog', (line: Buffer) => appendFileSync(file, line, { mode: 0o600 }));
    }
    const fail = (e: EvccTlsError): void => {
      socket.destroy();
      reject(e);
    };
    // A deadline, not an idle timeout: a SECC trickling handshake bytes must not hold the EV.
    const deadline = setTimeout(() => fail(new EvccTlsError('timeout', `TLS handshake not done within ${timeoutMs} ms`)), timeoutMs);
    socket.once('close', () => clearTimeout(deadline));
    socket.on('OCSPResponse', (response: Buffer) => {
      staple = response;
    });
    socket.once('error', (e: Error) => reject(new EvccTlsError('handshake', e.message)));
    socket.once('secureConnect', () => {
      clearTimeout(deadline);
      const chain = peerChain(socket.getPeerCertificate(true));
      const at = clock();
      const verdict = chainVerdict({ leaf: chain[0] ?? Buffer.alloc(0), subCAs: chain.slice(1), trustStore: trust, protocol, role: 'secc', at });
      if (!verdict.valid) {
        const failed = verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
        return fail(new EvccTlsError('secc-certificate', `SECC certificate refused (${verdict.responseCode}): ${failed.join('; ')}`, verdict, chain));
      }
      let ocsp: 'good' | 'absent' = 'absent';
      if (staple && staple.length > 0) {
        // The leaf's issuer: its sub-CA, or the root itself when the SECC leaf hangs directly under it.
        const leaf = verdict.path[0]!;
        const issuer = verdict.path[1] ?? verdict.anchor!;
        try {
          const checked = verifyOcspResponse(staple, { requests: [{ certId: certIdFor(leaf, issuer), issuer }], now: at });
          const status = checked.results[0]!.status;
          if (status.status === 'revoked') return fail(new EvccTlsError('ocsp-revoked', `the stapled OCSP response says the SECC certificate is revoked${status.reason ? ` (${status.reason})` : ''}`, verdict, chain));
          if (status.status !== 'good') return fail(new EvccTlsError('ocsp-invalid', `the stapled OCSP response says ${status.status}`, verdict, chain));
          ocsp = 'good';
        } catch (e) {
          if (!(e instanceof OcspError)) throw e;
          return fail(new EvccTlsError('ocsp-invalid', `stapled OCSP response refused: ${e.message}`, verdict, chain));
        }
      } else if (options.requireStapledOcsp) {
        return fail(new EvccTlsError('ocsp-missing', 'the SECC stapled no OCSP response', verdict, chain));
      }
      resolve({
        secure: true,
        socket,
        suite: suiteOf(protocol, verdict),
        tlsVersion: socket.getProtocol() ?? '',
        cipher: socket.getCipher().standardName,
        keyExchange: groupName(socket.getEphemeralKeyInfo()),
        secc: verdict,
        seccChain: chain,
        ocsp,
        connectMs: performance.now() - t0,
      });
    });
  });
}

function suiteOf(protocol: 'iso2' | 'iso20', verdict: ChainVerdict): TlsSuite {
  if (protocol === 'iso2') return 'iso2';
  return verdict.path[0]?.publicKeyType === 'Ed448' ? 'iso20-ed448' : 'iso20-p521';
}

function groupName(info: object | null): string {
  return info && 'name' in info && typeof info.name === 'string' ? info.name : 'unknown';
}

function vehicleKeyType(vehicle: VehicleCredential | undefined): 'Ed448' | 'P-521' | undefined {
  const leaf = vehicle?.chain[0];
  if (!leaf) return undefined;
  return parseCertificate(leaf).publicKeyType === 'Ed448' ? 'Ed448' : 'P-521';
}

function iso20Sigalgs(trust: TrustStore): string {
  const types = new Set(trust.anchors.map((a) => a.cert.publicKeyType));
  const schemes = [...(types.has('P-521') ? ['ecdsa_secp521r1_sha512'] : []), ...(types.has('Ed448') ? ['ed448'] : [])];
  return schemes.length ? schemes.join(':') : 'ecdsa_secp521r1_sha512:ed448';
}
