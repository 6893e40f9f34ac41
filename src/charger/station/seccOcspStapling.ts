// OCSP status of the SECC certificate for TLS stapling (status_request): the charger has no route to the OCSP responder, so it asks the CSMS with GetCertificateStatus (OCPP 2.0.1 M06)
// and staples what comes back — after checking it is a signed, fresh answer about exactly this leaf. Refreshed
// periodically and before nextUpdate; the last good response survives a restart in the store.
import type { OCSPRequestDataType } from '../../ocpp/generated/ocpp201.js';
import type { OcppPeer } from '../../ocpp/ocppPeer.js';
import { parseCertificate, type Certificate } from '../../pki/certificate/certificate.js';
import { certIdFor, ocspRequestData } from '../../pki/ocsp/certId.js';
import { OcspError } from '../../pki/ocsp/ocspError.js';
import { verifyOcspResponse } from '../../pki/ocsp/ocspVerify.js';
import type { Tracer } from '../../trace/tracer.js';
import type { ChargerStateStore, TlsSuiteName } from '../store/chargerStateStore.js';

export interface SeccOcspStaplingOptions {
  readonly store: Pick<ChargerStateStore, 'seccOcspResponse' | 'setSeccOcspResponse'>;
  readonly peer: () => OcppPeer | undefined;
  /** Current SECC chain (leaf, sub-CAs) per suite. */
  readonly chains: () => ReadonlyMap<TlsSuiteName, readonly Buffer[]>;
  readonly clock: () => number;
  readonly tracer: Tracer;
  readonly callTimeoutMs?: number;
}

const DAY = 24 * 3_600_000;

interface Held {
  readonly der: Buffer;
  readonly leafDer: Buffer;
  /** Half-way between receipt and nextUpdate (a day when the response has none). */
  readonly refreshAt: number;
}

export class SeccOcspStapling {
  private readonly held = new Map<TlsSuiteName, Held>();

  constructor(private readonly o: SeccOcspStaplingOptions) {}

  /** For the TLS server: the response to staple for a suite, when one is held for its current leaf. */
  staple(suite: TlsSuiteName): Buffer | undefined {
    const h = this.held.get(suite);
    const leaf = this.o.chains().get(suite)?.[0];
    return h && leaf && h.leafDer.equals(leaf) ? h.der : undefined;
  }

  /** Loads the responses kept from before a restart (still checked against the current chain and the clock). */
  async load(): Promise<void> {
    for (const [suite, chain] of this.o.chains()) {
      const der = await this.o.store.seccOcspResponse(suite);
      if (!der) continue;
      const checked = this.check(chain, der);
      if ('held' in checked) this.held.set(suite, checked.held);
    }
  }

  /** Asks the CSMS for every suite whose response is missing or due; returns what happened per suite. */
  async refresh(force = false): Promise<Map<TlsSuiteName, string>> {
    const results = new Map<TlsSuiteName, string>();
    for (const [suite, chain] of this.o.chains()) {
      if (!force && !this.due(suite, chain)) {
        results.set(suite, 'fresh');
        continue;
      }
      results.set(suite, await this.refreshSuite(suite, chain));
    }
    return results;
  }

  /** Time until the next refresh is due. */
  nextRefreshInMs(): number {
    const now = this.o.clock();
    let soonest = DAY;
    for (const [suite, chain] of this.o.chains()) {
      const h = this.held.get(suite);
      if (!h || !h.leafDer.equals(chain[0]!)) return 0;
      soonest = Math.min(soonest, Math.max(0, h.refreshAt - now));
    }
    return soonest;
  }

  private due(suite: TlsSuiteName, chain: readonly Buffer[]): boolean {
    const h = this.held.get(suite);
    return !h || !h.leafDer.equals(chain[0]!) || this.o.clock() >= h.refreshAt;
  }

  private async refreshSuite(suite: TlsSuiteName, chain: readonly Buffer[]): Promise<string> {
    const peer = this.o.peer();
    if (!peer) return 'CSMS not connected';
    const [leaf, issuer] = [parseCertificate(chain[0]!), chain[1] ? parseCertificate(chain[1]) : undefined];
    if (!issuer) return 'the SECC chain has no issuer certificate';
    const data = ocspRequestData(leaf, issuer);
    if (!data) return 'the SECC leaf names no OCSP responder (AIA)';
    const request: OCSPRequestDataType = { ...data };
    const t0 = performance.now();
    const response = await peer.call('GetCertificateStatus', { ocspRequestData: request }, { timeoutMs: this.o.callTimeoutMs ?? 30_000 });
    const ms = performance.now() - t0;
    if (response.status !== 'Accepted' || !response.ocspResult) {
      const why = `GetCertificateStatus ${response.status}${response.statusInfo ? ` (${response.statusInfo.reasonCode})` : ''}`;
      this.o.tracer.emit({ kind: 'check', party: 'charger', check: 'SECC OCSP status', ok: false, detail: `${suite}: ${why}`, ms });
      return why;
    }
    const der = Buffer.from(response.ocspResult, 'base64');
    const checked = this.check(chain, der, leaf, issuer);
    if ('problem' in checked) {
      this.o.tracer.emit({ kind: 'check', party: 'charger', check: 'SECC OCSP status', ok: false, detail: `${suite}: ${checked.problem}`, ms });
      return checked.problem;
    }
    this.held.set(suite, checked.held);
    await this.o.store.setSeccOcspResponse(suite, der);
    this.o.tracer.emit({ kind: 'check', party: 'charger', check: 'SECC OCSP status', ok: true, detail: `${suite}: ${checked.status}, stapled`, ms });
    return checked.status;
  }

  private check(chain: readonly Buffer[], der: Buffer, leaf?: Certificate, issuer?: Certificate): { held: Held; status: string } | { problem: string } {
    const l = leaf ?? parseCertificate(chain[0]!);
    const i = issuer ?? (chain[1] ? parseCertificate(chain[1]) : undefined);
    if (!i) return { problem: 'no issuer' };
    try {
      const certId = certIdFor(l, i, 'SHA256');
      const v = verifyOcspResponse(der, { requests: [{ certId, issuer: i }], now: this.o.clock() });
      const r = v.results[0]!;
      const now = this.o.clock();
      return { held: { der, leafDer: chain[0]!, refreshAt: r.nextUpdate !== undefined ? now + (r.nextUpdate - now) / 2 : now + DAY }, status: r.status.status };
    } catch (e) {
      if (e instanceof OcspError) return { problem: `OCSP response refused: ${e.message}` };
      throw e;
    }
  }
}
