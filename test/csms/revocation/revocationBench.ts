// Test setup for the CSMS revocation checks: a PKI on disk whose AIA points at our RFC 6960 responder (src/ocsp) on
// loopback, the responder answering from the PKI's CA database, the CSMS's known issuers and roots, and helpers to
// build hash data and hostile responses.
import { generateKeyPairSync, sign } from 'node:crypto';
import { CaDatabaseStatus } from '../../../src/ocsp/caDatabaseStatus.js';
import { authoritiesFromPki } from '../../../src/ocsp/pkiAuthorities.js';
import { parseCertificate, type Certificate } from '../../../src/pki/certificate/certificate.js';
import { algorithmIdentifier, signatureAlgorithmFromOid, signatureSpec } from '../../../src/pki/certificate/signatureAlgorithms.js';
import { computeCheckDigit } from '../../../src/pki/emaid/emaid.js';
import { buildCertificate, ext, keyIdentifier } from '../../../src/pki/generator/certificateBuilder.js';
import { PkiDirectory, issueContractInPki, revokeInPki } from '../../../src/pki/generator/pkiDirectory.js';
import type { Suite } from '../../../src/pki/generator/testPki.js';
import { Oid } from '../../../src/pki/oids.js';
import { certIdFor, hashOf, ocspRequestData, type CertId, type OcspRequestData } from '../../../src/pki/ocsp/certId.js';
import { encodeBasicResponse, encodeResponseData, encodeSingleResponse, parseOcspRequest, parseOcspResponse, type SingleStatus } from '../../../src/pki/ocsp/ocspMessages.js';
import { OcspResponderCore } from '../../../src/pki/ocsp/ocspResponderCore.js';
import { createTrustStore, type TrustStore } from '../../../src/pki/verdict/trustStore.js';
import { pemOf } from '../../helpers/openssl.js';
import { startOcspServer, tempPki, type RunningOcspServer } from '../../helpers/ocspTestbed.js';

export const SUITE_LIST: readonly Suite[] = ['iso2', 'iso20-p521', 'iso20-ed448'];
export const REVOKED_EMAID = `DEPNCC00000002${computeCheckDigit('DEPNCC00000002')}`;
export const EXPIRED_EMAID = `DEPNCC00000003${computeCheckDigit('DEPNCC00000003')}`;
export const OTHER_EMAID = `DEPNCC00000009${computeCheckDigit('DEPNCC00000009')}`;
const HOUR = 3_600_000;

export interface RevocationBench {
  readonly dir: string;
  readonly passphrase: string;
  pki: PkiDirectory;
  readonly server: RunningOcspServer;
  /** Shifted clock shared by the responder and the checkers under test. */
  readonly clock: () => number;
  setSkew(ms: number): void;
  readonly revokedAt: number;
  /** V2G and MO roots of every suite, as the CSMS holds them. */
  roots(suites?: readonly Suite[]): TrustStore;
  cert(id: string): Certificate;
  /** id of the default contract of a suite (good). */
  contract(suite: Suite): string;
  /** PEM chain leaf → sub-CAs (as a station sends it). */
  chainPem(leafId: string, withRoot?: boolean): string;
  /** OCPP OCSPRequestData for `id` issued by its issuer in the PKI, at its AIA URL. */
  hashData(id: string, alg?: OcspRequestData['hashAlgorithm']): OcspRequestData;
  close(): Promise<void>;
}

export async function startRevocationBench(): Promise<RevocationBench> {
  let skew = 0;
  const clock = (): number => Date.now() + skew;
  // The responder starts before the PKI exists (the PKI's AIA needs its port); the core is bound once the PKI is made.
  const late: { core?: OcspResponderCore } = {};
  const server = await startOcspServer({ respond: (req) => late.core!.respond(req) });
  const bench = tempPki({ protocol: 'both', ocspUrl: `${server.origin}/ocsp` });
  issueContractInPki(bench.dir, { emaid: REVOKED_EMAID, passphrase: bench.passphrase });
  issueContractInPki(bench.dir, { emaid: EXPIRED_EMAID, passphrase: bench.passphrase, notBefore: Date.now() - 30 * 24 * HOUR, notAfter: Date.now() - 24 * HOUR });
  const revokedAt = Date.now() - 60_000;
  revokeInPki(bench.dir, REVOKED_EMAID, { reason: 'keyCompromise', at: revokedAt });
  let pki = PkiDirectory.open(bench.dir);
  const statuses = new CaDatabaseStatus(pki.databasePath);
  late.core = new OcspResponderCore({ authorities: authoritiesFromPki(pki, bench.passphrase), statuses, now: clock, validityMs: HOUR });

  const certs = new Map<string, Certificate>();
  const cert = (id: string): Certificate => {
    let c = certs.get(id);
    if (!c) certs.set(id, (c = pki.certificate(id)));
    return c;
  };
  const issuerOf = (id: string): Certificate => cert(pki.entry(id).issuerId);

  return {
    dir: bench.dir,
    passphrase: bench.passphrase,
    get pki() {
      return pki;
    },
    set pki(p: PkiDirectory) {
      pki = p;
    },
    server,
    clock,
    setSkew(ms) {
      skew = ms;
    },
    revokedAt,
    roots(suites = SUITE_LIST) {
      return createTrustStore(suites.flatMap((s) => ['v2g-root', 'mo-root'].map((r) => ({ der: pki.der(`${s}/${r}`), source: `${s}/${r}` }))));
    },
    cert,
    contract(suite) {
      return pki.entries((e) => e.suite === suite && e.role === 'contract' && !e.name.endsWith(REVOKED_EMAID) && !e.name.endsWith(EXPIRED_EMAID))[0]!.id;
    },
    chainPem(leafId, withRoot = false) {
      const ders: Buffer[] = [];
      for (let id = leafId; ; id = pki.entry(id).issuerId) {
        const e = pki.entry(id);
        if (e.kind === 'root' && !withRoot) break;
        ders.push(pki.der(id));
        if (e.kind === 'root') break;
      }
      return pemOf(ders);
    },
    hashData(id, alg = 'SHA256') {
      const d = ocspRequestData(cert(id), issuerOf(id), alg);
      if (!d) throw new Error(`${id} has no AIA`);
      return d;
    },
    async close() {
      statuses.close();
      await server.close();
      bench.cleanup();
    },
  };
}

/** Hash data naming a CertID at `url`. */
export function hashDataFor(id: CertId, url: string): OcspRequestData {
  if (id.hashAlgorithm === 'SHA1') throw new Error('OCPP has no SHA1 hash data');
  return {
    hashAlgorithm: id.hashAlgorithm,
    issuerNameHash: id.issuerNameHash.toString('hex'),
    issuerKeyHash: id.issuerKeyHash.toString('hex'),
    serialNumber: id.serialHex,
    responderURL: url,
  };
}

/**
 * A well-formed, correctly signed OCSP answer "good" for the request's CertIDs, by a key nobody authorised: a
 * self-made "OCSP signer" certificate that names the real CA as its issuer but is signed by the rogue key.
 */
export function rogueResponse(request: Buffer, claimedIssuer: Certificate, now: number): Buffer {
  const parsed = parseOcspRequest(request);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signerDer = buildCertificate({
    serial: Buffer.from([0x42]),
    subject: { country: 'DE', organization: 'rogue', commonName: 'rogue OCSP' },
    issuer: claimedIssuer.subjectRaw,
    notBefore: now - HOUR,
    notAfter: now + HOUR,
    publicKey,
    extensions: [ext.basicConstraints(false), ext.keyUsage(['digitalSignature']), ext.extKeyUsage([Oid.kpOcspSigning]), ext.subjectKeyIdentifier(keyIdentifier(publicKey))],
    signatureAlgorithm: 'ecdsa-with-SHA256',
    signingKey: privateKey,
  });
  const signer = parseCertificate(signerDer);
  const good: SingleStatus = { status: 'good' };
  const thisUpdate = Math.floor(now / 1000) * 1000;
  const singles = parsed.certIds.map((id) => encodeSingleResponse({ certId: id.raw, status: good, thisUpdate, nextUpdate: thisUpdate + HOUR }));
  const tbs = encodeResponseData(hashOf('SHA1', signer.publicKeyBits), thisUpdate, singles, parsed.nonce);
  return encodeBasicResponse(tbs, algorithmIdentifier('ecdsa-with-SHA256'), sign('sha256', tbs, privateKey), [signerDer]);
}

/** The same signed answer with extra certificates appended (outside the signed data, so it still verifies). */
export function paddedResponse(response: Buffer, extraCerts: readonly Buffer[]): Buffer {
  const parsed = parseOcspResponse(response);
  if (parsed.status !== 'successful') throw new Error('cannot pad an error response');
  const b = parsed.basic;
  const alg = signatureAlgorithmFromOid(b.signatureAlgorithmOid);
  if (!signatureSpec(alg)) throw new Error('unsupported algorithm');
  return encodeBasicResponse(b.tbsResponseData, algorithmIdentifier(alg), b.signature, [...b.certs, ...extraCerts]);
}

export { certIdFor };
