// Installed trust anchors (V2G, MO, OEM roots…), parsed once and indexed by subject for root selection.
import type { KeyObject } from 'node:crypto';
import { CertificateParseError, parseCertificate, type Certificate } from '../certificate/certificate.js';
import { importPublicKey } from '../certificate/signature.js';

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
  /** Anchors by the comparison form of their subject (RFC 5280 §7.1), for issuer names encoded differently. */
  readonly byCanonicalSubject: ReadonlyMap<string, readonly TrustAnchor[]>;
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
    const imported = importPublicKey(cert);
    if ('problem' in imported) {
      rejected.push({ source, reason: imported.problem });
      continue;
    }
    anchors.push({ cert, key: imported.key, source });
  }
  const bySubject = new Map<string, TrustAnchor[]>();
  const byCanonicalSubject = new Map<string, TrustAnchor[]>();
  const index = (map: Map<string, TrustAnchor[]>, k: string, a: TrustAnchor): void => {
    const list = map.get(k);
    if (list) list.push(a);
    else map.set(k, [a]);
  };
  for (const a of anchors) {
    index(bySubject, a.cert.subjectRaw.toString('latin1'), a);
    index(byCanonicalSubject, a.cert.subjectCanonical, a);
  }
  return { anchors, bySubject, byCanonicalSubject, rejected };
}
