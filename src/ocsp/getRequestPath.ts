// RFC 6960 Appendix A.1 GET: {url}/{url-encoding of base64(DER OCSPRequest)}. Clients differ in whether they escape the
// '/' that base64 may contain, and the responder's own path prefix is unknown here, so the request is the longest
// suffix of the raw path, starting after a '/', that decodes to exactly one DER value.
import { DerError, readTlv } from '../pki/der/derReader.js';

export function requestFromGetPath(rawUrl: string): Buffer {
  const path = rawUrl.split('?')[0] ?? '';
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const candidate = decode(path.slice(i + 1));
    if (candidate && isOneTlv(candidate)) return candidate;
  }
  return Buffer.alloc(0);
}

function decode(segment: string): Buffer | undefined {
  if (segment === '') return undefined;
  let text: string;
  try {
    text = decodeURIComponent(segment);
  } catch (e) {
    if (e instanceof URIError) return undefined;
    throw e;
  }
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;
}

function isOneTlv(bytes: Buffer): boolean {
  try {
    return readTlv(bytes, 0, bytes.length).end === bytes.length;
  } catch (e) {
    if (e instanceof DerError) return false;
    throw e;
  }
}
