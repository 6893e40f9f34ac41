// The bearer secret shared by the processor and its callers, and the configuration error both sides raise.

export class ProcessorConfigError extends Error {
  override readonly name = 'ProcessorConfigError';
}

export const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = 512;
/** What may stand in an HTTP header value unchanged: visible ASCII. */
const SECRET_PATTERN = /^[\x21-\x7e]+$/;

export function checkProcessorSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH || !SECRET_PATTERN.test(secret)) {
    throw new ProcessorConfigError(`the processor secret must be ${MIN_SECRET_LENGTH}–${MAX_SECRET_LENGTH} visible ASCII characters`);
  }
}
