// Every way an EXI stream can be refused, as one typed error carrying the path of the field it concerns.

export type ExiErrorCode =
  | 'header' // not the ISO 15118 EXI header byte 0x80
  | 'eof' // the stream ends inside an event or value
  | 'event' // an event code no production of the grammar has
  | 'value' // a value outside its type: overflow, bad code point, n-bit index beyond an enumeration
  | 'facet' // a schema facet is violated (length, range, occurrence, enumeration)
  | 'missing' // a required field is absent
  | 'unsupported' // valid EXI this codec deliberately does not handle (e.g. xsi:type substitution)
  | 'trailing' // bytes after the end of the document
  | 'input'; // the value handed to an encoder is not of its schema type

export class ExiError extends Error {
  override readonly name = 'ExiError';
  /** Element/attribute names from the root to the field, e.g. ['V2G_Message', 'Body', 'PaymentDetailsReq', 'eMAID']. */
  readonly path: string[] = [];
  constructor(
    readonly code: ExiErrorCode,
    readonly detail: string,
  ) {
    // No message to the Error constructor: it would become an own property hiding the getter below.
    super();
  }

  /** The path and the detail, e.g. `V2G_Message.Body.PaymentDetailsReq.eMAID: 2 characters, at least 14 allowed`. */
  override get message(): string {
    return this.path.length ? `${this.path.join('.')}: ${this.detail}` : this.detail;
  }
}

/** Adds the field being processed to an ExiError's path on its way out (anything else passes unchanged). */
export function atField(e: unknown, field: string): unknown {
  if (e instanceof ExiError && field) e.path.unshift(field);
  return e;
}

/** A required field is absent (named in the path). */
export function missingField(field: string, detail = 'required field is missing'): ExiError {
  const e = new ExiError('missing', detail);
  e.path.push(field);
  return e;
}

/** An encoder was handed something that is not an object where the schema has an element of complex type. */
export function notAnObject(v: unknown): ExiError {
  return new ExiError('input', `expected an object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
}

/** Items of an array field the grammar could not place (more than maxOccurs, or a branch of a choice not taken). */
export function excessItems(field: string, v: unknown, placed: number): ExiError {
  const e = Array.isArray(v)
    ? new ExiError('facet', `${v.length - placed} of ${v.length} items do not fit (maxOccurs, or a choice took another branch)`)
    : new ExiError('input', 'expected an array');
  e.path.push(field);
  return e;
}

/** Fields of a choice given together: the encoder took one branch and could not place the others. */
export function choiceConflict(o: object, fields: readonly string[]): ExiError {
  const given = fields.filter((f) => (o as Record<string, unknown>)[f] !== undefined);
  return new ExiError('input', `${given.join(', ')} cannot appear together (a choice takes one of ${fields.join(', ')})`);
}
