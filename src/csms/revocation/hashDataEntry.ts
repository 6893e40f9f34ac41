// One OCPP OCSPRequestDataType from a station (Authorize hash data, GetCertificateStatus), checked before anything is
// looked up or fetched: hex hashes of the length their algorithm gives, a hex serial of at most 40 digits, and a
// responder URL of at most 512 characters (OCPP 2.0.1 schema limits). The strict-mode schema has checked types and
// lengths already; the hex rules are ours (the official schema has none).
import { CertIdError, certIdFromRequestData, type CertId, type OcspRequestData } from '../../pki/ocsp/certId.js';

export const MAX_RESPONDER_URL = 512;

export type ParsedHashData = { readonly ok: true; readonly certId: CertId; readonly url: string } | { readonly ok: false; readonly problem: string };

export function parseHashDataEntry(entry: unknown): ParsedHashData {
  if (typeof entry !== 'object' || entry === null) return { ok: false, problem: 'not an OCSPRequestData object' };
  const url = (entry as { responderURL?: unknown }).responderURL;
  if (typeof url !== 'string' || url.length === 0) return { ok: false, problem: 'responderURL is missing' };
  if (url.length > MAX_RESPONDER_URL) return { ok: false, problem: `responderURL has ${url.length} characters, at most ${MAX_RESPONDER_URL}` };
  try {
    return { ok: true, certId: certIdFromRequestData(entry as OcspRequestData), url };
  } catch (e) {
    if (e instanceof CertIdError) return { ok: false, problem: e.message };
    throw e;
  }
}
