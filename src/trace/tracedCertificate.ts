// Certificate chains as trace events carry them (the dashboard draws subject, issuer, validity and size of each
// chain a party handles). Only what a diagram needs: no keys, no extensions, and never a full eMAID — a contract
// certificate's CN is the driver's contract id, so it is masked exactly like the charger masks eMAIDs in its logs.
import { CertificateParseError, parseCertificate } from '../pki/certificate/certificate.js';
import { formatName, type DistinguishedName } from '../pki/certificate/name.js';
import { DerError } from '../pki/der/derReader.js';
import { EmaidError, parseEmaid } from '../pki/emaid/emaid.js';
import { maskEmaid } from '../pki/emaid/maskEmaid.js';
import { Oid } from '../pki/oids.js';
import type { TracedCertificate } from './traceEvent.js';

/** What an entry says when its bytes are no X.509 certificate. */
export const UNPARSEABLE = '(unparseable)';

/** A chain longer than this is cut (the ISO 15118 chains have 1–3 certificates; the rest would only bloat a trace). */
export const MAX_TRACED_CERTIFICATES = 8;
/** A subject or issuer string is cut after this many characters. */
export const MAX_TRACED_NAME_CHARS = 256;

/**
 * The chain as a trace shows it, leaf first, one entry per DER in the same order. Never throws for bad bytes: an entry
 * that does not parse says UNPARSEABLE and keeps its size.
 */
export function tracedCertificates(ders: readonly Buffer[]): TracedCertificate[] {
  return ders.slice(0, MAX_TRACED_CERTIFICATES).map(tracedCertificate);
}

export function tracedCertificate(der: Buffer): TracedCertificate {
  try {
    const cert = parseCertificate(der);
    return {
      subject: traceName(cert.subject),
      issuer: traceName(cert.issuer),
      notBefore: isoTime(cert.notBefore),
      notAfter: isoTime(cert.notAfter),
      bytes: der.length,
      serialHex: cert.serialHex,
    };
  } catch (e) {
    // Names are decoded lazily, after parseCertificate; both error types mean "not a certificate we can show".
    if (!(e instanceof CertificateParseError) && !(e instanceof DerError)) throw e;
    return { subject: UNPARSEABLE, issuer: UNPARSEABLE, notBefore: '', notAfter: '', bytes: der.length, serialHex: '' };
  }
}

/** `C=DE, O=…, CN=…, DC=MO` in encoding order (formatName), an eMAID CN masked, control characters replaced. */
function traceName(name: DistinguishedName): string {
  const attributes = name.attributes.map((a) => (a.type === Oid.commonName && isEmaid(a.value) ? { ...a, value: maskEmaid(a.value.trim()) } : a));
  // A terminal prints the demo's sequence table: a CN must not carry escape sequences into it.
  // eslint-disable-next-line no-control-regex
  const text = formatName({ ...name, attributes }).replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
  return text.length > MAX_TRACED_NAME_CHARS ? `${text.slice(0, MAX_TRACED_NAME_CHARS - 1)}…` : text;
}

function isEmaid(value: string): boolean {
  try {
    parseEmaid(value.trim());
    return true;
  } catch (e) {
    if (e instanceof EmaidError) return false;
    throw e;
  }
}

/** ECMAScript dates reach ±8.64e15 ms; X.509 times (years 0000–9999) always fit, this only keeps toISOString from throwing. */
function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : '';
}
