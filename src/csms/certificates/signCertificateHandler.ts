// SignCertificate (OCPP 2.0.1 A02/A03): a station asks the CSMS to have its CSR signed. The CSMS decides at once
// (csrDecision) and answers Accepted or Rejected with a reason; after an Accepted it signs in the background and
// sends the chain in CertificateSigned, recording the certificate and the station's answer in the store.
//
// certificateType:
//   - V2GCertificate → the CPO Sub-CA 2 of the CSR key's ISO 15118 suite (v2gCertificateSigner.ts).
//   - ChargingStationCertificate → the optional CSO CA (stationCertificateSigner.ts); none configured → Rejected.
//   - absent → handled as ChargingStationCertificate. The schema says an omitted type means "used for both the 15118
//     connection (if implemented) and the Charging Station to CSMS connection"; one certificate cannot be both here (a
//     SECC leaf carries DC=CPO and the SeccId and chains to the V2G root; a station certificate carries the station
//     identity and chains to the CSO root), and the connection every station has is the one to the CSMS. So a V2G
//     certificate is issued only when asked for by name, and CertificateSigned then carries no certificateType either.
import { createHash } from 'node:crypto';
import type { CertificateSignedRequest, SignCertificateRequest, SignCertificateResponse } from '../../ocpp/generated/ocpp201.js';
import type { CertificationRequest } from '../../pki/certificate/certificationRequest.js';
import { formatName } from '../../pki/certificate/name.js';
import type { Tracer } from '../../trace/tracer.js';
import { stationCallFailure } from '../admin/stationCallFailure.js';
import type { CsmsHandler, StationCaller } from '../csmsTypes.js';
import type { BackgroundJobs } from './backgroundJobs.js';
import { decideCsr, type SignedCertificateType } from './csrDecision.js';
import { readCsr } from './csrFacts.js';
import type { IssuedCertificateStore, IssuedFields } from './issuedCertificateStore.js';
import { StationCertificateSignerError, type StationCertificateSigner } from './stationCertificateSigner.js';
import { V2gSignerError, type IssuedSeccCertificate, type V2gCertificateSigner } from './v2gCertificateSigner.js';

export interface SignCertificateDeps {
  readonly stations: StationCaller;
  readonly store: IssuedCertificateStore;
  readonly tracer: Tracer;
  /** Background work after the answer; shutdown waits for it (BackgroundJobs.close). */
  readonly jobs: BackgroundJobs;
  /** The CPO Sub-CAs 2 that issue SECC certificates; absent → V2GCertificate requests are Rejected. */
  readonly v2gSigner?: V2gCertificateSigner;
  /** The CSO CA for station (TLS client) certificates; absent → ChargingStationCertificate requests are Rejected. */
  readonly stationSigner?: StationCertificateSigner;
  /** After a SECC certificate is issued, before it is sent (e.g. caDatabaseRegistrar: tell the OCSP responder). */
  readonly onIssued?: (issued: IssuedSeccCertificate) => Promise<void> | void;
  /** Time-out of the CertificateSigned call (default 30 s). */
  readonly callTimeoutMs?: number;
  /** Wait before signing, so that the SignCertificateResponse reaches the station first (default 0: next turn). */
  readonly deliveryDelayMs?: number;
}

type Signed = { readonly fields: IssuedFields; readonly seccIssued?: IssuedSeccCertificate };

function rejected(reasonCode: string, additionalInfo: string): SignCertificateResponse {
  return { status: 'Rejected', statusInfo: { reasonCode, additionalInfo: additionalInfo.slice(0, 512) } };
}

export function signCertificateHandler(deps: SignCertificateDeps): CsmsHandler<'SignCertificate'> {
  const { tracer } = deps;
  // Events carry the station as their session, as the server's own do.
  const check = (session: string, ok: boolean, detail: string): void => tracer.emit({ kind: 'check', party: 'csms', session, check: 'SignCertificate CSR', ok, detail });
  const error = (session: string, e: string, detail: string): void => tracer.emit({ kind: 'error', party: 'csms', session, error: e, detail });

  async function sign(type: SignedCertificateType, csr: CertificationRequest): Promise<Signed> {
    if (type === 'V2GCertificate') {
      const issued = await deps.v2gSigner!.sign(csr);
      const c = issued.cert;
      const fields = { suite: issued.suite, serialHex: issued.serialHex, fingerprint256: issued.fingerprint256, subject: formatName(c.subject), notBefore: c.notBefore, notAfter: c.notAfter, chainPem: issued.chainPem };
      return { fields, seccIssued: issued };
    }
    const issued = await deps.stationSigner!.sign(csr);
    const c = issued.cert;
    return { fields: { serialHex: issued.serialHex, fingerprint256: issued.fingerprint256, subject: formatName(c.subject), notBefore: c.notBefore, notAfter: c.notAfter, chainPem: issued.chainPem } };
  }

  async function deliver(stationId: string, id: number, request: CertificateSignedRequest): Promise<void> {
    const t0 = performance.now();
    tracer.emit({ kind: 'message', party: 'csms', session: stationId, from: 'csms', to: 'charger', message: 'CertificateSignedRequest', detail: `${request.certificateType ?? 'certificate'} #${id}` });
    try {
      const response = await deps.stations.call(stationId, 'CertificateSigned', request, { timeoutMs: deps.callTimeoutMs ?? 30_000 });
      const info = response.statusInfo ? `${response.statusInfo.reasonCode}${response.statusInfo.additionalInfo ? `: ${response.statusInfo.additionalInfo}` : ''}` : undefined;
      await deps.store.recordAnswer(id, response.status, info);
      tracer.emit({ kind: 'message', party: 'csms', session: stationId, from: 'charger', to: 'csms', message: 'CertificateSignedResponse', detail: `${response.status}${info ? ` (${info})` : ''}`, ms: performance.now() - t0 });
    } catch (e) {
      const failure = stationCallFailure(e);
      if (!failure) throw e;
      await deps.store.recordDeliveryFailed(id, `${failure.code}: ${failure.message}`);
      error(stationId, 'CertificateSigned not delivered', `#${id}: ${failure.code}: ${failure.message}`);
    }
  }

  async function issueAndDeliver(stationId: string, type: SignedCertificateType, typeSent: SignedCertificateType | undefined, csr: CertificationRequest): Promise<void> {
    const csrSha256 = createHash('sha256').update(csr.der).digest('hex');
    const claim = await deps.store.claim(stationId, type, csrSha256);
    const toStation = (chainPem: string): CertificateSignedRequest => ({ certificateChain: chainPem, ...(typeSent ? { certificateType: typeSent } : {}) });
    if (!claim.claimed) {
      // The same CSR again (the station missed our answer, or asked another node): its certificate, never a second one.
      const existing = claim.existing;
      if (existing.state === 'deliveryFailed' && existing.chainPem && (await deps.store.claimRedelivery(existing.id))) {
        check(stationId, true, `CSR seen before (#${existing.id}); sending its certificate again`);
        await deliver(stationId, existing.id, toStation(existing.chainPem));
      } else {
        check(stationId, true, `CSR seen before (#${existing.id}, ${existing.state}); nothing new is signed`);
      }
      return;
    }
    let signed: Signed;
    const t0 = performance.now();
    try {
      signed = await sign(type, csr);
    } catch (e) {
      if (!(e instanceof V2gSignerError) && !(e instanceof StationCertificateSignerError)) throw e;
      await deps.store.recordSigningFailed(claim.id, `${e.code}: ${e.message}`);
      error(stationId, 'signing failed', `#${claim.id}: ${e.message}`);
      return;
    }
    if (signed.seccIssued && deps.onIssued) {
      try {
        await deps.onIssued(signed.seccIssued);
      } catch (e) {
        // The certificate is good; only its OCSP registration failed. Say so and deliver it anyway.
        error(stationId, 'issued certificate not registered', `#${claim.id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    await deps.store.recordIssued(claim.id, signed.fields);
    tracer.emit({ kind: 'verdict', party: 'csms', session: stationId, verdict: `${type} issued`, detail: `#${claim.id}: ${signed.fields.subject}, serial ${signed.fields.serialHex}${signed.fields.suite ? `, ${signed.fields.suite}` : ''}`, ms: performance.now() - t0 });
    await deliver(stationId, claim.id, toStation(signed.fields.chainPem));
  }

  function answer(request: SignCertificateRequest, stationId: string): SignCertificateResponse {
    const typeSent = request.certificateType;
    const type: SignedCertificateType = typeSent ?? 'ChargingStationCertificate';
    tracer.emit({ kind: 'message', party: 'csms', session: stationId, from: 'charger', to: 'csms', message: 'SignCertificateRequest', detail: typeSent ?? 'no certificateType (taken as ChargingStationCertificate)' });

    const signer = type === 'V2GCertificate' ? deps.v2gSigner : deps.stationSigner;
    if (!signer) {
      const why = type === 'V2GCertificate' ? 'no CPO Sub-CA is configured to sign V2G certificates' : 'no CSO CA is configured to sign charging station certificates';
      check(stationId, false, why);
      return rejected('NotSupported', why);
    }
    const read = readCsr(request.csr);
    const decision = decideCsr(read.facts, { certificateType: type, allowedKeyTypes: signer.keyTypes, stationId });
    if (!decision.accepted) {
      check(stationId, false, `${decision.reason}: ${decision.detail}`);
      return { status: 'Rejected', statusInfo: decision.statusInfo };
    }
    if (!deps.jobs.accepting) {
      check(stationId, false, 'too many signing jobs in flight');
      return rejected('Busy', 'the CSMS is busy signing; try again later');
    }
    check(stationId, true, `${type} CSR for ${read.csr ? formatName(read.csr.subject) : '?'} (${read.facts.keyType ?? '?'})`);
    deps.jobs.run(() => issueAndDeliver(stationId, type, typeSent, read.csr!), deps.deliveryDelayMs ?? 0);
    return { status: 'Accepted' };
  }

  return (request, station) => Promise.resolve().then(() => answer(request, station.stationId));
}
