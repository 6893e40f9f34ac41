// PEM (RFC 7468) reading and writing for certificates, chains, keys and CSRs.

export class PemError extends Error {
  override readonly name = 'PemError';
}

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

/** A PEM file bigger than this is not a certificate chain (a -20 chain of 4 × 1600 bytes is ~9 kB of PEM). */
export const MAX_PEM_BYTES = 1 << 20;
const MAX_BLOCKS = 256;

const labelPattern = /^[A-Z0-9 ]{1,64}$/;

/** Every `-----BEGIN X-----` … `-----END X-----` block, in one linear pass (text between blocks is ignored). */
export function decodePem(text: string): PemBlock[] {
  if (text.length > MAX_PEM_BYTES) throw new PemError(`PEM input of ${text.length} bytes exceeds ${MAX_PEM_BYTES}`);
  const blocks: PemBlock[] = [];
  for (let at = text.indexOf('-----BEGIN '); at >= 0; at = text.indexOf('-----BEGIN ', at)) {
    const labelEnd = text.indexOf('-----', at + 11);
    const begin = labelEnd < 0 ? '' : text.slice(at + 11, labelEnd);
    if (!labelPattern.test(begin)) throw new PemError(`malformed PEM header at character ${at}`);
    const endAt = text.indexOf('-----END ', labelEnd + 5);
    if (endAt < 0) throw new PemError(`PEM block ${begin} has no END line (truncated file?)`);
    const endLabelEnd = text.indexOf('-----', endAt + 9);
    const end = endLabelEnd < 0 ? '' : text.slice(endAt + 9, endLabelEnd);
    if (begin !== end) throw new PemError(`PEM block BEGIN ${begin} closed by END ${end.slice(0, 64)}`);
    const body = text.slice(labelEnd + 5, endAt);
    at = endLabelEnd + 5;
    const b64 = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new PemError(`PEM block ${begin} is not valid base64`);
    const der = Buffer.from(b64, 'base64');
    if (der.length === 0) throw new PemError(`PEM block ${begin} is empty`);
    blocks.push({ label: begin, der });
    if (blocks.length > MAX_BLOCKS) throw new PemError(`more than ${MAX_BLOCKS} PEM blocks`);
  }
  return blocks;
}

/** DER of every CERTIFICATE block, in file order. */
export function decodePemCertificates(text: string): Buffer[] {
  const certs = decodePem(text).filter((b) => b.label === 'CERTIFICATE');
  return certs.map((b) => b.der);
}

export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
