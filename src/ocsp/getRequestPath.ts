// RFC 6960 Appendix A.1 GET: {url}/{url-encoding of base64(DER OCSPRequest)}. Clients differ in whether they escape the
// '/' that base64 may contain, and the responder's own path prefix is unknown here. The request is therefore the
// longest suffix starting after one of the first few '/' (an unescaped request) or after the last one (an escaped
// request) that decodes to exactly one DER value. Work is bounded: the path is capped and at most
// MAX_CANDIDATES suffixes are tried, each checked by its DER header before it is decoded in full.
import { DerError, readTlv } from '../pki/der/derReader.js';

const MAX_CANDIDATES = 8;

export function requestFromGetPath(rawUrl: string, maxRequestBytes: number): Buffer {
  const path = rawUrl.split('?')[0] ?? '';
  // base64 is 4/3 of the bytes and a %-escape triples a character.
  if (path.length > Math.ceil((maxRequestBytes * 4) / 3) * 3 + 256) return Buffer.alloc(0);
  const starts: number[] = [];
  for (let i = path.indexOf('/'); i >= 0 && starts.length < MAX_CANDIDATES; i = path.indexOf('/', i + 1)) starts.push(i + 1);
  const last = path.lastIndexOf('/') + 1;
  if (!starts.includes(last)) starts.push(last);
  for (const start of starts) {
    const candidate = decode(path.slice(start));
    if (candidate && isOneTlv(candidate)) return candidate;
  }
  return Buffer.alloc(0);
}

function decode(segment: string): Buffer | undefined {
  if (segment === '' || !headerFits(segment)) return undefined;
  let text: string;
  try {
    text = decodeURIComponent(segment);
  } catch (e) {
    if (e instanceof URIError) return undefined;
    throw e;
  }
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Cheap pre-check on the first characters: a SEQUENCE whose announced length fits the length of the segment. */
function headerFits(segment: string): boolean {
  let head: Buffer;
  try {
    head = Buffer.from(decodeURIComponent(segment.slice(0, 24).replace(/%[0-9a-fA-F]?$/, '')).slice(0, 8), 'base64');
  } catch (e) {
    if (e instanceof URIError) return false;
    throw e;
  }
  if (head[0] !== 0x30 || head[1] === undefined) return false;
  const first = head[1];
  const length = first < 0x80 ? first + 2 : first === 0x81 ? (head[2] ?? 0) + 3 : first === 0x82 ? (((head[2] ?? 0) << 8) | (head[3] ?? 0)) + 4 : -1;
  // The segment holds 4/3 of the bytes in base64, up to three times that when every character is %-escaped.
  return length > 0 && segment.length >= Math.floor((length * 4) / 3) && segment.length <= Math.ceil((length * 4) / 3) * 3 + 4;
}

function isOneTlv(bytes: Buffer): boolean {
  try {
    return readTlv(bytes, 0, bytes.length).end === bytes.length;
  } catch (e) {
    if (e instanceof DerError) return false;
    throw e;
  }
}
