// Installed trust anchors (V2G, MO, OEM roots…), parsed once and indexed by subject for root selection.
import type { KeyObject } from 'node:crypto';
import { CertificateParseError, parseCertificate, type Certificate } from '../certificate/certificate.js';
import { publicKeyOf } from '../certificate/signature.js';

export interface TrustAnchor {
  readonly cert: Certificate;
  readonly key: KeyObject;
  /** Where it came from (file path, OCPP InstallCertificate…), for messages. */
  readonly source: string;
}

export interface TrustStore {
  readonly anchors: readonly TrustAnchor[];
  /** Anchors by the latin1 image of their subject DER. */
  readonly bySubject: ReadonlyMap<string, readonly TrustAnchor[]>;
  /** Inputs that could not be used as anchors, with the reason. */
  readonly rejected: readonly { readonly source: string; readonly reason: string }[];
}

export function createTrustStore(entries: readonly { readonly der: Buffer; readonly source?: string }[]): TrustStore {
  const anchors: TrustAnchor[] = [];
  const rejected: { source: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of entries.entries()) {
    const source = entry.source ?? `anchor #${i + 1}`;
    let cert: Certificate;
    try {
      cert = parseCertificate(entry.der);
    } catch (e) {
      if (!(e instanceof CertificateParseError)) throw e;
      rejected.push({ source, reason: e.message });
      continue;
    }
    const id = cert.der.toString('latin1');
    if (seen.has(id)) continue;
    seen.add(id);
    if (cert.publicKeyType === 'unsupported') {
      rejected.push({ source, reason: 'unsupported public key type' });
      continue;
    }
    anchors.push({ cert, key: publicKeyOf(cert), source });
  }
  const bySubject = new Map<string, TrustAnchor[]>();
  for (const a of anchors) {
    const k = a.cert.subjectRaw.toString('latin1');
    const list = bySubject.get(k);
    if (list) list.push(a);
    else bySubject.set(k, [a]);
  }
  return { anchors, bySubject, rejected };
}
