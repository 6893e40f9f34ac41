// X.501 Name: the attributes ISO 15118 cares about (CN, O, C, DC) plus a printable form.
import { DerCursor, DerError, Tag, checkOid, checkString, readOid, readRoot, readString, type Tlv } from '../der/derReader.js';
import { Oid } from '../oids.js';

export interface NameAttribute {
  readonly type: string;
  readonly value: string;
}

export interface DistinguishedName {
  readonly attributes: readonly NameAttribute[];
  readonly commonName?: string;
  /** Every DomainComponent value (ISO 15118 marks a role with DC=CPO, MO, OEM, CPS, V2G). */
  readonly domainComponents: readonly string[];
  readonly organization?: string;
  readonly country?: string;
}

const shortNames: Record<string, string> = {
  [Oid.commonName]: 'CN',
  [Oid.countryName]: 'C',
  [Oid.organizationName]: 'O',
  [Oid.organizationalUnitName]: 'OU',
  [Oid.domainComponent]: 'DC',
};

/** Structural check of a Name without decoding its strings (the cheap part of parseName). */
export function checkName(buf: Uint8Array, tlv: Tlv): void {
  const rdns = new DerCursor(buf, tlv);
  while (!rdns.done) {
    const rdn = new DerCursor(buf, rdns.next('RelativeDistinguishedName', Tag.SET));
    if (rdn.done) throw new DerError('empty RelativeDistinguishedName', rdn.end);
    while (!rdn.done) {
      const atv = new DerCursor(buf, rdn.next('AttributeTypeAndValue', Tag.SEQUENCE));
      checkOid(buf, atv.next('attribute type', Tag.OID));
      checkString(buf, atv.next('attribute value'));
      atv.finish('AttributeTypeAndValue');
    }
  }
}

export function parseName(buf: Uint8Array, tlv: Tlv): DistinguishedName {
  const attributes: NameAttribute[] = [];
  const rdns = new DerCursor(buf, tlv);
  while (!rdns.done) {
    const rdn = new DerCursor(buf, rdns.next('RelativeDistinguishedName', Tag.SET));
    while (!rdn.done) {
      const atv = new DerCursor(buf, rdn.next('AttributeTypeAndValue', Tag.SEQUENCE));
      const type = readOid(buf, atv.next('attribute type', Tag.OID));
      const value = readString(buf, atv.next('attribute value'));
      atv.finish('AttributeTypeAndValue');
      attributes.push({ type, value });
    }
  }
  let commonName: string | undefined;
  let organization: string | undefined;
  let country: string | undefined;
  const domainComponents: string[] = [];
  for (const a of attributes) {
    if (a.type === Oid.commonName) commonName ??= a.value;
    else if (a.type === Oid.organizationName) organization ??= a.value;
    else if (a.type === Oid.countryName) country ??= a.value;
    else if (a.type === Oid.domainComponent) domainComponents.push(a.value);
  }
  return {
    attributes,
    domainComponents,
    ...(commonName !== undefined ? { commonName } : {}),
    ...(organization !== undefined ? { organization } : {}),
    ...(country !== undefined ? { country } : {}),
  };
}

/**
 * Comparison form of a Name (RFC 5280 §7.1): string values in any directory string type compare equal after
 * trimming, folding internal white space and case (a simplified RFC 4518 caseIgnoreMatch, as OpenSSL does).
 * Attributes within one RDN are order-independent.
 */
export function canonicalName(raw: Buffer): string {
  const root = readRoot(raw, Tag.SEQUENCE, 'Name');
  const rdns = new DerCursor(raw, root);
  const out: string[] = [];
  while (!rdns.done) {
    const rdn = new DerCursor(raw, rdns.next('RelativeDistinguishedName', Tag.SET));
    const atvs: string[] = [];
    while (!rdn.done) {
      const atv = new DerCursor(raw, rdn.next('AttributeTypeAndValue', Tag.SEQUENCE));
      const type = readOid(raw, atv.next('attribute type', Tag.OID));
      const value = readString(raw, atv.next('attribute value'));
      atvs.push(`${type}=${value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()}`);
    }
    out.push(atvs.sort().join('\u0001'));
  }
  return out.join('\u0000');
}

/** One-line form, in encoding order: `CN=…, O=…, C=DE, DC=MO`. */
export function formatName(name: DistinguishedName): string {
  return name.attributes.map((a) => `${shortNames[a.type] ?? a.type}=${a.value}`).join(', ');
}
