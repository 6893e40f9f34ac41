// Memo of the pure, time-independent parts of a chain verdict for intermediates: parsing, key import and the
// signature of each (intermediate, issuer) link. A hit is a certificate with exactly the same DER bytes.
import { parseCertificate, type Certificate } from '../certificate/certificate.js';
import { importPublicKey, type KeyImport, type SignatureCheck } from '../certificate/signature.js';

export class VerdictCache {
  // Keyed by the whole DER (as a latin1 string): exact, and no attacker-chosen bytes can pile entries into one slot.
  private readonly certs = new Map<string, Certificate>();
  private readonly keys = new WeakMap<Certificate, KeyImport>();
  // Certificates handed out by certificate() and trust-store anchors are shared instances, so links key on identity;
  // weak on both sides, so that neither evicted intermediates nor retired trust stores are kept alive.
  private readonly links = new WeakMap<Certificate, WeakMap<Certificate, SignatureCheck>>();

  constructor(readonly maxEntries = 4096) {}

  get size(): number {
    return this.certs.size;
  }

  /** Parses (or recalls) an intermediate; parse errors are not cached and propagate. */
  certificate(der: Buffer): Certificate {
    const id = der.toString('latin1');
    const hit = this.certs.get(id);
    if (hit) return hit;
    // Copy: the caller's buffer may be a view into network memory that gets reused; the cache outlives it.
    const cert = parseCertificate(Buffer.from(der));
    evictIfFull(this.certs, this.maxEntries);
    this.certs.set(id, cert);
    return cert;
  }

  key(cert: Certificate): KeyImport {
    let key = this.keys.get(cert);
    if (!key) {
      key = importPublicKey(cert);
      this.keys.set(cert, key);
    }
    return key;
  }

  link(child: Certificate, issuer: Certificate, verify: () => SignatureCheck): SignatureCheck {
    let byIssuer = this.links.get(child);
    const hit = byIssuer?.get(issuer);
    if (hit) return hit;
    const result = verify();
    if (!byIssuer) this.links.set(child, (byIssuer = new WeakMap<Certificate, SignatureCheck>()));
    byIssuer.set(issuer, result);
    return result;
  }

  clear(): void {
    this.certs.clear();
  }
}

function evictIfFull<K, V>(map: Map<K, V>, max: number): void {
  if (map.size < max) return;
  // Maps iterate in insertion order: drop the oldest quarter.
  let n = Math.ceil(max / 4);
  for (const k of map.keys()) {
    map.delete(k);
    if (--n === 0) break;
  }
}
