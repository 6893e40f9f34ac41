// XML signatures over EXI for ISO 15118-2 and -20.
export { createSignature, encodeSignedInfo, verifySignature, type ReferenceCheck, type SignatureOptions, type SignatureVerdict, type VerifyOptions } from './exiSignature.js';
export { buildSignedInfo, signatureProblems, type ReferenceInput } from './signedInfo.js';
export { elementName, emaidFragmentItem, fragmentBytes, idOf, referenceDigest, type FragmentItem, type MessageSchema } from './signedReference.js';
export {
  CANONICAL_EXI,
  digestOf,
  ISO2_P256,
  ISO20_ED448,
  ISO20_P521,
  keyMismatch,
  SIGNATURE_SUITES,
  signBytes,
  suiteForKey,
  verifyBytes,
  type SignatureSuite,
  type SuiteName,
} from './signatureSuite.js';
