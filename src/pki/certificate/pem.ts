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

const blockPattern = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

export function decodePem(text: string): PemBlock[] {
  if (text.length > MAX_PEM_BYTES) throw new PemError(`PEM input of ${text.length} bytes exceeds ${MAX_PEM_BYTES}`);
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(blockPattern)) {
    const [, begin, body, end] = m;
    if (begin !== end) throw new PemError(`PEM block BEGIN ${begin} closed by END ${end}`);
    const b64 = body!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new PemError(`PEM block ${begin} is not valid base64`);
    const der = Buffer.from(b64, 'base64');
    if (der.length === 0) throw new PemError(`PEM block ${begin} is empty`);
    blocks.push({ label: begin!, der });
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
