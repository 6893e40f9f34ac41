// RFC 5280 §4.1 Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, as certificates, OCSP requests and OCSP
// responses carry them inside an EXPLICIT [n] wrapper.
import { DerCursor, DerError, Tag, content, readBoolean, readOid, readTlv, type Tlv } from '../der/derReader.js';

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue content: the DER of the extension's own value. */
  readonly value: Buffer;
}

/** The extensions inside `wrapper`; an empty list or a repeated extension (RFC 5280 §4.2) is malformed. */
export function readExtensions(buf: Buffer, wrapper: Tlv): Extension[] {
  const list = readTlv(buf, wrapper.contentStart, wrapper.end);
  if (list.tag !== Tag.SEQUENCE || list.end !== wrapper.end) throw new DerError('Extensions: expected one SEQUENCE', list.start);
  const c = new DerCursor(buf, list);
  if (c.done) throw new DerError('Extensions: empty SEQUENCE', list.start);
  const out: Extension[] = [];
  while (!c.done) {
    const e = new DerCursor(buf, c.next('Extension', Tag.SEQUENCE));
    const oid = readOid(buf, e.next('extnID', Tag.OID));
    if (out.some((x) => x.oid === oid)) throw new DerError(`duplicate extension ${oid}`, list.start);
    const crit = e.optional(Tag.BOOLEAN);
    const value = content(buf, e.next('extnValue', Tag.OCTET_STRING));
    e.finish('Extension');
    out.push({ oid, critical: crit ? readBoolean(buf, crit) : false, value });
  }
  return out;
}
