// X.501 Name: the attributes ISO 15118 cares about (CN, O, C, DC) plus a printable form.
import { DerCursor, DerError, Tag, checkString, readOid, readString, type Tlv } from '../der/derReader.js';
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
      readOid(buf, atv.next('attribute type', Tag.OID));
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

/** One-line form, in encoding order: `CN=…, O=…, C=DE, DC=MO`. */
export function formatName(name: DistinguishedName): string {
  return name.attributes.map((a) => `${shortNames[a.type] ?? a.type}=${a.value}`).join(', ');
}
