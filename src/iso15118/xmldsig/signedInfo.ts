// SignedInfo as ISO 15118 wants it ([V2G2-771]): Canonical EXI, the suite's signature method, one Reference per
// signed element with URI "#Id", one Canonical EXI transform and the suite's digest — and nothing else: no Id, no
// HMACOutputLength, no Reference Type, no XPath, no wildcard content; and in Signature no SignatureValue Id, no
// KeyInfo, no Object. The checks are pure: a list of what is wrong.
import type { xmldsig } from '../../exi/index.js';
import { CANONICAL_EXI, type SignatureSuite } from './signatureSuite.js';

type SignatureType = xmldsig.SignatureType;
type SignedInfoType = xmldsig.SignedInfoType;

export interface ReferenceInput {
  readonly id: string;
  readonly digest: Uint8Array;
}

export function buildSignedInfo(references: readonly ReferenceInput[], suite: SignatureSuite): SignedInfoType {
  if (references.length === 0) throw new Error('a signature needs at least one reference');
  return {
    CanonicalizationMethod: { Algorithm: CANONICAL_EXI },
    SignatureMethod: { Algorithm: suite.signatureMethod },
    Reference: references.map((r) => ({
      URI: `#${r.id}`,
      Transforms: { Transform: [{ Algorithm: CANONICAL_EXI }] },
      DigestMethod: { Algorithm: suite.digestMethod },
      DigestValue: r.digest,
    })),
  };
}

/** What makes a received Signature unacceptable before any digest or key is looked at. */
export function signatureProblems(signature: SignatureType, suite: SignatureSuite): string[] {
  const problems: string[] = [];
  const si = signature.SignedInfo;
  const forbid = (present: boolean, what: string): void => {
    if (present) problems.push(`[V2G2-771] ${what} is not allowed`);
  };
  forbid(si.Id !== undefined, 'SignedInfo Id');
  forbid(si.CanonicalizationMethod.any !== undefined, 'content in CanonicalizationMethod');
  forbid(si.SignatureMethod.HMACOutputLength !== undefined, 'HMACOutputLength');
  forbid(si.SignatureMethod.any !== undefined, 'content in SignatureMethod');
  forbid(signature.SignatureValue.Id !== undefined, 'SignatureValue Id');
  forbid(signature.KeyInfo !== undefined, 'KeyInfo');
  forbid(signature.Object !== undefined, 'Object');
  if (si.CanonicalizationMethod.Algorithm !== CANONICAL_EXI) problems.push(`CanonicalizationMethod ${si.CanonicalizationMethod.Algorithm}, expected ${CANONICAL_EXI}`);
  if (si.SignatureMethod.Algorithm !== suite.signatureMethod) problems.push(`SignatureMethod ${si.SignatureMethod.Algorithm}, expected ${suite.signatureMethod}`);
  si.Reference.forEach((r, i) => {
    const at = `Reference ${i + 1} (${r.URI ?? 'no URI'})`;
    forbid(r.Type !== undefined, `${at} Type`);
    forbid(r.DigestMethod.any !== undefined, `content in ${at} DigestMethod`);
    if (r.URI === undefined || !r.URI.startsWith('#') || r.URI.length < 2) problems.push(`${at}: the URI must be #Id of a signed element`);
    if (r.DigestMethod.Algorithm !== suite.digestMethod) problems.push(`${at}: DigestMethod ${r.DigestMethod.Algorithm}, expected ${suite.digestMethod}`);
    const transforms = r.Transforms?.Transform ?? [];
    if (transforms.length !== 1 || transforms[0]!.Algorithm !== CANONICAL_EXI) problems.push(`${at}: exactly one ${CANONICAL_EXI} transform expected`);
    for (const t of transforms) {
      forbid(t.XPath !== undefined, `${at} XPath`);
      forbid(t.any !== undefined, `content in ${at} Transform`);
    }
  });
  return problems;
}
