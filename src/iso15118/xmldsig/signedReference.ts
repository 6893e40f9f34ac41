// A signed element as a Reference sees it: its Id, its EXI fragment bytes (the fragment grammar of the message's
// schema set, EXI 1.0 §8.5.2) and their digest.
import { ExiError, schemaCodec, type ElementFragmentValue } from '../../exi/index.js';
import { digestOf, type SignatureSuite } from './signatureSuite.js';

/** Schema sets whose messages carry signed elements. */
export type MessageSchema = 'iso2' | 'iso20' | 'iso20-ac' | 'iso20-dc' | 'iso20-wpt' | 'iso20-acdp';

/** One element of a fragment: `{ AuthorizationReq: { Id: 'ID1', ... } }`. */
export type FragmentItem = Readonly<Record<string, unknown>>;

const MSG_DATA_TYPES = 'urn:iso:15118:2:2013:MsgDataTypes';

/**
 * The -2 eMAID of CertificateInstallationRes / CertificateUpdateRes as its fragment item. eMAID is declared with two
 * types in the -2 schema set, so its digest uses the element fragment grammar (EXI 1.0 §8.5.3); its Id attribute is
 * the one EMAIDType declares, qualified with MsgDataTypes.
 */
export function emaidFragmentItem(emaid: { readonly Id?: string; readonly value: string }): FragmentItem {
  const value: ElementFragmentValue = {
    ...(emaid.Id !== undefined ? { attributes: [{ ns: MSG_DATA_TYPES, local: 'Id', value: emaid.Id }] } : {}),
    content: [emaid.value],
  };
  return { eMAID: value };
}

export function elementName(item: FragmentItem): string {
  const keys = Object.keys(item);
  if (keys.length !== 1) throw new ExiError('input', 'a signed element is an object with one key, the element name');
  return keys[0]!;
}

/** The Id a Reference URI `#Id` points at, or undefined if the element has none. */
export function idOf(item: FragmentItem): string | undefined {
  const v = item[elementName(item)];
  if (typeof v !== 'object' || v === null) return undefined;
  if ('Id' in v && typeof v.Id === 'string') return v.Id;
  const attributes = (v as ElementFragmentValue).attributes;
  const id = attributes?.find((a) => a.local === 'Id')?.value;
  return typeof id === 'string' ? id : undefined;
}

/** The bytes a Reference digests: the element alone, as an EXI fragment of the message's schema set. */
export function fragmentBytes(item: FragmentItem, schema: MessageSchema): Uint8Array {
  return schemaCodec(schema).encodeFragment([item]);
}

export function referenceDigest(item: FragmentItem, schema: MessageSchema, suite: SignatureSuite): Uint8Array {
  return digestOf(suite, fragmentBytes(item, schema));
}
