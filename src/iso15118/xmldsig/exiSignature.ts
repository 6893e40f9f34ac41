// ISO 15118 XML signatures over EXI: each signed element is digested as an EXI fragment of the message's schema set,
// SignedInfo is EXI-encoded with the xmldsig fragment grammar and signed; the SignatureValue is the raw r‖s.
// Verification checks SignedInfo's form ([V2G2-771]), every Reference, and the signature.
import type { KeyObject } from 'node:crypto';
import { ExiError, schemaCodec, type xmldsig } from '../../exi/index.js';
import { buildSignedInfo, signatureProblems } from './signedInfo.js';
import { idOf, referenceDigest, type FragmentItem, type MessageSchema } from './signedReference.js';
import { signBytes, verifyBytes, type SignatureSuite } from './signatureSuite.js';

type SignatureType = xmldsig.SignatureType;
type SignedInfoType = xmldsig.SignedInfoType;

export interface SignatureOptions {
  /** The message's schema set: its fragment grammar encodes the referenced elements. */
  readonly schema: MessageSchema;
  readonly suite: SignatureSuite;
  /**
   * The fragment grammar SignedInfo is encoded with. `xmldsig` (default): that of xmldsig-core-schema.xsd alone, as
   * ISO 15118-2 Annex J requires and signed -2 traffic confirms. `message`: that of the message's schema set — the
   * -20 standard's wording is read both ways by implementations (cbexigen #69 and #116), so -20 peers may need it.
   */
  readonly signedInfoGrammar?: 'xmldsig' | 'message';
}

export function encodeSignedInfo(signedInfo: SignedInfoType, options: SignatureOptions): Uint8Array {
  return schemaCodec(options.signedInfoGrammar === 'message' ? options.schema : 'xmldsig').encodeFragment([{ SignedInfo: signedInfo }]);
}

/** A Signature for a message Header over the given elements (each must carry an Id), signed with `privateKey`. */
export function createSignature(elements: readonly FragmentItem[], privateKey: KeyObject, options: SignatureOptions): SignatureType {
  const seen = new Set<string>();
  const references = elements.map((item) => {
    const id = idOf(item);
    if (id === undefined) throw new ExiError('input', `${Object.keys(item)[0] ?? 'element'} has no Id to reference`);
    if (seen.has(id)) throw new ExiError('input', `two signed elements have Id ${id}`);
    seen.add(id);
    return { id, digest: referenceDigest(item, options.schema, options.suite) };
  });
  const signedInfo = buildSignedInfo(references, options.suite);
  return { SignedInfo: signedInfo, SignatureValue: { value: signBytes(options.suite, privateKey, encodeSignedInfo(signedInfo, options)) } };
}

export interface ReferenceCheck {
  readonly uri: string;
  /** An element with that Id was among the candidates. */
  readonly found: boolean;
  readonly digestMatches: boolean;
}

export interface SignatureVerdict {
  readonly valid: boolean;
  /** The SignatureValue verifies over the EXI bytes of SignedInfo with the public key. */
  readonly signatureValid: boolean;
  readonly references: readonly ReferenceCheck[];
  readonly problems: readonly string[];
}

export interface VerifyOptions extends SignatureOptions {
  /** Ids that must be among the references (e.g. the AuthorizationReq's, which the first AuthorizationReq signs, [V2G2-684]). */
  readonly requiredIds?: readonly string[];
}

/**
 * Checks a Signature against the elements of the message it claims to sign: SignedInfo's form, that every Reference
 * finds its element and its digest matches, that required elements are referenced, and the signature itself.
 */
export function verifySignature(signature: SignatureType, elements: readonly FragmentItem[], publicKey: KeyObject, options: VerifyOptions): SignatureVerdict {
  const problems = signatureProblems(signature, options.suite);
  const byId = new Map<string, FragmentItem>();
  for (const item of elements) {
    const id = idOf(item);
    if (id !== undefined) byId.set(id, item);
  }
  const references = signature.SignedInfo.Reference.map((r): ReferenceCheck => {
    const uri = r.URI ?? '';
    const item = uri.startsWith('#') ? byId.get(uri.slice(1)) : undefined;
    if (!item) {
      problems.push(`Reference ${uri || '(no URI)'}: no signed element has this Id`);
      return { uri, found: false, digestMatches: false };
    }
    const digest = digestOrProblem(item, options, problems, uri);
    const digestMatches = digest !== undefined && Buffer.from(digest).equals(Buffer.from(r.DigestValue));
    if (digest !== undefined && !digestMatches) problems.push(`Reference ${uri}: the digest of the element does not match DigestValue`);
    return { uri, found: true, digestMatches };
  });
  for (const id of options.requiredIds ?? []) {
    if (!references.some((r) => r.uri === `#${id}`)) problems.push(`element ${id} is not signed`);
  }
  let signatureValid = false;
  try {
    signatureValid = verifyBytes(options.suite, publicKey, encodeSignedInfo(signature.SignedInfo, options), signature.SignatureValue.value);
  } catch (e) {
    if (!(e instanceof ExiError)) throw e;
    problems.push(`SignedInfo cannot be EXI-encoded: ${e.message}`);
  }
  if (!signatureValid) problems.push('the signature does not verify with the public key');
  return { valid: problems.length === 0, signatureValid, references, problems };
}

function digestOrProblem(item: FragmentItem, options: SignatureOptions, problems: string[], uri: string): Uint8Array | undefined {
  try {
    return referenceDigest(item, options.schema, options.suite);
  } catch (e) {
    if (!(e instanceof ExiError)) throw e;
    problems.push(`Reference ${uri}: the element cannot be EXI-encoded: ${e.message}`);
    return undefined;
  }
}
