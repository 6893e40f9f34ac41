// RFC 6960 responder logic without transport: DER request in, signed DER response out, never an exception.
// One delegated signer per CA (§4.2.2.2); status comes from a lookup the CA database feeds.
import { createHash, sign, type KeyObject } from 'node:crypto';
import type { Certificate } from '../certificate/certificate.js';
import { algorithmIdentifier, signatureAlgorithmForKey, signatureSpec } from '../certificate/signatureAlgorithms.js';
import { hashOf, type OcspHashAlgorithm, type ParsedCertId } from './certId.js';
import {
  MAX_NONCE_BYTES,
  OcspFormatError,
  encodeBasicResponse,
  encodeOcspError,
  encodeResponseData,
  encodeSingleResponse,
  parseOcspRequest,
  type OcspResponseStatusName,
  type SingleStatus,
} from './ocspMessages.js';

export interface OcspAuthority {
  /** Identifies the CA to the status lookup. */
  readonly id: string;
  readonly ca: Certificate;
  /** The delegated OCSP signing certificate and its key (or the CA itself). */
  readonly signer: { readonly cert: Certificate; readonly key: KeyObject };
}

export interface StatusSource {
  /** Status of the certificate with `serialHex` issued by authority `authorityId`. */
  status(authorityId: string, serialHex: string): SingleStatus;
  /** Changes whenever any status changes (pre-produced responses are dropped then). */
  version(): number;
}

export interface OcspResponderOptions {
  readonly authorities: readonly OcspAuthority[];
  readonly statuses: StatusSource;
  readonly now?: () => number;
  /** nextUpdate − thisUpdate (default 1 hour). */
  readonly validityMs?: number;
  /** How long a response to a request without nonce may be served again (RFC 5019 pre-production; default 60 s). */
  readonly reuseMs?: number;
  readonly maxCertIdsPerRequest?: number;
}

export interface OcspAnswer {
  readonly status: OcspResponseStatusName;
  readonly response: Buffer;
  readonly answers: readonly { readonly serialHex: string; readonly authorityId: string; readonly status: SingleStatus['status'] }[];
  readonly reused: boolean;
  /** How long an HTTP cache may keep this answer (RFC 5019 §6.2): never past nextUpdate; 0 for nonce answers and errors. */
  readonly cacheSeconds: number;
  readonly error?: string;
}

interface PreparedAuthority {
  readonly authority: OcspAuthority;
  readonly responderKeyHash: Buffer;
  readonly algorithmIdentifier: Buffer;
  readonly digest: string | null;
  readonly certs: readonly Buffer[];
}

const HASHES: readonly OcspHashAlgorithm[] = ['SHA1', 'SHA256', 'SHA384', 'SHA512'];

export class OcspResponderCore {
  private readonly byIssuer = new Map<string, PreparedAuthority>();
  private readonly reused = new Map<string, { response: Buffer; expires: number; version: number; answers: OcspAnswer['answers'] }>();
  private readonly now: () => number;
  private readonly validityMs: number;
  private readonly reuseMs: number;
  private readonly maxCertIds: number;

  constructor(private readonly options: OcspResponderOptions) {
    this.now = options.now ?? Date.now;
    this.validityMs = options.validityMs ?? 3_600_000;
    this.reuseMs = options.reuseMs ?? 60_000;
    this.maxCertIds = options.maxCertIdsPerRequest ?? 32;
    for (const authority of options.authorities) {
      const alg = signatureAlgorithmForKey(authority.signer.cert.publicKeyType);
      if (!alg) throw new RangeError(`OCSP signer of ${authority.id} has an unsupported ${authority.signer.cert.publicKeyType} key`);
      const prepared: PreparedAuthority = {
        authority,
        responderKeyHash: createHash('sha1').update(authority.signer.cert.publicKeyBits).digest(),
        algorithmIdentifier: algorithmIdentifier(alg),
        digest: signatureSpec(alg)!.digest,
        certs: authority.signer.cert === authority.ca ? [] : [authority.signer.cert.der],
      };
      for (const h of HASHES) {
        this.byIssuer.set(issuerKey(h, hashOf(h, authority.ca.subjectRaw), hashOf(h, authority.ca.publicKeyBits)), prepared);
      }
    }
  }

  respond(request: Buffer): OcspAnswer {
    let parsed;
    try {
      parsed = parseOcspRequest(request, this.maxCertIds);
    } catch (e) {
      if (!(e instanceof OcspFormatError)) throw e;
      return refuse('malformedRequest', e.message);
    }
    const nonce = parsed.nonce;
    // RFC 8954 §2.1: a nonce of 0 or more than 32 octets is refused with malformedRequest.
    if (nonce && (nonce.length === 0 || nonce.length > MAX_NONCE_BYTES)) return refuse('malformedRequest', `nonce of ${nonce.length} bytes`);

    const authorities = parsed.certIds.map((id) => this.byIssuer.get(issuerKey(id.hashAlgorithm, id.issuerNameHash, id.issuerKeyHash)));
    const first = authorities[0];
    // One response has one signer; a delegated signer speaks only for its own CA (RFC 6960 §4.2.2.2).
    if (!first || authorities.some((a) => a !== first)) {
      return refuse('unauthorized', first ? 'certificates of several CAs in one request' : 'no CA of this responder issued the certificate');
    }

    try {
      const version = this.options.statuses.version();
      const now = this.now();
      const reuseKey = nonce ? undefined : parsed.certIds.map((c) => c.raw.toString('latin1')).join('\u0000');
      if (reuseKey !== undefined) {
        const hit = this.reused.get(reuseKey);
        if (hit && hit.version === version && hit.expires > now) {
          return { status: 'successful', response: hit.response, answers: hit.answers, reused: true, cacheSeconds: Math.floor((hit.expires - now) / 1000) };
        }
      }
      return this.sign(first, parsed.certIds, nonce, now, version, reuseKey);
    } catch (e) {
      // An unreadable status database or a failing key is our fault, not the client's: internalError (never a stale
      // "good"), with the reason kept for the log.
      return refuse('internalError', e instanceof Error ? e.message : String(e));
    }
  }

  private sign(first: PreparedAuthority, certIds: readonly ParsedCertId[], nonce: Buffer | undefined, now: number, version: number, reuseKey: string | undefined): OcspAnswer {
    const answers = certIds.map((id) => ({
      serialHex: id.serialHex,
      authorityId: first.authority.id,
      status: this.options.statuses.status(first.authority.id, id.serialHex),
    }));
    const thisUpdate = Math.floor(now / 1000) * 1000;
    const singles = certIds.map((id, i) =>
      encodeSingleResponse({ certId: id.raw, status: answers[i]!.status, thisUpdate, nextUpdate: thisUpdate + this.validityMs }),
    );
    const tbs = encodeResponseData(first.responderKeyHash, thisUpdate, singles, nonce);
    const signature = sign(first.digest, tbs, first.authority.signer.key);
    const response = encodeBasicResponse(tbs, first.algorithmIdentifier, signature, first.certs);
    const summary = answers.map((a) => ({ serialHex: a.serialHex, authorityId: a.authorityId, status: a.status.status }));
    // Never serve a pre-produced response past its own nextUpdate.
    const expires = Math.min(now + this.reuseMs, thisUpdate + this.validityMs);
    if (reuseKey !== undefined) {
      if (this.reused.size > 10_000) this.reused.clear();
      this.reused.set(reuseKey, { response, expires, version, answers: summary });
    }
    return { status: 'successful', response, answers: summary, reused: false, cacheSeconds: reuseKey === undefined ? 0 : Math.floor((expires - now) / 1000) };
  }
}

function issuerKey(alg: OcspHashAlgorithm, nameHash: Buffer, keyHash: Buffer): string {
  return `${alg}:${nameHash.toString('latin1')}:${keyHash.toString('latin1')}`;
}

function refuse(status: Exclude<OcspResponseStatusName, 'successful'>, error: string): OcspAnswer {
  return { status, response: encodeOcspError(status), answers: [], reused: false, cacheSeconds: 0, error };
}
