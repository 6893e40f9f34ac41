// SECC certificate renewal over OCPP 2.0.1 (A02/A03 for the V2G certificate): a new key and a CSR with the
// ISO15118Ctrlr SeccId / OrganizationName / CountryName and DC=CPO go to the CSMS in SignCertificate; the key waits
// (encrypted) as the suite's pending key until CertificateSigned brings a chain whose leaf carries that key, DC=CPO and
// leads to an installed V2G root. Only then does the TLS server switch to it; running sessions keep the old one.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { CertificateSignedRequest, CertificateSignedResponse } from '../../ocpp/generated/ocpp201.js';
import type { OcppPeer } from '../../ocpp/ocppPeer.js';
import { CertificateParseError, parseCertificate } from '../../pki/certificate/certificate.js';
import { decodePemCertificates, PemError } from '../../pki/certificate/pem.js';
import { decryptPrivateKey } from '../../pki/generator/keys.js';
import type { Tracer } from '../../trace/tracer.js';
import { createSeccCsr, seccKeyType } from '../certificates/seccCsr.js';
import { generateTokenKey, isTokenKey, tokenPublicKey, type TokenDefaults } from '../keys/seccTokenKey.js';
import { checkSignedChain } from '../certificates/signedChainCheck.js';
import type { ChargerVariables } from '../deviceModel/chargerVariables.js';
import type { ChargerStateStore, TlsSuiteName } from '../store/chargerStateStore.js';

export interface SeccRenewalOptions {
  readonly store: ChargerStateStore;
  readonly passphrase: string;
  readonly suites: readonly TlsSuiteName[];
  readonly peer: () => OcppPeer | undefined;
  readonly variables: () => ChargerVariables;
  readonly clock: () => number;
  readonly tracer: Tracer;
  /** Generate renewal keys on this PKCS#11 token (RFC 7512 URI) instead of encrypted files. */
  readonly token?: { readonly uri: string; readonly defaults: TokenDefaults };
  /** The renewed chain and key are stored: switch the TLS server to them. */
  readonly installed: (suite: TlsSuiteName, chain: readonly Buffer[], keyPem: string) => void | Promise<void>;
}

export class SeccRenewalError extends Error {
  override readonly name = 'SeccRenewalError';
}

export class SeccRenewal {
  constructor(private readonly o: SeccRenewalOptions) {}

  /** Sends SignCertificate for one suite; returns the CSMS's status. */
  async request(suite: TlsSuiteName): Promise<'Accepted' | 'Rejected'> {
    const v = this.o.variables();
    if (!v.seccId || !v.organizationName || !v.countryName) {
      throw new SeccRenewalError('ISO15118Ctrlr SeccId, OrganizationName and CountryName must be set before a SECC certificate can be requested');
    }
    const peer = this.o.peer();
    if (!peer) throw new SeccRenewalError('not connected to the CSMS');
    const settings = { seccId: v.seccId, organizationName: v.organizationName, countryName: v.countryName };
    const keyType = seccKeyType(suite);
    let pendingKey: string;
    let csrPem: string;
    if (this.o.token && keyType !== 'Ed448') {
      // The engine cannot serve TLS with EdDSA token keys, so Ed448 stays a file key.
      const k = await generateTokenKey(this.o.token.uri, keyType, `secc-${suite}-${Date.now()}`, this.o.token.defaults);
      try {
        csrPem = (await createSeccCsr({ suite, settings, key: { kind: 'signer', publicKey: k.publicKey, signer: k.signer } })).csrPem;
      } finally {
        k.close();
      }
      pendingKey = k.uri;
    } else {
      const csr = await createSeccCsr({ suite, settings, key: { kind: 'generate', passphrase: this.o.passphrase } });
      csrPem = csr.csrPem;
      pendingKey = csr.keyPem!;
    }
    await this.o.store.setPendingSeccKey(suite, pendingKey);
    const t0 = performance.now();
    const response = await peer.call('SignCertificate', { csr: csrPem, certificateType: 'V2GCertificate' });
    this.o.tracer.emit({ kind: 'message', party: 'charger', from: 'csms', to: 'charger', message: 'SignCertificateResponse', detail: `${suite}: ${response.status}`, ms: performance.now() - t0 });
    return response.status;
  }

  async certificateSigned(request: CertificateSignedRequest): Promise<CertificateSignedResponse> {
    if (request.certificateType !== undefined && request.certificateType !== 'V2GCertificate') {
      return this.refuse(`${request.certificateType} renewal is not supported by this charger (only the SECC's V2GCertificate)`, 'NotSupported');
    }
    // CertificateSigned does not say which CSR it answers: the leaf's key does.
    const pending = await this.pendingKeys();
    if (pending.size === 0) return this.refuse('no SECC certificate renewal is pending (no SignCertificate sent)', 'InvalidMessageSeq');
    const suite = this.suiteOfLeaf(request.certificateChain, pending) ?? [...pending.keys()][0]!;
    const { keyPem, publicKey } = pending.get(suite)!;
    const check = checkSignedChain({ certificateChain: request.certificateChain, suite, pendingPublicKey: publicKey, installed: await this.o.store.listCertificates(), at: this.o.clock() });
    this.o.tracer.emit({ kind: 'check', party: 'charger', check: 'CertificateSigned chain', ok: check.status === 'Accepted', detail: `${suite}: ${check.status === 'Accepted' ? 'DC=CPO, key matches, chain valid to an installed V2G root' : check.detail}` });
    if (check.status !== 'Accepted') return check.response;
    await this.o.store.setSeccCredential({ suite, chain: check.chain, key: keyPem });
    await this.o.store.setPendingSeccKey(suite, undefined);
    await this.o.installed(suite, check.chain, keyPem);
    return check.response;
  }

  private async pendingKeys(): Promise<Map<TlsSuiteName, { keyPem: string; publicKey: KeyObject }>> {
    const out = new Map<TlsSuiteName, { keyPem: string; publicKey: KeyObject }>();
    for (const suite of this.o.suites) {
      const keyPem = await this.o.store.pendingSeccKey(suite);
      if (!keyPem) continue;
      const publicKey = isTokenKey(keyPem) ? await tokenPublicKey(keyPem, this.o.token?.defaults ?? {}) : createPublicKey(decryptPrivateKey(keyPem, this.o.passphrase));
      out.set(suite, { keyPem, publicKey });
    }
    return out;
  }

  private suiteOfLeaf(pem: string, pending: ReadonlyMap<TlsSuiteName, { publicKey: KeyObject }>): TlsSuiteName | undefined {
    let spki: Buffer;
    try {
      const [leafDer] = decodePemCertificates(pem);
      if (!leafDer) return undefined;
      spki = parseCertificate(leafDer).spki;
    } catch (e) {
      if (e instanceof CertificateParseError || e instanceof PemError) return undefined; // the chain check reports it
      throw e;
    }
    for (const [suite, p] of pending) if (p.publicKey.export({ type: 'spki', format: 'der' }).equals(spki)) return suite;
    return undefined;
  }

  private refuse(detail: string, reasonCode: string): CertificateSignedResponse {
    this.o.tracer.emit({ kind: 'check', party: 'charger', check: 'CertificateSigned chain', ok: false, detail });
    return { status: 'Rejected', statusInfo: { reasonCode, additionalInfo: detail.slice(0, 512) } };
  }
}
