// Untrusted OCPI JSON that does not have the shape the specification gives it. The message names the field path
// (e.g. "data.token.whitelist"), so a peer's defect can be found from the log line alone.
export class OcpiFormatError extends Error {
  override readonly name = 'OcpiFormatError';
  constructor(
    /** Where in the document: dotted path with [i] for array items. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}
